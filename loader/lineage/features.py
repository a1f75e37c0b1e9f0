"""One row of signals per (child, candidate parent) pair.

Every count read from declared lineage comes from `TrainEdges` only (held-out links never
enter), and for a training child its own link is subtracted (leave-one-out), so a training row
sees what a held-out row would see.

Usage::

    X = pair_features(corpus, train, pairs, stats)   # DataFrame, FEATURES columns, float32
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from constellation.loader.lineage.candidates import (
    RELATIONS,
    Corpus,
    TrainEdges,
    group_parent_counts,
    pair_key,
    prior_groups,
)

FEATURES = [
    "from_sim", "from_stem", "from_sibling", "from_owner", "from_prior",
    "sim", "sim_rank", "sub_len", "sub_start", "sub_cover", "stem_equal",
    "tok_inter", "cand_in_child", "child_in_cand", "jaccard", "child_len", "cand_len",
    "size_agree", "size_conflict", "arch_agree", "arch_conflict",
    "days_before", "dates_known",
    "cand_children", "cand_downloads", "cand_likes", "cand_has_parent", "child_children",
    "cand_quant", "cand_adapter", "cand_merge",
    "child_quant", "child_adapter", "child_merge",
    "same_owner", "owner_links", "owner_pair_share", "owner_cand_share", "stem_cand_share",
    "prior_share", "arch_share", "sib_votes", "sib_score", "n_candidates",
    "owner_finetune", "owner_quantized", "owner_adapter", "owner_merge",
]  # fmt: skip


@dataclass
class Stats:
    """Group counts over the training links, looked up by pair key."""

    owner_pair: pd.Series  # (child owner, cand owner) -> links
    owner_total: np.ndarray  # per owner: links of its children
    owner_cand: pd.Series  # (child owner, cand) -> links
    stem_cand: pd.Series
    stem_total: np.ndarray
    prior: pd.Series
    prior_total: np.ndarray
    arch: pd.Series
    arch_total: np.ndarray
    owner_rel: np.ndarray  # owner x relation: links
    child_rel: np.ndarray  # row x relation: the row's own training links (leave-one-out)


def _counts(groups: np.ndarray, train: TrainEdges, n: int) -> tuple[pd.Series, np.ndarray]:
    table = group_parent_counts(groups, train)
    keyed = pd.Series(
        table["count"].to_numpy(np.float64),
        index=pair_key(table["group"].to_numpy(), table["cand"].to_numpy(), n),
    )
    g = groups[train.child]
    total = np.bincount(g[g >= 0], minlength=int(groups.max()) + 1 if len(groups) else 0)
    return keyed, total.astype(np.float64)


def make_stats(corpus: Corpus, train: TrainEdges) -> Stats:
    n = corpus.n
    n_owner = int(corpus.owner.max()) + 1
    oc, op = corpus.owner[train.child], corpus.owner[train.parent]
    ok = (oc >= 0) & (op >= 0)
    owner_pair = pd.Series(pair_key(oc[ok], op[ok], max(n_owner, 1))).value_counts()
    owner_cand, owner_total = _counts(corpus.owner, train, n)
    stem_cand, stem_total = _counts(corpus.stem, train, n)
    both, arch = prior_groups(corpus)
    prior, prior_total = _counts(both, train, n)
    arch_c, arch_total = _counts(arch, train, n)
    rel = np.zeros((max(n_owner, 1), len(RELATIONS)))
    known = (oc >= 0) & (train.relation >= 0)
    np.add.at(rel, (oc[known], train.relation[known]), 1.0)
    child_rel = np.zeros((n, len(RELATIONS)), np.float32)
    np.add.at(child_rel, (train.child[known], train.relation[known]), 1.0)
    return Stats(
        owner_pair.astype(np.float64), owner_total, owner_cand, stem_cand, stem_total, prior,
        prior_total, arch_c, arch_total, rel, child_rel,
    )  # fmt: skip


def _lookup(series: pd.Series, keys: np.ndarray) -> np.ndarray:
    return series.reindex(keys).fillna(0.0).to_numpy(np.float64)


def _share(
    series: pd.Series, total: np.ndarray, group: np.ndarray, cand: np.ndarray, n: int,
    own: np.ndarray, own_total: np.ndarray,
) -> np.ndarray:
    """Leave-one-out share of the group's training links that go to `cand`."""
    ok = group >= 0
    out = np.zeros(len(group))
    g = group[ok]
    num = _lookup(series, pair_key(g, cand[ok], n)) - own[ok]
    den = total[g] - own_total[ok]
    out[ok] = np.where(den > 0, num / np.maximum(den, 1), 0.0)
    return out  # fmt: skip


def pair_features(
    corpus: Corpus, train: TrainEdges, pairs: pd.DataFrame, stats: Stats
) -> pd.DataFrame:
    """FEATURES for each pair (same order as `pairs`)."""
    n = corpus.n
    c = pairs["child"].to_numpy(np.int64)
    p = pairs["cand"].to_numpy(np.int64)
    own = train.has(c, p, n).astype(np.float64)  # the child's own training link
    own_n = train.n_parents[c]  # its training links (leave-one-out denominators)
    f: dict[str, np.ndarray] = {}
    for col in ("from_sim", "from_stem", "from_sibling", "from_owner", "from_prior", "sim",
                "sub_len", "sub_start", "sib_votes", "sib_score"):  # fmt: skip
        f[col] = pairs[col].to_numpy(np.float64)
    f["sim_rank"] = (
        pairs.assign(s=-pairs["sim"].to_numpy()).groupby("child")["s"].rank(method="min")
    ).to_numpy(np.float64)
    child_len = corpus.stem_len[c].astype(np.float64)
    cand_len = corpus.stem_len[p].astype(np.float64)
    f["sub_cover"] = np.where(child_len > 0, f["sub_len"] / np.maximum(child_len, 1), 0)
    f["stem_equal"] = (corpus.stem[c] == corpus.stem[p]).astype(np.float64)
    inter = np.asarray(corpus.tokens[c].multiply(corpus.tokens[p]).sum(axis=1)).ravel()
    nc = np.asarray(corpus.tokens[c].sum(axis=1)).ravel()
    npp = np.asarray(corpus.tokens[p].sum(axis=1)).ravel()
    f["tok_inter"] = inter
    f["cand_in_child"] = np.where(npp > 0, inter / np.maximum(npp, 1), 0)
    f["child_in_cand"] = np.where(nc > 0, inter / np.maximum(nc, 1), 0)
    f["jaccard"] = np.where(nc + npp - inter > 0, inter / np.maximum(nc + npp - inter, 1), 0)
    f["child_len"], f["cand_len"] = child_len, cand_len
    sc, sp_ = corpus.size[c], corpus.size[p]
    f["size_agree"] = ((sc >= 0) & (sc == sp_)).astype(np.float64)
    f["size_conflict"] = ((sc >= 0) & (sp_ >= 0) & (sc != sp_)).astype(np.float64)
    ac, ap = corpus.arch[c], corpus.arch[p]
    f["arch_agree"] = ((ac >= 0) & (ac == ap)).astype(np.float64)
    f["arch_conflict"] = ((ac >= 0) & (ap >= 0) & (ac != ap)).astype(np.float64)
    gap = corpus.created[c] - corpus.created[p]
    f["dates_known"] = (~np.isnan(gap)).astype(np.float64)
    f["days_before"] = np.log1p(np.nan_to_num(np.maximum(gap, 0), nan=0.0))
    f["cand_children"] = np.log1p(np.maximum(train.parent_count[p] - own, 0))
    f["cand_downloads"] = np.log1p(corpus.downloads[p])
    f["cand_likes"] = np.log1p(corpus.likes[p])
    f["cand_has_parent"] = (train.n_parents[p] > 0).astype(np.float64)
    # a model that others declare as their parent is upstream: its own parent is more often a
    # base than its owner's or its namesakes' habit (the children themselves are never held out)
    f["child_children"] = np.log1p(train.parent_count[c])
    for k in ("quant", "adapter", "merge"):
        f[f"cand_{k}"] = getattr(corpus, k)[p].astype(np.float64)
        f[f"child_{k}"] = getattr(corpus, k)[c].astype(np.float64)
    oc, op = corpus.owner[c], corpus.owner[p]
    f["same_owner"] = ((oc >= 0) & (oc == op)).astype(np.float64)
    n_owner = max(int(corpus.owner.max()) + 1, 1)
    ok = (oc >= 0) & (op >= 0)
    pair_n = np.zeros(len(c))
    pair_n[ok] = _lookup(stats.owner_pair, pair_key(oc[ok], op[ok], n_owner)) - own[ok]
    tot = np.where(oc >= 0, stats.owner_total[np.maximum(oc, 0)] - own_n, 0)
    f["owner_links"] = np.log1p(np.maximum(tot, 0))  # how much the owner habits below know
    f["owner_pair_share"] = np.where(tot > 0, pair_n / np.maximum(tot, 1), 0)
    f["owner_cand_share"] = _share(stats.owner_cand, stats.owner_total, oc, p, n, own, own_n)
    f["stem_cand_share"] = _share(
        stats.stem_cand, stats.stem_total, corpus.stem[c], p, n, own, own_n
    )
    both, arch = prior_groups(corpus)
    f["prior_share"] = _share(stats.prior, stats.prior_total, both[c], p, n, own, own_n)
    f["arch_share"] = _share(stats.arch, stats.arch_total, arch[c], p, n, own, own_n)
    f["n_candidates"] = pairs.groupby("child")["cand"].transform("size").to_numpy(np.float64)
    # the owner's habits by relation (leave-one-out: minus this child's own links)
    rel = np.zeros((len(c), len(RELATIONS)))
    rel[oc >= 0] = stats.owner_rel[oc[oc >= 0]] - stats.child_rel[c[oc >= 0]]
    rel_tot = rel.sum(axis=1)
    rel_share = np.where(rel_tot[:, None] > 0, rel / np.maximum(rel_tot, 1)[:, None], 0)
    for i, r in enumerate(RELATIONS):
        f[f"owner_{r}"] = np.clip(rel_share[:, i], 0, 1)
    return pd.DataFrame({k: f[k].astype(np.float32) for k in FEATURES})
