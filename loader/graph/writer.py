"""Artifacts -> graph: make the graph equal to a build's artifacts, writing only what changed.

    from constellation.graph import GraphConfig, connect
    from constellation.loader.graph.writer import load_artifacts

    config = GraphConfig.from_env()
    with connect(config) as driver:
        counts = load_artifacts(driver, "artifacts/", database=config.database)
    counts["models"]   # {"created": …, "updated": …, "unchanged": …, "deleted": …}

or `constellation load --artifacts DIR [--batch-size N]`. Schema: docs/design.md ("Graph").

How it stays correct and cheap:
- Everything is read and checked before the graph is touched (`read.read_artifacts`): a missing
  file or column, duplicate ids or dangling references raise `UserError` naming the file/column,
  and nothing is written.
- Uniqueness constraints and indexes are created first (idempotent), then every write is a batched
  `UNWIND` in a managed transaction (`execute_write`); each batch commits as a whole.
- Each Model/Community/Cluster node stores `row_hash`, a digest of its properties and of the
  relationships it owns (author, tags, license, library, community, cluster / parent cluster).
  Only rows whose hash differs are written; nodes absent from the artifacts are DETACH DELETEd.
- SIMILAR_TO edges belong to their `source`, BASED_ON edges to their `child`: each model stores
  `similar_hash` / `lineage_hash` of the edges it owns, set in the same transaction as the edges.
  For models whose edge hash differs, the stored edges are read back and diffed: only added,
  removed or re-scored edges are written.
- Because a hash is only stored together with what it describes, a load that was interrupted (or
  failed half-way) is completed by running it again; loading twice changes nothing.
- Lineage endpoints missing from models.parquet become `Model {id, name, author, external: true}`
  so `BASED_ON` keeps pointing at the real base model.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.read import Artifacts, EdgeSet, NodeTable, read_artifacts
from constellation.loader.graph.stream import list_sizes, row_bounds

from constellation.errors import UserError

DEFAULT_BATCH_SIZE = cy.DEFAULT_BATCH_SIZE

OnBatch = Callable[[str, int], None]

log = logging.getLogger(__name__)


@dataclass
class _Writer:
    driver: Any
    database: str | None
    batch_size: int
    progress: bool
    on_batch: OnBatch | None
    timings: dict[str, float] = field(default_factory=dict)

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with self.driver.session(database=self.database) as session:
            return session.run(query, params).data()

    def write(self, work: Callable[[Any], Any]) -> Any:
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def batches(self, items: list[Any], desc: str) -> Iterator[list[Any]]:
        """`items` in batches of batch_size (see `chunks`)."""
        size = self.batch_size
        return self.chunks([items[lo : lo + size] for lo in range(0, len(items), size)], desc)

    def chunks(self, chunks: list[list[Any]], desc: str) -> Iterator[list[Any]]:
        """Yields each chunk; once the caller has written it, advances the progress bar (only
        with progress=True) and calls on_batch(desc, items done so far)."""
        from tqdm import tqdm

        total = sum(len(c) for c in chunks)
        with tqdm(
            total=total, desc=desc, unit="row", file=sys.stderr,
            disable=not self.progress or total == 0,
            leave=False, mininterval=0.5,
        ) as bar:  # fmt: skip
            done = 0
            for chunk in chunks:
                yield chunk
                done += len(chunk)
                bar.update(len(chunk))
                if self.on_batch:
                    self.on_batch(desc, done)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Adds the block's wall time to timings[name] (the load's per-stage report)."""
        log.debug("%s …", name)
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = self.timings.get(name, 0.0) + time.perf_counter() - start
            self.timings[name] = round(spent, 3)


def _diff(stored: dict[Any, str | None], wanted: dict[Any, str]) -> tuple[list, list, list, list]:
    """(new, changed, unchanged, absent) keys."""
    new, changed, unchanged = [], [], []
    for key, digest in wanted.items():
        if key not in stored:
            new.append(key)
        elif stored[key] != digest:
            changed.append(key)
        else:
            unchanged.append(key)
    absent = [key for key in stored if key not in wanted]
    return new, changed, unchanged, absent


def _sync_nodes(
    w: _Writer,
    label: str,
    nodes: NodeTable,
    stored: dict[Any, str | None],
    upsert: str,
    delete_own_rels: str | None,
) -> dict[str, int]:
    new, changed, unchanged, absent = _diff(stored, nodes.hashes)
    delete = cy.DELETE_NODES.format(label=label, key="id")
    for keys in w.batches(absent, f"delete {label}"):
        w.write(lambda tx, keys=keys: tx.run(delete, keys=keys).consume())
    todo = set(new) | set(changed)
    existed = set(changed)
    rows = [r for r, key in enumerate(nodes.keys) if key in todo]

    def work(tx: Any, chunk: list[int]) -> None:
        old = [nodes.keys[r] for r in chunk if nodes.keys[r] in existed]
        # a statement at a time stays under the server's query limit: unlinking 10k models
        # from popular tags in one passed its 30 s (a 1 % removal at 100k models)
        for lo in range(0, len(old) if delete_own_rels else 0, UNLINK_PAGE):
            tx.run(delete_own_rels, keys=old[lo : lo + UNLINK_PAGE]).consume()
        tx.run(upsert, nodes.params(chunk)).consume()

    # rows holding long lists (GroupTop, Term …) also cut by their items: a Bolt message is at
    # most 16 MB (ArcadeDB; 10k GroupTop rows of a 1M graph exceeded it and the load hung)
    sizes = list_sizes(list(nodes.props.values()), len(nodes.keys))[rows]
    ends = row_bounds(sizes, w.batch_size, WRITE_LIST_ITEMS)
    chunks = [rows[lo:hi] for lo, hi in zip([0, *ends], ends, strict=False)]
    for chunk in w.chunks(chunks, f"write {label}"):
        w.write(lambda tx, chunk=chunk: work(tx, chunk))
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(unchanged),
        "deleted": len(absent),
    }


@dataclass(frozen=True)
class _EdgeStatements:
    """The Cypher of one relationship type: read an owner's stored edges, create, update,
    delete."""

    name: str
    old: str
    create: str
    update: str
    delete: str


_SIMILAR_TO = _EdgeStatements(
    "SIMILAR_TO", cy.OLD_SIMILAR, cy.CREATE_SIMILAR, cy.UPDATE_SIMILAR, cy.DELETE_SIMILAR
)
_BASED_ON = _EdgeStatements(
    "BASED_ON", cy.OLD_BASED_ON, cy.CREATE_BASED_ON, cy.UPDATE_BASED_ON, cy.DELETE_BASED_ON
)


def _edge_key(edges: EdgeSet, owner: Any, edge: dict[str, Any]) -> tuple:
    return (owner, *(edge[f] for f in edges.key_fields))


def _stored_edges(
    tx: Any, edges: EdgeSet, st: _EdgeStatements, owners: list[Any]
) -> dict[tuple, dict[str, Any]]:
    """The stored edges of these owners by edge key."""
    old: dict[tuple, dict[str, Any]] = {}
    if owners:
        for rec in tx.run(st.old, keys=owners).data():
            owner = rec.pop(edges.owner)
            old[_edge_key(edges, owner, rec)] = rec
    return old


def _owner_changes(
    edges: EdgeSet, owner: Any, old: dict[tuple, dict[str, Any]], seen: set[tuple]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(new edges, re-scored edges) of one owner whose edges are stored; marks its keys seen."""
    value_fields = [f for f in edges.fields if f not in edges.key_fields]
    fresh, updates = [], []
    for edge in edges.edges_of(owner):
        key = _edge_key(edges, owner, edge)
        seen.add(key)
        if key not in old:
            fresh.append(edge)
        elif any(old[key].get(f) != edge[f] for f in value_fields):
            updates.append({edges.owner: owner, **edge})
    return fresh, updates


def _write_edges(
    tx: Any, edges: EdgeSet, st: _EdgeStatements, chunk: list[Any], existed: set[Any]
) -> dict[str, int]:
    """One transaction: make these owners' stored edges equal to `edges`, and their hashes."""
    old = _stored_edges(tx, edges, st, [k for k in chunk if k in existed])
    # Column-wise: per owner its hash and, per edge field, the list of its new edges.
    params: dict[str, list[Any]] = {"key": list(chunk), "hash": []}
    params.update({f: [] for f in edges.fields})
    updates: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    created = 0
    for owner in chunk:
        params["hash"].append(edges.hashes.get(owner))
        if owner not in existed:  # nothing stored yet: all its edges are new (first loads)
            lo, hi = edges.bounds.get(owner, (0, 0))
            for f in edges.fields:
                params[f].append(edges.values[f][lo:hi])
            created += hi - lo
            continue
        fresh, changed = _owner_changes(edges, owner, old, seen)
        updates += changed
        for f in edges.fields:
            params[f].append([e[f] for e in fresh])
        created += len(fresh)
    gone = [{edges.owner: key[0], **old[key]} for key in old if key not in seen]
    if gone:
        tx.run(st.delete, rows=gone).consume()
    if updates:
        tx.run(st.update, rows=updates).consume()
    tx.run(st.create, params).consume()
    return {"created": created, "updated": len(updates), "deleted": len(gone)}


def _owner_chunks(owners: list[Any], edges: EdgeSet, batch_size: int) -> list[list[Any]]:
    """Batches of owners holding about batch_size edges each."""
    chunks, chunk, size = [], [], 0
    for owner in owners:
        chunk.append(owner)
        lo_hi = edges.bounds.get(owner)
        size += 1 + (lo_hi[1] - lo_hi[0] if lo_hi else 0)
        if size >= batch_size:
            chunks.append(chunk)
            chunk, size = [], 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _sync_edges(
    w: _Writer,
    st: _EdgeStatements,
    edges: EdgeSet,
    owners: Iterable[Any],
    stored: dict[Any, str | None],
    existed: set[Any],
) -> dict[str, int]:
    """Make each dirty owner's stored edges equal to `edges`, diffing against what is stored."""
    dirty = [k for k in owners if stored.get(k) != edges.hashes.get(k)]
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for part in w.chunks(_owner_chunks(dirty, edges, w.batch_size), f"write {st.name}"):
        result = w.write(lambda tx, part=part: _write_edges(tx, edges, st, part, existed))
        for k, v in result.items():
            counts[k] += v
    counts["unchanged"] = len(edges) - counts["created"] - counts["updated"]
    return counts


# Changed nodes whose own links one statement drops (see _sync_nodes).
UNLINK_PAGE = 1_000
# List items (ids, tags …) per write: ~40 bytes each, well under a Bolt message's 16 MB.
WRITE_LIST_ITEMS = 100_000
# Stored hashes read per query: one query over every Model of a 1M graph ran past the local
# server's 30 s query limit (a traceback at the first refresh of 1M models); 100k rows take
# 4-11 s at 1M, SKIP included.
STORED_PAGE = 100_000


def _stored_hashes(w: _Writer, label: str) -> list[dict[str, Any]]:
    n = w.run(cy.COUNT_NODES.format(label=label))[0]["n"]
    if n == 0:
        return []  # a fresh graph: skip the full scan
    query = cy.MODEL_HASHES if label == "Model" else cy.NODE_HASHES.format(label=label, key="id")
    if n <= STORED_PAGE:
        return w.run(query)
    rows: list[dict[str, Any]] = []
    for skip in range(0, n, STORED_PAGE):  # in the scan's order: checked below, not assumed
        rows += w.run(query + " SKIP $skip LIMIT $limit", skip=skip, limit=STORED_PAGE)
    if len({r["key"] for r in rows}) != n:
        raise UserError(
            f"load: the graph's {label} nodes changed while their hashes were read in pages "
            "(another load running?); run the load again"
        )
    return rows


def _mark_unfinished(w: _Writer, build_id: str, exc: BaseException) -> None:
    """A load that raised: its Build says `interrupted` (Ctrl-C) or `failed` with the error,
    not `loading`. Best effort (auto-commit, no retries): the original error is what matters."""
    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    error = " ".join(f"{type(exc).__name__}: {exc}".split())
    try:
        w.run(cy.BUILD_FAILED, id=build_id, status=status, error=error[:500])
    except Exception:  # noqa: BLE001, S110 - the server may be what failed
        pass


@dataclass
class _Stored:
    """The hashes the graph holds, by node key."""

    models: dict[Any, str | None]
    similar: dict[Any, str | None]
    lineage: dict[Any, str | None]
    communities: dict[Any, str | None]
    clusters: dict[Any, str | None]
    serving: dict[str, dict[Any, str | None]] = field(default_factory=dict)  # label -> hashes


def _read_stored(w: _Writer) -> _Stored:
    with w.timed("read stored hashes"):
        models = _stored_hashes(w, "Model")
        return _Stored(
            models={r["key"]: r["row_hash"] for r in models},
            similar={r["key"]: r["similar_hash"] for r in models},
            lineage={r["key"]: r["lineage_hash"] for r in models},
            communities={r["key"]: r["row_hash"] for r in _stored_hashes(w, "Community")},
            clusters={r["key"]: r["row_hash"] for r in _stored_hashes(w, "Cluster")},
            serving={
                label: {r["key"]: r["row_hash"] for r in _stored_hashes(w, label)}
                for label in cy.SERVING_LABELS
            },
        )


def _sync_all_nodes(w: _Writer, art: Artifacts, stored: _Stored) -> dict[str, Any]:
    """Communities, then clusters, then models (which link to both); counts per kind."""
    counts: dict[str, Any] = {}
    with w.timed("communities"):
        upsert = cy.upsert_communities(list(art.communities.props))
        counts["communities"] = _sync_nodes(
            w, "Community", art.communities, stored.communities, upsert, None
        )
    with w.timed("clusters"):
        upsert = cy.upsert_clusters(list(art.clusters.props))
        counts["clusters"] = _sync_nodes(
            w, "Cluster", art.clusters, stored.clusters, upsert, cy.DELETE_CLUSTER_OWN_RELS
        )
    with w.timed("models"):
        upsert = cy.upsert_models(list(art.models.props)) + cy.MODEL_JOIN_LINKS
        counts["models"] = _sync_nodes(
            w, "Model", art.models, stored.models, upsert, cy.DELETE_MODEL_OWN_RELS
        )
    counts["models"]["external"] = art.external
    with w.timed("summaries"):
        summary: dict[str, int] = {}
        for label in cy.SERVING_LABELS:
            table = art.serving[label]
            upsert = cy.upsert_plain(label, list(table.props))
            done = _sync_nodes(w, label, table, stored.serving.get(label, {}), upsert, None)
            for k, v in done.items():
                summary[k] = summary.get(k, 0) + v
        counts["summaries"] = summary
    return counts


def _delete_orphans(w: _Writer) -> None:
    """Authors, tags, licences and libraries no model links to any more."""
    with w.timed("orphans"):
        for label, rel in (
            ("Author", "PUBLISHED_BY"),
            ("Tag", "TAGGED"),
            ("License", "LICENSED_UNDER"),
            ("Library", "USES_LIBRARY"),
        ):
            query = cy.DELETE_ORPHANS.format(label=label, rel=rel)
            w.write(lambda tx, q=query: tx.run(q).consume())


def _sync_graph(w: _Writer, art: Artifacts, build_id: str) -> dict[str, Any]:
    """Make nodes and edges equal to the artifacts; returns the counts per kind."""
    stored = _read_stored(w)
    join_counts = _sync_join_nodes(w, art, stored)
    counts: dict[str, Any] = {"build_id": build_id, **_sync_all_nodes(w, art, stored)}
    counts.update(join_counts)
    if counts["models"]["updated"] or counts["models"]["deleted"]:
        _delete_orphans(w)
        _delete_join_orphans(w)
    counts["skipped_columns"] = art.skipped_columns
    owners = art.models.keys
    existed = {k for k in stored.models if k in art.models.hashes}
    with w.timed("similar_to"):
        counts["similar_to"] = _sync_edges(
            w, _SIMILAR_TO, art.similar, owners, stored.similar, existed
        )
    with w.timed("based_on"):
        counts["based_on"] = _sync_edges(
            w, _BASED_ON, art.lineage, owners, stored.lineage, existed
        )
    with w.timed("likely_based_on"):
        counts["likely_based_on"] = _sync_inferred(w, art, owners, existed)
    counts["spaces"] = _sync_spaces(w, art)
    return counts


# --- inferred lineage: LIKELY_BASED_ON (loader/lineage; cypher in writer_cypher.py) ----------

_LIKELY_BASED_ON = _EdgeStatements(
    "LIKELY_BASED_ON", cy.OLD_LIKELY, cy.CREATE_LIKELY, cy.UPDATE_LIKELY, cy.DELETE_LIKELY
)


def _sync_inferred(
    w: _Writer, art: Artifacts, owners: list[Any], existed: set[Any]
) -> dict[str, int]:
    """Make the stored likely links equal to inferred_lineage.parquet (none without it).

    Only children that hold likely links are read back; one whose hash a row rewrite dropped
    counts as stale, so its links are diffed again rather than left behind."""
    stored: dict[Any, str | None] = {}
    if w.run(cy.COUNT_LIKELY)[0]["n"]:
        stored = {r["key"]: r["inferred_hash"] or "stale" for r in w.run(cy.LIKELY_OWNERS)}
    return _sync_edges(w, _LIKELY_BASED_ON, art.inferred, owners, stored, existed)


# --- joins with datasets, papers, tasks and Spaces (issue 14) -------------------------------


def _sync_join_nodes(w: _Writer, art: Artifacts, stored: _Stored) -> dict[str, Any]:
    """Before the models: Dataset nodes (the models' TRAINED_ON MERGE finds them), and the
    join links of every model about to be rewritten dropped (its upsert creates them again).
    Dropping first in its own transaction is safe: the model's hash changes only with its row."""
    counts: dict[str, Any] = {}
    with w.timed("datasets"):
        if art.datasets is not None:
            stored_datasets = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Dataset")}
            upsert = cy.upsert_datasets(list(art.datasets.props))
            counts["datasets"] = _sync_nodes(
                w, "Dataset", art.datasets, stored_datasets, upsert, None
            )
    with w.timed("model joins"):
        old = stored.models
        changed = [k for k, h in art.models.hashes.items() if k in old and old[k] != h]
        for keys in w.batches(changed, "drop model joins"):
            w.write(lambda tx, keys=keys: tx.run(cy.DELETE_MODEL_JOIN_RELS, keys=keys).consume())
    return counts


def _sync_spaces(w: _Writer, art: Artifacts) -> dict[str, int]:
    """After the models: Space nodes and the USES links they own."""
    if art.spaces is None:
        return {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    with w.timed("spaces"):
        stored = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Space")}
        upsert = cy.upsert_spaces(list(art.spaces.props))
        return _sync_nodes(w, "Space", art.spaces, stored, upsert, cy.DELETE_SPACE_OWN_RELS)


def _delete_join_orphans(w: _Writer) -> None:
    """Papers and tasks no model cites or is for any more (datasets follow datasets.parquet)."""
    with w.timed("orphans"):
        for label, rel in cy.JOIN_ORPHANS:
            query = cy.DELETE_ORPHANS.format(label=label, rel=rel)
            w.write(lambda tx, q=query: tx.run(q).consume())


def load_artifacts(
    driver: Any,
    artifacts_dir: str | Path,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    on_batch: OnBatch | None = None,
) -> dict[str, Any]:
    """Make the graph equal to the artifacts in `artifacts_dir`; returns counts per kind.

    `on_batch(stage, rows_done)` is called after each committed batch (progress hooks, tests);
    progress=True shows tqdm bars on stderr.
    """
    if batch_size < 1:
        raise UserError(f"--batch-size {batch_size}: must be at least 1")
    started = time.perf_counter()
    w = _Writer(driver, database, batch_size, progress, on_batch)
    with w.timed("read artifacts"):
        art = read_artifacts(artifacts_dir)
    build_id = str(art.manifest["build_id"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    with w.timed("schema"):
        for statement in (*cy.CONSTRAINTS, *cy.INDEXES):
            w.run(statement)

    def start(tx: Any) -> None:
        tx.run(cy.BUILDS_NOT_CURRENT).consume()  # the graph leaves the build it held
        manifest = json.dumps(art.manifest, sort_keys=True, default=str)
        tx.run(cy.BUILD_STARTED, id=build_id, started_at=now, manifest=manifest).consume()

    w.write(start)
    try:
        counts = _sync_graph(w, art, build_id)
    except BaseException as exc:  # Ctrl-C included: the Build says why it stopped, re-raised
        _mark_unfinished(w, build_id, exc)
        raise
    counts["seconds"] = round(time.perf_counter() - started, 3)
    counts["timings"] = dict(w.timings)
    loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    w.write(
        lambda tx: tx.run(
            cy.BUILD_DONE,
            id=build_id,
            loaded_at=loaded_at,
            counts=json.dumps(counts, sort_keys=True),
        ).consume()
    )
    return counts


def summary(counts: dict[str, Any]) -> str:
    """Counts as a few human lines (printed by `constellation load`)."""
    lines = [f"loaded build {counts['build_id']} in {counts['seconds']:.1f} s"]
    kinds = ("models", "communities", "clusters", "summaries", "similar_to", "based_on",
             "likely_based_on")
    for kind in (k for k in kinds if k in counts):
        c = counts[kind]
        extra = f" (external: {c['external']:,})" if "external" in c else ""
        lines.append(
            f"  {kind:<12} created {c['created']:>9,}  updated {c['updated']:>7,}  "
            f"unchanged {c['unchanged']:>9,}  deleted {c['deleted']:>7,}{extra}"
        )
    for kind in ("datasets", "spaces"):  # joins (issue 14)
        if kind in counts:
            c = counts[kind]
            lines.append(
                f"  {kind:<12} created {c['created']:>9,}  updated {c['updated']:>7,}  "
                f"unchanged {c['unchanged']:>9,}  deleted {c['deleted']:>7,}"
            )
    if counts.get("skipped_columns"):
        lines.append(f"  not stored (not plain names): {', '.join(counts['skipped_columns'])}")
    return "\n".join(lines)
