"""Errors shared by every area, and the one place where graph driver errors become messages.

    from constellation.errors import graph_errors

    with graph_errors(" at bolt://localhost:7687", user="neo4j", database="neo4j"):
        session.run("RETURN 1").consume()   # any driver error -> one UserError line
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """Bad input or environment: printed as one clear line, without a traceback."""


class GraphUnreachable(UserError, ConnectionError):
    """The graph server cannot be used: down, wrong credentials or no such database.

    A UserError (the CLI prints one line) and a ConnectionError, so callers such as the
    dashboard can tell it from bad input without importing the driver. `reason` says which:
    "down", "login" or "database".
    """

    def __init__(self, message: str, reason: str = "down") -> None:
        super().__init__(message)
        self.reason = reason


_USER_NAME = re.compile(r"User '[^']*' is ")


def driver_message(exc: BaseException) -> str:
    """A driver error's message on one line, without the user name the engine puts in its
    refusals (user names are not for screens and logs)."""
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    return _USER_NAME.sub("", text)[:300]


def auth_refusal(exc: BaseException, where: str = "", user: str | None = None) -> str:
    """One line for a refused login. ArcadeDB locks a user name out for 30 s after 5 failed
    logins from anyone, and over Bolt it answers that exactly like a wrong password."""
    who = f" user {user!r}" if user else " the user name or password"
    if "too many failed" in driver_message(exc).lower():
        return (
            f"graph server{where} refused{who} for now: it locks a user name out for 30 s after "
            "repeated failed logins (from any process on this machine); try again shortly"
        )
    return (
        f"graph server{where} refused{who}: wrong password? (or, on the local server, a user "
        "name locked out for 30 s after repeated failed logins; check NEO4J_USER/NEO4J_PASSWORD, "
        "or unset NEO4J_URI to use the local server)"
    )


def at_time_limit(exc: BaseException) -> bool:
    """Whether the server stopped this statement at its time limit (`arcadedb.command.timeout`
    on the local server; a transaction timeout on Neo4j)."""
    code = getattr(exc, "code", None) or ""
    return "TransactionTimedOut" in code or "Transaction.Terminated" in code


@contextmanager
def graph_errors(
    where: str = "",
    *,
    user: str | None = None,
    database: str | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """Turn driver errors raised inside the block into one clear UserError line.

    `where` (" at bolt://host:port"), `user`, `database` and `timeout` only make the message
    precise. Connection problems (down, refused login, unknown database) become
    `GraphUnreachable`; a write refused by the server's permissions, a query stopped at the
    server's time limit, a busy server, engine errors (a collect() over its element limit) and
    refused queries (syntax, types, unknown functions) become a plain UserError.
    """
    from neo4j import exceptions as ex

    try:
        yield
    except ex.AuthError as exc:
        raise GraphUnreachable(auth_refusal(exc, where, user), "login") from None
    except (ex.ServiceUnavailable, ex.SessionExpired, OSError) as exc:
        raise GraphUnreachable(
            f"graph server not reachable{where}: is it running? (start it with "
            f"`constellation db start`, or set NEO4J_URI): {driver_message(exc)}"
        ) from None
    except ex.Neo4jError as exc:
        code, message = exc.code or "", driver_message(exc)
        if "DatabaseNotFound" in code:
            name = f" {database!r}" if database else " of that name"
            raise GraphUnreachable(
                f"graph server{where} has no database{name} (check NEO4J_DATABASE, or run "
                f"`constellation load`): {message}",
                "database",
            ) from None
        if "Security.Forbidden" in code or "AccessMode" in code:
            raise UserError(
                f"the graph server refused it: this connection is read-only ({message})"
            ) from None
        if at_time_limit(exc):
            limit = f" of {timeout:g} s" if timeout else ""
            raise UserError(
                f"query stopped by the graph server at its time limit{limit}: narrow it "
                "(a LIMIT, an anchor such as {id: ...}, fewer unbounded paths)"
            ) from None
        if isinstance(exc, ex.TransientError):
            raise UserError(
                f"the graph server is busy (too many queries at once); try again: {message}"
            ) from None
        if isinstance(exc, ex.DatabaseError):
            raise UserError(f"the graph server could not run the query: {message}") from None
        if isinstance(exc, ex.ClientError):
            raise UserError(f"the server refused the query: {message}") from None
        raise
