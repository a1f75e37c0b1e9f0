"""Bulk first load (`load --bulk`) into the local graph server: wall time, rows/s, peak memory.

    CONSTELLATION_HEAP=6g constellation db start
    flock /tmp/constellation-bench.lock python bench/bench_bulk.py \
        --artifacts /tmp/graph-bench/art-1m --no-reload --out bench/results/load.md

For each artifacts folder (from `constellation build`): a new empty database on the local server,
`bulk_load` timed per stage, then (unless --no-reload) the incremental writer over the result,
which must find everything unchanged. Peak RSS is sampled every 0.5 s: the server's JVM plus this
process (which runs the engine in-process for the bulk path). "Rows" = nodes + relationships in
the graph afterwards. Prints a Markdown table; with --out appends it to that file.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import secrets
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from bench_load import _count, _server_cpu, emit, result_row
from constellation.loader.graph.bulk import DEFAULT_BULK_HEAP, bulk_load
from constellation.loader.graph.writer import load_artifacts

from constellation import server
from constellation.graph import connect


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakRss(logging.Handler):
    """Samples the RSS of the server and of this process; keeps the peaks, and this process's
    peak in each stage the bulk load logs ("writing Model vertices …")."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(logging.INFO)
        self.server_pid = server_pid
        self.peak = {"server": 0.0, "client": 0.0, "total": 0.0}
        self.stage = "start"
        self.stages: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def emit(self, record: logging.LogRecord) -> None:
        self.stage = record.getMessage().rstrip(" …")

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            s, c = _rss_mb(self.server_pid), _rss_mb(os.getpid())
            for key, value in (("server", s), ("client", c), ("total", s + c)):
                self.peak[key] = max(self.peak[key], value)
            self.stages[self.stage] = max(self.stages.get(self.stage, 0.0), c)

    def __enter__(self) -> PeakRss:
        logging.getLogger("constellation.loader.graph.bulk").addHandler(self)
        logging.getLogger("constellation.loader.graph.bulk").setLevel(logging.INFO)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        logging.getLogger("constellation.loader.graph.bulk").removeHandler(self)


def bench_one(folder: Path, reload: bool, keep: bool) -> dict:
    base = server.ensure_running()
    name = f"bench_{secrets.token_hex(3)}"
    server.create_database(name)
    config = replace(base, database=name)
    second = None
    try:
        pid = server.status().pid
        assert pid is not None
        with PeakRss(pid) as rss:
            t, c, sc = time.perf_counter(), time.process_time(), _server_cpu()
            first = bulk_load(config, folder, on_stage=lambda s: print(
                f"[bench_bulk] {s} …", file=sys.stderr, flush=True))  # fmt: skip
            wall = time.perf_counter() - t
            client_cpu, server_cpu = time.process_time() - c, _server_cpu() - sc
        with connect(config) as driver:
            nodes = _count(driver, name, "MATCH (n) RETURN count(n) AS n")
            rels = _count(driver, name, "MATCH ()-[r]->() RETURN count(r) AS n")
            if reload:
                t = time.perf_counter()
                second = load_artifacts(driver, folder, database=name, progress=False)
                second["wall"] = time.perf_counter() - t
                changed = sum(second[k]["created"] + second[k]["updated"] + second[k]["deleted"]
                              for k in ("models", "communities", "clusters", "similar_to",
                                        "based_on"))  # fmt: skip
                second["changed"] = changed
    finally:
        if not keep:
            server.drop_database(name)
    return result_row(folder, nodes, rels, wall, client_cpu, server_cpu, first, second,
                      peak_rss_mb=rss.peak, database=name if keep else None,
                      client_peaks_mb=rss.stages)


def markdown(results: list[dict]) -> str:
    stages = list(results[0]["first"]["timings"])
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — bulk (`load --bulk`), "
        f"{platform.node()}, {os.cpu_count()} CPUs, server heap "
        f"{os.environ.get('CONSTELLATION_HEAP', '2g')}, bulk heap "
        f"{os.environ.get('CONSTELLATION_BULK_HEAP', DEFAULT_BULK_HEAP)}",
        "",
        "| artifacts | models | nodes | relationships | load s | rows/s | client CPU s "
        "| server CPU s | peak RSS MB (server + client) | reload s (changed) |",
        "|---" * 10 + "|",
    ]
    for r in results:
        peak = r["peak_rss_mb"]
        reload = (f"{r['second']['wall']:.1f} ({r['second']['changed']})" if r["second"]
                  else "—")  # fmt: skip
        lines.append(
            f"| {Path(r['artifacts']).name} | {r['models']:,} | {r['nodes']:,} | {r['rels']:,} "
            f"| {r['wall']:.1f} | {r['rows_per_s']:,.0f} | {r['client_cpu']:.1f} "
            f"| {r['server_cpu']:.1f} | {peak['total']:,.0f} ({peak['server']:,.0f} + "
            f"{peak['client']:,.0f}) | {reload} |"
        )
    lines.append("")
    for r in results:
        timings = r["first"]["timings"]
        lines.append(f"- {Path(r['artifacts']).name} stages (s): " + ", ".join(
            f"{s} {timings[s]:.1f}" for s in stages if s in timings))  # fmt: skip
        lines.append(f"- {Path(r['artifacts']).name} client peak RSS by stage (MB): " + ", ".join(
            f"{s} {mb:,.0f}" for s, mb in r.get("client_peaks_mb", {}).items()))  # fmt: skip
    lines.append("")
    lines.append(f"command: `{' '.join(sys.argv)}`")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--artifacts", type=Path, action="append", required=True)
    parser.add_argument("--no-reload", action="store_true", help="skip the incremental no-op load")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--out", type=Path, help="append the Markdown table to this file")
    args = parser.parse_args()
    results = []
    for folder in args.artifacts:
        print(f"[bench_bulk] {folder} …", file=sys.stderr, flush=True)
        result = bench_one(folder, not args.no_reload, args.keep)
        print(json.dumps(result, default=str), file=sys.stderr, flush=True)
        results.append(result)
    emit(markdown(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
