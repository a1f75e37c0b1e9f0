"""Inferred lineage: rank likely parents for models that declare none (issue 12).

candidates.py (name stems, size tokens, candidate pairs) -> features.py (one row of signals per
child/candidate pair) -> ranker.py (learned, calibrated score) and relation.py (finetune /
quantized / adapter / merge) -> evaluate.py (held-out Hits@k, MRR, reliability) ->
commands.py (`infer-lineage`, `evaluate-lineage`). Everything but commands.py is pure functions
over DataFrames, numpy arrays and sparse matrices.
"""
