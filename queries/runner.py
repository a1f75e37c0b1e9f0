"""Named, parameterised Cypher queries: one `.cypher` file per query in this folder.

Each file starts with a `//` comment header that documents the query and declares its
parameters in a form this module parses for validation, defaults and `--help`::

    // related: a model's most similar models, with scores.
    // @param id model                Model id (owner/name)
    // @param limit int(1..200) = 20  Rows to return

`@param NAME TYPE [= DEFAULT] DOC`. Types: `string`, `model` (a model id; an empty answer
for an unknown id becomes a clear error), `int`/`float` with an optional inclusive range
`int(1..500)`, `bool`, `date` (ISO date or timestamp, passed on as `YYYY-MM-DDTHH:MM:SSZ`
text, which is how the graph stores dates) and `choice(a|b)`. Without a default the
parameter is required; `= null` makes it optional.

Usage::

    from constellation.queries.runner import list_queries, run_query
    rows = run_query(driver, "related", {"id": "gpt2", "limit": "5"}, database="hf")
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from constellation.errors import UserError, graph_errors

QUERY_DIR = Path(__file__).resolve().parent
DEFAULT_TIMEOUT = 30.0  # seconds; sent as the transaction timeout

_REQUIRED = object()  # default of a parameter that must be given
_PARAM_RE = re.compile(
    r"^@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+(?:\([^)]*\))?)"
    r"(?:\s*=\s*(?P<default>\"[^\"]*\"|\S+))?\s*(?P<doc>.*)$"
)
_TYPES = {"string", "model", "int", "float", "bool", "date", "choice"}
# Bolt integers are 64-bit: the driver cannot send anything outside this range.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Param:
    """One declared query parameter."""

    name: str
    type: str  # one of _TYPES
    default: Any = _REQUIRED
    doc: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    end_of_day: bool = False  # `date(end)`: a date-only value means the end of that day

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def type_label(self) -> str:
        if self.type == "choice":
            return "|".join(self.choices)
        if self.end_of_day:
            return "date, inclusive"
        if self.minimum is not None or self.maximum is not None:
            lo = "" if self.minimum is None else _fmt_num(self.minimum)
            hi = "" if self.maximum is None else _fmt_num(self.maximum)
            return f"{self.type} {lo}..{hi}"
        return self.type

    def usage(self) -> str:
        """`name (type, default X): doc` for help texts."""
        if self.required:
            extra = "required"
        elif self.default is None:
            extra = "optional"
        else:
            extra = f"default {self.default}"
        return f"{self.name} ({self.type_label}, {extra}): {self.doc}"

    def convert(self, value: Any) -> Any:
        """Check `value` (a CLI string or a Python value) and return it as the declared type."""
        if value is None or (isinstance(value, str) and value == "" and self.type != "string"):
            if self.required:
                raise UserError(f"parameter '{self.name}' is required ({self.usage()})")
            return self.default
        converted = _CONVERTERS[self.type](self, value)
        if self.minimum is not None and converted < self.minimum:
            raise UserError(
                f"parameter '{self.name}' must be at least {_fmt_num(self.minimum)}, got {value!r}"
            )
        if self.maximum is not None and converted > self.maximum:
            raise UserError(
                f"parameter '{self.name}' must be at most {_fmt_num(self.maximum)}, got {value!r}"
            )
        return converted


@dataclass(frozen=True)
class QuerySpec:
    """A named query: its Cypher text and declared parameters."""

    name: str
    summary: str
    description: str
    params: dict[str, Param] = field(default_factory=dict)
    text: str = ""
    path: Path | None = None

    def help(self) -> str:
        lines = [f"{self.name}: {self.summary}"]
        if self.description:
            lines.append(self.description)
        lines += ["parameters:"] + [f"  {p.usage()}" for p in self.params.values()]
        return "\n".join(lines)

    def bind(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validated parameters: unknown, missing or badly typed ones raise UserError."""
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise UserError(
                f"query '{self.name}' has no parameter '{unknown[0]}' "
                f"(parameters: {', '.join(self.params) or 'none'})"
            )
        return {name: p.convert(params.get(name)) for name, p in self.params.items()}


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _to_int(p: Param, v: Any) -> int:
    if isinstance(v, bool):
        raise UserError(f"parameter '{p.name}' must be an integer, got {v!r}")
    if isinstance(v, int):
        out = v
    elif isinstance(v, float) and v.is_integer():
        out = int(v)
    elif isinstance(v, str) and re.fullmatch(r"\s*[-+]?\d+\s*", v):
        # past 4300 digits int() refuses the text; far out of range either way
        out = int(v) if len(v) < 100 else INT64_MAX + 1
    else:
        raise UserError(f"parameter '{p.name}' must be an integer, got {v!r}")
    if not INT64_MIN <= out <= INT64_MAX:
        raise UserError(
            f"parameter '{p.name}' is out of range: integers go from {INT64_MIN} to {INT64_MAX}"
        )
    return out


def _to_float(p: Param, v: Any) -> float:
    if isinstance(v, bool):
        raise UserError(f"parameter '{p.name}' must be a number, got {v!r}")
    try:
        out = float(v)
    except (TypeError, ValueError):
        raise UserError(f"parameter '{p.name}' must be a number, got {v!r}") from None
    if not math.isfinite(out):
        raise UserError(f"parameter '{p.name}' must be a finite number, got {v!r}")
    return out


def _to_bool(p: Param, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off"}:
        return False
    raise UserError(f"parameter '{p.name}' must be true or false, got {v!r}")


def _to_string(p: Param, v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    raise UserError(f"parameter '{p.name}' must be text, got {v!r}")


def _to_model(p: Param, v: Any) -> str:
    text = _to_string(p, v).strip()
    if not text:
        raise UserError(f"parameter '{p.name}' must be a model id, got an empty string")
    return text


def _to_date(p: Param, v: Any) -> str:
    date_only = False
    if isinstance(v, datetime):
        ts = v
    elif isinstance(v, date):
        ts, date_only = datetime(v.year, v.month, v.day), True
    else:
        text = str(v).strip()
        date_only = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            raise UserError(
                f"parameter '{p.name}' must be an ISO date like 2023-07-01, got {v!r}"
            ) from None
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    if date_only and p.end_of_day:
        ts = ts.replace(hour=23, minute=59, second=59)
    # The graph stores dates as `2023-07-01T12:00:00Z` text: compare like with like.
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _to_choice(p: Param, v: Any) -> str:
    text = str(v).strip().lower()
    if text not in p.choices:
        raise UserError(f"parameter '{p.name}' must be one of {'|'.join(p.choices)}, got {v!r}")
    return text


_CONVERTERS = {
    "string": _to_string,
    "model": _to_model,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "date": _to_date,
    "choice": _to_choice,
}


def parse_header(name: str, text: str, path: Path | None = None) -> QuerySpec:
    """Read the leading `//` comment block of a query file into a QuerySpec."""
    summary = ""
    description: list[str] = []
    params: dict[str, Param] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            break
        body = stripped[2:].strip()
        if body.startswith("@param"):
            param = _parse_param(name, body)
            params[param.name] = param
        elif not summary:
            summary = body.split(":", 1)[1].strip() if body.startswith(f"{name}:") else body
        elif body:
            description.append(body)
    return QuerySpec(name, summary, "\n".join(description), params, text, path)


def _parse_param(query: str, body: str) -> Param:
    m = _PARAM_RE.match(body)
    if not m:
        raise ValueError(f"{query}.cypher: cannot parse parameter line {body!r}")
    kind, _, spec = m["type"].partition("(")
    spec = spec.rstrip(")")
    if kind not in _TYPES:
        raise ValueError(f"{query}.cypher: unknown parameter type {kind!r}")
    choices: tuple[str, ...] = ()
    lo = hi = None
    end_of_day = False
    if kind == "choice":
        choices = tuple(c.strip().lower() for c in spec.split("|") if c.strip())
    elif kind == "date":
        if spec not in ("", "end"):
            raise ValueError(f"{query}.cypher: date takes no argument but `end`, got {spec!r}")
        end_of_day = spec == "end"
    elif spec:
        lo_s, _, hi_s = spec.partition("..")
        lo = float(lo_s) if lo_s.strip() else None
        hi = float(hi_s) if hi_s.strip() else None
    param = Param(m["name"], kind, _REQUIRED, m["doc"].strip(), choices, lo, hi, end_of_day)
    raw = m["default"]
    if raw is not None:
        if raw == "null":
            default: Any = None
        else:
            default = param.convert(raw.strip('"'))
        param = Param(param.name, kind, default, param.doc, choices, lo, hi, end_of_day)
    return param


@cache
def list_queries() -> dict[str, QuerySpec]:
    """All named queries by name, parsed from the `.cypher` files next to this module."""
    out = {}
    for path in sorted(QUERY_DIR.glob("*.cypher")):
        out[path.stem] = parse_header(path.stem, path.read_text(encoding="utf-8"), path)
    return out


def get_query(name: str) -> QuerySpec:
    queries = list_queries()
    if name not in queries:
        raise UserError(f"no query named '{name}' (available: {', '.join(queries)})")
    return queries[name]


# --- results ------------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Driver values -> plain Python: nodes, relationships and paths become dicts and lists."""
    from neo4j.graph import Node, Path, Relationship

    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Node):
        return _node(value)
    if isinstance(value, Relationship):
        return _relationship(value)
    if isinstance(value, Path):
        # [node, relationship, node, ...] in path order.
        out: list[Any] = [_node(value.start_node)]
        for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
            out += [_relationship(rel), _node(node)]
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "iso_format"):  # neo4j.time Date/DateTime/Duration
        return value.iso_format()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _node(node: Any) -> dict[str, Any]:
    return {
        "element_id": node.element_id,
        "labels": sorted(node.labels),
        "properties": {k: to_jsonable(v) for k, v in node.items()},
    }


def _relationship(rel: Any) -> dict[str, Any]:
    return {
        "element_id": rel.element_id,
        "type": rel.type,
        "start": rel.start_node.element_id if rel.start_node is not None else None,
        "end": rel.end_node.element_id if rel.end_node is not None else None,
        "properties": {k: to_jsonable(v) for k, v in rel.items()},
    }


# --- running ------------------------------------------------------------------------------


def run_query(
    driver: Any,
    name: str,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[dict[str, Any]]:
    """Run the named query in READ access mode; rows as plain dicts (JSON-able values)."""
    import neo4j

    spec = get_query(name)
    values = spec.bind(params)

    # One explicit read transaction, no automatic retries: when the server is down the
    # caller hears it at once (execute_read would retry for 30 s), and it is never committed.
    with graph_errors(), driver.session(
        database=database, default_access_mode=neo4j.READ_ACCESS
    ) as session:
        with session.begin_transaction(timeout=timeout) as tx:
            result = tx.run(spec.text, values)
            rows = [{k: to_jsonable(v) for k, v in record.items()} for record in result]
            if not rows:
                _check_models_exist(tx, spec, values)
            tx.rollback()
    return rows


def _check_models_exist(tx: Any, spec: QuerySpec, values: dict[str, Any]) -> None:
    """An empty answer for an unknown model id would look like 'no results': say so instead."""
    for p in spec.params.values():
        model_id = values.get(p.name)
        if p.type != "model" or model_id is None:
            continue
        found = tx.run("MATCH (m:Model {id: $id}) RETURN count(m) AS n", id=model_id).single()["n"]
        if not found:
            raise UserError(f"parameter '{p.name}': no model with id {model_id!r} in the graph")
