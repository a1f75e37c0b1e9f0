// related: a model's most similar models (SIMILAR_TO, by score), and what they share with it.
// @param id model  Model id
// @param limit int(1..200) = 20  Rows to return
// @param min_score float(0..1) = 0  Keep edges with at least this cosine score
// SIMILAR_TO is stored once per pair, so it is matched undirected. `same_community`,
// `same_cluster`, `same_family` compare the neighbour with the model; `lineage` is
// 'parent' / 'child' when a declared BASED_ON link joins the two (else null).
MATCH (m:Model {id: $id})
// declared parents/children once, as lists (cheaper than an EXISTS per row on ArcadeDB)
WITH m, [(m)-[:BASED_ON]->(p:Model) | p] AS parents, [(m)<-[:BASED_ON]-(c:Model) | c] AS children
MATCH (m)-[r:SIMILAR_TO]-(n:Model)
WHERE r.score >= $min_score
WITH m, parents, children, n, r.score AS score
ORDER BY score DESC, coalesce(n.downloads, -1) DESC, n.id
LIMIT $limit
RETURN n.id AS id, n.name AS name, n.author AS author, n.downloads AS downloads,
       score,
       n.family AS family,
       n.community = m.community AS same_community,
       n.cluster = m.cluster AS same_cluster,
       n.family = m.family AS same_family,
       CASE WHEN n IN parents THEN 'parent' WHEN n IN children THEN 'child' END AS lineage
