// atlas_name_words: the most common words in model names, computed from the names (fallback when the graph has no Word nodes).
// @param limit int(1..1000) = 40  Words to return
// @param sample int(1..100000000) = 100000  Models read (the first ones the engine returns)
// Names are lower-cased and split on `-`, `_` and spaces (the build's words.parquet uses the
// full tokenizer: prefer `atlas_words`). A word counts once per model; `share` is over the
// models read. Cost grows with `sample`: the explorer caches the answer.
MATCH (m:Model)
WITH m
LIMIT $sample
WITH collect(m) AS ms
WITH ms, size(ms) AS total
UNWIND ms AS m
UNWIND split(replace(replace(toLower(coalesce(m.name, m.id)), '_', '-'), ' ', '-'), '-') AS w
WITH total, m, w
WHERE size(w) > 1
WITH total, w, count(DISTINCT m) AS n
ORDER BY n DESC, w
LIMIT $limit
RETURN w AS word, n AS count, toFloat(n) / total AS share
