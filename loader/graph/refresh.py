"""A refresh: the rows of a new build that may differ from the build the graph holds, found by
diffing the two builds' artifacts instead of the graph (issue 11).

    diff = artifact_diff(prev := read_tables(previous_dir), new := read_tables(new_dir))
    diff.art            # the writer's tables (read.py rules, hashes included), changed rows only
    diff.stored         # the previous build's hashes of the same rows: what the graph holds
    serving, keys = serving_diff(prev, new, diff.affected)  # the serving rows that may differ

The full incremental load (`writer.load_artifacts`) turns every row of the new build into
Python values, hashes it, and reads every stored hash back over Bolt: a fixed cost of about a
quarter of a first load whatever changed (bench/results/load.md). When the graph provably holds
the previous build (its current, complete `Build` is the one in `previous_dir`; the writer
checks), the previous build's artifacts stand for what is stored. Then:

1. vectorised per-row digests (pandas' `hash_pandas_object`, 64 bits) of both builds' tables
   find the candidates: node keys whose row differs, is new or is gone, and the owners of edges
   that differ, are new or are gone;
2. only the candidates' rows, in both builds, become the writer's rows, with read.py's own
   functions (so with the same row and edge hashes as a full load);
3. the writer's own diff (`_sync_nodes`, `_sync_edges`) writes them, the previous build's hashes
   standing for the stored ones: a candidate whose row hash is equal in both is not written.

A changed row is missed only if its 64-bit digest equals its previous one (1 in 1.8e19 per row;
for edges, in a set of up to n edges: n in 1.8e19). The serving tables are pure functions of all
models, so: `Term`/`Posting` rows of the candidates' words, computed over every model that has
one of them; `GroupTop` rows of the candidates' communities (their tops and joins), clusters
(with their ancestors), datasets and papers, over every member, diffed with the graph's hashes
of the same keys (and of every key the previous build may have had for them: read by key,
cheaper than making its rows); `Facet`, `Ranking`, `GroupRanking` and `Word` (a few thousand
rows) whole, diffed with the graph's hashes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from constellation.loader.graph import read, summaries
from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.read import Artifacts, EdgeSet, NodeTable, Tables

from constellation.errors import UserError

# serving labels recomputed whole (small); the others are diffed here
WHOLE_SERVING = ("Facet", "Ranking", "GroupRanking", "Word")


@dataclass
class ArtifactDiff:
    art: Artifacts  # the new build's candidate rows, as read_artifacts makes them
    stored: dict[str, dict[Any, str | None]]  # kind -> the previous build's hashes of them
    owners: list[Any]  # models whose owned edges may differ
    existed: set[Any]  # those of them the graph holds (their stored edges are read back)
    # kind -> nodes of the new build, for the unchanged counts (the edges' follow from the
    # previous load's counts, writer._edge_total: counting a build's distinct edges took 5.5 s
    # at 1M models)
    totals: dict[str, int]
    candidates: dict[str, int] = field(default_factory=dict)  # kind -> candidate rows
    # label -> the previous link targets of the candidate models: the only nodes of Author,
    # Tag, … that the refresh can leave without links
    orphans: dict[str, list[Any]] = field(default_factory=dict)
    # rewritten models whose links (author, tags, groups, joins …) are the previous build's but
    # for these link lists (writer_cypher.RELINK_MODELS; none: their properties alone written)
    relinked: dict[Any, tuple[str, ...]] = field(default_factory=dict)
    # changed clusters in both builds with the same parent: their properties alone written
    same_parent: set[Any] = field(default_factory=set)
    # kind (models, communities, clusters) -> changed rows the graph holds -> the properties
    # that differ (row_hash among them): those alone are set, the rest are as stored
    changed_props: dict[str, dict[Any, tuple[str, ...]]] = field(default_factory=dict)
    # the words, groups, datasets and papers whose serving rows may differ (`serving_diff`)
    affected: Any = None
    # edge kind -> the previous build's edges with a model at either end that is gone: a
    # deleted model takes them with it, so the totals after the load follow without counting
    # the graph (10 s after a 1 % removal at 1M models: ArcadeDB scans for a count)
    cascaded: dict[str, int] = field(default_factory=dict)


def _differ(a: Any, b: Any) -> bool:
    """Whether two property values differ (NaN and values that compare oddly do)."""
    try:
        return bool(type(a) is not type(b) or a != b)
    except (TypeError, ValueError):  # arrays: ambiguous truth; write it
        return True


def changed_props(prev: NodeTable, new: NodeTable, keys: set[Any]) -> dict[Any, tuple[str, ...]]:
    """For each of `keys` in both tables, the properties whose values differ. Empty when the
    builds' property names differ: a property one lacks must disappear, so rows are written
    whole (`SET n = {…}`)."""
    names = list(new.props)
    if list(prev.props) != names:
        return {}
    at = {k: r for r, k in enumerate(prev.keys)}
    out = {}
    for r, k in enumerate(new.keys):
        if k in keys and k in at:
            out[k] = tuple(n for n in names if _differ(prev.props[n][at[k]], new.props[n][r]))
    return out


def _as_text(value: Any) -> Any:
    """A list (or dict) value as the text it reads as; other values as they are."""
    if isinstance(value, np.ndarray | list | tuple | dict):
        return repr(read._py_scalar(value))
    return value


def _list_hashes(values: pd.Series) -> np.ndarray | None:
    """Digests of a column of lists through Arrow (each list's items joined, and its length);
    None when the values are not lists of scalars."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        lists = pa.array(values.to_numpy(dtype=object), from_pandas=True)
        if not pa.types.is_list(lists.type) and not pa.types.is_large_list(lists.type):
            return None
        text = pc.binary_join(lists.cast(pa.list_(pa.string())), "\x1f")
    except (pa.ArrowException, TypeError, ValueError):
        return None
    both = pd.DataFrame({
        "text": text.to_pandas(), "n": pc.list_value_length(lists).to_pandas(),
    })  # fmt: skip
    return pd.util.hash_pandas_object(both, index=False).to_numpy()


def digests(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit digest per row of these columns (vectorised; lists hashed as their items)."""
    parts = {}
    for col in columns:
        values = frame[col]
        if values.dtype == object:
            sample = values.dropna()
            if len(sample) and not isinstance(sample.iloc[0], str):
                hashed = _list_hashes(values)
                if hashed is not None:
                    parts[col] = hashed
                    continue
                values = values.map(_as_text)
        parts[col] = pd.util.hash_pandas_object(values, index=False).to_numpy()
    if not parts:
        return np.zeros(len(frame), dtype="uint64")
    return pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()


def _absent(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Which digests are not among `known` (a hash table, not a sort)."""
    return ~pd.Series(values).isin(pd.Index(known)).to_numpy()


def _same_schema(prev: pd.DataFrame, new: pd.DataFrame) -> bool:
    return list(prev.columns) == list(new.columns) and all(
        prev[c].dtype == new[c].dtype for c in new.columns
    )


def _differing(prev: pd.Series, new: pd.Series) -> np.ndarray:
    """Which rows of two aligned columns of one type differ (missing equals missing): numbers
    compared as they are, other values by digest; an equal column costs one comparison."""
    if prev.equals(new):
        return np.zeros(len(new), dtype=bool)
    kind = new.dtype
    if pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind):
        a, b = prev.reset_index(drop=True), new.reset_index(drop=True)
        missing = a.isna().to_numpy() & b.isna().to_numpy()
        return ~(a.eq(b).fillna(False).to_numpy(dtype=bool) | missing)
    frame = pd.DataFrame({"p": prev.to_numpy(dtype=object), "n": new.to_numpy(dtype=object)})
    return digests(frame, ["p"]) != digests(frame, ["n"])


def changed_keys(prev: pd.DataFrame, new: pd.DataFrame, key: str) -> set[Any]:
    """Keys whose row differs between the two tables, is new or is gone (every key when the
    columns or their types differ)."""
    if not _same_schema(prev, new):
        return set(prev[key]) | set(new[key])
    if prev.equals(new):  # C++ over Arrow columns: 1 s for 1M models, digests take 8
        return set()
    if prev[key].equals(new[key]):  # the same keys in the same order: column by column
        differ = np.zeros(len(new), dtype=bool)
        for col in new.columns:
            differ |= _differing(prev[col], new[col])
        return set(new[key].to_numpy(dtype=object)[differ])
    cols = list(new.columns)
    ph, nh = digests(prev, cols), digests(new, cols)
    pos = pd.Index(prev[key]).get_indexer(new[key])
    differ = pos < 0
    differ[~differ] = ph[pos[~differ]] != nh[~differ]
    gone = ~isin(prev[key], new[key])
    return set(new[key].to_numpy(dtype=object)[differ]) | set(
        prev[key].to_numpy(dtype=object)[gone]
    )


def changed_owners(prev: pd.DataFrame, new: pd.DataFrame, owner: str, cols: list[str]) -> set:
    """Owners with an edge (row of `cols`) in one table and not in the other."""
    if not _same_schema(prev[cols], new[cols]):
        return set(prev[owner]) | set(new[owner])
    if prev[cols].equals(new[cols]):  # 7.8M similarity edges: 0.15 s, their digests 15 s
        return set()
    ph, nh = digests(prev, cols), digests(new, cols)
    # the few owners picked before they become Python strings (7.8M edges: 1.3 s)
    added = new[owner][_absent(nh, ph)].tolist()
    gone = prev[owner][_absent(ph, nh)].tolist()
    return set(added) | set(gone)


def isin(column: pd.Series, values: Any) -> np.ndarray:
    """Which values of `column` are among `values`, through Arrow's hash table (pandas' isin on
    Arrow strings builds a Python list of the values first)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, set | frozenset | dict):
        values = list(values)
    if not len(column) or not len(values):  # an empty table's column may have any type
        return np.zeros(len(column), dtype=bool)
    have = pa.array(column, from_pandas=True)
    wanted = pa.array(values, from_pandas=True)
    if wanted.type != have.type:
        wanted = wanted.cast(have.type)
    return pc.fill_null(pc.is_in(have, value_set=wanted), False).to_numpy(zero_copy_only=False)


def _rows(frame: pd.DataFrame, col: str, keys: Any) -> pd.DataFrame:
    return frame[isin(frame[col], keys)] if len(keys) else frame.iloc[:0]


# --- the candidates of each kind -------------------------------------------------------------


def cascaded_edges(
    frame: pd.DataFrame, owner: str, key_fields: tuple[str, ...], gone: set[Any]
) -> int:
    """Distinct edges (by owner and key fields; the first key field is the other end) of
    `frame` with either end among `gone`."""
    if not gone or not len(frame):
        return 0
    hit = frame[isin(frame[owner], gone) | isin(frame[key_fields[0]], gone)]
    return len(hit.drop_duplicates(subset=[owner, *key_fields]))


def _join_pairs(t: Tables) -> dict[str, pd.DataFrame]:
    """The (model, target) pairs a model's row hash covers (`add_model_joins`)."""
    return {
        "trained_on": t.joins["trained_on"][["model", "dataset"]],
        "cites": t.joins["cites"][["model", "arxiv_id"]],
    }


def model_candidates(p: Tables, n: Tables) -> set[Any]:
    """Model keys (stubs included) whose node or links may differ (`row`, the position in the
    file, is not stored: one removal shifts it for every later model)."""
    skip = (*read.ARTIFACT_ONLY, *read.BOOKKEEPING)
    keys = changed_keys(
        p.models.drop(columns=[c for c in skip if c in p.models.columns]),
        n.models.drop(columns=[c for c in skip if c in n.models.columns]), "id",
    )  # fmt: skip
    keys |= set(p.external) ^ set(n.external)
    for name, pairs in _join_pairs(n).items():
        prev = _join_pairs(p)[name]
        keys |= changed_owners(prev, pairs, "model", list(pairs.columns))
    return keys


def _model_rows(t: Tables, keys: set[Any]) -> NodeTable:
    """The Model rows of these keys as `read_artifacts` makes them (joins mixed in)."""
    path = t.folder / "models.parquet"
    ext = [e for e in t.external if e in keys]
    nodes = read.model_table(_rows(t.models, "id", keys), ext, path, [])
    joins = {name: _rows(frame, "model", keys) for name, frame in _join_pairs(t).items()}
    read.add_model_joins(nodes, read.join_links(joins))
    return nodes


def _edge_rows(
    p: pd.DataFrame, n: pd.DataFrame, owner: str, fields: tuple[str, ...], key_fields: tuple
) -> tuple[EdgeSet, EdgeSet, set[Any]]:
    """(previous, new) edge sets of the owners whose edges may differ; those owners."""
    cols = [owner, *fields]
    owners = changed_owners(p, n, owner, cols)
    prev = read.edge_set(_rows(p, owner, owners), owner, fields, key_fields)
    new = read.edge_set(_rows(n, owner, owners), owner, fields, key_fields)
    return prev, new, owners


def _word_hits(split: Any, words: list[str]) -> tuple[np.ndarray, Any]:
    """(row, word) of each word of the ids (`summaries.split_ids` of them) that is one of
    these words: the rows as an array, the words as an Arrow array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    flat = pc.list_flatten(split)
    hit = pc.is_in(flat, value_set=pa.array(words, pa.string())).to_numpy(zero_copy_only=False)
    return pc.list_parent_indices(split).to_numpy()[hit], flat.filter(pa.array(hit))


def _word_holders(split: Any, words: list[str]) -> np.ndarray:
    """Which ids (`summaries.split_ids` of them) hold one of these words."""
    out = np.zeros(len(split), dtype=bool)
    if len(split) and words:
        out[_word_hits(split, words)[0]] = True
    return out


def _ancestors(clusters: pd.DataFrame, start: set[Any]) -> set[Any]:
    """These clusters and every cluster above them."""
    parent = dict(zip(clusters["cluster"].tolist(), clusters["parent"].tolist(), strict=True))
    out, todo = set(), [c for c in start if not pd.isna(c)]
    while todo:
        c = todo.pop()
        if c in out:
            continue
        out.add(c)
        up = parent.get(c)
        if not pd.isna(up):  # missing: a top cluster
            todo.append(int(up))
    return out


def _under(t: Tables, groups: set[Any]) -> np.ndarray:
    """Which models have a cluster in `groups` at or above their own."""
    cluster_ids = t.clusters["cluster"].to_numpy(dtype="int64")
    parents = summaries._ints(t.clusters["parent"])
    index = pd.Index(cluster_ids)
    level = summaries._ints(t.models["cluster"])
    wanted = np.array(sorted(groups), dtype="int64")
    hit = np.zeros(len(level), dtype=bool)
    while (level >= 0).any():
        hit |= pd.Series(level).isin(wanted).to_numpy()
        known = level >= 0
        up = np.full(len(level), -1, dtype="int64")
        up[known] = parents[index.get_indexer(level[known])]
        level = up
    return hit


@dataclass
class _Affected:
    words: list[str]
    communities: set[Any]
    clusters: set[Any]
    datasets: set[Any]
    papers: set[Any]
    # communities whose `joins:` rows may differ: those of changed models with a dataset, paper
    # or Space link (only those count or show there), and those in one build only
    joined: set[Any] = field(default_factory=set)


def _space_models(p: Tables, n: Tables) -> set[Any]:
    """Models whose USES links differ, or used by a Space whose row differs: their families'
    `joins:` rows count them (`summaries.family_joins`)."""
    cols = ["space", "model"]
    models = changed_owners(p.joins["uses"][cols], n.joins["uses"][cols], "model", cols)
    spaces = changed_keys(p.joins["spaces"], n.joins["spaces"], "id")
    if spaces:
        for t in (p, n):
            models |= set(_rows(t.joins["uses"], "space", spaces)["model"])
    return models


def _affected(p: Tables, n: Tables, models: set[Any], clusters: set[Any]) -> _Affected:
    """The words, groups, datasets and papers whose serving rows may differ."""
    words = sorted({w for ws in summaries.words(pd.Series(sorted(models), dtype=object))
                    for w in ws})  # fmt: skip
    communities: set[Any] = set()
    leaves: set[Any] = set(clusters)
    datasets: set[Any] = set()
    papers: set[Any] = set()
    used = _space_models(p, n)
    joined = set(p.communities["community"]) ^ set(n.communities["community"])
    for t in (p, n):
        rows = _rows(t.models, "id", models)
        communities |= {int(c) for c in rows["community"].dropna()}
        leaves |= {int(c) for c in rows["cluster"].dropna()}
        trained = _rows(t.joins["trained_on"], "model", models)
        cited = _rows(t.joins["cites"], "model", models)
        datasets |= set(trained["dataset"])
        papers |= set(cited["arxiv_id"])
        linked = (set(trained["model"]) | set(cited["model"]) | used
                  | set(_rows(t.joins["uses"], "model", models)["model"]))  # fmt: skip
        joined |= {int(c) for c in _rows(t.models, "id", linked)["community"].dropna()}
    groups = _ancestors(p.clusters, leaves) | _ancestors(n.clusters, leaves)
    return _Affected(words, communities | joined, groups, datasets, papers, joined)


def _top_keys(a: _Affected) -> set[str]:
    """The GroupTop keys of the affected groups, datasets and papers (summaries' prefixes)."""
    return (
        {f"community:{c}" for c in a.communities}
        | {f"joins:{c}" for c in a.joined}
        | {f"cluster:{c}" for c in a.clusters}
        | {f"dataset:{d}" for d in a.datasets}
        | {f"paper:{x}" for x in a.papers}
    )


def _word_counts(ids: pd.Series, words: list[str]) -> pd.Series:
    """How many of these ids hold each of these words (search_index's split)."""
    if not len(ids) or not words:
        return pd.Series(dtype="int64")
    rows, hits = _word_hits(summaries.split_ids(ids), words)
    pairs = pd.DataFrame({"row": rows, "word": hits.to_numpy(zero_copy_only=False)})
    return pairs.drop_duplicates()["word"].value_counts()  # a word twice in an id counts once


def previous_serving_keys(p: Tables, a: _Affected, same_ids: bool) -> dict[str, list[Any]]:
    """Every key of the previous build's Term, Posting and GroupTop rows that the affected
    words and groups may have had (a superset): the writer reads their stored hashes.
    `same_ids`: both builds hold the same ids, so each word's Posting keys are the new
    build's (the caller adds those), not counted again (3.6 s at 1M models)."""
    ids = pd.concat([p.models["id"], pd.Series(p.external, dtype=object)], ignore_index=True)
    counts = _word_counts(ids, [] if same_ids else a.words)
    postings = [
        f"{word}#{chunk}" for word, n in counts.items()
        for chunk in range(1, 1 + (max(int(n) - summaries.FIRST_CHUNK, 0) + summaries.CHUNK - 1)
                           // summaries.CHUNK)
    ]  # fmt: skip
    return {"Term": list(a.words), "Posting": postings, "GroupTop": sorted(_top_keys(a))}


def _serving_rows(t: Tables, a: _Affected, whole: pd.DataFrame) -> dict[str, NodeTable]:
    """Term, Posting and GroupTop rows of the affected words, groups and datasets of one
    build, each computed over every model it depends on. `whole`: the build's serving frame
    (read.serving_frame of every model and stub), of which each is a subset: its id ranks are
    global, which orders any subset as its own would."""
    n_real = len(t.models)
    if a.words:  # the search index reads ids and downloads only
        split = summaries.split_ids(whole["id"])
        holds = _word_holders(split, a.words)
        terms, postings = summaries.search_index(
            whole[holds].reset_index(drop=True), only=a.words, split=split.filter(holds)
        )  # fmt: skip
    else:  # no model changed
        terms, postings = pd.DataFrame({"id": []}), pd.DataFrame({"id": []})

    models = whole.iloc[:n_real]  # what the group tops read: the models, no stubs

    def over(keys: Any) -> pd.DataFrame:  # the serving frame of these models
        return _rows(models, "id", keys).reset_index(drop=True)

    members = isin(t.models["community"], sorted(a.communities)) | _under(t, a.clusters)
    frame = models[members].reset_index(drop=True)
    community_top, cluster_top = summaries.member_tops(
        frame, t.clusters, communities_only=a.communities, clusters_only=a.clusters
    )
    trained = _rows(t.joins["trained_on"], "dataset", a.datasets)
    cited = _rows(t.joins["cites"], "arxiv_id", a.papers)
    family = frame[isin(frame["community"], sorted(a.joined))] if len(frame) else frame
    joins = {name: _rows(t.joins[name], "model", family["id"]) if len(family) else
             t.joins[name].iloc[:0] for name in ("trained_on", "cites", "uses")}  # fmt: skip
    joins["spaces"] = t.joins["spaces"]
    present = sorted(set(t.communities["community"].tolist()) & a.joined)
    tops = summaries.top_rows([
        summaries.group_tops(
            community_top, cluster_top, summaries.children(t.clusters, only=a.clusters)),
        summaries.dataset_tops(over(trained["model"].unique()), trained),
        summaries.paper_tops(over(cited["model"].unique()), cited),
        summaries.family_joins(family, pd.Series(present, dtype="int64"), joins),
    ])  # fmt: skip
    tops = tops[tops["id"].isin(list(_top_keys(a)))].reset_index(drop=True)
    return {
        "Term": read.serving_table(terms),
        "Posting": read.serving_table(postings),
        "GroupTop": read.serving_table(tops),
    }


# --- the diff ---------------------------------------------------------------------------------


def artifact_diff(p: Tables, n: Tables) -> ArtifactDiff:
    """The new build's rows that may differ from the previous build's, with the previous
    build's hashes of the same rows (see the module docstring)."""
    skipped: list[str] = []
    path = n.folder
    read.model_props(n.models.iloc[:0], [], path / "models.parquet", skipped)
    models = model_candidates(p, n)
    prev_models, new_models = _model_rows(p, models), _model_rows(n, models)

    communities = changed_keys(p.communities, n.communities, "community")
    clusters = changed_keys(p.clusters, n.clusters, "cluster")

    def groups(t: Tables, kind: str, keys: set[Any], skipped: list[str]) -> NodeTable:
        frame = t.communities if kind == "community" else t.clusters
        parent = "parent" if kind == "cluster" else None
        return read.group_table(
            _rows(frame, kind, keys), kind, t.folder / f"{kind}s.parquet", skipped, parent
        )

    sim = _edge_rows(p.similarity, n.similarity, "source", read.SIMILAR_FIELDS, ("target",))
    lin = _edge_rows(
        p.lineage, n.lineage, "child", read.LINEAGE_FIELDS, ("parent", "relation")
    )
    rewritten = {k for k, h in new_models.hashes.items() if prev_models.hashes.get(k, h) != h}
    prev_inferred, new_inferred = read.inferred_frame(p.inferred), read.inferred_frame(n.inferred)
    inf = _edge_rows(prev_inferred, new_inferred, "child", read.INFERRED_FIELDS, ("parent",))
    inferred_stored = {k: inf[0].hashes.get(k) for k in inf[2]}

    owners = sorted(models | sim[2] | lin[2] | inf[2], key=str)
    prev_keys = set(p.models["id"]) | set(p.external)
    new_keys = set(n.models["id"]) | set(n.external)
    existed = {k for k in owners if k in prev_keys and k in new_keys}
    gone = prev_keys - new_keys
    cascaded = {
        "similar_to": cascaded_edges(p.similarity, "source", ("target",), gone),
        "based_on": cascaded_edges(p.lineage, "child", ("parent", "relation"), gone),
        "likely_based_on": cascaded_edges(prev_inferred, "child", ("parent",), gone),
    }

    affected = _affected(p, n, models, clusters)
    datasets = (read.join_nodes(p.folder, p.joins, []), read.join_nodes(path, n.joins, skipped))

    new_clusters, prev_clusters = groups(n, "cluster", clusters, skipped), groups(
        p, "cluster", clusters, [])
    parent_before = dict(zip(prev_clusters.keys, prev_clusters.links["parent"], strict=True))
    same_parent = {k for k, up in zip(new_clusters.keys, new_clusters.links["parent"],
                                      strict=True) if k in parent_before
                   and parent_before[k] == up}  # fmt: skip
    art = Artifacts(
        manifest=n.manifest,
        models=new_models,
        communities=groups(n, "community", communities, skipped),
        clusters=new_clusters,
        similar=sim[1],
        lineage=lin[1],
        external=len(n.external),
        skipped_columns=skipped,
        serving={},  # serving_diff's, which the writer computes beside its first writes
        inferred=inf[1],
        datasets=datasets[1][0],
        spaces=datasets[1][1],
    )
    prev_communities = groups(p, "community", communities, [])
    stored = {
        "models": prev_models.hashes,
        "similar": {k: sim[0].hashes.get(k) for k in sim[2]},
        "lineage": {k: lin[0].hashes.get(k) for k in lin[2]},
        "inferred": inferred_stored,
        "communities": prev_communities.hashes,
        "clusters": prev_clusters.hashes,
        "datasets": datasets[0][0].hashes,
        "spaces": datasets[0][1].hashes,
    }
    totals = {
        "models": len(new_keys),
        "communities": len(n.communities),
        "clusters": len(n.clusters),
    }
    candidates = {
        "models": len(models), "communities": len(communities), "clusters": len(clusters),
        "similar_to owners": len(sim[2]), "based_on owners": len(lin[2]),
        "likely_based_on owners": len(inf[2]), "words": len(affected.words),
        "groups": len(affected.communities) + len(affected.clusters) + len(affected.datasets),
    }  # fmt: skip
    names = sorted(new_models.links)
    if sorted(prev_models.links) != names:
        names = []  # other link kinds: every rewritten model is written whole
    before = {k: r for r, k in enumerate(prev_models.keys)}
    relinked: dict[Any, tuple[str, ...]] = {}
    for r, k in enumerate(new_models.keys):
        if k not in rewritten or k not in before or not names:
            continue
        differ = tuple(n for n in names
                       if prev_models.links[n][before[k]] != new_models.links[n][r])  # fmt: skip
        if set(differ) <= set(cy.RELINK_MODELS):  # link lists the writer can remake alone
            relinked[k] = differ
    # only a model whose links change or that is gone can leave a link target orphaned
    moved = [r for r, k in enumerate(prev_models.keys) if relinked.get(k, ("?",))]
    links = {"Author": "author", "Tag": "tags", "License": "license", "Library": "library",
             "Paper": "papers", "Task": "task"}  # fmt: skip
    orphans = {
        label: sorted({x for r in moved for x in prev_models.links.get(name, [[]] * (r + 1))[r]},
                      key=str)
        for label, name in links.items()
    }  # fmt: skip
    candidates["models, links kept"] = sum(not d for d in relinked.values())
    candidates["models, some links remade"] = sum(bool(d) for d in relinked.values())
    props = {
        "models": changed_props(prev_models, new_models, set(relinked)),
        "communities": changed_props(prev_communities, art.communities, communities),
        "clusters": changed_props(prev_clusters, new_clusters, same_parent),
    }
    return ArtifactDiff(
        art, stored, owners, existed, totals, candidates, orphans, relinked, same_parent,
        props, affected, cascaded,
    )


def serving_diff(
    p: Tables, n: Tables, affected: _Affected
) -> tuple[dict[str, NodeTable], dict[str, list[Any]]]:
    """The new build's serving rows that may differ (those of the `affected` words and
    groups; WHOLE_SERVING's whole) by label, and the keys whose stored hashes the writer reads:
    both builds' keys of the affected rows (a lookup by key, cheaper than making the previous
    build's rows). Apart from `artifact_diff`: a quarter to half of a refresh's client work at
    1M models, which the writer does beside its first writes (bench/results/load.md)."""
    whole = read.serving_frame(n.models, n.external)  # made once: 1.5 s at 1M
    serving = _serving_rows(n, affected, whole)
    same_ids = p.external == n.external and p.models["id"].equals(n.models["id"])
    keys = previous_serving_keys(p, affected, same_ids)
    for label, table in serving.items():  # the new rows' keys too: new words, chunks, groups
        keys[label] = sorted(set(keys[label]) | set(table.keys), key=str)
    frames = read.serving_frames(
        whole, n.communities, n.clusters, n.words, n.joins, labels=WHOLE_SERVING
    )  # fmt: skip
    serving.update({label: read.serving_table(f) for label, f in frames.items()})
    return {label: serving[label] for label in read.SERVING_LABELS}, keys


def fingerprint(folder: str | Path) -> str:
    """The name, size and modification time of every file in an artifacts folder, as JSON: a
    refresh trusts a folder only if it is as it was when its build was loaded (`infer-lineage`
    adds a table to a build in place, keeping its build id)."""
    files = sorted(
        (f.name, f.stat().st_size, f.stat().st_mtime_ns)
        for f in Path(folder).iterdir() if f.is_file() and not f.name.startswith(".")
    )  # fmt: skip
    return json.dumps(files)


def changed_files(stored: str | None, folder: Path, times: bool = True) -> list[str]:
    """The files of `folder` that differ from a `fingerprint` (added, gone, other size or,
    with `times`, other modification time). A folder the user names may be a copy: sizes."""
    width = 3 if times else 2
    then = {tuple(f[:width]) for f in json.loads(stored or "[]")}
    now = {tuple(f[:width]) for f in json.loads(fingerprint(folder))}
    return sorted({f[0] for f in then ^ now})


def previous_build(folder: Path, explicit: bool) -> str | None:
    """The build id of the artifacts in `folder`; when they are missing or unreadable, a
    UserError naming them if the user named the folder (`--previous`), else None."""
    try:
        return str(read._read_manifest(folder)["build_id"])
    except UserError as exc:
        if explicit:
            text = str(exc).replace(f"--artifacts {folder}: ", "")
            raise UserError(f"--previous {folder}: {text}") from exc
        return None
