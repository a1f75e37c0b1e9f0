"""Which relation a likely link is: finetune, quantized, adapter or merge.

A classifier over the same pair features (the child's quantisation / adapter / merge words and
tags, the candidate's, the owner's habits by relation, name overlap), trained on the training
links whose relation is known. With no known relation to learn from, every link is `unknown`.

Usage::

    model = fit(true_features, codes(corpus, train, true_pairs), seed)
    predict(model, features)   # array of relation names
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from constellation.loader.lineage.candidates import RELATIONS, Corpus, TrainEdges
from constellation.loader.lineage.features import FEATURES

# how many links the owner has and how many children the child has say how far to trust a
# candidate, not what kind of link it is
RELATION_FEATURES = [f for f in FEATURES if f not in ("owner_links", "child_children")]


@dataclass
class RelationModel:
    classifier: object | None  # HistGradientBoostingClassifier, None: a single class
    constant: str  # the answer when there is no classifier


def codes(corpus: Corpus, train: TrainEdges, pairs: pd.DataFrame) -> np.ndarray:
    """The relation code (index into RELATIONS, -1 = unknown) of each true training pair
    (`pairs`: child, cand rows)."""
    order = np.argsort(train.keys)
    keys = pairs["child"].to_numpy(np.int64) * corpus.n + pairs["cand"].to_numpy(np.int64)
    pos = np.searchsorted(train.keys[order], keys)
    return train.relation[order][np.minimum(pos, len(order) - 1)].astype(np.int64)


def fit(X: pd.DataFrame, y: np.ndarray, seed: int) -> RelationModel:
    """Learn relations from the features `X` of true training pairs and their `codes`."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    y = np.asarray(y, np.int64)
    known = y >= 0
    if not known.any():
        return RelationModel(None, "unknown")
    classes = np.unique(y[known])
    if len(classes) == 1:
        return RelationModel(None, RELATIONS[int(classes[0])])
    clf = HistGradientBoostingClassifier(max_iter=150, random_state=seed)
    clf.fit(X[RELATION_FEATURES][known], y[known])
    return RelationModel(clf, RELATIONS[int(np.bincount(y[known]).argmax())])


def predict(model: RelationModel, X: pd.DataFrame) -> np.ndarray:
    if model.classifier is None or len(X) == 0:
        return np.full(len(X), model.constant, dtype=object)
    codes = model.classifier.predict(X[RELATION_FEATURES])
    return np.asarray(RELATIONS, dtype=object)[codes.astype(np.int64)]
