"""`constellation evaluate` on a small hand-made case whose figures are known exactly."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from constellation.loader import artifacts
from constellation.loader.pipeline.evaluate import evaluate_tables

from constellation.cli import main

# 8 models; communities and level-0 clusters by hand; level-1 clusters via parent links
MODELS = pd.DataFrame(
    {
        "id": ["o/a", "o/b", "o/c", "o/d", "o/e", "o/f", "o/g", "o/h"],
        "community": [0, 0, 0, 1, 1, 2, 3, 4],
        "cluster": [0, 0, 1, 2, 2, 3, 4, 5],
    }
)
CLUSTERS = pd.DataFrame(
    {
        "cluster": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        "level": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
        "parent": pd.array([6, 6, 7, 7, 8, 9, None, None, None, None], dtype="Int64"),
    }
)
# parent -> child, as in hf-dep-network-analysis edge files
LINEAGE_CSV = """source,target,edge
o/a,o/b,finetuned
o/a,o/c,quantized
o/d,o/e,finetuned
o/d,o/f,merged
o/a,o/x,finetuned
o/zz,o/g,adapter
"""
SIMILARITY = pd.DataFrame(
    {
        "source": ["o/a", "o/a", "o/e", "o/b", "o/c"],
        "target": ["o/b", "o/d", "o/f", "o/g", "o/h"],
        "score": pd.array([0.9, 0.6, 0.7, 0.55, 0.8], dtype="float32"),
    }
)

EXPECTED = {
    "pairs_counted": 4,  # o/x and o/zz are not built models
    "pairs_same_community": 0.75,  # a-b, a-c, d-e yes; d-f no
    "pairs_same_community_random": round(8 / 30, 6),  # endpoints a..f: sizes 3, 2, 1
    "pairs_same_cluster": {"0": 0.5, "1": 1.0},
    "edges_total": 5,
    "edges_counted": 4,  # c-h: h has no declared lineage
    "edges_same_lineage_tree": 0.5,  # a-b, e-f same tree; a-d, b-g not
    "edges_same_lineage_tree_random": round(12 / 42, 6),  # trees {a,b,c} {d,e,f} {g}
    "lineage_models": 7,
    "lineage_trees": 3,
}


def _check(report: dict) -> None:
    for key, value in EXPECTED.items():
        assert report[key] == pytest.approx(value), key
    assert report["by_relation"]["quantized"] == {"pairs": 1, "same_community": 1.0}
    assert report["by_relation"]["merge"] == {"pairs": 1, "same_community": 0.0}


def _artifacts(tmp_path) -> str:
    out = tmp_path / "art"
    empty = pd.DataFrame()
    tables = {
        "models": MODELS,
        "similarity": SIMILARITY,
        "clusters": CLUSTERS,
        "lineage": pd.DataFrame(columns=["child", "parent", "relation", "origin"]),
        "communities": empty,
        "hierarchy": empty,
        "words": empty,
    }
    artifacts.write_artifacts(out, tables, {"build_id": "hand-made", "params": {}})
    return str(out)


def test_evaluate_tables_exact_figures() -> None:
    lineage = pd.DataFrame(
        {
            "child": ["o/b", "o/c", "o/e", "o/f", "o/x", "o/g", "o/b"],
            "parent": ["o/a", "o/a", "o/d", "o/d", "o/a", "o/zz", "o/b"],  # last: self, ignored
            "relation": [
                "finetune",
                "quantized",
                "finetune",
                "merge",
                "finetune",
                "adapter",
                "finetune",
            ],
        }
    )
    _check(evaluate_tables(MODELS, SIMILARITY, lineage, [0.25, 0.5], CLUSTERS))


def test_evaluate_command_prints_json(tmp_path, capsys) -> None:
    art = _artifacts(tmp_path)
    edges = tmp_path / "edges.csv"
    edges.write_text(LINEAGE_CSV)
    assert main(["evaluate", "--artifacts", art, "--lineage", str(edges)]) == 0
    report = json.loads(capsys.readouterr().out)
    _check(report)
    assert report["build_id"] == "hand-made"


def test_evaluate_reports_bad_input_in_one_line(tmp_path, capsys) -> None:
    assert main(["evaluate", "--artifacts", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no manifest.json" in err and "Traceback" not in err
    art = _artifacts(tmp_path)
    assert main(["evaluate", "--artifacts", art]) == 2  # artifacts hold no lineage
    assert "no declared lineage" in capsys.readouterr().err
