"""Refresh load time: a rebuild after a 1 % change, loaded over the first build (issue 11).

    constellation generate --n 100000 --out /tmp/refresh/ids.parquet
    flock /tmp/constellation-bench.lock python bench/bench_refresh.py \
        --models /tmp/refresh/ids.parquet --work /tmp/refresh --out bench/results/load.md

Builds the models (`first`, or takes --first, a build of --models), then refreshes of it, each
built over a copy of `first` (--variants): `downloads` (1 % of the models' downloads changed)
and `removed` (1 % of the models removed), each with stable ids and with `fresh_ids=True`
(`-fresh`: detection's numbering and weights, the behaviour before stable ids), and `added`
(1 % more models: new `-v2` versions of picked ones, with their declared parents).

In a new database of the local server it loads `first` (timed: the first load; --bulk:
through `load --bulk`), then a no-op reload of `first` (timed), then each refresh over
`first` (timed), reloading `first` between them (untimed). `load` takes the refresh path when
it can (loader/graph/refresh.py); --full-path makes every load diff every row with the graph
(the path before refreshes). Prints a Markdown table (appended to --out) of each load's wall
time, its share of the first load, the path it took, its slowest stages and the writer's
counts. --reuse keeps builds already in --work. --statements adds, per load, the time the
statements of its transactions took from sending to their last record (the driver's packing,
the wire and the server), split into writes, deletes and reads: what is left when the client's
own work is gone. Every write and delete runs in a transaction; the auto-commit statements
(schema, stored hashes, counts) are not counted, so "reads" are the read-backs alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_load import emit
from constellation.loader.artifacts import INFERRED
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.lineage.infer import infer_lineage
from constellation.loader.pipeline.build import build

from constellation import server
from constellation.graph import connect

VARIANTS = ("downloads", "downloads-fresh", "removed", "removed-fresh", "added")


def _builds(
    models: Path, work: Path, share: float, seed: int, first: Path | None,
    variants: list[str], reuse: bool,
) -> dict[str, Path]:
    frame = pd.read_parquet(models)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(frame), size=max(1, round(share * len(frame))), replace=False)
    changed = frame.copy()
    downloads = changed["downloads"].astype("Float64").fillna(0)
    changed.loc[picked, "downloads"] = (downloads.iloc[picked] * 2 + 1).to_numpy()
    added = frame.iloc[picked].copy()  # new versions of existing models, as the Hub gets daily
    added["id"] = added["id"].astype(str) + "-v2"
    added["downloads"] = 0
    sources = {
        "downloads": changed,
        "removed": frame.drop(index=picked),
        "added": pd.concat([frame, added], ignore_index=True),
    }
    del frame, changed, added
    if first is None:
        first = work / "first"
        if not (reuse and (first / "manifest.json").is_file()):
            shutil.rmtree(first, ignore_errors=True)
            build([models], first)
    out = {"first": first}
    for name in variants:
        kind, fresh = name.split("-")[0], name.endswith("-fresh")
        out[name] = work / name
        if reuse and (out[name] / "manifest.json").is_file():
            continue
        src = work / f"{kind}.parquet"
        sources[kind].to_parquet(src, index=False)
        shutil.rmtree(out[name], ignore_errors=True)
        shutil.copytree(first, out[name])
        build([src], out[name], fresh_ids=fresh)
        if (first / f"{INFERRED}.parquet").is_file():  # as the first build: else the refresh
            infer_lineage(out[name])  # drops every likely link (78 s of a 1M refresh)
    return out


class StatementClock:
    """Round trips of the statements the writer runs in transactions, by kind (--statements):
    each `tx.run()` is timed until its result is buffered (the writer consumes each one
    anyway). Auto-commit `session.run()` reads are not counted."""

    KINDS = ("writes", "deletes", "reads")

    def __init__(self) -> None:
        from neo4j._sync.work.transaction import TransactionBase

        self.seconds = dict.fromkeys(self.KINDS, 0.0)
        run = TransactionBase.run

        def timed(tx: Any, query: str, parameters: Any = None, **kw: Any) -> Any:
            t = time.perf_counter()
            result = run(tx, query, parameters, **kw)
            result._buffer_all()
            self.seconds[self.kind(query)] += time.perf_counter() - t
            return result

        TransactionBase.run = timed

    @staticmethod
    def kind(query: str) -> str:
        words = set(query.upper().split())
        if "DELETE" in words:
            return "deletes"
        return "writes" if words & {"CREATE", "MERGE", "SET", "REMOVE"} else "reads"

    def take(self) -> dict[str, float]:
        taken, self.seconds = self.seconds, dict.fromkeys(self.KINDS, 0.0)
        return taken


def _stages(counts: dict, n: int = 4) -> str:
    slow = sorted(counts.get("timings", {}).items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{k} {v:.1f}" for k, v in slow)


def _changed(counts: dict, kinds: tuple[str, ...]) -> str:
    return ", ".join(
        f"{k} {sum(counts[k][x] for x in ('created', 'updated', 'deleted')):,}" for k in kinds
        if k in counts  # (older writers: no likely links)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, required=True, help="`constellation generate` out")
    parser.add_argument("--work", type=Path, required=True, help="folder for the builds")
    parser.add_argument("--first", type=Path, help="an existing build of --models to start from")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of {', '.join(VARIANTS)} (default: all)")
    parser.add_argument("--bulk", action="store_true", help="first load through `load --bulk`")
    parser.add_argument("--full-path", action="store_true",
                        help="every load diffs every row with the graph (no refresh path)")
    parser.add_argument("--reuse", action="store_true", help="keep builds already in --work")
    parser.add_argument("--share", type=float, default=0.01, help="share of models changed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="append the Markdown table to this file")
    parser.add_argument("--statements", action="store_true",
                        help="also time each load's statements: writes, deletes, reads")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    if any(v not in VARIANTS for v in variants):
        parser.error(f"--variants: each of {', '.join(VARIANTS)}")
    args.work.mkdir(parents=True, exist_ok=True)
    builds = _builds(
        args.models, args.work, args.share, args.seed, args.first, variants, args.reuse
    )

    name = f"bench_{secrets.token_hex(3)}"
    server.create_database(name)
    config = replace(server.ensure_running(), database=name)
    rows = []
    clock = StatementClock() if args.statements else None
    try:
        t = time.perf_counter()
        if args.bulk:  # in a process of its own: the engine's heap is not this one's
            code = (
                "import json, sys\n"
                "from constellation.graph import GraphConfig\n"
                "from constellation.loader.graph.bulk import bulk_load\n"
                "print(json.dumps(bulk_load(GraphConfig.from_env(), sys.argv[1])))\n"
            )
            done = subprocess.run(
                [sys.executable, "-c", code, str(builds["first"])], check=True,
                capture_output=True, text=True, env={**os.environ, "NEO4J_DATABASE": name},
            )  # fmt: skip
            first = json.loads(done.stdout.strip().splitlines()[-1])
        first_s = time.perf_counter() - t
        with connect(config) as driver:

            def load(which: str) -> tuple[dict, float]:
                t = time.perf_counter()
                kw = {"full": True} if args.full_path else {}  # (older writers: no such flag)
                if clock:
                    clock.take()
                counts = load_artifacts(driver, builds[which], database=name, **kw)
                if clock:
                    counts["statements"] = clock.take()
                return counts, time.perf_counter() - t

            if not args.bulk:
                first, first_s = load("first")
            rows.append(("first" + (" (bulk)" if args.bulk else ""), first, first_s))
            counts, seconds = load("first")
            rows.append(("no-op reload", counts, seconds))
            print(f"[bench_refresh] no-op reload: {seconds:.1f} s, first load {first_s:.1f} s, "
                  f"{_stages(counts, 8)}", file=sys.stderr, flush=True)
            for which in variants:
                if rows[-1][0] not in ("first", "no-op reload"):
                    load("first")
                t = time.perf_counter()
                try:
                    counts, seconds = load(which)
                except Exception as exc:  # noqa: BLE001 - reported in the table, the rest runs
                    counts, seconds = {"error": " ".join(str(exc).split())[:300]}, 0.0
                    print(f"[bench_refresh] {which} failed after "
                          f"{time.perf_counter() - t:.1f} s: {counts['error']}", file=sys.stderr)
                rows.append((which, counts, seconds))
                print(f"[bench_refresh] {which}: {seconds:.1f} s, {_stages(counts, 8)}",
                      file=sys.stderr, flush=True)
    finally:
        server.drop_database(name)

    kinds = ("communities", "clusters", "models", "summaries", "similar_to", "likely_based_on")
    lines = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — refresh after a "
        f"{args.share:.0%} change, {platform.node()}, {os.cpu_count()} CPUs, "
        f"heap {os.environ.get('CONSTELLATION_HEAP', '2g')}",
        "",
        "| load | models | wall s | of first load | path | slowest stages (s) "
        "| rewritten (created + updated + deleted) |",
        "|---|---|---|---|---|---|---|",
    ]
    for which, counts, seconds in rows:
        if "error" in counts:
            lines.append(f"| {which} | — | failed | — | — | — | {counts['error']} |")
            continue
        models = counts["models"]["created"] + counts["models"]["updated"]
        models += counts["models"]["unchanged"]
        path = counts.get("path", "bulk" if "bulk" in which else "full load").split(":")[0]
        lines.append(
            f"| {which} | {models:,} | {seconds:.1f} | {seconds / first_s:.1%} | {path} "
            f"| {_stages(counts)} | {_changed(counts, kinds)} |"
        )
    if clock:  # the statements' share of each refresh: the floor a faster client leaves
        lines += [
            "", "| load | wall s | statements s: writes + deletes + reads | of first load |",
            "|---|---|---|---|",
        ]
        for which, counts, seconds in rows:
            took = counts.get("statements")
            if took and "error" not in counts:
                total = sum(took.values())
                lines.append(
                    f"| {which} | {seconds:.1f} | {total:.1f}: {took['writes']:.1f} + "
                    f"{took['deletes']:.1f} + {took['reads']:.1f} | {total / first_s:.1%} |"
                )
    lines += ["", f"command: `{' '.join(sys.argv)}`", ""]
    emit("\n".join(lines), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
