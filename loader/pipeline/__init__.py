"""Pipeline, the middle of the path: models -> names -> vectors -> edges -> groups -> artifacts.

`names` splits ids into tokens, `vectors` turns them into TF-IDF vectors, `edges` keeps each
model's top-k cosine neighbours, `communities` (Louvain) and `hierarchy` (single linkage, flat
clusters) group them, `families` labels the groups; `build` runs these steps with the knobs of
`params` and writes the artifacts (`loader.artifacts`). `evaluate` scores built groups against
declared lineage. Before it: `loader.ingest`; next: `loader.graph`.
"""
