// atlas_top_clusters: the largest clusters of one hierarchy level (the top of the dendrogram).
// @param level int(0..50) = null  Hierarchy level; none: the highest level there is
// @param limit int(1..500) = 24  Clusters to return
// Returns id, level, threshold, label, terms, size, downloads (largest first, then the most
// downloaded): the first of the loader's GroupRanking `cluster:<level>:members`; no rows when
// the level does not exist. Without a level, the 51 possible rankings are looked up in one
// query (index lookups of bound keys) and the highest level's is read: the explorer asked level
// by level before, one round trip each.
WITH CASE WHEN $level IS NULL THEN range(50, 0, -1) + [0] ELSE [$level] END AS levels
UNWIND levels AS level
WITH level, 'cluster:' + toString(level) + ':members' AS key
MATCH (r:GroupRanking {id: key})
WITH r, level
ORDER BY level DESC
LIMIT 1
// the list bound first: `r.ids[i]` would copy the property at each index
WITH r.ids AS ids
UNWIND range(0, CASE WHEN size(ids) < $limit THEN size(ids) ELSE $limit END - 1) AS i
WITH ids[i] AS cid, i
MATCH (c:Cluster {id: cid})
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY i
