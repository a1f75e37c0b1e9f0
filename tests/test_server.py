"""The local graph server lifecycle and connection errors, against real ArcadeDB processes."""

from __future__ import annotations

import socket
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from constellation import server
from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import URI_SCHEMES, GraphConfig, connect


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A server home of our own on free ports, so these tests never touch the shared server."""
    home = tmp_path / "home"
    monkeypatch.setenv("CONSTELLATION_HOME", str(home))
    monkeypatch.setenv("CONSTELLATION_BOLT_PORT", str(_free_port()))
    monkeypatch.setenv("CONSTELLATION_HTTP_PORT", str(_free_port()))
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    yield home
    server.stop()


def test_start_status_refuse_twice_stop(private_home: Path, capsys: pytest.CaptureFixture) -> None:
    assert not server.status().running
    assert main(["db", "status"]) == 1

    config = server.start()
    st = server.status()
    assert st.running and st.pid and st.uri == config.uri
    # Generated passwords, readable by the user only; no password file for ArcadeDB to read.
    users = private_home / "server" / "config" / "server-users.jsonl"
    for private in (private_home / "server.json", users):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(private_home.stat().st_mode) == 0o700
    assert not (private_home / "root-password").exists()
    assert len(config.password) >= 24 and config.password not in users.read_text()

    with pytest.raises(UserError, match="already running"):
        server.start()
    assert main(["db", "start"]) == 2
    assert "already running" in capsys.readouterr().err

    with connect(GraphConfig.from_env()) as driver:
        assert driver.execute_query("RETURN 1 AS x", database_=config.database).records[0]["x"] == 1

    assert main(["db", "stop"]) == 0
    assert not server.status().running
    assert server.stop() is False  # stopping twice is harmless
    with pytest.raises(UserError, match="not reachable"):
        connect(config)


def test_ensure_running_and_restart_keep_password_and_data(private_home: Path) -> None:
    config = server.ensure_running()  # starts it: nothing was running
    pid = server.status().pid
    assert server.ensure_running() == config and server.status().pid == pid  # reuses it
    with connect(config) as driver:
        driver.execute_query("CREATE (:Probe {v: 7})", database_=config.database)
    server.stop()
    again = server.start()
    assert again.password == config.password
    with connect(again) as driver:
        records = driver.execute_query("MATCH (p:Probe) RETURN p.v AS v", database_=again.database)
    assert [r["v"] for r in records.records] == [7]


def test_port_taken_is_reported(private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        monkeypatch.setenv("CONSTELLATION_BOLT_PORT", str(port))
        with pytest.raises(UserError, match=f"port {port} \\(Bolt\\).*already in use"):
            server.start()
    assert not server.status().running


def test_java_failure_shows_log(private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSTELLATION_HEAP", "lots")  # the JVM refuses -Xmxlots and exits
    with pytest.raises(UserError, match=r"exited with code \d+(.|\n)*Xmxlots"):
        server.start()
    assert not server.status().running


def test_bad_port_variable(private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSTELLATION_HTTP_PORT", "http")
    with pytest.raises(UserError, match="CONSTELLATION_HTTP_PORT='http' is not a port"):
        server.start()


def test_server_down_message() -> None:
    down = GraphConfig(f"bolt://127.0.0.1:{_free_port()}", "root", "x", "constellation")
    with pytest.raises(
        UserError, match="not reachable at bolt://127.0.0.1:.*`constellation db start`"
    ):
        connect(down)


def test_wrong_password_message(graph_server: GraphConfig) -> None:
    with pytest.raises(UserError, match=f"refused user '{graph_server.user}': wrong password"):
        connect(replace(graph_server, password="not-the-password"))


def test_unknown_database_message(graph_server: GraphConfig) -> None:
    with pytest.raises(UserError, match="no database 'no_such_db'"):
        connect(replace(graph_server, database="no_such_db"))


def test_non_bolt_uri_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """http:// used to end in the driver's `import aiohttp` traceback."""
    monkeypatch.setenv("NEO4J_URI", "http://localhost:7474")
    assert main(["query", "model", "-p", "id=gpt2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'http://localhost:7474'" in err and "bolt://" in err and "neo4j+s://" in err
    for bad in ("https://db.example", "localhost:7687", "bolt://", "ftp://db.example:7687"):
        with pytest.raises(UserError, match="use a Bolt URI"):
            GraphConfig(bad, "neo4j", "x")
    for scheme in URI_SCHEMES:
        assert GraphConfig(f"{scheme}://db.example:7687", "neo4j", "x").uri.startswith(scheme)


def test_from_env_prefers_neo4j_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_USER", "neo")
    monkeypatch.setenv("NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("NEO4J_DATABASE", "atlas")
    config = GraphConfig.from_env()
    assert config == GraphConfig("bolt://db.example:7687", "neo", "secret", "atlas")
    assert "secret" not in repr(config)


def test_from_env_read_only_uses_the_reader_user_when_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_USER", "neo")
    monkeypatch.setenv("NEO4J_PASSWORD", "secret")
    assert GraphConfig.from_env(read_only=True).user == "neo"  # no reader: READ transactions
    monkeypatch.setenv("NEO4J_READ_USER", "reader")
    monkeypatch.setenv("NEO4J_READ_PASSWORD", "r-secret")
    reader = GraphConfig.from_env(read_only=True)
    assert (reader.user, reader.password) == ("reader", "r-secret")
    assert GraphConfig.from_env().user == "neo"  # loads keep the read-write user


def test_from_env_falls_back_to_local_server(
    graph_server: GraphConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(var, raising=False)
    assert GraphConfig.from_env() == graph_server


def test_from_env_without_any_server(private_home: Path) -> None:
    with pytest.raises(UserError, match="constellation db start.*NEO4J_URI"):
        GraphConfig.from_env()


def test_graph_db_is_fresh_and_isolated(graph_db: GraphConfig, graph_driver) -> None:
    assert graph_db.database.startswith("t_test_server_")
    count = graph_driver.execute_query(
        "MATCH (n) RETURN count(n) AS n", database_=graph_db.database
    )
    assert count.records[0]["n"] == 0
