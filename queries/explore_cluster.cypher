// explore_cluster: one cluster and the most downloaded models under it (any level), walked down from the cluster (the explorer's atlas panel).
// @param cluster int  Cluster id
// @param limit int(1..100) = 8  Models to return
// One row per model (model columns null when none): id, level, threshold, label, terms, size,
// downloads, model, model_downloads: the rows of `atlas_cluster`, but the walk starts at the
// cluster (unique index on `Cluster.id`) and goes down CHILD_OF to the finest clusters and
// their models; `atlas_cluster`'s pattern started from the models (22-41 s for one cluster on
// the 1M-model graph). The cost now follows the cluster's size.
MATCH (c:Cluster {id: $cluster})
OPTIONAL MATCH (c)<-[:CHILD_OF*0..4]-(:Cluster)<-[:IN_CLUSTER]-(m:Model)
WITH c, m
ORDER BY m.downloads DESC, m.id
WITH c, collect(m)[..$limit] AS ms
UNWIND (CASE WHEN size(ms) = 0 THEN [null] ELSE ms END) AS m
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads,
       m.id AS model, m.downloads AS model_downloads
