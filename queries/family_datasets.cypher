// family_datasets: the datasets a model's family (community) is trained on, with counts.
// @param id model  Model id; its community is the family
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per dataset: `models` members of the family trained on it (TRAINED_ON, from
// `dataset:` tags and card data), `share` of the family's members, the dataset's own
// `downloads`/`likes` when the Hub's dataset listing was fetched, and its Hub `url`.
// The family view's "trained on" summary; rows by models, then dataset id.
MATCH (:Model {id: $id})-[:IN_COMMUNITY]->(c:Community)
MATCH (c)<-[:IN_COMMUNITY]-(m:Model)-[:TRAINED_ON]->(d:Dataset)
WITH c, d, count(DISTINCT m) AS models
ORDER BY models DESC, d.id
SKIP $skip LIMIT $limit
RETURN d.id AS dataset, models, toFloat(models) / c.size AS share, c.id AS family_id,
       c.label AS family_label, c.size AS family_size, d.downloads AS downloads,
       d.likes AS likes, 'https://huggingface.co/datasets/' + d.id AS url
