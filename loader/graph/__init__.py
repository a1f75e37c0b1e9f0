"""Graph writing, where the loader ends: artifacts -> graph.

`writer` makes the graph equal to a build's artifacts (checked against `loader.artifacts`),
writing only what changed; `writer_cypher` holds every statement it sends. Before it:
`loader.pipeline`; after it, the graph is read by `queries` and shown by `dashboard`.
"""
