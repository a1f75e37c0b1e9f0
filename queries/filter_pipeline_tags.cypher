// filter_pipeline_tags: pipeline tags with their model counts (the explorer's filter options).
// @param limit int(1..1000) = 200  Rows to return
// Returns value, models (most common first).
MATCH (m:Model)
WHERE m.pipeline_tag IS NOT NULL
RETURN m.pipeline_tag AS value, count(*) AS models
ORDER BY models DESC, value
LIMIT $limit
