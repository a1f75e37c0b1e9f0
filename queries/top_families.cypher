// top_families: the largest communities (or clusters of one hierarchy level), by members or downloads.
// @param by choice(community|cluster) = community  Louvain communities or hierarchy clusters
// @param level int(0..50) = 0  Hierarchy level when by=cluster (0 = finest)
// @param order choice(members|downloads) = members  Rank by member count or total downloads
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// Sizes and download totals are the ones the build computed (stored on the group nodes). The
// loader stores the first 1,000 groups of each order (a GroupRanking: members, then downloads,
// then id; or downloads, then members, then id; per level for clusters): a page among them is
// index lookups; a page beyond sorts every group.
WITH CASE $by WHEN 'community' THEN 'community' ELSE 'cluster:' + toString($level) END
     + ':' + $order AS key
OPTIONAL MATCH (r:GroupRanking {id: key})
WITH coalesce(r.ids, []) AS ranked,
     r IS NOT NULL AND $skip + $limit <= 1000 AS stored
CALL {
  WITH ranked, stored
  WITH ranked WHERE stored
  UNWIND range($skip, CASE WHEN size(ranked) < $skip + $limit THEN size(ranked)
                           ELSE $skip + $limit END - 1) AS i
  WITH ranked[i] AS gid, i
  MATCH (g:Community {id: gid})
  WHERE $by = 'community'
  RETURN g, i
  UNION
  WITH ranked, stored
  WITH ranked WHERE stored
  UNWIND range($skip, CASE WHEN size(ranked) < $skip + $limit THEN size(ranked)
                           ELSE $skip + $limit END - 1) AS i
  WITH ranked[i] AS gid, i
  MATCH (g:Cluster {id: gid})
  WHERE $by = 'cluster'
  RETURN g, i
  UNION
  WITH stored
  WITH stored WHERE NOT stored AND $by = 'community'
  MATCH (g:Community)
  RETURN g, null AS i
  UNION
  WITH stored
  WITH stored WHERE NOT stored AND $by = 'cluster'
  MATCH (g:Cluster)
  WHERE g.level = $level
  RETURN g, null AS i
}
WITH g, i
ORDER BY i, CASE $order WHEN 'downloads' THEN g.downloads ELSE g.size END DESC,
         CASE $order WHEN 'downloads' THEN g.size ELSE g.downloads END DESC, g.id
WITH collect(g) AS page, count(i) > 0 AS stored
// the stored ranking gave exactly the page; the full sort gives every group
UNWIND (CASE WHEN stored THEN page ELSE page[$skip..$skip + $limit] END) AS g
RETURN g.id AS id, g.label AS label, g.terms AS terms, g.size AS members,
       g.downloads AS downloads, g.level AS level
