"""The whole graph as a client sees it, to compare two loads (test_bulk.py, test_refresh.py)."""

from __future__ import annotations

import json

from constellation.graph import GraphConfig, connect


def rows(config: GraphConfig, query: str) -> list[dict]:
    with connect(config) as driver:
        return [dict(r) for r in driver.execute_query(query, database_=config.database).records]


def graph(config: GraphConfig) -> dict:
    """Everything a client can see: schema, counts, nodes with all properties, edges."""
    nodes = {
        (r["label"], r["props"].get("id", r["props"].get("name"))): r["props"]
        for r in rows(config, "MATCH (n) WHERE NOT n:Build "
                               "RETURN labels(n)[0] AS label, properties(n) AS props")
    }  # fmt: skip
    edges = sorted(
        json.dumps(list(r.values()), sort_keys=True)
        for r in rows(
            config,
            "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS la, coalesce(a.id, a.name) AS a, "
            "type(r) AS t, properties(r) AS p, labels(b)[0] AS lb, coalesce(b.id, b.name) AS b",
        )
    )
    return {
        "labels": {r["l"]: r["n"] for r in rows(
            config, "MATCH (n) RETURN labels(n)[0] AS l, count(*) AS n")},
        "types": {r["t"]: r["n"] for r in rows(
            config, "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")},
        "indexes": sorted(json.dumps([r["name"], r["labelsOrTypes"], r["properties"]])
                          for r in rows(config, "SHOW INDEXES")),
        "nodes": nodes,
        "edges": edges,
        "build": rows(config, "MATCH (b:Build) RETURN b.id AS id, b.status AS status, "
                               "b.current AS current, b.manifest AS manifest, "
                               "keys(b) AS keys"),
    }  # fmt: skip
