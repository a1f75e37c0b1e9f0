"""Inferred lineage in the graph: LIKELY_BASED_ON written by the incremental writer and streamed by
the bulk path, and the queries that read it (lineage's `inferred`, model, family_inferred_links)."""

from __future__ import annotations

import pandas as pd
import pytest
from _queries_helpers import write_small_artifacts
from constellation.loader.artifacts import INFERRED, write_extra_table
from constellation.loader.graph.read import read_artifacts
from constellation.loader.graph.stream import graph_stream
from constellation.loader.graph.writer import load_artifacts
from constellation.queries.runner import run_query

from constellation.errors import UserError

P70, P160, P410 = "EleutherAI/pythia-70m", "EleutherAI/pythia-160m", "EleutherAI/pythia-410m"
CHAT = "acme/pythia-70m-chat"

LIKELY = pd.DataFrame(
    {
        "child": [P410, P410, "lonely/model-x"],
        "parent": [P70, P160, "gpt2"],
        "score": [0.91, 0.2, 0.3],
        "relation": ["finetune", "finetune", "quantized"],
        "rank": [1, 2, 1],
    }
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = write_small_artifacts(tmp_path_factory.mktemp("likely") / "artifacts")
    write_extra_table(out, INFERRED, LIKELY)
    return out


def _load(graph_driver, graph_db, folder):
    return load_artifacts(graph_driver, folder, database=graph_db.database, progress=False)


def _run(graph_driver, graph_db, name, **params):
    return run_query(graph_driver, name, params, database=graph_db.database)


def test_bulk_stream_has_the_likely_links(folder):
    chunks = list(graph_stream(folder).edges["LIKELY_BASED_ON"].chunks())
    got = sorted((s, t, p) for src, dst, props in chunks
                 for s, t, p in zip(src, dst, props["score"], strict=True))  # fmt: skip
    assert got == [(P410, P160, 0.2), (P410, P70, 0.91), ("lonely/model-x", "gpt2", 0.3)]
    assert all(len(props["relation"]) and len(props["rank"]) for _, _, props in chunks)


def test_dangling_likely_parent_is_one_clear_error(tmp_path):
    out = write_small_artifacts(tmp_path / "a")
    bad = LIKELY.assign(parent=["nobody/x", P160, "gpt2"])
    write_extra_table(out, INFERRED, bad)
    with pytest.raises(UserError, match=r"inferred_lineage.parquet: column parent: .*nobody/x"):
        read_artifacts(out)


def test_writer_queries_and_refresh(graph_db, graph_driver, folder, tmp_path):
    counts = _load(graph_driver, graph_db, folder)
    assert counts["likely_based_on"]["created"] == 3
    assert counts["based_on"]["created"] == 4  # declared links untouched by the inferred ones

    # lineage: nothing inferred unless asked
    assert _run(graph_driver, graph_db, "lineage", id=P410) == []
    rows = _run(graph_driver, graph_db, "lineage", id=P410, inferred=True)
    assert [(r["direction"], r["id"], r["inferred"], r["score"]) for r in rows] == [
        ("ancestor", P70, True, 0.91),
        ("ancestor", P160, True, 0.2),
    ]
    down = _run(graph_driver, graph_db, "lineage", id=P70, inferred=True, depth=1)
    assert [(r["id"], r["inferred"], r["score"]) for r in down] == [
        (CHAT, False, None),
        (P410, True, 0.91),
    ]
    assert down[1]["child"] == P410 and down[1]["parent"] == P70

    # model: declared and likely parents apart
    (m,) = _run(graph_driver, graph_db, "model", id=P410)
    assert m["declared_parents"] == [] and m["parents"] == 0
    assert [(p["id"], p["score"], p["relation"]) for p in m["likely_parents"]] == [
        (P70, 0.91, "finetune"),
        (P160, 0.2, "finetune"),
    ]
    (chat,) = _run(graph_driver, graph_db, "model", id=CHAT)
    assert chat["declared_parents"] == [{"id": P70, "relation": "finetune"}]
    assert chat["likely_parents"] == []

    # the family's strongest inferred links
    fam = _run(graph_driver, graph_db, "family_inferred_links", id=P70)
    assert [(r["child"], r["parent"], r["score"]) for r in fam] == [(P410, P70, 0.91)]
    low = _run(graph_driver, graph_db, "family_inferred_links", id=P70, min_score=0.1)
    assert [r["parent"] for r in low] == [P70, P160]

    # refresh: one re-scored, one gone; then the file removed: no likely link left
    write_extra_table(folder, INFERRED, LIKELY.iloc[[0, 2]].assign(score=[0.95, 0.3]))
    counts = _load(graph_driver, graph_db, folder)
    assert counts["likely_based_on"] == {"created": 0, "updated": 1, "deleted": 1, "unchanged": 1}
    (folder / f"{INFERRED}.parquet").unlink()
    counts = _load(graph_driver, graph_db, folder)
    assert counts["likely_based_on"]["deleted"] == 2
    with graph_driver.session(database=graph_db.database) as s:
        n = s.run("MATCH ()-[e:LIKELY_BASED_ON]->() RETURN count(e) AS n").single()["n"]
    assert n == 0
