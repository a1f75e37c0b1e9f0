"""What a rebuild changed in the similarity edges: two builds' `similarity.parquet` compared.

    python bench/bench_edge_churn.py BEFORE_DIR AFTER_DIR

Prints, for SIMILAR_TO, the edges gone between models both builds hold, those gone with a
removed model, the new ones, and the kept ones whose float32 score moved (with how many of
the gone ones have a new edge of the same score at one of their ends: ties that went another
way). The bench of bench/results/edges.md ("copies of a name scored once") and of the
refresh variants of bench/bench_refresh.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from constellation.loader.artifacts import read_table

from constellation.errors import UserError


def churn(before: Path, after: Path) -> dict[str, int]:
    a = read_table(before, "similarity")
    b = read_table(after, "similarity")
    ids_a = set(read_table(before, "models", columns=["id"])["id"])
    ids_b = set(read_table(after, "models", columns=["id"])["id"])
    both = a.merge(b, on=["source", "target"], how="outer", suffixes=("_a", "_b"), indicator=True)
    gone = both[both["_merge"] == "left_only"]
    removed = gone["source"].isin(ids_a - ids_b) | gone["target"].isin(ids_a - ids_b)
    new = both[both["_merge"] == "right_only"]
    kept = both[both["_merge"] == "both"]
    ends = set(zip(new["source"], new["score_b"], strict=True)) | set(
        zip(new["target"], new["score_b"], strict=True)
    )
    stay = gone[~removed]
    tied = sum(
        (s, w) in ends or (t, w) in ends
        for s, t, w in zip(stay["source"], stay["target"], stay["score_a"], strict=True)
    )
    return {
        "edges before": len(a),
        "edges after": len(b),
        "gone between remaining models": int((~removed).sum()),
        "  of which a new edge of the same score at an end": int(tied),
        "gone with a removed model": int(removed.sum()),
        "new": len(new),
        "kept, score moved": int((kept["score_a"] != kept["score_b"]).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    try:
        counts = churn(args.before, args.after)
    except UserError as e:  # a folder that is not a build: one line, as the CLI says it
        sys.exit(f"bench_edge_churn: {e}")
    for name, value in counts.items():
        print(f"{name:<52} {value:>10,}")


if __name__ == "__main__":
    main()
