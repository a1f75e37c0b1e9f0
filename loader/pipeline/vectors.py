"""Name tokens -> one L2-normalised sparse TF-IDF vector per model.

Three weighted blocks, stacked side by side: word uni/bi-grams of the name tokens (`llama 2`,
`13b chat`), character n-grams inside those words (catch `vicuna`/`vicuña`, `mistral`/`mistrall`),
and a one-hot of the owner. Each block is L2-normalised, scaled by its weight, and the stacked
row normalised again, so cosine = weighted mean of per-block cosines.

Usage::

    vec = vectorize(docs, owners, BuildParams())
    vec.matrix      # csr float32, one row per model
    vec.word_terms  # vocabulary of the word block, for family labels
    vec.idf         # the term weights used (block, term, idf): the next build's `weights`

    vectorize(docs, owners, params, weights=previous)  # a refresh: known terms keep theirs

A refresh that weighs its terms again moves nearly every score: with 1 % of 100k names removed,
541,259 of 573,510 kept edges changed score (105,113 past the stored rounding), and a graph
refresh rewrote them. Given the previous build's weights, a term it knew keeps its weight, so a
name whose terms are all known keeps its vector, and its edges their scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader.pipeline.params import BuildParams


@dataclass
class Vectors:
    matrix: sp.csr_matrix  # N x (words + chars + owners), rows L2-normalised, float32
    word_counts: sp.csr_matrix  # N x words, binary presence of each word n-gram (labels)
    word_terms: np.ndarray  # vocabulary of the word block, as str
    n_word: int
    n_char: int
    n_owner: int
    idf: pd.DataFrame  # block ("word" / "char"), term, idf: the weights used


def _tfidf(
    counts: sp.csr_matrix, sublinear: bool, terms: np.ndarray | None = None,
    known: pd.Series | None = None,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """TF-IDF with scikit-learn's conventions (smooth idf, optional 1 + log tf), rows L2-normed,
    and the idf of each column. `known`: term -> idf kept from a previous build, used for the
    terms it has (`terms`: the columns' terms)."""
    m = counts.astype(np.float32).tocsr()
    n = m.shape[0]
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    if known is not None and len(known) and terms is not None:
        kept = known.reindex(pd.Index(terms, dtype=object)).to_numpy(dtype=np.float64)
        idf = np.where(np.isnan(kept), idf, kept).astype(np.float32)
    if sublinear:
        np.log(m.data, out=m.data)
        m.data += 1.0
    m.data *= idf[m.indices]
    return _normalise_rows(m), idf


def _normalise_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1), dtype=np.float64).ravel())
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, np.diff(m.indptr)).astype(m.data.dtype)
    return m


def _term_counts(
    doc_ids: np.ndarray, terms: np.ndarray, n_docs: int, sort: bool = True
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Docs x vocabulary counts from parallel arrays (doc index, term); vocabulary sorted, or
    in order of first appearance with sort=False."""
    codes, vocab = pd.factorize(terms, sort=False)
    if sort:  # sorting the distinct terms only: half the time of factorize(sort=True) here
        order = np.argsort(np.asarray(vocab).astype(str), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes, vocab = rank[codes], np.asarray(vocab)[order]
    m = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.float32), (doc_ids, codes)), shape=(n_docs, len(vocab))
    )
    m.sum_duplicates()
    return m, np.asarray(vocab, dtype=object)


def word_ngrams(docs: list[str], n_max: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of space-separated tokens and their 2..n_max-grams (`llama 2`, `2 13b`)."""
    tokens = pd.Series(docs, dtype=object).str.split().explode().dropna()
    doc = tokens.index.to_numpy(dtype=np.int64)
    tok = tokens.to_numpy(dtype=object)
    docs_parts, term_parts = [doc], [tok]
    for n in range(2, n_max + 1):
        # n consecutive tokens of one document
        same = np.ones(max(len(tok) - n + 1, 0), dtype=bool)
        for o in range(1, n):
            same &= doc[o : len(doc) - n + 1 + o] == doc[: len(doc) - n + 1]
        start = np.flatnonzero(same)
        gram = tok[start]
        for o in range(1, n):
            gram = gram + " " + tok[start + o]
        docs_parts.append(doc[start])
        term_parts.append(gram)
    return _term_counts(np.concatenate(docs_parts), np.concatenate(term_parts), len(docs))


def char_ngrams(words: np.ndarray, n_min: int, n_max: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Counts of character n-grams of each word padded with spaces (scikit-learn's `char_wb`)."""
    doc_ids: list[int] = []
    grams: list[str] = []
    for i, w in enumerate(words):
        pw = f" {w} "
        for n in range(n_min, n_max + 1):
            if len(pw) <= n:  # a short word counts once, whole
                doc_ids.append(i)
                grams.append(pw)
                break
            new = [pw[o : o + n] for o in range(len(pw) - n + 1)]
            doc_ids.extend([i] * len(new))
            grams.extend(new)
    # sorted like the words: in order of first appearance, removing names reordered the columns,
    # and with them the order in which a row's products are summed (scores moved by an ulp)
    return _term_counts(
        np.asarray(doc_ids, dtype=np.int64), np.asarray(grams, dtype=object), len(words)
    )


def vectorize(
    docs: pd.Series, owners: pd.Series, params: BuildParams, weights: pd.DataFrame | None = None
) -> Vectors:
    """Vectors for name documents (from `names.name_documents`) and owners (NA for none).
    `weights`: a previous build's `Vectors.idf`, whose terms keep their idf.

    Distinct documents are vectorised once and their rows repeated, so document frequencies
    count distinct names: a name copied by twenty quantisers does not make its words common.
    Character n-grams are counted once per distinct word and summed into documents (the counts
    scikit-learn's `analyzer="char_wb"` gives, as it pads and cuts each word on its own). The
    TF-IDF is computed here with scipy, following scikit-learn's formulas: importing
    scikit-learn alone cost a quarter of the 15,821-name build (bench/results/loader.md).
    """
    codes, uniques = pd.factorize(docs.astype(object), sort=False)
    unique_docs = [str(u) for u in uniques]
    word_counts, word_terms = word_ngrams(unique_docs, params.word_ngram_max)
    unigram = np.flatnonzero([" " not in t for t in word_terms])
    chars, char_terms = char_ngrams(
        word_terms[unigram], params.char_ngram_min, params.char_ngram_max
    )
    char_counts = (word_counts[:, unigram] @ chars).tocsr()
    known = {} if weights is None else {
        block: pd.Series(rows["idf"].to_numpy(), index=pd.Index(rows["term"], dtype=object))
        for block, rows in weights.groupby("block", sort=False)
    }  # fmt: skip
    word, word_idf = _tfidf(word_counts, params.sublinear_tf, word_terms, known.get("word"))
    char, char_idf = _tfidf(char_counts, params.sublinear_tf, char_terms, known.get("char"))
    word = word[codes]
    char = char[codes]

    n = len(docs)
    own = owners.astype(object).where(owners.notna(), None)
    ocodes, ouniques = pd.factorize(own, sort=False)  # None -> -1
    has = ocodes >= 0
    owner = sp.csr_matrix(
        (np.ones(int(has.sum()), dtype=np.float32), (np.flatnonzero(has), ocodes[has])),
        shape=(n, len(ouniques)),
    )

    blocks = [
        word * np.float32(params.word_weight),
        char * np.float32(params.char_weight),
        owner * np.float32(params.owner_weight),
    ]
    matrix = _normalise_rows(sp.hstack(blocks, format="csr", dtype=np.float32))
    matrix.sort_indices()
    word_counts = word.copy()
    word_counts.data[:] = 1.0
    return Vectors(
        matrix=matrix.astype(np.float32),
        word_counts=word_counts,
        word_terms=np.asarray(word_terms, dtype=object),
        n_word=word.shape[1],
        n_char=char.shape[1],
        n_owner=owner.shape[1],
        idf=pd.DataFrame({
            "block": pd.array(["word"] * len(word_idf) + ["char"] * len(char_idf), "string"),
            "term": pd.array(np.concatenate([word_terms, char_terms]).astype(str), "string"),
            "idf": np.concatenate([word_idf, char_idf]).astype(np.float32),
        }),  # fmt: skip
    )
