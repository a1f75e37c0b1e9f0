// search: models whose id contains a fragment (case-insensitive): the exact id, then by downloads, then how well they match.
// @param q string  Name fragment, e.g. `pythia` or `EleutherAI/pythia`
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// @param pipeline_tag string = null  Only models with this pipeline tag
// @param license string = null  Only models with this license
// @param min_downloads int(0..) = 0  Only models with at least this many downloads
// @param created_from date = null  Only models created on/after this date
// @param created_to date(end) = null  Only models created on/before this date (a whole day when date-only)
// `match` says why it matched: 0 the id or name equals the fragment, 1 the name starts with it,
// 2 the id (its author part) starts with it, 3 it occurs elsewhere; it only breaks ties. A scan over all models
// (no fulltext index, by design): see bench/results/queries.md for its cost.
WITH toLower(trim($q)) AS q
MATCH (m:Model)
WHERE toLower(m.id) CONTAINS q
  AND ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
  AND ($license IS NULL OR m.license = $license)
  AND coalesce(m.downloads, 0) >= $min_downloads
  AND ($created_from IS NULL OR m.created_at >= $created_from)
  AND ($created_to IS NULL OR m.created_at <= $created_to)
WITH m, q, toLower(m.id) AS lid, toLower(m.name) AS lname
WITH m, lid = q AS exact, CASE WHEN lid = q OR lname = q THEN 0
             WHEN lname STARTS WITH q THEN 1
             WHEN lid STARTS WITH q THEN 2
             ELSE 3 END AS match
// The canonical model leads, as on the Hub: the exact id, then popularity; how well the name
// matches only breaks ties (a 1-download copy named exactly `vicuna-7b` does not lead).
ORDER BY exact DESC, coalesce(m.downloads, -1) DESC, match, m.id
SKIP $skip LIMIT $limit
RETURN m.id AS id, m.name AS name, m.author AS author, m.downloads AS downloads,
       m.likes AS likes, m.pipeline_tag AS pipeline_tag, m.license AS license,
       m.created_at AS created_at, m.family AS family, match
