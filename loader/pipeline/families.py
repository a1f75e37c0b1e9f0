"""Family names: label groups of models by their distinguishing terms (class-based TF-IDF).

A term's weight in a group is `p * log(p / q)`, `p` the share of the group's models whose name has
the term and `q` its share in the whole corpus: terms most of the group shares and the rest of
the corpus rarely uses win. (BERTopic's c-TF-IDF `tf * log(1 + A / f)` was tried first: with
thousands of small groups `A` is tiny and a term seen twice in a 300-model group outranked the
term all 300 share.) Terms are the
name's word uni/bi-grams plus the owner, so `huggingtweets/<handle>` models are named after their
owner. A unigram already inside a chosen bigram is skipped (`llama 2 · 13b · chat`, not
`llama 2 · llama · 2`).

With `weights` (the models' downloads), `p` is the geometric mean of the share of the group's
models and the share of the group's downloads that have the term: a family is named after what
most of its downloads share, so 40 fine-tunes called `gpt2-police-pdg` with no downloads do not
name the family of gpt2 (13.6M downloads), and one popular model's own words (its owner) do not
name a family of hundreds either. A group without downloads falls back to the model share.

Usage::

    terms = group_terms(groups, counts, vocabulary, top=10)   # list[list[str]] per group id
    label = " · ".join(terms[g][:3])
    table1 = common_words(counts, vocabulary, n_models, top=200)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

_NUMBER = re.compile(r"[\d.]+")


def term_matrix(
    word_counts: sp.csr_matrix, word_terms: np.ndarray, owners: pd.Series
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Per-model term presence: name word n-grams, then one column per owner."""
    codes, uniq = pd.factorize(owners.astype(object).where(owners.notna(), None), sort=False)
    has = codes >= 0
    n = word_counts.shape[0]
    owner = sp.csr_matrix(
        (np.ones(int(has.sum()), dtype=np.float32), (np.flatnonzero(has), codes[has])),
        shape=(n, len(uniq)),
    )
    counts = sp.hstack([word_counts, owner], format="csr", dtype=np.float32)
    vocab = np.concatenate([np.asarray(word_terms, dtype=object), np.asarray(uniq, dtype=object)])
    return counts, vocab


def group_terms(
    groups: np.ndarray,
    counts: sp.csr_matrix,
    vocab: np.ndarray,
    top: int = 10,
    min_share: float = 0.0,
    corpus: np.ndarray | None = None,
    words: tuple[np.ndarray, np.ndarray] | None = None,
    weights: np.ndarray | None = None,
) -> list[list[str]]:
    """Top distinguishing terms of each group id 0..G-1 (groups[i] = group of model i).

    A term must be in at least `min_share` of the group's models: in the 3,000 `huggingtweets`
    models grouped by owner, a `0` in 1% of the handles is no name of the family. `corpus` is
    each term's share of all models (default: of the rows given); `words` is `term_words(vocab)`,
    for callers that label several groupings over one vocabulary; `weights` (per model, e.g.
    downloads) weigh the share by popularity (see the module's docstring)."""
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    g, term = _ranked_terms(groups, n_groups, counts, top, min_share, corpus, weights)
    kept = _adds_a_word(g, term, vocab, words)
    g, term = g[kept], term[kept]
    rank = np.arange(len(g)) - np.searchsorted(g, g)
    g, term = g[rank < top], term[rank < top]
    bounds = np.searchsorted(g, np.arange(n_groups + 1)).tolist()
    picked = vocab[term].tolist()
    return [picked[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _ranked_terms(
    groups: np.ndarray,
    n_groups: int,
    counts: sp.csr_matrix,
    top: int,
    min_share: float,
    corpus: np.ndarray | None,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(group, term) candidates of `group_terms`, by group, best first within each group."""
    member = sp.csr_matrix(
        (np.ones(len(groups), dtype=np.float32), (groups, np.arange(len(groups)))),
        shape=(n_groups, len(groups)),
    )
    tf = (member @ counts).tocsr()  # groups x terms: members containing the term
    tf.sum_duplicates()
    tf.sort_indices()
    sizes = np.bincount(groups, minlength=n_groups).astype(np.float64)
    if corpus is None:
        corpus = corpus_share(counts)
    rows = np.repeat(np.arange(n_groups), np.diff(tf.indptr))
    share = tf.data / sizes[rows]  # share of the group's models with the term
    if weights is not None:
        share = _popular_share(groups, n_groups, counts, weights, tf, rows, share)
    # share x log-lift over the corpus: frequent in the group and rare elsewhere
    # (a term only models without downloads have: share 0, score 0, ranked after the rest)
    score = share * np.log(np.maximum(share, 1e-12) / np.maximum(corpus[tf.indices], 1e-12))
    # rounded: a rebuild that drops one model elsewhere moves the corpus shares a hair, which
    # must not swap two near-equal terms of an unchanged group (its node would be rewritten)
    score = np.round(score, 2)
    # candidates per group: best first, ties by term text order (vocab index), deterministic
    order = np.lexsort((tf.indices, -score, rows))
    # only each group's 3*top best are considered (a generous margin for skipped terms)
    rank = np.arange(len(order)) - tf.indptr[rows[order]]
    # (a group's best term stays even below min_share, so every group has a name)
    # (a term only members without downloads have, share 0 once weighted, names nothing)
    keep = (share[order] >= min_share) & (share[order] > 0)
    order = order[(rank < 3 * top) & (keep | (rank == 0))]
    return rows[order], tf.indices[order]


def _popular_share(groups: np.ndarray, n_groups: int, counts: sp.csr_matrix,
                   weights: np.ndarray, tf: sp.csr_matrix, rows: np.ndarray,
                   share: np.ndarray) -> np.ndarray:
    """sqrt(model share x download share) of each (group, term) entry of `tf`; the model share
    alone where the group has no downloads."""
    w = np.maximum(np.nan_to_num(np.asarray(weights, dtype=np.float64)), 0.0)
    member = sp.csr_matrix((w, (groups, np.arange(len(groups)))), shape=(n_groups, len(groups)))
    tw = (member @ counts).tocsr()  # groups x terms: downloads of the members with the term
    tw.sum_duplicates()
    tw.sort_indices()
    total = np.bincount(groups, weights=w, minlength=n_groups)
    # align tw's entries on tf's (same pattern, minus terms whose members have no downloads)
    tw_full = sp.csr_matrix((tw.data, tw.indices, tw.indptr), shape=tf.shape)
    dl = np.asarray(tw_full[rows, tf.indices]).ravel()
    has = total[rows] > 0
    out = share.copy()
    out[has] = np.sqrt(share[has] * dl[has] / total[rows][has])
    return out


def _adds_a_word(
    g: np.ndarray,
    term: np.ndarray,
    vocab: np.ndarray,
    words: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Mask of the (group, term) candidates that bring a word new to their group."""
    # A term is skipped when all its words appear in earlier terms of the group (a unigram
    # inside a picked bigram, a bigram both of whose words were picked). Skipped terms add no
    # new word, so "earlier terms" may include skipped ones, and the rule needs no loop: keep
    # a term iff one of its words occurs for the first time in the group at its position.
    if words is None:
        used, local = np.unique(term, return_inverse=True)
        word_ptr, word_ids = term_words(vocab[used])
    else:
        (word_ptr, word_ids), local = words, term
    n_words = np.diff(word_ptr)[local]
    entry = np.repeat(np.arange(len(term)), n_words)
    word = word_ids[_ranges(word_ptr[local], n_words)]
    key = g[entry] * (int(word_ids.max()) + 1 if len(word_ids) else 1) + word
    first = np.zeros(len(key), dtype=bool)
    by_key = np.lexsort((entry, key))  # entries are in group order: first = earliest
    first[by_key[np.r_[True, key[by_key][1:] != key[by_key][:-1]]]] = True
    kept = np.zeros(len(term), dtype=bool)
    kept[entry[first]] = True
    return kept


def corpus_share(counts: sp.csr_matrix) -> np.ndarray:
    """Share of the models (rows) that have each term."""
    return np.asarray(counts.sum(axis=0)).ravel() / max(counts.shape[0], 1)


def term_words(vocab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Words of each term as CSR-like (pointer, word ids): `llama 2` -> ids of `llama`, `2`."""
    terms = [str(t) for t in vocab]
    split = [t.split(" ") if " " in t else [t] for t in terms]
    ptr = np.zeros(len(split) + 1, dtype=np.int64)
    np.cumsum([len(w) for w in split], out=ptr[1:])
    codes, _ = pd.factorize(np.array([w for ws in split for w in ws], dtype=object))
    return ptr, codes.astype(np.int64)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated aranges: start[i] .. start[i] + length[i] for each i."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return offsets + np.arange(total)


def label(terms: list[str], n: int = 3) -> str:
    return " · ".join(terms[:n])


def common_words(
    word_counts: sp.csr_matrix, word_terms: np.ndarray, n_models: int, top: int = 200
) -> pd.DataFrame:
    """The corpus's most common name words: `word, count, share` (models whose name has it)."""
    terms = np.asarray(word_terms, dtype=object)
    # unigrams that are not bare numbers ("2" of gpt2 is no word; "7b", "v2" are)
    uni = np.flatnonzero([" " not in str(t) and not _NUMBER.fullmatch(str(t)) for t in terms])
    counts = np.asarray(word_counts[:, uni].sum(axis=0)).ravel().astype(np.int64)
    order = np.lexsort((terms[uni].astype(str), -counts))[:top]
    return pd.DataFrame(
        {
            "word": pd.array(terms[uni][order].astype(str), dtype="string"),
            "count": counts[order],
            "share": counts[order] / max(n_models, 1),
        }
    )
