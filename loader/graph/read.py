"""Artifacts -> checked, graph-ready tables: what `constellation load` writes (writer.py).

    art = read_artifacts("artifacts/")   # UserError naming the file/column if anything is off
    art.models.keys, art.models.hashes, art.similar.edges_of("gpt2")

Everything is read and checked before the graph is touched: a missing file or column, text in a
number column, duplicate ids or dangling references raise `UserError` naming the file/column.
Each node row and each owner's edge list carries a digest (`row_hash`, edge hashes) so the writer
can write only what changed. The artifact format itself is `loader/artifacts.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from constellation.loader.artifacts import (
    COLUMN_KINDS,
    INFERRED,
    JOIN_TABLES,
    MANIFEST,
    REQUIRED_COLUMNS,
    check_build,
    same_data,
)
from constellation.loader.graph import summaries
from constellation.loader.graph.writer_cypher import SERVING_LABELS
from constellation.loader.ingest.lineage import split_ids

from constellation.errors import UserError

# the writer's bookkeeping properties: never read back from a models.parquet column
BOOKKEEPING = ("row_hash", "similar_hash", "lineage_hash", "inferred_hash")
# models.parquet columns that stay in the artifacts: `row` is a model's position in the file
# (its leaf in hierarchy.parquet), which one deletion shifts for every later model; stored on
# the nodes it made a refresh rewrite nearly every Model (bench/results/load.md).
ARTIFACT_ONLY = ("row",)

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
    # label -> rows of the nodes that only serve reads (Term, Posting, Facet, Ranking), keyed by id
    serving: dict[str, NodeTable] = field(default_factory=dict)
    # likely links (LIKELY_BASED_ON) from inferred_lineage.parquet; empty without that file
    inferred: EdgeSet = field(default_factory=lambda: inferred_edges(None))
    # joins (issue 14; `join_nodes`, `add_model_joins`): Dataset and Space nodes; the models'
    # TRAINED_ON, CITES and FOR_TASK targets are link lists of `models`
    datasets: NodeTable | None = None
    spaces: NodeTable | None = None


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


def py_values(series: pd.Series) -> list[Any]:
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
        if col in BOOKKEEPING or col in ARTIFACT_ONLY:
            continue
        if isinstance(col, str) and _IDENTIFIER.match(col):
            names.append(col)
        else:  # not a plain identifier: cannot be a property name without quoting games
            skipped.append(f"{path.name}:{col}")
    return names


def _one(values: list[Any]) -> list[list[Any]]:
    return [[] if v is None else [v] for v in values]


def model_props(
    models: pd.DataFrame, external_ids: list[str], path: Path, skipped: list[str]
) -> dict[str, list[Any]]:
    """Model properties column-wise (+ `external` stubs for lineage endpoints outside the
    corpus, after the models). Row-wise: the rows of a slice of `models` are that slice's."""
    names = _property_columns(models, path, skipped)
    props = {name: py_values(models[name]) for name in names}
    props["external"] = [False] * len(models)
    if external_ids:
        owners, names = split_ids(pd.Series(external_ids, dtype="string"))
        stub = {
            "id": external_ids,
            "name": py_values(names),
            "author": py_values(owners),
            "external": [True] * len(external_ids),
        }
        for name in props:
            props[name] = props[name] + stub.get(name, [None] * len(external_ids))
    return props


def model_table(
    models: pd.DataFrame, external_ids: list[str], path: Path, skipped: list[str]
) -> NodeTable:
    """Model rows (+ `external` stubs for lineage endpoints), column-wise, with their links
    (author, tags, …) and row hashes."""
    props = model_props(models, external_ids, path, skipped)
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
    keys = py_values(frame[key])
    props = {"id": keys, **{name: py_values(frame[name]) for name in names}}
    links = {"parent": _one(py_values(frame[parent]))} if parent else {}
    digests = _hash_rows({**props, **links})
    props["row_hash"] = digests
    return NodeTable(keys, props, links, dict(zip(keys, digests, strict=True)))


def serving_table(frame: pd.DataFrame) -> NodeTable:
    """Summary rows (`id` first, values already plain Python) as a NodeTable with row hashes;
    a missing value (None, or the NaN pandas may make of it) is None: the property is absent."""
    props = {col: [None if v is None or (isinstance(v, float) and v != v) else v
                   for v in frame[col].tolist()] for col in frame.columns}
    keys = props["id"]
    digests = _hash_rows(props)
    props["row_hash"] = digests
    return NodeTable(keys, props, {}, dict(zip(keys, digests, strict=True)))


def serving_frame(models: pd.DataFrame, external_ids: list[str]) -> pd.DataFrame:
    """summaries.serving_frame of the Model nodes (`model_props` of `models` and the external
    stubs) made column by column: the same values, without a Python list per column (2 GB
    at 3M models). Dates stay dates in UTC (the summaries order them by the whole seconds the
    nodes' ISO text keeps: 2.4 s of text at 1M models)."""
    columns: dict[str, Any] = {}
    for name in summaries.SERVING_COLUMNS:
        if name not in models.columns:
            continue
        column = models[name].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(column):
            column = pd.to_datetime(column, utc=True)
        columns[name] = column
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(models)))
    if external_ids:
        frame = pd.concat([frame, pd.DataFrame({"id": external_ids})], ignore_index=True)
    return summaries.serving_frame(frame)


def serving_frames(
    frame: pd.DataFrame, communities: pd.DataFrame, clusters: pd.DataFrame,
    words: pd.DataFrame | None, joins: dict[str, pd.DataFrame],
    labels: tuple[str, ...] = SERVING_LABELS,
) -> dict[str, pd.DataFrame]:
    """The rows of these serving labels, before hashing: from the Model nodes' columns
    (`summaries.serving_frame`, or `serving_frame` above), the build's communities, clusters
    and words.parquet, and the checked join tables (`Tables.joins`)."""
    out: dict[str, pd.DataFrame] = {}
    trained_on = joins["trained_on"]
    if "Term" in labels or "Posting" in labels:
        out["Term"], out["Posting"] = summaries.search_index(frame)
    if "Facet" in labels:
        out["Facet"] = summaries.facets(
            frame, trained_on[["model", "dataset"]].drop_duplicates()["dataset"])
    if "Ranking" in labels:
        out["Ranking"] = summaries.rankings(frame)
    if "GroupRanking" in labels:
        out["GroupRanking"] = summaries.group_rankings(communities, clusters)
    if "GroupTop" in labels:
        out["GroupTop"] = summaries.group_top_rows(frame, clusters, joins, communities["community"])
    if "Word" in labels:  # the corpus's most common name words (the paper's Table 1)
        out["Word"] = (
            pd.DataFrame(columns=["id", "word", "count", "share"]) if words is None else
            words.assign(id=words["word"])[["id", "word", "count", "share"]].astype(object)
        )
    return {label: out[label] for label in labels}


def serving_tables(
    frame: pd.DataFrame, communities: pd.DataFrame, clusters: pd.DataFrame,
    words: pd.DataFrame | None, joins: dict[str, pd.DataFrame],
) -> dict[str, NodeTable]:
    """The serving tables by label (`serving_frames`, hashed): see summaries.py."""
    frames = serving_frames(frame, communities, clusters, words, joins)
    return {label: serving_table(rows) for label, rows in frames.items()}


def sort_codes(column: pd.Series) -> tuple[np.ndarray, Any]:
    """Integer codes that sort as the column's values do (text by code point, missing values
    last), and the distinct values they index (None for numbers: the codes are the values)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = pd.to_numeric(column).astype("float64").to_numpy()
        return np.where(np.isnan(values), np.inf, values), None
    codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), uniques


def edge_order(
    frame: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple[str, ...]
) -> np.ndarray:
    """Row positions of the edges sorted by owner, then fields, keeping one edge per owner and
    key (the first): the order of the edge hashes. On integer codes, not on the text itself
    (23M similarity edges at 3M models)."""
    if frame.empty:
        return np.arange(0)
    names = [owner, *fields]
    keys = {name: sort_codes(frame[name])[0] for name in names}
    order = np.lexsort([keys[name] for name in reversed(names)])
    ident = [keys[name][order] for name in (owner, *key_fields)]
    same = np.logical_and.reduce([k[1:] == k[:-1] for k in ident])
    return order[np.r_[True, ~same]]


def sorted_edges(
    frame: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple[str, ...]
) -> pd.DataFrame:
    """Edges sorted by owner (then fields), one per owner and key: the order of edge hashes."""
    order = edge_order(frame, owner, fields, key_fields)
    return frame[[owner, *fields]].iloc[order].reset_index(drop=True)


def owner_runs(owners: np.ndarray) -> tuple[list[int], list[int]]:
    """Start and end positions of each owner's run in sorted owners."""
    if len(owners) == 0:
        return [], []
    change = np.flatnonzero(owners[1:] != owners[:-1]) + 1
    return np.concatenate([[0], change]).tolist(), np.concatenate([change, [len(owners)]]).tolist()


def edge_hash(columns: list[list[Any]], lo: int, hi: int) -> str:
    """The digest of one owner's edges: rows lo..hi of its fields' Python values."""
    text = repr([col[lo:hi] for col in columns]).encode()
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def edge_set(
    frame: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple[str, ...]
) -> EdgeSet:
    """Group edges by owner and hash each owner's edge list (order-independent)."""
    frame = sorted_edges(frame, owner, fields, key_fields)
    edges = EdgeSet(frame=frame, owner=owner, fields=fields, key_fields=key_fields)
    # every field present even with no edges: owners whose stored edges must all go read it
    edges.values = {col: [] for col in fields}
    if frame.empty:
        return edges
    owners = frame[owner].to_numpy(dtype=object)
    edges.values = {col: py_values(frame[col]) for col in fields}
    columns = list(edges.values.values())
    for lo, hi in zip(*owner_runs(owners), strict=True):
        key = owners[lo]
        edges.bounds[key] = (lo, hi)
        edges.hashes[key] = edge_hash(columns, lo, hi)
    return edges


# --- inferred lineage (loader/lineage, `constellation infer-lineage`) -------------------------

INFERRED_FIELDS = ("parent", "score", "relation", "rank")
INFERRED_FILE = f"{INFERRED}.parquet"


def inferred_frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    """inferred_lineage rows with their kinds (an empty table without the file)."""
    if frame is None:
        frame = pd.DataFrame({c: [] for c in ("child", *INFERRED_FIELDS)})
    return frame.assign(score=frame["score"].astype("float64"), rank=frame["rank"].astype("int64"))


def inferred_edges(frame: pd.DataFrame | None) -> EdgeSet:
    """LIKELY_BASED_ON edges owned by their child (child -> parent), keyed by parent."""
    return edge_set(inferred_frame(frame), "child", INFERRED_FIELDS, ("parent",))


def _inferred_frame(folder: Path, build_id: str, ids: pd.Series) -> pd.DataFrame | None:
    """The folder's inferred_lineage.parquet, checked like the other files (same build, columns,
    kinds, both ends built models), self-links dropped; no file: None."""
    name = INFERRED_FILE
    if not (folder / name).is_file():
        return None
    frame = _read_parquet(folder, name, build_id)
    path = folder / name
    for col in ("child", "parent"):
        if frame[col].isna().any():
            raise UserError(f"{path}: column {col}: {int(frame[col].isna().sum())} empty id(s)")
        _fail_dangling(path, col, _missing(frame[col], ids), "models.parquet")
    return frame[frame["child"] != frame["parent"]]


@dataclass
class Tables:
    """The artifacts as checked DataFrames: where `read_artifacts` (the writer's tables) and
    the bulk path's chunked streams (`stream.py`) both start."""

    folder: Path
    manifest: dict[str, Any]
    models: pd.DataFrame
    similarity: pd.DataFrame  # score as float64
    lineage: pd.DataFrame  # with `origin`, no self-links
    communities: pd.DataFrame
    clusters: pd.DataFrame  # parents before children (level descending)
    words: pd.DataFrame | None
    external: list[str]  # lineage endpoints outside the corpus: stub Model nodes
    inferred: pd.DataFrame | None
    joins: dict[str, pd.DataFrame]  # datasets, trained_on, cites, spaces, uses (checked)


def read_tables(folder: str | Path, checked: bool = False, like: Tables | None = None) -> Tables:
    """Read and check every artifact the graph needs; UserError names the bad file/column.

    checked=True: the folder of the build the graph holds, unchanged since it was loaded (a
    refresh's previous build): its references were checked then. `like`: that build, read
    first; a table whose file holds the same data as its own (`artifacts.same_data`) is taken
    from it, and similarity endpoints and lineage ends equal to its own, over the same model
    ids, are not checked again (at 1M models: 3 s of checks, 1.5 s to decode the edges)."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    build_id = str(manifest["build_id"])
    tables: dict[str, pd.DataFrame] = {}
    for name in ("models", "similarity", "lineage", "communities", "clusters"):
        path = folder / f"{name}.parquet"
        if like is not None and path.is_file() and same_data(like.folder / path.name, path):
            check_build(path, build_id)  # the same rows (their checked form: kept so)
            tables[name] = getattr(like, name)
        else:
            tables[name] = _read_parquet(folder, path.name, build_id)
    if not checked:
        _check_references(folder, tables, like)
    models = tables["models"]
    lineage = tables["lineage"]
    same = like is not None and lineage is like.lineage  # checked as `like` was read
    if not same:
        lineage = _checked_lineage(folder / "lineage.parquet", lineage)
    if same and models["id"].equals(like.models["id"]):  # the same ends, the same ids
        external = like.external
    else:
        ends = pd.concat([lineage["child"], lineage["parent"]], ignore_index=True)
        external = sorted(set(_missing(ends, models["id"])))
    similarity, clusters = tables["similarity"], tables["clusters"]
    if like is None or similarity is not like.similarity:
        similarity = similarity.assign(
            score=similarity["score"].astype("float64").round(SCORE_DECIMALS))
    if like is None or clusters is not like.clusters:
        clusters = clusters.sort_values("level", ascending=False)
    # every build writes words.parquet; hand-made artifacts may not (then no Word nodes)
    words = (_read_parquet(folder, "words.parquet", build_id)
             if (folder / "words.parquet").is_file() else None)  # fmt: skip
    all_ids = pd.concat([models["id"], pd.Series(external, dtype=object)], ignore_index=True)
    # checked against the same ids as `like`'s and holding its data: its checked tables stand
    same_ids = like is not None and external == like.external and models["id"].equals(
        like.models["id"])  # fmt: skip
    joins = (like.joins if same_ids and _same_files(folder, like, JOIN_FILES, build_id)
             else _join_tables(folder, build_id, models["id"], all_ids))  # fmt: skip
    inferred = (like.inferred if same_ids and _same_files(folder, like, (INFERRED_FILE,), build_id)
                else _inferred_frame(folder, build_id, models["id"]))  # fmt: skip
    return Tables(
        folder=folder,
        manifest=manifest,
        models=models,
        similarity=similarity,  # scores rounded as stored
        lineage=lineage,
        communities=tables["communities"],
        clusters=clusters,  # parents first
        words=words,
        external=external,
        inferred=inferred,
        joins=joins,
    )


def _same_files(folder: Path, like: Tables, names: tuple[str, ...], build_id: str) -> bool:
    """Whether each of these files is absent from both folders or holds the data of `like`'s
    (`artifacts.same_data`) and says this build wrote it (at 1M models: 1.1 s of reading and
    checking the join and likely-link tables again)."""
    for name in names:
        path, theirs = folder / name, like.folder / name
        if not path.is_file() and not theirs.is_file():
            continue
        if not (path.is_file() and theirs.is_file() and same_data(theirs, path)):
            return False
    for name in names:
        if (folder / name).is_file():
            check_build(folder / name, build_id)
    return True


def read_artifacts(folder: str | Path) -> Artifacts:
    """Read and check every artifact the graph needs, as the writer's column-wise tables with
    their hashes; UserError names the bad file/column."""
    return artifacts(read_tables(folder))


def artifacts(t: Tables) -> Artifacts:
    """The writer's column-wise tables of every row of checked tables, with their hashes."""
    folder = t.folder
    skipped: list[str] = []
    model_nodes = model_table(t.models, t.external, folder / "models.parquet", skipped)
    add_model_joins(model_nodes, join_links(t.joins))
    serving = serving_tables(
        serving_frame(t.models, t.external), t.communities, t.clusters, t.words, t.joins
    )
    datasets, spaces = join_nodes(folder, t.joins, skipped)
    return Artifacts(
        manifest=t.manifest,
        models=model_nodes,
        communities=group_table(
            t.communities, "community", folder / "communities.parquet", skipped
        ),
        clusters=group_table(t.clusters, "cluster", folder / "clusters.parquet", skipped, "parent"),
        similar=edge_set(t.similarity, "source", SIMILAR_FIELDS, ("target",)),
        lineage=edge_set(t.lineage, "child", LINEAGE_FIELDS, ("parent", "relation")),
        external=len(t.external),
        skipped_columns=skipped,
        serving=serving,
        inferred=inferred_edges(t.inferred),
        datasets=datasets,
        spaces=spaces,
    )


SIMILAR_FIELDS = ("target", "score")
# SIMILAR_TO scores are stored rounded: TF-IDF weights depend on the whole corpus, so a refresh
# that removes 1 % of the names moves nearly every score in its 4th-6th decimal, and unrounded
# it rewrote almost every edge (bench/results/load.md). 0.001 keeps the order of neighbours
# (queries break score ties by downloads, then id).
SCORE_DECIMALS = 3
LINEAGE_FIELDS = ("parent", "relation", "origin")


def _read_manifest(folder: Path) -> dict[str, Any]:
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
    return manifest


def _missing(values: pd.Series, known: pd.Series) -> list[Any]:
    """The distinct values (missing ones aside) that are not in `known`.

    Arrow's is_in (hashing, in C++) rather than Python sets or pandas' isin on Arrow strings,
    which iterates in Python: 7M similarity endpoints at 1M models."""
    import pyarrow as pa
    import pyarrow.compute as pc

    have = pa.array(values.dropna())
    if len(have) == 0:
        return []
    inside = pc.is_in(have, value_set=pa.array(known.dropna()).cast(have.type))
    return pc.unique(pc.filter(have, pc.invert(inside))).to_pylist()


def _check_references(
    folder: Path, tables: dict[str, pd.DataFrame], like: Tables | None = None
) -> None:
    """Unique model ids; every community, cluster, parent cluster and similarity endpoint exists
    (the endpoints unless they and the ids are `like`'s, a build checked before)."""
    models, clusters = tables["models"], tables["clusters"]
    mpath = folder / "models.parquet"
    if models["id"].isna().any():
        raise UserError(f"{mpath}: column id: {int(models['id'].isna().sum())} empty id(s)")
    # summaries.ID_SEPARATOR: a Posting holds its ids one a line
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(models["id"].astype(str), pa.string())
    broken = np.flatnonzero(pc.match_substring(text, "\n").to_numpy(zero_copy_only=False))
    if len(broken):
        raise UserError(f"{mpath}: column id: {len(broken)} id(s) hold a line break, first "
                        f"row {broken[0]}: {models['id'].iloc[broken[0]]!r}")  # fmt: skip
    dup = models["id"][models["id"].duplicated()]
    if len(dup):
        _fail_dangling(mpath, "id", dup, "unique ids (duplicates)")
    ids = models["id"]
    missing = _missing

    communities = tables["communities"]["community"]
    _fail_dangling(mpath, "community", missing(models["community"], communities),
                   "communities.parquet")  # fmt: skip
    _fail_dangling(mpath, "cluster", missing(models["cluster"], clusters["cluster"]),
                   "clusters.parquet")  # fmt: skip
    _fail_dangling(
        folder / "clusters.parquet", "parent",
        missing(clusters["parent"], clusters["cluster"]), "column cluster",
    )  # fmt: skip
    ends = ["source", "target"]
    if (like is not None and like.models["id"].equals(ids)
            and like.similarity[ends].equals(tables["similarity"][ends])):  # fmt: skip
        return
    spath = folder / "similarity.parquet"
    for col in ends:
        _fail_dangling(spath, col, missing(tables["similarity"][col], ids), "models.parquet")


def _checked_lineage(lpath: Path, lineage: pd.DataFrame) -> pd.DataFrame:
    """Lineage rows with an `origin` column, no empty ids and no self-loops."""
    lineage = lineage.copy()
    if "origin" not in lineage.columns:
        lineage["origin"] = None
    for col in ("child", "parent"):
        if lineage[col].isna().any():
            raise UserError(f"{lpath}: column {col}: {int(lineage[col].isna().sum())} empty id(s)")
    return lineage[lineage["child"] != lineage["parent"]]


# --- joins with datasets, papers and Spaces (issue 14) --------------------------------------


def _join_frame(folder: Path, name: str, build_id: str) -> pd.DataFrame:
    """A join table, or an empty one when the build predates the joins (file absent)."""
    if not (folder / name).is_file():
        return pd.DataFrame({col: pd.Series([], dtype="string") for col in REQUIRED_COLUMNS[name]})
    frame = _read_parquet(folder, name, build_id)
    for col in REQUIRED_COLUMNS[name]:
        if frame[col].isna().any():
            raise UserError(f"{folder / name}: column {col}: {int(frame[col].isna().sum())} empty")
    return frame


def _link_map(frame: pd.DataFrame, owner: str, target: str) -> dict[Any, list[Any]]:
    """Owner -> its sorted distinct `target` values in `frame`."""
    frame = frame[[owner, target]].drop_duplicates().sort_values([owner, target])
    owners = frame[owner].to_numpy(dtype=object)
    targets = frame[target].to_numpy(dtype=object).tolist()
    return {owners[lo]: targets[lo:hi] for lo, hi in zip(*owner_runs(owners), strict=True)}


def _rehash(nodes: NodeTable, links: tuple[str, ...]) -> None:
    """Mix these link lists into row_hash (rows with none keep their hash: no rewrite)."""
    digests = nodes.props["row_hash"]
    for r, key in enumerate(nodes.keys):
        extra = [nodes.links[name][r] for name in links]
        if any(extra):
            text = (digests[r] + repr(extra)).encode()
            digests[r] = hashlib.blake2b(text, digest_size=12).hexdigest()
            nodes.hashes[key] = digests[r]


JOIN_FILES = tuple(f"{name}.parquet" for name in JOIN_TABLES)


def _join_tables(
    folder: Path, build_id: str, ids: pd.Series, all_ids: pd.Series
) -> dict[str, pd.DataFrame]:
    """datasets, trained_on, cites, spaces and uses, checked: every dataset a model names must
    be in datasets.parquet (UserError otherwise); a Space's USES of a model the graph does not
    hold (`all_ids`: stubs included) is left out (a Space lists models of the whole Hub)."""
    tables = {name: _join_frame(folder, f"{name}.parquet", build_id) for name in JOIN_TABLES}
    trained, cites = tables["trained_on"], tables["cites"]
    tpath = folder / "trained_on.parquet"
    _fail_dangling(tpath, "model", _missing(trained["model"], ids), "models.parquet")
    _fail_dangling(
        tpath, "dataset", _missing(trained["dataset"], tables["datasets"]["id"]),
        "datasets.parquet",
    )  # fmt: skip
    _fail_dangling(folder / "cites.parquet", "model", _missing(cites["model"], ids),
                   "models.parquet")  # fmt: skip
    uses = tables["uses"]
    _fail_dangling(
        folder / "uses.parquet", "space", _missing(uses["space"], tables["spaces"]["id"]),
        "spaces.parquet",
    )  # fmt: skip
    if len(uses):
        outside = set(_missing(uses["model"], all_ids))
        tables["uses"] = uses[~uses["model"].isin(outside)] if outside else uses
    return tables


def join_links(joins: dict[str, pd.DataFrame]) -> dict[str, dict[Any, list[Any]]]:
    """Model id -> its TRAINED_ON datasets and CITES papers (sorted, distinct)."""
    return {
        "datasets": _link_map(joins["trained_on"], "model", "dataset"),
        "papers": _link_map(joins["cites"], "model", "arxiv_id"),
    }


def add_model_joins(m: NodeTable, links: dict[str, dict[Any, list[Any]]]) -> None:
    """The models' TRAINED_ON / CITES / FOR_TASK link lists, mixed into their row hashes."""
    m.links["datasets"] = [links["datasets"].get(k, []) for k in m.keys]
    m.links["papers"] = [links["papers"].get(k, []) for k in m.keys]
    # pipeline_tag is in the row hash already, so FOR_TASK needs no rehash
    m.links["task"] = _one(m.props.get("pipeline_tag") or [None] * len(m.keys))
    _rehash(m, ("datasets", "papers"))


def join_nodes(
    folder: Path, joins: dict[str, pd.DataFrame], skipped: list[str]
) -> tuple[NodeTable, NodeTable]:
    """Dataset nodes, and Space nodes with their USES link lists."""
    datasets = group_table(joins["datasets"], "id", folder / "datasets.parquet", skipped)
    spaces = group_table(joins["spaces"], "id", folder / "spaces.parquet", skipped)
    uses = _link_map(joins["uses"], "space", "model")
    spaces.links["models"] = [uses.get(k, []) for k in spaces.keys]
    _rehash(spaces, ("models",))
    return datasets, spaces
