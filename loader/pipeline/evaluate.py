"""`constellation evaluate`: how well name families agree with declared lineage.

Figures (all shares in [0, 1], `null` when nothing was counted):

* `pairs_same_community`: of the declared parent -> child pairs whose both ends are built models
  (`pairs_counted`), the share placed in the same community; `pairs_same_cluster[level]` likewise
  for the flat clusters of each hierarchy level; `by_relation` splits it by relation.
* `edges_same_lineage_tree`: of the similarity edges whose both ends take part in declared lineage
  (`edges_counted`), the share joining two models of the same lineage tree (a weakly connected
  component of the whole declared lineage graph).
* `*_random`: the same share expected by chance, for context: the probability that two distinct
  models drawn at random (among the counted ones) share a community / cluster / lineage tree.

Usage::

    report = evaluate("/tmp/c", ["edges.csv"])   # or lineage=None: the artifacts' lineage.parquet
    report["pairs_same_community"], report["edges_same_lineage_tree"]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader import artifacts
from scipy.sparse.csgraph import connected_components

from constellation.errors import UserError


def _share(hits: np.ndarray) -> float | None:
    return round(float(np.mean(hits)), 6) if len(hits) else None


def _chance_same(labels: np.ndarray) -> float | None:
    """Probability that two distinct items drawn at random have the same label."""
    n = len(labels)
    if n < 2:
        return None
    _, counts = np.unique(labels, return_counts=True)
    counts = counts.astype(np.float64)
    return round(float((counts * (counts - 1)).sum() / (n * (n - 1))), 6)


def lineage_trees(lineage: pd.DataFrame) -> pd.Series:
    """Tree (weakly connected component) id of every model named in the lineage, by id."""
    nodes, codes = np.unique(
        np.concatenate([lineage["child"].astype(str), lineage["parent"].astype(str)]),
        return_inverse=True,
    )
    m = len(lineage)
    g = sp.csr_matrix((np.ones(m), (codes[:m], codes[m:])), shape=(len(nodes), len(nodes)))
    _, comp = connected_components(g, directed=True, connection="weak")
    return pd.Series(comp, index=pd.Index(nodes, name="id"))


def evaluate_tables(
    models: pd.DataFrame,
    similarity: pd.DataFrame,
    lineage: pd.DataFrame,
    cluster_levels: list[float] | None = None,
    clusters: pd.DataFrame | None = None,
) -> dict:
    """The figures from artifact tables (models: id, community, cluster; similarity: source,
    target; lineage: child, parent[, relation]; clusters: cluster, level, parent)."""
    lineage = lineage[["child", "parent", *(["relation"] if "relation" in lineage else [])]]
    lineage = lineage.dropna(subset=["child", "parent"])
    lineage = lineage[lineage["child"] != lineage["parent"]]
    ids = models["id"].astype(str)
    row_of = pd.Series(np.arange(len(models)), index=pd.Index(ids))
    pairs = lineage.drop_duplicates(subset=["child", "parent"])
    levels = _cluster_levels(models, clusters)
    report = _pair_figures(models, row_of, pairs, levels, cluster_levels)
    report.update(_edge_figures(ids, row_of, pairs, similarity))
    return report


def _cluster_levels(models: pd.DataFrame, clusters: pd.DataFrame | None) -> list[np.ndarray]:
    """Per level, the cluster of each model: level 0 from models, upper levels via parents."""
    levels = [models["cluster"].to_numpy()]
    if clusters is not None and len(clusters):
        parent = clusters.set_index("cluster")["parent"]
        for _ in range(int(clusters["level"].max())):
            levels.append(parent.reindex(levels[-1]).to_numpy(dtype=np.int64))
    return levels


def _pair_figures(
    models: pd.DataFrame,
    row_of: pd.Series,
    pairs: pd.DataFrame,
    levels: list[np.ndarray],
    cluster_levels: list[float] | None,
) -> dict:
    """How many declared pairs (both ends in the corpus) share a community / cluster."""
    community = models["community"].to_numpy()
    inside = pairs["child"].isin(row_of.index) & pairs["parent"].isin(row_of.index)
    counted = pairs[inside]
    c = row_of.reindex(counted["child"]).to_numpy()
    p = row_of.reindex(counted["parent"]).to_numpy()
    endpoints = np.unique(np.concatenate([c, p]))

    report: dict = {
        "models": len(models),
        "lineage_pairs_declared": len(pairs),
        "pairs_counted": len(counted),
        "pairs_same_community": _share(community[c] == community[p]),
        "pairs_same_community_random": _chance_same(community[endpoints]),
        "pairs_same_cluster": {
            str(lvl): _share(lab[c] == lab[p]) for lvl, lab in enumerate(levels)
        },
        "pairs_same_cluster_random": {
            str(lvl): _chance_same(lab[endpoints]) for lvl, lab in enumerate(levels)
        },
    }
    if cluster_levels is not None:
        report["cluster_levels"] = list(cluster_levels)
    if "relation" in counted:
        rel = counted["relation"].astype(str).to_numpy()
        report["by_relation"] = {
            r: {
                "pairs": int((rel == r).sum()),
                "same_community": _share(community[c[rel == r]] == community[p[rel == r]]),
            }
            for r in sorted(set(rel))
        }
    return report


def _edge_figures(
    ids: pd.Series, row_of: pd.Series, pairs: pd.DataFrame, similarity: pd.DataFrame
) -> dict:
    """Similarity edges among models that take part in declared lineage: how many stay in one
    lineage tree."""
    trees = lineage_trees(pairs) if len(pairs) else pd.Series(dtype=np.int64)
    tree = trees.reindex(ids).to_numpy(dtype=np.float64)  # NaN: no declared lineage
    s = row_of.reindex(similarity["source"].astype(str)).to_numpy()
    t = row_of.reindex(similarity["target"].astype(str)).to_numpy()
    both = ~np.isnan(tree[s]) & ~np.isnan(tree[t])
    with_lineage = tree[~np.isnan(tree)]
    return {
        "edges_total": len(similarity),
        "edges_counted": int(both.sum()),
        "edges_same_lineage_tree": _share(tree[s[both]] == tree[t[both]]),
        "edges_same_lineage_tree_random": _chance_same(with_lineage),
        "lineage_models": len(with_lineage),
        "lineage_trees": int(len(np.unique(with_lineage))),
    }


def evaluate(artifacts_dir: str | Path, lineage: Iterable[str | Path] | None = None) -> dict:
    """Figures for a `build --out` folder against lineage files (default: its lineage.parquet)."""
    models = artifacts.read_table(artifacts_dir, "models", columns=["id", "community", "cluster"])
    similarity = artifacts.read_table(artifacts_dir, "similarity", columns=["source", "target"])
    clusters = artifacts.read_table(
        artifacts_dir, "clusters", columns=["cluster", "level", "parent"]
    )
    manifest = artifacts.read_manifest(artifacts_dir)
    if lineage:
        from constellation.loader.ingest.sources import read_sources

        paths = list(lineage)
        for path in paths:
            if not Path(path).exists():
                raise UserError(f"--lineage {path}: no such file")
        declared = read_sources(paths, progress=False).lineage
        source = [str(p) for p in paths]
    else:
        declared = artifacts.read_table(artifacts_dir, "lineage")
        source = ["lineage.parquet"]
    if declared.empty:
        raise UserError(f"no declared lineage in {', '.join(source)}")
    report = evaluate_tables(
        models, similarity, declared, manifest.get("params", {}).get("cluster_levels"), clusters
    )
    head = {
        "artifacts": str(artifacts_dir),
        "lineage": source,
        "build_id": manifest.get("build_id"),
    }
    return {**head, **report}
