// explore_neighbours: a model's similar models and declared parents/children, for the explorer's graph.
// @param id model  Model id
// @param limit int(1..500) = 30  Similar models to return (most similar first)
// @param lineage_limit int(1..500) = 30  Parents and children to return (each, most downloaded first)
// @param pipeline_tag string = null  Only neighbours with this pipeline tag
// @param license string = null  Only neighbours under this license
// @param min_downloads int(0..) = 0  Only neighbours with at least this many downloads
// @param created_from date = null  Only neighbours created on or after this date
// @param created_to date = null  Only neighbours created on or before this date/time
// @param dataset string = null  Only neighbours trained on this dataset (TRAINED_ON)
// One row per neighbour and link: `score` for SIMILAR_TO rows, `relation` and `direction`
// (parent|child, seen from the model) for BASED_ON rows; a model both similar and related
// comes twice. Node columns are what the explorer draws (family colour, size by downloads).
// `hidden` (same on every row) counts the links left out by the limits (before filters).
MATCH (m:Model {id: $id})
WITH m, COUNT { (m)-[:SIMILAR_TO]-() } AS n_similar, COUNT { (m)-[:BASED_ON]->() } AS n_parents,
     COUNT { (m)<-[:BASED_ON]-() } AS n_children
WITH m, CASE WHEN n_similar > $limit THEN n_similar - $limit ELSE 0 END
        + CASE WHEN n_parents > $lineage_limit THEN n_parents - $lineage_limit ELSE 0 END
        + CASE WHEN n_children > $lineage_limit THEN n_children - $lineage_limit ELSE 0 END
        AS hidden
CALL {
  WITH m
  MATCH (m)-[r:SIMILAR_TO]-(n:Model)
  WHERE ($pipeline_tag IS NULL OR n.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR n.license = $license)
    AND coalesce(n.downloads, 0) >= $min_downloads
    AND ($created_from IS NULL OR n.created_at >= $created_from)
    AND ($created_to IS NULL OR n.created_at <= $created_to)
    AND ($dataset IS NULL OR EXISTS { (n)-[:TRAINED_ON]->(:Dataset {id: $dataset}) })
  WITH n, r.score AS score
  ORDER BY score DESC, n.id
  LIMIT $limit
  RETURN n, score, null AS relation, null AS direction
  UNION ALL
  WITH m
  MATCH (m)-[r:BASED_ON]->(n:Model)
  WHERE ($pipeline_tag IS NULL OR n.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR n.license = $license)
    AND coalesce(n.downloads, 0) >= $min_downloads
    AND ($created_from IS NULL OR n.created_at >= $created_from)
    AND ($created_to IS NULL OR n.created_at <= $created_to)
    AND ($dataset IS NULL OR EXISTS { (n)-[:TRAINED_ON]->(:Dataset {id: $dataset}) })
  WITH n, r
  ORDER BY coalesce(n.downloads, -1) DESC, n.id
  LIMIT $lineage_limit
  RETURN n, null AS score, r.relation AS relation, 'parent' AS direction
  UNION ALL
  WITH m
  MATCH (m)<-[r:BASED_ON]-(n:Model)
  WHERE ($pipeline_tag IS NULL OR n.pipeline_tag = $pipeline_tag)
    AND ($license IS NULL OR n.license = $license)
    AND coalesce(n.downloads, 0) >= $min_downloads
    AND ($created_from IS NULL OR n.created_at >= $created_from)
    AND ($created_to IS NULL OR n.created_at <= $created_to)
    AND ($dataset IS NULL OR EXISTS { (n)-[:TRAINED_ON]->(:Dataset {id: $dataset}) })
  WITH n, r
  ORDER BY coalesce(n.downloads, -1) DESC, n.id
  LIMIT $lineage_limit
  RETURN n, null AS score, r.relation AS relation, 'child' AS direction
}
RETURN n.id AS id, n.name AS name, n.author AS author, n.downloads AS downloads,
       n.likes AS likes, n.family AS family, n.community AS community,
       n.pipeline_tag AS pipeline_tag, n.license AS license, n.created_at AS created_at,
       score, relation, direction, hidden
