"""The fetch: Hub model metadata into a resumable, incrementally refreshed snapshot.

    result = fetch_snapshot("hub.jsonl", FetchQuery(pipeline_tag="text-generation"))
    print(result.summary())

The command (`constellation fetch`) is in `commands.py`; `hub:` sources for `build` in
`hub_source.py`; the paged Hub client in `hub.py`; the snapshot files in `snapshot.py`.

How it works (see `loader/ingest/snapshot.py` for the files):
- Full fetch: `GET /api/models?expand=…&limit=1000`, following `Link: rel="next"`; each page is
  appended to `OUT.partial` and the cursor + byte offset saved to `OUT.state`; an interrupted run,
  rerun, continues from the cursor. The finished file is renamed to `OUT`.
- Refresh (OUT complete, or `--since`): the Hub has no change or deletion feed, so two passes:
  (1) models sorted by `lastModified` descending, stopping at the watermark (the Hub's `Date` at
  the start of the previous run, or `--since`); (2) an id-only listing (`expand=lastModified`)
  whose absentees are the deleted models (`--no-deletions` skips it). Both merge into `OUT`
  atomically: changed records replaced in place, new ones appended, deleted ones removed and
  logged to `OUT.deleted.log`. `build` then `load` change only those models in the graph.
- A snapshot fetched with `--limit` holds "the first N"; a rerun fetches the N again.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from constellation.loader.ingest.hub import (
    EXPAND_BY_KIND,
    ID_LISTING_FIELDS,
    MAX_PAGE_SIZE,
    REPO_KINDS,
    HubClient,
    HubError,
    Page,
    RetryPolicy,
    listing_params,
)
from constellation.loader.ingest.snapshot import (
    STATE_VERSION,
    JsonlAppender,
    diff_snapshots,
    iter_records,
    merge_snapshot,
    read_state,
    split_malformed,
    write_state,
)

from constellation.errors import UserError

# A model changed within this margin before the watermark is fetched again (the Hub's `Date` has
# whole seconds); re-fetching a few unchanged models is harmless, missing one is not.
WATERMARK_MARGIN = timedelta(seconds=2)
# Without a `Date` header only our own clock is known, which may run ahead of the Hub's.
LOCAL_CLOCK_MARGIN = timedelta(minutes=10)
# A refresh fetches at most this many listed-but-unknown models one by one (else: --fresh).
MAX_UNLISTED = 1000
DEFAULT_RETRY = RetryPolicy()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchQuery:
    """Which models (or datasets, or Spaces: `kind`) to fetch (the Hub's own filters)."""

    pipeline_tag: str | None = None
    author: str | None = None
    search: str | None = None
    limit: int | None = None
    kind: str = "models"  # the listing: models, datasets or spaces

    def key(self) -> dict[str, Any]:
        key = asdict(self)
        if key["kind"] == "models":  # as the state files of model snapshots always said
            del key["kind"]
        return key

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.key().items() if v is not None and k != "kind"]
        return ", ".join(parts) or f"all {self.kind}"


@dataclass
class FetchResult:
    path: Path
    mode: str  # "full" or "refresh"
    records: int  # models in the snapshot now
    pages: int  # pages read in this run (resumed pages included)
    skipped: int  # malformed records left out (see OUT.skipped.log)
    counts: dict[str, int] = field(default_factory=dict)  # new/updated/unchanged/deleted
    resumed: bool = False
    kind: str = "models"

    def summary(self) -> str:
        text = f"{self.records:,} {self.kind} in {self.path}"
        if self.counts:
            c = self.counts
            text += (
                f" ({c.get('new', 0):,} new, {c.get('updated', 0):,} updated,"
                f" {c.get('deleted', 0):,} deleted, {c.get('unchanged', 0):,} unchanged)"
            )
        text += f"; {self.mode} fetch, {self.pages:,} pages"
        if self.resumed:
            text += ", resumed"
        if self.skipped:
            text += f"; {self.skipped:,} malformed records skipped (see {self.path}.skipped.log)"
        return text


class _Paths:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.state = out.with_name(out.name + ".state")
        self.partial = out.with_name(out.name + ".partial")
        self.changes = out.with_name(out.name + ".changes.partial")
        self.ids = out.with_name(out.name + ".ids.partial")
        self.deleted = out.with_name(out.name + ".deleted.log")
        self.skipped = out.with_name(out.name + ".skipped.log")
        self.lock = out.with_name(out.name + ".lock")

    def of(self, name: str) -> Path:
        return {"models": self.partial, "changes": self.changes, "ids": self.ids}[name]


def fetch_snapshot(
    out: str | Path,
    query: FetchQuery = FetchQuery(),
    *,
    since: datetime | None = None,
    endpoint: str | None = None,
    fresh: bool = False,
    detect_deletions: bool = True,
    page_size: int = MAX_PAGE_SIZE,
    retry: RetryPolicy = DEFAULT_RETRY,
    token: str | bool | None = None,
    progress: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch (or resume, or refresh) the snapshot at `out`; see the module docstring.

    Raises `UserError` on bad arguments, and `HubError` (a `UserError`) when the Hub keeps failing:
    the progress so far is saved and the same call resumes it.
    """
    out = Path(out)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise UserError(f"--page-size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    if query.limit is not None and query.limit < 1:
        raise UserError(f"--limit must be a positive number, got {query.limit}")
    if out.is_dir():
        raise UserError(f"--out {out} is a directory; give a file name like {out}/hub.jsonl")
    if query.kind not in REPO_KINDS:
        raise UserError(f"--kind {query.kind}: must be one of {', '.join(REPO_KINDS)}")
    if query.kind != "models" and query.pipeline_tag is not None:
        raise UserError(f"--pipeline-tag filters models only, not {query.kind}")
    paths = _Paths(out)
    client = HubClient.create(
        endpoint=endpoint, token=token, retry=retry, sleep=sleep, kind=query.kind
    )
    with _exclusive(paths):
        return _fetch(paths, client, query, since, fresh, detect_deletions, page_size, progress)


def _fetch(
    paths: _Paths,
    client: HubClient,
    query: FetchQuery,
    since: datetime | None,
    fresh: bool,
    detect_deletions: bool,
    page_size: int,
    progress: bool,
) -> FetchResult:
    out = paths.out
    state = read_state(paths.state)

    if state is not None and state["query"] != query.key() and not fresh:
        raise UserError(
            f"{out} was fetched for {FetchQuery(**state['query']).describe()}, not"
            f" {query.describe()}: choose another --out, or pass --fresh to replace it"
        )
    if state is None and out.exists() and not fresh and since is None:
        raise UserError(
            f"{out} exists but was not written by `constellation fetch` (no {paths.state.name}):"
            " pass --fresh to replace it, --since DATE to merge changes into it, or another --out"
        )
    if fresh or state is None:
        state = {
            "version": STATE_VERSION,
            "query": query.key(),
            "status": "new",
            "watermark": None,
            "records": 0,
            "job": None,
        }
    state["endpoint"] = _public_endpoint(client.endpoint)

    resumed = state.get("job") is not None
    if not resumed:
        state["job"] = _plan(
            paths, state, query, since, detect_deletions, client, page_size, fresh
        )
        _reset_partials(paths)
        write_state(paths.state, state)
    job = state["job"]

    for stage in job["passes"]:
        if not stage["done"]:
            _run_pass(client, paths, state, stage, query, progress)
    if job["kind"] == "refresh" and len(job["passes"]) == 2:
        _fetch_unlisted(client, paths, state)

    return _finish(paths, state, resumed)


@contextmanager
def _exclusive(paths: _Paths) -> Iterator[None]:
    """Only one fetch writes a snapshot at a time (a second one would interleave pages)."""
    paths.out.parent.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a") as fh:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UserError(f"another fetch is writing {paths.out}; wait for it to end") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _plan(
    paths: _Paths,
    state: dict,
    query: FetchQuery,
    since: datetime | None,
    detect_deletions: bool,
    client: HubClient,
    page_size: int,
    fresh: bool,
) -> dict:
    """The passes of a new run: a full fetch, or a refresh of a complete snapshot."""
    filters = {"pipeline_tag": query.pipeline_tag, "author": query.author, "search": query.search}
    complete = (
        paths.out.exists()
        and not fresh
        and (state["status"] == "complete" or since is not None)
    )
    refresh = complete and query.limit is None
    watermark = since or (_parse_time(state["watermark"]) if refresh else None)
    if refresh and watermark is None:  # a snapshot from elsewhere, no state: fetch it anew
        refresh = False
    limit = min(page_size, query.limit) if query.limit else page_size

    def stage(name: str, params: list[tuple[str, str]], stop_before: datetime | None) -> dict:
        return {
            "name": name,
            "next": _relative(client.listing_url(params)),
            "stop_before": stop_before.isoformat() if stop_before else None,
            "bytes": 0,
            "records": 0,
            "pages": 0,
            "skipped": 0,
            "done": False,
        }

    sort = "lastModified" if watermark else None
    models = listing_params(expand=EXPAND_BY_KIND[query.kind], limit=limit, sort=sort, **filters)
    if not refresh:
        passes = [stage("models", models, watermark)]
    else:
        passes = [stage("changes", models, watermark)]
        if detect_deletions:
            ids = listing_params(expand=ID_LISTING_FIELDS, limit=page_size, **filters)
            passes.append(stage("ids", ids, None))
    return {
        "kind": "refresh" if refresh else "full",
        "since": watermark.isoformat() if watermark else None,
        "started": None,
        "started_local": datetime.now(UTC).isoformat(),
        "skip_bytes": _size(paths.skipped),
        "passes": passes,
    }


def _run_pass(
    client: HubClient,
    paths: _Paths,
    state: dict,
    stage: dict,
    query: FetchQuery,
    progress: bool,
) -> None:
    """Fetch the pages of one pass, saving cursor and offsets after each flushed page."""
    from tqdm import tqdm

    job = state["job"]
    try:
        out = JsonlAppender(paths.of(stage["name"]), offset=stage["bytes"])
        skipped_log = JsonlAppender(paths.skipped, offset=job["skip_bytes"], dedupe=False)
    except ValueError as exc:  # a partial file removed or cut by hand since the last run
        raise UserError(f"{exc}: cannot resume; rerun with --fresh to start over") from None
    stop_before = _parse_time(stage["stop_before"])
    limit = query.limit if stage["name"] == "models" else None
    bar = tqdm(
        total=limit,
        initial=out.count,
        unit=f" {query.kind}",
        desc=_PASS_LABELS[stage["name"]],
        disable=not progress,
        file=sys.stderr,
        mininterval=0.5,
    )
    with bar:
        while not stage["done"]:
            page = _next_page(client, stage["next"], out)
            if job["started"] is None and page.server_date is not None:
                job["started"] = page.server_date.astimezone(UTC).isoformat()
            records, bad = split_malformed(page.items)
            done = page.next_url is None
            if stop_before is not None:
                records, reached = _newer_than(records, stop_before)
                done = done or reached
            if limit is not None and out.count + len(records) >= limit:
                records = records[: max(0, limit - out.count)]
                done = True
            added = out.append(records)
            _log_malformed(skipped_log, stage["pages"] + 1, bad)
            stage.update(
                bytes=out.offset,
                records=out.count,
                pages=stage["pages"] + 1,
                skipped=stage["skipped"] + len(bad),
                next=_relative(page.next_url) if page.next_url else None,
                done=done,
            )
            job["skip_bytes"] = skipped_log.offset
            write_state(paths.state, state)
            bar.update(added)


_PASS_LABELS = {"models": "fetch", "changes": "changed", "ids": "listing ids"}


def _next_page(client: HubClient, url: str, out: JsonlAppender) -> Page:
    """The listing page at `url`; a HubError says the progress is saved and how to resume."""
    try:
        page = client.get_page(url)
    except HubError as exc:
        raise HubError(
            f"{exc}. Progress is saved ({out.count:,} models so far in {out.path.name});"
            " rerun the same command to resume"
        ) from None
    if page.next_url and _relative(page.next_url) == url:
        raise HubError(f"the Hub links {client.describe(url)} to itself; stopping")
    return page


def _log_malformed(skipped_log: JsonlAppender, page: int, bad: list[tuple[int, str, Any]]) -> None:
    if bad:
        skipped_log.append(
            {"page": page, "position": pos, "reason": why, "record": item} for pos, why, item in bad
        )


def _fetch_unlisted(client: HubClient, paths: _Paths, state: dict) -> None:
    """Fetch, one by one, models the id listing shows but neither the snapshot nor the changes
    hold: changed before the watermark yet never seen (made public since, or moved in the
    listing order during the last run). More than MAX_UNLISTED: warn and suggest --fresh."""
    changes = state["job"]["passes"][0]
    known = {rec["id"] for _, rec in iter_records(paths.out)}
    known |= {rec["id"] for _, rec in iter_records(paths.changes)}
    missing = sorted({rec["id"] for _, rec in iter_records(paths.ids)} - known)
    state["job"]["unlisted"] = len(missing)
    if len(missing) > MAX_UNLISTED:
        log.warning(
            "%d listed models are neither in %s nor changed since the last run; rerun with"
            " --fresh to fetch them",
            len(missing),
            paths.out,
        )
        return
    out = JsonlAppender(paths.changes, offset=changes["bytes"])
    for model_id in missing:
        record = client.get_model(model_id)
        if record is None or record.get("id") != model_id:  # deleted meanwhile
            continue
        out.append([record])
        changes.update(bytes=out.offset, records=out.count)
        write_state(paths.state, state)


def _finish(paths: _Paths, state: dict, resumed: bool) -> FetchResult:
    """Turn the finished passes into the snapshot, log deletions, mark the state complete."""
    job = state["job"]
    passes = {p["name"]: p for p in job["passes"]}
    old_exists = paths.out.exists()
    deleted_at = job["started"] or job["started_local"]
    if job["kind"] == "full":
        counts: dict[str, int] = {}
        dropped: list[dict] = []
        if paths.partial.exists():  # else: renamed just before a crash, state not yet saved
            if old_exists and state["status"] == "complete":
                counts, dropped = diff_snapshots(paths.out, paths.partial)
            if state["query"]["limit"] is None:  # under a limit, absent = "not in the top N"
                _append_deleted(paths, dropped, deleted_at)
            os.replace(paths.partial, paths.out)
        records = passes["models"]["records"]
    else:
        present = None
        if "ids" in passes:
            present = {rec["id"] for _, rec in iter_records(paths.ids)}
        tmp = paths.out.with_name(f".{paths.out.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            changes = (rec for _, rec in iter_records(paths.changes))
            counts, dropped = merge_snapshot(paths.out, changes, present, fh.write)
            fh.flush()
            os.fsync(fh.fileno())
        _append_deleted(paths, dropped, deleted_at)
        os.replace(tmp, paths.out)
        records = counts["new"] + counts["updated"] + counts["unchanged"]
    if job["started"]:
        watermark = datetime.fromisoformat(job["started"]) - WATERMARK_MARGIN
    else:
        watermark = datetime.fromisoformat(job["started_local"]) - LOCAL_CLOCK_MARGIN
    state.update(
        status="complete",
        watermark=watermark.isoformat(),
        records=records,
        completed_at=datetime.now(UTC).isoformat(),
        last_run={
            "kind": job["kind"],
            "since": job["since"],
            "counts": counts,
            "pages": sum(p["pages"] for p in job["passes"]),
            "skipped": sum(p["skipped"] for p in job["passes"]),
        },
        job=None,
    )
    write_state(paths.state, state)
    _reset_partials(paths)
    return FetchResult(
        path=paths.out,
        mode=job["kind"],
        records=records,
        pages=state["last_run"]["pages"],
        skipped=state["last_run"]["skipped"],
        counts=counts,
        resumed=resumed,
        kind=FetchQuery(**state["query"]).kind,
    )


def _append_deleted(paths: _Paths, dropped: list[dict], when: str) -> None:
    if not dropped:
        return
    log = JsonlAppender(paths.deleted, offset=_size(paths.deleted), dedupe=False)
    log.append(
        {"id": rec.get("id"), "deletedAt": when, "lastModified": rec.get("lastModified")}
        for rec in dropped
    )


def _reset_partials(paths: _Paths) -> None:
    for path in (paths.partial, paths.changes, paths.ids):
        path.unlink(missing_ok=True)


def _newer_than(records: list[dict], stop_before: datetime) -> tuple[list[dict], bool]:
    """Records modified at or after `stop_before` (a page sorted newest first), and whether an
    older one was reached (the listing can stop). Undated records are kept."""
    kept = []
    for record in records:
        when = _parse_time(record.get("lastModified"))
        if when is not None and when < stop_before:
            return kept, True
        kept.append(record)
    return kept, False


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_since(text: str) -> datetime:
    """`--since` value: a date (`2024-05-01`) or an ISO timestamp; UTC unless it says otherwise."""
    when = _parse_time(text.strip())
    if when is None:
        raise UserError(f"--since {text!r} is not a date like 2024-05-01 or 2024-05-01T12:00:00Z")
    return when


def _relative(url: str) -> str:
    """Path and query of `url`: what the state keeps (no host, so no credentials in it)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _public_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


__all__ = ["FetchQuery", "FetchResult", "fetch_snapshot", "parse_since"]
