// family_papers: the papers a model's family (community) cites, with counts.
// @param id model  Model id; its community is the family
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per paper (CITES, from `arxiv:` tags): `models` members citing it, `share` of the
// family's members, a few of those members (`examples`, most downloaded first) and the paper's
// Hub `url`. Rows by models, then arXiv id.
// From the family's GroupTop `joins:<community>` (stored by the loader, in this order; the
// examples of paper i are paper_examples[paper_starts[i] .. paper_starts[i + 1]]): a family of
// 100k members is not walked. A graph loaded without it walks the members.
MATCH (:Model {id: $id})-[:IN_COMMUNITY]->(c:Community)
OPTIONAL MATCH (t:GroupTop {id: 'joins:' + toString(c.id)})
CALL {
  WITH c, t
  WITH t WHERE t IS NOT NULL
  UNWIND range($skip, $skip + $limit - 1) AS i
  WITH t, i, t.papers[i] AS arxiv_id, t.paper_models[i] AS models
  WHERE arxiv_id IS NOT NULL
  RETURN arxiv_id, models, t.paper_examples[t.paper_starts[i]..t.paper_starts[i + 1]] AS examples
  UNION
  WITH c, t
  WITH c WHERE t IS NULL
  MATCH (c)<-[:IN_COMMUNITY]-(m:Model)-[:CITES]->(p:Paper)
  WITH p, m ORDER BY coalesce(m.downloads, -1) DESC, m.id
  WITH p, collect(DISTINCT m.id) AS citing
  WITH p.arxiv_id AS arxiv_id, size(citing) AS models, citing[0..3] AS examples
  ORDER BY models DESC, arxiv_id
  SKIP $skip LIMIT $limit
  RETURN arxiv_id, models, examples
}
WITH c, arxiv_id, models, examples
ORDER BY models DESC, arxiv_id
RETURN arxiv_id, models, toFloat(models) / c.size AS share, examples,
       c.id AS family_id, c.label AS family_label, c.size AS family_size,
       'https://huggingface.co/papers/' + arxiv_id AS url
