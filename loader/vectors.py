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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


@dataclass
class Vectors:
    matrix: sp.csr_matrix  # N x (words + chars + owners), rows L2-normalised, float32
    word_counts: sp.csr_matrix  # N x words, binary presence of each word n-gram (labels)
    word_terms: np.ndarray  # vocabulary of the word block, as str
    n_word: int
    n_char: int
    n_owner: int


def _tfidf(docs: list[str], params: BuildParams, **kwargs) -> tuple[sp.csr_matrix, np.ndarray]:
    vec = TfidfVectorizer(
        lowercase=False, sublinear_tf=params.sublinear_tf, dtype=np.float32, **kwargs
    )
    try:
        m = vec.fit_transform(docs)
    except ValueError:  # empty vocabulary: every name was empty
        return sp.csr_matrix((len(docs), 0), dtype=np.float32), np.array([], dtype=object)
    return m.tocsr(), vec.get_feature_names_out()


def vectorize(docs: pd.Series, owners: pd.Series, params: BuildParams) -> Vectors:
    """Vectors for name documents (from `names.name_documents`) and owners (None for none).

    Distinct documents are vectorised once and their rows repeated, so document frequencies
    count distinct names: a name copied by twenty quantisers does not make its words common.
    """
    codes, uniques = pd.factorize(docs.astype(object), sort=False)
    unique_docs = [str(u) for u in uniques]
    word, word_terms = _tfidf(
        unique_docs,
        params,
        analyzer="word",
        token_pattern=r"\S+",
        ngram_range=(1, params.word_ngram_max),
    )
    char, _ = _tfidf(
        unique_docs,
        params,
        analyzer="char_wb",
        ngram_range=(params.char_ngram_min, params.char_ngram_max),
    )
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
