// home_families: the largest communities with their most downloaded member (the explorer's home page).
// @param limit int(1..200) = 15  Communities to return
// Returns community, label, terms, size, downloads, top_model. The largest are found by their
// stored place (`size_rank`: members, then downloads, then id) and the top model is the first
// of the stored `top` list: no sort of every community or member.
MATCH (c:Community)
WHERE c.size_rank IN range(1, $limit)
RETURN c.id AS community, c.label AS label, c.terms AS terms, c.size AS size,
       c.downloads AS downloads, c.top[0] AS top_model
ORDER BY c.size_rank
