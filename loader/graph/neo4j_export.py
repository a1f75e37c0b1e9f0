"""Artifacts -> CSV files for `neo4j-admin database import full` (Neo4j's bulk first load).

    constellation export --neo4j-admin DIR --artifacts ARTIFACTS

writes into DIR, for the graph `constellation load` makes (`stream.graph_stream`, bookkeeping hashes
included, so a later incremental `load` of the same artifacts writes nothing):

- `nodes_<Label>.csv`: `:ID(<Label>)` (an ID space per label: model ids and cluster numbers never
  collide) and the typed properties (`id`, `downloads:long`, `tags:string[]`, `external:boolean`,
  `threshold:double` …); a Model's id column is `id:ID(Model)` (its id is the `id` property);
- `rels_<TYPE>.csv`: `:START_ID(<Label>)`, `:END_ID(<Label>)`, `:TYPE` and typed properties
  (`score:double`: the writer stores 64-bit floats, neo4j-admin's `float` would keep 32 bits);
- `schema.cypher`: the writer's constraints and indexes, to run once the import is done
  (neo4j-admin creates none);
- `import.sh`: the neo4j-admin command for these files (`sh import.sh` in this folder, Neo4j
  stopped; `--overwrite-destination`: it replaces the database `neo4j`).

Fields: strings are always quoted (an unquoted empty field is a missing property, a quoted one
an empty string), arrays are joined with `;` (neo4j-admin's default array delimiter), and any
string holding a line break needs `--multiline-fields=true`, which the command line includes.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from constellation.loader.gc_pause import paused_gc
from constellation.loader.graph import writer_cypher as cy
from constellation.loader.graph.stream import LABEL_KEYS, GraphStream, graph_stream, summary_counts

from constellation.errors import UserError

ARRAY_DELIMITER = ";"


def _kind(values: list[Any]) -> str:
    """The neo4j-admin type of a column from its values (None = missing)."""
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("long")
        elif isinstance(v, float):
            kinds.add("double")
        elif isinstance(v, list):  # ints only (summaries' downloads, children): long[]
            ints = all(isinstance(x, int) and not isinstance(x, bool) for x in v)
            kinds.add("[]" if not v else "long[]" if ints else "string[]")
        else:
            kinds.add("string")
    if kinds <= {"long", "double"} and "double" in kinds:
        return "double"
    if "[]" in kinds:  # an empty list carries no type: the others' type, else text
        kinds = (kinds - {"[]"}) or {"string[]"}
    if len(kinds) == 1:
        return kinds.pop()
    return "string"  # mixed or empty: text, as neo4j-admin would read it anyway


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _field(value: Any, kind: str, where: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("long", "double"):
        if isinstance(value, float) and not math.isfinite(value):
            raise UserError(f"{where}: {value!r} cannot be written for neo4j-admin")
        return repr(value)
    if kind in ("string[]", "long[]"):
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in v for v in items):
            raise UserError(
                f"{where}: an item holds {ARRAY_DELIMITER!r}, neo4j-admin's array delimiter"
            )
        return _quote(ARRAY_DELIMITER.join(items))
    return _quote(value if isinstance(value, str) else str(value))


def _columns(columns: dict[str, list[Any]]) -> dict[str, str]:
    """Property name -> neo4j-admin type; columns with no value at all are left out."""
    kinds = {name: _kind(values) for name, values in columns.items()}
    return {name: kinds[name] for name, values in columns.items()
            if any(v is not None for v in values)}  # fmt: skip


def _write(path: Path, header: list[str], lines: list[str]) -> bool:
    """Writes the file; True if some field holds a line break (needs --multiline-fields)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for line in lines:
            fh.write(line + "\n")
    return any("\n" in line or "\r" in line for line in lines)


def node_columns(label: str, columns_: dict[str, list[Any]]) -> list[tuple[str, str | None, str]]:
    """(header entry, property or None, type) per column: the ID first, then `:LABEL`, then
    the properties. A text key (Model id, names) is the ID and its property at once; a number
    (Community, Cluster) gets an ID column of its own, which neo4j-admin does not store."""
    key = LABEL_KEYS.get(label, "id")
    columns = _columns(columns_)
    out: list[tuple[str, str | None, str]] = []
    if columns.get(key, "string") == "string":
        out.append((f"{key}:ID({label})", key, "string"))
    else:
        out.append((f":ID({label})", None, "string"))
    out.append((":LABEL", None, "string"))
    for name, kind in columns.items():
        if out[0][1] == name:
            continue
        out.append((name if kind == "string" else f"{name}:{kind}", name, kind))
    return out


def _build_row(g: GraphStream) -> dict[str, Any]:
    """The Build node a completed `load` leaves (status complete, current)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = summary_counts(g)
    return {
        "id": str(g.manifest["build_id"]),
        "status": "complete",
        "started_at": now,
        "manifest": json.dumps(g.manifest, sort_keys=True, default=str),
        "current": True,
        "loaded_at": now,
        "counts": json.dumps(counts, sort_keys=True),
    }


def _nodes_file(out: Path, label: str, names: list[str], rows: list[dict[str, Any]]) -> bool:
    """nodes_<label>.csv; True if some field holds a line break."""
    key = LABEL_KEYS.get(label, "id")
    columns = node_columns(label, {n: [row.get(n) for row in rows] for n in names})
    lines = []
    for row in rows:
        fields = []
        for entry, name, kind in columns:
            if name is not None:
                fields.append(_field(row.get(name), kind, f"{label} {row.get(key)!r} {name}"))
            else:  # the ID of a numeric key, or the label
                fields.append(_quote(str(row[key])) if entry.startswith(":ID") else label)
        lines.append(",".join(fields))
    return _write(out / f"nodes_{label}.csv", [c[0] for c in columns], lines)


def export_neo4j_admin(artifacts_dir: str | Path, out: str | Path) -> dict[str, int]:
    """Write the CSVs, schema.cypher and import.sh into `out`; returns rows per file."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UserError(f"--neo4j-admin {out}: folder is not empty (give a new or empty one)")
    with paused_gc(collect=True):
        return _export(artifacts_dir, out)


def _export(artifacts_dir: str | Path, out: Path) -> dict[str, int]:
    g = graph_stream(artifacts_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    multiline = False
    node_args, rel_args = [], []
    for label, vertices in g.vertices.items():
        rows = [row for chunk in vertices.chunks() for row in chunk]
        multiline |= _nodes_file(out, label, vertices.names, rows)
        written[f"nodes_{label}.csv"] = len(rows)
        node_args.append(f"--nodes=nodes_{label}.csv")
    for rel, edges in g.edges.items():
        sources: list[Any] = []
        targets: list[Any] = []
        props: dict[str, list[Any]] = {}
        for src, dst, chunk_props in edges.chunks():
            sources += src
            targets += dst
            for name, values in (chunk_props or {}).items():
                props.setdefault(name, []).extend(v.item() if hasattr(v, "item") else v
                                                  for v in values)  # fmt: skip
        edges.count = len(sources)
        kinds = _columns(props)
        header = [f":START_ID({edges.source_label})", f":END_ID({edges.target_label})", ":TYPE"]
        header += [n if k == "string" else f"{n}:{k}" for n, k in kinds.items()]
        lines = []
        for i, (src, dst) in enumerate(zip(sources, targets, strict=True)):
            fields = [_quote(str(src)), _quote(str(dst)), rel]
            fields += [_field(props[n][i], k, f"{rel} {src!r}->{dst!r} {n}")
                       for n, k in kinds.items()]  # fmt: skip
            lines.append(",".join(fields))
        name = f"rels_{rel}.csv"
        multiline |= _write(out / name, header, lines)
        written[name] = len(sources)
        rel_args.append(f"--relationships={name}")
    build_row = _build_row(g)
    multiline |= _nodes_file(out, "Build", list(build_row), [build_row])
    written["nodes_Build.csv"] = 1
    node_args.append("--nodes=nodes_Build.csv")
    (out / "schema.cypher").write_text(";\n".join([*cy.CONSTRAINTS, *cy.INDEXES]) + ";\n")
    command = [
        "neo4j-admin database import full", *node_args, *rel_args,
        f"--array-delimiter='{ARRAY_DELIMITER}'",
        *(["--multiline-fields=true"] if multiline else []), "--overwrite-destination", "neo4j",
    ]  # fmt: skip
    (out / "import.sh").write_text(" \\\n  ".join(command) + "\n")
    return written
