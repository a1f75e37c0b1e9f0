// atlas_cluster_children: the largest sub-clusters of each given cluster (dendrogram drill-down).
// @param parents string  Comma-separated parent cluster ids, e.g. `12,40`
// @param per int(1..50) = 12  Sub-clusters kept per parent
// Returns parent, id, level, threshold, label, terms, size, downloads: the first `children` of
// each parent's GroupTop (its largest sub-clusters, stored by the loader), one lookup each.
UNWIND [x IN split($parents, ',') | toInteger(trim(x))] AS pid
MATCH (p:Cluster {id: pid})
MATCH (t:GroupTop {id: 'cluster:' + toString(p.id)})
UNWIND range(0, size(coalesce(t.children, [])[..$per]) - 1) AS i
WITH p, t.children[i] AS cid, i
MATCH (c:Cluster {id: cid})
RETURN p.id AS parent, c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads
ORDER BY parent, i
