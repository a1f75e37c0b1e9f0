// lineage_likely: a model's inferred (likely) parents along LIKELY_BASED_ON, best first.
// @param id model  Model id (the child)
// @param limit int(1..100) = 5  Most likely parents to return
// One row per likely parent: id, name, author, downloads, likes, family and the link's `score`,
// `relation` and `rank` (1 = best). Inferred links are a guess from names and dates, drawn
// apart from the declared BASED_ON links; a graph without them answers no rows.
MATCH (m:Model {id: $id})-[r:LIKELY_BASED_ON]->(p:Model)
WITH p, r
ORDER BY coalesce(r.rank, 1000), r.score DESC, p.id
LIMIT $limit
RETURN p.id AS id, p.name AS name, p.author AS author, p.downloads AS downloads,
       p.likes AS likes, p.family AS family, r.score AS score, r.relation AS relation,
       r.rank AS rank
