"""A refresh (issue 11): a build loaded over the graph that holds the build before it diffs the
two builds' artifacts (loader/graph/refresh.py). Real builds of the bundled sample plus a few
Hub-shaped records (lineage, an external base, likely links), each variant rebuilt over a copy
of the first build: the graph a refresh makes must be the one the full path makes, node by
node and edge by edge, with the same counts; it is used only when the graph provably holds the
previous build, and bad previous artifacts are one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from _graph_helpers import graph, rows
from constellation.loader.artifacts import INFERRED, write_extra_table
from constellation.loader.graph import refresh, summaries
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.pipeline.build import build

from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"
F, Q = "base_model:finetune:", "base_model:quantized:"
RECORDS = [
    {"id": "acme/base-7b", "downloads": 900, "tags": ["transformers", "license:mit"]},
    {"id": "acme/base-7b-chat", "downloads": 50,
     "tags": [F + "acme/base-7b", "text-generation", "dataset:foo/bar"]},
    {"id": "bob/base-7b-GGUF", "downloads": 70, "tags": [Q + "acme/base-7b", Q + "zed/other-1b"]},
    {"id": "bob/base-7b-chat-GGUF", "downloads": 5,
     "tags": [Q + "acme/base-7b-chat", "arxiv:2301.00001"]},
]  # fmt: skip
LIKELY = {
    "child": ["bob/base-7b-chat-GGUF", "bob/base-7b-chat-GGUF", "bob/base-7b-GGUF"],
    "parent": ["acme/base-7b-chat", "meta-llama/Llama-2-7b-hf", "acme/base-7b-chat"],
    "score": [0.91, 1.0, 0.25], "relation": ["quantized", "quantized", None], "rank": [1, 2, 1],
}  # fmt: skip
# Spaces and the models they use (their families' `joins:` rows count them)
SPACES = {"s/a": 5.0, "s/b": 1.0, "s/c": None}
USES = [("s/a", "acme/base-7b"), ("s/a", "acme/base-7b-chat"), ("s/b", "bob/base-7b-GGUF"),
        ("s/c", "acme/base-7b")]  # fmt: skip
KINDS = ("models", "communities", "clusters", "summaries", "similar_to", "based_on",
         "likely_based_on", "datasets", "spaces")  # fmt: skip


def _records() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text().splitlines()] + RECORDS


def _variant(name: str) -> tuple[list[dict], dict, dict, list]:
    """The records, likely links, Spaces and their uses of a variant of the first build."""
    recs, likely, spaces, uses = _records(), dict(LIKELY), dict(SPACES), list(USES)
    if name == "changed":  # downloads of every 40th model (one with likely links), new tags
        for r in recs[::40] + recs[-1:]:
            r["downloads"] = (r.get("downloads") or 0) * 3 + 7
        recs[5] = {**recs[5], "tags": [*recs[5].get("tags", []), "dataset:foo/bar"]}
        recs[7] = {**recs[7], "tags": [*recs[7].get("tags", []), "arxiv:2301.00001"]}
        likely["score"] = [0.91, 0.5, 0.25]
    elif name == "spaces":  # a Space's likes and a use, no model changed
        spaces["s/b"] = 9.0
        uses.append(("s/c", "meta-llama/Llama-2-13b-hf"))
    elif name == "added":
        recs += [
            {"id": "new/llama-2-7b-mine", "downloads": 3, "tags": [F + "meta-llama/Llama-2-7b-hf"]},
            {"id": "zz/fresh-thing", "downloads": 10**7},
        ]  # fmt: skip
    elif name == "removed":  # acme/base-7b stays a lineage parent: an external stub
        recs = [r for i, r in enumerate(recs) if i % 50 != 3 and r["id"] != "acme/base-7b"]
    return recs, likely, spaces, uses


def _build(root: Path, name: str, over: Path | None) -> Path:
    recs, likely, spaces, uses = _variant(name)
    source = root / f"{name}.json"
    source.write_text(json.dumps(recs))
    out = root / name
    if over is not None:  # built over a copy of the first build: ids kept
        shutil.copytree(over, out)
    build([source], out, progress=False)
    likely = pd.DataFrame(likely)
    ids = {r["id"] for r in recs}  # likely links join built models only
    write_extra_table(out, INFERRED, likely[likely["child"].isin(ids) & likely["parent"].isin(ids)])
    likes = pd.DataFrame({"id": list(spaces), "likes": list(spaces.values())})
    write_extra_table(out, "spaces", likes)
    used = pd.DataFrame(uses, columns=["space", "model"]).assign(origin="listing")
    write_extra_table(out, "uses", used[used["model"].isin(ids)])
    return out


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # search postings past a word's first few models, so a refresh diffs Posting rows too
    monkeypatch.setattr(summaries, "FIRST_CHUNK", 3)
    monkeypatch.setattr(summaries, "CHUNK", 4)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("refresh")
    first = _build(root, "first", None)
    variants = ("changed", "added", "removed", "spaces")
    return {"first": first, **{n: _build(root, n, first) for n in variants}}


def _load(config: GraphConfig, folder: Path, **kw) -> dict:
    with connect(config) as driver:
        return load_artifacts(driver, folder, database=config.database, **kw)


def _build_id(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["build_id"]


def _written(counts: dict) -> dict:
    return {k: {x: counts[k][x] for x in ("created", "updated", "deleted", "unchanged")}
            for k in KINDS}  # fmt: skip


def _same_graph(a: GraphConfig, b: GraphConfig) -> None:
    ga, gb = graph(a), graph(b)
    for g in (ga, gb):  # the Build nodes tell each graph's history
        g["labels"].pop("Build")
    assert ga["labels"] == gb["labels"] and ga["types"] == gb["types"]
    # every node with its properties (row and edge hashes included) and every edge
    assert repr(sorted(ga["nodes"].items())) == repr(sorted(gb["nodes"].items()))
    assert ga["edges"] == gb["edges"]


@pytest.mark.parametrize("variant", ["changed", "added", "removed", "spaces"])
def test_a_refresh_makes_the_full_paths_graph(builds: dict, fresh, variant: str) -> None:
    diffed, full = fresh(), fresh()
    assert _load(diffed, builds["first"])["path"].startswith("full load: the graph holds no")
    counts = _load(diffed, builds[variant])
    assert counts["path"].startswith("refresh: diffed against build")
    assert str(builds["first"]) in counts["path"]
    _load(full, builds["first"])
    ref = _load(full, builds[variant], full=True)
    assert ref["path"] == "full load (--full)"

    _same_graph(diffed, full)
    assert _written(counts) == _written(ref)  # the same rows written, kind by kind
    assert rows(full, "MATCH (p:Posting) RETURN count(p) AS n")[0]["n"] > 10
    changed = sum(counts["models"][x] for x in ("created", "updated", "deleted"))
    assert changed > 0 or variant == "spaces"
    assert counts["candidates"]["models"] < counts["models"]["unchanged"]
    if variant == "changed":  # a rewritten model keeps its likely links and their hash
        assert counts["likely_based_on"]["updated"] == 1
    if variant == "removed":  # models that moved family: their group links alone remade
        assert counts["candidates"]["models, some links remade"] > 0
    if variant == "spaces":  # the family of a model a Space now uses counts it: joins rewritten
        assert counts["spaces"]["updated"] == 2 and counts["summaries"]["updated"] >= 1
        uses = rows(diffed, "MATCH (:Model {id: 'meta-llama/Llama-2-13b-hf'})-[:IN_COMMUNITY]->(c) "
                            "MATCH (t:GroupTop {id: 'joins:' + toString(c.id)}) "
                            "RETURN t.spaces AS s")  # fmt: skip
        assert "s/c" in uses[0]["s"]
        found = rows(diffed, "MATCH (m:Model {id: 'bob/base-7b-chat-GGUF'}) "
                             "RETURN m.inferred_hash AS h")  # fmt: skip
        assert found[0]["h"]
    # and a full load over it finds nothing to write
    again = _load(diffed, builds[variant], full=True)
    for kind in KINDS:
        assert again[kind]["created"] == again[kind]["updated"] == again[kind]["deleted"] == 0


def test_a_graph_holding_another_build_takes_the_full_path(builds: dict, fresh, tmp_path) -> None:
    config, ref = fresh(), fresh()
    _load(ref, builds["added"])
    # --previous names a build the graph does not hold: the full path, saying why
    _load(config, builds["changed"])
    counts = _load(config, builds["added"], previous=builds["first"])
    assert counts["path"].startswith(f"full load: {builds['first']} holds build")
    _same_graph(config, ref)
    # the folder the graph's build came from now holds another build (rebuilt in place)
    folder = tmp_path / "moving"
    shutil.copytree(builds["changed"], folder)
    _load(config, folder)
    shutil.rmtree(folder)
    shutil.copytree(builds["removed"], folder)
    counts = _load(config, builds["added"])
    assert counts["path"].startswith(f"full load: {folder} holds build")
    _same_graph(config, ref)
    # --previous may name a copy of the folder the graph's build came from (new file times)
    copy = tmp_path / "copy"
    shutil.copytree(builds["added"], copy, copy_function=shutil.copy)
    counts = _load(config, builds["removed"], previous=copy)
    assert counts["path"] == f"refresh: diffed against build {_build_id(builds['added'])} ({copy})"
    _load(ref, builds["removed"])
    _same_graph(config, ref)


def test_a_stopped_load_leaves_no_build_to_diff_against(builds: dict, fresh) -> None:
    config, ref = fresh(), fresh()
    _load(ref, builds["removed"])
    _load(config, builds["first"])

    def stop(stage: str, done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _load(config, builds["changed"], on_batch=stop)
    counts = _load(config, builds["removed"])
    assert counts["path"] == "full load: the graph holds no complete build"
    _same_graph(config, ref)


def test_an_error_while_the_serving_rows_are_made_fails_the_load(
    builds: dict, fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serving rows are made in a thread beside the first writes: what it raises is the
    load's error, the Build says failed, and the next load takes the full path."""
    config, ref = fresh(), fresh()
    _load(ref, builds["added"])
    _load(config, builds["first"])

    def broken(*args: object) -> None:
        raise UserError("serving rows: broken")

    with monkeypatch.context() as m:
        m.setattr(refresh, "serving_diff", broken)
        with pytest.raises(UserError, match="serving rows: broken"):
            _load(config, builds["added"])
    status = rows(config, "MATCH (b:Build) WHERE b.error IS NOT NULL "
                          "RETURN b.status AS s, b.error AS e")  # fmt: skip
    assert status == [{"s": "failed", "e": "UserError: serving rows: broken"}]
    counts = _load(config, builds["added"])
    assert counts["path"] == "full load: the graph holds no complete build"
    _same_graph(config, ref)


def test_bad_previous_artifacts_are_one_line_and_nothing_is_written(
    builds: dict, fresh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    config = fresh()
    _load(config, builds["first"])
    before = graph(config)
    monkeypatch.setenv("NEO4J_DATABASE", config.database)
    missing = tmp_path / "nowhere"
    assert main(["load", "--artifacts", str(builds["added"]), "--previous", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"constellation load: --previous {missing}: no such folder"

    corrupt = tmp_path / "corrupt"
    shutil.copytree(builds["first"], corrupt)
    (corrupt / "similarity.parquet").write_bytes(b"not parquet")
    assert main(["load", "--artifacts", str(builds["added"]), "--previous", str(corrupt)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith(f"constellation load: --previous {corrupt}: ")
    assert "similarity.parquet" in err
    assert graph(config) == before  # nothing written, the Build untouched

    # not named by the user: the folder the graph's build came from, now unreadable -> full
    shutil.rmtree(corrupt)
    shutil.copytree(builds["first"], corrupt)
    _load(config, corrupt, full=True)
    (corrupt / "models.parquet").write_bytes(b"broken")
    counts = _load(config, builds["added"])
    assert counts["path"].startswith("full load: the files of build")


def test_a_folder_changed_since_its_load_takes_the_full_path(
    builds: dict, fresh, tmp_path: Path
) -> None:
    config, ref = fresh(), fresh()
    folder = tmp_path / "in-place"
    shutil.copytree(builds["first"], folder)
    _load(config, folder)
    # infer-lineage adds its table to a build in place: same build id, other likely links
    write_extra_table(folder, INFERRED, pd.DataFrame(LIKELY).iloc[[0]].assign(score=[0.5]))
    counts = _load(config, folder)
    assert counts["path"].startswith("full load: the files of build")
    assert counts["likely_based_on"]["updated"] == 1 and counts["likely_based_on"]["deleted"] == 2
    _load(ref, folder)
    _same_graph(config, ref)


def test_membership_in_an_empty_table_of_another_type() -> None:
    # a build without Spaces has an empty uses table whose columns pandas typed as numbers: the
    # 1 % refresh at 1M failed casting model ids to double
    from constellation.loader.graph import refresh

    assert refresh.isin(pd.Series([], dtype="float64"), ["aimind/mistral-8x7b"]).tolist() == []
    assert refresh.isin(pd.Series(["a/b", "c/d"]), []).tolist() == [False, False]
    assert refresh.isin(pd.Series(["a/b", "c/d"]), {"c/d"}).tolist() == [False, True]


def test_cascaded_edges_count_each_edge_touching_a_gone_model_once() -> None:
    # the edges a deleted model takes with it: the refresh's totals after a removal
    sim = pd.DataFrame({"source": ["a", "a", "b", "c", "c", "d"],
                        "target": ["b", "b", "c", "a", "d", "c"]})  # fmt: skip
    assert refresh.cascaded_edges(sim, "source", ("target",), {"b"}) == 2  # a->b (twice), b->c
    assert refresh.cascaded_edges(sim, "source", ("target",), {"b", "c"}) == 5
    assert refresh.cascaded_edges(sim, "source", ("target",), set()) == 0
    lin = pd.DataFrame({"child": ["x", "x", "y"], "parent": ["p", "p", "x"],
                        "relation": ["finetune", "quantized", "merge"]})  # fmt: skip
    assert refresh.cascaded_edges(lin, "child", ("parent", "relation"), {"p"}) == 2
    assert refresh.cascaded_edges(lin, "child", ("parent", "relation"), {"x"}) == 3


def test_a_refresh_takes_equal_tables_from_the_previous_build_and_checks_the_others(
    builds: dict, fresh, tmp_path: Path
) -> None:
    """A new table whose data pages are the previous build's is that table (read once, not
    checked again); one that differs is read and checked as a full load checks it."""
    from constellation.loader.artifacts import write_table
    from constellation.loader.graph.read import read_tables

    from constellation.errors import UserError

    prev = read_tables(builds["first"], checked=True)
    new = read_tables(builds["changed"], like=prev)  # downloads and tags changed, names not
    assert new.similarity is prev.similarity and new.lineage is prev.lineage
    assert new.models is not prev.models and not new.models.equals(prev.models)
    assert new.external == read_tables(builds["changed"]).external
    assert new.joins is not prev.joins and new.inferred is not prev.inferred  # tags, scores
    # a Space's likes and a use changed, the models not: the likely links are the previous
    # build's, the joins are read and checked again
    spaces = read_tables(builds["spaces"], like=prev)
    assert spaces.inferred is prev.inferred and spaces.joins is not prev.joins
    assert spaces.joins["uses"].equals(read_tables(builds["spaces"]).joins["uses"])
    stamped = tmp_path / "stamped"  # the same likely links, stamped by another build
    shutil.copytree(builds["spaces"], stamped)
    likely = pd.read_parquet(stamped / f"{INFERRED}.parquet")
    write_table(stamped / f"{INFERRED}.parquet", likely, "another-build")
    with pytest.raises(UserError, match=f"{INFERRED}.parquet: .*another-build"):
        read_tables(stamped, like=prev)

    config = fresh()
    _load(config, builds["first"])
    before = graph(config)
    bad = tmp_path / "bad"
    shutil.copytree(builds["changed"], bad)
    sim = pd.read_parquet(bad / "similarity.parquet")
    sim.loc[0, "target"] = "no/such-model"
    write_table(bad / "similarity.parquet", sim, _build_id(bad))
    with pytest.raises(UserError, match=r"similarity\.parquet: column target: 1 value\(s\) "
                                        r"not in models\.parquet: no/such-model"):  # fmt: skip
        _load(config, bad)
    assert graph(config) == before


def test_changed_props_names_what_differs_and_nothing_when_the_columns_differ() -> None:
    """A refresh sets only a stored row's differing properties; if the builds' property
    names differ, a property may have to disappear, so rows are written whole."""
    from constellation.loader.graph.read import NodeTable
    from constellation.loader.graph.refresh import changed_props

    def table(keys: list, **props: list) -> NodeTable:
        return NodeTable(keys=keys, props=props, links={})

    before = table(["a", "b", "c"], downloads=[1, 2, None], tags=[["x"], ["y"], []],
                   row_hash=["h1", "h2", "h3"])  # fmt: skip
    after = table(["c", "b", "new"], downloads=[5, 2, 1], tags=[[], ["y", "z"], []],
                  row_hash=["h4", "h5", "h6"])  # fmt: skip
    assert changed_props(before, after, {"b", "c", "new"}) == {
        "c": ("downloads", "row_hash"), "b": ("tags", "row_hash")}  # fmt: skip
    assert changed_props(before, after, {"b"}) == {"b": ("tags", "row_hash")}
    fewer = table(["b"], downloads=[3], row_hash=["h7"])
    assert changed_props(before, fewer, {"b"}) == {}
