"""`constellation demo` against the real local server: it loads the bundled sample into a
database of its own and never replaces another build; Ctrl+C says the graph server still runs.

The user's graph is the hand-made build of the query tests (`_queries_helpers.py`).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace

import pytest
from _dashboard_helpers import free_port
from _queries_helpers import write_small_artifacts
from constellation.dashboard.commands import DEMO_DATABASE, prepare_demo
from constellation.loader.graph.writer import load_artifacts

from constellation import server
from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

NEO4J_VARS = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def snapshot(config: GraphConfig) -> tuple[list[str], list[str]]:
    """(model ids, build ids) of a database: what a careless load would change."""
    with connect(config) as driver:
        models, _, _ = driver.execute_query("MATCH (m:Model) RETURN m.id AS id ORDER BY id",
                                            database_=config.database)
        builds, _, _ = driver.execute_query("MATCH (b:Build) RETURN b.id AS id ORDER BY id",
                                            database_=config.database)
    return [r["id"] for r in models], [r["id"] for r in builds]


def load_user_build(config: GraphConfig, tmp_path) -> None:
    with connect(config) as driver:
        load_artifacts(driver, write_small_artifacts(tmp_path / "user-build"),
                       database=config.database, progress=False)


@pytest.fixture(scope="module")
def local(graph_server: GraphConfig):
    """The local server with its default database; the demo's database is dropped afterwards
    unless it was there before (a developer's own demo)."""
    had_demo = DEMO_DATABASE in server.list_databases()
    yield graph_server
    if not had_demo and DEMO_DATABASE in server.list_databases():
        server.drop_database(DEMO_DATABASE)


@pytest.fixture
def no_neo4j_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in NEO4J_VARS:
        monkeypatch.delenv(var, raising=False)


def test_demo_leaves_the_default_database_alone(local, no_neo4j_env, tmp_path) -> None:
    """It used to load into `constellation` and delete the user's build (15,738 models)."""
    before = snapshot(local)
    filled_here = not before[0]
    if filled_here:  # an empty default database (a test server): put a user's build in it
        load_user_build(local, tmp_path)
        before = snapshot(local)
        assert "lonely/model-x" in before[0] and before[1] == ["queries-small-1"]
    try:
        config = prepare_demo()
        assert config.database == DEMO_DATABASE and config.uri == local.uri
        assert snapshot(local) == before
        demo_models, demo_builds = snapshot(config)
        assert "gpt2" in demo_models and "lonely/model-x" not in demo_models
        assert prepare_demo() == config  # a second demo reloads its own database
        assert snapshot(local) == before and len(snapshot(config)[0]) == len(demo_models)
    finally:
        if filled_here:  # back to the empty default database it was
            server.drop_database(local.database)
            server.create_database(local.database)


def test_demo_over_neo4j_uri_refuses_another_build(
    graph_db: GraphConfig, monkeypatch: pytest.MonkeyPatch, tmp_path,
    capsys: pytest.CaptureFixture,
) -> None:
    load_user_build(graph_db, tmp_path)
    before = snapshot(graph_db)
    for var, value in zip(NEO4J_VARS, (graph_db.uri, graph_db.user, graph_db.password,
                                       graph_db.database), strict=True):
        monkeypatch.setenv(var, value)
    with pytest.raises(UserError, match=f"database {graph_db.database} at .* holds another "
                                        "graph \\(build queries-small-1, 10 models\\)"):
        prepare_demo()
    assert main(["demo", "--no-serve", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("constellation demo: ") and "NEO4J_DATABASE" in err[-1]
    assert snapshot(graph_db) == before
    # an empty database takes the demo, and a second run over it too
    # over NEO4J_URI the server's time limit is not known
    empty = replace(graph_db, database=graph_db.database + "_e", query_timeout=None)
    server.create_database(empty.database)
    try:
        monkeypatch.setenv("NEO4J_DATABASE", empty.database)
        assert prepare_demo() == empty
        assert prepare_demo() == empty
        assert "gpt2" in snapshot(empty)[0]
    finally:
        server.drop_database(empty.database)


def test_ctrl_c_says_the_graph_server_still_runs(local, no_neo4j_env) -> None:
    """The explorer stops on Ctrl+C; the graph server does not, and the demo now says so."""
    port = free_port()
    # Ctrl+C as in a terminal: a test run started in the background (`cmd &` without job
    # control) ignores SIGINT, and the demo would inherit that and never stop
    proc = subprocess.Popen([sys.executable, "-m", "constellation.cli", "demo", "--port",
                             str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.communicate()[1]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert f"explorer on http://127.0.0.1:{port}/" in err
    last = err.strip().splitlines()[-1]
    assert "still running" in last and "constellation db stop" in last
    assert server.status().running
