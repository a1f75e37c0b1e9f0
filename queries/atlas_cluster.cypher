// atlas_cluster: one cluster and the most downloaded models under it (any level).
// @param cluster int  Cluster id
// @param limit int(1..100) = 8  Models to return
// One row per model (model columns null when none): id, level, threshold, label, terms, size,
// downloads, model, model_downloads.
MATCH (c:Cluster {id: $cluster})
OPTIONAL MATCH (m:Model)-[:IN_CLUSTER]->(:Cluster)-[:CHILD_OF*0..4]->(c)
WITH c, m
ORDER BY m.downloads DESC, m.id
WITH c, collect(m)[..$limit] AS ms
UNWIND (CASE WHEN size(ms) = 0 THEN [null] ELSE ms END) AS m
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads,
       m.id AS model, m.downloads AS model_downloads
