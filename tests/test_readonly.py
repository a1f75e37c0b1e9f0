"""Read-only is enforced by the graph server, not by the console's tokenizer.

A corpus of bypass attempts (comment forms x line terminators, escapes, every write clause,
`CALL … IN TRANSACTIONS`, procedures, several statements) goes through every way a user reaches
the graph read-only: `constellation cypher` (the CLI), the explorer's console callback (a plain
POST to `/_dash-update-component`) and a raw Bolt session of the read-only user that skips the
tokenizer altogether. After each, nothing may have changed: counts, labels, relationship types,
property keys, indexes and a checksum of the data. A control shows that the raw payloads do
write when the read-write user sends them, so the checks can fail.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import neo4j
import pytest
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.pipeline.build import build
from constellation.queries.console import run_readonly

from constellation import server
from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"

# Every separator a lexer might end a `//` comment at (the server ends one at CR as well as LF).
TERMINATORS = {
    "LF": "\n", "CR": "\r", "CRLF": "\r\n", "VT": "\x0b", "FF": "\x0c", "NEL": "\x85",
    "LS": "\u2028", "PS": "\u2029", "FS": "\x1c", "RS": "\x1e",
}  # fmt: skip
WRITE = "DETACH DELETE n"


def _corpus() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, t in TERMINATORS.items():
        out += [
            (f"line-comment-{name}", f"MATCH (n) //x{t}{WRITE}"),
            (f"block-comment-{name}", f"MATCH (n) /*{t}*/ {WRITE}"),
            (f"comment-in-create-{name}", f"RETURN 1 AS x //{t}CREATE (:Injected {{v: 1}})"),
        ]
    out += [
        # escapes: strings and names the tokenizer and the server might end at different places
        ("backslash-quote", "RETURN 'a\\' AS s //'\nCREATE (:Injected)"),
        ("backslash-dquote", 'RETURN "a\\" AS s //"\nCREATE (:Injected)'),
        ("doubled-quote", "RETURN 'a'' AS s, 1 AS t //'\rCREATE (:Injected)"),
        ("unicode-escape-quote", "RETURN '\\u0027' AS s CREATE (:Injected)"),
        ("backtick-escape", "MATCH (`a``b`) WITH `a``b` AS n CREATE (:Injected)"),
        ("backtick-comment", "MATCH (`//`) CREATE (:Injected)"),
        ("nested-block", "RETURN 1 AS x /* /* */ CREATE (:Injected) /* */"),
        ("star-slash-in-string", "RETURN '*/' AS s /* ' */ CREATE (:Injected) //'"),
        # every write clause, in several spellings
        ("create", "CREATE (:Injected {v: 1})"),
        ("create-lower", "create (:Injected)"),
        ("create-mixed", "cReAtE (:Injected)"),
        ("merge", "MERGE (:Injected {v: 1})"),
        ("merge-rel", "MATCH (a:Model), (b:Model) WITH a, b LIMIT 1 MERGE (a)-[:INJECTED]->(b)"),
        ("create-rel", "MATCH (a:Model) WITH a LIMIT 1 CREATE (a)-[:INJECTED]->(a)"),
        ("set", "MATCH (m:Model) SET m.downloads = 0"),
        ("set-label", "MATCH (m:Model) SET m:Injected"),
        ("remove", "MATCH (m:Model) REMOVE m.downloads"),
        ("delete-rel", "MATCH ()-[r]->() DELETE r"),
        ("detach-delete", "MATCH (n) DETACH DELETE n"),
        ("foreach", "MATCH (m:Model) WITH collect(m) AS ms FOREACH (x IN ms | SET x.v = 1)"),
        ("load-csv", "LOAD CSV FROM 'file:///etc/passwd' AS line CREATE (:Injected {l: line})"),
        ("create-index", "CREATE INDEX injected IF NOT EXISTS FOR (m:Model) ON (m.likes)"),
        ("drop-index", "DROP INDEX model_downloads IF EXISTS"),
        ("create-constraint",
         "CREATE CONSTRAINT injected IF NOT EXISTS FOR (x:Injected) REQUIRE x.id IS UNIQUE"),
        ("drop-constraint", "DROP CONSTRAINT model_id IF EXISTS"),
        # CALL … IN TRANSACTIONS (commits on its own, outside the rolled-back transaction)
        ("in-transactions", "CALL { MATCH (n) DETACH DELETE n } IN TRANSACTIONS"),
        ("in-transactions-rows", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1 ROW"),
        ("in-transactions-comment", "CALL { CREATE (:Injected) } IN /**/ TRANSACTIONS"),
        ("in-transactions-cr", "CALL { CREATE (:Injected) } IN //\rTRANSACTIONS"),
        ("in-concurrent", "CALL { CREATE (:Injected) } IN CONCURRENT TRANSACTIONS"),
        # procedures
        ("proc-create-label", "CALL db.createLabel('Injected')"),
        ("proc-create-property", "CALL db.createProperty('injected')"),
        ("proc-apoc", "CALL apoc.create.node(['Injected'], {})"),
        ("proc-config", "CALL dbms.setConfigValue('db.logs.query.enabled', 'off')"),
        ("proc-yield-then-write", "CALL db.labels() YIELD label CREATE (:Injected {l: label})"),
        ("proc-backtick", "CALL `db`.`createLabel`('Injected')"),
        # several statements
        ("two-statements", "RETURN 1; CREATE (:Injected)"),
        ("two-statements-cr", "RETURN 1 //\r; CREATE (:Injected)"),
        ("two-statements-comment", "RETURN 1 /* ; */; MATCH (n) DETACH DELETE n"),
        ("admin-user", "ALTER USER root SET PASSWORD 'injected-pw'"),
        ("admin-db", "CREATE DATABASE injected"),
    ]
    return out


CORPUS = _corpus()


def snapshot(driver, database: str) -> dict:
    """What a write would change, schema included (a rolled-back CREATE used to leave its label)."""

    def one(cypher: str):
        return driver.execute_query(cypher, database_=database).records

    return {
        "nodes": one("MATCH (n) RETURN count(n) AS c")[0]["c"],
        "relationships": one("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"],
        "labels": sorted(r["label"] for r in one("CALL db.labels() YIELD label RETURN label")),
        "types": sorted(r["t"] for r in one(
            "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS t")),
        "keys": sorted(r["k"] for r in one(
            "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey AS k")),
        "indexes": len(one("SHOW INDEXES")),
        "checksum": one(
            "MATCH (m:Model) RETURN sum(coalesce(m.downloads, 0)) AS d, "
            "sum(size(coalesce(m.tags, []))) AS t, count(m.family) AS f"
        )[0].data(),
    }


@pytest.fixture(scope="module")
def graph(graph_db: GraphConfig, graph_driver, tmp_path_factory) -> dict:
    """The demo sample loaded by the read-write user; its snapshot."""
    out = tmp_path_factory.mktemp("readonly") / "artifacts"
    build([SAMPLE], out, progress=False)
    load_artifacts(graph_driver, out, database=graph_db.database, progress=False)
    before = snapshot(graph_driver, graph_db.database)
    assert before["nodes"] > 300 and before["relationships"] > 500
    return before


@pytest.fixture(scope="module")
def reader(graph_db: GraphConfig) -> GraphConfig:
    config = server.local_config(read_only=True)
    assert config is not None and config.user != graph_db.user
    return replace(config, database=graph_db.database)


@pytest.fixture(scope="module")
def reader_driver(reader: GraphConfig):
    with connect(reader) as driver:
        yield driver


def test_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 50
    names = [n for n, _ in CORPUS]
    assert len(set(names)) == len(names)
    for kind in ("line-comment-CR", "block-comment-LS", "backslash-quote", "load-csv",
                 "in-transactions", "proc-create-label", "two-statements"):
        assert kind in names


@pytest.mark.parametrize("cypher", [c for _, c in CORPUS], ids=[n for n, _ in CORPUS])
def test_console_refuses_and_nothing_changes(
    cypher: str, graph: dict, reader: GraphConfig, reader_driver, graph_driver
) -> None:
    """The console path (tokenizer, then the read-only user on the server)."""
    with pytest.raises(UserError):
        run_readonly(reader_driver, cypher, database=reader.database, timeout=20)
    assert snapshot(graph_driver, reader.database) == graph


@pytest.mark.parametrize("cypher", [c for _, c in CORPUS], ids=[n for n, _ in CORPUS])
def test_server_refuses_the_read_only_user(
    cypher: str, graph: dict, reader: GraphConfig, reader_driver, graph_driver
) -> None:
    """No tokenizer at all: the read-only user's raw auto-commit statement, as any Bolt client
    holding those credentials could send it. The server itself must keep the graph unchanged."""
    try:
        with reader_driver.session(database=reader.database) as session:
            session.run(cypher).consume()
    except neo4j.exceptions.Neo4jError as exc:
        assert "Security.Forbidden" in exc.code or "Statement" in exc.code or (
            "UnknownError" in exc.code and "Unknown procedure" in (exc.message or "")
        ), exc.code
    assert snapshot(graph_driver, reader.database) == graph


def test_server_refusal_is_one_line_naming_no_user(
    reader: GraphConfig, reader_driver, graph: dict, graph_driver
) -> None:
    """The server's refusal, mapped in the one place driver errors become messages."""
    from constellation.errors import graph_errors

    with pytest.raises(UserError, match="refused it: this connection is read-only") as err:
        with graph_errors(), reader_driver.session(
            database=reader.database
        ) as session:
            session.run("MATCH (m:Model) WITH m LIMIT 1 SET m.injected = 1").consume()
    assert reader.user not in str(err.value)
    assert snapshot(graph_driver, reader.database) == graph


def test_control_the_payloads_do_write_for_the_read_write_user(
    graph_server: GraphConfig, graph: dict
) -> None:
    """Without the server's refusal the CR payload deletes every node: the checks above can fail
    (this is what the console did when it connected as the read-write user)."""
    name = "t_readonly_control"
    server.create_database(name)
    try:
        config = replace(graph_server, database=name)
        with connect(config) as driver:
            driver.execute_query("UNWIND range(1, 5) AS i CREATE (:Model {id: toString(i)})",
                                 database_=name)
            with driver.session(database=name) as session:
                session.run(f"MATCH (n) //x\r{WRITE}").consume()
                session.run("CALL { CREATE (:Injected) } IN TRANSACTIONS").consume()
            after = snapshot(driver, name)
        assert after["nodes"] == 1 and "Injected" in after["labels"]
    finally:
        server.drop_database(name)


def _dash_post(client, cypher: str) -> dict:
    """The console callback as a browser (or anyone on the network) calls it."""
    outputs = [("con-meta", "children"), ("con-error", "children"), ("con-table", "columns"),
               ("con-table", "data"), ("con-table-card", "style"), ("con-graph", "elements"),
               ("con-graph-card", "style")]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "con-run", "property": "n_clicks", "value": 1}],
        "state": [{"id": "con-query", "property": "value", "value": cypher}],
        "changedPropIds": ["con-run.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)["response"]


@pytest.fixture(scope="module")
def dash_client(reader: GraphConfig, reader_driver):
    from constellation.dashboard.app import create_app
    from constellation.dashboard.data import Data

    data = Data(reader_driver, database=reader.database, query_timeout=reader.query_timeout)
    return create_app(data=data).server.test_client()


def test_explorer_console_callback_reads(dash_client) -> None:
    answer = _dash_post(dash_client, "MATCH (m:Model) RETURN count(m) AS n")
    assert answer["con-table"]["data"][0]["n"] > 300


@pytest.mark.parametrize("cypher", [c for _, c in CORPUS[::3]], ids=[n for n, _ in CORPUS[::3]])
def test_explorer_console_callback_refuses(
    cypher: str, dash_client, graph: dict, reader: GraphConfig, graph_driver
) -> None:
    answer = _dash_post(dash_client, cypher)
    assert answer["con-error"]["children"], answer  # an error shown, no table
    assert answer["con-table"]["data"] == []
    assert snapshot(graph_driver, reader.database) == graph


def test_explorer_and_cli_connect_as_the_read_only_user(graph_server: GraphConfig) -> None:
    reader = GraphConfig.from_env(read_only=True)
    assert reader.user.startswith("reader_") and reader.user != graph_server.user
    assert reader.query_timeout == graph_server.query_timeout


def test_cli_console_refuses_a_cr_bypass(
    graph: dict, reader: GraphConfig, graph_driver, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setenv("NEO4J_DATABASE", reader.database)
    assert main(["cypher", f"MATCH (n) //x\r{WRITE}"]) == 2
    err = capsys.readouterr().err
    assert "DETACH is not allowed" in err and "Traceback" not in err
    assert snapshot(graph_driver, reader.database) == graph


@pytest.mark.parametrize(
    ("cypher", "message"),
    [
        ("SHOW USERS", "SHOW is not allowed"),
        ("SHOW DATABASES", "SHOW is not allowed"),
        ("show  roles", "SHOW is not allowed"),
        ("CALL db.info()", "could not run the query: Unknown procedure"),
        ("CALL dbms.procedures()", "could not run the query: Unknown procedure"),
        ("UNWIND range(1, 1200000) AS i WITH collect(i) AS l RETURN size(l) AS n",
         "could not run the query: Limit of allowed elements"),
    ],
)
def test_cli_one_line_for_server_accounts_and_engine_errors(
    cypher: str, message: str, graph: dict, reader: GraphConfig,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setenv("NEO4J_DATABASE", reader.database)
    assert main(["cypher", cypher]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_show_indexes_still_reads(reader: GraphConfig, reader_driver, graph: dict) -> None:
    result = run_readonly(reader_driver, "SHOW INDEXES", database=reader.database)
    assert len(result.rows) == graph["indexes"]
