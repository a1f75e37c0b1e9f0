// trained_on: the models trained on a dataset, each with its family, or those families ranked.
// @param dataset string  Dataset id as the Hub names it, e.g. `squad_v2` or `HuggingFaceH4/ultrachat_200k`
// @param by choice(model|family) = model  One row per model, or one per family (community) with counts
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// A model is trained on a dataset when its `dataset:` tags or its card's `datasets` name it
// (TRAINED_ON). `family_id`/`family_label` are the model's community. By model: one row per
// model, `models` = 1 (the page is cut before families are looked up). By family: `models` is
// the number of the family's members trained on the dataset, `downloads` their sum, `id` the
// most downloaded of them. Rows by downloads, then id.
// The first page comes from the dataset's GroupTop (its 50 most downloaded models and 50 first
// families, stored by the loader); deeper pages walk the dataset's TRAINED_ON links.
OPTIONAL MATCH (t:GroupTop {id: 'dataset:' + $dataset})
WITH t, t IS NOT NULL AND CASE $by WHEN 'model'
       THEN $skip + $limit <= size(t.ids) OR t.models_n <= size(t.ids)
       ELSE $skip + $limit <= size(t.families) OR t.families_n <= size(t.families) END AS from_top
CALL {
  WITH t, from_top
  WITH t WHERE from_top AND $by = 'model'
  UNWIND range($skip, $skip + $limit - 1) AS i
  WITH t.ids[i] AS mid, i
  WHERE mid IS NOT NULL  // past the list's end: a null id would make the MATCH scan every model
  MATCH (m:Model {id: mid})
  OPTIONAL MATCH (m)-[:IN_COMMUNITY]->(c:Community)
  RETURN m AS top, c, 1 AS models, coalesce(m.downloads, 0) AS downloads
  UNION
  WITH t, from_top
  WITH t WHERE from_top AND $by = 'family'
  UNWIND range($skip, $skip + $limit - 1) AS i
  WITH t.family_tops[i] AS mid, t.families[i] AS cid, t.family_models[i] AS models,
       t.family_downloads[i] AS downloads
  WHERE mid IS NOT NULL
  MATCH (top:Model {id: mid})
  OPTIONAL MATCH (top)-[:IN_COMMUNITY]->(c:Community)
  RETURN top, c, models, downloads
  UNION
  WITH t, from_top
  WITH 1 AS one WHERE NOT from_top AND $by = 'model'
  MATCH (:Dataset {id: $dataset})<-[:TRAINED_ON]-(m:Model)
  WITH m ORDER BY coalesce(m.downloads, -1) DESC, m.id
  SKIP $skip LIMIT $limit
  OPTIONAL MATCH (m)-[:IN_COMMUNITY]->(c:Community)
  RETURN m AS top, c, 1 AS models, coalesce(m.downloads, 0) AS downloads
  UNION
  WITH t, from_top
  WITH 1 AS one WHERE NOT from_top AND $by = 'family'
  MATCH (:Dataset {id: $dataset})<-[:TRAINED_ON]-(m:Model)
  OPTIONAL MATCH (m)-[:IN_COMMUNITY]->(c:Community)
  WITH coalesce('family:' + toString(c.id), m.id) AS grp, c, collect(m) AS ms, count(m) AS models,
       sum(coalesce(m.downloads, 0)) AS downloads
  WITH c, models, downloads,
       reduce(t = null, x IN ms |
         CASE WHEN t IS NULL OR coalesce(x.downloads, -1) > coalesce(t.downloads, -1)
                OR (coalesce(x.downloads, -1) = coalesce(t.downloads, -1) AND x.id < t.id)
              THEN x ELSE t END) AS top
  ORDER BY downloads DESC, top.id
  SKIP $skip LIMIT $limit
  RETURN top, c, models, downloads
}
WITH top, c, models, downloads
ORDER BY downloads DESC, top.id
RETURN top.id AS id, top.name AS name, top.author AS author, downloads, models,
       top.pipeline_tag AS pipeline_tag, c.id AS family_id, c.label AS family_label,
       c.size AS family_size, $dataset AS dataset,
       'https://huggingface.co/datasets/' + $dataset AS dataset_url
