"""Sub-command of ingest: `generate` (listed in constellation/cli.py; `fetch` is in fetch.py).

Kept apart from generate.py so that `constellation --help` does not import numpy and pandas.

Usage::

    constellation generate --n 1000000 --out ids.csv
"""

from __future__ import annotations

import argparse


def add_generate(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "generate",
        help="expand the real names in ../shared/data into N realistic, distinct model ids",
    )
    p.add_argument("--n", type=int, default=1_000_000, help="number of ids (default 1,000,000)")
    p.add_argument("--out", required=True, metavar="FILE", help="CSV (or .parquet) to write")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--source",
        action="append",
        metavar="PATH",
        help="real metadata to expand (default: ../shared/data)",
    )
    p.set_defaults(func=_generate)


def _generate(args: argparse.Namespace) -> int:
    from constellation.loader.ingest import generate

    return generate.run_generate(args)
