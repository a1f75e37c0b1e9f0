"""`constellation infer-lineage`: learn from all declared links, then write the likely parents of
every model without one as `inferred_lineage.parquet` (child, parent, score, relation, rank).

Usage::

    summary = infer_lineage("/tmp/c", top=3, min_score=0.05, seed=0)
    frame = infer_tables(models, similarity, lineage)   # the pure part
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
from constellation.loader import artifacts
from constellation.loader.lineage import ranker
from constellation.loader.lineage.candidates import TrainEdges, make_corpus

log = logging.getLogger(__name__)


def infer_tables(
    models: pd.DataFrame, similarity: pd.DataFrame, lineage: pd.DataFrame, top: int = 3,
    min_score: float = 0.0, seed: int = 0,
) -> tuple[pd.DataFrame, int]:
    """(likely links of the models that declare no parent, how many models declare none)."""
    corpus = make_corpus(models, similarity)
    train = TrainEdges.from_lineage(corpus, lineage)
    declared = np.zeros(corpus.n, bool)
    child_rows = corpus.rows(lineage["child"].astype(str))
    declared[child_rows[child_rows >= 0]] = True
    rows = np.flatnonzero(~declared)
    model = ranker.fit(corpus, train, seed=seed, like=rows)
    ranked = ranker.rank(model, corpus, train, rows, top=top)
    ranked = ranked[ranked["score"] >= min_score]
    ranked["rank"] = ranked.groupby("child").cumcount() + 1
    frame = pd.DataFrame(
        {
            "child": pd.array(corpus.ids[ranked["child"].to_numpy()], dtype="string"),
            "parent": pd.array(corpus.ids[ranked["cand"].to_numpy()], dtype="string"),
            "score": ranked["score"].to_numpy(np.float64).round(4),
            "relation": pd.array(ranked["relation"].to_numpy(), dtype="string"),
            "rank": ranked["rank"].to_numpy(np.int64),
        }
    )
    return frame, len(rows)  # fmt: skip


def infer_lineage(
    artifacts_dir: str | Path, top: int = 3, min_score: float = 0.05, seed: int = 0
) -> dict:
    start = time.perf_counter()
    models = artifacts.read_table(artifacts_dir, "models")
    similarity = artifacts.read_table(artifacts_dir, "similarity", ["source", "target", "score"])
    lineage = artifacts.read_table(artifacts_dir, "lineage")
    frame, without = infer_tables(models, similarity, lineage, top, min_score, seed)
    path = artifacts.write_extra_table(artifacts_dir, artifacts.INFERRED, frame)
    return {
        "path": str(path),
        "links": len(frame),
        "children": int(frame["child"].nunique()),
        "without_parent": without,
        "confident": int(((frame["rank"] == 1) & (frame["score"] >= 0.8)).sum()),
        "seconds": time.perf_counter() - start,
    }
