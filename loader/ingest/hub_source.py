"""`hub:` sources: `constellation build --source hub:pipeline_tag=…,limit=N` fetches first.

    resolve_sources(["models.csv", "hub:author=TheBloke"])  # -> [models.csv, <cached snapshot>]
    parse_hub_spec("hub:pipeline_tag=text-generation,limit=1000")  # -> (query, since, endpoint)

A spec is `hub:all` or comma-separated `key=value` pairs (`pipeline_tag`, `author`, `search`,
`limit`, `since`, `endpoint`). Each spec has its own snapshot in `$CONSTELLATION_HOME/hub/`, named
after the query and a hash of query and endpoint, fetched (or refreshed, or resumed) by
`fetch.fetch_snapshot`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from constellation.loader.ingest.fetch import FetchQuery, fetch_snapshot, parse_since
from constellation.loader.ingest.hub import resolve_endpoint

from constellation.errors import UserError

log = logging.getLogger(__name__)

_SPEC_KEYS = {
    "pipeline_tag": "pipeline_tag",
    "pipeline-tag": "pipeline_tag",
    "author": "author",
    "search": "search",
    "limit": "limit",
    "since": "since",
    "endpoint": "endpoint",
}


def is_hub_source(source: str | os.PathLike) -> bool:
    return isinstance(source, str) and source.startswith("hub:")


def parse_hub_spec(spec: str) -> tuple[FetchQuery, datetime | None, str | None]:
    """`hub:all` or `hub:pipeline_tag=text-generation,author=TheBloke,search=llama,limit=1000`
    (also `since=2024-05-01`, `endpoint=http://…`) -> (query, since, endpoint)."""
    if not is_hub_source(spec):
        raise UserError(f"source {spec!r} is not a hub: source")
    body = spec[len("hub:") :].strip()
    values: dict[str, str] = {}
    if body and body != "all":
        for item in body.split(","):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not value.strip():
                raise UserError(f"source {spec!r}: {item!r} is not key=value")
            if key not in _SPEC_KEYS:
                known = ", ".join(sorted(set(_SPEC_KEYS.values())))
                raise UserError(f"source {spec!r}: unknown key {key!r} (known: {known})")
            values[_SPEC_KEYS[key]] = value.strip()
    limit = None
    if "limit" in values:
        try:
            limit = int(values["limit"])
        except ValueError:
            raise UserError(f"source {spec!r}: limit={values['limit']!r} is not a number") from None
    query = FetchQuery(
        pipeline_tag=values.get("pipeline_tag"),
        author=values.get("author"),
        search=values.get("search"),
        limit=limit,
    )
    since = parse_since(values["since"]) if "since" in values else None
    return query, since, values.get("endpoint")


def hub_cache_dir() -> Path:
    """Where `hub:` sources keep their snapshots: `$CONSTELLATION_HOME/hub`."""
    home = os.environ.get("CONSTELLATION_HOME")
    if not home:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        home = str(Path(state) / "constellation")
    return Path(home) / "hub"


def hub_snapshot_path(spec: str, cache_dir: str | Path) -> Path:
    """The snapshot file of a `hub:` spec: readable name plus a hash of query and endpoint."""
    query, _, endpoint = parse_hub_spec(spec)
    key = json.dumps([query.key(), resolve_endpoint(endpoint)], sort_keys=True)
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    words = [str(v) for v in query.key().values() if v is not None] or ["all"]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(words)).strip("-")[:60] or "all"
    return Path(cache_dir) / f"hub-{slug}-{digest}.jsonl"


def resolve_hub_source(spec: str, cache_dir: str | Path | None = None, **options: Any) -> Path:
    """Fetch (or refresh, or resume) the snapshot of a `hub:` source and return its path.

    For `constellation build --source hub:…`: build calls this for each source starting with
    `hub:` and reads the returned JSONL like any other source. `options` go to `fetch_snapshot`
    (e.g. `progress=False`, `retry=RetryPolicy(...)`). The fetch's summary is logged (INFO).
    """
    query, since, endpoint = parse_hub_spec(spec)
    path = hub_snapshot_path(spec, cache_dir if cache_dir is not None else hub_cache_dir())
    result = fetch_snapshot(path, query, since=since, endpoint=endpoint, **options)
    log.info("hub source %s: %s", spec, result.summary())
    return path


def resolve_sources(
    sources: list[str], cache_dir: str | Path | None = None, progress: bool = True
) -> list[Path | str]:
    """`sources` with each `hub:…` entry replaced by its fetched snapshot path (others as given);
    `progress` shows the fetch's bars."""
    return [
        resolve_hub_source(s, cache_dir, progress=progress) if is_hub_source(s) else s
        for s in sources
    ]


__all__ = [
    "hub_cache_dir",
    "hub_snapshot_path",
    "is_hub_source",
    "parse_hub_spec",
    "resolve_hub_source",
    "resolve_sources",
]
