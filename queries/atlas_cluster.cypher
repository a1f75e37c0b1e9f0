// atlas_cluster: one cluster and the most downloaded models under it (any level).
// @param cluster int  Cluster id
// @param limit int(1..50) = 8  Models to return
// One row per model (model columns null when none): id, level, threshold, label, terms, size,
// downloads, model, model_downloads. The models are the first of the cluster's GroupTop (its
// most downloaded members, every finest cluster below it included, stored by the loader).
MATCH (c:Cluster {id: $cluster})
OPTIONAL MATCH (t:GroupTop {id: 'cluster:' + toString(c.id)})
UNWIND (CASE WHEN size(coalesce(t.ids, [])) = 0 THEN [null] ELSE t.ids[..$limit] END) AS tid
OPTIONAL MATCH (m:Model {id: tid})
RETURN c.id AS id, c.level AS level, c.threshold AS threshold, c.label AS label,
       c.terms AS terms, c.size AS size, c.downloads AS downloads,
       m.id AS model, m.downloads AS model_downloads
ORDER BY coalesce(m.downloads, -1) DESC, m.id
