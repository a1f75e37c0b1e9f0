// current_build: the build the graph holds (the explorer keys its cached answers on it).
// Returns id, loaded_at (null while a load runs or after one that failed).
MATCH (b:Build)
WHERE b.current = true
RETURN b.id AS id, b.loaded_at AS loaded_at
ORDER BY b.started_at DESC
LIMIT 1
