"""Load throughput into the local graph server: rows/s and where the time goes.

    flock /tmp/constellation-bench.lock python bench/bench_load.py \
        --artifacts /tmp/graph-bench/art-15k --artifacts /tmp/graph-bench/art-1m

For each artifacts folder (from `constellation build`): a new empty database on the local server
(`constellation db start`, CONSTELLATION_HOME/…_PORT as usual), a full load timed per stage, then a
second load of the same artifacts (the no-op incremental path). "Rows" = nodes + relationships
in the graph afterwards; rows/s = rows / wall time of the first load. Prints a Markdown table and,
with --out, appends it to that file (bench/results/load.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import time
from dataclasses import replace
from pathlib import Path

from constellation.loader.graph.writer import DEFAULT_BATCH_SIZE, load_artifacts

from constellation import server
from constellation.graph import connect

STAGES = (
    "read artifacts", "schema", "read stored hashes", "communities", "clusters", "models",
    "orphans", "similar_to", "based_on",
)  # fmt: skip


def _server_cpu() -> float:
    """CPU seconds used so far by the local server process (user + system)."""
    pid = server.status().pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _count(driver, database: str, query: str) -> int:
    return driver.execute_query(query, database_=database).records[0]["n"]


def result_row(folder: Path, nodes: int, rels: int, wall: float, client_cpu: float,
               server_cpu: float, first: dict, second: dict | None, **extra) -> dict:
    """One benchmark row: the counts of the load and its cost (shared by bench_bulk)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return {
        "artifacts": str(folder),
        "models": manifest.get("counts", {}).get("models"),
        "nodes": nodes,
        "rels": rels,
        "wall": wall,
        "rows_per_s": (nodes + rels) / wall,
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
        "first": first,
        "second": second,
        **extra,
    }


def emit(table: str, out: str | None) -> None:
    """Print a results table and append it to `out` (a bench/results/*.md file), if given."""
    print(table)
    if out:
        with open(out, "a") as fh:
            fh.write(table + "\n")


def bench_one(folder: Path, batch_size: int, reload: bool, keep: bool, progress: bool) -> dict:
    base = server.ensure_running()
    name = f"bench_{secrets.token_hex(3)}"
    server.create_database(name)
    config = replace(base, database=name)
    try:
        with connect(config) as driver:
            t, c, sc = time.perf_counter(), time.process_time(), _server_cpu()
            first = load_artifacts(driver, folder, database=name, batch_size=batch_size,
                                   progress=progress)  # fmt: skip
            wall = time.perf_counter() - t
            client_cpu, server_cpu = time.process_time() - c, _server_cpu() - sc
            nodes = _count(driver, name, "MATCH (n) RETURN count(n) AS n")
            rels = _count(driver, name, "MATCH ()-[r]->() RETURN count(r) AS n")
            second = None
            if reload:
                t = time.perf_counter()
                second = load_artifacts(driver, folder, database=name, batch_size=batch_size,
                                        progress=False)  # fmt: skip
                second["wall"] = time.perf_counter() - t
    finally:
        if not keep:
            server.drop_database(name)
    return result_row(folder, nodes, rels, wall, client_cpu, server_cpu, first, second,
                      batch_size=batch_size, database=name if keep else None)


def markdown(results: list[dict]) -> str:
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — "
        f"{platform.node()}, {os.cpu_count()} CPUs, "
        f"heap {os.environ.get('CONSTELLATION_HEAP', '2g')}",
        "",
        "| artifacts | models | nodes | relationships | load s | rows/s | client CPU s "
        "| server CPU s | reload s | " + " | ".join(f"{s} s" for s in STAGES) + " |",
        "|---" * (9 + len(STAGES)) + "|",
    ]
    for r in results:
        timings = r["first"]["timings"]
        reload = f"{r['second']['wall']:.1f}" if r["second"] else "—"
        lines.append(
            f"| {Path(r['artifacts']).name} | {r['models']:,} | {r['nodes']:,} | {r['rels']:,} "
            f"| {r['wall']:.1f} | {r['rows_per_s']:,.0f} | {r['client_cpu']:.1f} "
            f"| {r['server_cpu']:.1f} | {reload} | "
            + " | ".join(f"{timings.get(s, 0):.1f}" for s in STAGES)
            + " |"
        )
    lines.append("")
    lines.append(f"batch size {results[0]['batch_size']}; command: `{' '.join(sys.argv)}`")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--artifacts", type=Path, action="append", required=True)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--no-reload", action="store_true", help="skip the second (no-op) load")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--out", type=Path, help="append the Markdown table to this file")
    parser.add_argument("--progress", action="store_true", help="progress bars on stderr")
    args = parser.parse_args()
    results = []
    for folder in args.artifacts:
        print(f"[bench_load] {folder} …", file=sys.stderr, flush=True)
        result = bench_one(
            folder,
            args.batch_size,
            not args.no_reload,
            args.keep,
            args.progress or sys.stderr.isatty(),
        )
        print(json.dumps(result, default=str), file=sys.stderr, flush=True)
        results.append(result)
    emit(markdown(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
