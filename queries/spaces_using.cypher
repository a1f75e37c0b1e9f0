// spaces_using: the Spaces using a model, or any member of its family (community).
// @param id model  Model id
// @param scope choice(model|family) = family  The model alone, or every member of its community
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per Space (USES: the model records' `spaces` lists and the fetched Spaces listing):
// `models` how many of the scope's models it uses, `uses` up to 5 of them, the Space's `likes`
// and `sdk` when the Spaces listing was fetched, and its Hub `url`. Rows by models, likes, id.
MATCH (m0:Model {id: $id})
OPTIONAL MATCH (m0)-[:IN_COMMUNITY]->(c:Community)
CALL {
  WITH m0, c
  WITH m0, c WHERE $scope = 'model' OR c IS NULL
  RETURN m0 AS m
  UNION
  WITH m0, c
  WITH m0, c WHERE $scope = 'family' AND c IS NOT NULL
  MATCH (c)<-[:IN_COMMUNITY]-(m:Model)
  RETURN m
}
MATCH (m)<-[:USES]-(s:Space)
WITH s, collect(DISTINCT m.id) AS used
ORDER BY size(used) DESC, coalesce(s.likes, -1) DESC, s.id
SKIP $skip LIMIT $limit
RETURN s.id AS id, size(used) AS models, used[0..5] AS uses, s.likes AS likes, s.sdk AS sdk,
       'https://huggingface.co/spaces/' + s.id AS url
