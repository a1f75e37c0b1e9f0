"""The Hub client edge: one `/api/models` listing page at a time, with retries.

`huggingface_hub.HfApi.list_models` hides the page cursor (the `Link: <…>; rel="next"` header), so
a fetch could not resume after an interruption. This module issues the same request through
huggingface_hub's own HTTP session and headers (user agent, `HF_TOKEN`) and hands back each page
together with its next-page URL, which the caller saves to resume from.

    client = HubClient.create(endpoint=None)            # HF_ENDPOINT / HF_TOKEN honoured
    url = client.listing_url(listing_params(expand=EXPAND_FIELDS, limit=1000))
    while url:
        page = client.get_page(url)                     # Page(items, next_url, server_date)
        url = page.next_url

The token is only ever put in the request headers: never in a URL, a message, a log line or a
state file.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from constellation.errors import UserError

log = logging.getLogger(__name__)

# The properties `constellation fetch` asks for (`expand=`), as the Hub names them.
EXPAND_FIELDS: tuple[str, ...] = (
    "author",
    "downloads",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "cardData",
)
# Datasets and Spaces (issue 14: joins), as `HfApi.list_datasets` / `list_spaces` expand them:
# a dataset's task categories are its `task_categories:` tags; a Space's `models` are the models
# it uses.
DATASET_EXPAND_FIELDS: tuple[str, ...] = (
    "author", "downloads", "likes", "tags", "createdAt", "lastModified",
)  # fmt: skip
SPACE_EXPAND_FIELDS: tuple[str, ...] = (
    "author", "likes", "tags", "sdk", "models", "datasets", "createdAt", "lastModified",
)  # fmt: skip
# What each listing (`/api/<kind>`) expands.
EXPAND_BY_KIND: dict[str, tuple[str, ...]] = {
    "models": EXPAND_FIELDS, "datasets": DATASET_EXPAND_FIELDS, "spaces": SPACE_EXPAND_FIELDS,
}  # fmt: skip
REPO_KINDS = tuple(EXPAND_BY_KIND)
# The smallest listing that still names every model (used to detect deletions).
ID_LISTING_FIELDS: tuple[str, ...] = ("lastModified",)
# The Hub serves at most this many models per page.
MAX_PAGE_SIZE = 1000

# Statuses worth retrying: timeouts, rate limits and transient server errors.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one page before giving up (the fetch then stops, resumable).

    A `Retry-After` (429/503) is honoured exactly; other failures wait an exponentially growing
    delay with jitter: attempt k waits between d/2 and d, d = min(max_delay, base_delay * 2**(k-1)).
    """

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0
    # A server asking us to wait longer than this stops the fetch instead (rerun later).
    max_retry_after: float = 900.0
    timeout: float = 120.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


DEFAULT_RETRY = RetryPolicy()


class HubError(UserError):
    """The Hub could not be read (after retries, or a non-retryable refusal)."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_url: str | None
    server_date: datetime | None  # the response's `Date` header: the Hub's clock


def resolve_endpoint(endpoint: str | None = None) -> str:
    """`endpoint`, else `HF_ENDPOINT` (read now, not at import), else huggingface_hub's default."""
    from huggingface_hub import HfApi, constants

    chosen = endpoint or os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    return HfApi(endpoint=chosen.rstrip("/")).endpoint.rstrip("/")


def listing_params(
    *,
    expand: Iterable[str] = EXPAND_FIELDS,
    limit: int = MAX_PAGE_SIZE,
    pipeline_tag: str | None = None,
    author: str | None = None,
    search: str | None = None,
    sort: str | None = None,
) -> list[tuple[str, str]]:
    """Query parameters of `GET /api/models`, encoded the way `HfApi.list_models` encodes them."""
    params: list[tuple[str, str]] = []
    if author:
        params.append(("author", author))
    if pipeline_tag:
        params.append(("pipeline_tag", pipeline_tag))
    if search:
        params.append(("search", search))
    if sort:
        params += [("sort", sort), ("direction", "-1")]
    params.append(("limit", str(limit)))
    params += [("expand", field) for field in expand]
    return params


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _ratelimit_reset(headers: Mapping[str, str]) -> float | None:
    """The Hub's own `RateLimit` header (seconds until the window resets), when it sends one."""
    from huggingface_hub.utils import parse_ratelimit_headers

    info = parse_ratelimit_headers(headers)
    if info is None or info.remaining != 0:
        return None
    return float(info.reset_in_seconds)


def _server_date(headers: Mapping[str, str]) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError):
        return None


class HubClient:
    """Reads listing pages from one Hub endpoint through huggingface_hub's HTTP session."""

    def __init__(
        self,
        endpoint: str,
        headers: dict[str, str],
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        kind: str = "models",
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.kind = kind  # which listing: models, datasets or spaces (`/api/<kind>`)
        self._headers = headers  # holds the token: never log or store
        self.retry = retry
        self.sleep = sleep
        self.authenticated = "authorization" in {k.lower() for k in headers}

    @classmethod
    def create(
        cls,
        endpoint: str | None = None,
        token: str | bool | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        kind: str = "models",
    ) -> HubClient:
        """A client for `endpoint` (or `HF_ENDPOINT`), authenticated with `token` or `HF_TOKEN`.

        `token=None` lets huggingface_hub find one (`HF_TOKEN`, then the saved login);
        `token=False` sends none.
        """
        from huggingface_hub.utils import build_hf_headers

        from constellation import __version__

        if token is None:
            token = os.environ.get("HF_TOKEN") or None
        headers = build_hf_headers(
            token=token, library_name="constellation", library_version=__version__
        )
        return cls(resolve_endpoint(endpoint), headers, retry=retry, sleep=sleep, kind=kind)

    def listing_url(self, params: list[tuple[str, str]]) -> str:
        """The absolute URL of the first listing page for `params`."""
        import httpx2

        return str(httpx2.URL(f"{self.endpoint}/api/{self.kind}", params=params))

    def rebase(self, url: str) -> str:
        """`url` moved onto this client's endpoint origin.

        A saved cursor URL stays valid when the endpoint's address changes between runs, and the
        token is never sent to a host the `Link` header names but the user did not choose.
        """
        base = urlsplit(self.endpoint)
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def describe(self, url: str) -> str:
        """`url` for messages: path and filters, cursor shortened, no `expand=` list, no host
        (so no credentials; the token is never in a URL anyway)."""
        parts = urlsplit(url)
        shown = []
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key == "expand":
                continue
            if key == "cursor" and len(value) > 12:
                value = value[:12] + "…"
            shown.append(f"{key}={value}")
        return parts.path + (f"?{'&'.join(shown)}" if shown else "")

    def get_page(self, url: str) -> Page:
        """GET one listing page, retrying rate limits, 5xx and dropped connections.

        Raises `HubError` (a `UserError`) once the attempts are spent or the Hub refuses for good.
        """
        items, response = self._get_json(url)
        if not isinstance(items, list):
            raise HubError(
                f"the Hub answered {self.describe(url)} with a JSON {type(items).__name__},"
                " not a list of models"
            )
        next_url = response.links.get("next", {}).get("url")
        return Page(
            items=items,
            next_url=self.rebase(next_url) if next_url else None,
            server_date=_server_date(response.headers),
        )

    def get_model(self, model_id: str, expand: Iterable[str] | None = None) -> dict | None:
        """`GET /api/models/{id}?expand=…` (same retries), or None when the model is gone.
        (`/api/datasets/{id}` or `/api/spaces/{id}` for a client of those listings.)"""
        import httpx2

        expand = EXPAND_BY_KIND[self.kind] if expand is None else expand
        url = str(
            httpx2.URL(
                f"{self.endpoint}/api/{self.kind}/{quote(model_id, safe='/')}",
                params=[("expand", field) for field in expand],
            )
        )
        found = self._get_json(url, missing_ok=True)
        if found is None or not isinstance(found[0], dict):
            return None
        return found[0]

    def _get_json(self, url: str, missing_ok: bool = False) -> tuple[Any, Any] | None:
        """(JSON body, response) of a GET, with the retry policy; None for a 404 if missing_ok.

        Not `huggingface_hub.utils.http_backoff`, which cannot keep the documented behaviour:
        it adds 1 s to a `Retry-After`, ignores its HTTP-date form, has no ceiling on it
        (`max_retry_after`), sleeps with `time.sleep` (no injected clock), has no jitter, and
        cannot retry a body cut short (its retries end at the status line).
        """
        url = self.rebase(url)
        policy = self.retry
        problem = "no attempt made"
        for attempt in range(1, policy.max_attempts + 1):
            outcome = self._attempt(url, missing_ok)
            if not isinstance(outcome, _Retry):
                return outcome
            problem = outcome.problem
            if attempt == policy.max_attempts:
                break
            self._wait(url, outcome, attempt)
        raise HubError(
            f"gave up on {self.describe(url)} after {policy.max_attempts} attempts: {problem}"
        )

    def _attempt(self, url: str, missing_ok: bool) -> tuple[Any, Any] | None | _Retry:
        """One GET: (JSON body, response), None for a 404 if missing_ok, or why to retry.
        Raises `HubError` when the Hub refuses for good."""
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
        from huggingface_hub.utils import get_session, hf_raise_for_status

        try:
            response = get_session().get(url, headers=self._headers, timeout=self.retry.timeout)
        except OfflineModeIsEnabled:
            raise HubError("HF_HUB_OFFLINE is set: unset it to fetch from the Hub") from None
        except httpx2.TransportError as exc:  # refused, dropped mid-body, timed out
            return _Retry(f"connection error ({type(exc).__name__})")
        status = response.status_code
        if status in RETRY_STATUSES:
            wait = parse_retry_after(response.headers.get("retry-after"))
            if wait is None and status == 429:
                wait = _ratelimit_reset(response.headers)
            return _Retry(f"HTTP {status}", wait)
        if status == 404 and missing_ok:
            return None
        try:
            hf_raise_for_status(response)
        except HfHubHTTPError as exc:
            raise HubError(
                f"the Hub refused {self.describe(url)}: HTTP {status} {_first_line(str(exc))}"
            ) from None
        try:
            return response.json(), response
        except ValueError:  # a body cut short or garbled on the way
            return _Retry("a body that is not valid JSON")

    def _wait(self, url: str, retry: _Retry, attempt: int) -> None:
        """Sleep before the next attempt: the server's wait exactly, else the backoff."""
        policy = self.retry
        wait = retry.wait
        if wait is None:
            wait = policy.backoff(attempt)
        elif wait > policy.max_retry_after:
            raise HubError(
                f"rate limited by the Hub ({retry.problem}); it asks to wait {wait:.0f} s,"
                f" more than the {policy.max_retry_after:.0f} s we wait in one run"
            )
        log.warning(
            "%s from %s; retry %d/%d in %.1f s",
            retry.problem,
            self.describe(url),
            attempt,
            policy.max_attempts - 1,
            wait,
        )
        self.sleep(wait)


@dataclass(frozen=True)
class _Retry:
    """Why an attempt failed in a way worth retrying, and the wait the server asked for."""

    problem: str
    wait: float | None = None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:200]
