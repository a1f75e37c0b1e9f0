"""Our TF-IDF (loader/pipeline/vectors.py, scipy only) against scikit-learn's `TfidfVectorizer`.

The build computes TF-IDF by hand because importing scikit-learn cost a quarter of a build; this
test keeps it honest: on the Constellation names (or the bundled sample without ../shared), each
block equals the reference, with the same analyzer and idf settings, to float32 tolerance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import SHARED_DATA
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline import names, vectors
from constellation.loader.pipeline.params import BuildParams

sklearn_text = pytest.importorskip(
    "sklearn.feature_extraction.text",
    reason="scikit-learn is the TF-IDF reference: pip install -e '.[test]'",
)

CONSTELLATION = SHARED_DATA / "constellation" / "HuggingFaceLLMsWithParamsAndReadmeLinks.csv"
SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"
TOLERANCE = 2e-6  # float32 (ours) against float64 (scikit-learn), values in [0, 1]


@pytest.fixture(scope="module")
def docs() -> pd.Series:
    source = CONSTELLATION if CONSTELLATION.is_file() else SAMPLE
    ids = read_sources([source], progress=False).models["id"].astype(str)
    return names.name_documents(ids)


def _distinct(docs: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Row -> distinct document, as vectorize counts document frequencies over distinct names."""
    codes, uniques = pd.factorize(docs.astype(object), sort=False)
    return codes, [str(u) for u in uniques]


def _block(docs: pd.Series, **weights: float) -> vectors.Vectors:
    params = BuildParams().with_overrides(owner_weight=0.0, **weights)
    owners = pd.Series(pd.NA, index=docs.index, dtype="string")
    return vectors.vectorize(docs, owners, params)


def _assert_close(ours: sp.csr_matrix, reference: sp.csr_matrix) -> None:
    assert ours.shape == reference.shape
    diff = abs(ours.astype(np.float64) - reference.tocsr())
    assert diff.nnz == 0 or diff.max() <= TOLERANCE
    assert np.array_equal(ours.getnnz(axis=1), reference.getnnz(axis=1))


def test_word_block_equals_scikit_learn(docs):
    p = BuildParams()
    vec = _block(docs, word_weight=1.0, char_weight=0.0)
    codes, distinct = _distinct(docs)
    ref = sklearn_text.TfidfVectorizer(
        analyzer="word",
        tokenizer=str.split,  # the documents are space-joined name tokens
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, p.word_ngram_max),
        sublinear_tf=p.sublinear_tf,
        smooth_idf=True,
        norm="l2",
    )
    expected = ref.fit_transform(distinct)[codes]
    assert list(vec.word_terms) == list(ref.get_feature_names_out())  # same sorted vocabulary
    _assert_close(vec.matrix[:, : vec.n_word], expected)


def test_char_block_equals_scikit_learn_char_wb(docs):
    p = BuildParams()
    vec = _block(docs, word_weight=0.0, char_weight=1.0)
    codes, distinct = _distinct(docs)
    ref = sklearn_text.TfidfVectorizer(
        analyzer="char_wb",
        lowercase=False,
        ngram_range=(p.char_ngram_min, p.char_ngram_max),
        sublinear_tf=p.sublinear_tf,
        smooth_idf=True,
        norm="l2",
    )
    expected = ref.fit_transform(distinct)[codes]
    # our character vocabulary is in order of first appearance: line scikit-learn's up with it
    _, word_terms = vectors.word_ngrams(distinct, p.word_ngram_max)
    unigrams = word_terms[[" " not in t for t in word_terms]]
    _, ours = vectors.char_ngrams(unigrams, p.char_ngram_min, p.char_ngram_max)
    assert set(ours) == set(ref.vocabulary_)
    columns = [ref.vocabulary_[g] for g in ours]
    start = vec.n_word
    _assert_close(vec.matrix[:, start : start + vec.n_char], expected[:, columns])
