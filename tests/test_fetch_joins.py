"""`constellation fetch --kind datasets|spaces` against the fake Hub, and `build --datasets
--spaces` reading those snapshots (issue 14): same paging, Retry-After, resume and refresh as
the model listing (tests/test_fetch.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from constellation.loader import artifacts
from constellation.loader.ingest.fetch import FetchQuery, fetch_snapshot
from constellation.loader.ingest.hub import (
    DATASET_EXPAND_FIELDS,
    SPACE_EXPAND_FIELDS,
    HubError,
    RetryPolicy,
)
from constellation.loader.pipeline.joins import read_listing
from fakehub import FakeHub, generated_datasets, generated_spaces, hub_time

from constellation import cli
from constellation.errors import UserError

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)
DATASETS = FetchQuery(kind="datasets")
SPACES = FetchQuery(kind="spaces")


@pytest.fixture(autouse=True)
def _no_ambient_token(monkeypatch, tmp_path):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")


def fetch(out: Path, hub: FakeHub, query: FetchQuery, **kwargs):
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("progress", False)
    return fetch_snapshot(out, query, endpoint=hub.url, **kwargs)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_datasets_listing_pages_with_expand_and_retry_after(tmp_path):
    slept: list[float] = []
    with FakeHub(generated_datasets(45), max_page_size=10, kind="datasets") as hub:
        hub.fail(429, at=2, retry_after="3")
        result = fetch(tmp_path / "d.jsonl", hub, DATASETS, sleep=slept.append)
        listing = [r for r in hub.requests if r["path"] == "/api/datasets"]
    assert result.records == 45 and result.pages == 5 and slept == [3.0]
    assert "45 datasets" in result.summary()
    expand = [v for k, v in listing[0]["query"] if k == "expand"]
    assert expand == list(DATASET_EXPAND_FIELDS)
    assert {r["id"] for r in lines(tmp_path / "d.jsonl")} == {
        r["id"] for r in generated_datasets(45)
    }


def test_spaces_listing_gives_up_then_resumes_to_the_same_snapshot(tmp_path):
    spaces = generated_spaces(50, [f"org/m{i}" for i in range(20)], seed=3)
    with FakeHub(spaces, max_page_size=10, kind="spaces") as hub:
        reference = fetch(tmp_path / "ref.jsonl", hub, SPACES)
        for n in range(3, 7):  # every attempt at page 3 fails
            hub.fail(503, at=hub.listing_requests + n)
        with pytest.raises(HubError, match="rerun"):
            fetch(tmp_path / "s.jsonl", hub, SPACES)
        result = fetch(tmp_path / "s.jsonl", hub, SPACES)
        expand = [v for k, v in hub.requests[-1]["query"] if k == "expand"]
    assert result.resumed and result.records == reference.records == 50
    assert (tmp_path / "s.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert expand == list(SPACE_EXPAND_FIELDS)


def test_datasets_refresh_changed_new_and_deleted(tmp_path):
    records = generated_datasets(60, seed=5)
    changed, gone = records[7]["id"], records[30]["id"]
    out = tmp_path / "d.jsonl"
    with FakeHub(records, max_page_size=20, kind="datasets") as hub:
        assert fetch(out, hub, DATASETS).mode == "full"
        hub.update(changed, downloads=777)
        hub.delete(gone)
        new = generated_datasets(1, seed=9)[0] | {"id": "new/corpus", "_id": "n" * 24}
        hub.add(new | {"lastModified": hub_time(datetime.now(UTC))})
        result = fetch(out, hub, DATASETS)
    assert result.mode == "refresh"
    assert result.counts == {"new": 1, "updated": 1, "unchanged": 58, "deleted": 1}
    snap = {r["id"]: r for r in lines(out)}
    assert snap[changed]["downloads"] == 777 and gone not in snap and "new/corpus" in snap


def test_a_snapshot_of_one_kind_is_not_refreshed_as_another(tmp_path):
    out = tmp_path / "d.jsonl"
    with FakeHub(generated_datasets(5), kind="datasets") as hub:
        fetch(out, hub, DATASETS)
        with pytest.raises(UserError, match="choose another --out"):
            fetch(out, hub, SPACES)
        with pytest.raises(UserError, match="--pipeline-tag filters models only"):
            fetch(tmp_path / "x.jsonl", hub, FetchQuery(kind="datasets", pipeline_tag="fill-mask"))


def test_cli_fetch_kind(tmp_path, capsys):
    with FakeHub(generated_datasets(12), max_page_size=5, kind="datasets") as hub:
        out = tmp_path / "d.jsonl"
        code = cli.main(["fetch", "--kind", "datasets", "--out", str(out), "--endpoint", hub.url,
                         "--quiet"])  # fmt: skip
    assert code == 0 and "12 datasets" in capsys.readouterr().out


def test_build_takes_dataset_and_space_snapshots(tmp_path):
    models = [
        {"id": "a/reader", "tags": ["dataset:squad_v2"], "downloads": 10},
        {"id": "b/reader-2", "cardData": {"datasets": ["org1/corpus-1"]}, "downloads": 3},
    ]
    (tmp_path / "models.json").write_text(json.dumps(models))
    with FakeHub(generated_datasets(3), kind="datasets") as hub:
        fetch(tmp_path / "d.jsonl", hub, DATASETS)
    spaces = generated_spaces(2, ["a/reader"], seed=1)
    spaces[0]["models"] = ["a/reader", "not/in-corpus"]
    with FakeHub(spaces, kind="spaces") as hub:
        fetch(tmp_path / "s.jsonl", hub, SPACES)
    out = tmp_path / "art"
    code = cli.main(["build", "--source", str(tmp_path / "models.json"), "--out", str(out),
                     "--datasets", str(tmp_path / "d.jsonl"), "--spaces", str(tmp_path / "s.jsonl"),
                     "--quiet"])  # fmt: skip
    assert code == 0
    datasets = artifacts.read_table(out, "datasets").set_index("id")
    squad = generated_datasets(3)[0]
    assert datasets.loc["squad_v2", "downloads"] == squad["downloads"]
    assert list(datasets.loc["squad_v2", "task_categories"]) == ["question-answering"]
    # a dataset no model names is kept (fetched), one only a model names has no properties
    assert "org1/corpus-1" in datasets.index and len(datasets) >= 3
    uses = artifacts.read_table(out, "uses")
    assert ("a/reader", "space") in set(zip(uses["model"], uses["origin"], strict=True))
    spaces_table = artifacts.read_table(out, "spaces").set_index("id")
    assert spaces_table.loc[spaces[0]["id"], "sdk"] == spaces[0]["sdk"]


def test_a_bad_snapshot_line_is_one_clear_error(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "ok/one"}\n{"id": "two words"}\n')
    with pytest.raises(UserError, match=r"d.jsonl:2: no valid dataset id"):
        read_listing(path, "datasets")
    path.write_text('{"id": "ok/one"}\nnot json\n')
    with pytest.raises(UserError, match=r"d.jsonl:2: not JSON"):
        read_listing(path, "datasets")
