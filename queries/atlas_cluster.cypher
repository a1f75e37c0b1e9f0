// atlas_cluster: one cluster and the most downloaded models under it (any level).
// @param cluster int  Cluster id
// @param limit int(1..50) = 8  Models to return
// One row per model (model columns null when none): id, level, threshold, label, terms, size,
// downloads, model, model_downloads. The models are the first of the cluster's stored `top`
// list (its most downloaded members, every finest cluster below it included).
MATCH (c:Cluster {id: $cluster})
UNWIND (CASE WHEN size(coalesce(c.top, [])) = 0 THEN [null] ELSE c.top[..$limit] END) AS tid
OPTIONAL MATCH (m:Model {id: tid})
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads,
       m.id AS model, m.downloads AS model_downloads
ORDER BY coalesce(m.downloads, -1) DESC, m.id
