// family_datasets: the datasets a model's family (community) is trained on, with counts.
// @param id model  Model id; its community is the family
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per dataset: `models` members of the family trained on it (TRAINED_ON, from
// `dataset:` tags and card data), `share` of the family's members, the dataset's own
// `downloads`/`likes` when the Hub's dataset listing was fetched, and its Hub `url`.
// The family view's "trained on" summary; rows by models, then dataset id.
// The counts come from the family's GroupTop `joins:<community>` (stored by the loader, in this
// order): a family of 100k members is not walked. A graph loaded without it walks the members.
MATCH (:Model {id: $id})-[:IN_COMMUNITY]->(c:Community)
OPTIONAL MATCH (t:GroupTop {id: 'joins:' + toString(c.id)})
CALL {
  WITH c, t
  WITH t WHERE t IS NOT NULL
  UNWIND range($skip, $skip + $limit - 1) AS i
  WITH t.datasets[i] AS did, t.dataset_models[i] AS models
  WHERE did IS NOT NULL
  MATCH (d:Dataset {id: did})
  RETURN d, models
  UNION
  WITH c, t
  WITH c WHERE t IS NULL
  MATCH (c)<-[:IN_COMMUNITY]-(m:Model)-[:TRAINED_ON]->(d:Dataset)
  WITH d, count(DISTINCT m) AS models
  ORDER BY models DESC, d.id
  SKIP $skip LIMIT $limit
  RETURN d, models
}
WITH c, d, models
ORDER BY models DESC, d.id
RETURN d.id AS dataset, models, toFloat(models) / c.size AS share, c.id AS family_id,
       c.label AS family_label, c.size AS family_size, d.downloads AS downloads,
       d.likes AS likes, 'https://huggingface.co/datasets/' + d.id AS url
