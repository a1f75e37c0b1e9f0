// atlas_scatter: the most downloaded models (with the explorer's filters) for the atlas scatter plots.
// params: limit (int), pipeline_tag (string|null), license (string|null), min_downloads (int),
//         created_from (string|null, 'YYYY-MM-DD'), created_to (string|null, ISO upper bound)
// returns: id, downloads, likes, created_at, family
MATCH (m:Model)
WHERE ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
  AND ($license IS NULL OR m.license = $license)
  AND coalesce(m.downloads, 0) >= $min_downloads
  AND ($created_from IS NULL OR m.created_at >= $created_from)
  AND ($created_to IS NULL OR m.created_at <= $created_to)
RETURN m.id AS id, m.downloads AS downloads, m.likes AS likes, m.created_at AS created_at,
       m.family AS family
ORDER BY downloads DESC, id
LIMIT $limit
