"""Read-only Cypher console: run a user's query without letting it change the graph.

Four layers, because no single one is enough on every engine:

1. `check_readonly(cypher)` tokenizes the text (string literals, backtick names and comments
   are skipped, so `RETURN 'CREATE'` passes and `/*x*/CREATE` does not) and refuses write
   clauses, procedure calls outside a read-only allow-list, `CALL … IN TRANSACTIONS`,
   `LOAD CSV`, administration commands and several statements — before anything is sent.
2. The transaction is opened in READ access mode (Neo4j refuses writes there; ArcadeDB does not).
3. It is always rolled back, never committed.
4. Values come in as driver parameters, never spliced into the text.

The transaction timeout is sent to the server (Neo4j enforces it) and also enforced here, since
ArcadeDB ignores the driver's timeout; the row cap stops fetching after `row_cap` rows.

Usage::

    result = run_readonly(driver, "MATCH (m:Model) WHERE m.id = $id RETURN m",
                          params={"id": "gpt2"}, database="hf")
    result.columns, result.rows, result.truncated, result.elapsed_ms
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from constellation.queries.runner import graph_errors, to_jsonable

from constellation.errors import UserError

DEFAULT_TIMEOUT = 10.0  # seconds
DEFAULT_ROW_CAP = 1000
MAX_QUERY_CHARS = 20_000

# Keywords that start a clause that writes: refused wherever they stand as a keyword.
WRITE_KEYWORDS = frozenset(
    {"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD", "INSERT"}
)
# Administration commands (`START DATABASE x`, `GRANT ROLE …`, `USE db`): refused when a word
# follows, so that a variable called `start` or `stop` still works.
ADMIN_KEYWORDS = frozenset(
    {
        "ALTER", "GRANT", "REVOKE", "DENY", "RENAME", "START", "STOP", "TERMINATE", "ENABLE",
        "DISABLE", "USE", "IMPORT", "COPY", "TRUNCATE", "UPDATE", "UPSERT", "SUSPEND",
        "REALLOCATE", "DEALLOCATE",
    }
)  # fmt: skip

# Procedures that only read (lower-case names); any other `CALL name(...)` is refused.
READ_PROCEDURES = frozenset(
    {
        "db.labels", "db.relationshiptypes", "db.propertykeys", "db.indexes", "db.constraints",
        "db.schema.visualization", "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
        "db.info", "dbms.components", "dbms.procedures", "dbms.functions",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ConsoleResult:
    """What a console query returned: plain JSON-able rows (lists in `columns` order)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Token:
    kind: str  # word | param | symbol | number
    text: str
    pos: int


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def tokenize(cypher: str) -> list[Token]:
    """Words, parameters, numbers and symbols; strings, backtick names and comments skipped.

    Raises UserError for an unterminated string, name or comment (the server would read the
    rest of the text differently from us).
    """
    tokens: list[Token] = []
    i, n = 0, len(cypher)
    while i < n:
        c = cypher[i]
        if c.isspace():
            i += 1
        elif cypher.startswith("//", i):
            end = cypher.find("\n", i)
            i = n if end < 0 else end + 1
        elif cypher.startswith("/*", i):
            end = cypher.find("*/", i + 2)
            if end < 0:
                raise UserError(f"unterminated /* comment at character {i}")
            i = end + 2
        elif c in "'\"":
            i = _skip_string(cypher, i)
            tokens.append(Token("string", "", i))
        elif c == "`":
            end = cypher.find("`", i + 1)
            while end >= 0 and cypher.startswith("``", end):  # `` escapes a backtick
                end = cypher.find("`", end + 2)
            if end < 0:
                raise UserError(f"unterminated `name` at character {i}")
            tokens.append(Token("name", cypher[i + 1 : end], i))
            i = end + 1
        elif c == "$":
            m = _WORD.match(cypher, i + 1) or _NUMBER.match(cypher, i + 1)
            tokens.append(Token("param", m.group(0) if m else "", i))
            i = m.end() if m else i + 1
        elif m := _WORD.match(cypher, i):
            tokens.append(Token("word", m.group(0), i))
            i = m.end()
        elif m := _NUMBER.match(cypher, i):
            tokens.append(Token("number", m.group(0), i))
            i = m.end()
        else:
            tokens.append(Token("symbol", c, i))
            i += 1
    return tokens


def _skip_string(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    raise UserError(f"unterminated string literal at character {start}")


def check_readonly(cypher: str) -> None:
    """Raise UserError naming the first clause that could write; return None if read-only."""
    if not cypher or not cypher.strip():
        raise UserError("empty query")
    if len(cypher) > MAX_QUERY_CHARS:
        raise UserError(f"query longer than {MAX_QUERY_CHARS} characters")
    tokens = tokenize(cypher)
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1] if k else None
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if tok.kind == "symbol" and tok.text == ";" and nxt is not None:
            raise UserError("one statement at a time: remove the ';' (read-only console)")
        if tok.kind != "word":
            continue
        # `n.set`, `:Create` (a label or a map key's value position) and `{delete: 1}` are names.
        if prev is not None and prev.kind == "symbol" and prev.text in ".:":
            continue
        if nxt is not None and nxt.kind == "symbol" and nxt.text == ":":
            continue
        word = tok.text.upper()
        if word in WRITE_KEYWORDS or (
            word in ADMIN_KEYWORDS and nxt is not None and nxt.kind in {"word", "name"}
        ):
            raise UserError(f"{word} is not allowed: the console is read-only")
        if word == "IN" and nxt is not None and nxt.kind == "word":
            if nxt.text.upper() in {"TRANSACTIONS", "CONCURRENT"}:
                raise UserError("CALL … IN TRANSACTIONS is not allowed: the console is read-only")
        if word == "CALL":
            _check_call(tokens, k)


def _check_call(tokens: list[Token], k: int) -> None:
    """`CALL {…}` / `CALL (x) {…}` are subqueries (checked token by token); a procedure call
    must be on the read-only allow-list."""
    rest = tokens[k + 1 :]
    if not rest:
        raise UserError("CALL without a procedure or subquery")
    if rest[0].kind == "symbol" and rest[0].text in "{(":
        return
    parts: list[str] = []
    for j, tok in enumerate(rest):
        if j % 2 == 0:
            if tok.kind not in {"word", "name"}:
                break
            parts.append(tok.text)
        elif not (tok.kind == "symbol" and tok.text == "."):
            break
    name = ".".join(parts)
    if name.lower() not in READ_PROCEDURES:
        raise UserError(
            f"CALL {name or '?'} is not allowed: the console only calls read-only procedures "
            f"({', '.join(sorted(READ_PROCEDURES))})"
        )


def run_readonly(
    driver: Any,
    cypher: str,
    params: dict[str, Any] | None = None,
    database: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    row_cap: int = DEFAULT_ROW_CAP,
) -> ConsoleResult:
    """Check, then run `cypher` read-only; at most `row_cap` rows, at most `timeout` seconds."""
    import neo4j

    check_readonly(cypher)
    if row_cap < 1:
        raise UserError("row cap must be at least 1")
    params = dict(params or {})
    for key in params:
        if not isinstance(key, str) or not _WORD.fullmatch(key):
            raise UserError(f"bad parameter name {key!r}")
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            with driver.session(
                database=database, default_access_mode=neo4j.READ_ACCESS, fetch_size=row_cap + 1
            ) as session:
                tx = session.begin_transaction(
                    timeout=timeout, metadata={"app": "constellation-console"}
                )
                try:
                    result = tx.run(cypher, params)
                    keys = list(result.keys())
                    records = result.fetch(row_cap + 1)
                    outcome["columns"] = keys
                    outcome["rows"] = [[to_jsonable(r[key]) for key in keys] for r in records]
                finally:
                    tx.rollback()  # read-only: nothing this transaction did is ever kept
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    start = time.perf_counter()
    # The server may ignore the transaction timeout (ArcadeDB does): wait in a daemon thread so
    # the caller gets its answer on time; a late query finishes on its own and is rolled back.
    worker = threading.Thread(target=work, name="cypher-console", daemon=True)
    worker.start()
    worker.join(timeout + 1.0)
    elapsed_ms = (time.perf_counter() - start) * 1000
    if worker.is_alive():
        raise UserError(f"query timed out after {timeout:g} s (read-only console limit)")
    if "error" in outcome:
        _raise_error(driver, outcome["error"], timeout)
    rows = outcome["rows"]
    return ConsoleResult(outcome["columns"], rows[:row_cap], len(rows) > row_cap, elapsed_ms)


def _raise_error(driver: Any, exc: BaseException, timeout: float) -> None:
    from neo4j import exceptions as ex

    with graph_errors(driver):
        if isinstance(exc, ex.Neo4jError) and "TransactionTimedOut" in (exc.code or ""):
            raise UserError(f"query timed out after {timeout:g} s (read-only console limit)")
        if isinstance(exc, ex.CypherSyntaxError | ex.ClientError) and not isinstance(
            exc, ex.AuthError
        ):
            if "DatabaseNotFound" not in (exc.code or ""):
                message = " ".join(str(exc.message or exc).split())
                raise UserError(f"the server refused the query: {message[:500]}") from None
        raise exc
