// atlas_cluster_models: the most downloaded models of each given cluster.
// @param clusters string  Comma-separated cluster ids, e.g. `12,40`
// @param per int(1..50) = 12  Models kept per cluster
// Returns parent (the cluster id), id, name, downloads, likes, family: the first of each
// cluster's GroupTop (one index lookup per cluster and per model).
UNWIND [x IN split($clusters, ',') | toInteger(trim(x))] AS cid
MATCH (c:Cluster {id: cid})
MATCH (t:GroupTop {id: 'cluster:' + toString(c.id)})
UNWIND range(0, size(t.ids[..$per]) - 1) AS i
WITH c, t.ids[i] AS mid, i
MATCH (m:Model {id: mid})
RETURN c.id AS parent, m.id AS id, m.name AS name, m.downloads AS downloads, m.likes AS likes,
       m.family AS family
ORDER BY parent, i
