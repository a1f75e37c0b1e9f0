"""Shared fixtures: a real local graph server, a fresh database per test module, ../shared/data.

- `graph_server` (session): the running local server of CONSTELLATION_HOME (as `scripts/test.sh`
  starts it), or one started here in a temporary home on free ports and stopped at the end.
- `graph_db` (module): a `GraphConfig` pointing at a new, empty database on that server, dropped
  after the module. `graph_driver` (module): a connected `neo4j.Driver` for it.
- `shared_data` (session): `Path` of ../shared/data; skips the test with a message when absent.
  Tests marked `@pytest.mark.shared` are skipped the same way. `shared_file("a/b.csv")` returns one
  file or skips.

    def test_count(graph_db, graph_driver):
        with graph_driver.session(database=graph_db.database) as s:
            assert s.run("MATCH (n) RETURN count(n) AS n").single()["n"] == 0
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from constellation import server
from constellation.graph import GraphConfig, connect

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_SKIP = "needs ../shared/data ({what}): not present in this checkout"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers() -> GraphConfig | None:
    """The local server's config if it runs and answers, else None."""
    if not server.status().running:
        return None
    try:
        return server.ensure_running()
    except Exception:  # noqa: BLE001 - a broken server is treated as absent
        return None


@pytest.fixture(scope="session")
def graph_server() -> Iterator[GraphConfig]:
    """Config of a running local server (its default database)."""
    config = _answers()
    if config is not None:
        yield config
        return
    # Nothing running here: start a private one so a bare `pytest` works too.
    home = Path(tempfile.mkdtemp(prefix="constellation-pytest-"))
    try:
        with private_server(home) as config:
            yield config
    finally:
        shutil.rmtree(home, ignore_errors=True)


_SERVER_ENV = ("CONSTELLATION_HOME", "CONSTELLATION_BOLT_PORT", "CONSTELLATION_HTTP_PORT",
               "CONSTELLATION_QUERY_TIMEOUT", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD",
               "NEO4J_DATABASE", "NEO4J_READ_USER", "NEO4J_READ_PASSWORD")


@contextmanager
def private_server(home: Path, **env: str) -> Iterator[GraphConfig]:
    """A local server of its own in `home` on free ports (plus `env`, e.g.
    CONSTELLATION_QUERY_TIMEOUT="3"), pointed at by the environment while it runs; stopped and
    the environment restored afterwards. Yields its read-write config."""
    saved = {k: os.environ.get(k) for k in _SERVER_ENV}
    for key in _SERVER_ENV:
        os.environ.pop(key, None)
    os.environ.update(CONSTELLATION_HOME=str(home), CONSTELLATION_BOLT_PORT=str(_free_port()),
                      CONSTELLATION_HTTP_PORT=str(_free_port()), **env)
    try:
        yield server.start()
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def graph_db(graph_server: GraphConfig, request: pytest.FixtureRequest) -> Iterator[GraphConfig]:
    """A fresh, empty database for this test module, dropped afterwards."""
    stem = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])[:30]
    name = f"t_{stem}_{secrets.token_hex(4)}"
    server.create_database(name)
    try:
        yield replace(graph_server, database=name)
    finally:
        server.drop_database(name)


@pytest.fixture(scope="module")
def graph_driver(graph_db: GraphConfig):
    with connect(graph_db) as driver:
        yield driver


@pytest.fixture
def fresh(graph_server: GraphConfig, request: pytest.FixtureRequest) -> Iterator:
    """Factory of new empty databases, dropped after the test: fresh() -> config."""
    made: list[str] = []
    stem = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])[:30]

    def make() -> GraphConfig:
        name = f"t_{stem}_{len(made)}_{secrets.token_hex(4)}"
        server.create_database(name)
        made.append(name)
        return replace(graph_server, database=name)

    yield make
    for name in made:
        server.drop_database(name)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(SHARED_SKIP.format(what=str(SHARED_DATA)))
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_file() -> Callable[[str], Path]:
    """`shared_file("constellation/x.csv")` -> the path, or skip saying which file is missing."""

    def get(relative: str) -> Path:
        path = SHARED_DATA / relative
        if not path.exists():
            pytest.skip(SHARED_SKIP.format(what=relative))
        return path

    return get


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") and not SHARED_DATA.is_dir():
        pytest.skip(SHARED_SKIP.format(what=str(SHARED_DATA)))
