// lineage_ancestors: a model's declared ancestors along BASED_ON, nearest first, with the edge that reaches each.
// @param id model  Model id
// @param depth int(1..6) = 4  BASED_ON steps to follow upwards
// @param limit int(1..500) = 50  Most ancestors to return (nearest first, then by downloads)
// One row per ancestor: id, name, author, downloads, likes, family, `depth` (fewest steps) and
// the edge on one shortest chain (`child` -[BASED_ON {relation}]-> `parent`), so the rows draw
// the chain above the model. Only upwards: the lineage view pages the children separately
// (lineage_children), so a base with thousands of derived models costs nothing here.
MATCH p = (m:Model {id: $id})-[:BASED_ON*1..6]->(a:Model)
WHERE length(p) <= $depth
WITH a, p ORDER BY length(p)
WITH a, head(collect(p)) AS p
WITH a, length(p) AS depth, last(relationships(p)) AS r
ORDER BY depth, coalesce(a.downloads, -1) DESC, a.id
LIMIT $limit
RETURN a.id AS id, a.name AS name, a.author AS author, a.downloads AS downloads,
       a.likes AS likes, a.family AS family, depth, r.relation AS relation,
       startNode(r).id AS child, a.id AS parent
