// atlas_top_clusters: the largest clusters of one hierarchy level (the top of the dendrogram).
// @param level int(0..50)  Hierarchy level (the explorer asks for the highest level that exists)
// @param limit int(1..500) = 24  Clusters to return
// Returns id, level, threshold, label, terms, size, downloads (largest first, then the most
// downloaded): the first of the loader's GroupRanking `cluster:<level>:members`; no rows when
// the level does not exist.
MATCH (r:GroupRanking {id: 'cluster:' + toString($level) + ':members'})
UNWIND range(0, CASE WHEN size(r.ids) < $limit THEN size(r.ids) ELSE $limit END - 1) AS i
WITH r.ids[i] AS cid, i
MATCH (c:Cluster {id: cid})
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY i
