"""Ingest, the start of the data path: Hub snapshots and files -> one table of models + lineage.

`fetch` (with `hub`, the paged Hub client, and `snapshot`, its crash-safe files) brings Hub
metadata into a resumable JSONL snapshot; `sources` reads snapshots and metadata/edge files into
one normalised models table; `lineage` holds the declared-lineage parsing and the model id rules
every reader shares; `generate` writes a synthetic, Hub-shaped scale source from the real names.
Next on the path: `loader.pipeline`.
"""
