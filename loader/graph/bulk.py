"""Bulk first load: artifacts -> an EMPTY database of the local ArcadeDB server, in-process.

    constellation load --artifacts DIR --bulk

The incremental writer (`writer.py`) sends every row through Bolt and the server's Cypher engine:
~110 µs of server CPU per row (bench/results/load.md). A first load has nothing to diff, so this
path writes the same graph through the engine's own batch API instead (`GraphBatch` of the
`arcadedb_embedded` package, the engine in this process):

1. `stream.graph_stream`: the artifacts read and checked as the writer reads them, and the
   vertices of each label and the edges of each type made a chunk at a time, exactly what the
   writer's statements create, bookkeeping hashes included, so a later incremental load writes
   nothing;
2. over Bolt: refuse unless the database is empty, then the writer's constraints and indexes
   (same statements, same names) and `Build` started;
3. the server closes the database (HTTP admin command), this process opens its files, writes the
   vertices with `GraphBatch`, gives the busiest ones the engine's striped edge list
   (`promote_hubs`: a later delete next to them walks a sixteenth of their edges), writes the
   edges with a second `GraphBatch`, closes the files, and the server opens the database again;
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
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from constellation.loader.gc_pause import paused_gc
from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.refresh import fingerprint
from constellation.loader.graph.stream import (
    EDGE_TYPES,
    LABEL_KEYS,
    GraphStream,
    graph_stream,
    present,
    summary_counts,
)

from constellation.errors import UserError

if TYPE_CHECKING:
    from constellation.graph import GraphConfig

log = logging.getLogger(__name__)

# Heap of the engine in this process; the server keeps its own (CONSTELLATION_HEAP). Enough at 1M
# models with a page cache of a quarter of it and commits every COMMIT_EVERY records
# (bench/results/load.md).
DEFAULT_BULK_HEAP = "4g"
# Labels that are edge endpoints: their vertices' RIDs are kept until the edges are written.
ENDPOINTS = {"Community", "Cluster", "Model", "Author", "Tag", "License", "Library", "Dataset",
             "Paper", "Task", "Space"}  # fmt: skip


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
# Records per transaction inside the engine's batch. Without WAL its default is one transaction
# per flush, and close() then updates the head pointers of every vertex with edges (2.8M at 1M
# models) in one transaction: out of heap with 4 GB (bench/results/load.md).
COMMIT_EVERY = 100_000


def _create_vertices(batch: Any, label: str, rows: list[dict[str, Any]]) -> np.ndarray:
    """The vertices of a chunk of rows, as one JSON text; their RIDs in row order (`rid_codes`).

    The package's `create_vertices` sends rows holding a list (tags, terms) value by value
    (measured 2.4x slower than JSON); a list of strings survives JSON unchanged, so every row
    goes as JSON here (the same engine call the package makes for rows without lists)."""
    import jpype

    try:
        batcher = jpype.JClass("com.arcadedb.python.VertexBatcher")
    except Exception:  # noqa: BLE001 - no bridge jar: the package's own path
        return rid_codes(";".join(batch.create_vertices(label, rows)))
    text = json.dumps(rows, allow_nan=False)
    rids = rid_codes(str(batcher.createVerticesJson(batch._java_graph_batch, label, text)))
    if len(rids) != len(rows):
        raise RuntimeError(f"bulk {label}: {len(rows)} rows sent, {len(rids)} vertices made")
    return rids


def rid_codes(joined: str) -> np.ndarray:
    """RIDs ("#bucket:position", joined by ";") as integers bucket << 32 | position: 4.5M
    endpoint RIDs kept as text in a dict were ~0.6 GB at 3M models (bench/results/load.md).

    >>> rid_codes("#1:0;#12:4294967295").tolist()
    [4294967296, 55834574847]
    >>> rid_text(rid_codes("#1:0;#12:4294967295")).to_pylist()
    ['#1:0', '#12:4294967295']
    """
    if not joined:
        return np.empty(0, dtype="int64")
    parts = joined.replace(":", ";").split(";")
    try:
        if not all(p.startswith("#") for p in parts[::2]):
            raise ValueError(joined)
        flat = np.array([p.lstrip("#") for p in parts], dtype="int64")
    except ValueError:
        flat = np.empty(1, dtype="int64")
    if len(flat) % 2 or (flat < 0).any() or (flat[1::2] >> 32).any():
        raise RuntimeError(f"bulk: RIDs not of the form #bucket:position: {joined[:80]!r}")
    return (flat[0::2] << 32) | flat[1::2]


def rid_text(codes: np.ndarray) -> Any:
    """`rid_codes` back to "#bucket:position" text (an Arrow string array)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    bucket = pa.array(codes >> 32).cast(pa.string())
    position = pa.array(codes & 0xFFFFFFFF).cast(pa.string())
    return pc.binary_join_element_wise("#", bucket, ":", position, "")


class Rids:
    """The RIDs of one label's vertices by key: the keys in write order and their `rid_codes`,
    looked up a chunk of edge endpoints at a time."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.keys: list[Any] = []
        self.parts: list[np.ndarray] = []
        self.index: pd.Index | None = None
        self.codes = np.empty(0, dtype="int64")

    def add(self, keys: Iterator[Any], codes: np.ndarray) -> None:
        self.keys.extend(keys)
        self.parts.append(codes)
        if len(self.keys) != sum(len(p) for p in self.parts):
            raise RuntimeError(f"bulk {self.label}: keys and RIDs differ in number")

    def text(self, keys: list[Any]) -> Any:
        """The RIDs of these keys' vertices, as `rid_text`."""
        if self.index is None:  # the keys' hash table once, after the label's vertices
            self.index = pd.Index(self.keys, dtype=object)
            self.codes = np.concatenate([self.codes, *self.parts])
            self.keys, self.parts = [], []
        at = self.index.get_indexer(pd.Index(keys, dtype=object))
        if len(at) and at.min() < 0:
            raise RuntimeError(f"bulk: no {self.label} vertex {keys[int(np.argmin(at))]!r}")
        return rid_text(self.codes[at])


def _edges_json(sources: Any, targets: Any, props: dict[str, Any]) -> str | None:
    """Edges with numeric properties only as the JSON rows of the engine's edge batcher, made by
    Arrow (the package builds a dict per edge: ~20 s of 7.8M SIMILAR_TO at 1M); None if a
    property is not a finite number column (then the package's own path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts: list[Any] = ['{"_src":"', sources, '","_dst":"', targets, '"']
    for name, values in props.items():
        array = pa.array(values)
        if not (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
            return None
        if array.null_count or (pa.types.is_floating(array.type)
                                and not pc.all(pc.is_finite(array)).as_py()):  # fmt: skip
            return None
        text = pc.cast(array, pa.string())
        if pa.types.is_floating(array.type):  # Arrow writes 1.0 as "1": JSON would make it a long
            whole = pc.invert(pc.match_substring_regex(text, "[.eE]"))
            text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
        parts += [f',"{name}":', text]
    rows = pc.binary_join_element_wise(*parts, "}", "")
    return "[" + ",".join(rows.to_pylist()) + "]"


def _plain(values: Any) -> list[Any]:
    """Python values (numpy arrays hold numpy scalars, which JSON refuses)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _create_edges(batch: Any, rel: str, src: Any, dst: Any, props: Any) -> None:
    """Edges between RIDs (`rid_text` arrays), with their property columns (or None)."""
    if props:
        text = _edges_json(src, dst, props)
        if text is not None:
            import jpype

            batcher = jpype.JClass("com.arcadedb.python.EdgeBatcher")
            batcher.newEdgesJson(batch._java_graph_batch, rel, text)
            return
        names = list(props)
        columns = [_plain(props[n]) for n in names]
        batch.new_edges(src.to_pylist(), rel, dst.to_pylist(), present(names, columns))
    else:
        batch.new_edges(src.to_pylist(), rel, dst.to_pylist())


# Vertices with at least this many incoming edges (a popular tag, licence, library, task,
# author, base model …) get the engine's striped edge list before their edges are written.
# ArcadeDB removes an edge from the list of its other end by walking that list from its newest
# entry: deleting a model walked the whole list of each of its tags, its licence … (89 ms a
# model at 1M, 766 s of a 1 % removal: bench/results/load.md). A striped list spreads its
# entries over 16 chains by the neighbour's RID, and a removal walks one. The engine's own writes
# promote a list past 4,096 edges (`arcadedb.graph.supernodeThreshold`), keeping the entries
# before in one chain; GraphBatch never does (its docs), so the bulk path does it first.
HUB_DEGREE = 4096
# While promoting: the engine's threshold, and the edges added to each hub per transaction (the
# engine makes a type's stripe files outside the transaction that first needs them).
PROMOTE_AT = 64
PROMOTE_STEP = 20
PROMOTE_ROUNDS = 20


def hub_vertices(g: GraphStream) -> dict[str, list[Any]]:
    """Per label, the keys of the vertices with at least HUB_DEGREE incoming edges of all types
    (before the edges stream)."""
    parts: dict[str, list[pd.Series]] = {}
    for e in g.edges.values():
        if e.target_counts is not None:
            keys, n = e.target_counts()
            parts.setdefault(e.target_label, []).append(
                pd.Series(n, index=pd.Index(keys, dtype=object), dtype="int64")
            )
    hubs = {}
    for label, counts in parts.items():
        total = pd.concat(counts).groupby(level=0, sort=False).sum()
        if (total >= HUB_DEGREE).any():
            hubs[label] = total.index[total.to_numpy() >= HUB_DEGREE].tolist()
    return hubs


def promote_hubs(db: Any, rids: list[str]) -> int:
    """Give these vertices (RID text) the engine's striped incoming edge list (see HUB_DEGREE):
    with the engine's threshold lowered, edges from a scratch vertex until each is promoted, then
    the scratch vertex, its types and the threshold are as before. Returns how many were."""
    if not rids:
        return 0
    import jpype

    settings = jpype.JClass("com.arcadedb.GlobalConfiguration")
    directory = jpype.JClass("com.arcadedb.graph.StripeDirectory")
    rid = jpype.JClass("com.arcadedb.database.RID")
    java_db = db.get_java_database()
    config = java_db.getConfiguration()
    threshold = config.getValueAsInteger(settings.GRAPH_SUPERNODE_THRESHOLD)
    if threshold < 1:  # promotion turned off for this database: respected
        return 0

    def promoted(r: str) -> bool:
        head = java_db.lookupByRID(rid(r), True).getInEdgesHeadChunk()
        return head is not None and isinstance(java_db.lookupByRID(head, True), directory)

    todo = list(rids)
    config.setValue(settings.GRAPH_SUPERNODE_THRESHOLD, PROMOTE_AT)
    try:
        db.command("sql", f"CREATE VERTEX TYPE `{_SCRATCH}`")
        db.command("sql", f"CREATE EDGE TYPE `{_SCRATCH_EDGE}`")
        with db.transaction():
            scratch = next(iter(db.command("sql", f"INSERT INTO `{_SCRATCH}` SET n = 0")))
        scratch_rid = str(scratch.get_rid())
        for _ in range(PROMOTE_ROUNDS):
            with db.transaction():
                for lo in range(0, len(todo), 500):
                    targets = ",".join(todo[lo : lo + 500])
                    for _ in range(PROMOTE_STEP):
                        db.command("sql", f"CREATE EDGE `{_SCRATCH_EDGE}` FROM {scratch_rid} "
                                          f"TO [{targets}]")  # fmt: skip
            todo = [r for r in todo if not promoted(r)]
            if not todo:
                break
        with db.transaction():  # its edges leave the hubs' (short) first chains
            db.command("sql", f"DELETE FROM {scratch_rid}")
        db.command("sql", f"DROP TYPE `{_SCRATCH_EDGE}`")
        db.command("sql", f"DROP TYPE `{_SCRATCH}`")
    finally:
        config.setValue(settings.GRAPH_SUPERNODE_THRESHOLD, threshold)
    if todo:  # slower removals later, nothing wrong: said, not raised
        log.warning("bulk: %d of %d busy vertices kept a single edge chain", len(todo), len(rids))
    log.info("bulk: %d busy vertices have striped edge lists", len(rids) - len(todo))
    return len(rids) - len(todo)


_SCRATCH, _SCRATCH_EDGE = "_BulkPromote", "_BULK_PROMOTE"


_LOG_CONFIG = """handlers = java.util.logging.ConsoleHandler, java.util.logging.FileHandler
.level = INFO
java.util.logging.ConsoleHandler.level = SEVERE
java.util.logging.FileHandler.level = INFO
java.util.logging.FileHandler.pattern = {log}
java.util.logging.FileHandler.formatter = com.arcadedb.log.LogFormatter
java.util.logging.FileHandler.limit = 10000000
java.util.logging.FileHandler.count = 1
"""


def bulk_heap() -> tuple[str, int]:
    """The engine's heap (`CONSTELLATION_BULK_HEAP`, e.g. 4g or 3072m) and its page cache in MB:
    a quarter of the heap. The engine's default page cache is 4 GB (at most 80 % of the heap),
    which a first load only writes through: it made the heap, and the process, grow to 6 GB
    at 100k models as at 1M (bench/results/load.md)."""
    heap = os.environ.get("CONSTELLATION_BULK_HEAP", DEFAULT_BULK_HEAP).strip()
    match = re.fullmatch(r"(\d+)([mMgG])", heap)
    mb = int(match.group(1)) * (1024 if match.group(2) in "gG" else 1) if match else 0
    if mb < 512:
        raise UserError(
            f"CONSTELLATION_BULK_HEAP={heap!r}: give the engine's heap as a size such as 4g or "
            "3072m (at least 512m)"
        )
    return heap, mb // 4


def _engine_options(heap: str, page_mb: int) -> dict[str, Any]:
    """JVM options for the engine in this process. Its log goes to `bulk.log` next to the
    server's (the engine's default is ./log in the working directory); only errors reach
    stderr: its warnings are routine there (a line per index sub-file it creates, hundreds at
    1M models)."""
    from constellation import server

    home = server.paths().home
    config = home / "bulk-log.properties"
    config.write_text(_LOG_CONFIG.format(log=home / "bulk.log"))
    os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(home / "bulk-hs_err_pid%p.log"))
    return {
        "heap_size": heap,
        "jvm_args": [
            f"-Djava.util.logging.config.file={config}",
            f"-Darcadedb.maxPageRAM={page_mb}",
        ],
    }


def write_stream(
    path: Path, g: GraphStream, timings: dict[str, float], heap: tuple[str, int]
) -> int:
    """Write the streams into the (closed) database at `path` with the engine's GraphBatch;
    returns how many vertices got a striped edge list (`promote_hubs`)."""
    import arcadedb_embedded as arcadedb

    db = arcadedb.open_database(str(path), jvm_kwargs=_engine_options(*heap))
    try:
        with _timed(timings, "bulk schema"):
            for label in LABEL_KEYS:
                db.command("sql", f"CREATE VERTEX TYPE `{label}` IF NOT EXISTS")
            for rel in EDGE_TYPES:
                db.command("sql", f"CREATE EDGE TYPE `{rel}` IF NOT EXISTS")
        rids: dict[str, Rids] = {}
        known = sum(e.count or 0 for e in g.edges.values())
        options = {"expected_edge_count": max(known, 1), "batch_size": EDGE_BUFFER,
                   "max_deferred_incoming_edges": DEFERRED_EDGES, "commit_every": COMMIT_EVERY}
        with db.graph_batch(**options) as batch:  # the vertices
            for label, vertices in g.vertices.items():
                log.info("writing %s vertices …", label)
                key = LABEL_KEYS[label]
                keep = rids[label] = Rids(label)
                n = 0
                with _timed(timings, f"bulk {label}"):
                    for rows in vertices.chunks():
                        created = _create_vertices(batch, label, rows)
                        n += len(rows)
                        if label in ENDPOINTS:
                            keep.add((r[key] for r in rows), created)
                vertices.count = n
                _release(collect=False)  # the rows streamed were let go (`graph_stream`)
        with _timed(timings, "bulk hubs"):
            hubs = hub_vertices(g)
            striped = promote_hubs(db, [r for label, keys in hubs.items()
                                        for r in rids[label].text(keys).to_pylist()])  # fmt: skip
        with db.graph_batch(**options) as batch:  # the edges
            for rel, edges in g.edges.items():
                log.info("writing %s edges …", rel)
                src_rids, dst_rids = rids[edges.source_label], rids[edges.target_label]
                n = 0
                with _timed(timings, f"bulk {rel}"):
                    for sources, targets, props in edges.chunks():
                        src, dst = src_rids.text(sources), dst_rids.text(targets)
                        _create_edges(batch, rel, src, dst, props)
                        n += len(src)
                edges.count = n
            rids.clear()
            log.info("flushing the edges and closing the database files …")
            with _timed(timings, "bulk close"):
                batch.close()
    finally:
        db.close()
    return striped


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
    heap = bulk_heap()  # a bad setting fails here, before anything is read or written
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
    with paused_gc(collect=True):
        counts = _bulk(config, database, artifacts_dir, heap, timings, on_stage)
    counts["seconds"] = round(time.perf_counter() - started, 3)
    counts["timings"] = timings
    loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with connect(config) as driver, driver.session(database=database) as session:
        session.execute_write(lambda tx: _build_done(tx, str(counts["build_id"]), loaded_at,
                                                     counts))  # fmt: skip
    return counts


def _bulk(
    config: GraphConfig, database: str, artifacts_dir: str | Path, heap: tuple[str, int],
    timings: dict[str, float], on_stage: OnStage | None,
) -> dict[str, Any]:
    """Read the streams, make the schema, write the database's files: the summary counts."""
    from constellation import server
    from constellation.graph import connect

    path = database_path(database)
    if not path.is_dir():
        raise UserError(f"load --bulk: {path} is not a database of the local server")
    files = (str(Path(artifacts_dir).resolve()), fingerprint(artifacts_dir))  # before reading
    log.info("reading and checking %s …", artifacts_dir)
    with _timed(timings, "read artifacts"):
        g = graph_stream(artifacts_dir)
        _release()
    build_id = str(g.manifest["build_id"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = json.dumps(g.manifest, sort_keys=True, default=str)
    if on_stage:
        on_stage("schema")
    with _timed(timings, "schema"), connect(config) as driver:
        with driver.session(database=database) as session:
            for statement in (*cy.CONSTRAINTS, *cy.INDEXES):
                session.run(statement).consume()
            session.execute_write(lambda tx: _build_started(tx, build_id, now, manifest, files))
    # No Bolt connection is open from here: the server closes the database for this process.
    if on_stage:
        on_stage("bulk")
    log.info("the server closes database %s while this process writes its files", database)
    server.close_database(database)
    try:
        striped = write_stream(path, g, timings, heap)
    except BaseException as exc:  # Ctrl-C included: the server gets its database back, re-raised
        server.open_database(database)
        _mark_failed(config, build_id, exc)
        raise
    server.open_database(database)
    return {**summary_counts(g), "striped_hubs": striped}


def _build_done(tx: Any, build_id: str, loaded_at: str, counts: dict[str, Any]) -> None:
    counts_json = json.dumps(counts, sort_keys=True)
    tx.run(cy.BUILD_DONE, id=build_id, loaded_at=loaded_at, counts=counts_json).consume()
    tx.run(BUILD_DONE_BULK, id=build_id).consume()


# A bulk load writes the edge hashes with the vertices, before the edges: until it completes,
# its Build carries this mark, so a rerun is refused with the way out (an incremental load would
# trust those hashes). BUILD_DONE_BULK removes it: the finished graph is the writer's.
UNFINISHED = "MATCH (b:Build) WHERE b.bulk_unfinished RETURN b.id AS id"
BUILD_DONE_BULK = "MATCH (b:Build {id: $id}) REMOVE b.bulk_unfinished"


def _release(collect: bool = True) -> None:
    """Hand freed memory back to the OS before the engine's heap grows in this process: Arrow's
    pool and the C heap keep it otherwise (100k models: 773 -> 620 MB resident). `collect`:
    a collector pass first (not while millions of rows are alive: refcounting freed them)."""
    if collect:
        gc.collect()
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc: nothing to trim
        pass


def _build_started(
    tx: Any, build_id: str, now: str, manifest: str, files: tuple[str, str]
) -> None:
    tx.run(cy.BUILDS_NOT_CURRENT).consume()
    tx.run(
        cy.BUILD_STARTED, id=build_id, started_at=now, manifest=manifest, artifacts=files[0],
        files=files[1],
    ).consume()  # fmt: skip
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
