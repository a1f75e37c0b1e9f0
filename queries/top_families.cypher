// top_families: the largest communities (or clusters of one hierarchy level), by members or downloads.
// @param by choice(community|cluster) = community  Louvain communities or hierarchy clusters
// @param level int(0..50) = 0  Hierarchy level when by=cluster (0 = finest)
// @param order choice(members|downloads) = members  Rank by member count or total downloads
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// Sizes and download totals are the ones the build computed (stored on the group nodes), and so
// are the first 1,000 places: `size_rank` (members, then downloads, then id) and
// `downloads_rank` (downloads, then members, then id), per level for clusters. A page among them
// is the groups whose place falls in it (index lookups); a page beyond sorts every group.
WITH range($skip + 1, $skip + $limit) AS places, $skip + $limit <= 1000 AS stored
CALL {
  WITH places, stored
  WITH places WHERE stored AND $by = 'community' AND $order = 'members'
  MATCH (g:Community) WHERE g.size_rank IN places
  RETURN g
  UNION
  WITH places, stored
  WITH places WHERE stored AND $by = 'community' AND $order = 'downloads'
  MATCH (g:Community) WHERE g.downloads_rank IN places
  RETURN g
  UNION
  WITH places, stored
  WITH places WHERE stored AND $by = 'cluster' AND $order = 'members'
  MATCH (g:Cluster) WHERE g.size_rank IN places AND g.level = $level
  RETURN g
  UNION
  WITH places, stored
  WITH places WHERE stored AND $by = 'cluster' AND $order = 'downloads'
  MATCH (g:Cluster) WHERE g.downloads_rank IN places AND g.level = $level
  RETURN g
  UNION
  WITH stored
  WITH stored WHERE NOT stored AND $by = 'community'
  MATCH (g:Community)
  RETURN g
  UNION
  WITH stored
  WITH stored WHERE NOT stored AND $by = 'cluster'
  MATCH (g:Cluster)
  WHERE g.level = $level
  RETURN g
}
WITH g
ORDER BY CASE $order WHEN 'downloads' THEN g.downloads ELSE g.size END DESC,
         CASE $order WHEN 'downloads' THEN g.size ELSE g.downloads END DESC, g.id
WITH collect(g) AS page
// the stored places gave exactly the page; the full sort gives every group
UNWIND (CASE WHEN $skip + $limit <= 1000 THEN page ELSE page[$skip..$skip + $limit] END) AS g
RETURN g.id AS id, g.label AS label, g.terms AS terms, g.size AS members,
       g.downloads AS downloads, g.level AS level
