"""Sub-command of graph writing: `load` (listed in constellation/cli.py).

    constellation load --artifacts DIR [--batch-size N]

Heavy imports (pandas, the graph driver) stay inside `_cmd_load`: the CLI imports this module
for `--help`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_load(sub: argparse._SubParsersAction) -> None:
    from constellation.loader.graph.writer_cypher import DEFAULT_BATCH_SIZE

    parser = sub.add_parser(
        "load",
        help="write build artifacts into the graph (only what changed)",
        description=(
            "Make the graph equal to the artifacts of `constellation build`: creates constraints "
            "and indexes, writes new/changed models, communities, clusters and edges in batched "
            "managed transactions, deletes what the artifacts no longer hold. Rerun to finish an "
            "interrupted load. Graph: NEO4J_URI/USER/PASSWORD/DATABASE, else the local server."
        ),
    )
    parser.add_argument("--artifacts", required=True, type=Path, metavar="DIR",
                        help="folder written by `constellation build --out DIR`")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=_cmd_load)


def _cmd_load(args: argparse.Namespace) -> int:
    from constellation.loader.graph.writer import load_artifacts, summary

    from constellation.graph import GraphConfig, connect

    config = GraphConfig.from_env()
    with connect(config) as driver:
        counts = load_artifacts(
            driver,
            args.artifacts,
            database=config.database,
            batch_size=args.batch_size,
            progress=not args.no_progress,
        )
    print(summary(counts))
    return 0
