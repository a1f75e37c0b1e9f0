// top_families: the largest communities (or clusters of one hierarchy level), by members or downloads.
// @param by choice(community|cluster) = community  Louvain communities or hierarchy clusters
// @param level int(0..50) = 0  Hierarchy level when by=cluster (0 = finest)
// @param order choice(members|downloads) = members  Rank by member count or total downloads
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// Sizes and download totals are the ones the build computed (stored on the group nodes).
CALL {
  WITH 1 AS one WHERE $by = 'community'
  MATCH (g:Community)
  RETURN g
  UNION
  WITH 1 AS one WHERE $by = 'cluster'
  MATCH (g:Cluster)
  WHERE g.level = $level
  RETURN g
}
WITH g
ORDER BY CASE $order WHEN 'downloads' THEN g.downloads ELSE g.size END DESC,
         CASE $order WHEN 'downloads' THEN g.size ELSE g.downloads END DESC, g.id
SKIP $skip LIMIT $limit
RETURN g.id AS id, g.label AS label, g.terms AS terms, g.size AS members,
       g.downloads AS downloads, g.level AS level
