"""`constellation evaluate-lineage`: hide a share of the declared links, learn from the rest,
rank candidates for the hidden children, and score the guesses.

Figures (one JSON object; shares in [0, 1], `null` when nothing was counted):

* `n_hidden`: hidden children (children with a declared parent in the corpus, drawn at random);
* `hits@1`, `hits@10`: share of hidden children with a declared parent ranked first / in the top
  ten; `mrr`: mean of 1 / rank of the first declared parent (0 when not ranked);
* `coverage`: share of hidden children with any candidate at all;
* `relation_accuracy`: among hidden children whose first candidate is a declared parent with a
  known relation, the share whose predicted relation is that link's;
* `by_relation`: the same per relation of the child's declared link;
* `calibration`: the reliability table of the first candidates' scores (bins, count, share
  right), and `precision_at_0.8`: the share right among first candidates scored >= 0.8;
* `baseline_similarity_hits@1`: the top SIMILAR_TO neighbour as the guess, for context.

Usage::

    report = evaluate_holdout(models, similarity, lineage, holdout=0.2, seed=0)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from constellation.loader import artifacts
from constellation.loader.lineage import ranker
from constellation.loader.lineage.candidates import Corpus, TrainEdges, make_corpus, pair_key

from constellation.errors import UserError

BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)


def _r(x: float | None) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), 4)


def _mean(values: np.ndarray) -> float | None:
    return _r(float(np.mean(values))) if len(values) else None


def split(
    corpus: Corpus, lineage: pd.DataFrame, holdout: float, seed: int
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """(training links, hidden child rows, hidden links with rows) — every link of a hidden
    child is hidden."""
    c = corpus.rows(lineage["child"].astype(str))
    p = corpus.rows(lineage["parent"].astype(str))
    inside = (c >= 0) & (p >= 0) & (c != p)
    links = pd.DataFrame(
        {"child": c[inside], "parent": p[inside],
         "relation": lineage["relation"].astype(str).to_numpy()[inside]}
    ).drop_duplicates(["child", "parent"])  # fmt: skip
    children = np.unique(links["child"].to_numpy())
    rng = np.random.default_rng(seed)
    n_hide = int(round(len(children) * holdout))
    hidden = np.sort(rng.choice(children, n_hide, replace=False)) if n_hide else children[:0]
    is_hidden = np.isin(links["child"].to_numpy(), hidden)
    train = lineage.iloc[0:0]
    train_links = links[~is_hidden]
    train = pd.DataFrame(
        {
            "child": corpus.ids[train_links["child"].to_numpy()],
            "parent": corpus.ids[train_links["parent"].to_numpy()],
            "relation": train_links["relation"].to_numpy(),
        }
    )
    return train, hidden, links[is_hidden].reset_index(drop=True)


def child_relation(truth: pd.DataFrame) -> pd.Series:
    """The relation a child is counted under: its links' most common known one."""
    known = truth[truth["relation"] != "unknown"]
    pick = known.groupby("child")["relation"].agg(lambda s: s.value_counts().index[0])
    return pick.reindex(np.unique(truth["child"])).fillna("unknown")


def score(ranked: pd.DataFrame, truth: pd.DataFrame, hidden: np.ndarray, n: int) -> dict:
    """Hits@k, MRR, coverage, relation accuracy and calibration of `ranked` against `truth`."""
    truth_keys = pair_key(truth["child"].to_numpy(), truth["parent"].to_numpy(), n)
    ranked = ranked.copy()
    keys = pair_key(ranked["child"].to_numpy(), ranked["cand"].to_numpy(), n)
    ranked["right"] = np.isin(keys, truth_keys)
    rel_of = pd.Series(truth["relation"].to_numpy(), index=truth_keys)
    ranked["true_relation"] = rel_of[~rel_of.index.duplicated()].reindex(keys).to_numpy()
    first_right = ranked[ranked["right"]].groupby("child")["rank"].min()
    r = first_right.reindex(hidden).to_numpy(np.float64)  # NaN: no declared parent ranked
    covered = np.isin(hidden, ranked["child"].to_numpy())
    top = ranked[ranked["rank"] == 1].set_index("child")
    by_child = child_relation(truth).reindex(hidden)

    def figures(mask: np.ndarray) -> dict:
        rr = r[mask]
        kids = hidden[mask]
        t = top.reindex(kids)
        ok = t["right"].fillna(False).to_numpy(bool) & (t["true_relation"] != "unknown").fillna(
            False
        ).to_numpy(bool)
        rel_acc = (t["relation"][ok] == t["true_relation"][ok]).to_numpy()
        return {
            "n_hidden": int(mask.sum()),
            "hits@1": _mean(np.nan_to_num(rr, nan=99) <= 1),
            "hits@10": _mean(np.nan_to_num(rr, nan=99) <= 10),
            "mrr": _mean(np.where(np.isnan(rr), 0.0, 1.0 / np.nan_to_num(rr, nan=1.0))),
            "relation_accuracy": _mean(rel_acc),
            "coverage": _mean(covered[mask]),
        }

    report = figures(np.ones(len(hidden), bool))
    rel = by_child.to_numpy().astype(str)
    report["by_relation"] = {x: figures(rel == x) for x in sorted(set(rel))}
    report["calibration"] = reliability(top["score"].to_numpy(), top["right"].to_numpy(bool))
    return report


def reliability(scores: np.ndarray, right: np.ndarray) -> dict:
    """Reliability table of first-candidate scores, and the share right at score >= 0.8."""
    rows = []
    for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
        m = (scores >= lo) & ((scores < hi) if hi < 1 else (scores <= hi))
        rows.append(
            {"bin": f"{lo:.1f}-{hi:.1f}", "count": int(m.sum()),
             "mean_score": _mean(scores[m]), "share_right": _mean(right[m])}
        )  # fmt: skip
    high = scores >= 0.8
    return {
        "bins": rows,
        "n_scored_0.8": int(high.sum()),
        "precision_at_0.8": _mean(right[high]),
    }


def similarity_baseline(corpus: Corpus, truth: pd.DataFrame, hidden: np.ndarray) -> float | None:
    """Hits@1 of the top SIMILAR_TO neighbour (the figure issue 12 starts from)."""
    nbr = corpus.nbr[np.isin(corpus.nbr["src"].to_numpy(), hidden)]
    best = nbr.sort_values(["src", "score"], ascending=[True, False]).drop_duplicates("src")
    keys = pair_key(best["src"].to_numpy(), best["dst"].to_numpy(), corpus.n)
    truth_keys = pair_key(truth["child"].to_numpy(), truth["parent"].to_numpy(), corpus.n)
    hits = np.isin(keys, truth_keys).sum()
    return _r(hits / len(hidden)) if len(hidden) else None


def evaluate_holdout(
    models: pd.DataFrame, similarity: pd.DataFrame, lineage: pd.DataFrame, holdout: float,
    seed: int,
) -> dict:
    """The report for one split (see the module docstring)."""
    if not 0 < holdout < 1:
        raise UserError(f"--holdout {holdout}: expected a share between 0 and 1, e.g. 0.2")
    corpus = make_corpus(models, similarity)
    train_lineage, hidden, truth = split(corpus, lineage, holdout, seed)
    if len(hidden) == 0:
        raise UserError("no declared link has both ends in the artifacts' models: nothing to hide")
    train = TrainEdges.from_lineage(corpus, train_lineage)
    model = ranker.fit(corpus, train, seed=seed, like=hidden)
    ranked = ranker.rank(model, corpus, train, hidden, top=10)
    report = {"holdout": holdout, "seed": seed, **score(ranked, truth, hidden, corpus.n)}
    report["baseline_similarity_hits@1"] = similarity_baseline(corpus, truth, hidden)
    report["train_links"] = int(len(train.keys))
    return report  # fmt: skip


def read_lineage(artifacts_dir: str | Path, paths: Iterable[str | Path] | None) -> pd.DataFrame:
    """Declared lineage from files in any form `build` reads, else the artifacts' own."""
    paths = list(paths or [])
    if not paths:
        return artifacts.read_table(artifacts_dir, "lineage")
    from constellation.loader.ingest.sources import read_sources

    for path in paths:
        if not Path(path).exists():
            raise UserError(f"--lineage {path}: no such file")
    declared = read_sources(paths, progress=False).lineage
    if declared.empty:
        raise UserError(f"--lineage {', '.join(map(str, paths))}: no declared lineage there")
    return declared


def evaluate_lineage(
    artifacts_dir: str | Path, lineage: Iterable[str | Path] | None, holdout: float, seed: int
) -> dict:
    models = artifacts.read_table(artifacts_dir, "models")
    similarity = artifacts.read_table(artifacts_dir, "similarity", ["source", "target", "score"])
    declared = read_lineage(artifacts_dir, lineage)
    report = evaluate_holdout(models, similarity, declared, holdout, seed)
    return {"artifacts": str(artifacts_dir), **report}


def evaluate_later(
    models: pd.DataFrame, similarity: pd.DataFrame, declared: pd.DataFrame,
    later: pd.DataFrame, seed: int = 0,
) -> dict:
    """Learn from `declared` and score the guesses for the models that declare no parent there
    but do in `later` (a later snapshot): lineage the ranker never saw, as infer-lineage meets
    it."""
    corpus = make_corpus(models, similarity)
    train = TrainEdges.from_lineage(corpus, declared)
    c = corpus.rows(later["child"].astype(str))
    p = corpus.rows(later["parent"].astype(str))
    new = (c >= 0) & (p >= 0) & (c != p) & ~np.isin(c, train.child)
    relation = later["relation"].astype(str).to_numpy()[new]
    truth = pd.DataFrame({"child": c[new], "parent": p[new], "relation": relation})
    truth = truth.drop_duplicates(["child", "parent"])
    hidden = np.unique(truth["child"].to_numpy())
    if len(hidden) == 0:
        raise UserError("the later lineage declares no new child inside the corpus")
    model = ranker.fit(corpus, train, seed=seed, like=hidden)
    ranked = ranker.rank(model, corpus, train, hidden, top=10)
    report = {"seed": seed, **score(ranked, truth, hidden, corpus.n)}
    report["baseline_similarity_hits@1"] = similarity_baseline(corpus, truth, hidden)
    return report
