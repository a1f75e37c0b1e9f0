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

Copies of one name (equal vectors: the same name by other owners) are scored once: the product
runs over the distinct vectors, and each row then takes the k best of its copies and of its
copies' neighbours, ties going to the lowest `tie_rank` (`similarity_edges`).

Usage::

    src, dst, score = similarity_edges(vec.matrix, BuildParams(k=10, threshold=0.5))
    # src < dst, each pair once, score float32 cosine, sorted by (src, dst)
    similarity_edges(vec.matrix, params, tie_rank=order_of_ids)  # ties by id, not position
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
        forced[order[_run_positions(r) < wanted[r]]] = True
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
    keep = np.zeros(len(rows), dtype=bool)
    keep[order[_run_positions(rows[order]) < k]] = True
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
    tie_rank: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected top-k edges: (source, target, score) with source < target, sorted.

    Rows with equal vectors (copies of one name by other owners) are scored once: the product
    runs over the distinct vectors (`duplicate_groups`), and each row's k best are then picked
    from its copies and its copies' neighbours, ties going to the lowest `tie_rank` (default:
    the row's position; the build passes the order of the model ids). So which of 1,700 copies
    of `gpt2` a row links to does not depend on where the others sit in the input, nor on
    which of them a candidate pool happened to hold: before, removing 1 % of 1M models took
    148,300 edges away from the models that stayed, two thirds of them between copies
    (bench/results/edges.md).

    `timings`, if given, receives seconds spent in candidate pruning, products and rescoring,
    and how many candidate pairs were rescored exactly."""
    n = x.shape[0]
    x = x.astype(np.float32).tocsr()
    x.eliminate_zeros()  # a zero-weight block (owners by default) would count as features
    x.sort_indices()
    rank = np.arange(n, dtype=np.int64) if tie_rank is None else np.asarray(tie_rank, np.int64)
    t = time.perf_counter()
    group, reps = duplicate_groups(x, rank)
    dedup_s = time.perf_counter() - t
    u = x[reps]
    rows, cols, scores = _top_k_rows(u, params, progress, timings)
    t = time.perf_counter()
    rows, cols, scores = _expand_copies(u, group, rank, rows, cols, scores, params)
    if timings is not None:
        timings["copies"] = round(dedup_s + time.perf_counter() - t, 3)
        timings["distinct_rows"] = len(reps)
    return symmetrise(rows, cols, scores)


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, on uint64 arrays (wrapping)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def duplicate_groups(x: sp.csr_matrix, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group of each row, the lowest-rank row of each group): rows with equal entries share a
    group; groups are numbered by their lowest rank. Rows are compared by two 64-bit digests
    of their (column, value) entries and their length (x: CSR with sorted indices).

        >>> x = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0]], np.float32))
        >>> group, reps = duplicate_groups(x, np.array([2, 1, 0]))
        >>> group.tolist(), reps.tolist()
        ([0, 1, 0], [2, 1])
    """
    n = x.shape[0]
    entry = (x.indices.astype(np.uint64) << np.uint64(32)) | x.data.view(np.uint32).astype(
        np.uint64
    )
    digests = []
    for seed in (0x9E3779B97F4A7C15, 0x632BE59BD9B4E019):
        with np.errstate(over="ignore"):
            h = _mix64(entry + np.uint64(seed))
        cum = np.zeros(len(h) + 1, np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(h, out=cum[1:])
            digests.append(cum[x.indptr[1:]] - cum[x.indptr[:-1]])
    nnz = np.diff(x.indptr)
    order = np.lexsort((rank, digests[1], digests[0], nnz))
    d0, d1, nz = digests[0][order], digests[1][order], nnz[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (d0[1:] != d0[:-1]) | (d1[1:] != d1[:-1]) | (nz[1:] != nz[:-1])
    first = order[new]  # each group's lowest-rank row (rank, lexsort's first key, breaks ties)
    by_rank = np.argsort(rank[first], kind="stable")
    number = np.empty(len(first), np.int64)
    number[by_rank] = np.arange(len(first))
    group = np.empty(n, np.int64)
    group[order] = number[np.cumsum(new) - 1]
    return group, first[by_rank]


def _offsets(counts: np.ndarray) -> np.ndarray:
    """0 .. c - 1 for each count c, concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _run_positions(keys: np.ndarray) -> np.ndarray:
    """Each entry's position in its run of equal keys (keys sorted)."""
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    return _offsets(np.diff(np.r_[np.flatnonzero(new), len(keys)]))


def _ranked_members(group: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows sorted by group then rank, each group's start in them)."""
    members = np.lexsort((rank, group))
    start = np.zeros(group.max(initial=-1) + 2, np.int64)
    np.cumsum(np.bincount(group, minlength=len(start) - 1), out=start[1:])
    return members, start


def _take_members(
    groups: np.ndarray, limit: np.ndarray, members: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each entry i: the first limit[i] members of groups[i]; (entry of each, member)."""
    which = np.repeat(np.arange(len(groups)), limit)
    return which, members[start[groups[which]] + _offsets(limit)]


def _expand_copies(
    u: sp.csr_matrix,
    group: np.ndarray,
    rank: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    params: BuildParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed top-k of every row from the top-k among distinct vectors (rows, cols, scores
    over u's rows): a row's candidates are its copies (scored as its vector with itself) and
    the first k copies of each neighbour vector; its k best by score, then rank."""
    k = params.k
    members, start = _ranked_members(group, rank)
    size = np.diff(start)
    n_groups = len(size)
    idx = np.arange(n_groups)
    own = np.zeros(n_groups, np.float32)  # a vector with itself: the score between copies
    copied = np.flatnonzero(size > 1)
    if len(copied):
        own[copied] = pair_dots(u, copied, copied)
    own_limit = np.where((size > 1) & (own >= params.threshold), np.minimum(size, k + 1), 0)
    w_own, m_own = _take_members(idx, own_limit, members, start)
    w_nb, m_nb = _take_members(cols, np.minimum(size[cols], k), members, start)
    # per group: its k + 1 best candidates (one of them may be the row itself)
    g = np.r_[idx[w_own], rows[w_nb]]
    m = np.r_[m_own, m_nb]
    s = np.r_[own[w_own], scores[w_nb]].astype(np.float32)
    order = np.lexsort((rank[m], -s, g))
    top = order[_run_positions(g[order]) <= k]
    g, m, s = g[top], m[top], s[top]
    lstart = np.zeros(n_groups + 1, np.int64)
    np.cumsum(np.bincount(g, minlength=n_groups), out=lstart[1:])
    # every row takes its group's list, less itself, and keeps the first k
    count = np.diff(lstart)[group]
    row = np.repeat(np.arange(len(group)), count)
    at = np.repeat(lstart[group], count) + _offsets(count)
    keep = m[at] != row
    row, at = row[keep], at[keep]
    top = _run_positions(row) < k
    return row[top], m[at[top]], s[at[top]]


def _top_k_rows(
    x: sp.csr_matrix,
    params: BuildParams,
    progress: bool = False,
    timings: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's top k other rows (directed: rows, cols, scores), x's rows all distinct."""
    clock = {"prune": 0.0, "product": 0.0, "rescore": 0.0, "pairs_rescored": 0}
    t = time.perf_counter()
    n = x.shape[0]
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
    if pruned:
        # A score rescored from its parts depends on which features are common in this corpus,
        # so a rebuild after a 1 % change moved ~24k of 7.7M scores at 1M by a few ulps (and a
        # refresh rewrote those that crossed the stored rounding). Each kept pair is scored
        # again on its whole vectors: the same two names give the same float32.
        t = time.perf_counter()
        scores = pair_dots(x, rows, cols)
        clock["rescore"] += time.perf_counter() - t
    if timings is not None:
        timings.update({k: round(v, 3) for k, v in clock.items()})
        timings["candidates_pruned"] = bool(pruned)
    return rows, cols, scores


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
