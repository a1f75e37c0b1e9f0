// family_papers: the papers a model's family (community) cites, with counts.
// @param id model  Model id; its community is the family
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per paper (CITES, from `arxiv:` tags): `models` members citing it, `share` of the
// family's members, a few of those members (`examples`, most downloaded first) and the paper's
// Hub `url`. Rows by models, then arXiv id.
MATCH (:Model {id: $id})-[:IN_COMMUNITY]->(c:Community)
MATCH (c)<-[:IN_COMMUNITY]-(m:Model)-[:CITES]->(p:Paper)
WITH c, p, m ORDER BY coalesce(m.downloads, -1) DESC, m.id
WITH c, p, collect(DISTINCT m.id) AS citing
WITH c, p, size(citing) AS models, citing[0..3] AS examples
ORDER BY models DESC, p.arxiv_id
SKIP $skip LIMIT $limit
RETURN p.arxiv_id AS arxiv_id, models, toFloat(models) / c.size AS share, examples,
       c.id AS family_id, c.label AS family_label, c.size AS family_size,
       'https://huggingface.co/papers/' + p.arxiv_id AS url
