"""Limits the local server enforces itself: query time, query slots, login lockouts.

One private server for the module (its own home and ports) with a 3 s query limit, so the
runaway queries below end quickly. Nothing here measures speed: each test checks who stopped a
query (the server, by its error code), that the explorer's query answered, or who got in.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import neo4j
import pytest
from conftest import private_server
from constellation.queries import console
from constellation.queries.console import run_readonly
from constellation.queries.runner import run_query

from constellation import server
from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

LIMIT_S = 3
# Never finishes within the limit: 27 billion rows, no data needed; checked in the UNWIND loop.
RUNAWAY = (
    "UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b UNWIND range(1, 3000) AS c "
    "WITH a + b + c AS s WHERE s < 0 RETURN count(*) AS n"
)


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphConfig]:
    """A private server with a 3 s query limit and a few models; the read-write config."""
    home = tmp_path_factory.mktemp("limits") / "home"
    with private_server(home, CONSTELLATION_QUERY_TIMEOUT=str(LIMIT_S)) as config:
        with connect(config) as driver:
            driver.execute_query(
                "UNWIND range(1, 50) AS i CREATE (:Model {id: 'm' + toString(i), name: "
                "'m' + toString(i), downloads: i})",
                database_=config.database,
            )
        yield config


@pytest.fixture(scope="module")
def reader(private: GraphConfig) -> GraphConfig:
    config = GraphConfig.from_env(read_only=True)
    assert config.query_timeout == LIMIT_S and config.user != private.user
    return config


def _run_raw(config: GraphConfig, cypher: str, errors: list) -> None:
    """A query with no client-side time limit at all: only the server can stop it."""
    try:
        with neo4j.GraphDatabase.driver(config.uri, auth=(config.user, config.password)) as d:
            with d.session(database=config.database) as session:
                session.run(cypher).consume()
        errors.append(None)
    except neo4j.exceptions.Neo4jError as exc:
        errors.append(exc.code)


@pytest.mark.parametrize("who", ["reader", "private"])
def test_the_server_stops_a_runaway_query(who: str, request: pytest.FixtureRequest) -> None:
    config = request.getfixturevalue(who)
    errors: list = []
    _run_raw(config, RUNAWAY, errors)
    assert errors == ["Neo.ClientError.Transaction.TransactionTimedOut"]


def test_a_write_page_the_server_stops_is_split_until_it_fits(private: GraphConfig) -> None:
    """Deletes go a page a transaction (writer.UNLINK_PAGE); one the server stops at its
    time limit is done in halves (a 1 % removal at 1M once passed the 30 s with 100 models):
    here a page of more than two keys runs past the 3 s limit, and each of its halves deletes.
    (Before the login tests below, which lock users out for 30 s.)"""
    from constellation.loader.graph import writer

    pages: list[int] = []

    def delete(tx: neo4j.ManagedTransaction, keys: list[str]) -> None:
        pages.append(len(keys))
        if len(keys) > 2:
            tx.run(RUNAWAY).consume()
        tx.run("UNWIND $keys AS k MATCH (n:Model {id: k}) DETACH DELETE n", keys=keys).consume()

    keys = [f"split-{i}" for i in range(4)]  # the module's 50 models stay for the tests below
    count = "MATCH (n:Model) WHERE n.id IN $keys RETURN count(n) AS n"
    with connect(private) as driver:
        w = writer._Writer(driver, private.database, 100, False, None)
        w.write(lambda tx: tx.run("UNWIND $keys AS k CREATE (:Model {id: k})", keys=keys).consume())
        writer._halving(w, keys, delete)
        assert pages == [4, 2, 2]
        assert w.run(count, keys=keys) == [{"n": 0}]

        def never(tx: neo4j.ManagedTransaction, keys: list[str]) -> None:
            tx.run(RUNAWAY).consume()

        with pytest.raises(neo4j.exceptions.ClientError) as stopped:  # one key: it stands
            writer._halving(w, ["m46"], never)
        assert stopped.value.code == "Neo.ClientError.Transaction.TransactionTimedOut"
        assert w.run("MATCH (n:Model {id: 'm46'}) RETURN count(n) AS n") == [{"n": 1}]


def test_console_reports_the_servers_stop(reader: GraphConfig) -> None:
    with connect(reader) as driver:
        with pytest.raises(UserError, match=f"stopped by the graph server at its time limit of "
                                            f"{LIMIT_S} s"):
            run_readonly(driver, RUNAWAY, database=reader.database, timeout=LIMIT_S,
                         server_limit=reader.query_timeout)


def test_explorer_answers_while_runaway_queries_run(reader: GraphConfig) -> None:
    """Console users fill at most MAX_RUNNING places; raw clients (the owner's own scripts) up
    to eight more: the explorer's query still runs, and every runaway one is ended by the
    server."""
    outcomes: list = []
    lock = threading.Lock()
    users = console.MAX_RUNNING + 3
    drivers = [connect(reader) for _ in range(users)]  # connected before the race starts
    start = threading.Barrier(users)

    def console_user(driver) -> None:
        start.wait()
        try:
            run_readonly(driver, RUNAWAY, database=reader.database, timeout=LIMIT_S,
                         server_limit=reader.query_timeout)
            result = "finished"
        except UserError as exc:
            result = "busy" if "console is busy" in str(exc) else (
                "stopped" if "stopped by the graph server" in str(exc) else str(exc))
        with lock:
            outcomes.append(result)

    raw_errors: list = []
    threads = [threading.Thread(target=console_user, args=(d,)) for d in drivers]
    threads += [threading.Thread(target=_run_raw, args=(reader, RUNAWAY, raw_errors))
                for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # all of them are running or refused by now
    running = sum(1 for t in threads if t.is_alive())
    # Admitted and answered, not queued behind them (the engine's old 4 slots made it wait
    # 30 s, then fail with a TransientError).
    with connect(reader) as driver:
        rows = run_query(driver, "model", {"id": "m7"}, database=reader.database)
    for t in threads:
        t.join(60)
    for d in drivers:
        d.close()
    assert running >= console.MAX_RUNNING + 8  # every runaway query was still running
    assert rows and rows[0]["id"] == "m7"
    assert sorted(outcomes) == ["busy"] * 3 + ["stopped"] * console.MAX_RUNNING
    assert raw_errors == ["Neo.ClientError.Transaction.TransactionTimedOut"] * 8


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "timeout must be a number of seconds above 0, got '-1'"),
        ("0", "timeout must be a number of seconds above 0, got '0'"),
        ("nan", "above 0, got 'nan'"),
        ("inf", "above 0, got 'inf'"),
        (str(LIMIT_S + 1), f"stops every query after {LIMIT_S} s"),
    ],
)
def test_cli_timeout_is_checked(
    value: str, message: str, reader: GraphConfig, capsys: pytest.CaptureFixture
) -> None:
    assert main(["cypher", "--timeout", value, "RETURN 1 AS x"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_timeout_within_the_limit_runs(reader: GraphConfig, capsys) -> None:
    assert main(["cypher", "--timeout", "1.5", "RETURN 41 + 1 AS x"]) == 0
    assert "42" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf"])
def test_bad_server_limit_is_one_line(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSTELLATION_QUERY_TIMEOUT", value)
    with pytest.raises(UserError, match="CONSTELLATION_QUERY_TIMEOUT="):
        server._timeout_from_env()


def _http_login(config_port: int, user: str, password: str) -> int:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{config_port}/api/v1/server",
        data=json.dumps({"command": "list databases"}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_failed_logins_of_others_do_not_lock_the_owner_out(
    private: GraphConfig, reader: GraphConfig
) -> None:
    """Another local process hammers every user name it can guess, over Bolt and HTTP; the
    owner's commands (read-write and read-only users, random names) still get in."""
    state = json.loads((server.paths().state).read_text())
    guesses = ["root", "reader", "writer", "admin", "constellation", "neo4j"]
    for name in guesses:
        for _ in range(8):
            with pytest.raises(neo4j.exceptions.AuthError):
                with neo4j.GraphDatabase.driver(private.uri, auth=(name, "guess-0000")) as d:
                    d.verify_connectivity()
        assert _http_login(state["http_port"], name, "guess-0000") in (401, 403)

    # The attack is real: `root` (a name anyone can guess) is locked out now, its right
    # password refused; the messages say that this may be a lockout.
    root = replace(private, user="root", password=state["admin_password"])
    with pytest.raises(UserError, match="refused user 'root'.*locked out for 30 s"):
        connect(root)
    with pytest.raises(UserError, match="Too many failed authentication attempts"):
        server.create_database("t_never")
    for config in (private, reader, GraphConfig.from_env(), GraphConfig.from_env(read_only=True)):
        with connect(config) as driver:
            got = driver.execute_query("MATCH (m:Model) RETURN count(m) AS n",
                                       database_=config.database)
            assert got.records[0]["n"] == 50


def test_a_server_json_of_the_previous_version_gets_its_users(private: GraphConfig) -> None:
    """server.json written before the read-only user existed (everything ran as root)."""
    p = server.paths()
    server.stop()
    state = json.loads(p.state.read_text())
    old = {k: state[k] for k in ("database", "bolt_port", "http_port")}
    old.update(user="root", password=state["admin_password"], pid=None)
    p.state.write_text(json.dumps(old))
    try:
        config = server.start()
        new = json.loads(p.state.read_text())
        assert new["admin_password"] == old["password"]  # root keeps its password
        assert new["user"].startswith("writer_") and new["read_user"].startswith("reader_")
        with connect(config) as driver:  # the data survived
            got = driver.execute_query("MATCH (m:Model) RETURN count(m) AS n",
                                       database_=config.database)
        assert got.records[0]["n"] == 50
        with connect(GraphConfig.from_env(read_only=True)) as driver:
            with pytest.raises(neo4j.exceptions.Forbidden):
                driver.execute_query("CREATE (:Model {id: 'x'})", database_=config.database)
    finally:
        if not server.status().running:
            server.start()

