"""Benchmark `constellation fetch` against the local fake Hub (tests/fakehub.py).

    flock /tmp/constellation-bench.lock python bench/fetch_fakehub.py --n 100000

Prints one JSON line: full fetch (models/s, MB written), a refresh after `--changes` updates and
`--deletes` deletions (two listings: changes sorted by lastModified, then ids), and the peak RSS.
Fake Hub and client share this process and its two cores, so the rate is a floor, not the Hub's.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from constellation.loader.ingest.fetch import fetch_snapshot  # noqa: E402
from fakehub import FakeHub, generated_records  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--deletes", type=int, default=10)
    args = parser.parse_args()

    records = generated_records(args.n, seed=0)
    with tempfile.TemporaryDirectory() as tmp, FakeHub(records) as hub:
        out = Path(tmp) / "hub.jsonl"
        t = time.perf_counter()
        full = fetch_snapshot(out, endpoint=hub.url, page_size=args.page_size, progress=False)
        full_s = time.perf_counter() - t
        size_mb = out.stat().st_size / 1e6

        rng = random.Random(1)
        picked = rng.sample([r["id"] for r in records], args.changes + args.deletes)
        for model_id in picked[: args.changes]:
            hub.update(model_id, downloads=rng.randrange(10**6))
        for model_id in picked[args.changes :]:
            hub.delete(model_id)
        t = time.perf_counter()
        refresh = fetch_snapshot(out, endpoint=hub.url, page_size=args.page_size, progress=False)
        refresh_s = time.perf_counter() - t

    print(
        json.dumps(
            {
                "bench": "fetch_fakehub",
                "models": full.records,
                "pages": full.pages,
                "full_s": round(full_s, 2),
                "models_per_s": round(full.records / full_s),
                "snapshot_mb": round(size_mb, 1),
                "refresh_s": round(refresh_s, 2),
                "refresh_pages": refresh.pages,
                "refresh_counts": refresh.counts,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
