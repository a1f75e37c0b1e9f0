"""Inferred lineage (issue 12): declared parents from a `base_model` column, and each signal of
the ranker on hand-made cases (loader/lineage)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from constellation.loader.ingest.sources import read_sources


def _write(tmp_path: Path, rows: list[dict], name: str = "models.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------------------------
# item 2: a models table's base_model column is declared lineage


def test_base_model_column_is_lineage_and_bad_ids_are_reported(tmp_path, caplog):
    path = _write(
        tmp_path,
        [
            {"id": "meta-llama/Llama-2-7b-hf", "base_model": ""},
            {"id": "a/llama-chat", "base_model": "meta-llama/Llama-2-7b-hf"},
            {"id": "b/merged", "base_model": '["a/llama-chat", "meta-llama/Llama-2-7b-hf"]'},
            {"id": "c/two", "base_model": "a/llama-chat; b/merged"},
            {"id": "d/broken", "base_model": "not an id!, a/llama-chat"},
        ],
    )
    with caplog.at_level(logging.WARNING, logger="constellation"):
        result = read_sources([path], progress=False)
    pairs = set(zip(result.lineage["child"], result.lineage["parent"], strict=True))
    assert pairs == {
        ("a/llama-chat", "meta-llama/Llama-2-7b-hf"),
        ("b/merged", "a/llama-chat"),
        ("b/merged", "meta-llama/Llama-2-7b-hf"),
        ("c/two", "a/llama-chat"),
        ("c/two", "b/merged"),
        ("d/broken", "a/llama-chat"),
    }
    assert len(result.models) == 5  # the row with a bad parent is kept
    assert [(s.line, s.reason) for s in result.unparsed_parents] == [
        (6, "base_model 'not an id!' is not a model id (parent ignored)")
    ]
    assert "1 base_model value(s) not model ids" in result.summary()
    assert "not an id!" in caplog.text
    assert "base_model" not in result.models.columns  # folded into lineage, not kept as text


def test_base_model_relation_column(tmp_path):
    path = _write(
        tmp_path,
        [
            {"id": "x/base", "base_model": None, "base_model_relation": None},
            {"id": "y/q", "base_model": "x/base", "base_model_relation": "quantized"},
        ],
    )
    lineage = read_sources([path], progress=False).lineage
    assert lineage[["child", "parent", "relation"]].values.tolist() == [
        ["y/q", "x/base", "quantized"]
    ]
