// filter_licenses: licenses with their model counts (the explorer's filter options).
// params: limit (int)
// returns: value, models
MATCH (m:Model)
WHERE m.license IS NOT NULL
RETURN m.license AS value, count(*) AS models
ORDER BY models DESC, value
LIMIT $limit
