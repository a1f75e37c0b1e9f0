"""Family labels name what most of a family's downloads share (issue 13, point 4)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from constellation.loader.pipeline.families import group_terms


def test_labels_follow_the_downloads_not_a_crowd_of_unused_copies() -> None:
    # one family: gpt2 (13.6M downloads) and four unused fine-tunes named gpt2-police-pdg;
    # another family elsewhere makes "gpt 2" less rare than "police" in the corpus
    vocab = np.array(["gpt 2", "police", "pdg", "bert"], dtype=object)
    rows = [[1, 0, 0, 0]] + [[1, 1, 1, 0]] * 4 + [[0, 0, 0, 1]] * 5 + [[1, 0, 0, 1]] * 5
    counts = sp.csr_matrix(np.array(rows, dtype=np.float32))
    groups = np.array([0] * 5 + [1] * 10)
    downloads = np.array([13_600_000] + [0] * 4 + [100] * 10, dtype=np.float64)
    by_count = group_terms(groups, counts, vocab, top=3)
    by_downloads = group_terms(groups, counts, vocab, top=3, weights=downloads)
    assert by_count[0][0] == "police"  # the old label: what most *models* share, rarest first
    assert by_downloads[0][0] == "gpt 2"
    assert "police" not in by_downloads[0] and "pdg" not in by_downloads[0]
    # a family without downloads is named as before
    none = group_terms(groups, counts, vocab, top=3, weights=np.zeros(15))
    assert none == by_count
