// family_inferred_links: the strongest likely (inferred) parent links inside a model's community.
// @param id model  Model id (its community is the family)
// @param min_score float(0..1) = 0.5  Only links scored at least this (the chance they are right)
// @param limit int(1..1000) = 50  Rows (strongest first)
// One row per LIKELY_BASED_ON link whose child is in the model's community (the parent may lie
// outside it): `child`, `parent` and their names, the link's `score`, predicted `relation` and
// `rank` among the child's candidates, and `same_community` for the parent. Written by
// `constellation infer-lineage` then `constellation load`; none before that.
MATCH (m:Model {id: $id})-[:IN_COMMUNITY]->(g:Community)
MATCH (c:Model)-[:IN_COMMUNITY]->(g)
MATCH (c)-[r:LIKELY_BASED_ON]->(p:Model)
WHERE r.score >= $min_score
RETURN c.id AS child, c.name AS child_name, p.id AS parent, p.name AS parent_name,
       r.score AS score, r.relation AS relation, r.rank AS rank,
       EXISTS { (p)-[:IN_COMMUNITY]->(g) } AS same_community, g.id AS community,
       g.label AS community_label
ORDER BY score DESC, child, parent
LIMIT $limit
