"""Artifacts -> graph: make the graph equal to a build's artifacts, writing only what changed.

    from constellation.graph import GraphConfig, connect
    from constellation.loader.graph.writer import load_artifacts

    config = GraphConfig.from_env()
    with connect(config) as driver:
        counts = load_artifacts(driver, "artifacts/", database=config.database)
    counts["models"]   # {"created": …, "updated": …, "unchanged": …, "deleted": …}

or `constellation load --artifacts DIR [--batch-size N]`. Schema: docs/design.md ("Graph").

How it stays correct and cheap:
- Everything is read and checked before the graph is touched: a missing file or column, duplicate
  ids or dangling references raise `UserError` naming the file/column, and nothing is written.
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

import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from constellation.loader.artifacts import COLUMN_KINDS, MANIFEST, REQUIRED_COLUMNS, check_build
from constellation.loader.graph import writer_cypher as cy

from constellation.errors import UserError

DEFAULT_BATCH_SIZE = cy.DEFAULT_BATCH_SIZE


# Model columns that become relationships as well as properties: column -> row field.
_NAMED_LINKS = {"author": "author", "tags": "tags", "license": "license", "library_name": "library"}
_BOOKKEEPING = ("row_hash", "similar_hash", "lineage_hash")

OnBatch = Callable[[str, int], None]


# --- reading and checking the artifacts (pure) -----------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class NodeTable:
    """Node rows column-wise, ready for a columnar UPSERT statement."""

    keys: list[Any]
    props: dict[str, list[Any]]  # property name -> one value per row (None = absent)
    links: dict[str, list[list[Any]]]  # link parameter -> per row, the 0..n link targets
    hashes: dict[Any, str] = field(default_factory=dict)

    def params(self, rows: list[int]) -> dict[str, list[Any]]:
        """Statement parameters for these row positions: $key, $p0…, link lists."""
        out: dict[str, list[Any]] = {"key": [self.keys[r] for r in rows]}
        for n, values in enumerate(self.props.values()):
            out[f"p{n}"] = [values[r] for r in rows]
        for name, values in self.links.items():
            out[name] = [values[r] for r in rows]
        return out


@dataclass
class EdgeSet:
    """Edges grouped by the node that owns them (sorted by owner)."""

    frame: pd.DataFrame  # owner column first, then the edge fields
    owner: str
    fields: tuple[str, ...]
    key_fields: tuple[str, ...]  # with the owner: identifies one edge
    bounds: dict[Any, tuple[int, int]] = field(default_factory=dict)
    hashes: dict[Any, str] = field(default_factory=dict)
    values: dict[str, list[Any]] = field(default_factory=dict)  # field -> Python values

    def edges_of(self, owner: Any) -> list[dict[str, Any]]:
        lo, hi = self.bounds.get(owner, (0, 0))
        cols = [self.values[f][lo:hi] for f in self.fields]
        return [dict(zip(self.fields, vals, strict=True)) for vals in zip(*cols, strict=True)]

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class Artifacts:
    manifest: dict[str, Any]
    models: NodeTable
    communities: NodeTable
    clusters: NodeTable
    similar: EdgeSet
    lineage: EdgeSet
    external: int  # stub models added for lineage endpoints
    skipped_columns: list[str]


def _read_parquet(folder: Path, name: str, build_id: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise UserError(f"--artifacts {folder}: {name} is missing (run `constellation build`)")
    check_build(path, build_id)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise UserError(f"{path}: not a readable Parquet file ({exc})") from exc
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}")
    for col, kind in COLUMN_KINDS.get(name, {}).items():
        _check_kind(path, frame[col], kind)
    return frame


def _check_kind(path: Path, column: pd.Series, kind: str) -> None:
    """UserError naming the column, its type and its first value unless it holds `kind`."""
    if pd.api.types.is_bool_dtype(column):
        ok = False
    elif kind == "integers":
        ok = pd.api.types.is_integer_dtype(column)
    else:
        ok = pd.api.types.is_numeric_dtype(column)
    values = column.dropna()
    if ok or values.empty:  # a column of missing values only has no type to check
        return
    text = pd.api.types.is_string_dtype(column) or all(isinstance(v, str) for v in values[:100])
    got = "text" if text else str(column.dtype)
    row = int(column.index.get_loc(values.index[0]))
    raise UserError(
        f"{path}: column {column.name}: expected {kind}, got {got} (row {row}: {values.iloc[0]!r})"
    )


def _fail_dangling(path: Path, column: str, values: Iterable[Any], what: str) -> None:
    bad = sorted({str(v) for v in values})
    if bad:
        shown = ", ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise UserError(f"{path}: column {column}: {len(bad)} value(s) not in {what}: {shown}")


def _py_values(series: pd.Series) -> list[Any]:
    """A column as plain Python values the driver can send (None for missing), vectorised."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series, utc=True)
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return text.astype(object).where(stamps.notna(), None).tolist()
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        if pd.api.types.is_float_dtype(series):
            return series.astype(object).where(series.notna(), None).tolist()
        return series.to_numpy(dtype=object, na_value=None).tolist()
    if isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value=None).tolist()
    return [_py_scalar(v) for v in series]


def _py_scalar(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype == object:
        items = value.tolist()
        return items if all(isinstance(v, str) for v in items) else [str(v) for v in items]
    if isinstance(value, np.ndarray | list | tuple):
        return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):  # maps are not property values: keep them as JSON text
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, pd.Timestamp | datetime):
        return pd.Timestamp(value).tz_localize(None).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _hash_rows(columns: dict[str, list[Any]]) -> list[str]:
    """A digest per row of the given columns (repr of the row's values: stable across runs).

    The column names are hashed too: a build that renames a column with the same values must
    rewrite the rows."""
    names = repr(list(columns)).encode()
    return [
        hashlib.blake2b(names + repr(row).encode(), digest_size=12).hexdigest()
        for row in zip(*columns.values(), strict=True)
    ]


def _property_columns(frame: pd.DataFrame, path: Path, skipped: list[str]) -> list[str]:
    names = []
    for col in frame.columns:
        if col in _BOOKKEEPING:
            continue
        if isinstance(col, str) and _IDENTIFIER.match(col):
            names.append(col)
        else:  # not a plain identifier: cannot be a property name without quoting games
            skipped.append(f"{path.name}:{col}")
    return names


def _one(values: list[Any]) -> list[list[Any]]:
    return [[] if v is None else [v] for v in values]


def model_table(
    models: pd.DataFrame, external_ids: list[str], path: Path, skipped: list[str]
) -> NodeTable:
    """Model rows (+ `external` stubs for lineage endpoints outside the corpus), column-wise."""
    names = _property_columns(models, path, skipped)
    props = {name: _py_values(models[name]) for name in names}
    props["external"] = [False] * len(models)
    if external_ids:
        owners = [mid.rpartition("/")[0] or None for mid in external_ids]
        stub = {
            "id": external_ids,
            "name": [mid.rpartition("/")[2] for mid in external_ids],
            "author": owners,
            "external": [True] * len(external_ids),
        }
        for name in props:
            props[name] = props[name] + stub.get(name, [None] * len(external_ids))
    keys = props["id"]
    tags = props.get("tags") or [None] * len(keys)
    links = {
        "author": _one(props.get("author") or [None] * len(keys)),
        "tags": [sorted(set(t)) if t else [] for t in tags],
        "license": _one(props.get("license") or [None] * len(keys)),
        "library": _one(props.get("library_name") or [None] * len(keys)),
        "community": _one(props.get("community") or [None] * len(keys)),
        "cluster": _one(props.get("cluster") or [None] * len(keys)),
    }
    # The links derive from the properties, so hashing the properties covers them.
    digests = _hash_rows(props)
    props["row_hash"] = digests
    return NodeTable(keys, props, links, dict(zip(keys, digests, strict=True)))


def group_table(
    frame: pd.DataFrame, key: str, path: Path, skipped: list[str], parent: str | None = None
) -> NodeTable:
    """Community/Cluster rows: `key` becomes the `id` property; `parent` becomes a link list."""
    names = [n for n in _property_columns(frame, path, skipped) if n not in (key, parent)]
    keys = _py_values(frame[key])
    props = {"id": keys, **{name: _py_values(frame[name]) for name in names}}
    links = {"parent": _one(_py_values(frame[parent]))} if parent else {}
    digests = _hash_rows({**props, **links})
    props["row_hash"] = digests
    return NodeTable(keys, props, links, dict(zip(keys, digests, strict=True)))


def edge_set(
    frame: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple[str, ...]
) -> EdgeSet:
    """Group edges by owner and hash each owner's edge list (order-independent)."""
    frame = frame[[owner, *fields]].sort_values([owner, *fields], kind="stable")
    frame = frame.drop_duplicates([owner, *key_fields], keep="first").reset_index(drop=True)
    edges = EdgeSet(frame=frame, owner=owner, fields=fields, key_fields=key_fields)
    # every field present even with no edges: owners whose stored edges must all go read it
    edges.values = {col: [] for col in fields}
    if frame.empty:
        return edges
    owners = frame[owner].to_numpy(dtype=object)
    change = np.flatnonzero(owners[1:] != owners[:-1]) + 1
    starts = np.concatenate([[0], change]).tolist()
    ends = np.concatenate([change, [len(frame)]]).tolist()
    edges.values = {col: _py_values(frame[col]) for col in fields}
    columns = list(edges.values.values())
    for lo, hi in zip(starts, ends, strict=True):
        key = owners[lo]
        edges.bounds[key] = (lo, hi)
        text = repr([col[lo:hi] for col in columns]).encode()
        edges.hashes[key] = hashlib.blake2b(text, digest_size=12).hexdigest()
    return edges


def read_artifacts(folder: str | Path) -> Artifacts:
    """Read and check every artifact the graph needs; UserError names the bad file/column."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"--artifacts {folder}: no such folder")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UserError(f"--artifacts {folder}: {MANIFEST} is missing (run `constellation build`)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as exc:
        raise UserError(f"{manifest_path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or not manifest.get("build_id"):
        raise UserError(f"{manifest_path}: no build_id")

    build_id = str(manifest["build_id"])
    models = _read_parquet(folder, "models.parquet", build_id)
    similarity = _read_parquet(folder, "similarity.parquet", build_id)
    lineage = _read_parquet(folder, "lineage.parquet", build_id)
    communities = _read_parquet(folder, "communities.parquet", build_id)
    clusters = _read_parquet(folder, "clusters.parquet", build_id)

    mpath = folder / "models.parquet"
    if models["id"].isna().any():
        raise UserError(f"{mpath}: column id: {int(models['id'].isna().sum())} empty id(s)")
    dup = models["id"][models["id"].duplicated()]
    if len(dup):
        _fail_dangling(mpath, "id", dup, "unique ids (duplicates)")
    ids = set(models["id"].tolist())
    community_ids = set(communities["community"].tolist())
    cluster_ids = set(clusters["cluster"].tolist())
    _fail_dangling(
        mpath, "community", set(models["community"].dropna()) - community_ids, "communities.parquet"
    )
    _fail_dangling(
        mpath, "cluster", set(models["cluster"].dropna()) - cluster_ids, "clusters.parquet"
    )
    _fail_dangling(
        folder / "clusters.parquet", "parent",
        set(clusters["parent"].dropna()) - cluster_ids, "column cluster",
    )  # fmt: skip
    spath = folder / "similarity.parquet"
    for col in ("source", "target"):
        _fail_dangling(spath, col, set(similarity[col]) - ids, "models.parquet")
    lpath = folder / "lineage.parquet"
    lineage = lineage.copy()
    if "origin" not in lineage.columns:
        lineage["origin"] = None
    for col in ("child", "parent"):
        if lineage[col].isna().any():
            raise UserError(f"{lpath}: column {col}: {int(lineage[col].isna().sum())} empty id(s)")
    lineage = lineage[lineage["child"] != lineage["parent"]]
    external = sorted((set(lineage["child"]) | set(lineage["parent"])) - ids)

    similarity = similarity.assign(score=similarity["score"].astype("float64"))
    skipped: list[str] = []
    return Artifacts(
        manifest=manifest,
        models=model_table(models, external, mpath, skipped),
        communities=group_table(communities, "community", folder / "communities.parquet", skipped),
        clusters=group_table(
            clusters.sort_values("level", ascending=False),
            "cluster",
            folder / "clusters.parquet",
            skipped,
            "parent",
        ),  # fmt: skip
        similar=edge_set(similarity, "source", ("target", "score"), ("target",)),
        lineage=edge_set(
            lineage, "child", ("parent", "relation", "origin"), ("parent", "relation")
        ),
        external=len(external),
        skipped_columns=skipped,
    )


# --- writing --------------------------------------------------------------------------------


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

    def bar(self, total: int, desc: str):
        from tqdm import tqdm

        return tqdm(
            total=total, desc=desc, unit="row", file=sys.stderr,
            disable=not self.progress or total == 0,
            leave=False, mininterval=0.5,
        )  # fmt: skip

    def batches(self, items: list[Any], desc: str) -> Iterator[list[Any]]:
        with self.bar(len(items), desc) as bar:
            for lo in range(0, len(items), self.batch_size):
                chunk = items[lo : lo + self.batch_size]
                yield chunk
                bar.update(len(chunk))
                if self.on_batch:
                    self.on_batch(desc, lo + len(chunk))

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Adds the block's wall time to timings[name] (the load's per-stage report)."""
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
        if old and delete_own_rels:
            tx.run(delete_own_rels, keys=old).consume()
        tx.run(upsert, nodes.params(chunk)).consume()

    for chunk in w.batches(rows, f"write {label}"):
        w.write(lambda tx, chunk=chunk: work(tx, chunk))
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(unchanged),
        "deleted": len(absent),
    }


def _sync_edges(
    w: _Writer,
    name: str,
    edges: EdgeSet,
    owners: Iterable[Any],
    stored: dict[Any, str | None],
    existed: set[Any],
    old_query: str,
    create: str,
    update: str,
    delete: str,
) -> dict[str, int]:
    """Make each dirty owner's stored edges equal to `edges`, diffing against what is stored."""
    dirty = [k for k in owners if stored.get(k) != edges.hashes.get(k)]
    counts = {"created": 0, "updated": 0, "deleted": 0}
    value_fields = [f for f in edges.fields if f not in edges.key_fields]

    def ident(owner: Any, edge: dict[str, Any]) -> tuple:
        return (owner, *(edge[f] for f in edges.key_fields))

    def work(tx: Any, chunk: list[Any]) -> dict[str, int]:
        old_keys = [k for k in chunk if k in existed]
        old: dict[tuple, dict[str, Any]] = {}
        if old_keys:
            for rec in tx.run(old_query, keys=old_keys).data():
                owner = rec.pop(edges.owner)
                old[ident(owner, rec)] = rec
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
            fresh = []
            for edge in edges.edges_of(owner):
                key = ident(owner, edge)
                seen.add(key)
                if key not in old:
                    fresh.append(edge)
                elif any(old[key].get(f) != edge[f] for f in value_fields):
                    updates.append({edges.owner: owner, **edge})
            for f in edges.fields:
                params[f].append([e[f] for e in fresh])
            created += len(fresh)
        gone = [{edges.owner: key[0], **old[key]} for key in old if key not in seen]
        if gone:
            tx.run(delete, rows=gone).consume()
        if updates:
            tx.run(update, rows=updates).consume()
        tx.run(create, params).consume()
        return {"created": created, "updated": len(updates), "deleted": len(gone)}

    # Batches of owners holding about batch_size edges each.
    chunks, chunk, size = [], [], 0
    for owner in dirty:
        chunk.append(owner)
        lo_hi = edges.bounds.get(owner)
        size += 1 + (lo_hi[1] - lo_hi[0] if lo_hi else 0)
        if size >= w.batch_size:
            chunks.append(chunk)
            chunk, size = [], 0
    if chunk:
        chunks.append(chunk)
    with w.bar(sum(len(c) for c in chunks), f"write {name}") as bar:
        done = 0
        for part in chunks:
            result = w.write(lambda tx, part=part: work(tx, part))
            for k, v in result.items():
                counts[k] += v
            done += len(part)
            bar.update(len(part))
            if w.on_batch:
                w.on_batch(f"write {name}", done)
    counts["unchanged"] = len(edges) - counts["created"] - counts["updated"]
    return counts


def _stored_hashes(w: _Writer, label: str) -> list[dict[str, Any]]:
    if w.run(cy.COUNT_NODES.format(label=label))[0]["n"] == 0:
        return []  # a fresh graph: skip the full scan
    query = cy.MODEL_HASHES if label == "Model" else cy.NODE_HASHES.format(label=label, key="id")
    return w.run(query)


def _mark_unfinished(w: _Writer, build_id: str, exc: BaseException) -> None:
    """A load that raised: its Build says `interrupted` (Ctrl-C) or `failed` with the error,
    not `loading`. Best effort (auto-commit, no retries): the original error is what matters."""
    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    error = " ".join(f"{type(exc).__name__}: {exc}".split())
    try:
        w.run(cy.BUILD_FAILED, id=build_id, status=status, error=error[:500])
    except Exception:  # noqa: BLE001, S110 - the server may be what failed
        pass


def _sync_graph(w: _Writer, art: Artifacts, build_id: str) -> dict[str, Any]:
    """Make nodes and edges equal to the artifacts; returns the counts per kind."""
    with w.timed("read stored hashes"):
        stored_models = _stored_hashes(w, "Model")
        stored_communities = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Community")}
        stored_clusters = {r["key"]: r["row_hash"] for r in _stored_hashes(w, "Cluster")}
    model_hash = {r["key"]: r["row_hash"] for r in stored_models}
    similar_hash = {r["key"]: r["similar_hash"] for r in stored_models}
    lineage_hash = {r["key"]: r["lineage_hash"] for r in stored_models}

    counts: dict[str, Any] = {"build_id": build_id}
    with w.timed("communities"):
        counts["communities"] = _sync_nodes(
            w,
            "Community",
            art.communities,
            stored_communities,
            cy.upsert_communities(list(art.communities.props)),
            None,
        )
    with w.timed("clusters"):
        counts["clusters"] = _sync_nodes(
            w,
            "Cluster",
            art.clusters,
            stored_clusters,
            cy.upsert_clusters(list(art.clusters.props)),
            cy.DELETE_CLUSTER_OWN_RELS,
        )
    with w.timed("models"):
        counts["models"] = _sync_nodes(
            w,
            "Model",
            art.models,
            model_hash,
            cy.upsert_models(list(art.models.props)),
            cy.DELETE_MODEL_OWN_RELS,
        )
    counts["models"]["external"] = art.external
    if counts["models"]["updated"] or counts["models"]["deleted"]:
        with w.timed("orphans"):
            for label, rel in (
                ("Author", "PUBLISHED_BY"),
                ("Tag", "TAGGED"),
                ("License", "LICENSED_UNDER"),
                ("Library", "USES_LIBRARY"),
            ):
                query = cy.DELETE_ORPHANS.format(label=label, rel=rel)
                w.write(lambda tx, q=query: tx.run(q).consume())

    counts["skipped_columns"] = art.skipped_columns
    owners = art.models.keys
    existed = {k for k in model_hash if k in art.models.hashes}
    with w.timed("similar_to"):
        counts["similar_to"] = _sync_edges(
            w, "SIMILAR_TO", art.similar, owners, similar_hash, existed,
            cy.OLD_SIMILAR, cy.CREATE_SIMILAR, cy.UPDATE_SIMILAR, cy.DELETE_SIMILAR,
        )  # fmt: skip
    with w.timed("based_on"):
        counts["based_on"] = _sync_edges(
            w, "BASED_ON", art.lineage, owners, lineage_hash, existed,
            cy.OLD_BASED_ON, cy.CREATE_BASED_ON, cy.UPDATE_BASED_ON, cy.DELETE_BASED_ON,
        )  # fmt: skip
    return counts


def load_artifacts(
    driver: Any,
    artifacts_dir: str | Path,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
    on_batch: OnBatch | None = None,
) -> dict[str, Any]:
    """Make the graph equal to the artifacts in `artifacts_dir`; returns counts per kind.

    `on_batch(stage, rows_done)` is called after each committed batch (progress hooks, tests).
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
    except BaseException as exc:
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
    for kind in ("models", "communities", "clusters", "similar_to", "based_on"):
        c = counts[kind]
        extra = f" (external: {c['external']:,})" if "external" in c else ""
        lines.append(
            f"  {kind:<12} created {c['created']:>9,}  updated {c['updated']:>7,}  "
            f"unchanged {c['unchanged']:>9,}  deleted {c['deleted']:>7,}{extra}"
        )
    if counts.get("skipped_columns"):
        lines.append(f"  not stored (not plain names): {', '.join(counts['skipped_columns'])}")
    return "\n".join(lines)
