"""`constellation fetch` against a local fake Hub (tests/fakehub.py) through huggingface_hub.

Covers paging, retries (429 + Retry-After, 500, dropped connections), resume after an
interruption (same bytes as an uninterrupted fetch), malformed records, incremental refresh with
changed/new/deleted models, the token (sent, never shown or stored) and `hub:` sources.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from constellation.loader.ingest.fetch import FetchQuery, fetch_snapshot
from constellation.loader.ingest.hub import EXPAND_FIELDS, HubError, RetryPolicy, parse_retry_after
from constellation.loader.ingest.hub_source import (
    hub_snapshot_path,
    parse_hub_spec,
    resolve_hub_source,
)
from constellation.loader.ingest.snapshot import read_state
from fakehub import FakeHub, generated_records, hub_time, shared_records

from constellation import cli
from constellation.errors import UserError

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture(autouse=True)
def _no_ambient_token(monkeypatch, tmp_path):
    """No token from the environment or a saved login leaks into these tests."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")


@pytest.fixture
def shared_samples(shared_data) -> list[dict]:
    """Hub-shaped records from ../shared/data (the conftest fixture skips when it is absent)."""
    records = shared_records()
    if records is None:
        pytest.skip(
            "needs ../shared/data (api-samples, mistral-small-tree-fixture):"
            " not present in this checkout"
        )
    return records


def fetch(out: Path, hub: FakeHub, **kwargs):
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("progress", False)
    return fetch_snapshot(out, endpoint=hub.url, **kwargs)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def ids(path: Path) -> list[str]:
    return [rec["id"] for rec in lines(path)]


def state(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".state").read_text())


# --- the fake Hub speaks the Hub's protocol -----------------------------------------------------


def test_huggingface_hub_client_pages_through_fake_hub():
    records = generated_records(95, seed=1)
    with FakeHub(records, max_page_size=10) as hub:
        from huggingface_hub import HfApi

        models = list(HfApi(endpoint=hub.url).list_models(expand=list(EXPAND_FIELDS)))
        assert hub.listing_requests == 10  # 9 full pages + 5, following Link: rel="next"
    assert sorted(m.id for m in models) == sorted(r["id"] for r in records)
    first = next(m for m in models if m.id == records[0]["id"])
    assert first.downloads == records[0]["downloads"]
    assert first.created_at is not None and first.last_modified is not None


def test_first_request_matches_huggingface_hub_list_models(tmp_path):
    """Our resumable pager asks exactly what `HfApi.list_models(...)` asks."""
    from huggingface_hub import HfApi

    query = FetchQuery(pipeline_tag="text-generation", author="user1", search="llama")
    with FakeHub(generated_records(20)) as hub:
        api = HfApi(endpoint=hub.url)
        list(
            api.list_models(
                pipeline_tag=query.pipeline_tag,
                author=query.author,
                search=query.search,
                limit=1000,
                expand=list(EXPAND_FIELDS),
            )
        )
        fetch(tmp_path / "m.jsonl", hub, query=query)
        theirs, ours = (r["query"] for r in hub.requests)
    assert ours == theirs


def test_shared_samples_fetched_and_readable_by_sources(tmp_path, shared_samples):
    from constellation.loader.ingest.sources import read_sources

    with FakeHub(shared_samples + generated_records(20), max_page_size=25) as hub:
        result = fetch(tmp_path / "hub.jsonl", hub)
    assert result.records == len(shared_samples) + 20
    snap = {rec["id"]: rec for rec in lines(tmp_path / "hub.jsonl")}
    bert = snap["google-bert/bert-base-uncased"]
    assert bert["cardData"]["license"] == "apache-2.0" and bert["createdAt"].endswith("Z")
    assert set(bert) <= {"_id", "id", *EXPAND_FIELDS}  # projected by expand=, as the Hub does
    source = read_sources([tmp_path / "hub.jsonl"], progress=False)
    assert len(source.models) == result.records
    # declared lineage of the mistral-small tree survives the round trip
    parents = set(source.lineage["parent"])
    assert "mistralai/Mistral-Small-24B-Base-2501" in parents


# --- paging -------------------------------------------------------------------------------------


def test_paging_over_several_pages(tmp_path):
    records = generated_records(237, seed=2)
    with FakeHub(records, max_page_size=10) as hub:
        result = fetch(tmp_path / "m.jsonl", hub)
        cursors = [dict(r["query"]).get("cursor") for r in hub.requests]
    assert result.pages == 24 and result.records == 237 and result.mode == "full"
    assert cursors[0] is None and all(cursors[1:])  # pages 2..24 via the Link cursor
    assert len(set(cursors)) == 24
    got = ids(tmp_path / "m.jsonl")
    assert sorted(got) == sorted(r["id"] for r in records) and len(set(got)) == 237
    st = state(tmp_path / "m.jsonl")
    assert st["status"] == "complete" and st["job"] is None and st["records"] == 237
    assert not (tmp_path / "m.jsonl.partial").exists()


def test_filters_and_limit(tmp_path):
    records = generated_records(300, seed=3, authors=5)
    author = records[0]["author"]
    mine = [r for r in records if r["author"] == author]
    with FakeHub(records, max_page_size=7) as hub:
        fetch(tmp_path / "a.jsonl", hub, query=FetchQuery(author=author))
        fetch(tmp_path / "b.jsonl", hub, query=FetchQuery(author=author, limit=12))
        fetch(tmp_path / "c.jsonl", hub, query=FetchQuery(pipeline_tag="fill-mask", search="-7b-"))
    assert sorted(ids(tmp_path / "a.jsonl")) == sorted(r["id"] for r in mine)
    assert ids(tmp_path / "b.jsonl") == ids(tmp_path / "a.jsonl")[:12]
    c = lines(tmp_path / "c.jsonl")
    assert c and all(r["pipeline_tag"] == "fill-mask" and "-7b-" in r["id"] for r in c)


# --- retries ------------------------------------------------------------------------------------


def test_429_waits_for_retry_after(tmp_path):
    slept: list[float] = []  # the injected clock: the wait is recorded, not slept
    with FakeHub(generated_records(30), max_page_size=10) as hub:
        hub.fail(429, at=2, retry_after="1")
        result = fetch(tmp_path / "m.jsonl", hub, sleep=slept.append)
        assert hub.listing_requests == 4  # page 2 asked twice
    assert slept == [1.0]  # exactly what the Hub asked, no jitter, no extra second
    assert result.records == 30


def test_retry_after_as_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("7") == 7.0 and parse_retry_after("soon") is None


def test_retry_after_beyond_the_patience_stops_resumably(tmp_path):
    with FakeHub(generated_records(30), max_page_size=10) as hub:
        hub.fail(429, at=2, retry_after="3600")
        with pytest.raises(HubError, match="asks to wait 3600 s"):
            fetch(tmp_path / "m.jsonl", hub, sleep=pytest.fail)
        result = fetch(tmp_path / "m.jsonl", hub)
    assert result.resumed and result.records == 30


def test_500_then_success_backs_off_with_jitter(tmp_path):
    slept: list[float] = []
    policy = RetryPolicy(max_attempts=5, base_delay=0.02, max_delay=1.0)
    with FakeHub(generated_records(30), max_page_size=10) as hub:
        hub.fail(500, at=1)
        hub.fail(502, at=2)
        hub.fail(503, at=3)
        result = fetch(tmp_path / "m.jsonl", hub, sleep=slept.append, retry=policy)
    assert result.records == 30 and result.pages == 3
    assert len(slept) == 3
    for attempt, wait in enumerate(slept, start=1):  # exponential, jittered within [d/2, d]
        ceiling = 0.02 * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling


def test_gives_up_with_clear_message_then_resumes(tmp_path):
    records = generated_records(50, seed=4)
    with FakeHub(records, max_page_size=10) as hub:
        reference = fetch(tmp_path / "ref.jsonl", hub)
        hub.fail(503, at=hub.listing_requests + 3)  # 4 attempts on page 3: all fail
        for n in range(4, 7):
            hub.fail(503, at=hub.listing_requests + n)
        with pytest.raises(HubError) as info:
            fetch(tmp_path / "m.jsonl", hub)
        message = str(info.value)
        assert "HTTP 503" in message and "4 attempts" in message and "rerun" in message
        st = state(tmp_path / "m.jsonl")
        assert st["job"]["passes"][0]["pages"] == 2 and st["status"] == "new"
        assert not (tmp_path / "m.jsonl").exists()  # no half snapshot where a complete one goes
        result = fetch(tmp_path / "m.jsonl", hub)
    assert result.resumed and result.records == 50
    assert (tmp_path / "m.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()
    assert reference.records == 50


def test_a_page_linking_to_itself_stops_the_fetch(tmp_path, monkeypatch):
    from constellation.loader.ingest.hub import HubClient, Page

    def same_page_forever(self, url):
        return Page(items=[{"id": "a/b"}], next_url=self.rebase(url), server_date=None)

    monkeypatch.setattr(HubClient, "get_page", same_page_forever)
    with FakeHub() as hub, pytest.raises(HubError, match="to itself"):
        fetch(tmp_path / "m.jsonl", hub)


def test_connection_dropped_once_is_retried(tmp_path):
    with FakeHub(generated_records(40), max_page_size=10) as hub:
        hub.drop(at=2)
        result = fetch(tmp_path / "m.jsonl", hub)
        assert hub.listing_requests == 5
    assert result.records == 40 and not result.resumed


def test_connection_dropped_mid_run_then_resume(tmp_path):
    records = generated_records(120, seed=5)
    with FakeHub(records, max_page_size=10) as hub:
        fetch(tmp_path / "ref.jsonl", hub)
        hub.drop(at=hub.listing_requests + 6, times=None)  # the network goes away at page 6
        with pytest.raises(HubError, match="connection error"):
            fetch(tmp_path / "m.jsonl", hub)
        assert len(ids(tmp_path / "m.jsonl.partial")) == 50
        hub.clear_faults()
        before = hub.listing_requests
        result = fetch(tmp_path / "m.jsonl", hub)
        resumed_cursor = dict(hub.requests[-(hub.listing_requests - before)]["query"])
    assert result.resumed and result.records == 120
    assert "cursor" in resumed_cursor  # continued from page 6, not from the start
    assert hub.listing_requests - before == 7
    assert (tmp_path / "m.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


def test_crash_between_write_and_state_is_repaired_on_resume(tmp_path):
    """A kill after a page was written but before its state was saved, or mid-line."""
    records = generated_records(80, seed=6)
    with FakeHub(records, max_page_size=10) as hub:
        fetch(tmp_path / "ref.jsonl", hub)

        def interrupt(_seconds: float) -> None:
            raise KeyboardInterrupt

        hub.fail(500, at=hub.listing_requests + 4)
        with pytest.raises(KeyboardInterrupt):  # Ctrl-C while backing off on page 4
            fetch(tmp_path / "m.jsonl", hub, sleep=interrupt)
        partial = tmp_path / "m.jsonl.partial"
        saved = partial.read_bytes()
        assert len(saved.splitlines()) == 30
        # as if page 4 had been half written when the process died: a duplicate and a torn line
        with open(partial, "ab") as fh:
            fh.write(saved.splitlines(keepends=True)[0] + b'{"_id":"abc","id":"user1/tor')
        result = fetch(tmp_path / "m.jsonl", hub)
    assert result.resumed and result.records == 80
    assert (tmp_path / "m.jsonl").read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


@pytest.mark.slow
def test_killed_process_resumes_to_the_same_snapshot(tmp_path):
    """`constellation fetch` killed with SIGKILL mid-run (HF_ENDPOINT picks the fake Hub).

    The fake Hub holds the request for page 6 and the process is killed while it waits: pages
    1-5 are then written and saved, whatever the machine's speed."""
    records = generated_records(6000, seed=13)
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=200) as hub:
        fetch(tmp_path / "ref.jsonl", hub)
        hub.hold(at=hub.listing_requests + 6)
        env = dict(os.environ, HF_ENDPOINT=hub.url)
        cmd = [sys.executable, "-m", "constellation.cli", "fetch", "--out", str(out), "--quiet"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            arrived = hub.held.wait(timeout=60)
        finally:
            proc.kill()
            _, err = proc.communicate()
            hub.release()
        assert arrived, err.decode()
        assert proc.returncode == -signal.SIGKILL and not out.exists()
        assert read_state(out.with_name("m.jsonl.state"))["job"]["passes"][0]["pages"] == 5
        assert len(ids(out.with_name("m.jsonl.partial"))) == 1000
        result = fetch(out, hub)
    assert result.resumed and result.records == 6000
    assert out.read_bytes() == (tmp_path / "ref.jsonl").read_bytes()


@pytest.mark.parametrize("refresh", [False, True])
def test_crash_after_the_snapshot_was_replaced_is_finished_on_rerun(tmp_path, monkeypatch, refresh):
    import constellation.loader.ingest.fetch as fetch_module

    records = generated_records(40, seed=18)
    out = tmp_path / "m.jsonl"
    real_write_state = fetch_module.write_state

    def crash_when_complete(path, st):
        if st["status"] == "complete" and st["job"] is None:
            raise KeyboardInterrupt  # killed between the rename and the state
        real_write_state(path, st)

    with FakeHub(records, max_page_size=10) as hub:
        if refresh:
            fetch(out, hub)
            hub.update(records[0]["id"], likes=3)
        monkeypatch.setattr(fetch_module, "write_state", crash_when_complete)
        with pytest.raises(KeyboardInterrupt):
            fetch(out, hub)
        monkeypatch.setattr(fetch_module, "write_state", real_write_state)
        result = fetch(out, hub)
        fetch(tmp_path / "ref.jsonl", hub)
    assert result.resumed and result.records == 40
    assert state(out)["status"] == "complete" and state(out)["job"] is None
    assert sorted(lines(out), key=str) == sorted(lines(tmp_path / "ref.jsonl"), key=str)


def test_a_file_fetch_did_not_write_is_not_overwritten(tmp_path):
    out = tmp_path / "mine.jsonl"
    out.write_text('{"id": "me/precious"}\n')
    with FakeHub(generated_records(10)) as hub:
        with pytest.raises(UserError, match="not written by `constellation fetch`"):
            fetch(out, hub)
        assert out.read_text() == '{"id": "me/precious"}\n'
        assert fetch(out, hub, fresh=True).records == 10


def test_one_fetch_at_a_time_per_snapshot(tmp_path):
    import fcntl

    with FakeHub(generated_records(10)) as hub, open(tmp_path / "m.jsonl.lock", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(UserError, match="another fetch is writing"):
            fetch(tmp_path / "m.jsonl", hub)


# --- malformed records --------------------------------------------------------------------------


def test_malformed_records_are_logged_and_skipped_or_kept_for_the_reader(tmp_path):
    from constellation.loader.ingest.sources import read_sources

    records = generated_records(30, seed=7)
    with FakeHub(records, max_page_size=10) as hub:
        hub.add_raw_after(records[3]["id"], {"_id": "x1", "downloads": 3})  # no id
        hub.add_raw_after(records[15]["id"], "not a record")
        hub.add_raw_after(records[15]["id"], {"_id": "x2", "id": "", "likes": 1})
        bad_field = dict(records[20], id="user1/odd-downloads", downloads="lots")
        hub.add_raw_after(records[20]["id"], bad_field)
        result = fetch(tmp_path / "m.jsonl", hub)
    assert result.skipped == 3 and result.records == 31
    log = lines(tmp_path / "m.jsonl.skipped.log")
    assert [entry["reason"].split(" (")[0] for entry in log] == [
        "no model id",
        "not a JSON object",
        "no model id",
    ]
    assert log[0]["record"] == {"_id": "x1", "downloads": 3}
    # a record with an id but a bad field is kept as served; the sources reader reports it
    assert "user1/odd-downloads" in ids(tmp_path / "m.jsonl")
    source = read_sources([tmp_path / "m.jsonl"], progress=False)
    assert len(source.models) == 30
    assert any("downloads" in s.reason for s in source.skipped)


# --- incremental refresh ------------------------------------------------------------------------


def test_incremental_refresh_with_changed_new_and_deleted_models(tmp_path):
    records = generated_records(200, seed=8)
    changed, gone = records[10]["id"], records[150]["id"]
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=20) as hub:
        first = fetch(out, hub)
        assert first.mode == "full" and first.records == 200
        first_ids = ids(out)
        hub.update(changed, downloads=123456789)
        hub.delete(gone)
        newcomer = generated_records(1, seed=99)[0] | {"id": "new/llama-7b-chat-x"}
        hub.add(newcomer | {"lastModified": hub_time(datetime.now(UTC))})
        before = hub.listing_requests
        result = fetch(out, hub)
        refresh_requests = hub.requests[-(hub.listing_requests - before) :]
        fetch(tmp_path / "full.jsonl", hub)  # what a fresh full fetch sees now
    assert result.mode == "refresh"
    assert result.counts == {"new": 1, "updated": 1, "unchanged": 198, "deleted": 1}
    sorts = [dict(r["query"]).get("sort") for r in refresh_requests]
    assert sorts[0] == "lastModified" and sorts.count("lastModified") == 1  # stopped at page 1
    snap = {r["id"]: r for r in lines(out)}
    assert snap[changed]["downloads"] == 123456789 and gone not in snap
    assert snap == {r["id"]: r for r in lines(tmp_path / "full.jsonl")}
    # records keep their place (the changed one too); new ones go at the end
    assert ids(out) == [i for i in first_ids if i != gone] + [newcomer["id"]]
    deleted = lines(out.with_name("m.jsonl.deleted.log"))
    assert [d["id"] for d in deleted] == [gone]
    # nothing changed since: a refresh fetches one page of changes and changes nothing
    with FakeHub([r for r in lines(out)], max_page_size=20) as hub2:
        again = fetch(out, hub2)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 200, "deleted": 0}


def test_refresh_fetches_listed_models_it_never_saw(tmp_path):
    """A model that appears with an old lastModified (e.g. made public) is fetched by id."""
    records = generated_records(60, seed=14)
    hidden = records.pop(5)
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=10) as hub:
        fetch(out, hub)
        hub.add(hidden)  # lastModified years ago: the changes pass cannot see it
        result = fetch(out, hub)
        by_id = [r for r in hub.requests if r["path"].startswith("/api/models/")]
    assert result.counts["new"] == 1 and hidden["id"] in ids(out)
    assert [r["path"] for r in by_id] == [f"/api/models/{hidden['id']}"]
    assert {k: v for k, v in lines(out)[-1].items()} == {
        k: hidden[k] for k in ("_id", "id", *EXPAND_FIELDS) if k in hidden
    }


def test_interrupted_refresh_resumes(tmp_path):
    records = generated_records(100, seed=15)
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=10) as hub:
        fetch(out, hub)
        before = out.read_bytes()
        hub.update(records[1]["id"], likes=7)
        hub.delete(records[2]["id"])
        hub.drop(at=hub.listing_requests + 4, times=None)  # during the id listing
        with pytest.raises(HubError):
            fetch(out, hub)
        assert out.read_bytes() == before  # the snapshot is untouched until the merge
        assert state(out)["job"]["passes"][0]["done"]
        hub.clear_faults()
        result = fetch(out, hub)
    assert result.resumed and result.mode == "refresh"
    assert result.counts == {"new": 0, "updated": 1, "unchanged": 98, "deleted": 1}


def test_limited_snapshot_is_fetched_again(tmp_path):
    records = generated_records(50, seed=16)
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=10) as hub:
        fetch(out, hub, query=FetchQuery(limit=15))
        first = ids(out)
        hub.delete(first[0])
        result = fetch(out, hub, query=FetchQuery(limit=15))
    order = [r["id"] for r in sorted(records, key=lambda r: r["_id"])]  # the fake Hub's order
    assert first == order[:15]
    assert result.mode == "full" and result.records == 15 and ids(out) == order[1:16]
    assert result.counts["deleted"] == 1  # counted, but not logged: it only left the top 15
    assert not out.with_name("m.jsonl.deleted.log").exists()


def test_refresh_without_deletion_listing(tmp_path):
    records = generated_records(50, seed=9)
    out = tmp_path / "m.jsonl"
    with FakeHub(records, max_page_size=10) as hub:
        fetch(out, hub)
        hub.delete(records[0]["id"])
        result = fetch(out, hub, detect_deletions=False)
        assert all(dict(r["query"]).get("sort") for r in hub.requests[-1:])
    assert result.counts["deleted"] == 0 and result.records == 50


def test_since_fetches_only_recent_models(tmp_path):
    records = generated_records(200, seed=10)
    cut = datetime(2024, 6, 1, tzinfo=UTC)
    recent = {r["id"] for r in records if r["lastModified"] >= hub_time(cut)}
    with FakeHub(records, max_page_size=15) as hub:
        result = fetch(tmp_path / "m.jsonl", hub, since=cut)
    assert set(ids(tmp_path / "m.jsonl")) == recent and result.records == len(recent)


def test_other_query_on_same_snapshot_is_refused(tmp_path):
    records = generated_records(40, seed=11, authors=3)
    with FakeHub(records, max_page_size=10) as hub:
        fetch(tmp_path / "m.jsonl", hub, query=FetchQuery(author="user1"))
        with pytest.raises(UserError, match="--fresh"):
            fetch(tmp_path / "m.jsonl", hub, query=FetchQuery(author="user2"))
        result = fetch(tmp_path / "m.jsonl", hub, query=FetchQuery(author="user2"), fresh=True)
    assert result.records == sum(r["author"] == "user2" for r in records)


# --- the token ----------------------------------------------------------------------------------


def test_token_is_sent_but_never_logged_or_stored(tmp_path, monkeypatch, capsys, caplog):
    secret = "hf_testSECRETtoken0123456789abcdef"
    monkeypatch.setenv("HF_TOKEN", secret)
    monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN")
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "m.jsonl"
    with FakeHub(generated_records(30), max_page_size=10) as hub:
        hub.fail(429, at=1, retry_after="0")
        hub.fail(500, at=2)
        assert cli.main(["fetch", "--out", str(out), "--endpoint", hub.url]) == 0
        hub.fail(401, at=hub.listing_requests + 1)  # a refusal: an error message is printed
        assert cli.main(["fetch", "--out", str(out), "--endpoint", hub.url, "--quiet"]) == 2
        auth = {r["authorization"] for r in hub.requests}
    assert auth == {f"Bearer {secret}"}
    captured = capsys.readouterr()
    assert "30 models" in captured.out and "HTTP 401" in captured.err
    assert "retry" in caplog.text  # the retries were logged ...
    shown = captured.out + captured.err + caplog.text
    stored = "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
    assert secret not in shown and secret not in stored  # ... without the token


# --- CLI and hub: sources -----------------------------------------------------------------------


def test_cli_fetch_prints_count_and_progress(tmp_path, capsys):
    with FakeHub(generated_records(64), max_page_size=16) as hub:
        code = cli.main(["fetch", "--out", str(tmp_path / "m.jsonl"), "--endpoint", hub.url])
    captured = capsys.readouterr()
    assert code == 0 and "64 models" in captured.out and "4 pages" in captured.out
    assert "fetch" in captured.err and "64" in captured.err  # tqdm on stderr


def test_cli_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert cli.main(["fetch", "--out", str(tmp_path), "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "is a directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["fetch", "--out", str(tmp_path / "x.jsonl"), "--since", "last tuesday"])
    assert "--since" in capsys.readouterr().err


def test_hub_spec_parsing():
    query, since, endpoint = parse_hub_spec(
        "hub:pipeline_tag=text-generation,author=TheBloke,search=llama,limit=1000"
    )
    assert query == FetchQuery("text-generation", "TheBloke", "llama", 1000)
    assert since is None and endpoint is None
    assert parse_hub_spec("hub:all")[0] == FetchQuery()
    with pytest.raises(UserError, match="unknown key 'colour'"):
        parse_hub_spec("hub:colour=blue")
    with pytest.raises(UserError, match="not a number"):
        parse_hub_spec("hub:limit=many")


def test_resolve_hub_source_fetches_then_refreshes(tmp_path):
    records = generated_records(60, seed=12)
    with FakeHub(records, max_page_size=25) as hub:
        spec = f"hub:endpoint={hub.url},search=llama"
        path = resolve_hub_source(spec, tmp_path, retry=FAST, progress=False)
        assert path == hub_snapshot_path(spec, tmp_path) and path.parent == tmp_path
        assert sorted(ids(path)) == sorted(r["id"] for r in records if "llama" in r["id"])
        hub.delete(ids(path)[0])
        again = resolve_hub_source(spec, tmp_path, retry=FAST, progress=False)
    assert again == path and state(path)["last_run"]["counts"]["deleted"] == 1


# --- done-when: 100,000 models, interrupted once ------------------------------------------------


@pytest.mark.slow
def test_100k_models_interrupted_once_resume_to_100k_distinct_records(tmp_path):
    records = generated_records(100_000, seed=100)
    out = tmp_path / "hub.jsonl"
    with FakeHub(records, max_page_size=1000) as hub:
        hub.drop(at=41, times=None)  # the connection goes at page 41 and stays down
        with pytest.raises(HubError, match="rerun the same command to resume"):
            fetch(out, hub)
        assert state(out)["job"]["passes"][0]["records"] == 40_000
        hub.clear_faults()
        result = fetch(out, hub)
    assert result.resumed and result.records == 100_000 and result.pages == 100
    got = ids(out)
    assert len(got) == len(set(got)) == 100_000
    assert set(got) == {r["id"] for r in records}


def test_hub_source_feeds_build(tmp_path, monkeypatch):
    """`constellation build --source hub:…` fetches into the state folder's cache, then builds."""
    import json

    from constellation.cli import main

    monkeypatch.setenv("CONSTELLATION_HOME", str(tmp_path / "home"))
    records = generated_records(150, seed=17)
    with FakeHub(records) as hub:
        code = main(
            ["build", "--quiet", "--source", f"hub:endpoint={hub.url},search=llama",
             "--out", str(tmp_path / "artifacts")]
        )
    assert code == 0
    assert list((tmp_path / "home" / "hub").glob("*.jsonl"))
    manifest = json.loads((tmp_path / "artifacts" / "manifest.json").read_text())
    assert manifest["counts"]["models"] == sum("llama" in r["id"] for r in records)
