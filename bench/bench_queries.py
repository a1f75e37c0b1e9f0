"""Latency of the named queries (p50/p95 per query) on a loaded graph.

    # a database already loaded on the local server (constellation db start / load):
    python bench/bench_queries.py --database const --out bench/results/queries.md
    # or load artifacts into a new database first (heavy: take the bench lock):
    flock /tmp/constellation-bench.lock python bench/bench_queries.py \
        --artifacts /tmp/art-1m --keep --out bench/results/queries.md

Each query runs through `run_query` (as the CLI and the dashboard do: READ session, result
converted to plain Python) on a fixed, seeded sample of models: the most downloaded ones (often
hubs) and random ones, plus models with declared lineage for `lineage` and pairs for `path`
(a model and one of its similar models: connected; two random models: usually not, the worst
case). One warm-up query, then every sample is timed; the scans (`search`, `top_families`,
unfiltered `by_metadata`) run 3 times. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from constellation.queries.runner import run_query

from constellation import server
from constellation.graph import GraphConfig, connect

TARGETS_MS = {"related": 50, "lineage": 50, "family": 50, "neighbourhood": 200}
# Issue 11's targets for the pages the loader's summaries serve (p95, ms, at 1M models).
LABEL_TARGETS_MS = {
    "family (community, page 1)": 100, "family (top-level cluster, page 1)": 100,
    "top_families": 100, "home_families": 100, "atlas_top_clusters": 100,
    "atlas_cluster (largest clusters)": 100, "atlas_cluster_children": 100,
    "atlas_cluster_models": 100, "filter lists": 100, "by_metadata (no filter)": 200,
    "search (common words)": 100, "search (rare and no-hit)": 100,
    "search (half-typed word)": 100,
}  # fmt: skip
SEARCH_COMMON = ["llama", "gguf", "gpt2", "mistral-7b", "vicuna-7b", "llama-2-7b-chat",
                 "qwen2.5-7b-instruct", "TheBloke/Llama-2"]
SEARCH_RARE = ["zzzz-no-hit", "pythia-70m-deduped", "bert-base-multilingual-cased",
               "EleutherAI/pythia", "lmsys/vicuna-7b-v1.5", "llama-7b-zzzz"]
SEARCH_PREFIX = ["lla", "vicu", "mistr", "qwe", "deeps", "phi"]
SCANS: set[str] = set()  # labels timed 3 times only (none since the summaries)


def _ids(driver: Any, db: str, query: str, **params: Any) -> list[str]:
    return [r["id"] for r in driver.execute_query(query, params, database_=db).records]


def sample_ids(driver: Any, db: str, n: int, seed: int, models: Path | None = None
               ) -> dict[str, list]:
    """Models to query: top by downloads, random ones, ones with lineage, pairs for `path`."""
    rng = random.Random(seed)
    top = _ids(driver, db, "MATCH (m:Model) WHERE m.downloads >= 0 "
               "RETURN m.id AS id ORDER BY m.downloads DESC LIMIT $n", n=n // 2)
    if models is not None and models.suffix != ".parquet":  # keep to the given ids
        allowed = set(models.read_text().split())
        top = [m for m in top if m in allowed]
    if models is not None and models.suffix != ".parquet":  # one id per line
        every = [line.strip() for line in models.read_text().splitlines() if line.strip()]
    elif models is not None:  # reading 1M ids back from the server takes a while
        import pandas as pd

        every = pd.read_parquet(models, columns=["id"])["id"].astype(str).tolist()
    else:
        every = _ids(driver, db, "MATCH (m:Model) RETURN m.id AS id")
    rand = rng.sample(every, min(n - len(top), len(every)))
    lineage = _ids(driver, db, "MATCH (m:Model)-[:BASED_ON]->() RETURN DISTINCT m.id AS id "
                   "LIMIT 5000")
    parents = _ids(driver, db, "MATCH (m:Model)<-[:BASED_ON]-() RETURN DISTINCT m.id AS id "
                   "LIMIT 5000")
    with_lineage = rng.sample(lineage, min(n // 2, len(lineage))) + rng.sample(
        parents, min(n // 2, len(parents)))
    pairs = []
    for mid in (top + rand)[: n // 2]:
        near = _ids(driver, db, "MATCH (:Model {id: $id})-[:SIMILAR_TO]-(o) RETURN o.id AS id "
                    "LIMIT 1", id=mid)
        if near:
            pairs.append((mid, near[0]))
    pairs += [tuple(rng.sample(every, 2)) for _ in range(n // 2)]
    authors = [r["a"] for r in driver.execute_query(
        "UNWIND $ids AS i MATCH (:Model {id: i})-[:PUBLISHED_BY]->(a:Author) "
        "RETURN DISTINCT a.name AS a", ids=top + rand, database_=db).records]
    count = driver.execute_query("MATCH (m:Model) RETURN count(m) AS n",
                                 database_=db).records[0]["n"]
    rankings = {r["id"]: r["ids"] for r in driver.execute_query(
        "MATCH (r:GroupRanking) WHERE r.id STARTS WITH 'cluster:' AND r.id ENDS WITH ':members' "
        "RETURN r.id AS id, r.ids[..2] AS ids", database_=db).records}
    top_level = max((int(k.split(":")[1]) for k in rankings), default=0)
    # the two largest clusters of each level: the atlas panels' worst case
    big = [c for ids in rankings.values() for c in ids]
    return {"models": top + rand, "lineage": with_lineage or (top + rand), "pairs": pairs,
            "authors": authors[:n], "count": count, "top_level": top_level or 0,
            "big_clusters": big}


def workload(s: dict[str, list]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(label, query, params list) in the order the table shows them."""
    models = s["models"]
    return [
        ("model", "model", [{"id": m} for m in models]),
        ("related", "related", [{"id": m, "limit": 20} for m in models]),
        ("lineage", "lineage", [{"id": m, "depth": 3, "limit": 100} for m in s["lineage"]]),
        ("family (community, page 1)", "family", [{"id": m, "limit": 20} for m in models]),
        ("family (cluster level 0, page 1)", "family",
         [{"id": m, "by": "cluster", "limit": 20} for m in models]),
        ("neighbourhood (2 hops, ≤500 nodes)", "neighbourhood",
         [{"id": m, "hops": 2, "max_nodes": 500} for m in models]),
        ("path (≤4 hops)", "path", [{"from": a, "to": b} for a, b in s["pairs"]]),
        ("family (top-level cluster, page 1)", "family",
         [{"id": m, "by": "cluster", "level": s["top_level"], "limit": 20} for m in models]),
        ("top_families", "top_families",
         [{"limit": 20, "order": o, "by": b, "level": lv, "skip": sk}
          for o in ("members", "downloads") for b, lv in (("community", 0), ("cluster", 0),
                                                          ("cluster", s["top_level"]))
          for sk in (0, 100)]),
        ("home_families", "home_families", [{}]),
        ("atlas_top_clusters", "atlas_top_clusters", [{"level": s["top_level"]}]),
        ("atlas_cluster (largest clusters)", "atlas_cluster",
         [{"cluster": c} for c in s["big_clusters"]]),
        ("atlas_cluster_children", "atlas_cluster_children",
         [{"parents": ",".join(map(str, s["big_clusters"])), "per": 10}]),
        ("atlas_cluster_models", "atlas_cluster_models",
         [{"clusters": ",".join(map(str, s["big_clusters"])), "per": 10}]),
        ("filter lists", "filter_licenses", [{}]),
        ("filter lists", "filter_pipeline_tags", [{}]),
        ("by_metadata (author)", "by_metadata", [{"author": a} for a in s["authors"]]),
        ("by_metadata (no filter)", "by_metadata",
         [{"order": o, "skip": sk} for o in ("downloads", "likes", "created") for sk in (0, 500)]),
        ("search (common words)", "search", [{"q": q} for q in SEARCH_COMMON]),
        ("search (rare and no-hit)", "search", [{"q": q} for q in SEARCH_RARE]),
        ("search (half-typed word)", "search", [{"q": q} for q in SEARCH_PREFIX]),
    ]


def time_query(driver: Any, db: str, query: str, params_list: list[dict], reps: int) -> dict:
    run_query(driver, query, params_list[0], database=db)  # warm-up
    times, rows = [], []
    for _ in range(reps):
        for params in params_list:
            t = time.perf_counter()
            out = run_query(driver, query, params, database=db)
            times.append((time.perf_counter() - t) * 1000)
            rows.append(len(out))
    times.sort()
    return {**_stats(times, statistics.mean(rows)), "times": times}


def _stats(times: list[float], rows: float, more_rows: float | None = None) -> dict[str, Any]:
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    if more_rows is not None:
        rows = (rows + more_rows) / 2
    return {"n": len(times), "p50": statistics.median(times), "p95": p95, "max": times[-1],
            "rows": rows}


def bench(driver: Any, db: str, samples: int, reps: int, seed: int,
          models: Path | None = None) -> tuple[int, list[dict]]:
    s = sample_ids(driver, db, samples, seed, models)
    results = []
    base = time_query(driver, db, "model", [{"id": s["models"][0]}], 20)
    times: dict[str, list[float]] = {}
    for label, query, params_list in workload(s):
        print(f"[bench_queries] {label} …", file=sys.stderr, flush=True)
        if label in SCANS:
            r = time_query(driver, db, query, params_list, max(1, 3 // len(params_list)))
        else:
            r = time_query(driver, db, query, params_list, reps)
        r["label"], r["query"] = label, query
        if label in times:  # one row for several queries (the filter lists)
            merged = next(x for x in results if x["label"] == label)
            all_times = sorted(times[label] + r["times"])
            merged.update(_stats(all_times, merged["rows"], r["rows"]))
            merged["query"] += f", {query}"
            times[label] = all_times
            continue
        times[label] = r["times"]
        results.append(r)
    results.insert(0, {**base, "label": "round trip (model, one id, repeated)", "query": ""})
    return s["count"], results


def table(models: int, db: str, results: list[dict], command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {models:,} models (database `{db}`), {when}",
        "",
        f"`{command}` — {platform.node()}, {os.cpu_count()} cores, ArcadeDB over Bolt, "
        "times in ms through `run_query` (driver + conversion included)",
        "",
        "| query | runs | p50 ms | p95 ms | max ms | rows (mean) | target p95 |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        target = LABEL_TARGETS_MS.get(r["label"]) or TARGETS_MS.get(r["query"])
        mark = ""
        if target and not r["label"].startswith("family (cluster"):
            mark = f"< {target} {'✅' if r['p95'] < target else '❌'}"
        lines.append(f"| {r['label']} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['max']:.1f} | {r['rows']:.1f} | {mark} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database", help="an already loaded database on the local server")
    where.add_argument("--artifacts", type=Path, help="load these artifacts into a new database")
    parser.add_argument("--keep", action="store_true", help="keep the database made by --artifacts")
    parser.add_argument("--samples", type=int, default=40, help="models sampled (default 40)")
    parser.add_argument("--reps", type=int, default=3, help="rounds over the sample (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--models", type=Path,
                        help="models.parquet of the loaded build (or a text file, one id a "
                             "line) to sample the random ids from")
    parser.add_argument("--out", type=Path, help="append the Markdown table to this file")
    args = parser.parse_args()

    base: GraphConfig = server.ensure_running()
    db = args.database
    if args.artifacts:
        from constellation.loader.graph.writer import load_artifacts

        db = f"bench_q_{secrets.token_hex(3)}"
        server.create_database(db)
        with connect(replace(base, database=db)) as driver:
            t = time.perf_counter()
            load_artifacts(driver, args.artifacts, database=db, progress=sys.stderr.isatty())
            print(f"[bench_queries] loaded {args.artifacts} into {db} in "
                  f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
    try:
        with connect(replace(base, database=db)) as driver:
            models_file = args.models or (args.artifacts / "models.parquet" if args.artifacts
                                          else None)
            models, results = bench(driver, db, args.samples, args.reps, args.seed, models_file)
    finally:
        if args.artifacts and not args.keep:
            server.drop_database(db)
    command = "python bench/bench_queries.py " + " ".join(sys.argv[1:])
    text = table(models, db, results, command)
    print(text)
    if args.out:
        with args.out.open("a") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
