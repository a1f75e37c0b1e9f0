"""The joins (issue 14) at scale: load time with vs without them, and the new queries' latency.

    CONSTELLATION_HEAP=6g constellation db start
    flock /tmp/constellation-bench.lock python bench/bench_joins.py \
        --artifacts /tmp/joins-bench/art-1m --baseline-python /tmp/joins-base/.venv/bin/python \
        --out bench/results/joins.md

1. `load --bulk` (or the incremental writer, `--writer`) of the artifacts into a new database:
   the graph with the joins. Wall time and this process's CPU time (the bulk path runs the
   engine in-process, so its CPU is nearly all the load's work; the wall time also holds the
   other jobs on this shared machine).
2. With `--baseline-python`: the same load by the code before the joins (a checkout of the
   commit before them, with its own venv), in a subprocess, into another new database: the
   graph without them. Its artifacts reader ignores the join files.
3. The new queries through `run_query` on the graph with the joins, on a seeded sample: the
   datasets most models are trained on (the worst case) and random ones, for `trained_on`
   (by model and by family); the most downloaded models and random ones, for
   `family_datasets`, `family_papers`, `spaces_using` and `model_joins`; `by_metadata` with a
   dataset filter (the same datasets) and with a paper filter (the papers most models cite and
   random ones); `filter_datasets`. p50/p95 per query.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from bench_load import _server_cpu
from constellation.loader.artifacts import JOIN_TABLES
from constellation.loader.graph.bulk import bulk_load
from constellation.loader.graph.writer import load_artifacts
from constellation.queries.runner import run_query

from constellation import server
from constellation.graph import GraphConfig, connect

TARGET_P95_MS = 100
TARGET_EXTRA = 0.20

_BASELINE = """
import json, resource, sys, time
from dataclasses import replace
from constellation import server
from constellation.graph import connect
name, artifacts, writer = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
config = replace(server.local_config(), database=name)
t = time.perf_counter()
if writer:
    from constellation.loader.graph.writer import load_artifacts
    with connect(config) as driver:
        counts = load_artifacts(driver, artifacts, database=name, progress=False)
else:
    from constellation.loader.graph.bulk import bulk_load
    counts = bulk_load(config, artifacts)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "timings": counts.get("timings", {})}))
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


JOIN_LABELS = ("Model", "Dataset", "Paper", "Task", "Space")
JOIN_TYPES = ("TRAINED_ON", "CITES", "FOR_TASK", "USES")


def _graph_counts(config: GraphConfig) -> dict[str, int]:
    """Nodes of the join labels and edges of the join types, one count each (a count over every
    relationship runs past the server's 30 s limit at 1M)."""
    out = {}
    with connect(config) as driver:
        for label in JOIN_LABELS:
            out[label] = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n",
                                              database_=config.database).records[0]["n"]
        for rel in JOIN_TYPES:
            out[rel] = driver.execute_query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n",
                                            database_=config.database).records[0]["n"]
    return out


def load_with_joins(config: GraphConfig, artifacts: Path, writer: bool) -> dict[str, Any]:
    t, cpu, server_cpu = time.perf_counter(), _cpu(), _server_cpu()
    if writer:
        with connect(config) as driver:
            counts = load_artifacts(driver, artifacts, database=config.database, progress=False)
    else:
        counts = bulk_load(config, artifacts)
    return {"wall": time.perf_counter() - t, "cpu": _cpu() - cpu,
            "server_cpu": _server_cpu() - server_cpu, "timings": counts.get("timings", {})}


def without_join_files(artifacts: Path, tag: str) -> Path:
    """The artifacts less their join tables (links to the other files): the reader then loads
    no Dataset, Paper or Space and no TRAINED_ON, CITES or USES (FOR_TASK, from the models'
    pipeline_tag, stays)."""
    out = Path(f"/tmp/bench-joins-nojoins-{tag}")
    out.mkdir()
    skip = {f"{name}.parquet" for name in JOIN_TABLES}
    for path in artifacts.iterdir():
        if path.name not in skip:
            (out / path.name).symlink_to(path.resolve())
    return out


def load_baseline(python: str, name: str, artifacts: Path, writer: bool) -> dict[str, Any]:
    server_cpu = _server_cpu()
    out = subprocess.run(
        [python, "-c", _BASELINE, name, str(artifacts), "1" if writer else "0"],
        check=True, capture_output=True, text=True, cwd=Path(python).parents[2],
    )  # fmt: skip
    return {**json.loads(out.stdout.strip().splitlines()[-1]),
            "server_cpu": _server_cpu() - server_cpu}


def samples(artifacts: Path, n: int, seed: int) -> dict[str, list]:
    rng = random.Random(seed)
    trained = pd.read_parquet(artifacts / "trained_on.parquet", columns=["dataset"])
    by_size = trained["dataset"].value_counts()
    top = by_size.index[: n // 2].tolist()
    rest = by_size.index[n // 2 :].tolist()
    datasets = top + rng.sample(rest, min(n - len(top), len(rest)))
    models = pd.read_parquet(artifacts / "models.parquet", columns=["id", "downloads"])
    models = models.sort_values("downloads", ascending=False, na_position="last")
    head = models["id"].head(n // 2).tolist()
    ids = models["id"].tolist()
    chosen = head + rng.sample(ids, n - len(head))
    cites = pd.read_parquet(artifacts / "cites.parquet", columns=["arxiv_id"])
    by_cites = cites["arxiv_id"].value_counts()
    papers = by_cites.index[: n // 2].tolist()
    rest = by_cites.index[n // 2 :].tolist()
    papers += rng.sample(rest, min(n - len(papers), len(rest)))
    return {"datasets": datasets, "models": chosen, "papers": papers,
            "largest_dataset": (by_size.index[0], int(by_size.iloc[0]))}  # fmt: skip


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
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"n": len(times), "p50": statistics.median(times), "p95": p95, "max": times[-1],
            "rows": statistics.mean(rows)}  # fmt: skip


def bench_queries(config: GraphConfig, s: dict[str, list], reps: int) -> list[dict]:
    work = [
        ("trained_on (by model)", "trained_on", [{"dataset": d} for d in s["datasets"]]),
        ("trained_on (by family)", "trained_on",
         [{"dataset": d, "by": "family"} for d in s["datasets"]]),
        ("family_datasets", "family_datasets", [{"id": m} for m in s["models"]]),
        ("family_papers", "family_papers", [{"id": m} for m in s["models"]]),
        ("spaces_using (family)", "spaces_using", [{"id": m} for m in s["models"]]),
        ("spaces_using (model)", "spaces_using",
         [{"id": m, "scope": "model"} for m in s["models"]]),
        ("model_joins", "model_joins", [{"id": m} for m in s["models"]]),
        ("by_metadata (dataset)", "by_metadata", [{"dataset": d} for d in s["datasets"]]),
        ("by_metadata (paper)", "by_metadata", [{"paper": p} for p in s["papers"]]),
        ("filter_datasets", "filter_datasets", [{"limit": 200}]),
    ]  # fmt: skip
    results = []
    with connect(config) as driver:
        for label, query, params_list in work:
            print(f"[bench_joins] {label} …", file=sys.stderr, flush=True)
            results.append({"label": label, **time_query(
                driver, config.database, query, params_list, reps)})  # fmt: skip
    return results


def report(args: argparse.Namespace, loads: dict[str, dict], counts: dict[str, int],
           queries: list[dict], s: dict[str, list], models: int) -> str:  # fmt: skip
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = "incremental writer" if args.writer else "load --bulk"
    lines = [
        f"### {models:,} models, {path}, {when}",
        "",
        f"`{' '.join(sys.argv)}` — {platform.node()}, {os.cpu_count()} cores, "
        f"load average at start {os.getloadavg()[0]:.1f}",
        "",
        "| graph | wall s | CPU s (loading process) | CPU s (server) |",
        "|---|---:|---:|---:|",
    ]
    for name, r in loads.items():
        server_cpu = f"{r['server_cpu']:.1f}" if "server_cpu" in r else "–"
        lines.append(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {server_cpu} |")
    if "without joins" in loads:
        w, b = loads["with joins"], loads["without joins"]
        extra_wall = w["wall"] / b["wall"] - 1
        both = "server_cpu" in w and "server_cpu" in b
        cpu_w = w["cpu"] + (w["server_cpu"] if both else 0)
        cpu_b = b["cpu"] + (b["server_cpu"] if both else 0)
        extra_cpu = cpu_w / cpu_b - 1
        ok = "met" if max(extra_wall, extra_cpu) <= TARGET_EXTRA else "not met"
        lines += ["", f"Joins add {extra_wall:+.1%} wall, {extra_cpu:+.1%} CPU"
                      f"{' (loader + server)' if both else ''} "
                      f"(target ≤ +{TARGET_EXTRA:.0%}: {ok})."]  # fmt: skip
        if "timings" in b and b["timings"]:
            lines += ["", "Stages (without joins): " + ", ".join(
                f"{k} {v:.1f}" for k, v in b["timings"].items() if isinstance(v, int | float))]
    joins = {k: counts.get(k, 0) for k in (
        "Dataset", "Paper", "Task", "Space", "TRAINED_ON", "CITES", "FOR_TASK", "USES")}
    lines += ["", "Join nodes and edges: " + ", ".join(f"{k} {v:,}" for k, v in joins.items()),
              f"(largest dataset: `{s['largest_dataset'][0]}`, {s['largest_dataset'][1]:,} "
              "models)", "",
              "Stages (with joins): " + ", ".join(
                  f"{k} {v:.1f}" for k, v in loads.get("with joins", {}).get("timings", {}).items()
                  if isinstance(v, int | float)),
              "", "| query | runs | p50 ms | p95 ms | max ms | rows (mean) | p95 ≤ 100 ms |",
              "|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for r in queries:
        mark = "✅" if r["p95"] <= TARGET_P95_MS else "❌"
        lines.append(f"| {r['label']} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['max']:.1f} | {r['rows']:.1f} | {mark} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--baseline-python", help="python of a checkout without the joins")
    parser.add_argument("--without-join-files", action="store_true",
                        help="'without joins': the same code on the artifacts less the join "
                             "tables (instead of --baseline-python)")  # fmt: skip
    parser.add_argument("--no-queries", action="store_true", help="loads only")
    parser.add_argument("--writer", action="store_true", help="incremental writer, not --bulk")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--database", help="time the queries on this loaded database (no load)")
    parser.add_argument("--out", type=Path, help="append the Markdown report to this file")
    args = parser.parse_args()

    local = server.local_config()
    if local is None:
        print("no local graph server: constellation db start", file=sys.stderr)
        return 2
    tag = secrets.token_hex(3)
    made = []
    loads: dict[str, dict] = {}
    try:
        if args.baseline_python:
            base_name = f"joins_base_{tag}"
            server.create_database(base_name)
            made.append(base_name)
            print("[bench_joins] load without joins …", file=sys.stderr, flush=True)
            loads["without joins"] = load_baseline(
                args.baseline_python, base_name, args.artifacts, args.writer
            )
            if not args.keep:
                server.drop_database(base_name)
                made.remove(base_name)
        if args.without_join_files:
            bare = without_join_files(args.artifacts, tag)
            base_name = f"joins_bare_{tag}"
            server.create_database(base_name)
            made.append(base_name)
            print("[bench_joins] load without join files …", file=sys.stderr, flush=True)
            try:
                loads["without joins"] = load_with_joins(
                    replace(local, database=base_name), bare, args.writer)
            finally:
                for path in bare.iterdir():
                    path.unlink()
                bare.rmdir()
            if not args.keep:
                server.drop_database(base_name)
                made.remove(base_name)
        if args.database:  # the artifacts' graph, already loaded: the queries only
            config = replace(local, database=args.database)
        else:
            name = f"joins_{tag}"
            server.create_database(name)
            made.append(name)
            config = replace(local, database=name)
            print("[bench_joins] load with joins …", file=sys.stderr, flush=True)
            loads["with joins"] = load_with_joins(config, args.artifacts, args.writer)
        counts = _graph_counts(config)
        s = samples(args.artifacts, args.samples, args.seed)
        queries = [] if args.no_queries else bench_queries(config, s, args.reps)
        text = report(args, loads, counts, queries, s, counts.get("Model", 0))
    finally:
        if not args.keep:
            for db in made:
                server.drop_database(db)
        elif made:
            print(f"[bench_joins] kept: {' '.join(made)}", file=sys.stderr, flush=True)
    print(text)
    if args.out:
        with args.out.open("a") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
