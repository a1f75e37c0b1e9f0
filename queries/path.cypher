// path: how two models are connected: a shortest path over SIMILAR_TO and BASED_ON (either direction).
// @param from model  First model id
// @param to model  Second model id
// @param max_hops int(1..6) = 4  Longest path to look for
// One row per step: `step` 0 is `from`; `edge` is the relationship type that leads to the row's
// model from the previous one, with its `score` (SIMILAR_TO) or `relation` (BASED_ON) and
// `forward` = the stored direction points from the previous model to this one. No rows: not
// connected within `max_hops`. shortestPath runs on ArcadeDB and Neo4j 5 alike; the pattern
// bound is the fixed 6 (no parameter allowed there) and `max_hops` filters after the search,
// so the planner never falls back to an exhaustive search.
MATCH (a:Model {id: $from}), (b:Model {id: $to})
MATCH p = shortestPath((a)-[:SIMILAR_TO|BASED_ON*..6]-(b))
WITH p WHERE length(p) <= $max_hops
WITH nodes(p) AS ns, relationships(p) AS rs
UNWIND range(0, size(ns) - 1) AS i
WITH i, ns[i] AS n, CASE WHEN i = 0 THEN null ELSE rs[i - 1] END AS r,
     CASE WHEN i = 0 THEN null ELSE ns[i - 1] END AS prev
RETURN i AS step, n.id AS id, n.name AS name, n.downloads AS downloads,
       type(r) AS edge, r.score AS score, r.relation AS relation,
       CASE WHEN r IS NULL THEN null ELSE startNode(r) = prev END AS forward
ORDER BY step
