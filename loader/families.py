"""Family names: label groups of models by their distinguishing terms (class-based TF-IDF).

A term's weight in a group is `p * log(p / q)`, `p` the share of the group's models whose name has
the term and `q` its share in the whole corpus: terms most of the group shares and the rest of
the corpus rarely uses win. (BERTopic's c-TF-IDF `tf * log(1 + A / f)` was tried first: with
thousands of small groups `A` is tiny and a term seen twice in a 300-model group outranked the
term all 300 share.) Terms are the
name's word uni/bi-grams plus the owner, so `huggingtweets/<handle>` models are named after their
owner. A unigram already inside a chosen bigram is skipped (`llama 2 · 13b · chat`, not
`llama 2 · llama · 2`).

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
    groups: np.ndarray, counts: sp.csr_matrix, vocab: np.ndarray, top: int = 10
) -> list[list[str]]:
    """Top distinguishing terms of each group id 0..G-1 (groups[i] = group of model i)."""
    groups = np.asarray(groups, dtype=np.int64)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    member = sp.csr_matrix(
        (np.ones(len(groups), dtype=np.float32), (groups, np.arange(len(groups)))),
        shape=(n_groups, len(groups)),
    )
    tf = (member @ counts).tocsr()  # groups x terms: members containing the term
    tf.sum_duplicates()
    sizes = np.bincount(groups, minlength=n_groups).astype(np.float64)
    corpus = np.asarray(counts.sum(axis=0)).ravel() / max(len(groups), 1)
    rows = np.repeat(np.arange(n_groups), np.diff(tf.indptr))
    share = tf.data / sizes[rows]  # share of the group's models with the term
    # share x log-lift over the corpus: frequent in the group and rare elsewhere
    score = share * np.log(share / np.maximum(corpus[tf.indices], 1e-12))
    # candidates per group: best first, ties by term text order (vocab index), deterministic
    order = np.lexsort((tf.indices, -score, rows))
    # only each group's 3*top best are considered (a generous margin for skipped terms): cut
    # before the Python loop, which then costs a few steps per group even at 1M models
    rank = np.arange(len(order)) - tf.indptr[rows[order]]
    order = order[rank < 3 * top]
    starts = np.searchsorted(rows[order], np.arange(n_groups + 1))
    terms_of = vocab[tf.indices[order]]
    result: list[list[str]] = []
    for g in range(n_groups):
        picked: list[str] = []
        covered: set[str] = set()
        for term in terms_of[starts[g] : starts[g + 1]]:
            term = str(term)
            words = term.split(" ")
            if len(words) == 1 and term in covered:
                continue
            if len(words) > 1 and all(w in covered for w in words):
                continue
            picked.append(term)
            covered.update(words)
            if len(picked) >= top:
                break
        result.append(picked)
    return result


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
