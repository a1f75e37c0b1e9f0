"""URLs <-> explorer state, so any view can be shared or reloaded (pure functions).

`/model/<id>?view=<view>&tag=..&license=..&min_downloads=..&from=YYYY-MM-DD&to=YYYY-MM-DD
&dataset=..`
for a model, `/atlas` and `/console` for the views that need none, `/` for the home page.

Usage::

    state = parse_url("/model/TheBloke/Llama-2-7B-GPTQ", "?view=family&tag=text-generation")
    state["model"], state["view"]  # ('TheBloke/Llama-2-7B-GPTQ', 'family')
    build_url(state)               # ('/model/TheBloke/Llama-2-7B-GPTQ', '?view=family&tag=...')
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from constellation.queries.runner import INT64_MAX

MODEL_VIEWS = ("neighbourhood", "family", "lineage", "details")
GLOBAL_VIEWS = ("atlas", "console", "search")
VIEWS = MODEL_VIEWS + GLOBAL_VIEWS
DEFAULT_MODEL_VIEW = "neighbourhood"

VIEW_TITLES = {
    "neighbourhood": "Neighbourhood",
    "family": "Family",
    "lineage": "Lineage",
    "details": "Details",
    "atlas": "Atlas",
    "console": "Cypher console",
    "search": "Search results",
}

# view-specific state kept in the query string (only the shown view's keys are written):
# the search text / console query, the family grouping, the neighbourhood's expanded nodes
# (comma-separated ids) and the atlas drill path (cluster ids, top first).
EXTRA_KEYS = {"search": ("q",), "console": ("q",), "family": ("by",),
              "neighbourhood": ("expand",), "atlas": ("path",)}
SEARCH_PICK = "search:"  # a suggestion value that opens the results page for the text after it

# query-string key -> filter key
FILTER_KEYS = {
    "tag": "pipeline_tag",
    "license": "license",
    "min_downloads": "min_downloads",
    "from": "created_from",
    "to": "created_to",
    "dataset": "dataset",
}


def empty_filters() -> dict[str, Any]:
    return {v: None for v in FILTER_KEYS.values()}


def min_downloads(raw: Any) -> int | None:
    """A minimum-downloads filter from a URL or the number box: None when it is no number,
    else clamped to 0..INT64_MAX (the graph's integer range), which keeps its meaning: no model
    has more downloads, so `1e30` or `1e999` simply match nothing."""
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    except OverflowError:  # an int too large for a float
        value = math.inf
    if math.isnan(value):
        return None
    return INT64_MAX if value >= INT64_MAX else int(max(value, 0.0))


def parse_url(pathname: str | None, search: str | None) -> dict[str, Any]:
    """Pathname + query string -> {"model", "view", "filters"}; unknown parts are ignored."""
    path = unquote(pathname or "/")
    qs = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    model = None
    view = qs.get("view")
    if path.startswith("/model/") and len(path) > len("/model/"):
        model = path[len("/model/"):].strip("/") or None
    elif path.strip("/") in GLOBAL_VIEWS:
        view = path.strip("/")
        model = qs.get("model") or None
    if view not in VIEWS:
        view = DEFAULT_MODEL_VIEW if model else "home"
    if view in MODEL_VIEWS and not model:
        view = "home"
    filters = empty_filters()
    for key, fkey in FILTER_KEYS.items():
        raw = qs.get(key)
        if raw in (None, ""):
            continue
        if fkey == "min_downloads":
            filters[fkey] = min_downloads(raw)
        elif fkey in ("created_from", "created_to"):
            filters[fkey] = raw[:10]
        else:
            filters[fkey] = raw
    extra = {k: qs[k] for k in EXTRA_KEYS.get(view, ()) if qs.get(k)}
    return {"model": model, "view": view, "filters": filters, "extra": extra}


def build_url(state: dict[str, Any]) -> tuple[str, str]:
    """State -> (pathname, search). Global views keep the model in the query (`?model=`)."""
    view = state.get("view") or "home"
    model = state.get("model")
    params: dict[str, Any] = {}
    if view in MODEL_VIEWS and model:
        pathname = "/model/" + quote(model, safe="/")
        params["view"] = view
    elif view in GLOBAL_VIEWS:
        pathname = "/" + view
        if model:
            params["model"] = model
    else:
        pathname = "/"
    for key, fkey in FILTER_KEYS.items():
        value = (state.get("filters") or {}).get(fkey)
        if value not in (None, "", 0):
            params[key] = value
    extra = state.get("extra") or {}
    for key in EXTRA_KEYS.get(view, ()):
        if extra.get(key):
            params[key] = extra[key]
    search = ("?" + urlencode(params)) if params else ""
    return pathname, search


def href(state: dict[str, Any], **changes: Any) -> str:
    """The link to `state` with some keys changed, e.g. href(state, view="family"); another
    view or model starts without the view's own state (expansions, drill path...)."""
    if any(k in changes for k in ("view", "model")) and "extra" not in changes:
        changes["extra"] = {}
    pathname, search = build_url({**state, **changes})
    return pathname + search
