// atlas_top_clusters: the largest clusters of one hierarchy level (the top of the dendrogram).
// @param level int(0..50)  Hierarchy level (the explorer asks for the highest level that exists)
// @param limit int(1..500) = 24  Clusters to return
// Returns id, level, threshold, label, terms, size, downloads (largest first, then the most
// downloaded). Reads the stored places (`size_rank`, per level); no rows when the level does not
// exist.
MATCH (c:Cluster)
WHERE c.size_rank IN range(1, $limit) AND c.level = $level
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY c.size_rank
