"""A local fake of the Hugging Face Hub's model listing, for tests (no internet here).

    with FakeHub(generated_records(5000), max_page_size=1000) as hub:   # 127.0.0.1, free port
        HfApi(endpoint=hub.url).list_models(expand=["author", "downloads"])
        hub.fail(429, retry_after="1")        # next request: 429 + Retry-After
        hub.drop(at=3, times=None)            # request 3 onward: connection cut mid-body
        hub.hold(at=6); hub.held.wait()       # request 6 arrived (pages 1-5 are done with)
        hub.update("org/model", downloads=5)  # lastModified moves to now
        hub.delete("org/other")

Serves `GET /api/models` (with `kind="datasets"` / `"spaces"`, that listing) the way the Hub
does: JSON list of camelCase records, `expand=` field projection, `author`/`pipeline_tag`/
`search`/`filter` filters, `sort`+`direction`, `limit` as the page size (capped by
`max_page_size`) and cursor paging through a `Link: <…>; rel="next"` header.
Also `GET /api/models/{id}`. Records come from `generated_records` and, when `../shared/data` is
present, `shared_records()` (the api-samples bodies and the mistral-small lineage tree, converted
to the Hub's camelCase listing form).
"""

from __future__ import annotations

import base64
import bisect
import csv
import hashlib
import json
import random
import socket
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# What the Hub returns for a listing without `expand=` (besides `_id` and `id`).
DEFAULT_FIELDS = (
    "likes",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
    "private",
)


def hub_time(when: datetime) -> str:
    """The Hub's timestamp format: `2024-02-19T11:06:12.000Z`."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def object_id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:24]


# --- records -------------------------------------------------------------------------------------

_FAMILIES = ["llama", "mistral", "qwen", "phi", "gemma", "falcon", "bert", "gpt2", "t5", "bloom"]
_SIZES = ["1b", "3b", "7b", "8b", "13b", "70b", "small", "base", "large"]
_SUFFIXES = ["instruct", "chat", "GGUF", "AWQ", "GPTQ", "finetuned", "lora", "dpo", "sft", "merge"]
_PIPELINES = ["text-generation", "text-generation", "fill-mask", "text-classification", None]
_LIBRARIES = ["transformers", "transformers", "gguf", "peft", None]
_LICENSES = ["apache-2.0", "mit", "llama2", "other", None]


def generated_records(n: int, seed: int = 0, authors: int = 500) -> list[dict]:
    """`n` Hub-shaped model records with unique ids, dated in the past (2021-2025)."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        family, size, suffix = rng.choice(_FAMILIES), rng.choice(_SIZES), rng.choice(_SUFFIXES)
        author = f"user{rng.randrange(authors)}"
        model_id = f"{author}/{family}-{size}-{suffix}-{i}"
        created = start + timedelta(seconds=rng.randrange(4 * 365 * 86400))
        modified = created + timedelta(seconds=rng.randrange(200 * 86400))
        pipeline, library, license_ = (
            rng.choice(_PIPELINES),
            rng.choice(_LIBRARIES),
            rng.choice(_LICENSES),
        )
        tags = [t for t in (library, family, pipeline) if t]
        if license_:
            tags.append(f"license:{license_}")
        card: dict[str, Any] = {"license": license_} if license_ else {}
        if i and rng.random() < 0.3:  # declared lineage to an earlier model
            base = out[rng.randrange(len(out))]["id"]
            tags.append(f"base_model:finetune:{base}")
            card["base_model"] = base
        record = {
            "_id": object_id(model_id),
            "id": model_id,
            "author": author,
            "downloads": rng.randrange(100_000),
            "likes": rng.randrange(500),
            "tags": tags,
            "pipeline_tag": pipeline,
            "library_name": library,
            "createdAt": hub_time(created),
            "lastModified": hub_time(modified),
            "cardData": card or None,
            "private": False,
            "modelId": model_id,
        }
        out.append({k: v for k, v in record.items() if v is not None})
    return out


_SNAKE_TO_CAMEL = {
    "created_at": "createdAt",
    "last_modified": "lastModified",
    "card_data": "cardData",
    "widget_data": "widgetData",
    "transformers_info": "transformersInfo",
    "model_index": "model-index",
    "trending_score": "trendingScore",
    "downloads_all_time": "downloadsAllTime",
    "inference_provider_mapping": "inferenceProviderMapping",
}


def generated_datasets(n: int, seed: int = 0) -> list[dict]:
    """`n` Hub-shaped dataset records (as `/api/datasets?expand=…` serves them)."""
    rng = random.Random(seed)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        author = f"org{rng.randrange(50)}"
        dataset_id = "squad_v2" if i == 0 else f"{author}/corpus-{i}"
        when = start + timedelta(minutes=rng.randrange(2_000_000))
        out.append({
            "_id": object_id(f"dataset:{dataset_id}"), "id": dataset_id,
            "author": None if "/" not in dataset_id else author,
            "downloads": rng.randrange(100_000), "likes": rng.randrange(500),
            "tags": ["task_categories:question-answering", "language:en", "size_categories:1K"],
            "createdAt": hub_time(when), "lastModified": hub_time(when + timedelta(days=3)),
        })  # fmt: skip
    return out


def generated_spaces(n: int, model_ids: list[str], seed: int = 0) -> list[dict]:
    """`n` Hub-shaped Space records, each using a few of `model_ids` (`expand=models`)."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        author = f"maker{rng.randrange(40)}"
        when = start + timedelta(minutes=rng.randrange(1_000_000))
        out.append({
            "_id": object_id(f"space:{i}"), "id": f"{author}/demo-{i}", "author": author,
            "likes": rng.randrange(1000), "sdk": rng.choice(["gradio", "streamlit", "docker"]),
            "tags": ["gradio", "region:us"],
            "models": rng.sample(model_ids, k=min(len(model_ids), rng.randrange(0, 4))),
            "datasets": [], "createdAt": hub_time(when),
            "lastModified": hub_time(when + timedelta(days=1)),
        })  # fmt: skip
    return out


def _camel_record(meta: dict) -> dict:
    """A `huggingface_hub.ModelInfo` dump (snake_case, as in the tree fixture) in the Hub's form."""
    import yaml

    record: dict[str, Any] = {"_id": object_id(meta["id"])}
    for key, value in meta.items():
        if key == "siblings":  # repr strings of RepoSibling objects; not listed by the Hub anyway
            continue
        key = _SNAKE_TO_CAMEL.get(key, key)
        if key in ("createdAt", "lastModified") and isinstance(value, str):
            value = hub_time(datetime.fromisoformat(value))
        if key == "cardData" and isinstance(value, str):
            value = yaml.safe_load(value)
        record[key] = value
    record.setdefault("modelId", meta["id"])
    return record


def shared_records() -> list[dict] | None:
    """Hub-shaped records from `../shared/data` (api-samples + mistral-small tree), or None."""
    samples = SHARED_DATA / "api-samples"
    tree = SHARED_DATA / "mistral-small-tree-fixture"
    if not samples.is_dir() or not tree.is_dir():
        return None
    records: dict[str, dict] = {}
    for path in sorted(samples.glob("*.json")):
        body = json.loads(path.read_text())["response"]
        records[body["id"]] = body
    csv.field_size_limit(sys.maxsize)
    for path in sorted(tree.glob("*.csv")):
        with open(path, newline="") as fh:
            for row in csv.DictReader(fh):
                meta = json.loads(row["metadata"])
                records.setdefault(meta["id"], _camel_record(meta))
    return list(records.values())


# --- server --------------------------------------------------------------------------------------


@dataclass
class Fault:
    kind: str  # "status", "drop" or "hold"
    status: int = 500
    retry_after: str | None = None


class FakeHub:
    """The fake Hub server. Thread-safe; start/stop it or use it as a context manager."""

    def __init__(
        self,
        records: Iterable[dict] = (),
        *,
        max_page_size: int = 1000,
        default_page_size: int = 1000,
        kind: str = "models",
    ) -> None:
        self.kind = kind  # the listing served: /api/models, /api/datasets or /api/spaces
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self._lock = threading.Lock()
        self._records: dict[str, dict] = {}
        self._raw_after: dict[str, list[Any]] = {}
        self._version = 0
        self._views: dict[tuple, tuple[list, list[dict]]] = {}
        self._faults: dict[int, Fault] = {}
        self._fault_from: tuple[int, Fault] | None = None
        self.listing_requests = 0  # `/api/models` requests served or failed
        self.requests: list[dict] = []  # (path, query, authorization) of every request
        self.held = threading.Event()  # a held request has arrived (see `hold`)
        self._release = threading.Event()
        for record in records:
            self.add(record)
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle
    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake hub first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- data
    def add(self, record: dict) -> None:
        with self._lock:
            self._records[record["id"]] = dict(record)
            self._version += 1

    def update(self, model_id: str, **fields: Any) -> dict:
        """Change a model as a push would: fields set, `lastModified` now."""
        with self._lock:
            record = self._records[model_id]
            record.update(fields)
            record["lastModified"] = hub_time(datetime.now(UTC))
            self._version += 1
            return dict(record)

    def delete(self, model_id: str) -> None:
        with self._lock:
            del self._records[model_id]
            self._version += 1

    def add_raw_after(self, model_id: str, item: Any) -> None:
        """Serve `item` (any JSON, e.g. a malformed record) right after `model_id` in listings."""
        with self._lock:
            self._raw_after.setdefault(model_id, []).append(item)

    def ids(self) -> set[str]:
        with self._lock:
            return set(self._records)

    # -- faults
    def fail(self, status: int, *, at: int | None = None, retry_after: str | None = None) -> None:
        """Answer one `/api/models` request (`at`: its 1-based number; default the next) with
        `status`, plus a `Retry-After` header when given."""
        self._add_fault(Fault("status", status, retry_after), at, 1)

    def drop(self, *, at: int | None = None, times: int | None = 1) -> None:
        """Cut the connection halfway through the body of `times` requests from `at` on
        (`times=None`: every request until `clear_faults()`)."""
        self._add_fault(Fault("drop"), at, times)

    def hold(self, *, at: int) -> None:
        """Keep `/api/models` request number `at` waiting, unanswered, until `release()`, and
        set `held` when it arrives. A client asks for a page only once it is done with the
        previous one, so then the pages before `at` are written and saved: a test can kill it
        at a known point."""
        self._release.clear()
        self.held.clear()
        self._add_fault(Fault("hold"), at, 1)

    def release(self) -> None:
        """Let a held request go: its connection is closed without an answer."""
        self._release.set()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fault_from = None

    def _add_fault(self, fault: Fault, at: int | None, times: int | None) -> None:
        with self._lock:
            first = at if at is not None else self.listing_requests + 1
            while first in self._faults:
                first += 1
            if times is None:
                self._fault_from = (first, fault)
            else:
                for n in range(first, first + times):
                    self._faults[n] = fault

    def _next_fault(self) -> Fault | None:
        with self._lock:
            self.listing_requests += 1
            n = self.listing_requests
            if n in self._faults:
                return self._faults.pop(n)
            if self._fault_from and n >= self._fault_from[0]:
                return self._fault_from[1]
            return None

    # -- listing
    def _view(self, sort: str | None, filters: tuple) -> tuple[list, list[dict]]:
        """(keys, records) matching `filters`, ascending by (sort key, id); cached per version."""
        with self._lock:
            cache_key = (self._version, sort, filters)
            if cache_key not in self._views:
                author, pipeline, search, tags = filters
                chosen = []
                for rec in self._records.values():
                    if author and str(rec.get("author", "")).lower() != author.lower():
                        continue
                    if pipeline and rec.get("pipeline_tag") != pipeline:
                        continue
                    if search and search.lower() not in rec["id"].lower():
                        continue
                    if tags and not set(tags) <= set(rec.get("tags") or []):
                        continue
                    chosen.append(rec)
                chosen.sort(key=lambda rec: _key_of(rec, sort))
                keys = [_key_of(rec, sort) for rec in chosen]
                self._views = {cache_key: (keys, chosen)}
            return self._views[cache_key]

    def listing(self, query: list[tuple[str, str]]) -> tuple[list[Any], str | None]:
        """One page for `query` (as parsed from the URL) and the next page's query string."""
        params: dict[str, list[str]] = {}
        for k, v in query:
            params.setdefault(k.removesuffix("[]"), []).append(v)

        def one(name: str) -> str | None:
            return params.get(name, [None])[0]

        size = min(int(one("limit") or self.default_page_size), self.max_page_size)
        sort = one("sort")
        descending = sort is not None and one("direction") != "1"
        tags = tuple(params.get("filter", []))
        filters = (one("author"), one("pipeline_tag"), one("search"), tags)
        keys, records = self._view(sort, filters)
        cursor = one("cursor")
        position = _decode_cursor(cursor) if cursor else None
        if not descending:
            start = bisect.bisect_right(keys, position) if position else 0
            page = records[start : start + size]
            more = start + size < len(records)
        else:
            end = bisect.bisect_left(keys, position) if position else len(records)
            page = records[max(0, end - size) : end][::-1]
            more = end - size > 0
        expand = params.get("expand")
        full = one("full") in ("1", "true", "True")
        items: list[Any] = []
        for rec in page:
            items.append(_project(rec, None if full else expand))
            items.extend(self._raw_after.get(rec["id"], []))
        next_query = None
        if more and page:
            last = _key_of(page[-1], sort)
            rest = [(k, v) for k, v in query if k != "cursor"]
            next_query = urlencode(rest + [("cursor", _encode_cursor(last))])
        return items, next_query

    def model(self, model_id: str) -> dict | None:
        with self._lock:
            rec = self._records.get(model_id)
            return dict(rec) if rec else None


def _key_of(rec: dict, sort: str | None) -> tuple:
    value = rec.get(sort or "_id")
    return (0 if value is None else 1, value if value is not None else 0, rec["id"])


def _encode_cursor(key: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_cursor(cursor: str) -> tuple:
    return tuple(json.loads(base64.urlsafe_b64decode(cursor.encode())))


def _project(rec: dict, expand: list[str] | None) -> dict:
    fields = DEFAULT_FIELDS if expand is None else expand
    out = {"_id": rec["_id"], "id": rec["id"]}
    for name in fields:
        if name in rec:
            out[name] = rec[name]
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeHub

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        self.fake.requests.append(
            {
                "path": parts.path,
                "query": query,
                "authorization": self.headers.get("authorization"),
            }
        )
        base = f"/api/{self.fake.kind}"
        if parts.path == base:
            fault = self.fake._next_fault()
            if fault is not None and fault.kind == "hold":
                self.fake.held.set()
                self.fake._release.wait()
                self.close_connection = True
                return None
            if fault is not None and fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return self._send(fault.status, {"error": "injected failure"}, headers)
            items, next_query = self.fake.listing(query)
            headers = {}
            if next_query:
                host = self.headers.get("host") or f"127.0.0.1:{self.server.server_address[1]}"
                headers["Link"] = f'<http://{host}{base}?{next_query}>; rel="next"'
            if fault is not None and fault.kind == "drop":
                return self._send_torn(items, headers)
            return self._send(200, items, headers)
        if parts.path.startswith(base + "/"):
            record = self.fake.model(unquote(parts.path[len(base) + 1 :]))
            if record is None:
                return self._send(404, {"error": "Repository not found"})
            expand = [v for k, v in query if k.removesuffix("[]") == "expand"]
            return self._send(200, _project(record, expand) if expand else record)
        return self._send(404, {"error": f"no route {quote(parts.path)}"})

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_torn(self, body: Any, headers: dict[str, str]) -> None:
        """Headers and half the body, then the connection closes: a dropped connection."""
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
