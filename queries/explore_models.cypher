// explore_models: what the explorer draws for some models (family colour, size by downloads).
// @param ids string  Comma-separated model ids (Hub ids contain no commas)
// Returns id, name, author, downloads, likes, family, community, pipeline_tag; unknown ids
// are left out. One index lookup per id.
UNWIND [x IN split($ids, ',') | trim(x)] AS x
MATCH (m:Model {id: x})
RETURN m.id AS id, m.name AS name, m.author AS author, m.downloads AS downloads,
       m.likes AS likes, m.family AS family, m.community AS community,
       m.pipeline_tag AS pipeline_tag
