"""Stable community and cluster ids: a rebuild keeps the ids of the previous build's groups.

Detection numbers groups by size, so a rebuild after a small change renumbers many of them:
shared URLs break and an incremental load rewrites every renumbered group node and its members'
links. After detection, each new group takes the id of the previous group it overlaps with a
Jaccard index (shared models / models in either) of at least `MIN_JACCARD`, one-to-one; the
other groups get fresh ids above every id handed out so far (the manifest's `ids.next_*`), so a
retired id never comes back for another group. Clusters are matched per level, which keeps the
`parent` links consistent and the ids unique across levels. Sizes, labels and row order stay as
detection made them; only the id columns change.

Overlaps come from a sparse contingency table (one `np.unique` over the (old, new) pairs of the
models both builds share), never a dense groups x groups matrix.

Usage::

    previous = read_previous("artifacts/")          # None when the folder has no build
    tables, stats = apply_previous(tables, previous) # tables from build_from_models
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from constellation.loader import artifacts
from constellation.loader.pipeline import families

from constellation.errors import UserError

log = logging.getLogger(__name__)

# Above one half, a group can overlap that much with at most one group of the other build (two
# such overlaps would need more than all its members), so the best match per group is already
# one-to-one; exactly one half only ties when a group is split in two halves (or two halves
# merge), and the tie is broken by the larger, then the earlier new group.
MIN_JACCARD = 0.5


@dataclass(frozen=True)
class Matching:
    """New label -> id, and how many of the new groups kept a previous id."""

    ids: np.ndarray  # ids[label]: the id of new group `label` (labels 0..G-1)
    kept: int
    retired: int  # previous groups whose id no new group took
    next_id: int  # the smallest id never handed out


def match(
    prev_keys: np.ndarray,
    prev_groups: np.ndarray,
    new_keys: np.ndarray,
    new_groups: np.ndarray,
    next_id: int = 0,
) -> Matching:
    """Ids for new groups 0..G-1 (`new_groups[i]` the group of model `new_keys[i]`) given the
    previous groups (`prev_groups[j]` the id of model `prev_keys[j]`'s group).

    A new group takes the id of the previous group it shares a Jaccard index >= MIN_JACCARD
    with; the others get `max(next_id, largest previous id + 1)` onwards, in label order.
    """
    return match_rows(align(prev_keys, new_keys), prev_groups, new_groups, next_id)


def align(prev_keys: np.ndarray, new_keys: np.ndarray) -> np.ndarray:
    """The previous row of each new model, -1 for a model the previous build did not have."""
    index = pd.Index(np.asarray(prev_keys, dtype=object))
    return index.get_indexer(np.asarray(new_keys, dtype=object))


def match_rows(
    where: np.ndarray, prev_groups: np.ndarray, new_groups: np.ndarray, next_id: int = 0
) -> Matching:
    """`match` with the models already aligned (`where = align(prev_keys, new_keys)`), so
    several groupings of the same models align once."""
    new_groups = np.asarray(new_groups, dtype=np.int64)
    prev_groups = np.asarray(prev_groups, dtype=np.int64)
    n_new = int(new_groups.max()) + 1 if len(new_groups) else 0
    prev_uniq, prev_code = np.unique(prev_groups, return_inverse=True)
    start = max(int(next_id), int(prev_uniq[-1]) + 1 if len(prev_uniq) else 0)

    both = where >= 0
    old, new = prev_code[where[both]], new_groups[both]
    pair, overlap = np.unique(old * np.int64(max(n_new, 1)) + new, return_counts=True)
    old, new = pair // max(n_new, 1), pair % max(n_new, 1)
    old_size = np.bincount(prev_code, minlength=len(prev_uniq))[old]
    new_size = np.bincount(new_groups, minlength=n_new)[new]
    jaccard = overlap / (old_size + new_size - overlap)

    ok = jaccard >= MIN_JACCARD
    old, new, overlap, jaccard = old[ok], new[ok], overlap[ok], jaccard[ok]
    # best first; at most ties at exactly one half remain (see MIN_JACCARD): first pick per new
    # group, then per previous group
    order = np.lexsort((old, new, -overlap, -jaccard))
    old, new = old[order], new[order]
    _, first = np.unique(new, return_index=True)
    old, new = old[np.sort(first)], new[np.sort(first)]
    _, first = np.unique(old, return_index=True)
    old, new = old[first], new[first]

    ids = np.full(n_new, -1, dtype=np.int64)
    ids[new] = prev_uniq[old]
    fresh = ids < 0
    ids[fresh] = start + np.arange(int(fresh.sum()), dtype=np.int64)
    return Matching(
        ids=ids,
        kept=len(new),
        retired=len(prev_uniq) - len(new),
        next_id=start + int(fresh.sum()),
    )


def stable_ids(
    prev_members: Mapping[str, int], new_members: Mapping[str, int], next_id: int = 0
) -> dict[int, int]:
    """New group label -> id, given each model's previous group id and its new group label
    (labels 0..G-1, as detection numbers them). `next_id`: the smallest id never handed out.

    Identical partitions keep every id:

        >>> stable_ids({"a": 7, "b": 7, "c": 3}, {"a": 0, "b": 0, "c": 1})
        {0: 7, 1: 3}

    A split: the larger part keeps the id, the other gets a fresh one (above every id so far):

        >>> stable_ids({"a": 5, "b": 5, "c": 5}, {"a": 0, "b": 0, "c": 1})
        {0: 5, 1: 6}

    A merge: the bigger contributor's id; the other id is retired, never handed out again:

        >>> stable_ids({"a": 1, "b": 1, "c": 2}, {"a": 0, "b": 0, "c": 0}, next_id=3)
        {0: 1}
        >>> stable_ids({"a": 1, "b": 1}, {"a": 0, "b": 0, "n": 1}, next_id=3)  # the next build
        {0: 1, 1: 3}

    A group of new models gets a fresh id; a group whose models are all gone retires its id:

        >>> stable_ids({"a": 0, "x": 1}, {"a": 0, "n": 1})
        {0: 0, 1: 2}
    """
    prev = pd.Series(prev_members, dtype="Int64")
    new = pd.Series(new_members, dtype="Int64")
    m = match(
        prev.index.to_numpy(), prev.to_numpy(np.int64), new.index.to_numpy(),
        new.to_numpy(np.int64), next_id,
    )  # fmt: skip
    return {label: int(i) for label, i in enumerate(m.ids.tolist())}


@dataclass(frozen=True)
class Previous:
    """What matching needs of a previous build: each model's community and cluster per level."""

    build_id: str
    keys: np.ndarray  # model ids
    community: np.ndarray
    clusters: dict[float, np.ndarray]  # level threshold -> cluster id of each model
    next_community: int
    next_cluster: int
    # id -> terms of its label, per "community" / "cluster" (keep_labels); empty: not read
    terms: dict[str, pd.Series] = field(default_factory=dict)
    # its term weights (artifacts.IDF: block, term, idf), None for a build without them
    idf: pd.DataFrame | None = None


def read_previous(folder: str | Path) -> Previous:
    """The previous build's groups from its artifacts (UserError if they cannot be read)."""
    manifest = artifacts.read_manifest(folder)
    models = artifacts.read_table(folder, "models", columns=["id", "community", "cluster"])
    table = artifacts.read_table(
        folder, "clusters", columns=["cluster", "level", "threshold", "parent", "terms"]
    )
    comm = artifacts.read_table(folder, "communities", columns=["community", "terms"])
    terms = {
        "community": pd.Series(comm["terms"].to_numpy(), index=comm["community"].to_numpy()),
        "cluster": pd.Series(table["terms"].to_numpy(), index=table["cluster"].to_numpy()),
    }
    table = table.sort_values("level", kind="stable")
    parent = pd.Series(table["parent"].to_numpy(), index=table["cluster"].to_numpy())
    clusters: dict[float, np.ndarray] = {}
    current = models["cluster"].to_numpy(dtype=np.int64)
    for i, (_, level) in enumerate(table.groupby("level", sort=True)):
        if i:  # up one level: each model's cluster is its child cluster's parent
            current = parent.reindex(current).to_numpy(dtype=np.int64)
        clusters[float(level["threshold"].iloc[0])] = current
    ids = manifest.get("ids", {})
    return Previous(
        idf=_read_idf(folder),
        build_id=str(manifest.get("build_id")),
        keys=models["id"].astype(str).to_numpy(dtype=object),
        community=models["community"].to_numpy(dtype=np.int64),
        clusters=clusters,
        next_community=int(ids.get("next_community", 0)),
        next_cluster=int(ids.get("next_cluster", 0)),
        terms=terms,
    )


def _read_idf(folder: str | Path) -> pd.DataFrame | None:
    """The build's term weights, None if it has none (built before they were written)."""
    if not (Path(folder) / f"{artifacts.IDF}.parquet").is_file():
        return None
    cols = ["block", "term", "idf"]
    try:
        idf = artifacts.read_table(folder, artifacts.IDF, columns=cols)
    except (KeyError, pa.ArrowException) as exc:  # a column missing, or not Parquet
        raise UserError(f"{folder}: {artifacts.IDF}.parquet cannot be read ({exc})") from exc
    if not pd.api.types.is_float_dtype(idf["idf"]) or idf["idf"].isna().any():
        raise UserError(f"{folder}: {artifacts.IDF}.parquet holds an idf that is not a number")
    return idf


def find_previous(out_dir: str | Path, previous: str | Path | None) -> Previous | None:
    """The build to take ids from: `previous` if given (it must be readable), else the one in
    out_dir if any (one that cannot be read is skipped with a warning: this build replaces it)."""
    if previous is not None:
        if not (Path(previous) / artifacts.MANIFEST).is_file():
            raise UserError(f"--previous {previous}: no {artifacts.MANIFEST} there (not a build)")
        return read_previous(previous)
    if not (Path(out_dir) / artifacts.MANIFEST).is_file():
        return None
    try:
        return read_previous(out_dir)
    except UserError as exc:
        log.warning("fresh ids: the previous build in %s cannot be read (%s)", out_dir, exc)
        return None


def _remap(values: pd.Series, old: np.ndarray, new: np.ndarray) -> pd.Series:
    """values (labels, NA allowed) with each old[i] replaced by new[i]."""
    lookup = pd.Series(new, index=old)
    out = values.map(lookup)
    return out.astype(values.dtype)


def _words(terms: list[str]) -> set[str]:
    return {w for t in terms for w in t.split()}


def keep_labels(
    groups: pd.DataFrame, key: str, before: pd.Series | None, n: int = 3
) -> tuple[pd.DataFrame, int]:
    """`groups` (key, label, terms) where a group that kept its id keeps its previous label
    while the words of the label's terms are all still words of its 2n best terms: terms
    weighted by downloads trade places when downloads or members change (and a term whose
    words a better one holds is dropped: `llama` once `llama 3.1` leads), which would rename
    the family and write every member's `family` again. Its terms then start with the
    label's. Returns the table and how many labels were kept that the new terms would have
    changed.

    >>> new = pd.DataFrame({"community": [0, 1, 2], "label": ["b · a", "c · d", "x 1 · y"],
    ...                     "terms": [["b", "a", "x"], ["c", "d"], ["x 1", "y"]]})
    >>> old = pd.Series([["a", "b"], ["c", "e"], ["x", "y"]], index=[0, 1, 2])
    >>> kept, changed = keep_labels(new, "community", old, n=2)
    >>> kept["label"].tolist(), kept["terms"].tolist(), changed
    (['a · b', 'c · d', 'x · y'], [['a', 'b', 'x'], ['c', 'd'], ['x', 'y', 'x 1']], 2)
    """
    if before is None or not len(groups):
        return groups, 0
    prev = before.reindex(groups[key].to_numpy()).to_numpy()
    labels, terms = groups["label"].tolist(), list(groups["terms"])
    changed = 0
    for i, (old, new) in enumerate(zip(prev, terms, strict=True)):
        if not isinstance(old, (list, np.ndarray)) or not isinstance(new, (list, np.ndarray)) \
                or not len(old):
            continue  # a new group, or no terms: as detected
        old_head, new = [str(t) for t in list(old)[:n]], [str(t) for t in new]
        if old_head == new[:n] or not _words(old_head) <= _words(new[: 2 * n]):
            continue
        terms[i] = old_head + [t for t in new if t not in old_head]
        labels[i] = families.label(old_head, n)
        changed += 1
    if not changed:
        return groups, 0
    out = groups.assign(label=pd.array(labels, dtype="string"))
    out["terms"] = terms
    return out, changed


def apply_previous(
    tables: dict[str, pd.DataFrame], previous: Previous | None, label_terms: int = 3
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Relabel the communities and clusters of fresh build tables to `previous`'s ids (and
    keep their names, `keep_labels`); returns the tables and the manifest's `ids` record.
    Without a previous build the tables are returned as they are (ids = detection's
    numbering)."""
    models, comm, clus = tables["models"], tables["communities"], tables["clusters"]
    if previous is None:
        return tables, {
            "previous_build": None,
            "next_community": len(comm),
            "next_cluster": len(clus),
        }
    where = align(previous.keys, models["id"].astype(str).to_numpy(dtype=object))
    c = match_rows(
        where, previous.community, models["community"].to_numpy(dtype=np.int64),
        previous.next_community,
    )  # fmt: skip
    models = models.assign(community=c.ids[models["community"].to_numpy(dtype=np.int64)])
    comm = comm.assign(community=c.ids[comm["community"].to_numpy(dtype=np.int64)])

    # per level, bottom up; one counter across levels keeps cluster ids unique across levels
    labels = models["cluster"].to_numpy(dtype=np.int64)
    parent = pd.Series(clus["parent"].to_numpy(), index=clus["cluster"].to_numpy())
    old_ids, new_ids = [], []
    # fresh ids above every previous cluster id, of whichever level (ids are unique across them)
    highest = [int(v.max()) + 1 for v in previous.clusters.values()]
    next_cluster = max([previous.next_cluster, *highest])
    kept, retired = 0, 0
    for lvl, level in clus.groupby("level", sort=True):
        if lvl != clus["level"].min():
            labels = parent.reindex(labels).to_numpy(dtype=np.int64)
        base = int(level["cluster"].min())  # detection's ids are consecutive within a level
        before = previous.clusters.get(float(level["threshold"].iloc[0]))
        if before is None:  # a cut the previous build did not make: all fresh
            m = match_rows(np.full(len(labels), -1), np.empty(0, np.int64), labels - base,
                           next_cluster)  # fmt: skip
        else:
            m = match_rows(where, before, labels - base, next_cluster)
        next_cluster = m.next_id
        old_ids.append(level["cluster"].to_numpy(dtype=np.int64))
        new_ids.append(m.ids[old_ids[-1] - base])
        kept, retired = kept + m.kept, retired + m.retired
    old, new = np.concatenate(old_ids), np.concatenate(new_ids)
    clus = clus.assign(
        cluster=_remap(clus["cluster"], old, new), parent=_remap(clus["parent"], old, new)
    )
    models = models.assign(cluster=_remap(models["cluster"], old, new))
    comm, names_kept = keep_labels(comm, "community", previous.terms.get("community"), label_terms)
    clus, cluster_names = keep_labels(clus, "cluster", previous.terms.get("cluster"), label_terms)
    if names_kept:  # a model's `family` is its community's label
        family = pd.Series(comm["label"].to_numpy(), index=comm["community"].to_numpy())
        models = models.assign(family=pd.array(
            family.reindex(models["community"].to_numpy()).to_numpy(), dtype="string"))  # fmt: skip
    out = {**tables, "models": models, "communities": comm, "clusters": clus}
    record = {
        "previous_build": previous.build_id,
        "communities": {"kept": c.kept, "new": len(comm) - c.kept, "retired": c.retired},
        "clusters": {"kept": kept, "new": len(clus) - kept, "retired": retired},
        "labels_kept": {"communities": names_kept, "clusters": cluster_names},
        "next_community": c.next_id,
        "next_cluster": next_cluster,
    }
    return out, record
