"""What the pages and the search read in constant time, computed from the artifacts at load.

    frame = serving_frame(art.models)             # id, downloads, likes, … of every Model node
    terms, postings = search_index(frame)         # the search index (Term, Posting nodes)
    tops = member_tops(frame, clusters)           # top members per community / cluster

Pure functions over DataFrames. The graph can sort a few thousand rows quickly but not 1M: an
unfiltered "most downloaded" page, the largest families or a common search word each read or
sort a large part of the graph (bench/results/queries.md, before). So the loader stores:
- a `GroupTop` per community and cluster: its most downloaded members (`ids`, best first) and,
  for clusters, its largest sub-clusters (`children`);
- `Ranking` nodes: the most downloaded / liked / recent models (`by_metadata` without filters),
  and `GroupRanking` nodes: the largest / most downloaded groups of each kind and level
  (`top_families`, the home page, the atlas);
- per dataset and per paper, a `GroupTop` of its most downloaded models (the first page of
  `trained_on` and of `by_metadata` with that filter), and per community a `GroupTop`
  `joins:<id>` with the datasets, papers and Spaces of its members, counted
  (`family_datasets`, `family_papers`, `spaces_using`);
- `Facet` nodes: the values of the filters with their model counts;
- `Term` and `Posting` nodes: for each lower-cased word of the ids, the models holding it,
  most downloaded first (the first FIRST_CHUNK on the Term, the rest in Posting chunks).

They are nodes of their own, not properties of the groups: a group's place or top members
change whenever a model changes, and the group nodes (the ids in shared URLs) would then be
rewritten by every refresh. Every ordering here is the one the queries use (downloads
descending with missing ones last, then id), so a page read from a summary equals the page the
full query would sort.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

TOP_MEMBERS = 50  # `top` of a community or cluster: the first family / atlas pages
TOP_CHILDREN = 50  # `children` of a cluster: the atlas drill-down
# models per Ranking: by_metadata pages without filters up to this row, and the atlas scatter
RANKING_SIZE = 3000
# Groups in a stored Ranking: top_families pages up to this row beyond which it sorts.
RANK_LIMIT = 1000
FIRST_CHUNK = 100  # ids of a word on its Term node: the search box's candidates
CHUNK = 1000  # ids per Posting node after the first chunk
# A Posting holds its ids and downloads as one text each (search.cypher splits them): ArcadeDB
# wrote 1,000 Postings of 1,000 ids 6x faster so than as lists (0.7 s, 4.4 s), and a refresh
# after a downloads change rewrites most Postings (bench/results/load.md). Ids hold no line
# break (read.py checks).
ID_SEPARATOR = "\n"
DOWNLOADS_SEPARATOR = " "
PREFIX_MIN = 3  # a search word this long also finds the words it begins (see search.cypher)
# The word separators of ids; search.cypher splits the typed text on the same characters.
WORD_SEPARATOR_CHARS = "/-_ "
WORD_SEPARATORS = f"[{re.escape(WORD_SEPARATOR_CHARS)}]+"
FACETS = ("pipeline_tag", "license", "library_name")
RANKINGS = {"downloads": "downloads", "likes": "likes", "created": "created_at"}
# the Model properties the summaries read
SERVING_COLUMNS = ("id", "downloads", "likes", "created_at", "community", "cluster", *FACETS)


def serving_frame(props: dict[str, Any] | pd.DataFrame) -> pd.DataFrame:
    """The Model nodes' columns the summaries need (external stubs included), from the
    writer's column-wise properties (or a frame of them: read.serving_frame)."""
    n = len(props["id"])
    frame = pd.DataFrame({
        c: props[c] if c in props and props[c] is not None else [None] * n
        for c in SERVING_COLUMNS
    })  # fmt: skip
    frame["id_rank"] = id_ranks(frame["id"])
    return frame


def _rank_key(values: pd.Series) -> np.ndarray:
    """Missing values last when sorting descending (the queries' coalesce(x, -1) DESC)."""
    return pd.to_numeric(values, errors="coerce").fillna(-1).to_numpy(dtype="float64")


def id_ranks(ids: pd.Series) -> np.ndarray:
    """Each id's place in id order: numeric tie-breakers sort much faster than text. (Arrow's
    sort, by UTF-8 bytes, is code point order as NumPy's: 0.5 s for 1M ids, NumPy's 2 s.)"""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(ids.astype(str).to_numpy(dtype=object), pa.string())
    order = pc.sort_indices(text).to_numpy()
    out = np.empty(len(order), dtype="int64")
    out[order] = np.arange(len(order))
    return out


def _id_rank(frame: pd.DataFrame) -> np.ndarray:
    return frame["id_rank"].to_numpy() if "id_rank" in frame else id_ranks(frame["id"])


def by_popularity(frame: pd.DataFrame) -> np.ndarray:
    """Row positions by downloads descending (missing last), then id: the queries' order."""
    return np.lexsort((_id_rank(frame), -_rank_key(frame["downloads"])))


def popularity_places(frame: pd.DataFrame) -> np.ndarray:
    """Each row's place in `by_popularity` order (0 = most downloaded)."""
    return order_places(frame, "downloads")


def _order_key(frame: pd.DataFrame, name: str) -> np.ndarray:
    """by_metadata's sort key of order `name` (RANKINGS), to sort descending."""
    column = frame[RANKINGS[name]]
    if name == "created" and pd.api.types.is_datetime64_any_dtype(column):
        # the whole seconds the stored ISO text keeps (read.serving_frame), missing first
        seconds = column.to_numpy(dtype="datetime64[s]").astype("int64").astype("float64")
        return np.where(column.isna().to_numpy(), -np.inf, seconds)
    if name == "created":  # ISO text; by_metadata sorts coalesce(created_at, '')
        text = column.fillna("").astype(str)
        return pd.Series(pd.factorize(text, sort=True)[0]).to_numpy(dtype="float64")
    return _rank_key(column)


def order_rows(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Row positions in by_metadata's order `name`: its key descending, then id."""
    return np.lexsort((_id_rank(frame), -_order_key(frame, name)))


def order_places(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Each row's place in by_metadata's order `name` (0 = first)."""
    place = np.empty(len(frame), dtype="int64")
    place[order_rows(frame, name)] = np.arange(len(frame))
    return place


def _lists(keys: np.ndarray, values: np.ndarray) -> tuple[list[Any], list[list[Any]]]:
    """Runs of equal consecutive keys -> (key, list of their values), order kept."""
    if len(keys) == 0:
        return [], []
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate([[0], change])
    return keys[starts].tolist(), [v.tolist() for v in np.split(values, change)]


def _firsts(
    groups: np.ndarray, ids: np.ndarray, k: int, only: Any = None
) -> dict[int, list[Any]]:
    """For rows already in page order: the first k ids of each group (integer groups, -1 for
    none), as group -> ids; `only`: of these groups alone."""
    keep = groups >= 0
    if only is not None:
        keep &= pd.Series(groups).isin(list(only)).to_numpy()
    groups, ids = groups[keep], ids[keep]
    order = np.argsort(groups, kind="stable")  # page order kept within a group
    groups, ids = groups[order], ids[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    pos = np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    first = pos < k
    keys, lists = _lists(groups[first], ids[first])
    return dict(zip(keys, lists, strict=True))


def positions(ids: pd.Series, values: pd.Series) -> np.ndarray:
    """Each value's row among unique `ids`, -1 when absent (Arrow's hash lookup: 3x faster
    than a pandas Index of Arrow strings, and no index is built).

    >>> positions(pd.Series(["a", "b", "c"]), pd.Series(["c", "x", "a"])).tolist()
    [2, -1, 0]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(ids) or not len(values):
        return np.full(len(values), -1, dtype="int64")
    have = pa.array(ids, from_pandas=True).cast(pa.large_string())
    wanted = pa.array(values, from_pandas=True).cast(pa.large_string())
    found = pc.index_in(wanted, value_set=have)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype("int64")


def _ints(values: Any) -> np.ndarray:
    """Integer ids with -1 for missing ones."""
    return pd.array(values, dtype="Int64").fillna(-1).to_numpy(dtype="int64")


def member_tops(
    frame: pd.DataFrame, clusters: pd.DataFrame, k: int = TOP_MEMBERS,
    communities_only: Any = None, clusters_only: Any = None,
) -> tuple[dict[Any, list[str]], dict[Any, list[str]]]:
    """(community -> top ids, cluster -> top ids): each group's k most downloaded members, best
    first. A cluster's members are the models of every finest cluster below it.

    >>> models = pd.DataFrame({"id": ["a", "b", "c"], "downloads": [5, None, 9],
    ...                        "community": [1, 1, 2], "cluster": [10, 11, 11]})
    >>> clusters = pd.DataFrame({"cluster": [10, 11, 20], "parent": [20, 20, None]})
    >>> member_tops(models, clusters)
    ({1: ['a', 'b'], 2: ['c']}, {10: ['a'], 11: ['c', 'b'], 20: ['c', 'a', 'b']})
    """
    order = by_popularity(frame)
    ids = frame["id"].to_numpy(dtype=object)[order]
    communities = _firsts(_ints(frame["community"])[order], ids, k, communities_only)
    cluster_ids = clusters["cluster"].to_numpy(dtype="int64")
    parents = _ints(clusters["parent"])
    index = pd.Index(cluster_ids)
    level = _ints(frame["cluster"])[order]
    tops: dict[Any, list[str]] = {}
    while (level >= 0).any():  # one pass per hierarchy level, from the finest cluster up
        tops.update(_firsts(level, ids, k, clusters_only))
        known = level >= 0
        up = np.full(len(level), -1, dtype="int64")
        up[known] = parents[index.get_indexer(level[known])]
        level = up
    return communities, tops


def group_order(frame: pd.DataFrame, key: str, by: str, then: str) -> list[Any]:
    """Group ids by `by` descending, then `then` descending, then id (top_families' order)."""
    order = np.lexsort((frame[key].to_numpy(), -_rank_key(frame[then]), -_rank_key(frame[by])))
    return frame[key].to_numpy(dtype=object)[order].tolist()


def group_rankings(
    communities: pd.DataFrame, clusters: pd.DataFrame, limit: int = RANK_LIMIT
) -> pd.DataFrame:
    """GroupRanking rows: `community:members|downloads` and, per level,
    `cluster:<level>:members|downloads`, each the first `limit` group ids in that order.

    >>> groups = pd.DataFrame({"cluster": [7, 8, 9, 5], "size": [3, 3, 9, 1],
    ...                        "downloads": [10, 20, 0, 5], "level": [0, 0, 0, 1]})
    >>> group_rankings(groups.rename(columns={"cluster": "community"}), groups, limit=2).values
    array([['community:members', list([9, 8])],
           ['community:downloads', list([8, 7])],
           ['cluster:0:members', list([9, 8])],
           ['cluster:0:downloads', list([8, 7])],
           ['cluster:1:members', list([5])],
           ['cluster:1:downloads', list([5])]], dtype=object)
    """
    rows = []
    parts = [("community", "community", communities)] + [
        (f"cluster:{level}", "cluster", part) for level, part in clusters.groupby("level")
    ]
    orders = (("members", "size", "downloads"), ("downloads", "downloads", "size"))
    for name, key, part in parts:
        for order, by, then in orders:
            rows.append({"id": f"{name}:{order}", "ids": group_order(part, key, by, then)[:limit]})
    return pd.DataFrame(rows, columns=["id", "ids"])


def group_tops(
    community_top: dict[Any, list[str]], cluster_top: dict[Any, list[str]],
    kids: dict[Any, list[int]],
) -> pd.DataFrame:
    """GroupTop rows: id (`community:<id>` / `cluster:<id>`), ids (top members), children."""
    rows = [{"id": f"community:{k}", "ids": v, "children": None}
            for k, v in community_top.items()]
    rows += [{"id": f"cluster:{k}", "ids": v, "children": kids.get(k)}
             for k, v in cluster_top.items()]
    rows += [{"id": f"cluster:{k}", "ids": [], "children": v}
             for k, v in kids.items() if k not in cluster_top]
    return pd.DataFrame(rows, columns=["id", "ids", "children"])


def group_top_rows(
    frame: pd.DataFrame, clusters: pd.DataFrame, joins: dict[str, pd.DataFrame],
    communities: pd.Series,
) -> pd.DataFrame:
    """Every GroupTop row: the communities' and clusters' (`group_tops`), the datasets'
    (`dataset_tops`), the papers' (`paper_tops`) and the families' joins (`family_joins`).
    A refresh (loader/graph/refresh.py) makes each kind for the groups it changed."""
    community_top, cluster_top = member_tops(frame, clusters)
    return top_rows([
        group_tops(community_top, cluster_top, children(clusters)),
        dataset_tops(frame, joins["trained_on"]),
        paper_tops(frame, joins["cites"]),
        family_joins(frame, communities, joins),
    ])  # fmt: skip


def top_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """GroupTop rows of several kinds as one table. Each part as Python values first: a count
    column some kinds lack would otherwise become floats (`models_n` 1.0), and the stored
    values and row hashes would depend on which kinds are present."""
    return pd.concat([part.astype(object) for part in parts], ignore_index=True)


def dataset_tops(frame: pd.DataFrame, trained: pd.DataFrame, k: int = TOP_MEMBERS) -> pd.DataFrame:
    """GroupTop rows of the datasets (`dataset:<id>`), the first page of `trained_on`: the k
    most downloaded models trained on each (`ids`; `ids_likes`, `ids_created`: by_metadata's
    other orders, see `link_tops`), and its k families by the downloads of
    those members (`families`: community ids, -1 for a model without community, a family
    alone; with `family_models`, `family_downloads` and `family_tops`, the most downloaded
    member), and how many models and families it has in all (`models_n`, `families_n`).

    >>> frame = pd.DataFrame({"id": ["a", "b", "c"], "downloads": [5, 9, None],
    ...                       "likes": None, "created_at": None, "community": [1, 1, None]})
    >>> trained = pd.DataFrame({"model": ["a", "b", "c"], "dataset": ["d", "d", "d"]})
    >>> dataset_tops(frame, trained).iloc[0][["id", "ids", "families", "family_tops"]].tolist()
    ['dataset:d', ['b', 'a', 'c'], [1, -1], ['b', 'c']]
    """
    columns = ["id", "ids", "ids_likes", "ids_created", "families", "family_models",
               "family_downloads", "family_tops", "models_n", "families_n"]
    links = trained[["model", "dataset"]].drop_duplicates()
    pos = positions(frame["id"], links["model"])
    keep = pos >= 0
    if not keep.any():
        return pd.DataFrame(columns=columns)
    place = popularity_places(frame)
    pos = pos[keep]
    ids = frame["id"].to_numpy(dtype=object)
    community = _ints(frame["community"])[pos]
    df = pd.DataFrame({
        "dataset": links["dataset"].to_numpy(dtype=object)[keep], "model": ids[pos],
        "place": place[pos], "community": community,
        "downloads": np.maximum(_rank_key(frame["downloads"]), 0).astype("int64")[pos],
        # a family: its community, or the model alone (-2 - its row: no community id is < 0)
        "group": np.where(community >= 0, community, -2 - pos),
    }).sort_values(["dataset", "place"], kind="stable")  # fmt: skip
    tops = link_tops(frame, links, "dataset", k)
    sizes = df.groupby("dataset", sort=False).agg(models=("model", "size"),
                                                  families=("group", "nunique"))  # fmt: skip
    fam = (df.groupby(["dataset", "group"], sort=False)
             .agg(models=("model", "size"), downloads=("downloads", "sum"),
                  top=("model", "first"), community=("community", "first"))
             .reset_index()
             .sort_values(["dataset", "downloads", "top"], ascending=[True, False, True])
             .groupby("dataset", sort=False).head(k))  # fmt: skip
    rows = []
    for dataset, part in fam.groupby("dataset", sort=False):
        rows.append({
            "id": f"dataset:{dataset}", "ids": tops.at[dataset, "ids"],
            "ids_likes": tops.at[dataset, "ids_likes"],
            "ids_created": tops.at[dataset, "ids_created"],
            "families": part["community"].astype(int).tolist(),
            "family_models": part["models"].astype(int).tolist(),
            "family_downloads": part["downloads"].astype(int).tolist(),
            "family_tops": part["top"].tolist(),
            "models_n": int(sizes.at[dataset, "models"]),
            "families_n": int(sizes.at[dataset, "families"]),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# by_metadata's orders -> the GroupTop list of a dataset / paper holding its first models
ORDER_LISTS = {"downloads": "ids", "likes": "ids_likes", "created": "ids_created"}


def link_tops(frame: pd.DataFrame, links: pd.DataFrame, target: str,
              k: int = TOP_MEMBERS) -> pd.DataFrame:  # fmt: skip
    """Per `target` value (index): the first k models linked to it in each by_metadata order
    (ORDER_LISTS columns) and how many in all (`models_n`).

    >>> frame = pd.DataFrame({"id": ["a", "b"], "downloads": [5, 9], "likes": [3, None],
    ...                       "created_at": [None, "2024-01-01"]})
    >>> link_tops(frame, pd.DataFrame({"model": ["a", "b"], "p": ["x", "x"]}), "p").values.tolist()
    [[['b', 'a'], ['a', 'b'], ['b', 'a'], 2]]
    """
    links = links[["model", target]].drop_duplicates()
    pos = positions(frame["id"], links["model"])
    keep = pos >= 0
    values, pos = links[target].to_numpy(dtype=object)[keep], pos[keep]
    models = frame["id"].to_numpy(dtype=object)[pos]
    out = {}
    for name, column in ORDER_LISTS.items():
        df = pd.DataFrame({"value": values, "model": models,
                           "place": order_places(frame, name)[pos]})  # fmt: skip
        df = df.sort_values(["value", "place"], kind="stable")
        out[column] = df.groupby("value", sort=False)["model"].apply(lambda s: s.head(k).tolist())
    tops = pd.DataFrame(out, columns=list(ORDER_LISTS.values()))
    tops["models_n"] = pd.Series(values).value_counts().reindex(tops.index).astype(object)
    return tops


def paper_tops(frame: pd.DataFrame, cites: pd.DataFrame, k: int = TOP_MEMBERS) -> pd.DataFrame:
    """GroupTop rows of the papers (`paper:<arxiv id>`), the first page of `by_metadata` with a
    paper filter: the k first models citing each in each of its orders (`ids` by downloads,
    `ids_likes`, `ids_created`) and how many in all (`models_n`), as `dataset_tops` does for a
    dataset filter.

    >>> frame = pd.DataFrame({"id": ["a", "b"], "downloads": [5, 9], "likes": [1, 1],
    ...                       "created_at": None})
    >>> cites = pd.DataFrame({"model": ["a", "b"], "arxiv_id": ["p", "p"]})
    >>> paper_tops(frame, cites).values.tolist()
    [['paper:p', ['b', 'a'], ['a', 'b'], ['a', 'b'], 2]]
    """
    tops = link_tops(frame, cites, "arxiv_id", k)
    return pd.DataFrame({"id": ["paper:" + str(p) for p in tops.index],
                         **{c: tops[c].tolist() for c in tops.columns}},
                        columns=["id", *tops.columns])  # fmt: skip


FAMILY_EXAMPLES = {"papers": 3, "spaces": 5}  # family_papers' `examples`, spaces_using's `uses`


def _family_links(
    frame: pd.DataFrame, links: pd.DataFrame, target: str, examples: int,
    target_rank: pd.Series | None = None,
) -> dict[int, dict[str, list[Any]]]:
    """community -> its `target` values ordered by members linked (descending), then
    `target_rank` descending (missing last) when given, then the value; with those counts and,
    if `examples`, the first `examples` linked members of each (most downloaded first) as one
    flat list and the start of each value's run in it (one more start at the end)."""
    links = links[["model", target]].drop_duplicates()
    pos = positions(frame["id"], links["model"])
    community = np.full(len(pos), -1, dtype="int64")
    community[pos >= 0] = _ints(frame["community"])[pos[pos >= 0]]
    keep = community >= 0
    if not keep.any():
        return {}
    place = popularity_places(frame)
    df = pd.DataFrame({
        "community": community[keep], "value": links[target].to_numpy(dtype=object)[keep],
        "place": place[pos[keep]], "model": frame["id"].to_numpy(dtype=object)[pos[keep]],
    }).sort_values(["community", "value", "place"], kind="stable")  # fmt: skip
    groups = df.groupby(["community", "value"], sort=False)
    agg = groups.size().rename("models").reset_index()
    rank = -1.0 if target_rank is None else _rank_key(agg["value"].map(target_rank))
    agg = agg.assign(rank=rank).sort_values(
        ["community", "models", "rank", "value"], ascending=[True, False, False, True],
        kind="stable")  # fmt: skip
    out: dict[int, dict[str, list[Any]]] = {}
    keys, values = _lists(agg["community"].to_numpy(), agg["value"].to_numpy(dtype=object))
    _, counts = _lists(agg["community"].to_numpy(), agg["models"].to_numpy(dtype="int64"))
    for key, vals, ns in zip(keys, values, counts, strict=True):
        out[key] = {"values": vals, "models": ns}
    if examples:
        firsts = df[groups.cumcount().to_numpy() < examples]
        by_pair: dict[tuple[Any, Any], list[Any]] = {}  # a loop: groupby's lists took 0.9 s
        for pair_key in zip(firsts["community"].tolist(), firsts["value"].tolist(),
                            firsts["model"].tolist(), strict=True):  # fmt: skip
            by_pair.setdefault(pair_key[:2], []).append(pair_key[2])
        for key, row in out.items():
            parts = [by_pair[(key, v)] for v in row["values"]]
            row["examples"] = [m for part in parts for m in part]
            row["starts"] = np.cumsum([0, *map(len, parts)]).tolist()
    return out


def family_joins(
    frame: pd.DataFrame, communities: pd.Series, joins: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """GroupTop rows `joins:<community>`, one per community, what `family_datasets`,
    `family_papers` and `spaces_using` (scope family) would otherwise count over every member:
    `datasets` / `dataset_models` (TRAINED_ON), `papers` / `paper_models` / `paper_examples` /
    `paper_starts` (CITES) and `spaces` / `space_models` / `space_uses` / `space_starts` (USES),
    each list in its query's order; `*_examples`/`*_uses` flat, the run of value i is
    [starts[i], starts[i + 1]). A community without such links has no such properties.

    >>> frame = pd.DataFrame({"id": ["a", "b", "c"], "downloads": [5, 9, 1],
    ...                       "community": [1, 1, 2]})
    >>> joins = {
    ...     "trained_on": pd.DataFrame({"model": ["a", "b", "c"], "dataset": ["x", "x", "y"]}),
    ...     "cites": pd.DataFrame({"model": ["a", "b"], "arxiv_id": ["p", "p"]}),
    ...     "uses": pd.DataFrame({"space": [], "model": []}), "spaces": pd.DataFrame({"id": []})}
    >>> row = family_joins(frame, pd.Series([1, 2, 3]), joins).iloc[0]
    >>> row[["id", "datasets", "dataset_models", "papers", "paper_examples",
    ...      "paper_starts", "spaces"]].tolist()
    ['joins:1', ['x'], [2], ['p'], ['b', 'a'], [0, 2], None]
    """
    spaces = joins["spaces"]
    likes = (spaces.set_index("id")["likes"] if "likes" in spaces.columns
             else pd.Series(dtype="float64"))  # fmt: skip
    parts = {
        "dataset": _family_links(frame, joins["trained_on"], "dataset", 0),
        "paper": _family_links(frame, joins["cites"], "arxiv_id", FAMILY_EXAMPLES["papers"]),
        "space": _family_links(
            frame, joins["uses"], "space", FAMILY_EXAMPLES["spaces"], likes),
    }  # fmt: skip
    names = {"dataset": ("datasets", None), "paper": ("papers", "paper_examples"),
             "space": ("spaces", "space_uses")}  # fmt: skip
    rows = []
    for community in pd.Series(communities).dropna().astype("int64").tolist():
        row: dict[str, Any] = {"id": f"joins:{community}"}
        for kind, (values, examples) in names.items():
            got = parts[kind].get(community)
            row[values] = got["values"] if got else None
            row[f"{kind}_models"] = got["models"] if got else None
            if examples:
                row[examples] = got["examples"] if got else None
                row[f"{kind}_starts"] = got["starts"] if got else None
        rows.append(row)
    columns = ["id", "datasets", "dataset_models", "papers", "paper_models", "paper_examples",
               "paper_starts", "spaces", "space_models", "space_uses", "space_starts"]
    return pd.DataFrame(rows, columns=columns)


def children(
    clusters: pd.DataFrame, k: int = TOP_CHILDREN, only: Any = None
) -> dict[Any, list[int]]:
    """cluster -> its k largest sub-clusters (size descending, then id)."""
    parents = _ints(clusters["parent"])
    order = np.lexsort((clusters["cluster"].to_numpy(), -_rank_key(clusters["size"])))
    return _firsts(parents[order], clusters["cluster"].to_numpy(dtype=object)[order], k, only)


def facets(frame: pd.DataFrame, datasets: pd.Series | None = None) -> pd.DataFrame:
    """One row per filter value: id (`kind:value`), kind, value, models. `datasets`: the
    dataset of each (model, dataset) TRAINED_ON link, for the kind `dataset`.

    >>> facets(pd.DataFrame({"pipeline_tag": ["a", "a", None], "license": None,
    ...     "library_name": None}), pd.Series(["d1", "d2", "d1"]))[["id", "models"]].values.tolist()
    [['pipeline_tag:a', 2], ['dataset:d1', 2], ['dataset:d2', 1]]
    """
    parts = []
    columns = {kind: frame[kind] for kind in FACETS}
    if datasets is not None:
        columns["dataset"] = datasets
    for kind, column in columns.items():
        counts = column.dropna().value_counts()
        parts.append(pd.DataFrame({
            "id": [f"{kind}:{v}" for v in counts.index], "kind": kind,
            "value": counts.index.astype(str), "models": counts.to_numpy(dtype="int64"),
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def rankings(frame: pd.DataFrame, size: int = RANKING_SIZE) -> pd.DataFrame:
    """The first `size` model ids for each by_metadata order (its ORDER BY, without filters):
    the key descending, missing last, then id.

    >>> frame = pd.DataFrame({"id": ["b", "a", "c"], "downloads": [1, 1, None],
    ...     "likes": [None, 2, 3], "created_at": ["2024-01-01", None, "2023-05-01"]})
    >>> rankings(frame, size=2).set_index("id")["ids"].to_dict()
    {'downloads': ['a', 'b'], 'likes': ['c', 'a'], 'created': ['b', 'c']}
    """
    ids = frame["id"].to_numpy(dtype=object)
    rows = [{"id": name, "ids": ids[order_rows(frame, name)[:size]].tolist()}
            for name in RANKINGS]  # fmt: skip
    return pd.DataFrame(rows)


def words(ids: pd.Series) -> pd.Series:
    """The distinct lower-cased words of each id, split on / - _ and spaces.

    >>> words(pd.Series(["TheBloke/Llama-2-7B-chat_GPTQ", "gpt2"])).tolist()
    [['thebloke', 'llama', '2', '7b', 'chat', 'gptq'], ['gpt2']]
    """
    split = ids.astype(str).str.lower().str.split(WORD_SEPARATORS, regex=True)
    return split.map(lambda ws: list(dict.fromkeys(w for w in ws if w)))


def split_ids(ids: Any) -> Any:
    """The lower-cased words of each id (split on WORD_SEPARATORS; a separator first, last or
    twice gives an empty word, which every caller skips) as an Arrow list array: the one
    place of the search index's split. Plain splits on one separator: a regular expression
    took twice as long (1.0 s for 1M ids).

    >>> split_ids(["Org/Llama-2_7b"]).to_pylist()
    [['org', 'llama', '2', '7b']]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_lower(pa.array(np.asarray(ids, dtype=object), pa.string()))
    first, *others = WORD_SEPARATOR_CHARS
    for sep in others:
        text = pc.replace_substring(text, sep, first)
    return pc.split_pattern(text, first)


def search_index(
    frame: pd.DataFrame, only: Any = None, split: Any = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(terms, postings) of the ids' words, each word's models most downloaded first; `only`
    (a list of words): those words' rows alone, right when `frame` holds every model that has
    one of them (a refresh's changed words, loader/graph/refresh.py); `split`: `split_ids` of
    the frame's ids when the caller has it (1.2 s at 1M).

    terms: id (the word), n (models), best (their highest downloads), chunks, ids, downloads
    (the first FIRST_CHUNK models and their downloads, -1 when unknown), prefix (its first
    PREFIX_MIN letters);
    postings: id (`word#chunk`, chunk 1…), ids, downloads (CHUNK models each, in order, as
    text: ids one a line, downloads separated by spaces).

    >>> terms, postings = search_index(pd.DataFrame(
    ...     {"id": ["a/llama-7b", "b/llama-13b"], "downloads": [3, 9]}))
    >>> terms[terms["id"] == "llama"][["n", "best", "chunks", "ids"]].values.tolist()
    [[2, 9, 1, ['b/llama-13b', 'a/llama-7b']]]
    >>> _, postings = search_index(pd.DataFrame(
    ...     {"id": [f"m{i}/x" for i in range(FIRST_CHUNK + 2)], "downloads": 7}))
    >>> postings[["id", "ids", "downloads"]].values.tolist()
    [['x#1', 'm98/x\\nm99/x', '7 7']]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    order = by_popularity(frame)
    ids = frame["id"].to_numpy(dtype=object)[order]
    dl = _rank_key(frame["downloads"])[order].astype("int64")
    split = split_ids(ids) if split is None else split.take(pa.array(order))
    flat = pc.list_flatten(split)
    row = pc.list_parent_indices(split).to_numpy()
    encoded = pc.dictionary_encode(flat)
    code = encoded.indices.to_numpy(zero_copy_only=False).astype("int64")
    vocab = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    keep = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
    if only is not None:
        keep &= pd.Index(vocab).isin(list(only))[code]  # by the word's code
    code, row = code[keep], row[keep]
    by_word = np.lexsort((row, code))  # per word, its models in popularity order
    code, row = code[by_word], row[by_word]
    fresh = np.r_[True, (code[1:] != code[:-1]) | (row[1:] != row[:-1])]  # a word twice in an id
    code, row = code[fresh], row[fresh]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    counts = np.diff(np.r_[starts, len(code)])
    pos = np.arange(len(code)) - np.repeat(starts, counts)
    chunk = np.where(pos < FIRST_CHUNK, 0, 1 + (pos - FIRST_CHUNK) // CHUNK)
    first = chunk == 0
    keys, id_lists = _lists(code[first], ids[row[first]])
    _, dl_lists = _lists(code[first], dl[row[first]])
    n = counts
    terms = pd.DataFrame({
        "id": vocab[keys].tolist() if keys else [], "n": n.astype("int64"),
        "best": dl[row[starts]] if len(starts) else np.array([], "int64"),
        "chunks": 1 + (np.maximum(n - FIRST_CHUNK, 0) + CHUNK - 1) // CHUNK,
        "ids": id_lists, "downloads": dl_lists,
    })  # fmt: skip
    rest = ~first
    width = int(chunk.max(initial=0)) + 1
    run = code[rest] * width + chunk[rest]  # one number per chunk, in order
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.array([], int)
    offsets = pa.array(np.r_[starts, len(run)].astype("int32"))
    runs = run[starts].tolist()

    def joined(values: pa.Array, separator: str) -> list[str]:  # each chunk's values as text
        return pc.binary_join(pa.ListArray.from_arrays(offsets, values), separator).to_pylist()

    names = [f"{vocab[r // width]}#{r % width}" for r in runs]
    # taken in C++: the ids of every posting as Python strings took 2.2 s at 1M
    text = pa.array(ids, pa.string()).take(row[rest])  # `ids`: already in popularity order
    postings = pd.DataFrame({
        "id": names,
        "ids": joined(text, ID_SEPARATOR),
        "downloads": joined(pa.array(dl[row[rest]]).cast(pa.string()), DOWNLOADS_SEPARATOR),
    }, dtype=object)  # fmt: skip
    # the first PREFIX_MIN letters, indexed: ArcadeDB serves `STARTS WITH` from an index only
    # for a query parameter, so search finds a typed word's beginnings by this equality
    terms["prefix"] = [w[:PREFIX_MIN] if len(w) >= PREFIX_MIN else None for w in terms["id"]]
    return terms, postings
