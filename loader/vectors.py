"""Name tokens -> one L2-normalised sparse TF-IDF vector per model.

Three weighted blocks, stacked side by side: word uni/bi-grams of the name tokens (`llama 2`,
`13b chat`), character n-grams inside those words (catch `vicuna`/`vicuña`, `mistral`/`mistrall`),
and a one-hot of the owner. Each block is L2-normalised, scaled by its weight, and the stacked
row normalised again, so cosine = weighted mean of per-block cosines.

Usage::

    vec = vectorize(docs, owners, BuildParams())
    vec.matrix      # csr float32, one row per model
    vec.word_terms  # vocabulary of the word block, for family labels
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader.params import BuildParams
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize


@dataclass
class Vectors:
    matrix: sp.csr_matrix  # N x (words + chars + owners), rows L2-normalised, float32
    word_counts: sp.csr_matrix  # N x words, binary presence of each word n-gram (labels)
    word_terms: np.ndarray  # vocabulary of the word block, as str
    n_word: int
    n_char: int
    n_owner: int


def _tfidf(counts: sp.csr_matrix, params: BuildParams) -> sp.csr_matrix:
    tf = TfidfTransformer(sublinear_tf=params.sublinear_tf)
    return tf.fit_transform(counts.astype(np.float32)).astype(np.float32).tocsr()


def vectorize(docs: pd.Series, owners: pd.Series, params: BuildParams) -> Vectors:
    """Vectors for name documents (from `names.name_documents`) and owners (NA for none).

    Distinct documents are vectorised once and their rows repeated, so document frequencies
    count distinct names: a name copied by twenty quantisers does not make its words common.
    Character n-grams are counted once per distinct word and summed into documents (the same
    counts `analyzer="char_wb"` gives, as it pads and cuts each word on its own), which is what
    keeps a million names within seconds.
    """
    codes, uniques = pd.factorize(docs.astype(object), sort=False)
    unique_docs = [str(u) for u in uniques]
    counter = CountVectorizer(
        lowercase=False,
        token_pattern=r"\S+",
        ngram_range=(1, params.word_ngram_max),
        dtype=np.float32,
    )
    try:
        word_counts = counter.fit_transform(unique_docs).tocsr()
        word_terms = counter.get_feature_names_out()
    except ValueError:  # empty vocabulary: every name was empty
        word_counts = sp.csr_matrix((len(unique_docs), 0), dtype=np.float32)
        word_terms = np.array([], dtype=object)
    unigram = np.flatnonzero([" " not in t for t in word_terms])
    if len(unigram):
        chars = CountVectorizer(
            lowercase=False,
            analyzer="char_wb",
            ngram_range=(params.char_ngram_min, params.char_ngram_max),
            dtype=np.float32,
        ).fit_transform(list(word_terms[unigram]))
        char_counts = (word_counts[:, unigram] @ chars).tocsr()
    else:
        char_counts = sp.csr_matrix((len(unique_docs), 0), dtype=np.float32)
    word = _tfidf(word_counts, params)
    char = _tfidf(char_counts, params)
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
    matrix = normalize(sp.hstack(blocks, format="csr", dtype=np.float32), norm="l2", copy=False)
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
    )
