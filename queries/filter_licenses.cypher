// filter_licenses: licenses with their model counts (the explorer's filter options).
// @param limit int(1..1000) = 200  Rows to return
// Returns value, models (most common first).
MATCH (m:Model)
WHERE m.license IS NOT NULL
RETURN m.license AS value, count(*) AS models
ORDER BY models DESC, value
LIMIT $limit
