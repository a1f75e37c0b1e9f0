"""The bulk first load (`load --bulk`) and the Neo4j export against the incremental writer.

Artifacts come from the real `constellation build` (the bundled sample, and a few Hub-shaped
records with lineage, an external base model, a model without tags and non-ASCII text); each is
bulk-loaded into one fresh database and loaded by the incremental writer into another, and the
two graphs must be the same: schema, counts, every node's properties (bookkeeping hashes
included) and every edge, then an incremental load over the bulk graph writes nothing."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from _graph_helpers import graph as _graph
from _graph_helpers import rows as _rows
from constellation.loader.artifacts import INFERRED, write_extra_table
from constellation.loader.graph import bulk, read, stream, summaries
from constellation.loader.graph.bulk import bulk_load, database_path
from constellation.loader.graph.neo4j_export import export_neo4j_admin
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.pipeline.build import build

from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"

F, Q = "base_model:finetune:", "base_model:quantized:"
RECORDS = [
    {"id": "acme/base-7b", "downloads": 900, "tags": ["transformers", "license:mit"]},
    {"id": "acme/base-7b-chat", "downloads": 50, "tags": [F + "acme/base-7b", "text-generation"]},
    {"id": "bob/base-7b-GGUF", "downloads": 70, "tags": [Q + "acme/base-7b", Q + "zed/other-1b"]},
    {"id": "bob/base-7b-chat-GGUF", "downloads": 5, "tags": [Q + "acme/base-7b-chat"]},
    {"id": "café/modèle-ü", "downloads": 1, "tags": []},  # no tags at all, non-ASCII text
]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def small_heap() -> Iterator[None]:
    # The engine runs in this process for the bulk path: a small heap is plenty here.
    mp = pytest.MonkeyPatch()
    mp.setenv("CONSTELLATION_BULK_HEAP", "1g")
    yield
    mp.undo()


@pytest.fixture(scope="module", params=["sample", "lineage"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"bulk-{request.param}")
    if request.param == "sample":
        source = SAMPLE
    else:
        source = root / "models.json"
        source.write_text(json.dumps(RECORDS, ensure_ascii=False))
    build([source], root / "artifacts", progress=False)
    if request.param == "lineage":  # and likely links (infer-lineage's table), one of them 1.0
        likely = pd.DataFrame({
            "child": ["bob/base-7b-chat-GGUF", "bob/base-7b-chat-GGUF", "bob/base-7b-GGUF"],
            "parent": ["acme/base-7b-chat", "acme/base-7b", "acme/base-7b-chat"],
            "score": [0.91, 1.0, 0.25], "relation": ["quantized", "quantized", None],
            "rank": [1, 2, 1],
        })  # fmt: skip
        write_extra_table(root / "artifacts", INFERRED, likely)
    return root / "artifacts"


@pytest.mark.parametrize("chunk", [None, 3], ids=["one-chunk", "chunks-of-3"])
def test_bulk_load_makes_the_incremental_writers_graph(
    built: Path, fresh, chunk: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if chunk:  # the streams cut models, edges and hashes into chunks: a hash must see all of
        monkeypatch.setattr(stream, "CHUNK", chunk)  # its owner's edges across the cuts
        monkeypatch.setattr(stream, "LIST_ITEMS", 4)  # and lists (Term ids …) by their items
        # and vertices with 2+ edges in are hubs (striped edge lists)
        monkeypatch.setattr(f"{bulk_load.__module__}.HUB_DEGREE", 2)
    bulk_db, ref_db = fresh(), fresh()
    counts = bulk_load(bulk_db, built)
    # The hubs' edge lists are striped (the engine's files for them), and only with hubs.
    stripes = list(database_path(bulk_db.database).glob("*_sn_stripe_*"))
    assert bool(stripes) == bool(chunk) == (counts["striped_hubs"] > 0), stripes
    assert not any("_BulkPromote" in f.name for f in database_path(bulk_db.database).iterdir())
    with connect(ref_db) as driver:
        ref_counts = load_artifacts(driver, built, database=ref_db.database, progress=False)

    bulk, ref = _graph(bulk_db), _graph(ref_db)
    assert bulk["labels"] == ref["labels"] and ref["labels"]["Model"] > 0
    assert bulk["types"] == ref["types"] and ref["types"]["BASED_ON"] > 0
    assert ref["types"].get("LIKELY_BASED_ON", 0) == (3 if "lineage" in str(built) else 0)
    assert bulk["indexes"] == ref["indexes"] and len(ref["indexes"]) >= 19
    for build_rows in (bulk["build"], ref["build"]):
        build_rows[0]["keys"] = sorted(build_rows[0]["keys"])
    assert bulk["build"] == ref["build"] and ref["build"][0]["status"] == "complete"
    # Every node, with its types: ints stay ints, lists stay lists, hashes are the writer's.
    assert repr(sorted(bulk["nodes"].items())) == repr(sorted(ref["nodes"].items()))
    assert any("similar_hash" in p for p in bulk["nodes"].values())
    assert any(p.get("external") is True for p in bulk["nodes"].values())
    assert bulk["edges"] == ref["edges"]
    for kind in ("models", "communities", "clusters", "similar_to", "based_on"):
        assert counts[kind]["created"] == ref_counts[kind]["created"], kind

    # Queries by key use the indexes the schema statements made, filled by the bulk path.
    some = next(k for k in bulk["nodes"] if k[0] == "Model")[1]
    found = _rows(bulk_db, f"MATCH (m:Model {{id: {json.dumps(some)}}}) RETURN m.id AS id")
    assert found == [{"id": some}]

    # An incremental load of the same artifacts over the bulk graph writes nothing.
    with connect(bulk_db) as driver:
        again = load_artifacts(driver, built, database=bulk_db.database, progress=False)
    for kind in ("models", "communities", "clusters", "similar_to", "based_on"):
        c = again[kind]
        assert c["created"] == c["updated"] == c["deleted"] == 0, kind
        assert c["unchanged"] == ref_counts[kind]["created"], kind
    assert _graph(bulk_db)["nodes"] == bulk["nodes"]

    # A model deleted leaves every edge list it was in, striped or not: the edges as seen from
    # their targets (the hubs' lists) are the writer's, before and after.
    def incoming(config: GraphConfig) -> list[str]:
        return sorted(json.dumps(list(r.values())) for r in _rows(
            config, "MATCH (b)<-[r]-(a) RETURN coalesce(b.id, b.name) AS b, type(r) AS t, "
                    "coalesce(a.id, a.name) AS a"))  # fmt: skip

    assert incoming(bulk_db) == incoming(ref_db)
    gone = _rows(bulk_db, "MATCH (m:Model)-->(x)<--(o:Model) WHERE o <> m "
                          "RETURN m.id AS id ORDER BY id LIMIT 1")[0]["id"]  # fmt: skip
    for config in (bulk_db, ref_db):
        _rows(config, f"MATCH (m:Model {{id: {json.dumps(gone)}}}) DETACH DELETE m")
    assert incoming(bulk_db) == incoming(ref_db)
    assert _graph(bulk_db)["edges"] == _graph(ref_db)["edges"] != bulk["edges"]


def test_vertex_chunks_are_bounded_by_their_list_items(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk crosses into the engine as one JSON text: rows holding long lists (Term and
    Posting ids) are cut by their items too, or 3M models' postings ran the heap out."""
    assert stream.row_bounds(pd.Series([2, 2, 9, 1, 1]).to_numpy(), rows=10, items=4) == [
        2, 3, 5]  # fmt: skip
    monkeypatch.setattr(stream, "LIST_ITEMS", 6)
    g = stream.graph_stream(built)
    term = g.vertices["Term"]
    chunks = list(term.chunks())
    sizes = [sum(len(r.get("ids", [])) + len(r.get("downloads", [])) for r in rows)
             for rows in chunks]  # fmt: skip
    assert len(chunks) > 1 and sum(len(rows) for rows in chunks) == term.count
    assert all(size <= 6 or len(rows) == 1 for size, rows in zip(sizes, chunks, strict=True))


def test_rids_are_kept_as_integers_and_found_by_key() -> None:
    """The endpoint RIDs are kept as integers (bucket << 32 | position): the text the engine
    gave comes back unchanged, found by key; a key without a vertex is an error, not a
    dropped edge."""
    text = "#1:0;#12:4294967295;#300:7"
    codes = bulk.rid_codes(text)
    assert codes.dtype == "int64" and bulk.rid_text(codes).to_pylist() == text.split(";")
    rids = bulk.Rids("Model")
    rids.add(iter(["a", "b"]), codes[:2])
    rids.add(iter(["c"]), codes[2:])
    assert rids.text(["c", "a", "c", "b"]).to_pylist() == [
        "#300:7", "#1:0", "#300:7", "#12:4294967295"]  # fmt: skip
    with pytest.raises(RuntimeError, match="no Model vertex 'zz'"):
        rids.text(["a", "zz"])
    for bad in ("#1:0;oops", "1:0", "#1:2:3", "#1:4294967296"):
        with pytest.raises(RuntimeError, match="#bucket:position"):
            bulk.rid_codes(bad)


def test_the_streams_serving_rows_are_the_writers(built: Path) -> None:
    """The streams make the summaries from the models' columns, the writer from its Python
    rows: the same Term, Posting, GroupTop … rows, value types included."""
    t = read.read_tables(built)
    props = read.model_props(t.models, t.external, built / "models.parquet", [])
    args = (t.communities, t.clusters, t.words, t.joins)
    writer = read.serving_tables(summaries.serving_frame(props), *args)
    streams = read.serving_tables(read.serving_frame(t.models, t.external), *args)
    assert len(writer["Term"].keys) >= 5 and writer["Ranking"].keys
    for label, table in writer.items():
        assert repr(streams[label].props) == repr(table.props), label


def test_bulk_load_refuses_a_database_that_is_not_empty(
    built: Path, fresh, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    config = fresh()
    _rows(config, "CREATE (:Note {text: 'keep me'})")
    with pytest.raises(UserError, match=r"holds 1 node\(s\).*empty database"):
        bulk_load(config, built)
    monkeypatch.setenv("NEO4J_DATABASE", config.database)
    assert main(["load", "--artifacts", str(built), "--bulk"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("constellation load: load --bulk: database") and "\n" not in err
    assert _rows(config, "MATCH (n) RETURN n.text AS text") == [{"text": "keep me"}]


@pytest.mark.parametrize("heap", ["6", "lots", "100m", "-4g"])
def test_a_bad_bulk_heap_is_one_line_before_anything_is_written(
    built: Path, fresh, heap: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    config = fresh()
    monkeypatch.setenv("CONSTELLATION_BULK_HEAP", heap)
    monkeypatch.setenv("NEO4J_DATABASE", config.database)
    assert main(["load", "--artifacts", str(built), "--bulk"]) == 2
    err = capsys.readouterr().err.strip()
    assert "CONSTELLATION_BULK_HEAP=" in err and "4g" in err and "\n" not in err
    assert _rows(config, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_an_unfinished_bulk_load_is_refused_with_the_way_out(built: Path, fresh) -> None:
    config = fresh()

    def crash(stage: str) -> None:  # as if killed once the Build is started
        if stage == "bulk":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bulk_load(config, built, on_stage=crash)
    with pytest.raises(UserError, match="unfinished bulk load.*remove the database"):
        bulk_load(config, built)
    assert _rows(config, "MATCH (n) RETURN count(n) AS n") == [{"n": 1}]  # the Build only


def test_bulk_load_refuses_a_server_that_is_not_local(built: Path, graph_server) -> None:
    other = replace(graph_server, uri="bolt://127.0.0.1:1")
    with pytest.raises(UserError, match="not the local graph server.*neo4j-admin"):
        bulk_load(other, built)


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_export_neo4j_admin_headers_and_rows(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from constellation.loader.graph import summaries

    monkeypatch.setattr(summaries, "FIRST_CHUNK", 3)  # Posting chunks even in a small build
    monkeypatch.setattr(summaries, "CHUNK", 4)
    out = tmp_path / "neo4j"
    assert main(["export", "--artifacts", str(built), "--neo4j-admin", str(out)]) == 0
    models = pd.read_parquet(built / "models.parquet")
    similarity = pd.read_parquet(built / "similarity.parquet")
    lineage = pd.read_parquet(built / "lineage.parquet")
    clusters = pd.read_parquet(built / "clusters.parquet")
    communities = pd.read_parquet(built / "communities.parquet")

    header, rows = _csv(out / "nodes_Model.csv")
    assert header[:2] == ["id:ID(Model)", ":LABEL"]
    assert {"downloads:long", "tags:string[]", "external:boolean", "community:long",
            "row_hash", "name"} <= set(header)  # fmt: skip
    external = (set(lineage["child"]) | set(lineage["parent"])) - set(models["id"])
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)) == len(models) + len(external)
    assert set(models["id"]) <= set(ids)

    header, rows = _csv(out / "nodes_Cluster.csv")
    assert header[:3] == [":ID(Cluster)", ":LABEL", "id:long"] and "threshold:double" in header
    assert len(rows) == len(clusters)
    header, rows = _csv(out / "nodes_Community.csv")
    assert header[:3] == [":ID(Community)", ":LABEL", "id:long"] and len(rows) == len(communities)
    assert _csv(out / "nodes_Build.csv")[0][:2] == ["id:ID(Build)", ":LABEL"]

    header, rows = _csv(out / "rels_SIMILAR_TO.csv")
    assert header == [":START_ID(Model)", ":END_ID(Model)", ":TYPE", "score:double"]
    assert len(rows) == len(similarity) > 0 and {r[2] for r in rows} == {"SIMILAR_TO"}
    header, rows = _csv(out / "rels_BASED_ON.csv")
    assert header[:3] == [":START_ID(Model)", ":END_ID(Model)", ":TYPE"] and "relation" in header
    assert len(rows) == len(lineage) > 0
    header, rows = _csv(out / "rels_CHILD_OF.csv")
    assert header == [":START_ID(Cluster)", ":END_ID(Cluster)", ":TYPE"]
    assert len(rows) == int(clusters["parent"].notna().sum())
    assert len(_csv(out / "rels_IN_COMMUNITY.csv")[1]) == int(models["community"].notna().sum())

    # a Posting chunk's ids are one text, a line each: quoted, and neo4j-admin told so
    header, rows = _csv(out / "nodes_Posting.csv")
    texts = [r[header.index("ids")] for r in rows]
    assert texts and all(1 <= len(t.split("\n")) <= 4 for t in texts)
    assert set("\n".join(texts).split("\n")) <= set(ids)

    command = (out / "import.sh").read_text()
    assert command.startswith("neo4j-admin database import full")
    if any("\n" in t for t in texts):  # the sample's common words: chunks of several ids
        assert "--multiline-fields=true" in command
    assert "--nodes=nodes_Model.csv" in command and "--relationships=rels_BASED_ON.csv" in command
    assert "CREATE CONSTRAINT model_id" in (out / "schema.cypher").read_text()
    # A second export into the same folder is refused, nothing overwritten.
    with pytest.raises(UserError, match="not empty"):
        export_neo4j_admin(built, out)
