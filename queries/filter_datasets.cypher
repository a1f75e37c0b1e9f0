// filter_datasets: datasets with the number of models trained on them (the explorer's "trained on dataset" filter options).
// @param limit int(1..5000) = 200  Rows to return
// Returns value (dataset id), models (most common first), url. Counts the TRAINED_ON links of
// the Dataset nodes instead of scanning models.
MATCH (d:Dataset)
WITH d.id AS value, COUNT { (d)<-[:TRAINED_ON]-(:Model) } AS models
WHERE models > 0
RETURN value, models, 'https://huggingface.co/datasets/' + value AS url
ORDER BY models DESC, value
LIMIT $limit
