"""Inferred lineage: `constellation evaluate-lineage` over several seeds, as Markdown tables.

    flock /tmp/constellation-bench.lock python bench/bench_lineage.py \
        --artifacts /tmp/hf --lineage ../shared/data/hf-dep-network-analysis/edges_c952a70.csv \
        --seeds 0,1,2 --save /tmp/lineage-reports
    python bench/bench_lineage.py --reports /tmp/lineage-reports/*.json   # tables only
    python bench/bench_lineage.py --artifacts /tmp/hf --lineage edges_c952a70.csv \
        --later edges_HEAD_5f6e81b.csv   # learn from one snapshot, guess the next one's new links
                                         # (--seeds: the training sample's and calibration's)

Prints the evaluation table per seed and their mean, the figures per relation (mean over the
seeds), and the reliability table of the first candidates' scores (pooled over the seeds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

KEYS = ("hits@1", "hits@10", "mrr", "relation_accuracy", "coverage")


def run(artifacts: str, lineage: str | None, seed: int, holdout: float) -> dict:
    cmd = ["constellation", "evaluate-lineage", "--artifacts", artifacts, "--holdout",
           str(holdout), "--seed", str(seed)]  # fmt: skip
    cmd += ["--lineage", lineage] if lineage else []
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def tables(reports: list[dict]) -> str:
    lines = ["| seed | hidden | Hits@1 | Hits@10 | MRR | relation acc. | coverage | "
             "top SIMILAR_TO Hits@1 | P(right \\| score ≥ 0.8) |",
             "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in reports:
        cells = [str(r["seed"]), f"{r['n_hidden']:,}", *(_f(r[k]) for k in KEYS),
                 _f(r.get("baseline_similarity_hits@1")),
                 _f(r["calibration"]["precision_at_0.8"])]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    mean = [_f(_mean([r[k] for r in reports])) for k in KEYS]
    base = _f(_mean([r.get("baseline_similarity_hits@1") for r in reports]))
    prec = _f(_mean([r["calibration"]["precision_at_0.8"] for r in reports]))
    lines.append("| **mean** | | " + " | ".join([*mean, base, prec]) + " |")
    lines += ["", "| relation | hidden (all seeds) | Hits@1 | Hits@10 | MRR | relation acc. |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    relations = sorted({k for r in reports for k in r["by_relation"]})
    for rel in relations:
        rows = [r["by_relation"][rel] for r in reports if rel in r["by_relation"]]
        n = sum(x["n_hidden"] for x in rows)
        cells = [_f(_mean([x[k] for x in rows])) for k in ("hits@1", "hits@10", "mrr",
                                                             "relation_accuracy")]  # fmt: skip
        lines.append(f"| {rel} | {n:,} | " + " | ".join(cells) + " |")
    lines += ["", "| score of the first candidate | count | mean score | share right |",
              "|---|---|---|---|"]  # fmt: skip
    bins = [b["bin"] for b in reports[0]["calibration"]["bins"]]
    for i, name in enumerate(bins):
        rows = [r["calibration"]["bins"][i] for r in reports]
        count = sum(b["count"] for b in rows)
        right = sum((b["share_right"] or 0) * b["count"] for b in rows)
        score = sum((b["mean_score"] or 0) * b["count"] for b in rows)
        share = _f(right / count if count else None)
        lines.append(f"| {name} | {count:,} | {_f(score / count if count else None)} | {share} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artifacts")
    ap.add_argument("--lineage")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--save", help="folder for the JSON reports")
    ap.add_argument("--reports", nargs="*", help="format these saved reports instead of running")
    ap.add_argument("--later", help="a later lineage file: score the links it adds")
    args = ap.parse_args()
    if args.later:
        from constellation.loader import artifacts
        from constellation.loader.lineage.evaluate import evaluate_later, read_lineage

        models = artifacts.read_table(args.artifacts, "models")
        similarity = artifacts.read_table(args.artifacts, "similarity")
        declared = read_lineage(args.artifacts, [args.lineage] if args.lineage else None)
        later = read_lineage(args.artifacts, [args.later])
        reports = []
        for seed in (int(s) for s in args.seeds.split(",")):  # training sample, calibration
            reports.append(evaluate_later(models, similarity, declared, later, seed=seed))
            if args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                Path(args.save, f"later-{seed}.json").write_text(json.dumps(reports[-1], indent=2))
    elif args.reports:
        reports = [json.loads(Path(p).read_text()) for p in args.reports]
    else:
        reports = []
        for seed in (int(s) for s in args.seeds.split(",")):
            reports.append(run(args.artifacts, args.lineage, seed, args.holdout))
            if args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                Path(args.save, f"seed-{seed}.json").write_text(json.dumps(reports[-1], indent=2))
    print(tables(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
