"""The graph a first load makes, streamed from the artifacts a chunk at a time (the bulk paths).

    g = graph_stream("artifacts/")         # read and checked as `read_artifacts`: UserError
    for label, vertices in g.vertices.items():
        for rows in vertices.chunks():     # dicts of the present properties, hashes included
            ...
    for rel, edges in g.edges.items():
        for sources, targets, props in edges.chunks():   # endpoint keys, property columns
            ...

`read_artifacts` holds every row as Python values, because the writer diffs them with the
graph: 8.4 GB at 1M models before the engine started, so a 3M load would not fit
(bench/results/load.md). A first load needs each row once: these streams make the rows a chunk
at a time from the checked DataFrames, with read.py's own functions (properties, links, row
and edge hashes), so the graph is the writer's (tests/test_bulk.py) and a later incremental load
of the same artifacts writes nothing.

Vertices stream in order (`GraphStream.vertices`: the serving rows, Community, Cluster, Model
…), then edges; each stream is read once (what it streamed is let go). The Model vertices'
pass also collects the models' links (author, tags, datasets …): the Author, Tag … vertices
and the PUBLISHED_BY, TAGGED … edges read them, so they come after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from constellation.loader.graph import read
from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.read import NodeTable, Tables

CHUNK = 100_000  # rows per chunk
# List items (ids, tags …) per vertex chunk: a chunk crosses into the engine as one JSON text, and
# 100k Posting rows of 1,000 ids each (3M models) made GBs of it: the engine's heap ran out.
LIST_ITEMS = 1_000_000

# Model links: relationship type -> (link list of read.model_table / add_model_joins, target
# label, target key).
MODEL_LINKS = {
    "PUBLISHED_BY": ("author", "Author", "name"),
    "TAGGED": ("tags", "Tag", "name"),
    "LICENSED_UNDER": ("license", "License", "name"),
    "USES_LIBRARY": ("library", "Library", "name"),
    "IN_COMMUNITY": ("community", "Community", "id"),
    "IN_CLUSTER": ("cluster", "Cluster", "id"),
    # joins (issue 14)
    "TRAINED_ON": ("datasets", "Dataset", "id"),
    "CITES": ("papers", "Paper", "arxiv_id"),
    "FOR_TASK": ("task", "Task", "name"),
}
# Vertex labels, with the property that identifies a row (write order: `graph_stream`).
LABEL_KEYS = {
    "Community": "id", "Cluster": "id", "Model": "id",
    "Author": "name", "Tag": "name", "License": "name", "Library": "name",
    "Dataset": "id", "Paper": "arxiv_id", "Task": "name",
    **{label: "id" for label in cy.SERVING_LABELS},
    "Space": "id",
}  # fmt: skip
# inferred lineage (loader/lineage): likely links, a type of their own, owned by the child
INFERRED_EDGE = "LIKELY_BASED_ON"
EDGE_TYPES = ("CHILD_OF", *MODEL_LINKS, "SIMILAR_TO", "BASED_ON", INFERRED_EDGE, "USES")

Rows = list[dict[str, Any]]
EdgeChunk = tuple[list[Any], list[Any], dict[str, Any] | None]


def present(names: list[str], columns: list[list[Any]]) -> Rows:
    """Rows of columns as dicts without the None values (`SET n = {…}` drops them)."""
    return [
        {name: value for name, value in zip(names, values, strict=True) if value is not None}
        for values in zip(*columns, strict=True)
    ]


@dataclass
class VertexStream:
    """The vertices of one label: `names` (property order), and their rows chunk by chunk."""

    label: str
    names: list[str]
    chunks: Callable[[], Iterator[Rows]]
    count: int | None = None  # None until streamed (link targets: after the Model pass)


@dataclass
class EdgeStream:
    """The edges of one type, chunk by chunk: source keys, target keys, property columns
    (None: no properties; numpy arrays or lists, one value per edge)."""

    rel: str
    source_label: str
    target_label: str
    chunks: Callable[[], Iterator[EdgeChunk]]
    count: int | None = None
    # the target keys and their numbers of edges of this type, before the edges stream (the
    # bulk path promotes the busiest targets' edge lists: bulk.promote_hubs)
    target_counts: Callable[[], tuple[list[Any], np.ndarray]] | None = None


def key_counts(keys: Any, n: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """The keys (a list or array) with at least one edge, and their numbers of edges."""
    at = np.flatnonzero(n)
    return [keys[i] for i in at.tolist()], n[at]


@dataclass
class GraphStream:
    tables: Tables
    vertices: dict[str, VertexStream]
    edges: dict[str, EdgeStream]
    skipped_columns: list[str] = field(default_factory=list)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.tables.manifest


def row_bounds(sizes: np.ndarray, rows: int = CHUNK, items: int = LIST_ITEMS) -> list[int]:
    """Chunk ends for rows holding `sizes` list items each: at most `rows` rows and, unless one
    row alone is bigger, at most `items` list items per chunk.

    >>> row_bounds(np.array([1, 1, 1, 1, 1]), rows=2)
    [2, 4, 5]
    >>> row_bounds(np.array([3, 3, 9, 1]), items=6)
    [2, 3, 4]
    """
    ends: list[int] = []
    lo, n = 0, len(sizes)
    total = np.concatenate([[0], np.cumsum(sizes, dtype="int64")])
    while lo < n:
        hi = int(np.searchsorted(total, total[lo] + items, side="right")) - 1
        hi = min(max(hi, lo + 1), lo + rows, n)
        ends.append(hi)
        lo = hi
    return ends


# Characters of a long text value counted as one list item (a Posting's ids are one text).
TEXT_ITEM = 40
LONG_TEXT = 1000  # texts this long count by their length


def list_sizes(columns: list[list[Any]], n: int) -> np.ndarray:
    """The list items (ids, tags …) of each of the n rows of these columns, a long text as
    TEXT_ITEM characters an item.

    >>> list_sizes([[["a", "b"], None], ["x" * 4000, "y"]], 2).tolist()
    [102, 0]
    """
    sizes = np.zeros(n, dtype="int64")
    for column in columns:
        if any(isinstance(v, list) or (isinstance(v, str) and len(v) >= LONG_TEXT)
               for v in column):  # fmt: skip
            sizes += np.fromiter(
                (len(v) if isinstance(v, list) else
                 len(v) // TEXT_ITEM if isinstance(v, str) and len(v) >= LONG_TEXT else 0
                 for v in column), dtype="int64", count=n)  # fmt: skip
    return sizes


def _table(label: str, table: NodeTable) -> VertexStream:
    """The rows of `table`, let go once streamed (its keys and links stay: edges read them)."""
    names, columns = list(table.props), list(table.props.values())
    n = len(table.keys)
    table.props, table.hashes = {}, {}  # hashes: for the writer's diff, not a first load

    def chunks() -> Iterator[Rows]:
        lo = 0
        for hi in row_bounds(list_sizes(columns, n), CHUNK, LIST_ITEMS):
            yield present(names, [c[lo:hi] for c in columns])
            lo = hi
        columns.clear()

    return VertexStream(label, names, chunks, n)


def _link_edges(
    rel: str, source: str, target: str, keys: list[Any], lists: list[list[Any]]
) -> EdgeStream:
    """Edges from per-key link lists (CHILD_OF, USES)."""

    def chunks() -> Iterator[EdgeChunk]:
        sources = [k for k, targets in zip(keys, lists, strict=True) for _ in targets]
        targets = [t for targets in lists for t in targets]
        for lo in range(0, len(sources), CHUNK):
            yield sources[lo : lo + CHUNK], targets[lo : lo + CHUNK], None

    def target_counts() -> tuple[list[Any], np.ndarray]:
        n = pd.Series([t for targets in lists for t in targets], dtype=object).value_counts()
        return n.index.tolist(), n.to_numpy()

    return EdgeStream(rel, source, target, chunks, sum(len(t) for t in lists), target_counts)


class OwnerHashes:
    """Edge hashes by owner: the owners' hash table and their digests as 24-byte text (a dict
    of Python strings was 0.6 GB for 3M owners, alive through the Model vertices)."""

    def __init__(self, owners: list[Any], digests: np.ndarray) -> None:
        self.index = pd.Index(owners, dtype=object)
        self.digests = digests

    def of(self, keys: list[Any]) -> list[str | None]:
        """The hash of each key's edges; None for a key that owns none."""
        if not len(self.digests):
            return [None] * len(keys)
        at = self.index.get_indexer(pd.Index(keys, dtype=object)).tolist()
        return [self.digests[i].decode() if i >= 0 else None for i in at]


class _Owned:
    """Model -> Model edges owned by one end (SIMILAR_TO by its source, BASED_ON and
    LIKELY_BASED_ON by the child) in the writer's EdgeSet order (`read.edge_order`): each
    owner's edge hash (a pass before the Model vertices) and the edges (a second pass), in
    chunks cut where the owner changes, so a hash sees all of its owner's edges. Text columns
    are kept as integer codes into their distinct values, not as 23M strings (3M models)."""

    def __init__(
        self, frame: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple[str, ...]
    ) -> None:
        self.names = (owner, *fields)
        order = read.edge_order(frame, owner, fields, key_fields)
        self.columns: dict[str, tuple[np.ndarray, Any]] = {}
        for name in self.names:
            codes, uniques = read.sort_codes(frame[name])
            if uniques is None:  # numbers: the values themselves, in the column's dtype
                self.columns[name] = (frame[name].to_numpy()[order], None)
            else:  # codes into the distinct values, None last (the code of a missing value)
                values = np.append(np.asarray(uniques, dtype=object), None)
                self.columns[name] = (codes[order].astype("int32"), values)
        owners = self.columns[owner][0]
        n = len(order)
        starts = np.flatnonzero(owners[1:] != owners[:-1]) + 1 if n > 1 else np.arange(0)
        # chunk ends: the first owner start at or after each multiple of CHUNK
        at = np.searchsorted(starts, np.arange(CHUNK, n, CHUNK))
        cuts = np.unique(starts[at[at < len(starts)]]).tolist()
        self.bounds = [(lo, hi) for lo, hi in zip([0, *cuts], [*cuts, n], strict=True) if hi > lo]
        self.n = n

    def __len__(self) -> int:
        return self.n

    def _values(self, name: str, lo: int, hi: int) -> list[Any]:
        """Python values of rows lo..hi, as read.py_values makes them for the writer."""
        data, uniques = self.columns[name]
        if uniques is None:
            return read.py_values(pd.Series(data[lo:hi]))
        return uniques[data[lo:hi]].tolist()

    def hashes(self) -> OwnerHashes:
        keys: list[Any] = []
        digests: list[np.ndarray] = []
        owner, *fields = self.names
        for lo, hi in self.bounds:
            owners = np.asarray(self._values(owner, lo, hi), dtype=object)
            columns = [self._values(f, lo, hi) for f in fields]
            starts, ends = read.owner_runs(owners)
            keys += owners[starts].tolist()
            digests.append(np.array([read.edge_hash(columns, a, b).encode()
                                     for a, b in zip(starts, ends, strict=True)], dtype="S24"))
        return OwnerHashes(keys, np.concatenate([np.empty(0, "S24"), *digests]))

    def stream(self, rel: str, props: tuple[str, ...]) -> EdgeStream:
        owner, target = self.names[0], self.names[1]

        def chunks() -> Iterator[EdgeChunk]:
            for lo, hi in self.bounds:
                columns: dict[str, Any] = {}
                for p in props:
                    data, uniques = self.columns[p]
                    columns[p] = data[lo:hi] if uniques is None else uniques[data[lo:hi]].tolist()
                yield self._values(owner, lo, hi), self._values(target, lo, hi), columns

            self.columns.clear()  # streamed once: the codes let go

        def target_counts() -> tuple[list[Any], np.ndarray]:
            data, uniques = self.columns[target]
            if uniques is None:  # numbers
                keys, n = np.unique(data, return_counts=True)
                return keys.tolist(), n
            return key_counts(uniques[:-1], np.bincount(data, minlength=len(uniques))[:-1])

        return EdgeStream(rel, "Model", "Model", chunks, self.n, target_counts)


class _Links:
    """The models' links, collected while the Model vertices stream: per link, the targets in
    first-seen order (the writer's MERGE order) and each edge as (model position, target code)."""

    def __init__(self) -> None:
        self.names: dict[str, dict[Any, int]] = {link: {} for link, _, _ in MODEL_LINKS.values()}
        self.pairs: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {
            link: ([], []) for link in self.names
        }
        self.keys: list[Any] = []
        self.done = False

    def add(self, m: NodeTable) -> None:
        offset = len(self.keys)
        self.keys.extend(m.keys)
        for link, names in self.names.items():
            models, codes = [], []
            for i, targets in enumerate(m.links[link]):
                for t in targets:
                    models.append(offset + i)
                    codes.append(names.setdefault(t, len(names)))
            self.pairs[link][0].append(np.asarray(models, dtype="int32"))
            self.pairs[link][1].append(np.asarray(codes, dtype="int32"))

    def _ready(self) -> None:
        if not self.done:
            raise RuntimeError("model links read before the Model vertices were streamed")

    def vertices(self, label: str, key: str, link: str) -> VertexStream:
        def chunks() -> Iterator[Rows]:
            self._ready()
            names = list(self.names[link])
            stream.count = len(names)
            for lo in range(0, len(names), CHUNK):
                yield [{key: n} for n in names[lo : lo + CHUNK]]

        stream = VertexStream(label, [key], chunks)
        return stream

    def edges(self, rel: str, label: str, link: str) -> EdgeStream:
        def chunks() -> Iterator[EdgeChunk]:
            self._ready()
            models = np.concatenate([np.empty(0, "int32"), *self.pairs[link][0]])
            codes = np.concatenate([np.empty(0, "int32"), *self.pairs[link][1]])
            self.pairs[link] = ([], [])  # streamed once
            names = list(self.names[link])
            stream.count = len(models)
            for lo in range(0, len(models), CHUNK):
                hi = lo + CHUNK
                yield ([self.keys[i] for i in models[lo:hi].tolist()],
                       [names[c] for c in codes[lo:hi].tolist()], None)  # fmt: skip

        def target_counts() -> tuple[list[Any], np.ndarray]:
            self._ready()
            codes = np.concatenate([np.empty(0, "int32"), *self.pairs[link][1]])
            names = list(self.names[link])
            return key_counts(names, np.bincount(codes, minlength=len(names)))

        stream = EdgeStream(rel, "Model", label, chunks, target_counts=target_counts)
        return stream


def let_go(t: Tables, *names: str) -> None:
    """Let go of these tables of `t` (each left an empty table with the same columns). Not a
    slice: a slice, even empty, of an Arrow-backed column keeps all of the column's memory."""

    def empty(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series([], dtype=frame[c].dtype) for c in frame.columns})

    for name in names:
        value = getattr(t, name)
        if isinstance(value, dict):
            setattr(t, name, {key: empty(frame) for key, frame in value.items()})
        elif value is not None:
            setattr(t, name, empty(value))


def _models(t: Tables, hashes: dict[str, OwnerHashes], links: _Links) -> VertexStream:
    path = t.folder / "models.parquet"
    names_seen: list[str] = []
    joins = read.join_links(t.joins)
    n = len(t.models)
    parts = [(lo, min(lo + CHUNK, n), []) for lo in range(0, n, CHUNK)]
    parts.append((0, 0, t.external))  # the external stubs, after the models (as the writer)

    def chunks() -> Iterator[Rows]:
        for lo, hi, external in parts:
            if hi == lo and not external:
                continue
            m = read.model_table(t.models.iloc[lo:hi], external, path, [])
            read.add_model_joins(m, joins)
            for name, owned in hashes.items():
                m.props[name] = owned.of(m.keys)
            links.add(m)
            names_seen[:] = list(m.props)
            yield present(list(m.props), list(m.props.values()))
        links.done = True
        # the models' frame (1.2 GB at 3M) and edge hashes are read here only: let them go
        let_go(t, "models")
        hashes.clear()

    stream = VertexStream("Model", names_seen, chunks, n + len(t.external))
    return stream


def graph_stream(folder: Any) -> GraphStream:
    """The vertices and edges of a first load of `folder` (UserError if anything is off)."""
    t = read.read_tables(folder)
    skipped: list[str] = []
    read.model_props(t.models.iloc[:0], [], t.folder / "models.parquet", skipped)
    communities = read.group_table(
        t.communities, "community", t.folder / "communities.parquet", skipped
    )
    clusters = read.group_table(
        t.clusters, "cluster", t.folder / "clusters.parquet", skipped, "parent"
    )
    similar = _Owned(t.similarity, "source", read.SIMILAR_FIELDS, ("target",))
    let_go(t, "similarity")  # kept as codes from here (GBs of text at 3M)
    lineage = _Owned(t.lineage, "child", read.LINEAGE_FIELDS, ("parent", "relation"))
    inferred = _Owned(read.inferred_frame(t.inferred), "child", read.INFERRED_FIELDS, ("parent",))
    hashes = {
        "similar_hash": similar.hashes(),
        "lineage_hash": lineage.hashes(),
        "inferred_hash": inferred.hashes(),
    }
    serving = read.serving_tables(
        read.serving_frame(t.models, t.external), t.communities, t.clusters, t.words, t.joins,
    )  # fmt: skip
    datasets, spaces = read.join_nodes(t.folder, t.joins, skipped)
    links = _Links()
    # The serving rows first: no edge reads them, and written first they are let go (1.7 GB at
    # 3M models) before the Model vertices and the engine's heap grow (bench/results/load.md).
    vertices: dict[str, VertexStream] = {
        **{label: _table(label, serving.pop(label)) for label in cy.SERVING_LABELS},
        "Community": _table("Community", communities),
        "Cluster": _table("Cluster", clusters),
        "Model": _models(t, hashes, links),
    }
    edges: dict[str, EdgeStream] = {
        "CHILD_OF": _link_edges("CHILD_OF", "Cluster", "Cluster", clusters.keys,
                                clusters.links["parent"]),
    }  # fmt: skip
    for rel, (link, label, key) in MODEL_LINKS.items():
        if label not in vertices:
            vertices[label] = links.vertices(label, key, link)
        edges[rel] = links.edges(rel, label, link)
    # Dataset vertices are datasets.parquet's rows (with their properties): it names every
    # dataset a model links to
    vertices["Dataset"] = _table("Dataset", datasets)
    vertices["Space"] = _table("Space", spaces)
    edges["SIMILAR_TO"] = similar.stream("SIMILAR_TO", ("score",))
    edges["BASED_ON"] = lineage.stream("BASED_ON", ("relation", "origin"))
    edges[INFERRED_EDGE] = inferred.stream(INFERRED_EDGE, ("score", "relation", "rank"))
    edges["USES"] = _link_edges("USES", "Space", "Model", spaces.keys, spaces.links["models"])
    let_go(t, "lineage", "inferred", "communities", "clusters", "words", "joins")  # all read
    return GraphStream(t, vertices, edges, skipped)


def summary_counts(g: GraphStream) -> dict[str, Any]:
    """Counts in the writer's shape (`writer.summary` prints them): everything created. After
    the streams were consumed (link targets are counted on the way)."""

    def created(n: int | None) -> dict[str, int]:
        return {"created": n or 0, "updated": 0, "unchanged": 0, "deleted": 0}

    v, e = g.vertices, g.edges
    return {
        "build_id": str(g.manifest["build_id"]),
        "communities": created(v["Community"].count),
        "clusters": created(v["Cluster"].count),
        "models": {**created(v["Model"].count), "external": len(g.tables.external)},
        "summaries": created(sum(v[label].count or 0 for label in cy.SERVING_LABELS)),
        "similar_to": created(e["SIMILAR_TO"].count),
        "based_on": created(e["BASED_ON"].count),
        "likely_based_on": created(e[INFERRED_EDGE].count),
        "skipped_columns": g.skipped_columns,
        "datasets": created(v["Dataset"].count),
        "spaces": created(v["Space"].count),
    }
