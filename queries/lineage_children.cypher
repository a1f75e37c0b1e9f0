// lineage_children: a model's direct derived models grouped by relation, with the count of each group and a page of its members by downloads.
// @param id model  Model id (the parent)
// @param relation string = null  Only this relation's group (finetune, quantized, merge, adapter, unknown); null = every group
// @param skip int(0..) = 0  Members of each group to skip (paging)
// @param limit int(0..1000) = 50  Members of each group to return (0 = only the counts)
// One row per relation: `relation` (a missing relation reads `unknown`), `total` (every child
// of that relation, whatever the page) and `children` (id, name, author, downloads, likes,
// family, children = how many models derive from that child), most downloaded first. Groups
// come largest first. The counts are what the Hub's "Model tree" shows.
MATCH (m:Model {id: $id})<-[r:BASED_ON]-(c:Model)
WITH coalesce(r.relation, 'unknown') AS relation, c
WHERE $relation IS NULL OR relation = $relation
WITH relation, c
ORDER BY coalesce(c.downloads, -1) DESC, c.id
WITH relation, collect(c) AS kids
RETURN relation, size(kids) AS total,
       [k IN kids[$skip..$skip + $limit] |
          k {.id, .name, .author, .downloads, .likes, .family,
             children: COUNT { (k)<-[:BASED_ON]-() }}] AS children
ORDER BY total DESC, relation
