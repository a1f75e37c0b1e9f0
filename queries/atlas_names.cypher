// atlas_names: the names of a sample of models (the explorer counts their words when the graph has no Word nodes).
// @param sample int(1..100000000) = 20000  Models read (the first ones the engine returns)
// Returns name (the model's name, else its id). The words are counted in Python with the
// build's own tokenizer (`pipeline.names.tokenize`), so the fallback table, the word clouds and
// the family terms split a name alike ("Llama-3.1" -> `llama`, `3.1`).
MATCH (m:Model)
WITH m
LIMIT $sample
RETURN coalesce(m.name, m.id) AS name
