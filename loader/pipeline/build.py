"""`constellation build`: model metadata -> families, similarity edges, hierarchy and lineage.

Stages: read sources -> name tokens -> TF-IDF vectors -> top-k edges -> Louvain communities ->
single-linkage hierarchy + flat clusters -> family labels and corpus words -> artifacts.

Usage::

    from constellation.loader.pipeline.build import build
    from constellation.loader.pipeline.params import BuildParams
    manifest = build(["models.csv"], "/tmp/c", BuildParams(k=10))
    manifest["counts"]["models"], manifest["modularity"]
    print(summary(manifest, "/tmp/c"))   # what `constellation build` shows

Stage messages are log records (INFO, logger `constellation.loader.pipeline.build`; the CLI shows
them as `[build] …`); progress bars only with progress=True. Nothing here prints.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from constellation.loader import artifacts
from constellation.loader.gc_pause import paused_gc
from constellation.loader.ingest.sources import SourceResult, read_sources
from constellation.loader.pipeline import (
    communities,
    edges,
    families,
    hierarchy,
    joins,
    names,
    stable_ids,
    vectors,
)
from constellation.loader.pipeline.params import BuildParams

from constellation.errors import UserError

SKIPPED_SHOWN = 20
log = logging.getLogger(__name__)
_VERSIONED = (
    "constellation-atlas",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "sparse-dot-topn",
    "igraph",
    "python-louvain",  # --communities louvain only
    "networkx",
)


class _Stages:
    """Times each stage and logs one line as each stage starts."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._start = time.perf_counter()

    def run(self, name: str, func, *args, **kwargs):
        log.info("%s …", name)
        t = time.perf_counter()
        out = func(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - t, 3)
        return out

    def total(self) -> float:
        return round(time.perf_counter() - self._start, 3)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in _VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _downloads_by(groups: np.ndarray, downloads: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(groups, weights=downloads, minlength=n_groups).astype(np.int64)


def _group_table(
    groups: np.ndarray, downloads: np.ndarray, terms: list[list[str]], params: BuildParams
) -> pd.DataFrame:
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    return pd.DataFrame(
        {
            "size": np.bincount(groups, minlength=n_groups).astype(np.int64),
            "downloads": _downloads_by(groups, downloads, n_groups),
            "label": pd.array([families.label(t, params.label_terms) for t in terms], "string"),
            "terms": terms,
        }
    )


def build_from_models(
    models: pd.DataFrame,
    params: BuildParams | None = None,
    progress: bool = False,
    listings: dict[str, pd.DataFrame] | None = None,
    previous: stable_ids.Previous | None = None,
) -> tuple[dict[str, pd.DataFrame], dict]:
    """The pure part of the build: a model table (read_sources' columns) -> artifact tables,
    plus `counts`, `timings` and `modularity` for the manifest. `listings`: fetched
    `datasets` / `spaces` tables (`joins.read_listing`) for the joins. `previous`: the build
    this one refreshes; its terms keep their weights (`vectors.vectorize`) and its communities
    are where the community moves start (`communities.detect`)."""
    params = params or BuildParams()
    stages = _Stages()
    models = models.reset_index(drop=True)
    n = len(models)
    ids = models["id"].astype(str)

    docs = stages.run("names", names.name_documents, ids)
    owner = stages.run("owners", names.owners, ids)
    start_from, weights = None, None
    if previous is not None:  # each model's previous community, -1 if new
        where = stable_ids.align(previous.keys, ids.to_numpy(dtype=object))
        start_from = np.where(where >= 0, previous.community[np.maximum(where, 0)], -1)
        weights = previous.idf
    vec = stages.run("vectors", vectors.vectorize, docs, owner, params, weights)
    edge_clock: dict[str, float] = {}
    # ties between copies of a name go to the lowest id, wherever the rows sit in the input
    # (ids are distinct here: each id's code in sorted order is its rank)
    tie_rank = pd.factorize(ids, sort=True)[0]
    src, dst, score = stages.run(
        "edges", edges.similarity_edges, vec.matrix, params, progress, edge_clock, tie_rank
    )
    community, modularity = stages.run(
        "communities",
        communities.detect,
        params.communities,
        n,
        src,
        dst,
        score,
        params.seed,
        params.resolution,
        start_from,
    )
    if params.isolated_by_owner:
        own = owner.astype(object).where(owner.notna(), None).to_numpy(dtype=object)
        community = communities.group_isolated_by_owner(community, own, src, dst)
    z = stages.run("hierarchy", hierarchy.single_linkage, n, src, dst, score)
    cluster_labels, cluster_table = stages.run(
        "clusters", hierarchy.flat_clusters, n, src, dst, score, params.cluster_levels
    )
    comm, clus, words = stages.run(
        "families", _family_tables, models, vec, owner, community, cluster_labels, cluster_table,
        params,
    )  # fmt: skip

    out = _model_table(models, community, cluster_labels, comm)
    similarity = _similarity_table(ids, src, dst, score)
    counts = _counts(n, similarity, comm, clus, src, dst, vec, params)
    tables = {
        "models": out,
        "similarity": similarity,
        "communities": comm,
        "clusters": clus,
        "hierarchy": hierarchy.linkage_frame(z, n),
        "words": words,
        artifacts.IDF: vec.idf,
    }
    tables.update(stages.run("joins", joins.join_tables, models, **(listings or {})))
    counts["joins"] = {name: len(tables[name]) for name in joins.JOIN_TABLES}
    timings = {**stages.timings, "edges_detail": edge_clock}
    return tables, {"counts": counts, "timings": timings, "modularity": modularity}


def _model_table(
    models: pd.DataFrame, community: np.ndarray, cluster_labels: np.ndarray, comm: pd.DataFrame
) -> pd.DataFrame:
    """models.parquet: the input columns (lineage aside) plus row, community, cluster, family."""
    n = len(models)
    dropped = ("base_models", *joins.SOURCE_COLUMNS)  # the joins' lists: their own tables
    out = models.drop(columns=[c for c in dropped if c in models.columns]).copy()
    out["row"] = np.arange(n, dtype=np.int64)
    out["community"] = community.astype(np.int64)
    out["cluster"] = cluster_labels[:, 0].astype(np.int64) if n else np.empty(0, np.int64)
    out["family"] = pd.array(comm["label"].to_numpy()[community], dtype="string")
    return out


def _counts(
    n: int, similarity: pd.DataFrame, comm: pd.DataFrame, clus: pd.DataFrame, src: np.ndarray,
    dst: np.ndarray, vec: vectors.Vectors, params: BuildParams,
) -> dict:
    return {
        "models": n,
        "similarity_edges": len(similarity),
        "communities": len(comm),
        "non_singleton_communities": int((comm["size"] > 1).sum()),
        "clusters": {
            str(lvl): int((clus["level"] == lvl).sum()) for lvl in range(len(params.cluster_levels))
        },
        "isolated_models": int(n - len(np.union1d(src, dst))),
        "features": {"word": vec.n_word, "char": vec.n_char, "owner": vec.n_owner},
    }


def _similarity_table(
    ids: pd.Series, src: np.ndarray, dst: np.ndarray, score: np.ndarray
) -> pd.DataFrame:
    """Edges by model id; the contract orders each pair by id (source < target), not by row."""
    id_arr = ids.to_numpy(dtype=object)
    a, b = id_arr[src], id_arr[dst]
    swap = a > b
    return pd.DataFrame(
        {
            "source": pd.array(np.where(swap, b, a), dtype="string"),
            "target": pd.array(np.where(swap, a, b), dtype="string"),
            "score": score.astype(np.float32),
        }
    )


def _family_tables(
    models: pd.DataFrame,
    vec: vectors.Vectors,
    owner: pd.Series,
    community: np.ndarray,
    cluster_labels: np.ndarray,
    cluster_table: pd.DataFrame,
    params: BuildParams,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(communities, clusters, words) tables: sizes, downloads and the terms naming each group."""
    n = len(models)
    term_counts, vocab = families.term_matrix(vec.word_counts, vec.word_terms, owner)
    corpus = families.corpus_share(term_counts)
    downloads = models["downloads"].astype("Float64").fillna(0).to_numpy(dtype=np.float64)
    options = {
        "top": params.top_terms,
        "min_share": params.min_term_share,
        "corpus": corpus,
        "words": families.term_words(vocab),
        "weights": downloads,  # labels name what most of a family's downloads share
    }
    terms = families.group_terms(community, term_counts, vocab, **options)
    comm = _group_table(community, downloads, terms, params)
    comm.insert(0, "community", np.arange(len(comm), dtype=np.int64))
    # cluster ids are unique across levels, so one pass labels every level; a cluster with
    # the members of its child (most are singletons at every level) takes the child's terms
    levels = len(params.cluster_levels)
    flat = cluster_labels.T.ravel()
    same = _same_members(cluster_table)
    own = same[flat] == flat
    rows = np.tile(np.arange(n), levels)[own]
    distinct = families.group_terms(flat[own], term_counts[rows], vocab,
                                    **{**options, "weights": downloads[rows]})
    clus = _group_table(flat, np.tile(downloads, levels), [distinct[c] for c in same], params)
    clus.insert(0, "cluster", np.arange(len(clus), dtype=np.int64))
    clus = cluster_table.merge(clus.drop(columns="size"), on="cluster", how="left")
    words = families.common_words(vec.word_counts, vec.word_terms, n, params.top_words)
    return comm, clus, words


def _same_members(table: pd.DataFrame) -> np.ndarray:
    """For each cluster id, the lowest-level cluster with the same members (itself if none).

    Cuts are nested, so a cluster whose only child has its size has that child's members."""
    ids = table["cluster"].to_numpy(dtype=np.int64)
    assert (ids == np.arange(len(ids))).all(), "cluster ids are row numbers"
    same = ids.copy()
    sizes = table["size"].to_numpy(dtype=np.int64)
    for lvl in sorted(table["level"].unique())[:-1]:  # bottom up, so chains resolve
        child = table[table["level"] == lvl]
        cid = child["cluster"].to_numpy(dtype=np.int64)
        parent = child["parent"].to_numpy(dtype=np.int64)
        only = np.bincount(parent, minlength=len(ids))[parent] == 1
        m = only & (sizes[parent] == sizes[cid])
        same[parent[m]] = same[cid[m]]
    return same


def _build_id(inputs: list[dict], params: BuildParams, created_at: str) -> str:
    # a random part: two builds in the same second must differ (each artifact names its build)
    nonce = secrets.token_hex(8)
    h = hashlib.sha256(repr((inputs, params.to_dict(), created_at, nonce)).encode()).hexdigest()
    return f"{created_at[:19].replace(':', '').replace('-', '')}-{h[:8]}"


def build(
    sources: SourceResult | Iterable[str | Path] | str | Path,
    out_dir: str | Path,
    params: BuildParams | None = None,
    progress: bool = False,
    previous: str | Path | None = None,
    fresh_ids: bool = False,
    datasets: str | Path | None = None,
    spaces: str | Path | None = None,
) -> dict:
    """Read sources (paths, or an already read SourceResult), build, write the artifacts into
    out_dir and return the manifest. Logs each stage; `summary` makes the report to show.
    `datasets` / `spaces`: snapshots of `constellation fetch --kind datasets|spaces`, whose
    records give the Dataset and Space nodes their properties (and Spaces their USES).

    Communities and clusters keep the ids of the `previous` build's groups they match
    (`stable_ids`); by default the build already in out_dir, if any. fresh_ids=True numbers
    them by size, as a first build does."""
    listings = {"datasets": datasets, "spaces": spaces}
    with paused_gc():
        return _build(
            sources, out_dir, params or BuildParams(), progress, previous, fresh_ids,
            {kind: path for kind, path in listings.items() if path is not None},
        )  # fmt: skip


def _build(
    sources: SourceResult | Iterable[str | Path] | str | Path,
    out_dir: str | Path,
    params: BuildParams,
    progress: bool,
    previous: str | Path | None,
    fresh_ids: bool,
    listing_paths: dict[str, str | Path],
) -> dict:
    start = time.perf_counter()
    artifacts.check_out_dir(out_dir)  # before any work, not after it
    if fresh_ids and previous is not None:
        raise UserError("--previous and --fresh-ids: give one or the other")
    t = time.perf_counter()
    before = None if fresh_ids else stable_ids.find_previous(out_dir, previous)
    previous_s = time.perf_counter() - t
    t = time.perf_counter()
    if isinstance(sources, SourceResult):
        result = sources
    else:
        paths = [sources] if isinstance(sources, (str, Path)) else list(sources)
        if not paths:
            raise UserError("no --source given")
        result = read_sources(paths, progress=progress)
    read_s = round(time.perf_counter() - t, 3)
    log.info("%s", result.summary())
    if len(result.models) == 0:
        raise UserError("no model rows in the sources (edge files alone give only lineage)")

    listings = {kind: joins.read_listing(path, kind) for kind, path in listing_paths.items()}
    tables, info = build_from_models(result.models, params, progress, listings, before)
    t = time.perf_counter()
    tables, ids = stable_ids.apply_previous(tables, before, params.label_terms)
    info["timings"]["stable_ids"] = round(previous_s + time.perf_counter() - t, 3)
    tables["lineage"] = result.lineage.reset_index(drop=True)

    created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    skipped = [
        {"file": s.file, "line": s.line, "reason": s.reason} for s in result.skipped[:SKIPPED_SHOWN]
    ]
    manifest = {
        "build_id": _build_id(result.inputs, params, created_at),
        "created_at": created_at,
        "inputs": result.inputs,
        "params": params.to_dict(),
        "counts": {
            **info["counts"],
            "lineage_edges": len(tables["lineage"]),
            "skipped_rows": len(result.skipped),
            "duplicate_ids": int(result.duplicates),
        },
        "skipped": skipped,
        "timings": {"read": read_s, **info["timings"]},
        "versions": _versions(),
        "modularity": round(float(info["modularity"]), 6),
        "ids": ids,
    }
    t = time.perf_counter()
    artifacts.write_artifacts(out_dir, tables, manifest)
    if before is not None and previous is not None:  # infer-lineage here keeps that ranker
        artifacts.copy_training(previous, out_dir)
    manifest["timings"]["write"] = round(time.perf_counter() - t, 3)
    manifest["timings"]["total"] = round(time.perf_counter() - start, 3)
    # rewrite the manifest alone so it carries the write and total timings
    artifacts.write_manifest(out_dir, manifest)
    return manifest


def _num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def summary(manifest: dict, out_dir: str | Path) -> str:
    """One screen: counts, modularity, the largest families, skipped rows, timings (of the build
    whose artifacts are in out_dir)."""
    largest = artifacts.read_table(out_dir, "communities", columns=["size", "label"]).head(8)
    c = manifest["counts"]
    lines = [
        f"built {c['models']:,} models -> {Path(out_dir)}  (build {manifest['build_id']})",
        f"  similarity edges {c['similarity_edges']:,} (k={manifest['params']['k']}, "
        f"threshold={manifest['params']['threshold']}), isolated models {c['isolated_models']:,}",
        f"  communities {c['communities']:,} ({c['non_singleton_communities']:,} with 2+ models), "
        f"modularity {manifest['modularity']:.3f}",
        "  clusters per level "
        + ", ".join(
            f"{lvl}@{cut}: {c['clusters'][str(lvl)]:,}"
            for lvl, cut in enumerate(manifest["params"]["cluster_levels"])
        ),
        f"  lineage edges {c['lineage_edges']:,}; skipped rows {c['skipped_rows']:,}",
    ]
    ids = manifest.get("ids", {})
    if ids.get("previous_build"):
        lines.append(
            f"  ids kept from build {ids['previous_build']}: "
            + ", ".join(
                f"{kind} {ids[kind]['kept']:,} (new {ids[kind]['new']:,}, "
                f"retired {ids[kind]['retired']:,})"
                for kind in ("communities", "clusters")
            )
        )
        lines.append(
            "  communities moved on from that build's, its term weights kept "
            "(--fresh-ids: detect and weigh again)"
        )
        names = ids.get("labels_kept") or {}
        if any(names.values()):
            lines.append(
                f"  names kept (their words still lead): communities "
                f"{names.get('communities', 0):,}, clusters {names.get('clusters', 0):,}"
            )
    for s in manifest["skipped"][:5]:
        lines.append(f"    skipped {s['file']}:{s['line']}: {s['reason']}")
    if c["skipped_rows"] > 5:
        more = c["skipped_rows"] - 5
        lines.append(f"    … {more:,} more (first {SKIPPED_SHOWN} in manifest.json)")
    lines.append("  largest families:")
    for row in largest.itertuples():
        lines.append(f"    {row.size:>7,}  {row.label}")
    t = manifest["timings"]
    lines.append(
        "  time "
        + ", ".join(f"{k} {v:.1f}s" for k, v in t.items() if k != "total" and _num(v))
        + f"; total {t.get('total', 0):.1f}s"
    )
    return "\n".join(lines)
