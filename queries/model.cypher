// model: one model's details with its author, tags, license, library, community and cluster labels.
// @param id model  Model id (`owner/name`, or a bare name such as `gpt2`)
// Returns one row (none when the id is unknown). `parents`/`children` count declared
// BASED_ON links, `similar` the SIMILAR_TO edges; `community_*`/`cluster_*` come from the
// model's Community and finest Cluster nodes; `external` marks a base model that is only known
// as the parent of a declared lineage link (no metadata of its own). `declared_parents` lists
// the BASED_ON parents ({id, relation}); `likely_parents` the inferred LIKELY_BASED_ON ones
// ({id, name, score, relation, rank}, strongest first; `constellation infer-lineage`), so a
// reader can say "likely quantisation of X (0.91)" apart from a declared parent.
MATCH (m:Model {id: $id})
OPTIONAL MATCH (m)-[:IN_COMMUNITY]->(c:Community)
OPTIONAL MATCH (m)-[:IN_CLUSTER]->(k:Cluster)
WITH m, c, k ORDER BY k.level LIMIT 1
OPTIONAL MATCH (m)-[b:BASED_ON]->(dp:Model)
WITH m, c, k, b, dp ORDER BY dp.id
WITH m, c, k, [x IN collect(CASE WHEN dp IS NULL THEN null
               ELSE {id: dp.id, relation: b.relation} END) WHERE x IS NOT NULL] AS declared
OPTIONAL MATCH (m)-[l:LIKELY_BASED_ON]->(lp:Model)
WITH m, c, k, declared, l, lp ORDER BY l.score DESC, lp.id
WITH m, c, k, declared, [x IN collect(CASE WHEN lp IS NULL THEN null
     ELSE {id: lp.id, name: lp.name, score: l.score, relation: l.relation, rank: l.rank} END)
     WHERE x IS NOT NULL] AS likely
RETURN m.id AS id, m.name AS name, m.author AS author,
       m.downloads AS downloads, m.likes AS likes,
       m.created_at AS created_at, m.last_modified AS last_modified,
       m.pipeline_tag AS pipeline_tag, m.library_name AS library_name, m.license AS license,
       coalesce(m.tags, []) AS tags,
       m.family AS family,
       coalesce(c.id, m.community) AS community, c.label AS community_label,
       c.size AS community_size,
       coalesce(k.id, m.cluster) AS cluster, k.label AS cluster_label, k.level AS cluster_level,
       k.size AS cluster_size,
       coalesce(m.external, false) AS external,
       COUNT { (m)-[:SIMILAR_TO]-() } AS similar,
       COUNT { (m)-[:BASED_ON]->() } AS parents,
       COUNT { (m)<-[:BASED_ON]-() } AS children,
       declared AS declared_parents, likely AS likely_parents
