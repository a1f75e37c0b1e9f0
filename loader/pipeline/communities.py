"""Similarity edges -> Louvain communities (seeded, reproducible) and their modularity.

By default Louvain runs in igraph's compiled `community_multilevel`. python-louvain (the card's
and the paper's choice) gives the same kind of partition but was measured far too slow at the
1M-name target (see `bench/results/loader.md`); `build --communities louvain` picks it for
paper-faithful runs (extra `paper`). Every model is a vertex, so a model without edges is its own
community. Each build's partition is then polished by single-model moves (`local_moves`), and a
rebuild over a previous build starts from that build's communities instead of detecting again.

Usage::

    labels, modularity = louvain(n, src, dst, score, seed=42)
    # labels[i]: community of model row i, numbered by size (0 = largest)
"""

from __future__ import annotations

import random
import sys

import numpy as np
import pandas as pd
from constellation.loader.pipeline import local_moves

from constellation.errors import UserError


def _import_igraph():
    """igraph, imported without matplotlib.

    igraph imports matplotlib (if installed) for its plotting helpers, which we never use; that
    was half a second of a four-second build of the 15,821 Constellation names. When matplotlib is
    not loaded yet, hide it while igraph loads (igraph then installs a stub for plotting only).
    """
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph

        return igraph
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import igraph
    finally:
        del sys.modules["matplotlib"]
    return igraph


ig = _import_igraph()


def _graph(n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray) -> ig.Graph:
    g = ig.Graph(n=n, edges=np.column_stack([src, dst]).astype(np.int64).tolist(), directed=False)
    g.es["weight"] = np.asarray(score, dtype=np.float64).tolist()
    return g


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber groups 0.. by size descending, ties by their smallest member (deterministic)."""
    labels = np.asarray(labels)
    uniq, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    first = np.full(len(uniq), len(labels), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(labels)))
    order = np.lexsort((first, -counts))
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq))
    return rank[inverse]


def louvain(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    score: np.ndarray,
    seed: int = 42,
    resolution: float = 1.0,
) -> tuple[np.ndarray, float]:
    """Community of each of the n models (int64, 0 = largest) and the weighted modularity."""
    if n == 0:
        return np.empty(0, dtype=np.int64), 0.0
    g = _graph(n, src, dst, score)
    # igraph draws from a Python RNG: give it a private seeded one, then restore the default.
    ig.set_random_number_generator(random.Random(seed))
    try:
        part = g.community_multilevel(weights="weight", resolution=resolution)
    finally:
        ig.set_random_number_generator(random)
    labels = relabel_by_size(np.asarray(part.membership, dtype=np.int64))
    modularity = (
        g.modularity(labels.tolist(), weights="weight", resolution=resolution)
        if g.ecount()
        else 0.0
    )
    return labels, float(modularity)


def group_isolated_by_owner(
    labels: np.ndarray, owners: np.ndarray, src: np.ndarray, dst: np.ndarray
) -> np.ndarray:
    """Put the isolated models (no similarity edge) of one owner into one community.

    A name that resembles no other name (`huggingtweets/<twitter handle>`, one-off experiments)
    has only its owner left as a family signal. Models with edges keep their Louvain community,
    and modularity is unchanged (isolated vertices add nothing to it). Owners are given as an
    object array (None for bare ids). Returns labels renumbered by size.

        >>> group_isolated_by_owner(np.array([0, 1, 2, 3]), np.array(["a", "h", "h", None]),
        ...                         np.array([], int), np.array([], int)).tolist()
        [1, 0, 0, 2]
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    isolated = np.ones(n, dtype=bool)
    isolated[np.asarray(src, dtype=np.int64)] = False
    isolated[np.asarray(dst, dtype=np.int64)] = False
    has_owner = np.array([o is not None for o in owners], dtype=bool)
    pick = np.flatnonzero(isolated & has_owner)
    if len(pick) == 0:
        return relabel_by_size(labels)
    codes, _ = pd.factorize(np.asarray(owners, dtype=object)[pick])
    out = labels.copy()
    out[pick] = labels.max() + 1 + codes  # one new community per owner
    return relabel_by_size(out)


def detect(
    method: str,
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    score: np.ndarray,
    seed: int = 42,
    resolution: float = 1.0,
    previous: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """`louvain` (igraph, method "igraph") or `python_louvain` (method "louvain"), then
    `local_moves` until no single model's move raises modularity. With `previous` (each model's
    community in the previous build, -1 if new) the moves start from it instead of detecting
    again (`local_moves.warm_start`): a refresh keeps its families. Labels numbered by size."""
    if previous is not None:
        labels, _ = local_moves.warm_start(n, src, dst, score, previous, resolution)
    else:
        detected = python_louvain if method == "louvain" else louvain
        labels, _ = detected(n, src, dst, score, seed, resolution)
        # Louvain's last level moves whole groups: single models may still gain by moving, and
        # would move at the next rebuild's warm start. Moved now, a rebuild of the same names
        # moves nobody.
        labels, _ = local_moves.local_moves(n, src, dst, score, labels, resolution)
    labels = relabel_by_size(labels)
    return labels, local_moves.modularity(labels, src, dst, score, resolution)


def python_louvain(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    score: np.ndarray,
    seed: int = 42,
    resolution: float = 1.0,
) -> tuple[np.ndarray, float]:
    """The paper's Louvain: python-louvain's `best_partition` on a networkx graph, seeded
    (`build --communities louvain`; extra `paper`). Same return as `louvain`."""
    try:
        import community as community_louvain
        import networkx as nx
    except ImportError:
        community_louvain = None
    if community_louvain is None or not hasattr(community_louvain, "best_partition"):
        raise UserError(
            "--communities louvain needs python-louvain and networkx:"
            " pip install 'constellation-atlas[paper]'"
        )
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(
        zip(src.tolist(), dst.tolist(), score.astype(float).tolist(), strict=True)
    )
    part = community_louvain.best_partition(g, resolution=resolution, random_state=seed)
    labels = relabel_by_size(np.array([part[i] for i in range(n)], dtype=np.int64))
    if g.number_of_edges() == 0:
        return labels, 0.0
    order = np.argsort(labels, kind="stable")
    groups = [set(g.tolist()) for g in np.split(order, np.cumsum(np.bincount(labels))[:-1])]
    modularity = nx.community.modularity(g, groups, weight="weight", resolution=resolution)
    return labels, float(modularity)
