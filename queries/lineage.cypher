// lineage: a model's declared ancestors and descendants along BASED_ON, with relations and depth; optionally its likely (inferred) links too.
// @param id model  Model id
// @param depth int(1..6) = 3  BASED_ON steps to follow in each direction
// @param limit int(1..1000) = 100  Rows per direction (nearest first, then by downloads)
// @param inferred bool = false  Also the likely parents and likely children (LIKELY_BASED_ON)
// One row per related model: `direction` ancestor|descendant, `depth` (fewest steps), the
// edge that reaches it on one shortest chain (`child` -[BASED_ON {relation}]-> `parent`), so
// the rows draw a tree. The pattern bound is the fixed 6 (Cypher takes no parameter there);
// `depth` then filters. Declared rows have `inferred` false and no `score`. With inferred=true,
// the model's likely parents (ancestors) and the models that likely derive from it
// (descendants) follow at depth 1 with `inferred` true, the link's `score` (the chance that
// it is right) and its predicted `relation`, strongest first (`constellation infer-lineage`).
MATCH (m:Model {id: $id})
CALL {
  WITH m
  MATCH p = (m)-[:BASED_ON*1..6]->(a:Model)
  WHERE length(p) <= $depth
  WITH a, p ORDER BY length(p)
  WITH a, head(collect(p)) AS p
  WITH a, length(p) AS depth, last(relationships(p)) AS r
  ORDER BY depth, coalesce(a.downloads, -1) DESC, a.id
  LIMIT $limit
  RETURN 'ancestor' AS direction, depth, a AS x, r.relation AS relation,
         startNode(r).id AS child, a.id AS parent, false AS inferred, null AS score
  UNION ALL
  WITH m
  MATCH p = (m)<-[:BASED_ON*1..6]-(d:Model)
  WHERE length(p) <= $depth
  WITH d, p ORDER BY length(p)
  WITH d, head(collect(p)) AS p
  WITH d, length(p) AS depth, last(relationships(p)) AS r
  ORDER BY depth, coalesce(d.downloads, -1) DESC, d.id
  LIMIT $limit
  RETURN 'descendant' AS direction, depth, d AS x, r.relation AS relation,
         d.id AS child, endNode(r).id AS parent, false AS inferred, null AS score
  UNION ALL
  WITH m
  WITH m WHERE $inferred
  MATCH (m)-[r:LIKELY_BASED_ON]->(a:Model)
  WITH m, a, r ORDER BY r.score DESC, a.id
  LIMIT $limit
  RETURN 'ancestor' AS direction, 1 AS depth, a AS x, r.relation AS relation,
         m.id AS child, a.id AS parent, true AS inferred, r.score AS score
  UNION ALL
  WITH m
  WITH m WHERE $inferred
  MATCH (m)<-[r:LIKELY_BASED_ON]-(d:Model)
  WITH m, d, r ORDER BY r.score DESC, d.id
  LIMIT $limit
  RETURN 'descendant' AS direction, 1 AS depth, d AS x, r.relation AS relation,
         d.id AS child, m.id AS parent, true AS inferred, r.score AS score
}
RETURN direction, depth, x.id AS id, x.name AS name, x.author AS author,
       x.downloads AS downloads, relation, child, parent, inferred, score
ORDER BY direction, depth, inferred, coalesce(score, 2.0) DESC, coalesce(downloads, -1) DESC, id
