"""Hub refresh -> build -> load on the real graph server: only what changed on the Hub changes.

Uses the real `build` and graph writer on a fresh database (tests/conftest.py fixtures) and the
fake Hub of tests/fakehub.py.
"""

from __future__ import annotations

from constellation.loader.ingest.fetch import fetch_snapshot
from fakehub import FakeHub, generated_records


def test_incremental_hub_update_changes_only_what_changed(tmp_path, graph_db, graph_driver):
    from constellation.loader.graph.writer import load_artifacts
    from constellation.loader.pipeline.build import build

    records = generated_records(300, seed=21)
    # The deleted model: the Hub lists it last (highest _id) and no other name resembles it, so
    # removing it renumbers no other model's community or cluster.
    gone = "zz-solo/qwertyuiop-xkcd"
    records.append(dict(records[0], _id="f" * 24, id=gone, modelId=gone, author="zz-solo"))
    changed = records[10]["id"]
    out = tmp_path / "hub.jsonl"
    database = graph_db.database

    with FakeHub(records) as hub:
        fetch_snapshot(out, endpoint=hub.url, progress=False)
        build([out], tmp_path / "build1", progress=False)
        first = load_artifacts(graph_driver, tmp_path / "build1", database=database)
        hub.update(changed, downloads=424242)
        hub.delete(gone)
        refresh = fetch_snapshot(out, endpoint=hub.url, progress=False)
    build([out], tmp_path / "build2", progress=False)
    second = load_artifacts(graph_driver, tmp_path / "build2", database=database)

    assert first["models"]["created"] == 301
    assert refresh.mode == "refresh"
    assert refresh.counts == {"new": 0, "updated": 1, "unchanged": 299, "deleted": 1}
    models = second["models"]
    assert (models["created"], models["updated"], models["deleted"]) == (0, 1, 1)
    assert models["unchanged"] == 299
    lineage = second["based_on"]
    assert (lineage["created"], lineage["updated"], lineage["deleted"]) == (0, 0, 0)
    with graph_driver.session(database=database) as session:
        row = session.run(
            "MATCH (m:Model {id: $id}) RETURN m.downloads AS downloads", id=changed
        ).single()
        assert row["downloads"] == 424242
        assert session.run(
            "MATCH (m:Model {id: $id}) RETURN count(m) AS n", id=gone
        ).single()["n"] == 0
        assert session.run("MATCH (m:Model) RETURN count(m) AS n").single()["n"] == 300
