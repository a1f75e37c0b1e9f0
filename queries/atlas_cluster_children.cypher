// atlas_cluster_children: the largest sub-clusters of each given cluster (dendrogram drill-down).
// @param parents string  Comma-separated parent cluster ids, e.g. `12,40`
// @param per int(1..50) = 12  Sub-clusters kept per parent
// Returns parent, id, level, threshold, label, terms, size, downloads: the first of each
// parent's stored `children` list (its largest sub-clusters), one index lookup each.
UNWIND [x IN split($parents, ',') | toInteger(trim(x))] AS pid
MATCH (p:Cluster {id: pid})
UNWIND range(0, size(coalesce(p.children, [])[..$per]) - 1) AS i
MATCH (c:Cluster {id: p.children[i]})
RETURN p.id AS parent, c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY parent, i
