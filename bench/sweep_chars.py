"""Character n-gram settings: cost of the similarity product vs agreement with declared lineage.

For each character n-gram range, and optionally a cap on a character n-gram's document frequency
(share of distinct names; scikit-learn's `max_df`), builds the vectors of the 29,075
hf-dep-network-analysis models, their exact top-10 edges above 0.4, Louvain communities (seed 42),
and scores them as `bench/sweep_loader.py` does. `macs` = sum of squared feature document
frequencies, the multiply-adds of the sparse product.

    flock /tmp/constellation-bench.lock python bench/sweep_chars.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline import names, vectors
from constellation.loader.pipeline.params import BuildParams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_loader import DATA, directed_top, score_edges  # noqa: E402

RANGES = ((3, 4), (4, 4), (3, 5), (4, 5))
CAPS = (None, 0.05, 0.02, 0.01)


def capped_vectors(docs: pd.Series, p: BuildParams, cap: float | None) -> sp.csr_matrix:
    """`vectors.vectorize` (owner weight 0) with char n-grams in more than `cap` of the names
    dropped."""
    codes, uniques = pd.factorize(docs.astype(object), sort=False)
    word_counts, word_terms = vectors.word_ngrams([str(u) for u in uniques], p.word_ngram_max)
    uni = np.flatnonzero([" " not in t for t in word_terms])
    chars, _ = vectors.char_ngrams(word_terms[uni], p.char_ngram_min, p.char_ngram_max)
    char_counts = (word_counts[:, uni] @ chars).tocsr()
    if cap is not None:
        df = np.bincount(char_counts.indices, minlength=char_counts.shape[1])
        char_counts = char_counts[:, np.flatnonzero(df <= cap * char_counts.shape[0])].tocsr()
    word = vectors._tfidf(word_counts, p.sublinear_tf)[0][codes] * np.float32(p.word_weight)
    char = vectors._tfidf(char_counts, p.sublinear_tf)[0][codes] * np.float32(p.char_weight)
    return vectors._normalise_rows(sp.hstack([word, char], format="csr", dtype=np.float32))


def main() -> int:
    if not DATA.exists():
        sys.exit(f"needs {DATA}: not present")
    models = read_sources([DATA / "metadata_c952a70.csv"], progress=False).models
    lineage = read_sources([DATA / "edges_c952a70.csv"], progress=False).lineage
    ids = models["id"].astype(str)
    docs = names.name_documents(ids)
    print("| char n-grams | max df | macs | edges | Q | pairs | edges in tree | score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for (lo, hi), cap in itertools.product(RANGES, CAPS):
        p = BuildParams(char_ngram_min=lo, char_ngram_max=hi)
        x = capped_vectors(docs, p, cap)
        df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
        f = score_edges(ids, *directed_top(x, p.k, p.threshold), p.k, lineage, p.seed)
        print(
            f"| {lo}-{hi} | {cap if cap is not None else '—'} | {np.square(df).sum():.3g} | "
            f"{f['edges']} | {f['Q']:.3f} | {f['pairs']:.3f} | {f['tree']:.3f} | "
            f"{f['score']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
