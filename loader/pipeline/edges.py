"""Vectors -> top-k cosine neighbour edges above a threshold, sparse and in row chunks.

Never forms the N x N matrix: `sparse_dot_topn.sp_matmul_topn` multiplies a chunk of rows by the
transposed matrix and keeps only each row's best `top_n` products.

At scale a handful of features (`gguf`, `7b`, `instruct`, their character n-grams) occur in a
large share of names, and the sparse product over them is quadratic in their document frequency.
So when some feature is in more than `max_candidate_df` names, candidates come from a pruned
matrix (those features dropped, except each name's `min_candidate_features` rarest ones, so a name
made only of common words still finds its copies), and every candidate pair is then rescored
exactly on the full vectors. Below that size the pruned matrix is the full one and the product is
exact already.

The pruned score leaves the common features out, and they carry most of the cosine of a name
like `llama 3.1 8b instruct gguf`: its true neighbours can rank far down its candidates. So each
row keeps a pool of `candidate_pool` candidates; the best `candidates` are rescored, the rest
only where a bound says they could still enter the row's top k (`_rescore_pool`). Recall of the
exact top-k and the cost at 1M: `bench/results/edges.md`.

Usage::

    src, dst, score = similarity_edges(vec.matrix, BuildParams(k=10, threshold=0.5))
    # src < dst, each pair once, score float32 cosine, sorted by (src, dst)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from constellation.loader.pipeline.params import BuildParams
from sparse_dot_topn import sp_matmul_topn
from tqdm import tqdm


@dataclass
class Candidates:
    """How candidates are generated: `matrix` is multiplied by its transpose.

    When pruned, x = kept + common column-wise (`common` holds the features in more than
    `max_candidate_df` names) and `matrix` = kept + `forced` (the rarest common features of names
    left with too few kept ones). So for a candidate pair, exact cosine =
    candidate score - forced_i . forced_j + common_i . common_j.
    """

    matrix: sp.csr_matrix
    pruned: bool
    common: sp.csr_matrix | None = None
    forced: sp.csr_matrix | None = None


def _subset(x: sp.csr_matrix, rows: np.ndarray, mask: np.ndarray) -> sp.csr_matrix:
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[mask], minlength=x.shape[0]))])
    return sp.csr_matrix((x.data[mask], x.indices[mask], indptr), shape=x.shape)


def candidate_matrix(x: sp.csr_matrix, params: BuildParams) -> Candidates:
    """Split x for candidate generation (see `Candidates`); unpruned when the exact product is
    affordable (`exact_budget`) or no feature is common."""
    df = np.bincount(x.indices, minlength=x.shape[1])
    # the exact product costs about sum(df^2) multiply-adds: small corpora stay exact
    exact_cost = float(np.square(df, dtype=np.float64).sum())
    if exact_cost <= params.exact_budget or not (df > params.max_candidate_df).any():
        return Candidates(x, False)
    entry_df = df[x.indices]
    keep = entry_df <= params.max_candidate_df
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    kept_in_row = np.bincount(rows[keep], minlength=x.shape[0])
    # how many common features each row keeps, rarest first (ties by column, deterministic)
    wanted = params.min_candidate_features - kept_in_row
    forced = np.zeros(len(keep), dtype=bool)
    sel = np.flatnonzero((wanted > 0)[rows] & ~keep)
    if len(sel):
        order = sel[np.lexsort((x.indices[sel], entry_df[sel], rows[sel]))]
        r = rows[order]
        first = np.r_[0, np.flatnonzero(r[1:] != r[:-1]) + 1]
        rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
        forced[order[rank < wanted[r]]] = True
    return Candidates(
        matrix=_subset(x, rows, keep | forced),
        pruned=True,
        common=_subset(x, rows, ~keep),
        forced=_subset(x, rows, forced),
    )


def pair_dots(x: sp.csr_matrix, i: np.ndarray, j: np.ndarray, batch: int = 500_000) -> np.ndarray:
    """Exact x[i] . x[j] for each pair, in batches (elementwise sparse product, summed).

    Pairs are visited in order of j so the rows fetched from x are read mostly in sequence."""
    order = np.argsort(j, kind="stable")
    i, j = i[order], j[order]
    dots = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), batch):
        a = x[i[s : s + batch]]
        b = x[j[s : s + batch]]
        dots[s : s + batch] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    out = np.empty_like(dots)
    out[order] = dots
    return out


def top_k_per_row(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Mask keeping each row's k best (score desc, then column asc for ties)."""
    order = np.lexsort((cols, -scores, rows))
    r = rows[order]
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(r)]))
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[(np.arange(len(r)) - run_start) < k]] = True
    return keep


def _rescore(
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    cands: Candidates,
    common_norm: np.ndarray,
    threshold: float,
    floor: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Exact cosines of pairs found on the pruned candidate vectors, those >= threshold, and
    how many pairs were rescored.

    Pairs whose Cauchy-Schwarz bound on the common part is below `floor` (per pair, or one
    value) cannot reach it and are dropped before any exact work."""
    bound = scores + common_norm[rows] * common_norm[cols]
    ok = bound >= floor - 1e-6
    rows, cols, scores = rows[ok], cols[ok], scores[ok]
    scores = scores - pair_dots(cands.forced, rows, cols) + pair_dots(cands.common, rows, cols)
    above = scores >= threshold
    return rows[above], cols[above], scores[above], len(rows)


def _rescore_pool(
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    first: np.ndarray,
    cands: Candidates,
    common_norm: np.ndarray,
    params: BuildParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each row's exact top-k among its candidate pool, in two rounds (and pairs rescored).

    The pruned score misses the common features, so a row's true neighbours can rank far down
    its pool (a name made of `llama 3.1 8b instruct` has hundreds of candidates). The first
    `candidates` are rescored; the rest of the pool only where the bound reaches the row's k-th
    best exact cosine so far, which skips most of it for names with few common features.
    `first` marks each row's best `candidates` on the pruned score.

    The result is each row's exact top-k of its whole pool: the split only saves work."""
    r1, c1, s1, n1 = _rescore(
        rows[first], cols[first], scores[first], cands, common_norm, params.threshold,
        params.threshold,
    )  # fmt: skip
    top = top_k_per_row(r1, c1, s1, params.k)
    r1, c1, s1 = r1[top], c1[top], s1[top]
    n = len(common_norm)
    kth = np.full(n, np.inf, dtype=np.float32)
    np.minimum.at(kth, r1, s1)
    floor = np.where(np.bincount(r1, minlength=n) >= params.k, kth, params.threshold)
    rest = ~first
    r2, c2, s2, n2 = _rescore(
        rows[rest], cols[rest], scores[rest], cands, common_norm, params.threshold,
        floor[rows[rest]],
    )  # fmt: skip
    return np.r_[r1, r2], np.r_[c1, c2], np.r_[s1, s2], n1 + n2


def similarity_edges(
    x: sp.csr_matrix,
    params: BuildParams,
    progress: bool = False,
    timings: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected top-k edges: (source, target, score) with source < target, sorted.

    `timings`, if given, receives seconds spent in candidate pruning, products and rescoring,
    and how many candidate pairs were rescored exactly."""
    clock = {"prune": 0.0, "product": 0.0, "rescore": 0.0, "pairs_rescored": 0}
    t = time.perf_counter()
    n = x.shape[0]
    x = x.astype(np.float32).tocsr()
    x.eliminate_zeros()  # a zero-weight block (owners by default) would count as features
    cands = candidate_matrix(x, params)
    cand, pruned = cands.matrix, cands.pruned
    cand_t = cand.T.tocsr()
    if pruned:
        common_norm = np.sqrt(np.asarray(cands.common.multiply(cands.common).sum(axis=1)).ravel())
    clock["prune"] = time.perf_counter() - t
    top_n = (params.candidate_pool if pruned else params.k) + 1  # +1: the row itself
    threshold = None if pruned else params.threshold

    src_parts, dst_parts, score_parts = [], [], []
    chunks = range(0, n, params.chunk_rows)
    for start in tqdm(chunks, desc="edges", unit="chunk", disable=not progress, leave=False):
        stop = min(start + params.chunk_rows, n)
        t = time.perf_counter()
        c = sp_matmul_topn(
            cand[start:stop],
            cand_t,
            top_n=top_n,
            threshold=threshold,
            sort=pruned,  # pruned: each row's pool best first, to split it without a sort
            n_threads=params.n_threads,
        )
        per_row = np.diff(c.indptr)
        rows = np.repeat(np.arange(start, stop, dtype=np.int64), per_row)
        cols = c.indices.astype(np.int64)
        scores = c.data.astype(np.float32)
        clock["product"] += time.perf_counter() - t
        t = time.perf_counter()
        not_self = rows != cols
        if pruned:
            # position in the row's sorted pool; the row itself (usually first) counts as one
            pos = np.arange(len(rows)) - np.repeat(c.indptr[:-1], per_row)
            first = (pos <= params.candidates)[not_self]
        rows, cols, scores = rows[not_self], cols[not_self], scores[not_self]
        if pruned:
            rows, cols, scores, rescored = _rescore_pool(
                rows, cols, scores, first, cands, common_norm, params
            )
            clock["pairs_rescored"] += rescored
        keep = top_k_per_row(rows, cols, scores, params.k)
        src_parts.append(rows[keep])
        dst_parts.append(cols[keep])
        score_parts.append(scores[keep])
        clock["rescore"] += time.perf_counter() - t

    rows = np.concatenate(src_parts) if src_parts else np.empty(0, np.int64)
    cols = np.concatenate(dst_parts) if dst_parts else np.empty(0, np.int64)
    scores = np.concatenate(score_parts) if score_parts else np.empty(0, np.float32)
    if timings is not None:
        timings.update({k: round(v, 3) for k, v in clock.items()})
        timings["candidates_pruned"] = bool(pruned)
    return symmetrise(rows, cols, scores)


def symmetrise(
    rows: np.ndarray, cols: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair once as (low, high), keeping the higher score, sorted by (low, high).

    Both directions of a pair carry the same cosine up to float rounding; taking the max makes
    the result independent of which direction was found first.
    """
    lo = np.minimum(rows, cols).astype(np.int64)
    hi = np.maximum(rows, cols).astype(np.int64)
    order = np.lexsort((-scores, hi, lo))
    lo, hi, scores = lo[order], hi[order], scores[order]
    first = np.ones(len(lo), dtype=bool)  # not np.r_[True, …]: that is one too long when empty
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[first], hi[first], scores[first].astype(np.float32)
