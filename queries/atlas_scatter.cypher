// atlas_scatter: models with at least `min_downloads` downloads, for the explorer's atlas scatter plots.
// @param limit int(1..20000) = 3000  Rows to return
// @param pipeline_tag string = null  Only models with this pipeline tag
// @param license string = null  Only models under this license
// @param min_downloads int(0..) = 0  Only models with at least this many downloads
// @param created_from date = null  Only models created on or after this date
// @param created_to date = null  Only models created on or before this date/time
// @param dataset string = null  Only models trained on this dataset (read from its TRAINED_ON links)
// Returns id, downloads, likes, created_at, family. Without any filter: the most downloaded
// models, from the loader's stored `Ranking` (index lookups). With one: in no particular order,
// no ORDER BY on purpose (sorting all models is not cheap); the explorer then picks
// `min_downloads` with `atlas_model_count`.
OPTIONAL MATCH (r:Ranking {id: 'downloads'})
WITH CASE WHEN $pipeline_tag IS NULL AND $license IS NULL AND $created_from IS NULL
           AND $created_to IS NULL AND $min_downloads = 0 AND $dataset IS NULL
           AND r IS NOT NULL
      THEN r.ids[..$limit] END AS ranked
CALL {
  WITH ranked
  WITH ranked WHERE ranked IS NOT NULL
  UNWIND ranked AS rid
  MATCH (m:Model {id: rid})
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NOT NULL
  MATCH (:Dataset {id: $dataset})<-[:TRAINED_ON]-(m:Model)
  WHERE coalesce(m.downloads, 0) >= $min_downloads
    AND ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR m.license = $license)
    AND ($created_from IS NULL OR m.created_at >= $created_from)
    AND ($created_to IS NULL OR m.created_at <= $created_to)
  WITH m
  LIMIT $limit
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL
  MATCH (m:Model)
  WHERE m.downloads >= $min_downloads
    AND ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR m.license = $license)
    AND ($created_from IS NULL OR m.created_at >= $created_from)
    AND ($created_to IS NULL OR m.created_at <= $created_to)
  WITH m
  LIMIT $limit
  RETURN m
}
RETURN m.id AS id, m.downloads AS downloads, m.likes AS likes, m.created_at AS created_at,
       m.family AS family
LIMIT $limit
