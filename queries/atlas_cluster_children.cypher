// atlas_cluster_children: the largest sub-clusters of each given cluster (dendrogram drill-down).
// @param parents string  Comma-separated parent cluster ids, e.g. `12,40`
// @param per int(1..200) = 12  Sub-clusters kept per parent
// Returns parent, id, level, threshold, label, terms, size, downloads.
MATCH (c:Cluster)-[:CHILD_OF]->(p:Cluster)
WHERE p.id IN [x IN split($parents, ',') | toInteger(trim(x))]
WITH p, c
ORDER BY c.size DESC, c.id
WITH p, collect(c)[..$per] AS kids
UNWIND kids AS c
RETURN p.id AS parent, c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
