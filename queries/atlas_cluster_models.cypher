// atlas_cluster_models: the most downloaded models of each given finest (level 0) cluster.
// @param clusters string  Comma-separated cluster ids, e.g. `12,40`
// @param per int(1..200) = 12  Models kept per cluster
// Returns parent (the cluster id), id, name, downloads, likes, family.
MATCH (m:Model)-[:IN_CLUSTER]->(c:Cluster)
WHERE c.id IN [x IN split($clusters, ',') | toInteger(trim(x))]
WITH c, m
ORDER BY m.downloads DESC, m.id
WITH c, collect(m)[..$per] AS ms
UNWIND ms AS m
RETURN c.id AS parent, m.id AS id, m.name AS name, m.downloads AS downloads, m.likes AS likes,
       m.family AS family
