"""Sub-commands `infer-lineage` and `evaluate-lineage` (listed in constellation/cli.py).

Usage::

    constellation infer-lineage --artifacts DIR [--top 3] [--seed 0] [--retrain] [--previous DIR]
    constellation evaluate-lineage --artifacts DIR [--lineage FILE …] --holdout 0.2 --seed N
"""

from __future__ import annotations

import argparse
import json
import sys


def add_infer_lineage(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "infer-lineage",
        help="rank likely parents of models that declare none (writes inferred_lineage.parquet)",
        description="Learn from the declared lineage of a `build --out` folder which candidate "
        "is a model's parent, and write the best candidates of every model without a declared "
        "parent, with a calibrated score and a relation, into the folder.",
    )
    p.add_argument("--artifacts", required=True, metavar="DIR", help="a `build --out` folder")
    p.add_argument("--top", type=int, default=3, help="candidates kept per model (default 3)")
    p.add_argument(
        "--min-score",
        type=float,
        default=0.05,
        dest="min_score",
        help="leave out candidates scored below this (default 0.05)",
    )
    p.add_argument("--seed", type=int, default=0, help="training sample seed (default 0)")
    p.add_argument(
        "--retrain",
        action="store_true",
        help="learn afresh; by default the ranker is trained again on the rows kept by the "
        "last run (lineage_training.parquet) while the declared links and models changed by "
        "at most 5%%, so that a refresh keeps the scores of unchanged links",
    )
    p.add_argument(
        "--previous",
        metavar="DIR",
        help="take the kept training rows from this earlier build folder (default: --artifacts)",
    )
    p.add_argument("--quiet", action="store_true", help="no summary on stderr")
    p.set_defaults(func=_infer)


def add_evaluate_lineage(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate-lineage",
        help="hide declared links, infer them back, score the guesses (JSON on stdout)",
        description="Hide a random share of the children with declared parents, learn from the "
        "rest, rank candidates for the hidden ones and print Hits@1/10, MRR, relation accuracy, "
        "coverage, per relation, and a reliability table of the scores.",
    )
    p.add_argument("--artifacts", required=True, metavar="DIR", help="a `build --out` folder")
    p.add_argument(
        "--lineage",
        action="append",
        metavar="FILE",
        help="declared lineage in any form `build` reads (edge CSV source,target,edge; "
        "child,parent; models with base_model tags, card data or a base_model column); "
        "default: the artifacts' lineage.parquet",
    )
    p.add_argument("--holdout", type=float, default=0.2, help="share of children hidden")
    p.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    p.set_defaults(func=_evaluate)


def _infer(args: argparse.Namespace) -> int:
    from constellation.loader.lineage.infer import infer_lineage

    from constellation.errors import UserError

    if args.top < 1:
        raise UserError(f"--top {args.top}: expected at least 1")
    if not 0 <= args.min_score < 1:
        raise UserError(f"--min-score {args.min_score}: expected a number in [0, 1)")
    summary = infer_lineage(
        args.artifacts, args.top, args.min_score, args.seed, args.retrain, args.previous
    )
    if not args.quiet:
        print(
            f"inferred {summary['links']:,} likely links for {summary['children']:,} of "
            f"{summary['without_parent']:,} models without a declared parent "
            f"({summary['confident']:,} scored >= 0.8) -> {summary['path']} "
            f"in {summary['seconds']:.1f}s",
            file=sys.stderr,
        )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from constellation.loader.lineage.evaluate import evaluate_lineage

    report = evaluate_lineage(args.artifacts, args.lineage, args.holdout, args.seed)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
