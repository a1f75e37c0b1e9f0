"""Snapshot files of `constellation fetch`: crash-safe JSONL appends, state, merges.

A snapshot is JSON Lines, one Hub model record per line, exactly as the Hub served it (camelCase
`createdAt`, `lastModified`, `cardData`; snake `pipeline_tag`, `library_name`), which
`loader.ingest.sources.read_sources` reads. Next to `models.jsonl` live (suffixes no reader picks
up):

| file | what |
|---|---|
| `models.jsonl.state` | JSON: query, cursors, counts (rewritten atomically after each page) |
| `models.jsonl.partial` | a full fetch in progress (renamed to `models.jsonl` when complete) |
| `models.jsonl.changes.partial`, `.ids.partial` | a refresh in progress |
| `models.jsonl.deleted.log` | JSON lines `{id, deletedAt, lastModified}` of deleted models |
| `models.jsonl.skipped.log` | JSON lines `{page, position, reason, record}` of malformed records |
| `models.jsonl.lock` | held while a fetch writes (one fetch per snapshot at a time) |

Crash safety: the state stores the byte length of each output after the last flushed page; a
resumed run truncates the file to it (dropping a half-written page or line) and re-fetches from
the saved cursor, skipping ids already present.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

STATE_VERSION = 1


def dumps(record: Any) -> str:
    """One compact JSON line (key order kept as served, so reruns give identical bytes)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` so a reader sees the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_state(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else None


def write_state(path: Path, state: dict) -> None:
    atomic_write_text(path, json.dumps(state, indent=1, sort_keys=True) + "\n")


def iter_records(path: Path) -> Iterator[tuple[str, dict]]:
    """(line, record) for each JSON object line of `path`, streamed (a torn last line is
    skipped; the truncation on resume removes it)."""
    if not path.exists():
        return
    with open(path, encoding="utf-8", newline="\n") as fh:  # split on \n only
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield line, record


class JsonlAppender:
    """Appends records to a JSONL file, each id once, with a durable byte offset per batch.

        out = JsonlAppender(path, offset=state_bytes)   # truncates to offset, learns its ids
        added = out.append(records)                     # -> number of new ids written
        state["bytes"] = out.offset                     # save after append returns
    """

    def __init__(self, path: Path, offset: int = 0, dedupe: bool = True) -> None:
        self.path = path
        self.dedupe = dedupe
        self.ids: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as fh:  # create if missing
            if fh.tell() < offset:
                raise ValueError(f"{path} is shorter ({fh.tell()} B) than its state says")
            fh.truncate(offset)
        self.offset = offset
        if dedupe:
            self.ids = {str(rec.get("id")) for _, rec in iter_records(path)}
        self.count = len(self.ids)

    def append(self, records: Iterable[dict]) -> int:
        lines = []
        for record in records:
            if self.dedupe:
                key = str(record.get("id"))
                if key in self.ids:
                    continue
                self.ids.add(key)
            lines.append(dumps(record))
        if not lines:
            return 0
        data = ("\n".join(lines) + "\n").encode("utf-8")
        with open(self.path, "ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        self.offset += len(data)
        self.count += len(lines)
        return len(lines)


def split_malformed(items: list[Any]) -> tuple[list[dict], list[tuple[int, str, Any]]]:
    """Records the snapshot can hold, and (position, reason, item) for the rest.

    Only what the fetch itself needs is checked: an object with a non-empty string `id` (to dedupe
    and merge by). Field-level problems (a string in `downloads`, a bad date) are kept as served;
    `read_sources` reports them with their line number.
    """
    good: list[dict] = []
    bad: list[tuple[int, str, Any]] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            bad.append((position, f"not a JSON object ({type(item).__name__})", item))
        elif not isinstance(item.get("id"), str) or not item["id"].strip():
            bad.append((position, "no model id ('id' missing, empty or not a string)", item))
        else:
            good.append(item)
    return good, bad


def merge_snapshot(
    snapshot: Path,
    changes: Iterable[dict],
    present_ids: set[str] | None,
    write: Callable[[str], object],
) -> tuple[dict[str, int], list[dict]]:
    """Apply a refresh to `snapshot`, streaming the new snapshot's lines to `write`.

    `changes` (newest first, first occurrence wins) replace or add records; with `present_ids`
    (every id the Hub lists now), snapshot records absent from it and not changed are dropped.
    Records keep their place; new ones go at the end. Only the changes are held in memory.
    Returns (counts new/updated/unchanged/deleted, dropped records).
    """
    change_by_id: dict[str, dict] = {}
    for record in changes:
        change_by_id.setdefault(record["id"], record)
    dropped: list[dict] = []
    counts = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    seen: set[str] = set()
    for line, record in iter_records(snapshot):
        model_id = str(record.get("id"))
        if model_id in seen:
            continue
        seen.add(model_id)
        if model_id in change_by_id:
            new_line = dumps(change_by_id[model_id])
            counts["updated" if new_line != line else "unchanged"] += 1
            write(new_line + "\n")
        elif present_ids is not None and model_id not in present_ids:
            counts["deleted"] += 1
            dropped.append(record)
        else:
            counts["unchanged"] += 1
            write(line + "\n")
    for model_id, record in change_by_id.items():
        if model_id not in seen:
            counts["new"] += 1
            write(dumps(record) + "\n")
    return counts, dropped


def diff_snapshots(old: Path, new: Path) -> tuple[dict[str, int], list[dict]]:
    """Counts new/updated/unchanged/deleted from `old` to `new`, and the records of `old` that
    `new` lacks; memory holds an id and a short digest per model, not the records."""
    digests: dict[str, tuple[bytes, Any]] = {}
    for line, record in iter_records(old):
        digests.setdefault(str(record.get("id")), (_digest(line), record.get("lastModified")))
    counts = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    seen: set[str] = set()
    for line, record in iter_records(new):
        model_id = str(record.get("id"))
        seen.add(model_id)
        before = digests.get(model_id)
        if before is None:
            counts["new"] += 1
        else:
            counts["unchanged" if before[0] == _digest(line) else "updated"] += 1
    dropped = [
        {"id": model_id, "lastModified": modified}
        for model_id, (_, modified) in digests.items()
        if model_id not in seen
    ]
    counts["deleted"] = len(dropped)
    return counts, dropped


def _digest(line: str) -> bytes:
    return hashlib.blake2b(line.encode("utf-8"), digest_size=12).digest()
