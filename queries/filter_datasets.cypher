// filter_datasets: datasets with the number of models trained on them (the explorer's "trained on dataset" filter options).
// @param limit int(1..5000) = 200  Rows to return
// Returns value (dataset id), models (most common first), url: the `Facet` nodes of kind
// `dataset` the loader stores (its TRAINED_ON links counted at load), no count at query time.
MATCH (f:Facet {kind: 'dataset'})
RETURN f.value AS value, f.models AS models, 'https://huggingface.co/datasets/' + f.value AS url
ORDER BY models DESC, value
LIMIT $limit
