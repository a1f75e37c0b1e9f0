// explore_cluster_children: the largest sub-clusters of each given cluster, for the explorer's dendrogram (one index lookup per parent).
// @param parents string  Comma-separated parent cluster ids, e.g. `12,40`
// @param per int(1..200) = 12  Sub-clusters kept per parent
// Returns parent, id, level, threshold, label, terms, size, downloads: the rows of
// `atlas_cluster_children`, but each parent is found through the unique index on `Cluster.id`
// and its children from its own CHILD_OF links; `p.id IN [...]` made ArcadeDB read every
// CHILD_OF link (4.6 s for the top of the 1M-model graph's dendrogram).
UNWIND [x IN split($parents, ',') | toInteger(trim(x))] AS pid
MATCH (p:Cluster {id: pid})<-[:CHILD_OF]-(c:Cluster)
WITH p, c
ORDER BY c.size DESC, c.id
WITH p, collect(c)[..$per] AS kids
UNWIND kids AS c
RETURN p.id AS parent, c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
