"""Named queries against a real local server: a small hand-made graph with known answers
(`_queries_helpers.py`), parameter validation, and the `constellation query` command."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from _queries_helpers import write_small_artifacts
from constellation.loader.graph.read import SCORE_DECIMALS
from constellation.loader.graph.writer import load_artifacts
from constellation.queries.runner import (
    get_query,
    list_queries,
    parse_header,
    run_query,
    to_jsonable,
)

from constellation.cli import main
from constellation.errors import GraphUnreachable, UserError
from constellation.graph import GraphConfig

PYTHIA = "EleutherAI/pythia-70m"
CHAT = "acme/pythia-70m-chat"
GGUF = "acme/pythia-70m-chat-GGUF"


@pytest.fixture(scope="module")
def small(graph_db: GraphConfig, graph_driver, tmp_path_factory: pytest.TempPathFactory):
    """The hand-made graph loaded with the real writer; yields a `run(name, **params)`."""
    folder = write_small_artifacts(tmp_path_factory.mktemp("queries") / "artifacts")
    load_artifacts(graph_driver, folder, database=graph_db.database, progress=False)

    def run(name: str, **params):
        return run_query(graph_driver, name, params, database=graph_db.database)

    return run


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


# --- the query files ---------------------------------------------------------------------


def test_every_required_query_exists_and_documents_its_parameters() -> None:
    queries = list_queries()
    required = {"related", "neighbourhood", "family", "lineage", "path", "top_families",
                "search", "by_metadata", "model"}
    assert required <= set(queries)
    for name in required:
        spec = queries[name]
        assert spec.summary, name
        assert "$" in spec.text, name
        for pname, param in spec.params.items():
            assert param.doc, f"{name}.{pname} has no doc"
            assert f"${pname}" in spec.text, f"{name}: ${pname} declared but unused"


def test_header_parsing_types_defaults_and_ranges() -> None:
    spec = parse_header(
        "demo",
        "// demo: a demo.\n"
        "// @param id model  Model id\n"
        "// @param limit int(1..50) = 20  Rows\n"
        "// @param by choice(community|cluster) = community  Grouping\n"
        "// @param since date = null  From\n"
        "// @param until date(end) = null  To\n"
        "// @param ratio float(0..1) = 0.5  A share\n"
        "RETURN 1",
    )
    assert spec.summary == "a demo."
    assert spec.params["id"].required
    assert spec.bind({"id": "gpt2"}) == {
        "id": "gpt2", "limit": 20, "by": "community", "since": None, "until": None, "ratio": 0.5,
    }  # fmt: skip
    bound = spec.bind({"id": "x", "limit": "7", "by": "CLUSTER", "since": "2023-07-01",
                       "until": "2023-07-01", "ratio": "0.25"})
    assert bound["limit"] == 7 and bound["by"] == "cluster" and bound["ratio"] == 0.25
    assert bound["since"] == "2023-07-01T00:00:00Z"
    assert bound["until"] == "2023-07-01T23:59:59Z"
    assert spec.bind({"id": "x", "since": "2023-07-01T14:00:00+02:00"})["since"] == (
        "2023-07-01T12:00:00Z"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "parameter 'id' is required"),
        ({"id": "gpt2", "colour": "red"}, "no parameter 'colour'"),
        ({"id": "gpt2", "limit": "ten"}, "parameter 'limit' must be an integer"),
        ({"id": "gpt2", "limit": "0"}, "parameter 'limit' must be at least 1"),
        ({"id": "gpt2", "limit": 10_000}, "parameter 'limit' must be at most 200"),
        ({"id": "gpt2", "min_score": "high"}, "parameter 'min_score' must be a number"),
        ({"id": "  "}, "parameter 'id' must be a model id"),
    ],
)
def test_bad_parameters_name_the_parameter(params: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        get_query("related").bind(params)


def test_bad_choice_and_date_name_the_parameter() -> None:
    with pytest.raises(UserError, match="parameter 'by' must be one of community|cluster"):
        get_query("family").bind({"id": "x", "by": "tribe"})
    with pytest.raises(UserError, match="parameter 'created_from' must be an ISO date"):
        get_query("by_metadata").bind({"created_from": "last tuesday"})


def test_numbers_the_graph_cannot_hold_are_refused_by_name(capsys) -> None:
    """Bolt integers are 64-bit and floats must be finite: refused before sending, one line."""
    spec = get_query("by_metadata")
    for value in ("99999999999999999999999", 2**63, -(2**63) - 1, 1e30, "9" * 5000):
        with pytest.raises(UserError, match="parameter 'min_downloads' is out of range"):
            spec.bind({"min_downloads": value})
    assert spec.bind({"min_downloads": str(2**63 - 1)})["min_downloads"] == 2**63 - 1
    for value in ("1e999", "inf", "nan", float("-inf")):
        with pytest.raises(UserError, match="parameter 'min_score' must be a finite number"):
            get_query("related").bind({"id": "gpt2", "min_score": value})
    # the command says so in one line (it used to end in the driver's OverflowError traceback)
    assert main(["query", "by_metadata", "-p", "min_downloads=99999999999999999999999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "parameter 'min_downloads' is out of range" in err


def test_unknown_query_lists_the_available_ones() -> None:
    with pytest.raises(UserError, match="no query named 'nope'.*related"):
        get_query("nope")


# --- answers on the small graph ----------------------------------------------------------


def test_model_details(small) -> None:
    [row] = small("model", id="gpt2")
    assert row["id"] == "gpt2" and row["author"] is None and row["downloads"] == 100000
    assert row["license"] == "mit" and row["library_name"] == "transformers"
    assert sorted(row["tags"]) == ["pytorch", "tf"]
    assert row["community_label"] == "gpt2" and row["community"] == 2
    assert row["cluster"] == 20 and row["cluster_label"] == "gpt2 base"
    assert row["created_at"] == "2019-11-04T12:00:00Z"
    assert (row["similar"], row["parents"], row["children"]) == (2, 0, 2)
    assert row["external"] is False


def test_unknown_model_is_a_clear_error(small) -> None:
    with pytest.raises(UserError, match="parameter 'id': no model with id 'nobody/nothing'"):
        small("related", id="nobody/nothing")


def test_related_by_score_with_shared_groups_and_lineage(small) -> None:
    rows = small("related", id=PYTHIA)
    assert ids(rows) == ["EleutherAI/pythia-160m", "EleutherAI/pythia-410m", CHAT, "zoo/pythia"]
    assert [r["score"] for r in rows] == pytest.approx([0.9, 0.8, 0.7, 0.6], abs=1e-6)
    assert all(r["same_community"] and r["same_family"] for r in rows)
    assert [r["same_cluster"] for r in rows] == [True, False, False, False]
    assert [r["lineage"] for r in rows] == [None, None, "child", None]
    # undirected: the pair stored as (pythia-160m, pythia-70m) is found from both ends
    assert ids(small("related", id="EleutherAI/pythia-160m", limit=1)) == [PYTHIA]
    from_chat = {r["id"]: r["lineage"] for r in small("related", id=CHAT)}
    assert from_chat == {PYTHIA: "parent", GGUF: "child"}
    assert ids(small("related", id=PYTHIA, min_score=0.75)) == [
        "EleutherAI/pythia-160m", "EleutherAI/pythia-410m",
    ]  # fmt: skip
    assert small("related", id="lonely/model-x") == []


def test_family_by_community_ranked_and_paged(small) -> None:
    rows = small("family", id=PYTHIA)
    assert ids(rows) == ["EleutherAI/pythia-160m", "EleutherAI/pythia-410m", PYTHIA, CHAT,
                         GGUF, "zoo/pythia"]
    assert {r["group_label"] for r in rows} == {"pythia"} and rows[0]["group_size"] == 6
    assert [r["is_self"] for r in rows] == [False, False, True, False, False, False]
    assert ids(small("family", id=PYTHIA, skip=2, limit=2)) == [PYTHIA, CHAT]
    assert ids(small("family", id=PYTHIA, license="mit")) == [CHAT, GGUF]
    assert ids(small("family", id=PYTHIA, min_downloads=2000)) == [
        "EleutherAI/pythia-160m", "EleutherAI/pythia-410m",
    ]  # fmt: skip
    assert ids(small("family", id=PYTHIA, created_from="2023-06-01", created_to="2023-06-01")) == [
        CHAT
    ]


def test_family_by_cluster_levels(small) -> None:
    assert ids(small("family", id=PYTHIA, by="cluster")) == ["EleutherAI/pythia-160m", PYTHIA]
    level1 = small("family", id=PYTHIA, by="cluster", level=1)
    assert len(level1) == 6 and level1[0]["group_label"] == "pythia"
    level2 = small("family", id=PYTHIA, by="cluster", level=2, limit=3)
    assert ids(level2) == ["gpt2", "distilgpt2", "EleutherAI/pythia-160m"]
    assert level2[0]["group_size"] == 9
    assert ids(small("family", id="lonely/model-x", by="cluster", level=1)) == ["lonely/model-x"]
    # cluster 300 has no level-2 parent: no group, so no rows (and no "unknown model" error)
    assert small("family", id="lonely/model-x", by="cluster", level=2) == []


def test_lineage_both_directions_with_depth_and_relations(small) -> None:
    rows = small("lineage", id=CHAT)
    got = {(r["direction"], r["depth"], r["id"], r["relation"], r["child"], r["parent"])
           for r in rows}
    assert got == {
        ("ancestor", 1, PYTHIA, "finetune", CHAT, PYTHIA),
        ("descendant", 1, GGUF, "quantized", GGUF, CHAT),
    }
    deep = small("lineage", id=GGUF)
    assert [(r["depth"], r["id"], r["relation"]) for r in deep] == [
        (1, CHAT, "quantized"), (2, PYTHIA, "finetune"),
    ]  # fmt: skip
    assert ids(small("lineage", id=GGUF, depth=1)) == [CHAT]
    down = small("lineage", id="gpt2")
    assert [r["direction"] for r in down] == ["descendant", "descendant"]
    assert ids(down) == ["distilgpt2", "someone/gpt2-medium-ft"]  # by downloads
    assert ids(small("lineage", id="gpt2", limit=1)) == ["distilgpt2"]


def test_path_shortest_over_both_relationship_types(small) -> None:
    rows = small("path", **{"from": GGUF, "to": "EleutherAI/pythia-410m"})
    assert ids(rows) == [GGUF, CHAT, PYTHIA, "EleutherAI/pythia-410m"]
    assert [r["step"] for r in rows] == [0, 1, 2, 3]
    assert rows[0]["edge"] is None
    assert {r["edge"] for r in rows[1:]} <= {"SIMILAR_TO", "BASED_ON"}
    assert rows[3]["edge"] == "SIMILAR_TO" and rows[3]["score"] == pytest.approx(0.8)
    # max_hops bounds the search: 3 steps are needed
    assert small("path", **{"from": GGUF, "to": "EleutherAI/pythia-410m", "max_hops": 2}) == []
    assert small("path", **{"from": "gpt2", "to": "lonely/model-x"}) == []  # not connected
    with pytest.raises(UserError, match="parameter 'to': no model"):
        small("path", **{"from": "gpt2", "to": "nobody/nothing"})


def test_path_reports_the_stored_direction(small) -> None:
    rows = small("path", **{"from": "distilgpt2", "to": "someone/gpt2-medium-ft"})
    assert ids(rows) == ["distilgpt2", "gpt2", "someone/gpt2-medium-ft"]
    # either link may be SIMILAR_TO or BASED_ON (both join each pair); check direction facts
    for row in rows[1:]:
        if row["edge"] == "BASED_ON":  # child -> parent: distilgpt2 -> gpt2, ft -> gpt2
            assert row["forward"] == (row["id"] == "gpt2")
            assert row["relation"] == "finetune"


def test_top_families_by_members_and_downloads(small) -> None:
    rows = small("top_families")
    assert [(r["label"], r["members"]) for r in rows] == [("pythia", 6), ("gpt2", 3),
                                                          ("model-x", 1)]
    by_dl = small("top_families", order="downloads")
    assert [r["label"] for r in by_dl] == ["gpt2", "pythia", "model-x"]
    assert by_dl[0]["downloads"] == 120010
    clusters = small("top_families", by="cluster", level=1)
    assert [(r["id"], r["members"]) for r in clusters] == [(100, 6), (200, 3), (300, 1)]
    assert [r["id"] for r in small("top_families", skip=1, limit=1)] == [2]
    # past the 1,000 stored places the query sorts every group: the same order
    for order in ("members", "downloads"):
        deep = small("top_families", order=order, skip=1, limit=1000)
        assert deep == small("top_families", order=order, skip=1, limit=999) and len(deep) == 2


def test_search_exact_id_then_downloads_then_match(small) -> None:
    rows = small("search", q="pythia")
    # a 1-download copy whose name equals the fragment does not lead: popularity does
    assert ids(rows) == ["EleutherAI/pythia-160m", "EleutherAI/pythia-410m", PYTHIA, CHAT, GGUF,
                         "zoo/pythia"]
    assert [r["match"] for r in rows] == [1, 1, 1, 1, 1, 0]  # why each one matched
    assert ids(small("search", q="PYTHIA-70M")) == [PYTHIA, CHAT, GGUF]  # case-insensitive
    # the exact id first, whatever its downloads; words match where an id's word begins, so
    # `gpt2` does not find distilgpt2 but `dist` (a word's beginning) does
    assert ids(small("search", q="gpt2")) == ["gpt2", "someone/gpt2-medium-ft"]
    assert ids(small("search", q="dist")) == ["distilgpt2"]
    assert [r["words"] for r in small("search", q="Someone/GPT2-med")] == [
        ["someone", "gpt2", "med"]]  # the typed words, for highlighting; the last half typed
    assert ids(small("search", q="zoo/pythia"))[0] == "zoo/pythia"
    assert ids(small("search", q="eleuther", limit=2)) == [
        "EleutherAI/pythia-160m", "EleutherAI/pythia-410m",
    ]  # fmt: skip
    assert ids(small("search", q="pythia", license="mit")) == [CHAT, GGUF]
    assert small("search", q="no-such-thing") == []
    for blank in (" ", "///", "-_ ", "a"):  # no word, or a letter that is none: no rows, no error
        assert small("search", q=blank) == [], blank


def test_by_metadata_each_filter(small) -> None:
    everything = small("by_metadata", limit=100)
    assert len(everything) == 10 and everything[0]["id"] == "gpt2"
    assert ids(small("by_metadata", author="EleutherAI")) == [
        "EleutherAI/pythia-160m", "EleutherAI/pythia-410m", PYTHIA,
    ]  # fmt: skip
    assert ids(small("by_metadata", tag="gguf")) == [GGUF]
    assert ids(small("by_metadata", tag="chat")) == [CHAT, GGUF, "someone/gpt2-medium-ft"]
    assert ids(small("by_metadata", license="apache-2.0", min_downloads=3000)) == [
        "distilgpt2", "EleutherAI/pythia-160m", "EleutherAI/pythia-410m",
    ]  # fmt: skip
    assert ids(small("by_metadata", library="timm")) == ["lonely/model-x"]
    assert ids(small("by_metadata", min_downloads=5000)) == [  # the downloads-index branch
        "gpt2", "distilgpt2", "EleutherAI/pythia-160m",
    ]  # fmt: skip
    assert ids(small("by_metadata", pipeline_tag="image-classification")) == ["lonely/model-x"]
    assert ids(small("by_metadata", created_from="2023-06-01", created_to="2023-12-31")) == [
        CHAT, "someone/gpt2-medium-ft",
    ]  # fmt: skip
    assert ids(small("by_metadata", author="acme", tag="gguf")) == [GGUF]
    assert ids(small("by_metadata", order="created", limit=2)) == [GGUF, "someone/gpt2-medium-ft"]
    assert ids(small("by_metadata", order="likes", limit=1)) == ["gpt2"]
    assert small("by_metadata", author="EleutherAI", license="mit") == []


def test_neighbourhood_nodes_edges_and_cut(small) -> None:
    [one] = small("neighbourhood", id=PYTHIA, hops=1)
    assert {n["id"] for n in one["nodes"]} == {PYTHIA, "EleutherAI/pythia-160m",
                                               "EleutherAI/pythia-410m", CHAT, "zoo/pythia"}
    assert [n["hop"] for n in one["nodes"]][0] == 0
    edges = {(e["source"], e["target"], e["type"]) for e in one["edges"]}
    assert (CHAT, PYTHIA, "BASED_ON") in edges
    assert ("EleutherAI/pythia-160m", PYTHIA, "SIMILAR_TO") in edges
    assert len(one["edges"]) == 5 and one["truncated"] is False

    [two] = small("neighbourhood", id=PYTHIA)
    hops = {n["id"]: n["hop"] for n in two["nodes"]}
    assert hops[GGUF] == 2 and hops[CHAT] == 1 and len(hops) == 6
    links = {(e["source"], e["target"], e["type"]) for e in two["edges"]}
    assert ("EleutherAI/pythia-160m", "EleutherAI/pythia-410m", "SIMILAR_TO") in links
    assert (GGUF, CHAT, "BASED_ON") in links and (CHAT, GGUF, "SIMILAR_TO") in links
    assert len(links) == len(two["edges"]) == 8  # each stored link once: 6 similar + 2 lineage
    kept = set(hops)
    assert all(e["source"] in kept and e["target"] in kept for e in two["edges"])
    assert two["truncated"] is False

    [cut] = small("neighbourhood", id=PYTHIA, max_nodes=3)
    assert len(cut["nodes"]) == 3 and cut["truncated"] is True
    kept = {n["id"] for n in cut["nodes"]}
    assert all(e["source"] in kept and e["target"] in kept for e in cut["edges"])
    [fan] = small("neighbourhood", id=PYTHIA, hops=1, fanout=2)
    assert len(fan["nodes"]) == 3 and fan["truncated"] is True
    # the centre follows its parent first, then its strongest similar links
    [lone] = small("neighbourhood", id="lonely/model-x", hops=3)
    assert [n["id"] for n in lone["nodes"]] == ["lonely/model-x"] and lone["edges"] == []


def test_injection_through_parameters_is_data(small, graph_driver, graph_db) -> None:
    evil = "x'}) DETACH DELETE n //"
    before = _count(graph_driver, graph_db)
    assert small("search", q=evil) == []
    assert small("by_metadata", author=evil, tag=evil) == []
    with pytest.raises(UserError, match="no model"):
        small("related", id=evil)
    assert _count(graph_driver, graph_db) == before


def _count(driver, config: GraphConfig) -> int:
    return driver.execute_query(
        "MATCH (n) RETURN count(n) AS n", database_=config.database
    ).records[0]["n"]


def test_results_are_plain_json(small, graph_driver, graph_db) -> None:
    for name, params in [("model", {"id": PYTHIA}), ("neighbourhood", {"id": PYTHIA}),
                         ("lineage", {"id": GGUF}), ("top_families", {})]:
        json.dumps(small(name, **params))  # raises if anything is not plain data
    record = graph_driver.execute_query(
        "MATCH p = (c:Model {id: $id})-[r:BASED_ON]->(m) RETURN c, r, p",
        {"id": CHAT}, database_=graph_db.database,
    ).records[0]  # fmt: skip
    node, rel, path = (to_jsonable(record[k]) for k in ("c", "r", "p"))
    assert node["labels"] == ["Model"] and node["properties"]["id"] == CHAT
    assert rel["type"] == "BASED_ON" and rel["properties"]["relation"] == "finetune"
    assert rel["start"] == node["element_id"]
    assert [x.get("type") for x in path] == [None, "BASED_ON", None]
    assert path[2]["properties"]["id"] == PYTHIA


# --- errors from the server --------------------------------------------------------------


def test_server_down_and_wrong_password_are_clear(graph_db: GraphConfig) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", auth=("root", "x")) as down:
        with pytest.raises(GraphUnreachable, match="graph server not reachable"):
            run_query(down, "model", {"id": "gpt2"}, database=graph_db.database)
    bad = replace(graph_db, password=graph_db.password + "-wrong")
    with neo4j.GraphDatabase.driver(bad.uri, auth=(bad.user, bad.password)) as driver:
        with pytest.raises(GraphUnreachable, match="refused the user name or password"):
            run_query(driver, "model", {"id": "gpt2"}, database=bad.database)


# --- the command line --------------------------------------------------------------------


@pytest.fixture
def cli_env(small, graph_db: GraphConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", graph_db.uri)
    monkeypatch.setenv("NEO4J_USER", graph_db.user)
    monkeypatch.setenv("NEO4J_PASSWORD", graph_db.password)
    monkeypatch.setenv("NEO4J_DATABASE", graph_db.database)


def test_cli_query_formats(cli_env, capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "related", "--param", f"id={PYTHIA}", "--param", "limit=2",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["EleutherAI/pythia-160m", "EleutherAI/pythia-410m"]
    assert main(["query", "search", "-p", "q=gpt2", "-f", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,name,author,downloads")
    assert [line.split(",")[0] for line in lines[1:]] == ["gpt2", "someone/gpt2-medium-ft"]
    assert main(["query", "lineage", "-p", f"id={GGUF}"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["direction", "depth", "id"]
    assert "ancestor" in table[2] and CHAT in table[2]
    assert main(["query", "neighbourhood", "-p", f"id={PYTHIA}", "-p", "hops=1"]) == 0
    out = capsys.readouterr().out
    assert "nodes (5):" in out and "edges (5):" in out


def test_cli_query_list_help_and_bad_param(cli_env, capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("related:", "neighbourhood:", "by_metadata:"):
        assert name in out
    assert main(["query", "family", "--help-params"]) == 0
    assert "by (community|cluster, default community)" in capsys.readouterr().out
    assert main(["query", "related", "-p", "id=gpt2", "-p", "limit=lots"]) == 2
    assert "parameter 'limit' must be an integer" in capsys.readouterr().err
    assert main(["query", "related", "-p", "idgpt2"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_cli_wrong_password_is_one_line(small, graph_db, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEO4J_URI", graph_db.uri)
    monkeypatch.setenv("NEO4J_USER", graph_db.user)
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    monkeypatch.setenv("NEO4J_DATABASE", graph_db.database)
    assert main(["query", "model", "-p", "id=gpt2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "password" in err


# --- the Constellation data (../shared/data), built and loaded with the real code ----------

CONSTELLATION_CSV = "constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv"
HF_DEP = "hf-dep-network-analysis"
RELATION = {"finetuned": "finetune", "quantized": "quantized", "merged": "merge",
            "adapter": "adapter"}
ZEPHYR = "HuggingFaceH4/zephyr-7b-beta"


def _loaded_graph(graph_server: GraphConfig, name: str, sources: list, out):
    """Build `sources` with the real build into `out`, load them into a new database `name`."""
    from constellation.loader.pipeline.build import build

    from constellation import server
    from constellation.graph import connect

    build(sources, out, progress=False)
    server.create_database(name)
    config = replace(graph_server, database=name)
    driver = connect(config)
    load_artifacts(driver, out, database=name, progress=False)
    return config, driver


@pytest.fixture(scope="module")
def constellation(graph_server: GraphConfig, shared_file, tmp_path_factory):
    """The paper's 15,821 models: (csv frame with `id`, run(name, **params), artifacts dir)."""
    import pandas as pd

    from constellation import server

    csv = shared_file(CONSTELLATION_CSV)
    out = tmp_path_factory.mktemp("constellation") / "artifacts"
    name = f"t_queries_const_{tmp_path_factory.getbasetemp().name[-6:]}".replace("-", "_")
    config, driver = _loaded_graph(graph_server, name, [csv], out)
    frame = pd.read_csv(csv)
    frame["id"] = frame["link"].str.replace("https://huggingface.co/", "", regex=False)

    def run(query: str, **params):
        return run_query(driver, query, params, database=config.database)

    yield frame, run, out
    driver.close()
    server.drop_database(name)


@pytest.mark.shared
def test_constellation_search_pythia_follows_the_csv(constellation) -> None:
    frame, run, _ = constellation
    rows = run("search", q="pythia", limit=1000)
    got = ids(rows)
    # oracle from the CSV with the documented ranking: the exact id, downloads, then the match
    # (exact name, name prefix, id prefix, contains); a match begins a word of the id
    spaced = " " + frame["id"].str.lower().str.replace(r"[/\-_ ]", " ", regex=True)
    hits = frame[spaced.str.contains(" pythia", regex=False)].copy()
    name = hits["id"].str.rpartition("/")[2].str.lower()
    hits["exact"] = hits["id"].str.lower() == "pythia"
    hits["match"] = 3
    hits.loc[hits["id"].str.lower().str.startswith("pythia"), "match"] = 2
    hits.loc[name.str.startswith("pythia"), "match"] = 1
    hits.loc[(name == "pythia") | (hits["id"].str.lower() == "pythia"), "match"] = 0
    hits = hits.sort_values(["exact", "downloads", "match", "id"],
                            ascending=[False, False, True, True])
    assert got == hits["id"].tolist()
    eleuther = [i for i in got if i.startswith("EleutherAI/pythia-")]
    csv_order = (frame[frame["id"].str.startswith("EleutherAI/pythia-")]
                 .sort_values(["downloads", "id"], ascending=[False, True])["id"].tolist())
    assert eleuther == csv_order and eleuther[0] == "EleutherAI/pythia-70m"


@pytest.mark.shared
def test_constellation_search_puts_the_canonical_model_first(constellation) -> None:
    """`vicuna-7b`: lmsys's 1.02M-download model leads, not the 20 copies named exactly so."""
    _, run, _ = constellation
    rows = run("search", q="vicuna-7b", limit=5)
    assert ids(rows)[:2] == ["lmsys/vicuna-7b-v1.1", "lmsys/vicuna-7b-v1.3"]
    # the last word may be half typed, and `2` is a word, not any digit 2 (Llama-3.2 is not in)
    rows = run("search", q="llama-2", limit=200)
    assert rows and all(re.search(r"(^|[/_ -])2", r["id"]) for r in rows)
    assert all(re.search(r"(^|[/_ -])llama", r["id"].lower()) for r in rows)


@pytest.mark.shared
def test_constellation_top_downloads_and_model_facts(constellation) -> None:
    frame, run, _ = constellation
    top = frame.sort_values(["downloads", "id"], ascending=[False, True]).head(5)
    rows = run("by_metadata", limit=5)
    assert ids(rows) == top["id"].tolist()  # gpt2, mosaicml/mpt-7b-instruct, …
    assert [r["downloads"] for r in rows] == [int(d) for d in top["downloads"]]
    [gpt2] = run("model", id="gpt2")
    assert (gpt2["downloads"], gpt2["likes"], gpt2["author"]) == (13_600_000, 1260, None)
    eleuther = frame[frame["id"].str.startswith("EleutherAI/")]
    rows = run("by_metadata", author="EleutherAI", limit=1000)
    assert sorted(ids(rows)) == sorted(eleuther["id"])
    assert run("by_metadata", author="EleutherAI", min_downloads=40_000) == [
        r for r in rows if r["downloads"] >= 40_000
    ]


@pytest.mark.shared
def test_constellation_groups_match_the_build(constellation) -> None:
    import pandas as pd

    _, run, out = constellation
    communities = pd.read_parquet(out / "communities.parquet")
    models = pd.read_parquet(out / "models.parquet")
    top = communities.sort_values(["size", "downloads", "community"],
                                  ascending=[False, False, True]).head(10)
    rows = run("top_families", limit=10)
    assert [r["id"] for r in rows] == top["community"].tolist()
    assert [r["members"] for r in rows] == top["size"].tolist()
    by_dl = run("top_families", order="downloads", limit=3)
    assert by_dl[0]["downloads"] == communities["downloads"].max()
    # family(gpt2): its community's members ranked by downloads, as in models.parquet
    gpt2_community = int(models.loc[models["id"] == "gpt2", "community"].iloc[0])
    members = models[models["community"] == gpt2_community].sort_values(
        ["downloads", "id"], ascending=[False, True])
    family = run("family", id="gpt2", limit=1000)
    assert ids(family) == members["id"].tolist() and family[0]["id"] == "gpt2"
    assert family[0]["group_size"] == len(members)
    page2 = run("family", id="gpt2", skip=3, limit=3)
    assert ids(page2) == members["id"].tolist()[3:6]


@pytest.mark.shared
def test_constellation_stored_pages_equal_the_walks(constellation) -> None:
    """The pages read from the loader's summaries (`top`, `children`, ranks, facets) equal what
    the artifacts say, and a page served from `top` equals the same rows of a full walk."""
    import pandas as pd

    _, run, out = constellation
    models = pd.read_parquet(out / "models.parquet")
    clusters = pd.read_parquet(out / "clusters.parquet")
    parent = dict(zip(clusters["cluster"], clusters["parent"], strict=True))
    level = dict(zip(clusters["cluster"], clusters["level"], strict=True))

    def ancestor(cluster: int, at: int) -> int:
        while level[cluster] < at:
            cluster = int(parent[cluster])
        return cluster

    top_level = int(clusters["level"].max())
    biggest = run("atlas_top_clusters", level=top_level, limit=3)
    expected = clusters[clusters["level"] == top_level].sort_values(
        ["size", "downloads", "cluster"], ascending=[False, False, True])
    assert [r["id"] for r in biggest] == expected["cluster"].head(3).tolist()
    assert run("atlas_top_clusters", limit=3) == biggest  # no level: the highest there is
    root = biggest[0]["id"]
    under = models[[ancestor(int(c), top_level) == root for c in models["cluster"]]]
    best = under.sort_values(["downloads", "id"], ascending=[False, True])["id"].head(8)
    assert [r["model"] for r in run("atlas_cluster", cluster=root)] == best.tolist()
    kids = clusters[clusters["parent"] == root].sort_values(["size", "cluster"],
                                                            ascending=[False, True])
    got = run("atlas_cluster_children", parents=str(root), per=5)
    assert [r["id"] for r in got] == kids["cluster"].head(5).tolist()
    # family by cluster: page 1 from `top`, the same rows as the full walk's first ones
    walk = run("family", id="gpt2", by="cluster", level=top_level, limit=1000)
    page = run("family", id="gpt2", by="cluster", level=top_level, limit=10)
    assert ids(page) == ids(walk)[:10] and len(walk) > 10
    words = pd.read_parquet(out / "words.parquet")  # the build's words, loaded as Word nodes
    top = words.sort_values(["count", "word"], ascending=[False, True]).head(10)
    assert [r["word"] for r in run("atlas_words", limit=10)] == top["word"].tolist()
    filters = {r["value"]: r["models"] for r in run("filter_pipeline_tags")}
    assert filters == models["pipeline_tag"].value_counts().to_dict()
    scatter = run("atlas_scatter", limit=50)  # no filter: the stored most downloaded models
    assert sorted(ids(scatter)) == sorted(
        models.sort_values(["downloads", "id"], ascending=[False, True])["id"].head(50))
    for order, column in (("downloads", "downloads"), ("likes", "likes")):
        expected = models.sort_values([column, "id"], ascending=[False, True])["id"]
        got = run("by_metadata", order=order, skip=10, limit=10)  # from the stored Ranking
        assert ids(got) == expected.iloc[10:20].tolist(), order


@pytest.mark.shared
def test_constellation_related_and_neighbourhood_agree_with_the_edges(constellation) -> None:
    import pandas as pd

    _, run, out = constellation
    sim = pd.read_parquet(out / "similarity.parquet")
    pid = "EleutherAI/pythia-70m"
    mine = sim[(sim["source"] == pid) | (sim["target"] == pid)]
    # the graph stores scores rounded (read.SCORE_DECIMALS)
    expected = {(t if s == pid else s): round(float(sc), SCORE_DECIMALS)
                for s, t, sc in mine.itertuples(index=False)}  # fmt: skip
    rows = run("related", id=pid, limit=200)
    assert {r["id"]: pytest.approx(r["score"]) for r in rows} == expected
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    [hood] = run("neighbourhood", id=pid, hops=2, max_nodes=60)
    kept = {n["id"] for n in hood["nodes"]}
    assert len(kept) <= 60 and pid in kept
    assert all(e["source"] in kept and e["target"] in kept for e in hood["edges"])
    pairs = set(zip(sim["source"], sim["target"], strict=True))
    assert all((e["source"], e["target"]) in pairs for e in hood["edges"])


@pytest.fixture(scope="module")
def hf_dep(graph_server: GraphConfig, shared_file, tmp_path_factory):
    """The declared-lineage component of zephyr-7b-beta from hf-dep-network-analysis (its
    ancestors and all its descendants), built and loaded; yields (edges frame, run)."""
    import pandas as pd

    from constellation import server

    edges = pd.read_csv(shared_file(f"{HF_DEP}/edges_c952a70.csv"))
    meta = pd.read_csv(shared_file(f"{HF_DEP}/metadata_c952a70.csv"))
    keep = _closure(edges, ZEPHYR, up=True) | _closure(edges, ZEPHYR, up=False)
    part = edges[edges["source"].isin(keep) & edges["target"].isin(keep)]
    root = tmp_path_factory.mktemp("hfdep")  # a temporary extract, never in the repository
    meta[meta["id"].isin(keep)].to_csv(root / "metadata.csv", index=False)
    part.to_csv(root / "edges.csv", index=False)
    name = f"t_queries_hfdep_{root.name[-6:]}".replace("-", "_")
    config, driver = _loaded_graph(
        graph_server, name, [root / "metadata.csv", root / "edges.csv"], root / "artifacts"
    )

    def run(query: str, **params):
        return run_query(driver, query, params, database=config.database)

    yield part, run
    driver.close()
    server.drop_database(name)


def _closure(edges, start: str, up: bool) -> set[str]:
    """`start` and every model reachable along declared edges (up: towards base models)."""
    src, dst = ("target", "source") if up else ("source", "target")
    step = edges.groupby(src)[dst].apply(set).to_dict()
    seen, frontier = {start}, {start}
    while frontier:
        frontier = {n for f in frontier for n in step.get(f, ())} - seen
        seen |= frontier
    return seen


def _depths(edges, start: str, up: bool) -> dict[str, int]:
    src, dst = ("target", "source") if up else ("source", "target")
    step = edges.groupby(src)[dst].apply(set).to_dict()
    depth, frontier, d = {}, {start}, 0
    while frontier:
        d += 1
        frontier = {n for f in frontier for n in step.get(f, ())} - set(depth) - {start}
        depth.update({n: d for n in frontier})
    return depth


@pytest.mark.shared
def test_lineage_follows_the_declared_hf_dep_edges(hf_dep) -> None:
    edges, run = hf_dep
    rows = run("lineage", id=ZEPHYR, depth=6, limit=1000)
    ancestors = {r["id"]: r["depth"] for r in rows if r["direction"] == "ancestor"}
    descendants = {r["id"]: r["depth"] for r in rows if r["direction"] == "descendant"}
    assert ancestors == {k: v for k, v in _depths(edges, ZEPHYR, up=True).items() if v <= 6}
    assert "mistralai/Mistral-7B-v0.1" in ancestors
    expected_down = {k: v for k, v in _depths(edges, ZEPHYR, up=False).items() if v <= 6}
    assert descendants == expected_down and len(descendants) >= 27
    children = edges[edges["source"] == ZEPHYR]
    declared = children.groupby("target")["edge"].apply(lambda s: {RELATION[x] for x in s})
    for r in rows:
        if r["direction"] == "descendant" and r["depth"] == 1:
            assert r["relation"] in declared[r["id"]] and r["parent"] == ZEPHYR
    shallow = run("lineage", id=ZEPHYR, depth=1, limit=1000)
    assert {r["id"] for r in shallow if r["direction"] == "descendant"} == set(declared.index)


@pytest.mark.shared
def test_path_between_two_children_goes_at_most_through_the_parent(hf_dep) -> None:
    edges, run = hf_dep
    a, b = sorted(edges.loc[edges["source"] == ZEPHYR, "target"].unique())[:2]
    rows = run("path", **{"from": a, "to": b})
    assert rows[0]["id"] == a and rows[-1]["id"] == b and 2 <= len(rows) <= 3
    [hood] = run("neighbourhood", id=ZEPHYR, hops=1, fanout=500, max_nodes=2000)
    neighbours = {n["id"] for n in hood["nodes"]} - {ZEPHYR}
    declared = set(edges.loc[edges["source"] == ZEPHYR, "target"]) | set(
        edges.loc[edges["target"] == ZEPHYR, "source"])
    assert declared <= neighbours


def test_search_reads_a_common_word_past_its_first_chunk(graph_server, tmp_path) -> None:
    """A word held by more models than its Term keeps (FIRST_CHUNK) goes on in Posting chunks:
    `common rare` finds the `rare` models that only the second chunk holds, by downloads."""
    from constellation.loader.graph.summaries import FIRST_CHUNK

    from constellation import server

    n = FIRST_CHUNK + 50
    records = [{"id": f"org{i}/common-model-{i}" + ("-rare" if i >= FIRST_CHUNK + 20 else ""),
                "downloads": 10_000 - i} for i in range(n)]  # fmt: skip
    source = tmp_path / "models.json"
    source.write_text(json.dumps(records))
    name = f"t_search_chunks_{tmp_path.name[-6:]}".replace("-", "_")
    config, driver = _loaded_graph(graph_server, name, [source], tmp_path / "artifacts")
    try:
        rows = run_query(driver, "search", {"q": "common rare", "limit": 5},
                         database=config.database)  # fmt: skip
        first = FIRST_CHUNK + 20
        assert ids(rows) == [f"org{i}/common-model-{i}-rare" for i in range(first, first + 5)]
        assert all(r["match"] == 4 for r in rows)  # each word, not the text as typed
        deep = run_query(driver, "search", {"q": "common", "skip": n - 3, "limit": 10},
                         database=config.database)  # fmt: skip
        assert len(deep) == 3 and ids(deep)[-1].startswith(f"org{n - 1}/")

        def found(**params: object) -> list[str]:
            return ids(run_query(driver, "search", params, database=config.database))

        # min_downloads keeps the head of each chunk (its downloads fall): rare models 120-122
        floor = 10_000 - (first + 2)
        assert found(q="common rare", min_downloads=floor) == [
            f"org{i}/common-model-{i}-rare" for i in range(first, first + 3)]
        # a half-typed last word that begins a word, one that begins none
        assert found(q="common rar", limit=2) == ids(rows)[:2]
        assert found(q="common rzz") == []
        # a word without Posting chunks as the rarest: `rare` (30 models) with `common`
        assert found(q="rare-common", limit=50) == [
            f"org{i}/common-model-{i}-rare" for i in range(first, n)]
        # a half-typed single word pages through the words it begins
        assert found(q="commo", skip=3, limit=2) == ["org3/common-model-3",
                                                      "org4/common-model-4"]
    finally:
        driver.close()
        server.drop_database(name)
