"""Pruned candidate edges vs the exact top-k: recall@k, and co-community on hf-dep when forced.

Above ~30k names (`BuildParams.exact_budget`) `edges.similarity_edges` generates candidates on
pruned vectors and rescores them; below, the product is exact. This bench forces the pruned path
(`exact_budget=0`) and compares it with the exact top-k (`edge_recall.exact_top_k`, the full
product in row chunks):

* ``hfdep``: the 29,075 hf-dep-network-analysis models: recall@k, then a whole build of each edge
  set (`build_from_models`) scored against the declared lineage (`evaluate_tables`):
  `pairs_same_community` is the co-community figure of `constellation evaluate`.
* ``generated``: a `constellation generate` file (``--source``): recall@k only; with
  ``--no-exact`` (1M: the exact product is out of reach) only the cost of each configuration.

`edges s` is wall time, `edges cpu s` the process CPU time (both threads of the product), the
figure to compare when other jobs share the machine.

Each configuration is the defaults plus ``--set name=value`` overrides (repeatable, one run per
``--config "a=1,b=2"``; ``exact`` is the exact path itself). One Markdown row per run on stdout.

    flock /tmp/constellation-bench.lock python bench/bench_edges.py --part hfdep \\
        --config exact --config candidate_pool=20,min_candidate_features=4 --config default
    constellation generate --n 100000 --out /tmp/gen100k.csv
    flock /tmp/constellation-bench.lock python bench/bench_edges.py --part generated \\
        --source /tmp/gen100k.csv --config candidate_pool=20,min_candidate_features=4 \\
        --config default
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline import edge_recall, edges, names, vectors
from constellation.loader.pipeline.build import build_from_models
from constellation.loader.pipeline.evaluate import evaluate_tables
from constellation.loader.pipeline.params import BuildParams

HFDEP = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hf-dep-network-analysis"


def parse_config(spec: str, base: BuildParams) -> tuple[BuildParams, bool]:
    """`exact`, `default` or `a=1,b=2` -> (params, forced onto the pruned path)."""
    if spec == "exact":
        return base.with_overrides(exact_budget=float("inf")), False
    overrides: dict = {"exact_budget": 0.0}
    if spec != "default":
        for item in spec.split(","):
            name, _, value = item.partition("=")
            overrides[name] = type(getattr(base, name))(value)
    return base.with_overrides(**overrides), True


def product_macs(x: sp.csr_matrix, params: BuildParams) -> float:
    """Multiply-adds of the candidate product (sum of squared document frequencies)."""
    m = edges.candidate_matrix(x, params).matrix
    return float(np.square(np.bincount(m.indices, minlength=m.shape[1]), dtype=np.float64).sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("hfdep", "generated"), required=True)
    ap.add_argument("--source", help="generated ids (CSV/Parquet) for --part generated")
    ap.add_argument("--config", action="append", default=None, help="see the module doc")
    ap.add_argument("--no-exact", action="store_true", help="cost only, no recall")
    args = ap.parse_args()
    configs = args.config or ["exact", "default"]
    if args.part == "hfdep":
        if not HFDEP.exists():
            sys.exit(f"needs {HFDEP}: not present")
        models = read_sources([HFDEP / "metadata_c952a70.csv"], progress=False).models
        lineage = read_sources([HFDEP / "edges_c952a70.csv"], progress=False).lineage
    else:
        if not args.source:
            sys.exit("--part generated needs --source FILE (from `constellation generate`)")
        models, lineage = read_sources([args.source], progress=False).models, None
    base = BuildParams()
    ids = models["id"].astype(str)
    x = vectors.vectorize(names.name_documents(ids), names.owners(ids), base).matrix
    x = x.astype(np.float32).tocsr()
    x.eliminate_zeros()
    exact = None
    if not args.no_exact:
        t = time.perf_counter()
        exact = edge_recall.exact_top_k(x, base.k, base.threshold, n_threads=base.n_threads)
        print(f"exact top-{base.k} of {len(ids):,} names: {time.perf_counter() - t:.1f} s")
    head = (
        "| set | config | recall@k | rows complete | edges | product macs | pairs rescored "
        "| edges s | edges cpu s |"
    )
    print(head + (" co-community | edges in tree |" if lineage is not None else ""))
    print("|---" * (head.count("|") - 1 + (2 if lineage is not None else 0)) + "|")
    for spec in configs:
        params, forced = parse_config(spec, base)
        clock: dict = {}
        t, cpu = time.perf_counter(), time.process_time()
        src, dst, _ = edges.similarity_edges(x, params, timings=clock)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert clock["candidates_pruned"] == forced, (spec, clock)
        r = {"recall": "", "rows_complete": ""}
        if exact is not None:
            r = edge_recall.recall_at_k(x, src, dst, exact, base.k)
        macs = product_macs(x, params)
        row = (
            f"| {args.part} {len(ids):,} | {spec} | {r['recall']} | {r['rows_complete']} "
            f"| {len(src):,} | {macs:.3g} | {clock['pairs_rescored']:,} | {seconds:.1f} "
            f"| {cpu:.1f} |"
        )
        if lineage is not None:
            tables, _ = build_from_models(models, params)
            e = evaluate_tables(tables["models"], tables["similarity"], lineage)
            row += f" {e['pairs_same_community']:.3f} | {e['edges_same_lineage_tree']:.3f} |"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
