"""Parameter sweep for the loader's defaults: agreement with declared lineage and modularity.

Builds on ``../shared/data/hf-dep-network-analysis/metadata_c952a70.csv`` (29,075 text-generation
models) and scores each parameter set against ``edges_c952a70.csv`` with the figures of
`constellation evaluate`. Vectors are built once per vector setting; edges once per setting at the
largest k and smallest threshold, then cut down to each (k, threshold), which gives the same
edges as a build with those values (each row's top-k above a threshold is a prefix of its top-K
above a lower one).

    flock /tmp/constellation-bench.lock python bench/sweep_loader.py > bench/results/loader_sweep.md

Columns: `pairs` = share of declared parent->child pairs in one community (minus its random
baseline in `lift`), `edges` = share of similarity edges inside one lineage tree, `Q` =
modularity, `score` = harmonic mean of lift and edges (what the defaults maximise).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline import communities, edges, names, vectors
from constellation.loader.pipeline.evaluate import evaluate_tables
from constellation.loader.pipeline.params import BuildParams
from scipy import sparse as sp
from sparse_dot_topn import sp_matmul_topn

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hf-dep-network-analysis"


def directed_top(x: sp.csr_matrix, k: int, threshold: float, chunk: int = 20000):
    """Each row's top-k (exact) neighbours above threshold: rows, cols, scores."""
    xt = x.T.tocsr()
    parts = []
    for s in range(0, x.shape[0], chunk):
        c = sp_matmul_topn(x[s : s + chunk], xt, top_n=k + 1, threshold=threshold, n_threads=2)
        c = c.tocoo()
        r = c.row.astype(np.int64) + s
        keep = r != c.col
        parts.append((r[keep], c.col[keep].astype(np.int64), c.data[keep].astype(np.float32)))
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))


def score_edges(
    ids: pd.Series, rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int,
    lineage: pd.DataFrame, seed: int,
) -> dict:
    """Top-k of directed edges -> communities -> the sweep's figures against declared lineage:
    edges, communities, Q, pairs, lift, edges in tree, score (harmonic mean of lift and
    edges in tree)."""
    keep = edges.top_k_per_row(rows, cols, scores, k)
    src, dst, sc = edges.symmetrise(rows[keep], cols[keep], scores[keep])
    comm, q = communities.louvain(len(ids), src, dst, sc, seed=seed)
    frame = pd.DataFrame({"id": ids, "community": comm, "cluster": comm})
    sim = pd.DataFrame({"source": ids.to_numpy()[src], "target": ids.to_numpy()[dst]})
    r = evaluate_tables(frame, sim, lineage)
    lift = r["pairs_same_community"] - r["pairs_same_community_random"]
    e = r["edges_same_lineage_tree"] or 0.0
    return {
        "edges": len(src),
        "communities": int(comm.max()) + 1,
        "Q": q,
        "pairs": r["pairs_same_community"],
        "lift": lift,
        "tree": e,
        "score": 2 * lift * e / (lift + e) if lift + e > 0 else 0.0,
    }


def main() -> int:
    if not DATA.exists():
        sys.exit(f"needs {DATA}: not present")
    models = read_sources([DATA / "metadata_c952a70.csv"], progress=False).models
    lineage = read_sources([DATA / "edges_c952a70.csv"], progress=False).lineage
    ids = models["id"].astype(str)
    docs, owners = names.name_documents(ids), names.owners(ids)
    grid_vec = [
        {"owner_weight": ow, "char_weight": cw}
        for ow, cw in itertools.product((0.0, 0.5, 1.0), (0.5, 1.0, 2.0))
    ]
    ks, thresholds = (5, 10, 20), (0.3, 0.4, 0.5, 0.6, 0.7)
    print(
        "| owner_w | char_w | k | threshold | edges | communities | Q | pairs | lift | "
        "edges in tree | score |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    best = None
    for vp in grid_vec:
        p = BuildParams(**vp)
        t = time.perf_counter()
        vec = vectors.vectorize(docs, owners, p)
        rows, cols, scores = directed_top(vec.matrix, max(ks), min(thresholds))
        for k, thr in itertools.product(ks, thresholds):
            m = scores >= thr
            f = score_edges(ids, rows[m], cols[m], scores[m], k, lineage, p.seed)
            row = (
                vp["owner_weight"],
                vp["char_weight"],
                k,
                thr,
                f["edges"],
                f["communities"],
                round(f["Q"], 3),
                round(f["pairs"], 3),
                round(f["lift"], 3),
                round(f["tree"], 3),
                round(f["score"], 3),
            )
            print("| " + " | ".join(str(v) for v in row) + " |", flush=True)
            if best is None or f["score"] > best[-1]:
                best = row
        print(f"<!-- vectors+edges {time.perf_counter() - t:.0f} s -->", file=sys.stderr)
    print(
        f"\nbest: owner_weight={best[0]} char_weight={best[1]} k={best[2]} threshold={best[3]} "
        f"score={best[-1]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
