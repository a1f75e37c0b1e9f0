// atlas_words: the corpus's most common name words (the paper's Table 1), as stored by the build (Word nodes).
// @param limit int(1..1000) = 40  Words to return
// Returns word, count (models whose name has the word), share (of all models). No rows when
// the graph holds no Word nodes: the explorer then falls back to `atlas_names`.
MATCH (w:Word)
RETURN w.word AS word, w.count AS count, w.share AS share
ORDER BY count DESC, word
LIMIT $limit
