"""Read-only Cypher console: run a user's query without letting it change the graph.

The guard is the server: callers connect as a user whose writes it refuses
(`GraphConfig.from_env(read_only=True)`: on the local server a user whose group may only read
records, so every write clause, schema change, `CALL … IN TRANSACTIONS` write and `LOAD CSV` is
refused by ArcadeDB itself; on Neo4j a `reader`-role user, and the READ transaction). Around it:

1. `check_readonly(cypher)` tokenizes the text (string literals, backtick names and comments
   are skipped, so `RETURN 'CREATE'` passes and `/*x*/CREATE` does not) and refuses write
   clauses, procedure calls outside a read-only allow-list, `CALL … IN TRANSACTIONS`,
   `LOAD CSV`, administration and `SHOW` commands (but indexes and constraints) and several
   statements before anything is sent: a friendly first answer, not the guard.
2. The transaction is opened in READ access mode and always rolled back, never committed.
3. Values come in as driver parameters, never spliced into the text.

Time: the server stops every query at its own limit (the local server's
CONSTELLATION_QUERY_TIMEOUT, 30 s by default; on Neo4j the transaction timeout sent here, which
it enforces). A `timeout` above the server's limit is refused. At most `MAX_RUNNING` console
queries run at once per process, each holding its place until the server has ended it, so
console users cannot take every query slot of the server from the explorer.

Usage::

    result = run_readonly(driver, "MATCH (m:Model) WHERE m.id = $id RETURN m",
                          params={"id": "gpt2"}, database="hf")
    result.columns, result.rows, result.truncated, result.elapsed_ms
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from constellation.queries.runner import to_jsonable

from constellation.errors import UserError, graph_errors

DEFAULT_TIMEOUT = 30.0  # seconds: the local server's default limit (server.DEFAULT_QUERY_TIMEOUT_S)
MAX_RUNNING = 2  # console queries running at once in one process (the explorer's is unlimited)
DEFAULT_ROW_CAP = 1000
MAX_QUERY_CHARS = 20_000

# Keywords that start a clause that writes: refused wherever they stand as a keyword.
WRITE_KEYWORDS = frozenset(
    {"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD", "INSERT"}
)
# Administration commands (`START DATABASE x`, `GRANT ROLE …`, `USE db`, `SHOW USERS`): refused
# when a word follows, so that a variable called `start` or `show` still works.
ADMIN_KEYWORDS = frozenset(
    {
        "ALTER", "GRANT", "REVOKE", "DENY", "RENAME", "START", "STOP", "TERMINATE", "ENABLE",
        "DISABLE", "USE", "IMPORT", "COPY", "TRUNCATE", "UPDATE", "UPSERT", "SUSPEND",
        "REALLOCATE", "DEALLOCATE", "SHOW",
    }
)  # fmt: skip
# What `SHOW …` may list: the graph's schema, not the server's users, roles or databases.
SHOW_ALLOWED = frozenset({"INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS"})
# Characters that end a `//` comment. The server ends one at CR as well as LF: a tokenizer that
# only stopped at LF would hide what follows a CR. Ending early is the safe side (we then read
# more text as code than the server does), so every line or paragraph separator counts.
LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_END = re.compile(f"[{LINE_ENDS}]")

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
            end = _LINE_END.search(cypher, i)
            i = n if end is None else end.end()
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
        if word == "SHOW" and nxt is not None and nxt.text.upper() in SHOW_ALLOWED:
            continue
        if word in WRITE_KEYWORDS or (
            word in ADMIN_KEYWORDS and nxt is not None and nxt.kind in {"word", "name"}
        ):
            if word == "SHOW":
                raise UserError(
                    "SHOW is not allowed but for SHOW INDEXES / SHOW CONSTRAINTS: the console "
                    "is for the graph, not the server's users or databases"
                )
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


_running = threading.BoundedSemaphore(MAX_RUNNING)


def check_timeout(timeout: Any, server_limit: float | None = None) -> float:
    """A console time limit in seconds: a finite number above 0, and not above the server's."""
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise UserError(f"timeout must be a number of seconds above 0, got {timeout!r}")
    if server_limit is not None and value > server_limit:
        raise UserError(
            f"timeout {value:g} s: the graph server stops every query after {server_limit:g} s "
            "(CONSTELLATION_QUERY_TIMEOUT when `constellation db start` ran); use at most that"
        )
    return value


def run_readonly(
    driver: Any,
    cypher: str,
    params: dict[str, Any] | None = None,
    database: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    row_cap: int = DEFAULT_ROW_CAP,
    server_limit: float | None = None,
) -> ConsoleResult:
    """Check, then run `cypher` read-only; at most `row_cap` rows, at most `timeout` seconds.

    `server_limit`: the server's own time limit (`GraphConfig.query_timeout`), if known.
    """
    check_readonly(cypher)
    timeout = check_timeout(timeout, server_limit)
    if row_cap < 1:
        raise UserError("row cap must be at least 1")
    params = dict(params or {})
    for key in params:
        if not isinstance(key, str) or not _WORD.fullmatch(key):
            raise UserError(f"bad parameter name {key!r}")
    if not _running.acquire(timeout=0.5):
        raise UserError(
            f"the console is busy: {MAX_RUNNING} queries are running; try again when one ends "
            f"(the server stops each after at most {server_limit or timeout:g} s)"
        )
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome.update(_fetch(driver, cypher, params, database, timeout, row_cap))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            _running.release()  # only once the server has ended the query

    start = time.perf_counter()
    worker = threading.Thread(target=work, name="cypher-console", daemon=True)
    worker.start()
    # At the server's own limit, wait for its answer (which a busy server may be slow to send);
    # below it, stop waiting soon after `timeout`.
    at_limit = server_limit is not None and timeout >= server_limit
    worker.join(timeout + (max(5.0, timeout / 2) if at_limit else 2.0))
    elapsed_ms = (time.perf_counter() - start) * 1000
    if worker.is_alive():
        raise UserError(f"query timed out after {timeout:g} s (read-only console limit)")
    if "error" in outcome:
        _raise_error(outcome["error"], timeout)
    rows = outcome["rows"]
    return ConsoleResult(outcome["columns"], rows[:row_cap], len(rows) > row_cap, elapsed_ms)


def _fetch(
    driver: Any, cypher: str, params: dict[str, Any], database: str | None, timeout: float,
    row_cap: int,
) -> dict[str, Any]:
    """One READ transaction, always rolled back: the columns and up to `row_cap + 1` rows."""
    import neo4j

    with driver.session(
        database=database, default_access_mode=neo4j.READ_ACCESS, fetch_size=row_cap + 1
    ) as session:
        tx = session.begin_transaction(timeout=timeout, metadata={"app": "constellation-console"})
        try:
            result = tx.run(cypher, params)
            keys = list(result.keys())
            records = result.fetch(row_cap + 1)
            return {"columns": keys,
                    "rows": [[to_jsonable(r[key]) for key in keys] for r in records]}
        finally:
            tx.rollback()  # read-only: nothing this transaction did is ever kept


def _raise_error(exc: BaseException, timeout: float) -> None:
    with graph_errors(timeout=timeout):
        raise exc
