// explore_search: search-box suggestions that stay quick on a big graph: the first `scan` models whose id contains the fragment, best first.
// @param q string  Name fragment, e.g. `pythia` or `EleutherAI/pythia`
// @param scan int(1..100000) = 300  Matches read before ranking (the scan stops there)
// @param limit int(1..1000) = 15  Suggestions to return
// @param pipeline_tag string = null  Only models with this pipeline tag
// @param license string = null  Only models with this license
// @param min_downloads int(0..) = 0  Only models with at least this many downloads
// @param created_from date = null  Only models created on/after this date
// @param created_to date(end) = null  Only models created on/before this date (a whole day when date-only)
// Same columns and ranking as `search` (the exact id, then downloads, then `match`: 0 id or
// name equals the fragment, 1 the name starts with it, 2 the id does, 3 elsewhere), but only over the first
// `scan` matches the engine finds plus the model whose id is exactly the fragment (an index
// lookup; the filters do not apply to it: the explorer filters it in Python): `search` reads and sorts every match, 6-7 s for a common word on a 1M-model graph;
// here a common fragment stops the scan early (0.2-1.5 s there). A fragment that matches
// fewer than `scan` models still reads every id (no fulltext index: see
// bench/results/dashboard.md).
CALL {
  MATCH (m:Model {id: trim($q)})
  RETURN m
  UNION
  MATCH (m:Model)
  WHERE toLower(m.id) CONTAINS toLower(trim($q))
    AND ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR m.license = $license)
    AND coalesce(m.downloads, 0) >= $min_downloads
    AND ($created_from IS NULL OR m.created_at >= $created_from)
    AND ($created_to IS NULL OR m.created_at <= $created_to)
  WITH m
  LIMIT $scan
  RETURN m
}
WITH m, toLower(trim($q)) AS q
WITH m, q, toLower(m.id) AS lid, toLower(m.name) AS lname
WITH m, lid = q AS exact, CASE WHEN lid = q OR lname = q THEN 0
             WHEN lname STARTS WITH q THEN 1
             WHEN lid STARTS WITH q THEN 2
             ELSE 3 END AS match
// The canonical model leads, as on the Hub: the exact id, then popularity; how well the name
// matches only breaks ties (a 1-download copy named exactly `vicuna-7b` does not lead).
ORDER BY exact DESC, coalesce(m.downloads, -1) DESC, match, m.id
LIMIT $limit
RETURN m.id AS id, m.name AS name, m.author AS author, m.downloads AS downloads,
       m.likes AS likes, m.pipeline_tag AS pipeline_tag, m.license AS license,
       m.created_at AS created_at, m.family AS family, match
