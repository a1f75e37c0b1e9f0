// family: the members of a model's community, or of its cluster at a hierarchy level, ranked by downloads.
// @param id model  Model id
// @param by choice(community|cluster) = community  Group to list: Louvain community or hierarchy cluster
// @param level int(0..50) = 0  Hierarchy level when by=cluster (0 = finest clusters)
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// @param pipeline_tag string = null  Only members with this pipeline tag
// @param license string = null  Only members with this license
// @param min_downloads int(0..) = 0  Only members with at least this many downloads
// @param created_from date = null  Only members created on/after this date
// @param created_to date(end) = null  Only members created on/before this date (a whole day when date-only)
// @param dataset string = null  Only members trained on this dataset (TRAINED_ON)
// One row per member (the model itself included, `is_self`), with the group's id, label and
// size on every row. The cluster at `level` is found by walking CHILD_OF up from the model's
// finest cluster; its members are the models of every finest cluster below it.
MATCH (m:Model {id: $id})
CALL {
  WITH m
  WITH m WHERE $by = 'community'
  MATCH (m)-[:IN_COMMUNITY]->(g:Community)
  RETURN g
  UNION
  WITH m
  WITH m WHERE $by = 'cluster'
  MATCH (m)-[:IN_CLUSTER]->(:Cluster)-[:CHILD_OF*0..50]->(g:Cluster)
  WHERE g.level = $level
  RETURN g
}
// The first members come from the group's GroupTop (its 50 most downloaded members, stored by
// the loader): a page that fits in it, or any page of a group it holds whole, reads no other
// member. Deeper pages and filtered pages of large groups walk the members.
OPTIONAL MATCH (t:GroupTop {id: $by + ':' + toString(g.id)})
WITH m, g, coalesce(t.ids, []) AS top
WITH m, g, top, g.size <= size(top) OR ($skip + $limit <= size(top)
     AND $pipeline_tag IS NULL AND $license IS NULL AND $min_downloads = 0
     AND $created_from IS NULL AND $created_to IS NULL AND $dataset IS NULL) AS from_top
CALL {
  WITH g, top, from_top
  WITH top WHERE from_top
  UNWIND top AS tid
  MATCH (x:Model {id: tid})
  RETURN x
  UNION
  WITH g, from_top
  WITH g WHERE NOT from_top AND $by = 'community'
  MATCH (g)<-[:IN_COMMUNITY]-(x:Model)
  RETURN x
  UNION
  WITH g, from_top
  WITH g WHERE NOT from_top AND $by = 'cluster'
  MATCH (g)<-[:CHILD_OF*0..50]-(:Cluster)<-[:IN_CLUSTER]-(x:Model)
  RETURN x
}
WITH m, g, x
WHERE ($pipeline_tag IS NULL OR x.pipeline_tag = $pipeline_tag)
  AND ($license IS NULL OR x.license = $license)
  AND coalesce(x.downloads, 0) >= $min_downloads
  AND ($created_from IS NULL OR x.created_at >= $created_from)
  AND ($created_to IS NULL OR x.created_at <= $created_to)
  AND ($dataset IS NULL OR EXISTS { (x)-[:TRAINED_ON]->(:Dataset {id: $dataset}) })
WITH m, g, x
ORDER BY coalesce(x.downloads, -1) DESC, x.id
SKIP $skip LIMIT $limit
RETURN g.id AS group_id, g.label AS group_label, g.size AS group_size, g.level AS level,
       x.id AS id, x.name AS name, x.author AS author, x.downloads AS downloads,
       x.likes AS likes, x.pipeline_tag AS pipeline_tag, x.created_at AS created_at,
       x = m AS is_self
