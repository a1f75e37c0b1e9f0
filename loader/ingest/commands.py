"""Sub-commands of ingest: `fetch`, `generate` (listed in constellation/cli.py).

Kept apart from the code they run so that `constellation --help` imports neither numpy, pandas
nor huggingface_hub: the modules doing the work are imported inside the command functions. The
CLI decides about diagnostics: `constellation.cli` sets up logging, `--quiet` turns bars off.

Usage::

    constellation fetch --out hub.jsonl --pipeline-tag text-generation --author TheBloke
    constellation fetch --out hub.jsonl          # again: only what changed since, deletions too
    constellation generate --n 1000000 --out ids.parquet
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

# the Hub's largest page (loader/ingest/hub.py:MAX_PAGE_SIZE; that module is light too)
from constellation.loader.ingest.hub import MAX_PAGE_SIZE

from constellation.errors import UserError


def add_fetch(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "fetch",
        help="fetch model metadata from the Hugging Face Hub into a snapshot (resumable)",
        description=(
            "Fetch model metadata from the Hub into a JSONL snapshot. Rerun to resume an"
            " interrupted fetch, or to refresh a complete snapshot with only what changed"
            " (deleted models are removed and logged to OUT.deleted.log). HF_TOKEN is used"
            " when set; HF_ENDPOINT or --endpoint picks the Hub."
        ),
    )
    p.add_argument("--out", required=True, type=Path, help="snapshot file (JSONL)")
    p.add_argument("--pipeline-tag", help="only models with this pipeline tag")
    p.add_argument("--author", help="only models of this user or organisation")
    p.add_argument("--search", help="only models whose id contains this text")
    p.add_argument("--limit", type=int, help="at most this many models")
    p.add_argument("--since", type=_since_arg, help="only models changed since DATE")
    p.add_argument("--endpoint", help="Hub URL (default: HF_ENDPOINT or https://huggingface.co)")
    p.add_argument("--page-size", type=int, default=MAX_PAGE_SIZE, help="models per request")
    p.add_argument("--fresh", action="store_true", help="start over instead of resume/refresh")
    p.add_argument(
        "--no-deletions",
        dest="detect_deletions",
        action="store_false",
        help="skip the id listing that detects deleted models during a refresh",
    )
    p.add_argument(
        "--kind",
        choices=("models", "datasets", "spaces"),
        default="models",
        help="which listing: models (default), datasets or Spaces (`build --datasets/--spaces`)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_fetch)


def _since_arg(text: str) -> datetime:
    from constellation.loader.ingest.fetch import parse_since

    try:
        return parse_since(text)
    except UserError as exc:  # argparse reports it as a usage error naming --since
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--since ")) from None


def _fetch(args: argparse.Namespace) -> int:
    from constellation.loader.ingest.fetch import FetchQuery, fetch_snapshot

    query = FetchQuery(
        pipeline_tag=args.pipeline_tag, author=args.author, search=args.search, limit=args.limit,
        kind=args.kind,
    )
    result = fetch_snapshot(
        args.out,
        query,
        since=args.since,
        endpoint=args.endpoint,
        fresh=args.fresh,
        detect_deletions=args.detect_deletions,
        page_size=args.page_size,
        progress=not args.quiet,
    )
    print(result.summary())
    return 0


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
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_generate)


def _generate(args: argparse.Namespace) -> int:
    """Write the table, then a one-line summary on stderr."""
    from constellation.loader.ingest import generate

    start = time.perf_counter()
    if Path(args.out).suffix.lower() not in (".parquet", ".pq", ".csv"):
        raise UserError(f"{args.out}: --out must end in .parquet or .csv")
    frame = generate.generate_ids(
        args.n, seed=args.seed, sources=args.source, progress=not args.quiet
    )
    out = generate.write_ids(frame, args.out)
    if not args.quiet:
        counts = ", ".join(f"{k} {v:,}" for k, v in frame["variant"].value_counts().items())
        print(
            f"generate: wrote {len(frame):,} distinct ids to {out} in "
            f"{time.perf_counter() - start:.1f} s ({counts})",
            file=sys.stderr,
        )
    return 0
