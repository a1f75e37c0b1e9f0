// atlas_top_clusters: the largest clusters at the top of the hierarchy (no parent cluster).
// @param limit int(1..500) = 24  Clusters to return
// Returns id, level, threshold, label, terms, size, downloads (largest first).
MATCH (c:Cluster)
WHERE NOT (c)-[:CHILD_OF]->(:Cluster)
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY size DESC, id
LIMIT $limit
