// explore_edges: the SIMILAR_TO and BASED_ON links from some models to a set of models (the explorer draws the links between shown nodes).
// @param ids string  Comma-separated ids of the models whose links are wanted (Hub ids contain no commas)
// @param among string  Comma-separated ids the other end must be in (the models on screen)
// @param limit int(1..20000) = 5000  Most links to return
// Returns source, target and type: SIMILAR_TO rows carry `score` (stored once per pair, any
// direction), BASED_ON rows `relation` with source = child, target = parent. A link between
// two models of `ids` comes twice; the explorer keeps one. One index lookup per id in `ids`
// and `among`; the other ends are compared as nodes, not by reading their `id`: a model whose
// name is copied a thousand times has a thousand links, and reading each far end's id
// doubled the time of a click next to one (1M-model graph: bench/results/dashboard.md).
UNWIND [x IN split($among, ',') | trim(x)] AS y
MATCH (b:Model {id: y})
WITH collect(b) AS among
UNWIND [x IN split($ids, ',') | trim(x)] AS x
MATCH (a:Model {id: x})-[r:SIMILAR_TO|BASED_ON]-(b)
WHERE b IN among
RETURN startNode(r).id AS source, endNode(r).id AS target, type(r) AS type,
       r.score AS score, r.relation AS relation
LIMIT $limit
