"""The learned ranker: gradient-boosted trees over pair features, then a calibration step so that
a score is the chance that the candidate is a declared parent.

Training rows are the candidates of (a sample of) the children with training links, labelled by
those links, each computed with the links of its fold of children removed (`training_rows`):
exactly as a child without a declared parent is seen at inference. A fifth of the sampled
children is kept back, seen the same way, to fit the calibration: a logistic regression on the
ranker's probability, its share among the child's candidates, whether it ranks first (a
candidate's chance depends on its rivals, not on itself alone) and two things the child shows of
itself (declared children, its owner's link count).

Usage::

    model = fit(corpus, train, seed=0)
    ranked = rank(model, corpus, train, rows)   # child, cand, score, rank, relation, features
    again = fit(corpus, train, rows=model.rows)   # the same model, from the kept rows
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from constellation.loader.lineage import relation as rel
from constellation.loader.lineage.candidates import Corpus, TrainEdges, candidates
from constellation.loader.lineage.features import FEATURES, Stats, make_stats, pair_features

from constellation.errors import UserError

log = logging.getLogger(__name__)
MAX_TRAIN_CHILDREN = 20_000  # enough for the trees; bounds time and memory at 1M models
CHUNK = 100_000  # children per inference chunk (bounds memory)
CALIBRATION_SHARE = 0.2
FOLDS = 5  # training children are seen held out, a fifth at a time
TRAINING_COLUMNS = [*FEATURES, "label", "calibration", "group", "relation"]


@dataclass
class LineageModel:
    ranker: object  # HistGradientBoostingClassifier
    calibrator: object  # LogisticRegression over _calibration_inputs
    relation: rel.RelationModel
    stats: Stats
    n_train_rows: int
    rows: pd.DataFrame  # the training_set it learned from


def _sklearn():
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # an optional dependency
        raise UserError(
            "inferred lineage needs scikit-learn: pip install 'constellation-atlas[test]' "
            "(or pip install scikit-learn)"
        ) from exc
    return HistGradientBoostingClassifier, LogisticRegression


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _calibration_inputs(child: np.ndarray, raw: np.ndarray, X: pd.DataFrame) -> np.ndarray:
    """The ranker's probability, its share among the child's candidates, whether it is first,
    and what the child shows of itself: an upstream model (one with declared children) or
    one whose owner has few links is right less often at the same raw score."""
    frame = pd.DataFrame({"child": child, "raw": raw})
    total = frame.groupby("child")["raw"].transform("sum").to_numpy()
    best = frame.groupby("child")["raw"].transform("max").to_numpy()
    share = raw / np.maximum(total, 1e-9)
    return np.column_stack([
        _logit(raw), _logit(share), (raw >= best).astype(float),
        X["child_children"].to_numpy(np.float64), X["owner_links"].to_numpy(np.float64),
    ])  # fmt: skip


def held_out_rows(
    corpus: Corpus, train: TrainEdges, children: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Candidates, features and labels of `children` as if none of them declared a parent:
    candidates and every count come from the links of the other children only."""
    held = train.without(children, corpus.n)
    pairs = candidates(corpus, held, children)
    X = pair_features(corpus, held, pairs, make_stats(corpus, held))
    y = train.has(pairs["child"].to_numpy(), pairs["cand"].to_numpy(), corpus.n)
    return pairs, X, y


def training_rows(
    corpus: Corpus, train: TrainEdges, children: np.ndarray, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Held-out rows of `children` in FOLDS folds. Leave-one-out features alone are not enough:
    the candidates themselves came from the child's own link (its owner's and stem group's
    usual parents include it), which a child without a declared parent never has."""
    parts = [
        held_out_rows(corpus, train, fold)
        for fold in np.array_split(rng.permutation(children), FOLDS)
        if len(fold)
    ]
    return (
        pd.concat([x[0] for x in parts], ignore_index=True),
        pd.concat([x[1] for x in parts], ignore_index=True),
        np.concatenate([x[2] for x in parts]),
    )


def arch_hidden_share(corpus: Corpus, children: np.ndarray, like: np.ndarray | None) -> float:
    """Share of the arch-known training children whose architecture to hide so that they lack
    it as often as the models to be ranked (`like`) do. hf-dep, for one, records no
    architecture for most models that declare no parent: a ranker trained on children that
    all have one relies on it and is overconfident without it."""
    if like is None or len(like) == 0 or len(children) == 0:
        return 0.0
    want = float(np.mean(corpus.arch[like] < 0))
    have = float(np.mean(corpus.arch[children] < 0))
    return max(0.0, (want - have) / (1.0 - have)) if have < 1 else 0.0


def hide_arch(corpus: Corpus, rows: np.ndarray) -> Corpus:
    """The corpus with the architecture of `rows` unknown."""
    arch = corpus.arch.copy()
    arch[rows] = -1
    return replace(corpus, arch=arch)


def training_set(
    corpus: Corpus, train: TrainEdges, seed: int = 0, max_children: int = MAX_TRAIN_CHILDREN,
    like: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every row the ranker, its calibration and the relation classifier learn from, as one
    table (TRAINING_COLUMNS: the features, `label`, `calibration` for the calibration
    children's rows, the child's row as `group`, the true pairs' relation code). `like`: rows
    of the models the ranker will rank (their architecture's absence is matched)."""
    children = np.unique(train.child)
    if len(children) < 10:
        raise UserError(
            f"only {len(children)} models declare a parent in the corpus: too few to learn "
            "lineage from (need at least 10)"
        )
    rng = np.random.default_rng(seed)
    if len(children) > max_children:
        children = rng.choice(children, max_children, replace=False)
    share = arch_hidden_share(corpus, children, like)
    if share > 0:
        known = children[corpus.arch[children] >= 0]
        hidden = rng.choice(known, int(round(len(known) * share)), replace=False)
        corpus = hide_arch(corpus, hidden)
        log.info("architecture hidden for %.0f%% of the training children", 100 * share)
    calib_children = rng.choice(
        children, max(int(len(children) * CALIBRATION_SHARE), 1), replace=False
    )
    fit_children = np.setdiff1d(children, calib_children)
    parts = []
    for calibration, (pairs, X, y) in (
        (False, training_rows(corpus, train, fit_children, rng)),
        (True, held_out_rows(corpus, train, calib_children)),
    ):
        relation = np.full(len(pairs), -1, np.int64)
        relation[y] = rel.codes(corpus, train, pairs[y])
        parts.append(X[FEATURES].assign(
            label=np.asarray(y, bool), calibration=calibration,
            group=pairs["child"].to_numpy(np.int64), relation=relation,
        ))  # fmt: skip
    rows = pd.concat(parts, ignore_index=True)
    if not trainable(rows):
        raise UserError("declared lineage gives no usable training pairs (all one label)")
    return rows


def trainable(rows: pd.DataFrame) -> bool:
    """Whether `rows` (TRAINING_COLUMNS) can train a ranker: typed columns, both labels among
    the rows to fit, calibration rows, known relation codes."""
    typed = all(pd.api.types.is_bool_dtype(rows[c]) for c in ("label", "calibration")) and all(
        pd.api.types.is_integer_dtype(rows[c]) for c in ("group", "relation"))  # fmt: skip
    if not typed:
        return False
    fitted = rows.loc[~rows["calibration"], "label"]
    relation = rows["relation"].to_numpy()
    return bool(
        rows["calibration"].any() and fitted.any() and not fitted.all()
        and relation.min(initial=-1) >= -1 and relation.max(initial=-1) < len(rel.RELATIONS)
    )  # fmt: skip


def fit(
    corpus: Corpus, train: TrainEdges, seed: int = 0, max_children: int = MAX_TRAIN_CHILDREN,
    like: np.ndarray | None = None, rows: pd.DataFrame | None = None,
) -> LineageModel:
    """Train ranker, calibration and relation classifier on the training links, or on `rows`
    (a `training_set` kept from an earlier build: the same rows give the same model, so a
    refresh does not rescore every likely link)."""
    hgb_cls, lr_cls = _sklearn()
    stats = make_stats(corpus, train)  # inference sees the real corpus
    if rows is None:
        rows = training_set(corpus, train, seed, max_children, like)
    fit_rows, cal_rows = rows[~rows["calibration"]], rows[rows["calibration"]]
    ranker = hgb_cls(max_iter=200, learning_rate=0.1, max_leaf_nodes=31, random_state=seed)
    ranker.fit(fit_rows[FEATURES], fit_rows["label"].to_numpy(bool))
    raw = ranker.predict_proba(cal_rows[FEATURES])[:, 1]
    calibrator = lr_cls(C=1.0, max_iter=1000)
    calibrator.fit(
        _calibration_inputs(cal_rows["group"].to_numpy(), raw, cal_rows),
        cal_rows["label"].to_numpy(bool),
    )
    # relations from every sampled child's true links (the calibration children's too)
    true = rows[rows["label"].to_numpy(bool)]
    relation = rel.fit(true[FEATURES].reset_index(drop=True), true["relation"].to_numpy(), seed)
    log.info("trained on %s candidate pairs of %s children", f"{len(fit_rows):,}",
             f"{rows['group'].nunique():,}")  # fmt: skip
    return LineageModel(ranker, calibrator, relation, stats, len(fit_rows), rows)


def score_pairs(model: LineageModel, pairs: pd.DataFrame, X: pd.DataFrame) -> np.ndarray:
    raw = model.ranker.predict_proba(X[FEATURES])[:, 1]
    inputs = _calibration_inputs(pairs["child"].to_numpy(), raw, X)
    return model.calibrator.predict_proba(inputs)[:, 1]


def rank(
    model: LineageModel, corpus: Corpus, train: TrainEdges, rows: np.ndarray, top: int = 10
) -> pd.DataFrame:
    """The `top` best candidates of each child in `rows`: child, cand (rows), score, rank,
    relation; children without any candidate are absent."""
    rows = np.unique(np.asarray(rows, np.int64))
    out = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        pairs = candidates(corpus, train, chunk)
        if pairs.empty:
            continue
        X = pair_features(corpus, train, pairs, model.stats)
        pairs = pairs[["child", "cand"]].assign(score=score_pairs(model, pairs, X))
        order = np.lexsort((-pairs["score"].to_numpy(), pairs["child"].to_numpy()))
        pairs = pairs.iloc[order]
        pairs["rank"] = pairs.groupby("child").cumcount().to_numpy() + 1
        keep = (pairs["rank"] <= top).to_numpy()
        pairs = pairs[keep].reset_index(drop=True)
        pairs["relation"] = rel.predict(model.relation, X.iloc[order[keep]].reset_index(drop=True))
        out.append(pairs)
    if not out:
        return pd.DataFrame(
            {"child": [], "cand": [], "score": [], "rank": [], "relation": []}
        ).astype({"child": np.int64, "cand": np.int64, "rank": np.int64})
    return pd.concat(out, ignore_index=True)
