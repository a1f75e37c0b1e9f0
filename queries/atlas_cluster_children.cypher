// atlas_cluster_children: the largest sub-clusters of each given cluster (dendrogram drill-down).
// params: parents (list of int cluster ids), per (int, sub-clusters kept per parent)
// returns: parent, id, level, threshold, label, terms, size, downloads
MATCH (c:Cluster)-[:CHILD_OF]->(p:Cluster)
WHERE p.id IN $parents
WITH p, c
ORDER BY c.size DESC, c.id
WITH p, collect(c)[..$per] AS kids
UNWIND kids AS c
RETURN p.id AS parent, c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
