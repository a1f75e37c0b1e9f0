// explore_cluster_models: the most downloaded models of each given finest (level 0) cluster, for the explorer's dendrogram (one index lookup per cluster).
// @param clusters string  Comma-separated cluster ids, e.g. `12,40`
// @param per int(1..200) = 12  Models kept per cluster
// Returns parent (the cluster id), id, name, downloads, likes, family: the rows of
// `atlas_cluster_models`, but each cluster is found through the unique index on `Cluster.id`
// and its models from its own IN_CLUSTER links instead of filtering every IN_CLUSTER link.
UNWIND [x IN split($clusters, ',') | toInteger(trim(x))] AS cid
MATCH (c:Cluster {id: cid})<-[:IN_CLUSTER]-(m:Model)
WITH c, m
ORDER BY m.downloads DESC, m.id
WITH c, collect(m)[..$per] AS ms
UNWIND ms AS m
RETURN c.id AS parent, m.id AS id, m.name AS name, m.downloads AS downloads, m.likes AS likes,
       m.family AS family
