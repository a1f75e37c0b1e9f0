"""The read-only Cypher console against a real local server: writes refused before sending,
parameters as data, rollback as a second guard, row cap, timeout, clear errors."""

from __future__ import annotations

import json

import pytest
from constellation.queries import console
from constellation.queries.console import check_readonly, run_readonly, tokenize

from constellation.cli import main
from constellation.errors import GraphUnreachable, UserError
from constellation.graph import GraphConfig


@pytest.fixture(scope="module")
def graph(graph_db: GraphConfig, graph_driver):
    """A few nodes to read (and to check that nothing changed)."""
    graph_driver.execute_query(
        "UNWIND range(1, 50) AS i CREATE (:Model {id: 'm' + toString(i), downloads: i})",
        database_=graph_db.database,
    )
    return graph_driver


def count(driver, config: GraphConfig) -> tuple[int, int]:
    rec = driver.execute_query(
        "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r",
        database_=config.database,
    ).records[0]
    return rec["n"], rec["r"]


READS = [
    "MATCH (m:Model) RETURN m.id ORDER BY m.id LIMIT 3",
    "RETURN 'CREATE (x)' AS s, \"DELETE\" AS t",
    "MATCH (n) // SET n.x = 1\nRETURN count(n)",
    "MATCH (n) /* DETACH DELETE n */ RETURN count(n)",
    "MATCH (n) RETURN n.set, n.create AS `DELETE`",
    "MATCH (n:Model) RETURN {merge: n.id} AS m LIMIT 1",
    "MATCH p = (start:Model)-[*0..1]-(stop) RETURN count(p)",
    "CALL db.labels() YIELD label RETURN label",
    "MATCH (m:Model) CALL { WITH m RETURN m.downloads AS d } RETURN sum(d)",
    "RETURN 1;",
]

WRITES = [
    ("CREATE (n:Model {id: 'x'})", "CREATE"),
    ("/*x*/CREATE (n)", "CREATE"),
    ("MERGE (n:Model {id: 'x'}) RETURN n", "MERGE"),
    ("MATCH (n) DELETE n", "DELETE"),
    ("match (n) detach delete n", "DETACH"),
    ("MATCH (n) SET n.x = 1", "SET"),
    ("MATCH (n) REMOVE n.downloads", "REMOVE"),
    ("MATCH (n:Model) WITH n LIMIT 1 FOREACH (x IN [1] | CREATE (:Model))", "FOREACH"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("DROP INDEX model_downloads IF EXISTS", "DROP"),
    ("CALL { MATCH (n) DETACH DELETE n } IN TRANSACTIONS", "DETACH"),
    ("MATCH (n) CALL { WITH n RETURN n.id AS i } IN TRANSACTIONS RETURN i", "IN TRANSACTIONS"),
    ("CALL dbms.setConfigValue('a', 'b')", "dbms.setConfigValue"),
    ("CALL db.createLabel('X')", "db.createLabel"),
    ("CALL apoc.create.node(['X'], {})", "apoc.create.node"),
    ("ALTER USER root SET PASSWORD 'x'", "ALTER"),
    ("GRANT ROLE admin TO bob", "GRANT"),
    ("START DATABASE hf", "START"),
    ("USE system SHOW USERS", "USE"),
    ("RETURN 1; MATCH (n) DETACH DELETE n", "one statement at a time"),
    ("RETURN 'unterminated", "unterminated string"),
    ("RETURN 1 /* CREATE", "unterminated /\\* comment"),
]


def test_tokenizer_skips_strings_comments_and_names() -> None:
    words = [t.text for t in tokenize("RETURN 'CREATE' AS `SET`, $p // DELETE\n, 1.5 /*MERGE*/")
             if t.kind == "word"]
    assert words == ["RETURN", "AS"]
    assert [t.kind for t in tokenize("'a\\'b' \"c\"")] == ["string", "string"]


@pytest.mark.parametrize("cypher", READS)
def test_reads_pass_the_check(cypher: str) -> None:
    check_readonly(cypher)


@pytest.mark.parametrize(("cypher", "word"), WRITES)
def test_writes_are_refused_before_sending(cypher: str, word: str) -> None:
    with pytest.raises(UserError, match=word):
        check_readonly(cypher)


def test_refused_writes_change_nothing(graph, graph_db: GraphConfig) -> None:
    before = count(graph, graph_db)
    for cypher, _ in WRITES:
        with pytest.raises(UserError):
            run_readonly(graph, cypher, database=graph_db.database)
    assert count(graph, graph_db) == before


def test_reads_run_and_return_plain_rows(graph, graph_db: GraphConfig) -> None:
    res = run_readonly(graph, "MATCH (m:Model) WHERE m.downloads <= $n RETURN m, m.id AS id "
                       "ORDER BY id", params={"n": 2}, database=graph_db.database)
    assert res.columns == ["m", "id"] and not res.truncated and res.elapsed_ms > 0
    assert [r[1] for r in res.rows] == ["m1", "m2"]
    node = res.rows[0][0]
    assert node["labels"] == ["Model"] and node["properties"] == {"id": "m1", "downloads": 1}
    assert res.records()[1]["id"] == "m2"
    json.dumps(res.rows)
    for cypher in READS:
        run_readonly(graph, cypher, database=graph_db.database)


def test_injection_through_parameters_is_data(graph, graph_db: GraphConfig) -> None:
    before = count(graph, graph_db)
    evil = "x'}) DETACH DELETE n //"
    res = run_readonly(graph, "MATCH (m:Model) WHERE m.id = $id RETURN m.id AS id",
                       params={"id": evil}, database=graph_db.database)
    assert res.rows == []
    res = run_readonly(graph, "RETURN $id AS id", params={"id": evil}, database=graph_db.database)
    assert res.rows == [[evil]]
    assert count(graph, graph_db) == before
    with pytest.raises(UserError, match="bad parameter name"):
        run_readonly(graph, "RETURN 1", params={"x}) DELETE (n": 1}, database=graph_db.database)


def test_rollback_guards_even_if_the_check_were_bypassed(
    graph, graph_db: GraphConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second layer: the transaction is always rolled back (ArcadeDB ignores READ mode)."""
    before = count(graph, graph_db)
    monkeypatch.setattr(console, "check_readonly", lambda cypher: None)
    res = run_readonly(graph, "CREATE (n:Model {id: 'sneaky'}) RETURN n.id AS id",
                       database=graph_db.database)
    assert res.rows in ([["sneaky"]], [])  # whatever the server answered, it is not kept
    assert count(graph, graph_db) == before


def test_row_cap_reports_truncation(graph, graph_db: GraphConfig) -> None:
    res = run_readonly(graph, "MATCH (m:Model) RETURN m.id AS id", database=graph_db.database,
                       row_cap=10)
    assert len(res.rows) == 10 and res.truncated
    res = run_readonly(graph, "MATCH (m:Model) RETURN m.id AS id", database=graph_db.database,
                       row_cap=50)
    assert len(res.rows) == 50 and not res.truncated


def test_timeout_is_enforced(graph, graph_db: GraphConfig) -> None:
    slow = "UNWIND range(1, 13000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"
    with pytest.raises(UserError, match="timed out after 0.5 s"):
        run_readonly(graph, slow, database=graph_db.database, timeout=0.5)


def test_cypher_errors_are_one_clear_line(graph, graph_db: GraphConfig) -> None:
    with pytest.raises(UserError, match="the server refused the query"):
        run_readonly(graph, "MATCH (m RETURN m", database=graph_db.database)


def test_server_down_and_wrong_password(graph_db: GraphConfig) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", auth=("root", "x")) as down:
        with pytest.raises(GraphUnreachable, match="graph server not reachable"):
            run_readonly(down, "RETURN 1", database=graph_db.database)
    with neo4j.GraphDatabase.driver(graph_db.uri, auth=(graph_db.user, "wrong")) as bad:
        with pytest.raises(GraphUnreachable, match="password"):
            run_readonly(bad, "RETURN 1", database=graph_db.database)


def test_cli_cypher(graph, graph_db: GraphConfig, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEO4J_URI", graph_db.uri)
    monkeypatch.setenv("NEO4J_USER", graph_db.user)
    monkeypatch.setenv("NEO4J_PASSWORD", graph_db.password)
    monkeypatch.setenv("NEO4J_DATABASE", graph_db.database)
    assert main(["cypher", "MATCH (m:Model) WHERE m.id = $id RETURN m.downloads AS d",
                 "--param", "id=m7", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [{"d": 7}]
    assert "1 row(s)" in captured.err
    assert main(["cypher", "MATCH (m:Model) RETURN m.id AS id", "--row-cap", "5"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 + 5 and "truncated" in captured.err
    before = count(graph, graph_db)
    assert main(["cypher", "MATCH (n) DETACH DELETE n"]) == 2
    assert "DETACH is not allowed" in capsys.readouterr().err
    assert count(graph, graph_db) == before
