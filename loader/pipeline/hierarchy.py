"""Similarity edges -> single-linkage dendrogram over all models, and flat clusters at cut levels.

Single linkage over a graph is exactly Kruskal's algorithm on its minimum spanning forest, so the
dendrogram costs one sparse MST (scipy, compiled) plus a union-find over at most N-1 edges, never
a dense distance matrix. Distance = 1 - cosine; models in different connected components are
joined at distance 1.0 at the top, so the result is one tree in scipy's linkage format
(N-1 rows `left, right, distance, size`; node N+i is created by row i).

Flat clusters at a cut `t` are the components of the forest's edges with distance <= t (what
`scipy.cluster.hierarchy.fcluster(Z, t, "distance")` gives for single linkage); cuts are nested,
so each cluster has one parent at the next level.

Usage::

    z = single_linkage(n, src, dst, score)
    labels, table = flat_clusters(n, src, dst, score, levels=(0.25, 0.35, 0.5))
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader.pipeline.communities import relabel_by_size
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

# scipy's sparse graphs treat a stored 0 as "no edge": identical names (cosine 1) would vanish.
_EPS = 1e-9


def spanning_forest(
    n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum spanning forest edges (a, b, distance) sorted by (distance, a, b)."""
    if len(src) == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e, np.empty(0, dtype=np.float64)
    dist = np.clip(1.0 - np.asarray(score, dtype=np.float64), 0.0, 1.0) + _EPS
    g = sp.csr_matrix((dist, (src, dst)), shape=(n, n))
    t = minimum_spanning_tree(g).tocoo()
    a = np.minimum(t.row, t.col).astype(np.int64)
    b = np.maximum(t.row, t.col).astype(np.int64)
    d = t.data - _EPS
    order = np.lexsort((b, a, d))
    return a[order], b[order], np.maximum(d[order], 0.0)


def single_linkage(n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Linkage matrix (n-1, 4) float64 in scipy format."""
    a, b, d = spanning_forest(n, src, dst, score)
    parent = np.arange(n, dtype=np.int64).tolist()
    node = list(range(n))  # current dendrogram node of each union-find root
    size = [1] * n
    rows: list[tuple[int, int, float, int]] = []

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def merge(ra: int, rb: int, dist: float) -> None:
        na, nb = node[ra], node[rb]
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
        rows.append((min(na, nb), max(na, nb), dist, size[ra]))
        node[ra] = n + len(rows) - 1

    for x, y, dist in zip(a.tolist(), b.tolist(), d.tolist(), strict=True):
        merge(find(x), find(y), dist)
    # join the components at the top, in order of their smallest member (deterministic)
    roots = sorted({find(i) for i in range(n)})
    for r in roots[1:]:
        merge(find(roots[0]), r, 1.0)
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def flat_clusters(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    score: np.ndarray,
    levels: tuple[float, ...],
) -> tuple[np.ndarray, pd.DataFrame]:
    """Cluster id of each model per level (n x L, ids unique across levels) and a table
    `cluster, level, threshold, parent, size` (parent: id at level+1, NA at the top level)."""
    a, b, d = spanning_forest(n, src, dst, score)
    labels = np.empty((n, len(levels)), dtype=np.int64)
    offset = 0
    for lvl, cut in enumerate(levels):
        m = d <= cut
        g = sp.csr_matrix((np.ones(int(m.sum())), (a[m], b[m])), shape=(n, n))
        _, comp = connected_components(g, directed=False)
        local = relabel_by_size(comp)
        labels[:, lvl] = local + offset
        offset += int(local.max()) + 1 if n else 0

    tables = []
    for lvl, cut in enumerate(levels):
        ids, first, sizes = np.unique(labels[:, lvl], return_index=True, return_counts=True)
        parent = (
            pd.array(labels[first, lvl + 1], dtype="Int64")
            if lvl + 1 < len(levels)
            else pd.array([pd.NA] * len(ids), dtype="Int64")
        )
        tables.append(
            pd.DataFrame(
                {
                    "cluster": ids.astype(np.int64),
                    "level": np.int64(lvl),
                    "threshold": float(cut),
                    "parent": parent,
                    "size": sizes.astype(np.int64),
                }
            )
        )
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return labels, table


def linkage_frame(z: np.ndarray, n: int) -> pd.DataFrame:
    """The linkage matrix as the `hierarchy.parquet` table."""
    return pd.DataFrame(
        {
            "node": np.arange(n, n + len(z), dtype=np.int64),
            "left": z[:, 0].astype(np.int64),
            "right": z[:, 1].astype(np.int64),
            "distance": z[:, 2].astype(np.float64),
            "size": z[:, 3].astype(np.int64),
        }
    )
