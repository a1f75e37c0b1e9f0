// filter_licenses: licenses with their model counts (the explorer's filter options).
// @param limit int(1..1000) = 200  Rows to return
// Returns value, models (most common first): the `Facet` nodes the loader stores, no count.
MATCH (f:Facet {kind: 'license'})
RETURN f.value AS value, f.models AS models
ORDER BY models DESC, value
LIMIT $limit
