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
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.read import (
    Artifacts,
    EdgeSet,
    NodeTable,
    Tables,
    artifacts,
    read_tables,
)
from constellation.loader.graph.stream import list_sizes, row_bounds
from neo4j.exceptions import Neo4jError

from constellation.errors import UserError, at_time_limit

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
    partial: dict[Any, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Write new and changed rows, delete absent ones; `partial`: changed keys whose links are
    partly as stored -> the statements that write their row instead of dropping every link it
    owns and making them again (a refresh: refresh.ArtifactDiff.kept_links)."""
    new, changed, unchanged, absent = _diff(stored, nodes.hashes)
    delete = cy.DELETE_NODES.format(label=label, key="id")

    # A page a transaction: each edge a deleted model had is found by walking the edge list of
    # its other end (a popular tag's, licence's), so 10,000 models in one statement passed the
    # server's 30 s at 1M models (a 1 % removal), and in one transaction of 100 statements the
    # server dropped it after 15 min. Deleting is idempotent: a stopped load deletes the rest.
    pages = [absent[lo : lo + UNLINK_PAGE] for lo in range(0, len(absent), UNLINK_PAGE)]
    for keys in w.chunks(pages, f"delete {label}"):
        _halving(w, keys, lambda tx, part: tx.run(delete, keys=part).consume())
    todo = set(new) | set(changed)
    existed = set(changed)
    rows = [r for r, key in enumerate(nodes.keys) if key in todo]
    partial = partial or {}

    def work(tx: Any, chunk: list[int], page: int = UNLINK_PAGE) -> None:
        by_statements: dict[tuple[str, ...], list[int]] = {}
        whole = []
        for r in chunk:
            if nodes.keys[r] in existed and nodes.keys[r] in partial:
                by_statements.setdefault(partial[nodes.keys[r]], []).append(r)
            else:
                whole.append(r)
        for statements, some in by_statements.items():
            # relinks walk edge lists too; setting properties does not, so those go whole
            # (the downloads of 10k models at 1M: 101 statements took 1.6-2.1 s, one 1.1-1.2 s)
            step = page if _WALKS.intersection(statements) else len(some)
            for lo in range(0, len(some), step):
                for statement in statements:
                    tx.run(statement, nodes.params(some[lo : lo + step])).consume()
        chunk = whole
        old = [nodes.keys[r] for r in chunk if nodes.keys[r] in existed]
        # a statement at a time stays under the server's query limit: unlinking 10k models
        # from popular tags in one passed its 30 s (a 1 % removal at 100k models)
        for lo in range(0, len(old) if delete_own_rels else 0, page):
            tx.run(delete_own_rels, keys=old[lo : lo + page]).consume()
        if chunk:
            tx.run(upsert, nodes.params(chunk)).consume()

    def written(chunk: list[int]) -> None:  # unlinks in smaller pages if one hits the limit
        page = UNLINK_PAGE
        while True:
            try:
                return w.write(lambda tx, page=page: work(tx, chunk, page))
            except Neo4jError as exc:
                if not at_time_limit(exc) or page == 1:
                    raise
                page = max(1, page // 2)  # the transaction was rolled back: redo it all

    # rows holding long lists (GroupTop, Term …) also cut by their items: a Bolt message is at
    # most 16 MB (ArcadeDB; 10k GroupTop rows of a 1M graph exceeded it and the load hung)
    sizes = list_sizes(list(nodes.props.values()), len(nodes.keys))[rows]
    ends = row_bounds(sizes, w.batch_size, WRITE_LIST_ITEMS)
    chunks = [rows[lo:hi] for lo, hi in zip([0, *ends], ends, strict=False)]
    for chunk in w.chunks(chunks, f"write {label}"):
        written(chunk)
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
    """The stored edges of these owners by edge key (`st.old` gives each owner's edges as
    lists of `edges.fields` values)."""
    old: dict[tuple, dict[str, Any]] = {}
    if owners:
        for rec in tx.run(st.old, keys=owners):
            owner = rec["owner"]
            for values in rec["edges"]:
                edge = dict(zip(edges.fields, values, strict=True))
                old[_edge_key(edges, owner, edge)] = edge
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
    """One transaction: make these owners' stored edges equal to `edges`, and their hashes.
    The stored edges are read back in the same transaction, also in a refresh: taking the
    previous build's instead (50 s less for 1 % more models at 1M) made ArcadeDB report
    dangling edge pointers while it deleted (bench/results/load.md)."""
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


# Nodes one statement deletes, or whose own links it drops or remakes (see _sync_nodes): ArcadeDB
# removes an edge by walking the other end's edge list, so at 1M models deleting one took ~89 ms
# and dropping its own links ~57 ms (popular tags, libraries, the task); 1,000 passed the
# server's 30 s (bench/results/load.md), and so did a page of 100 once (`_halving`).
UNLINK_PAGE = 100
# the statements that walk the edge lists of a link's other end (RELINK_MODELS' drops and makes)
_WALKS = frozenset(st for pair in cy.RELINK_MODELS.values() for st in pair)


def _halving(w: _Writer, keys: list[Any], work: Callable[[Any, list[Any]], Any]) -> None:
    """work(tx, keys) in one transaction; if the server stops it at its time limit, each half
    in its own, and so on down to one key (then the error stands). For idempotent work only:
    a half already committed is not undone when the other fails."""
    try:
        w.write(lambda tx: work(tx, keys))
    except Neo4jError as exc:
        if not at_time_limit(exc) or len(keys) == 1:
            raise
        half = len(keys) // 2
        _halving(w, keys[:half], work)
        _halving(w, keys[half:], work)


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
    # None: read from the graph when needed (the full path); a refresh gives them
    datasets: dict[Any, str | None] | None = None
    spaces: dict[Any, str | None] | None = None
    inferred: dict[Any, str | None] | None = None
    orphans: dict[str, list[Any]] | None = None  # label -> the only keys that may be orphaned
    # models whose links are as stored but for these (refresh.ArtifactDiff.kept_links)
    relinked: dict[Any, tuple[str, ...]] = field(default_factory=dict)
    # clusters whose CHILD_OF link is as stored: their properties alone are written
    same_parent: set[Any] = field(default_factory=set)
    # kind -> stored rows -> the properties that differ, set alone (refresh.changed_props)
    changed_props: dict[str, dict[Any, tuple[str, ...]]] = field(default_factory=dict)


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
    def setting(label: str, kind: str, names: list[str], key: Any, whole: str) -> str:
        changed = stored.changed_props.get(kind, {}).get(key)
        return cy.set_props(label, names, changed) if changed else whole

    with w.timed("communities"):
        names = list(art.communities.props)
        upsert = cy.upsert_communities(names)
        counts["communities"] = _sync_nodes(
            w, "Community", art.communities, stored.communities, upsert, None,
            {k: (cy.set_props("Community", names, changed),)
             for k, changed in stored.changed_props.get("communities", {}).items() if changed},
        )  # fmt: skip
    with w.timed("clusters"):
        names = list(art.clusters.props)
        upsert, update = cy.upsert_clusters(names), cy.update_clusters(names)
        counts["clusters"] = _sync_nodes(
            w, "Cluster", art.clusters, stored.clusters, upsert, cy.DELETE_CLUSTER_OWN_RELS,
            {k: (setting("Cluster", "clusters", names, k, update),) for k in stored.same_parent},
        )  # fmt: skip
    with w.timed("models"):
        names = list(art.models.props)
        upsert = cy.upsert_models(names) + cy.MODEL_JOIN_LINKS
        update = cy.update_models(names)
        partial = {
            key: (setting("Model", "models", names, key, update),
                  *(st for name in links for st in cy.RELINK_MODELS[name]))
            for key, links in stored.relinked.items()
        }  # fmt: skip
        counts["models"] = _sync_nodes(
            w, "Model", art.models, stored.models, upsert, cy.DELETE_MODEL_OWN_RELS, partial
        )
    counts["models"]["external"] = art.external
    return counts


def _sync_summaries(w: _Writer, art: Artifacts, stored: _Stored) -> dict[str, int]:
    """The serving rows (Term, GroupTop, …): nodes without links, written last (a refresh
    computes them while the writes before run: `_Background`)."""
    summary: dict[str, int] = {}
    with w.timed("summaries"):
        for label in cy.SERVING_LABELS:
            table = art.serving[label]
            upsert = cy.upsert_plain(label, list(table.props))
            done = _sync_nodes(w, label, table, stored.serving.get(label, {}), upsert, None)
            for k, v in done.items():
                summary[k] = summary.get(k, 0) + v
    return summary


def _delete_orphans(
    w: _Writer, pairs: tuple[tuple[str, str], ...], only: dict[str, list[Any]] | None
) -> None:
    """Nodes of these (label, relationship) pairs that no model links to any more; `only`:
    among these keys per label (a refresh), not every node of the label."""
    with w.timed("orphans"):
        for label, rel in pairs:
            if only is None:
                query = cy.DELETE_ORPHANS.format(label=label, rel=rel)
                w.write(lambda tx, q=query: tx.run(q).consume())
                continue
            query = cy.DELETE_ORPHANS_OF.format(label=label, rel=rel, key=ORPHAN_KEYS[label])
            for keys in w.batches(only.get(label, []), f"orphan {label}"):
                w.write(lambda tx, q=query, keys=keys: tx.run(q, keys=keys).consume())


# Link targets a model's rewrite or deletion can leave orphaned: their key property
ORPHAN_KEYS = {"Author": "name", "Tag": "name", "License": "name", "Library": "name",
               "Paper": "arxiv_id", "Task": "name"}  # fmt: skip
LINK_ORPHANS = (
    ("Author", "PUBLISHED_BY"), ("Tag", "TAGGED"), ("License", "LICENSED_UNDER"),
    ("Library", "USES_LIBRARY"),
)  # fmt: skip


def _sync_graph(
    w: _Writer, art: Artifacts, build_id: str, stored: _Stored,
    owners: list[Any] | None = None, existed: set[Any] | None = None,
    serving: _Background | None = None,
) -> dict[str, Any]:
    """Make nodes and edges equal to the artifacts, `stored` being the graph's hashes (for a
    refresh: those of the candidate rows, with the `owners` of edges that may differ and the
    ones of them the graph holds, and its `serving` rows and their keys still being made);
    returns the counts per kind."""
    join_counts = _sync_join_nodes(w, art, stored)
    counts: dict[str, Any] = {"build_id": build_id, **_sync_all_nodes(w, art, stored)}
    counts.update(join_counts)
    if counts["models"]["updated"] or counts["models"]["deleted"]:
        _delete_orphans(w, (*LINK_ORPHANS, *cy.JOIN_ORPHANS), stored.orphans)
    counts["skipped_columns"] = art.skipped_columns
    if owners is None or existed is None:
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
        counts["likely_based_on"] = _sync_inferred(w, art, owners, existed, stored.inferred)
    counts["spaces"] = _sync_spaces(w, art, stored.spaces)
    if serving is not None:
        with w.timed("serving rows"):  # what is left of making them once the writes are done
            art.serving, keys = serving.result()
        _read_stored_serving(w, stored, keys)
    counts["summaries"] = _sync_summaries(w, art, stored)
    return counts


# --- inferred lineage: LIKELY_BASED_ON (loader/lineage; cypher in writer_cypher.py) ----------

_LIKELY_BASED_ON = _EdgeStatements(
    "LIKELY_BASED_ON", cy.OLD_LIKELY, cy.CREATE_LIKELY, cy.UPDATE_LIKELY, cy.DELETE_LIKELY
)


def _sync_inferred(
    w: _Writer, art: Artifacts, owners: list[Any], existed: set[Any],
    stored: dict[Any, str | None] | None = None,
) -> dict[str, int]:
    """Make the stored likely links equal to inferred_lineage.parquet (none without it).

    Only children that hold likely links are read back; one without a hash (a graph loaded
    before row rewrites kept it) counts as stale, so its links are diffed again rather than
    left behind."""
    if stored is None:
        stored = {}
        if w.run(cy.COUNT_LIKELY)[0]["n"]:
            stored = {r["key"]: r["inferred_hash"] or "stale" for r in w.run(cy.LIKELY_OWNERS)}
    return _sync_edges(w, _LIKELY_BASED_ON, art.inferred, owners, stored, existed)


# --- joins with datasets, papers, tasks and Spaces (issue 14) -------------------------------


def _sync_join_nodes(w: _Writer, art: Artifacts, stored: _Stored) -> dict[str, Any]:
    """Before the models: Dataset nodes (the models' TRAINED_ON MERGE finds them), and the
    join links of every model about to be rewritten dropped (its upsert creates them again).
    Dropping first in its own transaction is safe: the model's row hash is dropped with them, so
    a load stopped before the rewrite rewrites the model when rerun."""
    counts: dict[str, Any] = {}
    with w.timed("datasets"):
        if art.datasets is not None:
            stored_datasets = stored.datasets
            if stored_datasets is None:
                stored_datasets = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Dataset")}
            upsert = cy.upsert_datasets(list(art.datasets.props))
            counts["datasets"] = _sync_nodes(
                w, "Dataset", art.datasets, stored_datasets, upsert, None
            )
    with w.timed("model joins"):
        old = stored.models
        changed = [k for k, h in art.models.hashes.items()
                   if k in old and old[k] != h and k not in stored.relinked]  # fmt: skip
        for keys in w.batches(changed, "drop model joins"):
            w.write(lambda tx, keys=keys: tx.run(cy.DELETE_MODEL_JOIN_RELS, keys=keys).consume())
    return counts


def _sync_spaces(
    w: _Writer, art: Artifacts, stored: dict[Any, str | None] | None = None
) -> dict[str, int]:
    """After the models: Space nodes and the USES links they own."""
    if art.spaces is None:
        return {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    with w.timed("spaces"):
        if stored is None:
            stored = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Space")}
        upsert = cy.upsert_spaces(list(art.spaces.props))
        return _sync_nodes(w, "Space", art.spaces, stored, upsert, cy.DELETE_SPACE_OWN_RELS)


def _previous(
    w: _Writer, previous: Path | None, full: bool
) -> tuple[Path | None, str, dict[str, Any]]:
    """The previous build's folder when a refresh may diff against it, else None; why; and
    the counts its load stored ({} when none)."""
    from constellation.loader.graph.refresh import changed_files, previous_build

    if full:
        return None, "full load (--full)", {}
    rows = w.run(cy.CURRENT_BUILD)
    if not rows:
        if previous is not None:  # still checked: a wrong folder is the user's to know
            previous_build(previous, explicit=True)
        return None, "full load: the graph holds no complete build", {}
    current, folder = str(rows[0]["id"]), rows[0]["artifacts"]
    if previous is None and not folder:
        return None, f"full load: build {current} in the graph records no artifacts folder", {}
    path = previous or Path(folder)
    found = previous_build(path, explicit=previous is not None)
    if found is None:
        return None, f"full load: {path} (build {current} was loaded from it) holds no build", {}
    if found != current:
        return None, f"full load: {path} holds build {found}, the graph holds {current}", {}
    # the folder must be as it was loaded (infer-lineage rewrites a table in place); one the
    # user names may be a copy (other times): its sizes must match, else it is not that build
    changed = changed_files(rows[0]["files"], path, times=previous is None)
    if changed and previous is not None:
        raise UserError(
            f"--previous {path}: {', '.join(changed)} differ from the files build {current} "
            "was loaded from"
        )
    if changed:
        return None, (f"full load: the files of build {current} in {path} changed since it "
                      f"was loaded ({', '.join(changed)})"), {}  # fmt: skip
    try:
        before = json.loads(rows[0]["counts"] or "{}")
    except (TypeError, ValueError):
        before = {}
    return path, f"refresh: diffed against build {current} ({path})", before


def _read_previous(w: _Writer, previous: Path, explicit: bool) -> tuple[Tables | None, str | None]:
    """The previous build's tables; (None, why) when they cannot be read (an error when the
    user named them). Its references are not checked again unless the user named it: then it
    may be a copy (`_previous` compares sizes), else its files are as they were loaded."""
    try:
        with w.timed("read previous artifacts"):
            return read_tables(previous, checked=not explicit), None
    except UserError as exc:
        if explicit:
            raise UserError(f"--previous {previous}: {exc}") from exc
        return None, f"full load: the previous build's artifacts are unreadable ({exc})"


class _Background:
    """A function run in a daemon thread while the caller goes on; `result()` waits for it and
    raises what it raised. Daemon: a Ctrl-C of the load does not wait for it."""

    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(fn,), name=name, daemon=True).start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self._value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


def _read_stored_serving(w: _Writer, stored: _Stored, keys: dict[str, list[Any]]) -> None:
    """The graph's hashes of these serving rows (a refresh's, by key) into `stored.serving`."""
    with w.timed("read stored hashes"):
        for label, some in keys.items():
            query = cy.NODE_HASHES_OF.format(label=label)
            size = w.batch_size
            stored.serving[label] = {
                r["key"]: r["row_hash"]
                for lo in range(0, len(some), size) for r in w.run(query, keys=some[lo:lo + size])
            }  # fmt: skip


def _refresh_stored(w: _Writer, diff: Any) -> _Stored:
    """The previous build's hashes of the candidate rows as the stored side; the serving labels
    recomputed whole are diffed with the graph's hashes (the others' are read by key once
    `serving_diff` has named them: `_read_stored_serving`)."""
    from constellation.loader.graph.refresh import WHOLE_SERVING

    s = diff.stored
    serving: dict[str, dict[Any, str | None]] = {}
    with w.timed("read stored hashes"):
        for label in WHOLE_SERVING:
            serving[label] = {r["key"]: r["row_hash"] for r in _stored_hashes(w, label)}
    return _Stored(
        models=s["models"], similar=s["similar"], lineage=s["lineage"],
        communities=s["communities"], clusters=s["clusters"], serving=serving,
        datasets=s["datasets"], spaces=s["spaces"], inferred=s["inferred"],
        orphans=diff.orphans, relinked=diff.relinked, same_parent=diff.same_parent,
        changed_props=diff.changed_props,
    )  # fmt: skip


# a refresh's edge kinds -> their relationship type
_EDGE_TYPES = {"similar_to": "SIMILAR_TO", "based_on": "BASED_ON",
               "likely_based_on": "LIKELY_BASED_ON"}  # fmt: skip


def _edge_total(
    w: _Writer, kind: str, before: dict[str, Any], now: dict[str, Any], cascaded: int | None
) -> int:
    """The graph's edges of a kind after a refresh: those the previous load left (its counts
    on the Build node) + created - deleted - those deleted models took with them (`cascaded`,
    from the previous build's artifacts); counted in the graph (4 s a type at 1M models on
    ArcadeDB, which scans for it) when the previous counts are missing, or models were deleted
    and `cascaded` is not known."""
    left = before.get(kind)
    parts = ("created", "updated", "unchanged")
    deleted = now["models"]["deleted"]
    if ((not deleted or cascaded is not None) and isinstance(left, dict)
            and all(isinstance(left.get(x), int) for x in parts)):  # fmt: skip
        made = now[kind]["created"] - now[kind]["deleted"] - (cascaded if deleted else 0)
        return sum(left[x] for x in parts) + made
    return int(w.run(cy.COUNT_EDGES.format(type=_EDGE_TYPES[kind]))[0]["n"])


def _refresh_counts(
    w: _Writer, counts: dict[str, Any], totals: dict[str, int], before: dict[str, Any],
    cascaded: dict[str, int],
) -> None:
    """Unchanged = the new build's rows - created - updated: a refresh only saw its
    candidates. The edges' totals follow from the previous load's (`before`, its counts) and
    `cascaded` (refresh.ArtifactDiff's), the summaries' are the graph's counts after the load."""
    for kind in _EDGE_TYPES:
        total = _edge_total(w, kind, before, counts, cascaded.get(kind))
        totals = {**totals, kind: total}
    for kind, total in totals.items():
        c = counts[kind]
        c["unchanged"] = total - c["created"] - c["updated"]
    n = sum(w.run(cy.COUNT_NODES.format(label=label))[0]["n"] for label in cy.SERVING_LABELS)
    c = counts["summaries"]
    c["unchanged"] = n - c["created"] - c["updated"]


def load_artifacts(
    driver: Any,
    artifacts_dir: str | Path,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    on_batch: OnBatch | None = None,
    previous: str | Path | None = None,
    full: bool = False,
) -> dict[str, Any]:
    """Make the graph equal to the artifacts in `artifacts_dir`; returns counts per kind.

    When the graph holds a complete build whose artifacts are still in the folder it was loaded
    from (or in `previous`), the load is a refresh: it diffs the two builds' artifacts and
    writes what differs (refresh.py), without reading every row and stored hash. Otherwise, or
    with full=True, it diffs every row with the graph. `counts["path"]` says which and why.
    `on_batch(stage, rows_done)` is called after each committed batch (progress hooks, tests);
    progress=True shows tqdm bars on stderr.
    """
    from constellation.loader.graph.refresh import fingerprint

    if batch_size < 1:
        raise UserError(f"--batch-size {batch_size}: must be at least 1")
    started = time.perf_counter()
    w = _Writer(driver, database, batch_size, progress, on_batch)
    files = fingerprint(artifacts_dir) if Path(artifacts_dir).is_dir() else "[]"  # before reading
    with w.timed("schema"):
        for statement in (*cy.CONSTRAINTS, *cy.INDEXES):
            w.run(statement)
    prev = Path(previous) if previous is not None else None
    # before the Build below leaves the current one
    folder, path, before = _previous(w, prev, full)
    old = None
    if folder is not None:  # read first: the new build's checks skip what equals it
        old, why = _read_previous(w, folder, explicit=prev is not None)
        path = why or path
    with w.timed("read artifacts"):
        tables = read_tables(artifacts_dir, like=old)
    build_id = str(tables.manifest["build_id"])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    diff = None
    if old is not None:
        from constellation.loader.graph.refresh import artifact_diff

        with w.timed("diff artifacts"):
            diff = artifact_diff(old, tables)

    def start(tx: Any) -> None:
        tx.run(cy.BUILDS_NOT_CURRENT).consume()  # the graph leaves the build it held
        manifest = json.dumps(tables.manifest, sort_keys=True, default=str)
        tx.run(
            cy.BUILD_STARTED, id=build_id, started_at=now, manifest=manifest,
            artifacts=str(Path(artifacts_dir).resolve()), files=files,
        ).consume()  # fmt: skip

    try:
        if diff is not None:
            from constellation.loader.graph.refresh import serving_diff

            serving = _Background(
                lambda: serving_diff(old, tables, diff.affected), "serving rows"
            )  # fmt: skip
            stored = _refresh_stored(w, diff)
            w.write(start)
            counts = _sync_graph(
                w, diff.art, build_id, stored, diff.owners, diff.existed, serving
            )
            with w.timed("counts"):
                _refresh_counts(w, counts, diff.totals, before, diff.cascaded)
            counts["candidates"] = diff.candidates
        else:
            with w.timed("read artifacts"):
                art = artifacts(tables)
            stored = _read_stored(w)
            w.write(start)
            counts = _sync_graph(w, art, build_id, stored)
    except BaseException as exc:  # Ctrl-C included: the Build says why it stopped, re-raised
        _mark_unfinished(w, build_id, exc)
        raise
    counts["path"] = path
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
    if counts.get("path"):
        lines.append(f"  {counts['path']}")
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
