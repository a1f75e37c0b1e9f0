"""Benchmark: the scale set's cost and shape against the real Hub metadata (issue 11).

    flock /tmp/constellation-bench.lock python bench/bench_generate.py \
        --sizes 1000000,3000000 --out bench/results/generate.md

For each size: `constellation generate --n N --seed 0 --out DIR/ids-N.parquet --quiet` under
`/usr/bin/time -v` (wall time and peak RSS of the whole command), then the written Parquet is
read back (tags parsed into lineage as `build` does) and measured with `generate.shape`. The real
side: downloads/likes of the Constellation CSV, relation mix and children per parent of
hf-dep-network-analysis, tag shares of the Mistral-Small tree fixture and the API samples.
Prints the Markdown report (and writes it to --out); raw figures go to stderr as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from constellation.loader.ingest import generate as gen
from constellation.loader.ingest.lineage import lineage_from_tags
from constellation.loader.ingest.sources import read_sources

HF_DEP = gen.SHARED_DATA / "hf-dep-network-analysis" / "edges_c952a70.csv"
CSV = gen.DEFAULT_SOURCES[0]
TAGGED = [gen.SHARED_DATA / "mistral-small-tree-fixture", gen.SHARED_DATA / "api-samples"]


def timed_generate(n: int, out: Path) -> dict:
    """Run the CLI in out's folder under /usr/bin/time -v: wall seconds and peak RSS (MB)."""
    command = ["constellation", "generate", "--n", str(n), "--seed", "0", "--out", out.name]
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command, "--quiet"],
        capture_output=True,
        text=True,
        cwd=out.parent,
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return {
        "n": n,
        "command": " ".join(command),
        "seconds": round(hours * 3600 + minutes * 60 + seconds, 1),
        "peak_mb": int(rss.group(1)) // 1024,
    }


def read_back(path: Path) -> pd.DataFrame:
    """The written set with `attrs` rebuilt from its tags, the way `build` reads lineage."""
    table = pq.read_table(path)
    tags = table["tags"].combine_chunks()
    frame = table.drop(["tags"]).to_pandas()
    ids = table["id"].combine_chunks()
    lineage = lineage_from_tags(frame["id"], tags)
    rows = {
        side: pc.index_in(pa.array(lineage[side], pa.string()), value_set=ids).to_numpy(
            zero_copy_only=False
        )
        for side in ("child", "parent")
    }
    frame.attrs["tags"] = tags
    frame.attrs["lineage"] = pd.DataFrame(rows | {"relation": lineage["relation"].to_numpy()})
    return frame


def real_shape() -> dict:
    """The same measures on ../shared/data."""
    csv = pd.read_csv(CSV)
    downloads = csv["downloads"].fillna(0).to_numpy()
    likes = csv["likes"].fillna(0).to_numpy()
    edges = pd.read_csv(HF_DEP)
    relation = edges["edge"].map({"finetuned": "finetune", "merged": "merge"}).fillna(edges["edge"])
    tagged = read_sources(TAGGED, progress=False).models
    tag_lists = tagged["tags"].dropna()

    def share_with(prefix: str) -> float:
        return round(
            float(tag_lists.map(lambda ts: any(t.startswith(prefix) for t in ts)).mean()), 3
        )

    def top(column: str) -> dict:
        counts = tagged[column].value_counts(normalize=True, dropna=False).head(5)
        return {str(k): round(float(v), 3) for k, v in counts.items()}

    return {
        "n": len(csv),
        "downloads": gen.count_shape(downloads),
        "likes": gen.count_shape(likes),
        "likes_slope": gen.likes_slope(downloads, likes),
        "lineage": gen.fanout_shape(edges["source"].to_numpy(), relation.to_numpy()),
        "max_depth": real_depth(edges),
        "top10_parents": top_parents(edges["source"].to_numpy()),
        "tagged_models": len(tagged),
        "dataset_share": share_with("dataset:"),
        "arxiv_share": share_with("arxiv:"),
        "license_tag_share": share_with("license:"),
        "pipeline_tag": top("pipeline_tag"),
        "library_name": top("library_name"),
        "license": top("license"),
    }


def real_depth(edges: pd.DataFrame) -> int:
    """Longest chain of first declared parents in hf-dep (models on or below a declared
    cycle, which reach the cap of 64, left out)."""
    codes, ids = pd.factorize(pd.concat([edges["target"], edges["source"]]))
    child, parent = codes[: len(edges)], codes[len(edges) :]
    depth = gen.depths(len(ids), child, parent)
    return int(depth[depth < 64].max())


def top_parents(parents: np.ndarray) -> list[float]:
    """Share of all edges held by each of the ten largest families."""
    counts = np.sort(np.unique(parents, return_counts=True)[1])[::-1][:10]
    return [round(float(c / len(parents)), 4) for c in counts]


def _fmt(values: list[float]) -> str:
    return " / ".join(f"{v:,.0f}" for v in values)


def _dist(shares: dict) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in shares.items())


def report(real: dict, runs: list[dict], shapes: list[dict]) -> str:
    quantiles = " / ".join(f"p{q * 100:g}" for q in gen.QUANTILES[:-1]) + " / max"
    fan = " / ".join(f"p{q * 100:g}" for q in gen.FANOUT_QUANTILES[:-1]) + " / max"
    head = "| measure | real (../shared/data) | " + " | ".join(
        f"generated {s['n']:,}" for s in shapes
    )
    lines = [head + " |", "|---|---|" + "---|" * len(shapes)]

    def row(name: str, real_value: str, pick) -> None:
        lines.append(f"| {name} | {real_value} | " + " | ".join(pick(s) for s in shapes) + " |")

    row(
        f"downloads {quantiles}",
        _fmt(real["downloads"]["quantiles"]),
        lambda s: _fmt(s["downloads"]["quantiles"]),
    )
    row(
        "downloads: share of the top 1%",
        f"{real['downloads']['top1_share']:.1%}",
        lambda s: f"{s['downloads']['top1_share']:.1%}",
    )
    row(
        f"likes {quantiles}",
        _fmt(real["likes"]["quantiles"]),
        lambda s: _fmt(s["likes"]["quantiles"]),
    )
    row(
        "likes: share with none",
        f"{real['likes']['zero_share']:.1%}",
        lambda s: f"{s['likes']['zero_share']:.1%}",
    )
    row(
        "log-log slope likes ~ downloads", f"{real['likes_slope']}", lambda s: f"{s['likes_slope']}"
    )
    row(
        "lineage edges",
        f"{real['lineage']['edges']:,} (hf-dep)",
        lambda s: f"{s['lineage']['edges']:,}",
    )
    for kind in ("finetune", "quantized", "merge", "adapter"):
        row(
            f"relation mix: {kind}",
            f"{real['lineage']['relation_mix'].get(kind, 0):.1%}",
            lambda s, k=kind: f"{s['lineage']['relation_mix'].get(k, 0):.1%}",
        )
    row(
        f"children per parent {fan}",
        _fmt(real["lineage"]["children_per_parent"]),
        lambda s: _fmt(s["lineage"]["children_per_parent"]),
    )
    row(
        "top-10 families, share of edges",
        " ".join(f"{v:.1%}" for v in real["top10_parents"]),
        lambda s: " ".join(f"{v:.1%}" for v in s["top10_parents"]),
    )
    row("parents with 10k+ children", "0 (28k edges)", lambda s: str(s["lineage"]["parents_10k"]))
    row(
        "max depth / models at depth ≥ 4",
        f"{real['max_depth']} / —",
        lambda s: f"{s['max_depth']} / {s['depth_4_plus']:,}",
    )
    row("child created before a parent", "—", lambda s: str(s["child_before_parent"]))
    row(
        "models with dataset: / arxiv: / license: tags",
        f"{real['dataset_share']:.0%} / {real['arxiv_share']:.0%} / {real['license_tag_share']:.0%}"
        f" ({real['tagged_models']} tagged models)",
        lambda s: (
            f"{s['dataset_share']:.0%} / {s['arxiv_share']:.0%} / {s['license_tag_share']:.0%}"
        ),
    )
    for column in ("pipeline_tag", "library_name", "license"):
        row(f"{column} (top 5)", _dist(real[column]), lambda s, c=column: _dist(s[c]))
    row(
        "created_at by year",
        "—",
        lambda s: ", ".join(f"{y} {v:.0%}" for y, v in s["years"].items()),
    )

    cost = ["| models | command | wall | peak RSS |", "|---|---|---|---|"]
    for run in runs:
        cost.append(
            f"| {run['n']:,} | `{run['command']}` | {run['seconds']} s | {run['peak_mb']:,} MB |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(cost) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,3000000")
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args()
    if not gen.SHARED_DATA.is_dir():
        print(f"needs {gen.SHARED_DATA}: not present", file=sys.stderr)
        return 2
    real = real_shape()
    print(json.dumps({"real": real}), file=sys.stderr)
    runs, shapes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(v) for v in args.sizes.split(",")):
            path = Path(tmp) / f"ids-{n}.parquet"
            runs.append(timed_generate(n, path))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
            frame = read_back(path)
            shape = gen.shape(frame)
            shape["top10_parents"] = top_parents(frame.attrs["lineage"]["parent"].to_numpy())
            shapes.append(shape)
            print(json.dumps({"shape": shape}), file=sys.stderr, flush=True)
            del frame
    text = report(real, runs, shapes)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
