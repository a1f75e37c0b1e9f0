// spaces_using: the Spaces using a model, or any member of its family (community).
// @param id model  Model id
// @param scope choice(model|family) = family  The model alone, or every member of its community
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// One row per Space (USES: the model records' `spaces` lists and the fetched Spaces listing):
// `models` how many of the scope's models it uses, `uses` up to 5 of them (most downloaded
// first), the Space's `likes` and `sdk` when the Spaces listing was fetched, and its Hub `url`.
// Rows by models, likes, id.
// A family's Spaces come from its GroupTop `joins:<community>` (stored by the loader, in this
// order; the uses of Space i are space_uses[space_starts[i] .. space_starts[i + 1]]): a family of
// 100k members is not walked. The model alone, or a graph loaded without it, walks.
MATCH (m0:Model {id: $id})
OPTIONAL MATCH (m0)-[:IN_COMMUNITY]->(c:Community)
OPTIONAL MATCH (t:GroupTop {id: 'joins:' + toString(c.id)}) WHERE $scope = 'family'
CALL {
  WITH m0, c, t
  WITH t WHERE t IS NOT NULL
  UNWIND range($skip, $skip + $limit - 1) AS i
  WITH t, i, t.spaces[i] AS sid, t.space_models[i] AS models
  WHERE sid IS NOT NULL
  MATCH (s:Space {id: sid})
  RETURN s, models, t.space_uses[t.space_starts[i]..t.space_starts[i + 1]] AS uses
  UNION
  WITH m0, c, t
  WITH m0 WHERE t IS NULL AND ($scope = 'model' OR c IS NULL)
  MATCH (m0)<-[:USES]-(s:Space)
  WITH s, m0 ORDER BY coalesce(s.likes, -1) DESC, s.id
  SKIP $skip LIMIT $limit
  RETURN s, 1 AS models, [m0.id] AS uses
  UNION
  WITH m0, c, t
  WITH c WHERE t IS NULL AND $scope = 'family' AND c IS NOT NULL
  MATCH (c)<-[:IN_COMMUNITY]-(m:Model)<-[:USES]-(s:Space)
  WITH s, m ORDER BY coalesce(m.downloads, -1) DESC, m.id
  WITH s, collect(DISTINCT m.id) AS used
  WITH s, size(used) AS models, used[0..5] AS uses
  ORDER BY models DESC, coalesce(s.likes, -1) DESC, s.id
  SKIP $skip LIMIT $limit
  RETURN s, models, uses
}
WITH s, models, uses
ORDER BY models DESC, coalesce(s.likes, -1) DESC, s.id
RETURN s.id AS id, models, uses, s.likes AS likes, s.sdk AS sdk,
       'https://huggingface.co/spaces/' + s.id AS url
