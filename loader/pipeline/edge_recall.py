"""Recall@k of a similarity edge set against the exact top-k neighbours, ties counted as hits.

The exact top-k of a row is its k best cosines above the threshold over all rows (the full
sparse product, in row chunks, as `edges.similarity_edges` does when it stays exact). Names are
often copies of one another, so a row's k-th best cosine is usually shared by more rows than fit
in k: any neighbour whose exact cosine reaches the row's k-th best is a hit, whichever copy it is.

* `recall`: over all rows, found hits / exact neighbours (at most k per row), where a row's found
  neighbours are its own k best among the edges given (either direction), scored exactly;
* `rows_complete`: share of rows with any exact neighbour whose k are all found.

Usage::

    exact = exact_top_k(vec.matrix, k=10, threshold=0.4)
    recall_at_k(vec.matrix, src, dst, exact, k=10)   # {"recall": 0.97, ...}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from constellation.loader.pipeline.edges import pair_dots, top_k_per_row
from sparse_dot_topn import sp_matmul_topn


@dataclass
class ExactTopK:
    """Per row: how many exact neighbours (<= k) and the k-th best cosine (inf: none)."""

    count: np.ndarray
    kth: np.ndarray


def exact_top_k(
    x: sp.csr_matrix, k: int, threshold: float, chunk_rows: int = 10000, n_threads: int = 2
) -> ExactTopK:
    """Each row's exact top-k above the threshold, from the full product in row chunks."""
    x = x.astype(np.float32).tocsr()
    x.eliminate_zeros()
    xt = x.T.tocsr()
    n = x.shape[0]
    count = np.zeros(n, dtype=np.int64)
    kth = np.full(n, np.inf, dtype=np.float32)
    for start in range(0, n, chunk_rows):
        c = sp_matmul_topn(
            x[start : start + chunk_rows], xt, top_n=k + 1, threshold=threshold,
            sort=False, n_threads=n_threads,
        ).tocoo()  # fmt: skip
        rows, cols = c.row.astype(np.int64) + start, c.col.astype(np.int64)
        not_self = rows != cols
        rows, scores = rows[not_self], c.data[not_self].astype(np.float32)
        keep = top_k_per_row(rows, cols[not_self], scores, k)
        rows, scores = rows[keep], scores[keep]
        count += np.bincount(rows, minlength=n)
        np.minimum.at(kth, rows, scores)
    return ExactTopK(count, kth)


def recall_at_k(
    x: sp.csr_matrix,
    src: np.ndarray,
    dst: np.ndarray,
    exact: ExactTopK,
    k: int,
    tolerance: float = 1e-5,
) -> dict:
    """Tie-aware recall@k of the undirected edges (src, dst) against `exact` (see module)."""
    x = x.astype(np.float32).tocsr()
    rows = np.r_[src, dst].astype(np.int64)
    cols = np.r_[dst, src].astype(np.int64)
    scores = pair_dots(x, rows, cols)  # exact, whatever scores the edges came with
    keep = top_k_per_row(rows, cols, scores, k)
    rows, scores = rows[keep], scores[keep]
    hit = scores >= exact.kth[rows] - tolerance
    hits = np.minimum(np.bincount(rows[hit], minlength=len(exact.count)), exact.count)
    has = exact.count > 0
    total = int(exact.count.sum())
    return {
        "k": k,
        "exact_neighbours": total,
        "found": int(hits.sum()),
        "recall": round(float(hits.sum() / total), 4) if total else None,
        "rows_complete": round(float((hits[has] == exact.count[has]).mean()), 4)
        if has.any()
        else None,
    }
