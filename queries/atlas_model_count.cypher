// atlas_model_count: how many models pass the explorer's filters (sizes the atlas scatter sample).
// @param pipeline_tag string = null  Only models with this pipeline tag
// @param license string = null  Only models under this license
// @param min_downloads int(0..) = 0  Only models with at least this many downloads
// @param created_from date = null  Only models created on or after this date
// @param created_to date = null  Only models created on or before this date/time
// @param dataset string = null  Only models trained on this dataset (read from its TRAINED_ON links)
// Returns models. Cheap when `min_downloads` is high (a range on the indexed `downloads`) or a
// dataset is given (its links).
CALL {
  WITH 1 AS one WHERE $dataset IS NOT NULL
  MATCH (:Dataset {id: $dataset})<-[:TRAINED_ON]-(m:Model)
  WHERE coalesce(m.downloads, 0) >= $min_downloads
  RETURN m
  UNION
  WITH 1 AS one WHERE $dataset IS NULL
  MATCH (m:Model)
  WHERE m.downloads >= $min_downloads
  RETURN m
}
WITH m
WHERE ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
  AND ($license IS NULL OR m.license = $license)
  AND ($created_from IS NULL OR m.created_at >= $created_from)
  AND ($created_to IS NULL OR m.created_at <= $created_to)
RETURN count(m) AS models
