"""Louvain's local moves from a given partition: communities that stay put across rebuilds.

Louvain run again after a Hub refresh finds another partition of about the same modularity:
with 1 % of 100k models removed, 18,510 of the others changed community, so a refresh rewrote
a third of the graph's models and renamed their families. Starting instead from the previous
build's communities (new models alone), each model moves only when that raises modularity;
the communities it leaves and joins are checked again, until no move helps. The same moves
polish a fresh Louvain partition, so that a rebuild of unchanged names moves nobody.

Usage::

    labels, moved = local_moves(n, src, dst, score, start)   # start: a label per model
    labels, moved = warm_start(n, src, dst, score, previous)  # previous: label, -1 if new

`src`, `dst`, `score`: the undirected similarity edges, one row per pair. Deterministic: models
are visited in row order, ties keep the model where it is.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import scipy.sparse as sp

# a move must raise modularity by more than float noise, or two equal choices could trade
# a model back and forth
_EPS = 1e-12
_MAX_ROUNDS = 50


def _adjacency(n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray) -> sp.csr_matrix:
    """Symmetric weights without self-loops (a model's edge to itself moves nothing)."""
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    keep = src != dst
    s, d, w = src[keep], dst[keep], np.asarray(score, dtype=np.float64)[keep]
    a = sp.csr_matrix((np.r_[w, w], (np.r_[s, d], np.r_[d, s])), shape=(n, n))
    a.sum_duplicates()
    return a


def _improvable(
    a: sp.csr_matrix, labels: np.ndarray, k: np.ndarray, tot: np.ndarray, m2: float,
    resolution: float,
) -> np.ndarray:
    """Rows (ascending) that some neighbouring community would take with a modularity gain,
    all found at once: the next round's starting queue."""
    n = len(labels)
    onehot = sp.csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, len(tot)))
    w = (a @ onehot).tocoo()  # w[i, c]: weight from model i into community c
    row, col, data = w.row, w.col, w.data
    own = col == labels[row]
    w_own = np.bincount(row[own], weights=data[own], minlength=n)
    stay = w_own - resolution * k * (tot[labels] - k) / m2
    other = ~own
    gain = data[other] - resolution * k[row[other]] * tot[col[other]] / m2
    best = np.full(n, -np.inf)
    np.maximum.at(best, row[other], gain)
    return np.flatnonzero(best > stay + _EPS)


def local_moves(
    n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray, start: np.ndarray,
    resolution: float = 1.0,
) -> tuple[np.ndarray, int]:
    """The partition reached from `start` (a label >= 0 per model) by moving one model at a
    time to the neighbouring community with the largest modularity gain, until none gains;
    and how many moves it took. Labels keep `start`'s numbering (some may empty).

        >>> src, dst, w = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4]), np.ones(4)
        >>> local_moves(5, src, dst, w, np.array([0, 0, 1, 1, 1]))[0].tolist()
        [0, 0, 1, 1, 1]
        >>> local_moves(5, src, dst, w, np.array([0, 1, 1, 1, 1]))[0].tolist()  # 0 joins 1
        [1, 1, 1, 1, 1]
    """
    labels = np.asarray(start, dtype=np.int64).copy()
    if n == 0 or len(src) == 0:
        return labels, 0
    a = _adjacency(n, src, dst, score)
    k = np.asarray(a.sum(axis=1)).ravel()
    m2 = float(k.sum())
    tot = np.bincount(labels, weights=k, minlength=int(labels.max()) + 1)
    indptr, indices, data = a.indptr, a.indices, a.data
    moves = 0
    for _ in range(_MAX_ROUNDS):
        queue = deque(_improvable(a, labels, k, tot, m2, resolution).tolist())
        if not queue:
            break
        queued = np.zeros(n, dtype=bool)
        queued[list(queue)] = True
        while queue:
            i = queue.popleft()
            queued[i] = False
            nb, w = indices[indptr[i]:indptr[i + 1]], data[indptr[i]:indptr[i + 1]]
            comms, inverse = np.unique(labels[nb], return_inverse=True)
            into = np.bincount(inverse, weights=w)
            here, ki = labels[i], k[i]
            tot[here] -= ki  # i taken out: every community, its own too, is a candidate
            gain = into - resolution * ki * tot[comms] / m2
            at = np.searchsorted(comms, here)
            stay = (into[at] if at < len(comms) and comms[at] == here else 0.0) \
                - resolution * ki * tot[here] / m2
            best = int(np.argmax(gain))
            if comms[best] != here and gain[best] > stay + _EPS:
                here = comms[best]
                moves += 1
                wake = nb[(labels[nb] != here) & ~queued[nb]]
                queued[wake] = True
                queue.extend(wake.tolist())
            labels[i] = here
            tot[here] += ki
    return labels, moves


def modularity(
    labels: np.ndarray, src: np.ndarray, dst: np.ndarray, score: np.ndarray,
    resolution: float = 1.0,
) -> float:
    """Weighted modularity of a partition (igraph's `Graph.modularity`, without the graph).

        >>> round(modularity(np.array([0, 0, 1, 1]), np.array([0, 2]), np.array([1, 3]),
        ...                  np.ones(2)), 3)
        0.5
    """
    labels = np.asarray(labels, dtype=np.int64)
    w = np.asarray(score, dtype=np.float64)
    if not len(w) or not w.sum():
        return 0.0
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    m2 = 2.0 * w.sum()
    inside = labels[src] == labels[dst]
    tot = np.bincount(labels[src], weights=w, minlength=labels.max() + 1) + np.bincount(
        labels[dst], weights=w, minlength=labels.max() + 1)  # fmt: skip
    return float(2.0 * w[inside].sum() / m2 - resolution * ((tot / m2) ** 2).sum())


def warm_start(
    n: int, src: np.ndarray, dst: np.ndarray, score: np.ndarray, previous: np.ndarray,
    resolution: float = 1.0,
) -> tuple[np.ndarray, int]:
    """`local_moves` from the previous build's communities (`previous`: a label per model,
    -1 for a model it did not have, which starts alone).

        >>> src, dst, w = np.array([0, 1, 3]), np.array([1, 2, 4]), np.ones(3)
        >>> warm_start(5, src, dst, w, np.array([7, 7, 7, 9, -1]))[0].tolist()
        [0, 0, 0, 2, 2]
    """
    start = np.asarray(previous, dtype=np.int64).copy()
    new = start < 0
    start[new] = (start.max() + 1 if len(start) else 0) + np.arange(int(new.sum()))
    codes, _ = pd.factorize(start)  # 0.. in order of first appearance
    return local_moves(n, src, dst, score, codes.astype(np.int64), resolution)
