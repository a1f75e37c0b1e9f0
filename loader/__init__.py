"""Loader: model metadata -> graph, in the order of the data path.

`ingest` (Hub and files -> models + lineage) -> `pipeline` (names -> vectors -> edges -> groups
-> artifacts) -> `graph` (artifacts -> graph). `artifacts` is the contract between the last two:
the one definition of the files a build writes and the graph writer reads.
"""
