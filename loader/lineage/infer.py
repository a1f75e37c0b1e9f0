"""`constellation infer-lineage`: learn from all declared links, then write the likely parents of
every model without one as `inferred_lineage.parquet` (child, parent, score, relation, rank).

The rows the ranker learned from are kept beside it (`lineage_training.parquet`, which a rebuild
leaves in place). A later run trains on them again, so a refresh gets the same ranker and a
likely link keeps its score unless its own features changed: a ranker retrained on a 1 %
change rescored 96 % of the kept links (bench/results/lineage.md). It learns afresh with
`retrain`, with another seed, or once the declared links or the models differ by more than
RETRAIN_DRIFT from those the rows were drawn from.

Usage::

    summary = infer_lineage("/tmp/c", top=3, min_score=0.05, seed=0)
    summary = infer_lineage("/tmp/c", retrain=True)          # learn afresh
    frame, without, rows = infer_tables(models, similarity, lineage)   # the pure part
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

from constellation.errors import UserError

log = logging.getLogger(__name__)
RETRAIN_DRIFT = 0.05  # share of declared links or models changed since the kept training rows


def infer_tables(
    models: pd.DataFrame, similarity: pd.DataFrame, lineage: pd.DataFrame, top: int = 3,
    min_score: float = 0.0, seed: int = 0, training: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """(likely links of the models that declare no parent, how many models declare none, the
    training rows). `training`: rows to learn from instead of drawing them."""
    corpus = make_corpus(models, similarity)
    train = TrainEdges.from_lineage(corpus, lineage)
    declared = np.zeros(corpus.n, bool)
    child_rows = corpus.rows(lineage["child"].astype(str))
    declared[child_rows[child_rows >= 0]] = True
    rows = np.flatnonzero(~declared)
    model = ranker.fit(corpus, train, seed=seed, like=rows, rows=training)
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
    return frame, len(rows), model.rows  # fmt: skip


def kept_training(
    folder: str | Path, seed: int, links: int, models: int
) -> tuple[pd.DataFrame | None, dict, str]:
    """The training rows kept in `folder` and their info if they still fit (same seed,
    declared links and models within RETRAIN_DRIFT), and a line saying which ranker is used."""
    found = artifacts.read_training(folder, ranker.TRAINING_COLUMNS)
    if isinstance(found, str):
        return None, {}, f"ranker trained afresh ({found})"
    rows, info = found
    if not ranker.trainable(rows):
        return None, {}, f"ranker trained afresh ({folder}: the kept rows cannot train one)"

    def drift(now: int, then: object) -> float:
        return abs(now - then) / max(then, 1) if isinstance(then, int) else 1.0

    if info.get("seed") != seed:
        why = f"the kept rows are of seed {info.get('seed')}, not {seed}"
    elif drift(links, info.get("links")) > RETRAIN_DRIFT:
        why = f"declared links {info.get('links')} -> {links}"
    elif drift(models, info.get("models")) > RETRAIN_DRIFT:
        why = f"models {info.get('models')} -> {models}"
    else:
        kept = f"ranker of build {info.get('build_id')} kept ({len(rows):,} training rows)"
        return rows, info, kept
    return None, {}, f"ranker trained afresh ({why})"


def infer_lineage(
    artifacts_dir: str | Path, top: int = 3, min_score: float = 0.05, seed: int = 0,
    retrain: bool = False, previous: str | Path | None = None,
) -> dict:
    """Write INFERRED (and TRAINING) into a build folder; `previous`: the folder whose
    training rows to keep (default: this one), `retrain`: learn afresh."""
    start = time.perf_counter()
    models = artifacts.read_table(artifacts_dir, "models")
    similarity = artifacts.read_table(artifacts_dir, "similarity", ["source", "target", "score"])
    lineage = artifacts.read_table(artifacts_dir, "lineage")
    if previous is not None and not Path(previous).is_dir():
        raise UserError(f"--previous {previous}: not a folder")
    kept, info, how = None, {}, "ranker trained afresh (--retrain)"
    if not retrain:
        kept, info, how = kept_training(
            previous or artifacts_dir, seed, len(lineage), len(models)
        )
    log.info("%s", how)
    frame, without, rows = infer_tables(
        models, similarity, lineage, top, min_score, seed, training=kept
    )
    path = artifacts.write_extra_table(artifacts_dir, artifacts.INFERRED, frame)
    if kept is None:  # the rows drawn now, for the next run
        info = {"seed": seed, "links": len(lineage), "models": len(models),
                "build_id": artifacts.read_manifest(artifacts_dir).get("build_id")}  # fmt: skip
    if kept is None or previous is not None:  # (kept from another folder: kept here too)
        artifacts.write_training(artifacts_dir, rows, info)
    return {
        "ranker": how,
        "path": str(path),
        "links": len(frame),
        "children": int(frame["child"].nunique()),
        "without_parent": without,
        "confident": int(((frame["rank"] == 1) & (frame["score"] >= 0.8)).sum()),
        "seconds": time.perf_counter() - start,
    }
