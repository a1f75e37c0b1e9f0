"""Sub-commands of the pipeline: `build`, `evaluate` (listed in constellation/cli.py).

Heavy modules (scikit-learn, igraph, …) are imported inside the command functions so that
`constellation --help` and other commands stay fast.

Usage::

    constellation build --source models.csv [--source edges.csv …] --out DIR [--k 10]
        [--previous DIR | --fresh-ids]
    constellation evaluate --artifacts DIR --lineage edges.csv
"""

from __future__ import annotations

import argparse
import json
import sys


def add_build(subparsers: argparse._SubParsersAction) -> None:
    from constellation.loader.pipeline.params import COMMUNITY_METHODS  # a light module

    p = subparsers.add_parser(
        "build",
        help="build families, similarity edges, hierarchy and lineage from model metadata",
        description="Read model metadata (Hub JSON/JSONL, CSV, Parquet, lineage edge files; files "
        "or folders) and write the artifacts (Parquet + manifest.json) into --out.",
    )
    p.add_argument(
        "--source",
        action="append",
        required=True,
        metavar="PATH",
        help="a file or folder to read, or `hub:pipeline_tag=…,author=…,search=…,limit=N` "
        "(or `hub:all`) to fetch from the Hub first (repeatable)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the artifacts")
    p.add_argument("--k", type=int, help="neighbours kept per model (default 10)")
    p.add_argument("--threshold", type=float, help="minimum cosine of an edge (default 0.4)")
    p.add_argument("--seed", type=int, help="Louvain seed (default 42)")
    p.add_argument(
        "--communities",
        choices=COMMUNITY_METHODS,
        help="Louvain implementation: igraph (default, compiled) or louvain (python-louvain, "
        "as in the paper; pip install 'constellation-atlas[paper]')",
    )
    p.add_argument(
        "--owner-weight",
        type=float,
        dest="owner_weight",
        help="weight of the owner in the name vector (default 0)",
    )
    p.add_argument("--levels", help="flat cluster cuts as distances (default 0.2,0.3,0.4)")
    p.add_argument(
        "--previous",
        metavar="DIR",
        help="start from this build: its communities, their ids and names, its term weights "
        "(default: the build already in --out, if any)",
    )
    p.add_argument(
        "--fresh-ids",
        action="store_true",
        dest="fresh_ids",
        help="detect communities and weigh terms again, numbering groups by size, ignoring "
        "any previous build",
    )
    p.add_argument(
        "--datasets", metavar="FILE",
        help="datasets snapshot (`constellation fetch --kind datasets`): Dataset properties",
    )  # fmt: skip
    p.add_argument(
        "--spaces", metavar="FILE",
        help="Spaces snapshot (`constellation fetch --kind spaces`): Spaces, the models they use",
    )  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    p.set_defaults(func=_build)


def add_evaluate(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="score built families against declared lineage (JSON on stdout)",
        description="How well communities, clusters and similarity edges agree with declared "
        "parent -> child lineage.",
    )
    p.add_argument("--artifacts", required=True, metavar="DIR", help="a `build --out` folder")
    p.add_argument(
        "--lineage",
        action="append",
        metavar="FILE",
        help="lineage source(s) (edge CSV or model metadata with base_model tags); "
        "default: the artifacts' lineage.parquet",
    )
    p.set_defaults(func=_evaluate)


def _build(args: argparse.Namespace) -> int:
    from constellation.loader.artifacts import check_out_dir
    from constellation.loader.ingest.hub_source import resolve_sources
    from constellation.loader.pipeline.build import build, summary
    from constellation.loader.pipeline.params import BuildParams

    from constellation.errors import UserError

    levels = None
    if args.levels:
        try:
            levels = tuple(float(x) for x in args.levels.split(","))
        except ValueError as exc:
            raise UserError(
                f"--levels {args.levels!r}: expected increasing numbers like 0.2,0.3,0.4"
            ) from exc
    params = BuildParams().with_overrides(
        k=args.k,
        threshold=args.threshold,
        seed=args.seed,
        communities=args.communities,
        owner_weight=args.owner_weight,
        cluster_levels=levels,
    )
    check_out_dir(args.out)  # before a Hub fetch too
    # `hub:…` sources are fetched (or refreshed) into a cached snapshot first.
    sources = resolve_sources(args.source, progress=not args.quiet)
    manifest = build(
        sources, args.out, params, not args.quiet, args.previous, fresh_ids=args.fresh_ids,
        datasets=args.datasets, spaces=args.spaces,
    )
    if not args.quiet:
        print(summary(manifest, args.out), file=sys.stderr)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from constellation.loader.pipeline.evaluate import evaluate

    report = evaluate(args.artifacts, args.lineage)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
