"""The `constellation` command.

Each area registers its own sub-commands (`register(subparsers)`), so this file stays a thin
dispatcher and heavy imports (scikit-learn, Dash) happen only inside the command that needs them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from constellation.errors import UserError

# Module -> the sub-commands it registers.
COMMAND_MODULES = (
    "constellation.loader.commands",  # build, evaluate, generate
    "constellation.loader.fetch",  # fetch
    "constellation.server",  # db start|stop|status
    "constellation.queries.commands",  # load, query, cypher
    "constellation.dashboard.commands",  # serve, demo
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="constellation",
        description="An atlas of the Hugging Face model ecosystem in a graph database.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # an area not built yet must not break the others
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"constellation {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
