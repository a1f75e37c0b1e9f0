"""Sub-commands of graph writing: `load`, `export` (listed in constellation/cli.py).

    constellation load --artifacts DIR [--batch-size N] [--previous DIR | --full]
    constellation load --artifacts DIR --bulk      # first load into an empty local database
    constellation export --artifacts DIR --neo4j-admin OUT   # CSVs for neo4j-admin import

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
            "interrupted load. A refresh (the graph holds the build before this one, and its "
            "artifacts are still in the folder it was loaded from, or in --previous) diffs the "
            "two builds' artifacts instead of every row with the graph; the output says which "
            "path it took. Graph: NEO4J_URI/USER/PASSWORD/DATABASE, else the local server."
        ),
    )
    parser.add_argument("--artifacts", required=True, type=Path, metavar="DIR",
                        help="folder written by `constellation build --out DIR`")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--bulk", action="store_true",
                        help="first load into an EMPTY database of the local server through the "
                             "engine's batch API (much faster; refused unless empty)")
    parser.add_argument("--previous", type=Path, metavar="DIR",
                        help="artifacts of the build the graph holds, to diff against (default: "
                             "the folder that build was loaded from, if it still holds it)")
    parser.add_argument("--full", action="store_true",
                        help="diff every row with the graph, not with the previous build's "
                             "artifacts")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=_cmd_load)


def _cmd_load(args: argparse.Namespace) -> int:
    from constellation.loader.graph.writer import load_artifacts, summary

    from constellation.errors import graph_errors
    from constellation.graph import GraphConfig, connect

    config = GraphConfig.from_env()
    if args.bulk:
        from constellation.loader.graph.bulk import bulk_load

        print(summary(bulk_load(config, args.artifacts)))
        return 0
    # a server error mid-load (its time limit, a refusal) is one line, as for queries
    with connect(config) as driver, graph_errors(f" at {config.uri}", database=config.database):
        counts = load_artifacts(
            driver,
            args.artifacts,
            database=config.database,
            batch_size=args.batch_size,
            progress=not args.no_progress,
            previous=args.previous,
            full=args.full,
        )
    print(summary(counts))
    return 0


def add_export(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="write build artifacts as files for another engine's bulk import",
        description=(
            "--neo4j-admin OUT: node and relationship CSVs with the headers "
            "`neo4j-admin database import full` expects, for the graph `constellation load` "
            "makes, plus schema.cypher (constraints, indexes) and import.sh (the command)."
        ),
    )
    parser.add_argument("--artifacts", required=True, type=Path, metavar="DIR",
                        help="folder written by `constellation build --out DIR`")
    parser.add_argument("--neo4j-admin", required=True, type=Path, metavar="OUT",
                        help="new or empty folder for the CSVs")
    parser.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from constellation.loader.graph.neo4j_export import export_neo4j_admin

    written = export_neo4j_admin(args.artifacts, args.neo4j_admin)
    rows = sum(written.values())
    print(f"wrote {len(written)} CSV files ({rows:,} rows) into {args.neo4j_admin}; "
          f"command: {args.neo4j_admin / 'import.sh'}, then {args.neo4j_admin / 'schema.cypher'}")
    return 0
