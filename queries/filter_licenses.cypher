// filter_licenses: licenses with their model counts (the explorer's filter options).
// @param limit int(1..1000) = 200  Rows to return
// Returns value, models (most common first). Counts LICENSED_UNDER links of the few License
// nodes instead of scanning models.
MATCH (l:License)
WITH l.name AS value, COUNT { (l)<-[:LICENSED_UNDER]-(:Model) } AS models
WHERE models > 0
RETURN value, models
ORDER BY models DESC, value
LIMIT $limit
