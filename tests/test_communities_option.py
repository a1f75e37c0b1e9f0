"""`build --communities louvain`: the paper's python-louvain (extra `paper`) beside igraph's."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline import communities
from constellation.loader.pipeline.build import build_from_models
from constellation.loader.pipeline.params import BuildParams

from constellation import cli
from constellation.errors import UserError

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"


def _needs_paper_extra() -> None:
    for module in ("community", "networkx"):
        pytest.importorskip(
            module, reason="python-louvain/networkx: pip install 'constellation-atlas[paper]'"
        )


def _assert_partition(models: pd.DataFrame, communities_table: pd.DataFrame) -> None:
    labels = models["community"].to_numpy()
    assert len(labels) == len(models) and (labels >= 0).all()
    sizes = np.bincount(labels)
    assert (sizes > 0).all() and (np.diff(sizes) <= 0).all()  # 0.. numbered by size, none empty
    assert communities_table["size"].tolist() == sizes.tolist()


def test_louvain_and_igraph_give_valid_partitions_of_similar_modularity():
    _needs_paper_extra()
    models = read_sources([SAMPLE], progress=False).models
    tables = {}
    for method in ("igraph", "louvain"):
        params = BuildParams(communities=method)
        built, meta = build_from_models(models, params, progress=False)
        _assert_partition(built["models"], built["communities"])
        tables[method] = (built, meta["modularity"])
    (ig, q_ig), (py, q_py) = tables["igraph"], tables["louvain"]
    assert q_ig > 0.3 and q_py == pytest.approx(q_ig, abs=0.05)
    # the step after communities does not depend on the method: same edges, same hierarchy
    assert ig["similarity"].equals(py["similarity"]) and ig["hierarchy"].equals(py["hierarchy"])


def test_python_louvain_is_seeded():
    _needs_paper_extra()
    src, dst = np.array([0, 1, 2, 3, 4, 0]), np.array([1, 2, 0, 4, 5, 3])
    score = np.array([0.9, 0.8, 0.7, 0.9, 0.8, 0.1], dtype=np.float32)
    a, qa = communities.python_louvain(7, src, dst, score, seed=3)
    b, qb = communities.python_louvain(7, src, dst, score, seed=3)
    assert a.tolist() == b.tolist() and qa == qb
    assert a[6] not in a[:6]  # a model without edges is its own community
    assert a[0] == a[1] == a[2] != a[3] == a[4] == a[5]


def test_missing_extra_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "community", None)  # import -> ImportError
    with pytest.raises(UserError, match=r"constellation-atlas\[paper\]"):
        communities.detect("louvain", 2, np.array([0]), np.array([1]), np.array([0.5]))
    argv = ["build", "--quiet", "--source", str(SAMPLE), "--out", str(tmp_path / "a")]
    assert cli.main([*argv, "--communities", "louvain"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "pip install 'constellation-atlas[paper]'" in err


def test_unknown_method_is_refused():
    with pytest.raises(UserError, match="communities='leiden'"):
        BuildParams(communities="leiden")
