"""Bulk first load: artifacts -> an EMPTY database of the local ArcadeDB server, in-process.

    constellation load --artifacts DIR --bulk

The incremental writer (`writer.py`) sends every row through Bolt and the server's Cypher engine:
~110 µs of server CPU per row (bench/results/load.md). A first load has nothing to diff, so this
path writes the same graph through the engine's own batch API instead (`GraphBatch` of the
`arcadedb_embedded` package, the engine in this process):

1. pure: `read_artifacts` (the writer's reading, checks and hashes) -> `plan(art)`: the vertices
   of each label (column-wise) and the edges of each relationship type, exactly what the
   writer's statements create, bookkeeping hashes included, so a later incremental load writes
   nothing;
2. over Bolt: refuse unless the database is empty, then the writer's constraints and indexes
   (same statements, same names) and `Build` started;
3. the server closes the database (HTTP admin command), this process opens its files, writes the
   plan with `GraphBatch`, closes them, and the server opens the database again;
4. over Bolt: `Build` done, with the counts.

The server's query time limit never applies: no write goes through a server query. While step 3
runs the database is closed on the server (a query to it waits or fails): it is a first load.
Neo4j has its own bulk path: `constellation export --neo4j-admin DIR` (`neo4j_export.py`).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.writer import Artifacts, EdgeSet, read_artifacts

from constellation.errors import UserError

if TYPE_CHECKING:
    from constellation.graph import GraphConfig

log = logging.getLogger(__name__)

# Heap of the engine in this process; the server keeps its own (CONSTELLATION_HEAP). 4g ran out
# in GraphBatch.close() at 1M models (bench/results/load.md).
DEFAULT_BULK_HEAP = "6g"
# Model links: relationship type -> (link list in NodeTable.links, target label, target key).
MODEL_LINKS = {
    "PUBLISHED_BY": ("author", "Author", "name"),
    "TAGGED": ("tags", "Tag", "name"),
    "LICENSED_UNDER": ("license", "License", "name"),
    "USES_LIBRARY": ("library", "Library", "name"),
    "IN_COMMUNITY": ("community", "Community", "id"),
    "IN_CLUSTER": ("cluster", "Cluster", "id"),
}
# Vertex labels in write order, with the property that identifies a row.
LABEL_KEYS = {
    "Community": "id", "Cluster": "id", "Model": "id",
    "Author": "name", "Tag": "name", "License": "name", "Library": "name",
    **{label: "id" for label in cy.SERVING_LABELS},
}  # fmt: skip
EDGE_TYPES = ("CHILD_OF", *MODEL_LINKS, "SIMILAR_TO", "BASED_ON")
# inferred lineage (loader/lineage): likely links, a type of their own, owned by the child
INFERRED_EDGE = "LIKELY_BASED_ON"
EDGE_TYPES += (INFERRED_EDGE,)

# joins (issue 14): the model's links to datasets, papers and tasks (as the writer's
# MODEL_JOIN_LINKS), Space vertices and their USES edges (`_plan_joins`)
JOIN_MODEL_LINKS = {
    "TRAINED_ON": ("datasets", "Dataset", "id"),
    "CITES": ("papers", "Paper", "arxiv_id"),
    "FOR_TASK": ("task", "Task", "name"),
}
MODEL_LINKS.update(JOIN_MODEL_LINKS)
LABEL_KEYS.update({"Dataset": "id", "Paper": "arxiv_id", "Task": "name", "Space": "id"})
EDGE_TYPES = (*EDGE_TYPES, *JOIN_MODEL_LINKS, "USES")


# --- the plan (pure) ------------------------------------------------------------------------


def _present(names: list[str], columns: list[list[Any]], lo: int, hi: int) -> list[dict]:
    """Rows lo..hi of columns as dicts without the None values (`SET n = {…}` drops them)."""
    return [
        {name: value for name, value in zip(names, values, strict=True) if value is not None}
        for values in zip(*(col[lo:hi] for col in columns), strict=True)
    ]


@dataclass
class Nodes:
    """Vertices of one label, column-wise (the artifacts' lists, not copies): rows are made
    chunk by chunk when written, so a 3M-model plan costs little memory of its own."""

    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def rows(self, lo: int = 0, hi: int | None = None) -> list[dict[str, Any]]:
        hi = len(self) if hi is None else hi
        return _present(list(self.columns), list(self.columns.values()), lo, hi)


@dataclass
class Edges:
    """Edges of one type: endpoint keys, and their properties column-wise (or none)."""

    source_label: str
    target_label: str
    sources: list[Any] = field(default_factory=list)
    targets: list[Any] = field(default_factory=list)
    props: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sources)

    def prop_rows(self, lo: int = 0, hi: int | None = None) -> list[dict[str, Any]] | None:
        if not self.props:
            return None
        hi = len(self) if hi is None else hi
        return _present(list(self.props), list(self.props.values()), lo, hi)


@dataclass
class Plan:
    vertices: dict[str, Nodes]  # label -> vertices, in write order
    edges: dict[str, Edges]  # relationship type -> edges

    def counts(self) -> dict[str, int]:
        return {**{k: len(v) for k, v in self.vertices.items()},
                **{k: len(v) for k, v in self.edges.items()}}  # fmt: skip


def _owner_hashes(keys: list[Any], edges: EdgeSet) -> list[Any]:
    # The writer sets an owner's edge hash with its edges; owners without edges get none.
    return [edges.hashes.get(k) for k in keys]


def _edge_list(edges: EdgeSet, target: str, props: tuple[str, ...]) -> Edges:
    out = Edges("Model", "Model")
    if len(edges):
        for owner, (lo, hi) in edges.bounds.items():  # one string per owner, not per edge
            out.sources.extend([owner] * (hi - lo))
        out.targets = edges.values[target]
        out.props = {p: edges.values[p] for p in props}
    return out


def plan(art: Artifacts) -> Plan:
    """Every vertex and edge the incremental writer would create for these artifacts."""
    models = art.models
    vertices = {
        "Community": Nodes(art.communities.props),
        "Cluster": Nodes(art.clusters.props),
        "Model": Nodes({
            **models.props,
            "similar_hash": _owner_hashes(models.keys, art.similar),
            "lineage_hash": _owner_hashes(models.keys, art.lineage),
            "inferred_hash": _owner_hashes(models.keys, art.inferred),
        }),
    }  # fmt: skip
    edges: dict[str, Edges] = {"CHILD_OF": Edges("Cluster", "Cluster")}
    for key, parents in zip(art.clusters.keys, art.clusters.links["parent"], strict=True):
        for parent in parents:
            edges["CHILD_OF"].sources.append(key)
            edges["CHILD_OF"].targets.append(parent)
    for rel, (link, label, key_name) in MODEL_LINKS.items():
        rel_edges = edges[rel] = Edges("Model", label)
        names: dict[Any, None] = {}  # first-seen order, like the writer's MERGE
        for key, targets in zip(models.keys, models.links[link], strict=True):
            for target in targets:
                rel_edges.sources.append(key)
                rel_edges.targets.append(target)
                names[target] = None
        if label not in vertices:
            vertices[label] = Nodes({key_name: list(names)})
    for label in cy.SERVING_LABELS:
        vertices[label] = Nodes(art.serving[label].props)
    edges["SIMILAR_TO"] = _edge_list(art.similar, "target", ("score",))
    edges["BASED_ON"] = _edge_list(art.lineage, "parent", ("relation", "origin"))
    edges[INFERRED_EDGE] = _edge_list(art.inferred, "parent", ("score", "relation", "rank"))
    _plan_joins(art, vertices, edges)
    return Plan(vertices, edges)


def _plan_joins(art: Artifacts, vertices: dict[str, Nodes], edges: dict[str, Edges]) -> None:
    """Dataset vertices with their properties (datasets.parquet names every dataset a model
    links to), Space vertices and USES edges (issue 14)."""
    if art.datasets is not None:
        vertices["Dataset"] = Nodes(art.datasets.props)
    if art.spaces is None:
        return
    vertices["Space"] = Nodes(art.spaces.props)
    uses = edges["USES"] = Edges("Space", "Model")
    for key, models in zip(art.spaces.keys, art.spaces.links["models"], strict=True):
        uses.sources.extend([key] * len(models))
        uses.targets.extend(models)


def summary_counts(art: Artifacts, p: Plan) -> dict[str, Any]:
    """Counts in the writer's shape (`writer.summary` prints them): everything created."""

    def created(n: int) -> dict[str, int]:
        return {"created": n, "updated": 0, "unchanged": 0, "deleted": 0}

    return {
        "build_id": str(art.manifest["build_id"]),
        "communities": created(len(p.vertices["Community"])),
        "clusters": created(len(p.vertices["Cluster"])),
        "models": {**created(len(p.vertices["Model"])), "external": art.external},
        "summaries": created(sum(len(p.vertices[label]) for label in cy.SERVING_LABELS)),
        "similar_to": created(len(p.edges["SIMILAR_TO"])),
        "based_on": created(len(p.edges["BASED_ON"])),
        "likely_based_on": created(len(p.edges[INFERRED_EDGE])),
        "skipped_columns": art.skipped_columns,
        **{k.lower() + "s": created(len(p.vertices[k])) for k in ("Dataset", "Space")
           if k in p.vertices},
    }  # fmt: skip


# --- writing (side effects) -----------------------------------------------------------------

OnStage = Callable[[str], None]


def _is_empty(driver: Any, database: str) -> tuple[bool, int]:
    with driver.session(database=database) as session:
        n = session.run("MATCH (n) RETURN count(n) AS n").single()["n"]
    return n == 0, n


def database_path(database: str) -> Path:
    """The files of a database of the local server."""
    from constellation import server

    return server.paths().root / "databases" / database


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - start, 3)


_CHUNK = 100_000  # rows per crossing into the engine
# Edges buffered before a flush, and incoming edges deferred before they are connected. The
# engine's defaults for 10M edges (5M each) ran a 4 GB heap out of memory at 1M models.
EDGE_BUFFER = 500_000
DEFERRED_EDGES = 1_000_000


def _create_vertices(batch: Any, label: str, nodes: Nodes) -> list[str]:
    """The vertices, a chunk of rows per JSON text; their RIDs in row order.

    The package's `create_vertices` sends rows holding a list (tags, terms) value by value
    (measured 2.4x slower than JSON); a list of strings survives JSON unchanged, so every row
    goes as JSON here (the same engine call the package makes for rows without lists)."""
    import jpype

    try:
        batcher = jpype.JClass("com.arcadedb.python.VertexBatcher")
    except Exception:  # noqa: BLE001 - no bridge jar: the package's own path
        batcher = None
    rids: list[str] = []
    for lo in range(0, len(nodes), _CHUNK):
        rows = nodes.rows(lo, lo + _CHUNK)
        if batcher is None:
            rids.extend(batch.create_vertices(label, rows))
            continue
        text = json.dumps(rows, allow_nan=False)
        joined = str(batcher.createVerticesJson(batch._java_graph_batch, label, text))
        rids.extend(joined.split(";") if joined else [])
    if len(rids) != len(nodes):
        raise RuntimeError(f"bulk {label}: {len(nodes)} rows sent, {len(rids)} vertices made")
    return rids


_LOG_CONFIG = """handlers = java.util.logging.ConsoleHandler, java.util.logging.FileHandler
.level = INFO
java.util.logging.ConsoleHandler.level = SEVERE
java.util.logging.FileHandler.level = INFO
java.util.logging.FileHandler.pattern = {log}
java.util.logging.FileHandler.formatter = com.arcadedb.log.LogFormatter
java.util.logging.FileHandler.limit = 10000000
java.util.logging.FileHandler.count = 1
"""


def _engine_options(heap: str) -> dict[str, Any]:
    """JVM options for the engine in this process. Its log goes to `bulk.log` next to the
    server's (the engine's default is ./log in the working directory); only errors reach stderr: its
warnings are routine there (a line per index sub-file it creates, hundreds at 1M models)."""
    from constellation import server

    home = server.paths().home
    config = home / "bulk-log.properties"
    config.write_text(_LOG_CONFIG.format(log=home / "bulk.log"))
    os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(home / "bulk-hs_err_pid%p.log"))
    return {"heap_size": heap, "jvm_args": [f"-Djava.util.logging.config.file={config}"]}


def write_plan(path: Path, p: Plan, timings: dict[str, float], heap: str) -> None:
    """Write the plan into the (closed) database at `path` with the engine's GraphBatch."""
    import arcadedb_embedded as arcadedb

    db = arcadedb.open_database(str(path), jvm_kwargs=_engine_options(heap))
    try:
        with _timed(timings, "bulk schema"):
            for label in LABEL_KEYS:
                db.command("sql", f"CREATE VERTEX TYPE `{label}` IF NOT EXISTS")
            for rel in EDGE_TYPES:
                db.command("sql", f"CREATE EDGE TYPE `{rel}` IF NOT EXISTS")
        rids: dict[str, dict[Any, str]] = {}
        total_edges = sum(len(e) for e in p.edges.values())
        with db.graph_batch(
            expected_edge_count=max(total_edges, 1),
            batch_size=EDGE_BUFFER,
            max_deferred_incoming_edges=DEFERRED_EDGES,
        ) as batch:
            for label, nodes in p.vertices.items():
                if len(nodes):
                    log.info("writing %s %s vertices …", f"{len(nodes):,}", label)
                with _timed(timings, f"bulk {label}"):
                    created = _create_vertices(batch, label, nodes)
                    keys = nodes.columns[LABEL_KEYS[label]]
                    rids[label] = dict(zip(keys, created, strict=True))
            for rel, edges in p.edges.items():
                if len(edges):
                    log.info("writing %s %s edges …", f"{len(edges):,}", rel)
                with _timed(timings, f"bulk {rel}"):
                    src, dst = rids[edges.source_label], rids[edges.target_label]
                    for lo in range(0, len(edges), _CHUNK):
                        hi = lo + _CHUNK
                        batch.new_edges(
                            [src[k] for k in edges.sources[lo:hi]], rel,
                            [dst[k] for k in edges.targets[lo:hi]], edges.prop_rows(lo, hi),
                        )  # fmt: skip
            log.info("flushing the edges and closing the database files …")
            with _timed(timings, "bulk close"):
                batch.close()
    finally:
        db.close()


def bulk_load(
    config: GraphConfig, artifacts_dir: str | Path, on_stage: OnStage | None = None
) -> dict[str, Any]:
    """First load of `artifacts_dir` into the empty database of the local server that `config`
    names; returns counts in the writer's shape. UserError, with nothing written, unless the
    database is empty."""
    from constellation import server
    from constellation.graph import connect

    started = time.perf_counter()
    timings: dict[str, float] = {}
    local = server.local_config()
    if local is None or config.uri != local.uri or not config.database:
        raise UserError(
            f"load --bulk: {config.uri} is not the local graph server (`constellation db start`); "
            "for Neo4j use `constellation export --neo4j-admin DIR` and neo4j-admin (README)"
        )
    database = config.database
    with connect(config) as driver:
        empty, n = _is_empty(driver, database)
        unfinished = driver.execute_query(UNFINISHED, database_=database).records
    if unfinished:
        raise UserError(
            f"load --bulk: database {database} holds an unfinished bulk load (build "
            f"{unfinished[0]['id']}), whose edges may be incomplete: remove the database "
            "(`constellation db stop`, delete its folder under CONSTELLATION_HOME/server/"
            "databases, `constellation db start`) and run `load --bulk` again"
        )
    if not empty:
        raise UserError(
            f"load --bulk: database {database} holds {n:,} node(s); the bulk path is for a first "
            "load into an empty database (use `constellation load` without --bulk)"
        )
    path = database_path(database)
    if not path.is_dir():
        raise UserError(f"load --bulk: {path} is not a database of the local server")
    log.info("reading and checking %s …", artifacts_dir)
    with _timed(timings, "read artifacts"):
        art = read_artifacts(artifacts_dir)
    with _timed(timings, "plan"):
        p = plan(art)
        _release(art)
    build_id = str(art.manifest["build_id"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = json.dumps(art.manifest, sort_keys=True, default=str)
    if on_stage:
        on_stage("schema")
    with _timed(timings, "schema"), connect(config) as driver:
        with driver.session(database=database) as session:
            for statement in (*cy.CONSTRAINTS, *cy.INDEXES):
                session.run(statement).consume()
            session.execute_write(lambda tx: _build_started(tx, build_id, now, manifest))
    # No Bolt connection is open from here: the server closes the database for this process.
    heap = os.environ.get("CONSTELLATION_BULK_HEAP", DEFAULT_BULK_HEAP)
    if on_stage:
        on_stage("bulk")
    log.info("the server closes database %s while this process writes its files", database)
    server.close_database(database)
    try:
        write_plan(path, p, timings, heap)
    except BaseException as exc:  # Ctrl-C included: the server gets its database back, re-raised
        server.open_database(database)
        _mark_failed(config, build_id, exc)
        raise
    server.open_database(database)
    counts = summary_counts(art, p)
    counts["seconds"] = round(time.perf_counter() - started, 3)
    counts["timings"] = timings
    loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with connect(config) as driver, driver.session(database=database) as session:
        session.execute_write(lambda tx: _build_done(tx, build_id, loaded_at, counts))
    return counts


def _build_done(tx: Any, build_id: str, loaded_at: str, counts: dict[str, Any]) -> None:
    counts_json = json.dumps(counts, sort_keys=True)
    tx.run(cy.BUILD_DONE, id=build_id, loaded_at=loaded_at, counts=counts_json).consume()
    tx.run(BUILD_DONE_BULK, id=build_id).consume()


# A bulk load writes the edge hashes with the vertices, before the edges: until it completes,
# its Build carries this mark, so a rerun is refused with the way out (an incremental load would
# trust those hashes). BUILD_DONE_BULK removes it: the finished graph is the writer's.
UNFINISHED = "MATCH (b:Build) WHERE b.bulk_unfinished RETURN b.id AS id"
BUILD_DONE_BULK = "MATCH (b:Build {id: $id}) REMOVE b.bulk_unfinished"


def _release(art: Artifacts) -> None:
    """Drop what the plan no longer needs before the engine takes its heap (1M models: GBs)."""
    for edge_set in (art.similar, art.lineage, art.inferred):
        edge_set.frame, edge_set.bounds, edge_set.hashes = edge_set.frame.iloc[:0], {}, {}
    for nodes in (art.models, art.communities, art.clusters, *art.serving.values()):
        nodes.links, nodes.hashes = {}, {}
    gc.collect()
    # Hand the freed memory back to the OS before the engine's heap grows in this process:
    # Arrow's pool and the C heap keep it otherwise (100k models: 773 -> 620 MB resident).
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc: nothing to trim
        pass


def _build_started(tx: Any, build_id: str, now: str, manifest: str) -> None:
    tx.run(cy.BUILDS_NOT_CURRENT).consume()
    tx.run(cy.BUILD_STARTED, id=build_id, started_at=now, manifest=manifest).consume()
    tx.run("MATCH (b:Build {id: $id}) SET b.bulk_unfinished = true", id=build_id).consume()


def _mark_failed(config: GraphConfig, build_id: str, exc: BaseException) -> None:
    """As the writer does: the Build of a load that raised says `failed` or `interrupted`.
    Best effort: the original error is what matters."""
    from constellation.graph import connect

    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    error = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
    try:
        with connect(config) as driver, driver.session(database=config.database) as session:
            session.run(cy.BUILD_FAILED, id=build_id, status=status, error=error).consume()
    except Exception:  # noqa: BLE001, S110 - the server may be what failed
        pass
