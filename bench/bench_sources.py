"""Benchmark: reading sources and generating the scale set.

    flock /tmp/constellation-bench.lock python bench/bench_sources.py [--n 1000000]

Prints one JSON line per step: wall and CPU seconds, peak RSS (MB) of this process so far.
Steps: read the 15,821-row Constellation CSV, read all of ../shared/data, generate N ids
(`constellation generate`), write them to Parquet, read that Parquet back with `read_sources`.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from constellation.loader.ingest.generate import (
    DEFAULT_SOURCES,
    SHARED_DATA,
    generate_ids,
    write_ids,
)
from constellation.loader.ingest.sources import read_sources


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _step(name: str, fn):
    """Run one step; CPU seconds are reported too, as wall time suffers on a busy machine."""
    start, cpu = time.perf_counter(), _cpu()
    out = fn()
    wall = round(time.perf_counter() - start, 2)
    row = {"step": name, "seconds": wall, "cpu_seconds": round(_cpu() - cpu, 2)}
    print(json.dumps(row | {"peak_mb": _peak_mb()}), flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        print(f"needs {SHARED_DATA}: not present", file=sys.stderr)
        return 2
    _step("read constellation csv (15,821)", lambda: read_sources([DEFAULT_SOURCES[0]], False))
    _step("read all of ../shared/data", lambda: read_sources([SHARED_DATA], False))
    frame = _step(f"generate {args.n:,}", lambda: generate_ids(args.n, seed=args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ids.parquet"
        _step("write parquet", lambda: write_ids(frame, path))
        result = _step(f"read {args.n:,} parquet", lambda: read_sources([path], False))
        print(json.dumps({"models": len(result.models), "lineage": len(result.lineage)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
