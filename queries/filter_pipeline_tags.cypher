// filter_pipeline_tags: pipeline tags with their model counts (the explorer's filter options).
// params: limit (int)
// returns: value, models
MATCH (m:Model)
WHERE m.pipeline_tag IS NOT NULL
RETURN m.pipeline_tag AS value, count(*) AS models
ORDER BY models DESC, value
LIMIT $limit
