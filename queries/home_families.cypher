// home_families: the largest communities with their most downloaded member (the explorer's home page).
// @param limit int(1..200) = 15  Communities to return
// Returns community, label, terms, size, downloads, top_model.
MATCH (c:Community)
WITH c
ORDER BY c.size DESC, c.downloads DESC, c.id
LIMIT $limit
CALL {
  WITH c
  MATCH (m:Model)-[:IN_COMMUNITY]->(c)
  WITH m
  ORDER BY coalesce(m.downloads, -1) DESC, m.id
  LIMIT 1
  RETURN m.id AS top_model
}
RETURN c.id AS community, c.label AS label, c.terms AS terms, c.size AS size,
       c.downloads AS downloads, top_model
ORDER BY size DESC, downloads DESC, community
