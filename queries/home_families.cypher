// home_families: the largest communities with their most downloaded member (the explorer's home page).
// @param limit int(1..200) = 15  Communities to return
// Returns community, label, terms, size, downloads, top_model: the first of the loader's
// GroupRanking `community:members` (members, then downloads, then id) and each one's GroupTop:
// no sort of every community or member.
MATCH (r:GroupRanking {id: 'community:members'})
UNWIND range(0, CASE WHEN size(r.ids) < $limit THEN size(r.ids) ELSE $limit END - 1) AS i
WITH r.ids[i] AS cid, i
MATCH (c:Community {id: cid})
OPTIONAL MATCH (t:GroupTop {id: 'community:' + toString(c.id)})
RETURN c.id AS community, c.label AS label, c.terms AS terms, c.size AS size,
       c.downloads AS downloads, t.ids[0] AS top_model
ORDER BY i
