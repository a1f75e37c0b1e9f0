// model_joins: one model's datasets, papers, task and Spaces, with Hub links (details panel).
// @param id model  Model id
// @param spaces_limit int(0..1000) = 20  At most this many Spaces (most liked first)
// One row: `datasets` / `papers` / `spaces` as lists of {id, url} maps (sorted by id; Spaces
// by likes), `spaces_total` all Spaces using it, `task` the pipeline tag's Task node.
MATCH (m:Model {id: $id})
OPTIONAL MATCH (m)-[:FOR_TASK]->(t:Task)
CALL {
  WITH m
  OPTIONAL MATCH (m)-[:TRAINED_ON]->(d:Dataset)
  WITH d ORDER BY d.id
  RETURN collect(CASE WHEN d IS NOT NULL
                 THEN {id: d.id, url: 'https://huggingface.co/datasets/' + d.id} END)
         AS datasets
}
CALL {
  WITH m
  OPTIONAL MATCH (m)-[:CITES]->(p:Paper)
  WITH p ORDER BY p.arxiv_id
  RETURN collect(CASE WHEN p IS NOT NULL
                 THEN {id: p.arxiv_id, url: 'https://huggingface.co/papers/' + p.arxiv_id} END)
         AS papers
}
CALL {
  WITH m
  OPTIONAL MATCH (m)<-[:USES]-(s:Space)
  WITH s ORDER BY coalesce(s.likes, -1) DESC, s.id
  RETURN collect(CASE WHEN s IS NOT NULL
                 THEN {id: s.id, url: 'https://huggingface.co/spaces/' + s.id} END) AS spaces,
         count(s) AS spaces_total
}
RETURN m.id AS id, t.name AS task, datasets, papers, spaces[0..$spaces_limit] AS spaces,
       spaces_total
