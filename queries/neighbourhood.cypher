// neighbourhood: the models within k hops of a model over SIMILAR_TO and BASED_ON, as nodes and edges to draw.
// @param id model  Model id (the centre)
// @param hops int(1..3) = 2  Hops to expand
// @param max_nodes int(1..2000) = 500  Most nodes to return (the centre included)
// @param fanout int(1..500) = 25  Most links followed from each node
// @param min_score float(0..1) = 0  Ignore SIMILAR_TO edges below this score
// One row: `nodes` (id, name, author, downloads, family, community, cluster, hop), `edges`
// (source, target, type, score, relation; source -> target is the stored direction, child ->
// parent for BASED_ON) and `truncated`: true when `fanout` or `max_nodes` cut the answer.
// Breadth first. The centre follows its parents, then its strongest SIMILAR_TO links (by
// score), then its children; further hops follow SIMILAR_TO then BASED_ON links of each node, at most `fanout`
// each, and each hop keeps what still fits in `max_nodes`, so the work stays bounded whatever
// the degrees. Later hops use pattern comprehensions (no per-row cost, which dominates on
// ArcadeDB) and so take a node's links in storage order. `edges` are the links met while
// expanding whose two ends are kept.
MATCH (m:Model {id: $id})
// hop 1: parents, then the strongest similar models, then children
CALL {
  WITH m
  MATCH (m)-[r:SIMILAR_TO]-(n:Model)
  WHERE r.score >= $min_score
  WITH r, n
  ORDER BY r.score DESC, coalesce(n.downloads, -1) DESC, n.id
  LIMIT $fanout + 1
  RETURN collect({r: r, b: n}) AS similar1
}
WITH m, [(m)-[r:BASED_ON]->(n:Model) | {r: r, b: n}] + similar1
        + [(m)<-[r:BASED_ON]-(n:Model) | {r: r, b: n}] AS found1
WITH m, found1[0..$fanout] AS links1, size(found1) > $fanout AS cut
WITH m, links1, cut,
     reduce(acc = [], l IN links1 | CASE WHEN l.b IN acc THEN acc ELSE acc + l.b END) AS found
WITH m, links1, found[0..$max_nodes - 1] AS hop1, cut OR size(found) > $max_nodes - 1 AS cut
// hop 2
WITH m, links1, hop1, cut,
     [f IN (CASE WHEN $hops >= 2 AND size(hop1) < $max_nodes - 1 THEN hop1 ELSE [] END) |
        [(f)-[r:SIMILAR_TO]-(n:Model) WHERE r.score >= $min_score | {r: r, b: n}]
        + [(f)-[r:BASED_ON]-(n:Model) | {r: r, b: n}]] AS per2
WITH m, hop1, links1 + reduce(acc = [], ls IN per2 | acc + ls[0..$fanout]) AS links,
     cut OR any(ls IN per2 WHERE size(ls) > $fanout) AS cut
WITH m, hop1, links, cut,
     reduce(acc = [], l IN links |
       CASE WHEN l.b = m OR l.b IN hop1 OR l.b IN acc THEN acc ELSE acc + l.b END) AS found
WITH m, hop1, links, found[0..$max_nodes - 1 - size(hop1)] AS hop2,
     cut OR size(found) > $max_nodes - 1 - size(hop1) AS cut
// hop 3
WITH m, hop1, hop2, links, cut,
     [f IN (CASE WHEN $hops >= 3 AND size(hop1) + size(hop2) < $max_nodes - 1
                 THEN hop2 ELSE [] END) |
        [(f)-[r:SIMILAR_TO]-(n:Model) WHERE r.score >= $min_score | {r: r, b: n}]
        + [(f)-[r:BASED_ON]-(n:Model) | {r: r, b: n}]] AS per3
WITH m, hop1, hop2, reduce(acc = [], ls IN per3 | acc + ls[0..$fanout]) AS links3, links,
     cut OR any(ls IN per3 WHERE size(ls) > $fanout) AS cut
WITH m, hop1, hop2, links + links3 AS links, cut,
     reduce(acc = [], l IN links3 |
       CASE WHEN l.b = m OR l.b IN hop1 OR l.b IN hop2 OR l.b IN acc THEN acc
            ELSE acc + l.b END) AS found
WITH m, hop1, hop2, links, found[0..$max_nodes - 1 - size(hop1) - size(hop2)] AS hop3,
     cut OR size(found) > $max_nodes - 1 - size(hop1) - size(hop2) AS truncated
WITH m, hop1, hop2, hop3, [m] + hop1 + hop2 + hop3 AS kept, truncated, links
WITH m, hop1, hop2, hop3, kept, truncated,
     reduce(acc = [], l IN links |
       CASE WHEN l.r IN acc OR NOT l.b IN kept THEN acc ELSE acc + l.r END) AS rels
RETURN
  [n IN kept | n {.id, .name, .author, .downloads, .family, .community, .cluster,
     hop: CASE WHEN n = m THEN 0 WHEN n IN hop1 THEN 1 WHEN n IN hop2 THEN 2 ELSE 3 END}]
    AS nodes,
  [r IN rels | {source: startNode(r).id, target: endNode(r).id, type: type(r),
                score: r.score, relation: r.relation}] AS edges,
  truncated
