// by_metadata: models filtered by author, tag, license, library, pipeline tag, creation date and downloads.
// @param author string = null  Owner, e.g. `EleutherAI`
// @param tag string = null  A Hub tag, e.g. `gguf`
// @param license string = null  e.g. `apache-2.0`
// @param library string = null  e.g. `transformers`
// @param dataset string = null  Only models trained on this dataset (TRAINED_ON), e.g. `squad_v2`
// @param paper string = null  Only models citing this arXiv id (CITES), e.g. `1810.04805`
// @param pipeline_tag string = null  e.g. `text-generation`
// @param created_from date = null  Created on/after this date
// @param created_to date(end) = null  Created on/before this date (a whole day when date-only)
// @param min_downloads int(0..) = 0  At least this many downloads
// @param order choice(downloads|likes|created) = downloads  Sort key (descending)
// @param skip int(0..) = 0  Rows to skip (paging)
// @param limit int(1..1000) = 20  Rows per page
// Every filter is optional. Without any, a page within the first 3,000 rows reads the stored
// `Ranking` of that order (the loader's list of the first model ids). With a dataset or a paper
// filter alone, a page within the first 50 rows reads that dataset's or paper's GroupTop (its
// first models in each order, stored by the loader). Otherwise the candidates
// come from the first given of dataset, paper, author, tag, license, library (an indexed node
// and its relationships), else from the downloads index when min_downloads > 0, else from all models
// (a scan); the other filters are then checked on the model's own properties.
OPTIONAL MATCH (r:Ranking {id: $order})
// '' when there is no such row to read: a lookup of a null id reads every GroupTop (100-170 ms at
// 1M, 250 ms at 3M)
WITH r, coalesce(CASE WHEN $paper IS NULL THEN 'dataset:' + $dataset
                      WHEN $dataset IS NULL THEN 'paper:' + $paper END, '') AS top_id
OPTIONAL MATCH (top:GroupTop {id: top_id})
WITH r, top, $author IS NULL AND $tag IS NULL AND $license IS NULL AND $library IS NULL
           AND $pipeline_tag IS NULL AND $created_from IS NULL AND $created_to IS NULL
           AND $min_downloads = 0 AS unfiltered
WITH CASE WHEN unfiltered AND $dataset IS NULL AND $paper IS NULL
           AND $skip + $limit <= size(coalesce(r.ids, []))
      THEN r.ids[..$skip + $limit]
      WHEN unfiltered AND top IS NOT NULL
           AND ($skip + $limit <= size(top.ids) OR top.models_n <= size(top.ids))
      THEN CASE $order WHEN 'likes' THEN top.ids_likes WHEN 'created' THEN top.ids_created
           ELSE top.ids END[..$skip + $limit] END AS ranked
CALL {
  WITH ranked
  WITH ranked WHERE ranked IS NOT NULL
  UNWIND ranked AS rid
  MATCH (m:Model {id: rid})
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NOT NULL
  MATCH (:Dataset {id: $dataset})<-[:TRAINED_ON]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NOT NULL
  MATCH (:Paper {arxiv_id: $paper})<-[:CITES]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NOT NULL
  MATCH (:Author {name: $author})<-[:PUBLISHED_BY]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NULL AND $tag IS NOT NULL
  MATCH (:Tag {name: $tag})<-[:TAGGED]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NULL AND $tag IS NULL AND $license IS NOT NULL
  MATCH (:License {name: $license})<-[:LICENSED_UNDER]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NULL AND $tag IS NULL AND $license IS NULL AND $library IS NOT NULL
  MATCH (:Library {name: $library})<-[:USES_LIBRARY]-(m:Model)
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NULL AND $tag IS NULL AND $license IS NULL AND $library IS NULL
    AND $min_downloads > 0
  MATCH (m:Model)
  WHERE m.downloads >= $min_downloads  // a bare parameter: the downloads index serves it
  RETURN m
  UNION
  WITH ranked
  WITH ranked WHERE ranked IS NULL AND $dataset IS NULL AND $paper IS NULL
    AND $author IS NULL AND $tag IS NULL AND $license IS NULL AND $library IS NULL
    AND $min_downloads = 0
  MATCH (m:Model)
  RETURN m
}
WITH m
WHERE ($dataset IS NULL OR EXISTS { (m)-[:TRAINED_ON]->(:Dataset {id: $dataset}) })
  AND ($paper IS NULL OR EXISTS { (m)-[:CITES]->(:Paper {arxiv_id: $paper}) })
  AND ($author IS NULL OR m.author = $author)
  AND ($tag IS NULL OR $tag IN m.tags)
  AND ($license IS NULL OR m.license = $license)
  AND ($library IS NULL OR m.library_name = $library)
  AND ($pipeline_tag IS NULL OR m.pipeline_tag = $pipeline_tag)
  AND ($created_from IS NULL OR m.created_at >= $created_from)
  AND ($created_to IS NULL OR m.created_at <= $created_to)
  AND coalesce(m.downloads, 0) >= $min_downloads
WITH m
ORDER BY CASE $order WHEN 'likes' THEN coalesce(m.likes, -1)
         WHEN 'created' THEN coalesce(m.created_at, '') ELSE coalesce(m.downloads, -1) END DESC, m.id
SKIP $skip LIMIT $limit
RETURN m.id AS id, m.name AS name, m.author AS author, m.downloads AS downloads,
       m.likes AS likes, m.created_at AS created_at, m.pipeline_tag AS pipeline_tag,
       m.library_name AS library, m.license AS license, m.tags AS tags
