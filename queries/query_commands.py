"""`constellation query` and `constellation cypher`: named queries and the read-only console.

    constellation query --list
    constellation query related --param id=gpt2 --param limit=5 [--format table|json|csv]
    constellation query family --help-params
    constellation cypher "MATCH (m:Model) WHERE m.id = $id RETURN m.downloads" --param id=gpt2

`constellation/cli.py` lists these (`add_query`, `add_cypher`); heavy imports stay inside the
command functions.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from constellation.errors import UserError

FORMATS = ("table", "json", "csv")
CELL_WIDTH = 60  # table cells are cut to this many characters


def add_query(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "query",
        help="run a named query (`constellation query --list`)",
        description=(
            "Run one of the named, parameterised Cypher queries in queries/*.cypher, read-only. "
            "`--list` shows them; `NAME --help-params` shows one query's parameters. "
            "Graph: NEO4J_URI/USER/PASSWORD/DATABASE, else the local server."
        ),
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="query name")
    parser.add_argument("--list", action="store_true", help="list the named queries")
    parser.add_argument("--help-params", action="store_true",
                        help="show the query's parameters and exit")
    _common(parser)
    parser.set_defaults(func=_cmd_query)


def add_cypher(sub: argparse._SubParsersAction) -> None:
    from constellation.queries.console import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT

    parser = sub.add_parser(
        "cypher",
        help="run read-only Cypher (writes are refused)",
        description=(
            "Run one read-only Cypher statement as a user whose writes the graph server refuses "
            "(write clauses, writing procedures and administration commands are also refused "
            "before anything is sent; the transaction is read-only and rolled back). Pass values "
            "with --param key=value and use $key in the query (values are never spliced into "
            "the text)."
        ),
    )
    parser.add_argument("cypher", metavar="CYPHER", help="the statement ('-' reads stdin)")
    parser.add_argument("--timeout", type=str, default=None, metavar="S",
                        help="seconds the query may run, at most the server's limit (default: "
                             f"that limit; {DEFAULT_TIMEOUT:g} s on a server of unknown limit)")
    parser.add_argument("--row-cap", type=int, default=DEFAULT_ROW_CAP, metavar="N",
                        help=f"most rows returned (default {DEFAULT_ROW_CAP})")
    _common(parser)
    parser.set_defaults(func=_cmd_cypher)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter (repeatable)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="table",
                        help="output format (default table)")


def parse_params(items: list[str]) -> dict[str, str]:
    """`["a=1", "b=x=y"]` -> `{"a": "1", "b": "x=y"}`; UserError for an item without `=`."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"--param {item!r}: expected KEY=VALUE")
        if key in out:
            raise UserError(f"--param {key} given twice")
        out[key] = value
    return out


def _cmd_query(args: argparse.Namespace) -> int:
    from constellation.queries.runner import get_query, list_queries, run_query

    if args.list or not args.name:
        for spec in list_queries().values():
            params = " ".join(
                p.name if p.required else f"[{p.name}]" for p in spec.params.values()
            )
            print(f"{spec.name}: {spec.summary}")
            print(f"    params: {params or '-'}")
        if not args.list:
            print("\nrun: constellation query NAME --param key=value …", file=sys.stderr)
        return 0
    spec = get_query(args.name)
    if args.help_params:
        print(spec.help())
        return 0
    params = parse_params(args.param)
    spec.bind(params)  # bad parameters fail before connecting

    from constellation.graph import GraphConfig, connect

    config = GraphConfig.from_env(read_only=True)
    with connect(config) as driver:
        rows = run_query(driver, args.name, params, database=config.database)
    columns = list(rows[0]) if rows else []
    write_rows(sys.stdout, columns, [[r.get(c) for c in columns] for r in rows], args.format)
    return 0


def _cmd_cypher(args: argparse.Namespace) -> int:
    from constellation.queries.console import (
        DEFAULT_TIMEOUT,
        check_readonly,
        check_timeout,
        run_readonly,
    )

    cypher = sys.stdin.read() if args.cypher == "-" else args.cypher
    check_readonly(cypher)  # refuse before connecting
    params = parse_params(args.param)

    from constellation.graph import GraphConfig, connect

    config = GraphConfig.from_env(read_only=True)  # a user whose writes the server refuses
    limit = config.query_timeout
    timeout = check_timeout(args.timeout or limit or DEFAULT_TIMEOUT, limit)
    with connect(config) as driver:
        result = run_readonly(driver, cypher, params=params, database=config.database,
                              timeout=timeout, row_cap=args.row_cap, server_limit=limit)
    write_rows(sys.stdout, result.columns, result.rows, args.format)
    note = f"{len(result.rows)} row(s) in {result.elapsed_ms:.0f} ms"
    if result.truncated:
        note += f" (truncated at the row cap of {args.row_cap})"
    print(note, file=sys.stderr)
    return 0


# --- output -------------------------------------------------------------------------------


def write_rows(out: Any, columns: list[str], rows: list[list[Any]], fmt: str) -> None:
    """Rows (lists in `columns` order, JSON-able values) as a table, JSON or CSV."""
    if fmt == "json":
        json.dump([dict(zip(columns, r, strict=True)) for r in rows], out, indent=2,
                  ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_csv_cell(v) for v in r])
    else:
        out.write(format_table(columns, rows))


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def format_table(columns: list[str], rows: list[list[Any]]) -> str:
    """An aligned text table. A single row holding lists of records (the `neighbourhood`
    answer) is shown as one sub-table per list."""
    if not rows:
        return "(no rows)\n"
    if len(rows) == 1:
        nested = [i for i, v in enumerate(rows[0]) if _is_records(v)]
        if nested:
            parts = []
            flat = [i for i in range(len(columns)) if i not in nested]
            if flat:
                parts.append(format_table([columns[i] for i in flat], [[rows[0][i] for i in flat]]))
            for i in nested:
                records = rows[0][i]
                keys = list(dict.fromkeys(k for rec in records for k in rec))
                parts.append(f"\n{columns[i]} ({len(records)}):\n")
                parts.append(format_table(keys, [[rec.get(k) for k in keys] for rec in records]))
            return "".join(parts)
    text = [[_cell(v) for v in r] for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in text)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[i], int | float) or r[i] is None for r in rows)
               for i in range(len(columns))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in text]
    return "\n".join(out) + "\n"


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"
