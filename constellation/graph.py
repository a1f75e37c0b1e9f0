"""Where the graph is and how to connect to it.

    from constellation.graph import GraphConfig, connect

    config = GraphConfig.from_env()          # NEO4J_* variables, else the local server
    with connect(config) as driver:
        with driver.session(database=config.database) as session:
            session.run("MATCH (m:Model) RETURN count(m) AS n").single()["n"]

`from_env()` reads NEO4J_URI, NEO4J_USER (default `neo4j`), NEO4J_PASSWORD, NEO4J_DATABASE. Without
NEO4J_URI it uses the credentials stored by `constellation db start` (NEO4J_DATABASE, if set, still
picks the database). Always pass `database=config.database` to sessions: the local server does not
have a usable default database.

`from_env(read_only=True)` is for everything that only reads (console, named queries, explorer):
the local server's read-only user, whose writes the server refuses, or on Neo4j NEO4J_READ_USER /
NEO4J_READ_PASSWORD (a user with the `reader` role) when set, else NEO4J_USER; Neo4j also refuses
writes in the READ transactions these paths open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from constellation.errors import UserError, graph_errors

if TYPE_CHECKING:
    import neo4j

CONNECT_TIMEOUT_S = 5.0
# The driver's Bolt schemes. It takes http(s):// too, for a query API that needs the optional
# aiohttp (an import traceback without it) and that no command here speaks.
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> str:
    """`uri` if the driver can reach a graph over Bolt with it, else UserError (one line)."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme.lower() not in URI_SCHEMES or not rest.strip("/"):
        raise UserError(
            f"graph URI {uri!r} (NEO4J_URI): use a Bolt URI such as bolt://localhost:7687 "
            f"(schemes: {', '.join(s + '://' for s in URI_SCHEMES)})"
        )
    return uri


@dataclass(frozen=True)
class GraphConfig:
    uri: str
    user: str
    password: str
    database: str | None = None
    query_timeout: float | None = None  # seconds after which the server stops a query, if known

    def __post_init__(self) -> None:
        check_uri(self.uri)

    @classmethod
    def from_env(cls, read_only: bool = False) -> GraphConfig:
        uri = os.environ.get("NEO4J_URI")
        database = os.environ.get("NEO4J_DATABASE") or None
        if uri:
            user = os.environ.get("NEO4J_USER", "neo4j")
            password = os.environ.get("NEO4J_PASSWORD", "")
            if read_only and os.environ.get("NEO4J_READ_USER"):
                user = os.environ["NEO4J_READ_USER"]
                password = os.environ.get("NEO4J_READ_PASSWORD", "")
            return cls(uri=uri, user=user, password=password, database=database)
        from constellation import server

        local = server.local_config(read_only=read_only)
        if local is None:
            raise UserError(
                "no graph configured: start the local server with `constellation db start` "
                "or set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD)"
            )
        return replace(local, database=database) if database else local

    def __repr__(self) -> str:  # never print the password
        return (
            f"GraphConfig(uri={self.uri!r}, user={self.user!r}, password='***', "
            f"database={self.database!r}, query_timeout={self.query_timeout!r})"
        )


def connect(config: GraphConfig | None = None) -> neo4j.Driver:
    """A driver whose server answered a query in `config.database`; UserError if it did not.

    The caller closes the driver (`with connect() as driver:`).
    """
    import neo4j

    config = config or GraphConfig.from_env()
    try:
        driver = neo4j.GraphDatabase.driver(
            config.uri,
            auth=(config.user, config.password),
            connection_timeout=CONNECT_TIMEOUT_S,
        )
    except ValueError as exc:  # malformed URI
        raise UserError(f"bad graph URI {config.uri!r}: {exc}") from exc
    try:
        with graph_errors(f" at {config.uri}", user=config.user, database=config.database):
            with driver.session(database=config.database) as session:
                session.run("RETURN 1").consume()
    except UserError:
        driver.close()
        raise
    return driver
