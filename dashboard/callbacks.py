"""App-wide callbacks: the URL router, the search box, filter options and the server status.

The router is one callback on purpose: the URL, the search box and the filter controls all feed
each other, and Dash allows such a cycle only inside a single callback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data, Filters
from constellation.dashboard.layout import NAV_ORDER, VIEW_MODULES, mount
from constellation.dashboard.routing import (
    MODEL_VIEWS,
    SEARCH_PICK,
    build_url,
    empty_filters,
    href,
    parse_url,
)
from dash import ClientsideFunction, Input, Output, State, callback_context, html, no_update
from dash.exceptions import PreventUpdate

from constellation.errors import GraphUnreachable, UserError

log = logging.getLogger(__name__)

FILTER_INPUTS = (
    ("f-tag", "value", "pipeline_tag"),
    ("f-license", "value", "license"),
    ("f-min", "value", "min_downloads"),
    ("f-dates", "start_date", "created_from"),
    ("f-dates", "end_date", "created_to"),
    ("f-dataset", "value", "dataset"),
)


# filter key -> its menu (a dropdown whose options come from the graph)
MENUS = {"pipeline_tag": "f-tag", "license": "f-license", "dataset": "f-dataset"}


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("url", "pathname"),
        Output("url", "search"),
        Output("state", "data"),
        Output("search", "value"),
        *[Output(cid, prop) for cid, prop, _ in FILTER_INPUTS],
        *[Output(f"nav-{v}", "href") for v in NAV_ORDER],
        *[Output(f"nav-{v}", "className") for v in NAV_ORDER],
        *[Output(f"view-{v}", "className") for v in VIEW_MODULES],
        Input("url", "pathname"),
        Input("url", "search"),
        Input("search", "value"),
        *[Input(cid, prop) for cid, prop, _ in FILTER_INPUTS],
        Input("f-reset", "n_clicks"),
        State("state", "data"),
        *[State(cid, "options") for cid in MENUS.values()],
    )
    def _route(pathname, search, picked, *rest):
        n = len(FILTER_INPUTS)
        values, old, options = rest[:n], rest[n + 1], rest[n + 2:]
        listed = {key: {o["value"] for o in opts or []}
                  for key, opts in zip(MENUS, options, strict=True)}  # fmt: skip
        return route(pathname, search, picked, values, old, callback_context.triggered_id,
                     listed)

    @app.callback(
        Output("search", "options"),
        Output("search", "labels", allow_duplicate=True),
        Output("search-busy", "children"),
        Input("search-text", "data"),
        Input("state", "data"),
        State("search", "value"),
        prevent_initial_call=True,
    )
    def _suggest(text, state, value):
        options = suggest(data, text, state, value, callback_context.triggered_id)
        return options, {"no_options_found": no_options_text(text, options)}, ""

    @app.callback(
        Output("f-tag", "options"),
        Output("f-license", "options"),
        Output("f-dataset", "options"),
        Output("f-tag-box", "style"),
        Output("f-license-box", "style"),
        Output("f-dataset-box", "style"),
        Input("status-dot", "className"),
        State("url", "pathname"),
        State("url", "search"),
    )
    def _filter_options(status_class, pathname, search):
        menus = filter_options(data, status_class, parse_url(pathname, search)["filters"])
        # a filter the graph has no values for is no filter: its menu is not shown
        return (*menus, *(None if m else {"display": "none"} for m in menus))

    @app.callback(
        Output("f-dataset", "options", allow_duplicate=True),
        Input("f-dataset", "search_value"),
        State("f-dataset", "value"),
        prevent_initial_call=True,
    )
    def _dataset_search(text, value):
        return dataset_options(data, text, value)

    # a view's components, the first time it is shown (layout.py); the page asks for it
    @app.callback(*[Output(f"view-{v}", "children") for v in VIEW_MODULES],
                  Input("mount", "data"), State("state", "data"), prevent_initial_call=True)
    def _mount(view, state):
        return mount(view, state, data)

    @app.callback(
        Output("status-dot", "className"),
        Output("status-text", "children"),
        Output("banner", "children"),
        Input("url", "pathname"),
    )
    def _status(_path):
        return status(data)


def route(pathname: str | None, search: str | None, picked: str | None,
          filter_values: Sequence[Any], old: dict | None, trigger: str | None,
          listed: dict[str, set] | None = None) -> tuple:
    """The router: the explorer's state from what changed (`trigger`: the URL, the search box,
    a filter control or the reset button), and everything that follows from it: the URL, the
    controls, the nav links and which view is shown. Outputs in `register`'s order."""
    state = _next_state(parse_url(pathname, search), picked, filter_values, old, trigger,
                        listed)
    new_path, new_search = build_url(state)
    f = state["filters"]
    # the controls follow the state only when it came from elsewhere (URL, reset)
    controls = ([f[key] for _cid, _prop, key in FILTER_INPUTS]
                if trigger in (None, "url", "f-reset") else [no_update] * len(FILTER_INPUTS))
    has_model = bool(state.get("model"))
    hrefs = [href(state, view=v) for v in NAV_ORDER]
    nav_classes = [
        "active" if state["view"] == v else ("disabled" if v in MODEL_VIEWS and not has_model
                                            else "")
        for v in NAV_ORDER
    ]
    view_classes = ["view active" if state["view"] == v else "view" for v in VIEW_MODULES]
    return (
        new_path if new_path != pathname else no_update,
        new_search if new_search != (search or "") else no_update,
        state,
        state.get("model") if trigger != "search" else no_update,
        *controls,
        *hrefs,
        *nav_classes,
        *view_classes,
    )


def _next_state(url_state: dict, picked: str | None, filter_values: Sequence[Any],
                old: dict | None, trigger: str | None,
                listed: dict[str, set] | None = None) -> dict:
    if trigger in (None, "url"):
        return url_state
    state = dict(old or url_state)
    if trigger == "search":
        if picked and picked.startswith(SEARCH_PICK):
            return {**state, "view": "search", "extra": {"q": picked[len(SEARCH_PICK):]}}
        if not picked or picked == state.get("model"):
            raise PreventUpdate
        view = state.get("view")
        state["model"] = picked
        state["view"] = view if view in MODEL_VIEWS else "neighbourhood"
        state["extra"] = {}
    elif trigger == "f-reset":
        state["filters"] = empty_filters()
    else:
        filters = dict(state.get("filters") or empty_filters())
        for (_cid, _prop, key), v in zip(FILTER_INPUTS, filter_values, strict=True):
            was = filters.get(key)
            if (not v and was and listed is not None and key in MENUS
                    and was not in listed.get(key, set())):
                # a menu drops a value it does not list (yet: a page opened from a URL gets
                # its options after the value); no one could have cleared it by hand
                continue
            filters[key] = (v[:10] if isinstance(v, str) and key.startswith("created")
                            else v) or None
        state["filters"] = filters
    return state


def suggest(data: Data, text: str | None, state: dict | None, value: str | None,
            trigger: str | None) -> list[dict]:
    """Suggestions while typing; the current model stays an option so it stays displayed."""
    filters = Filters.from_dict((state or {}).get("filters"))
    current = value or (state or {}).get("model")
    options: list[dict] = []
    if text and len(text.strip()) >= 2:
        try:
            rows = data.search(text, filters)
        except UserError:  # the status dot and the views say what is wrong
            rows = []
        options = [search_option(r) for r in rows]
        if options:  # the page listing every match, from the same ranking
            options.append({"label": f"All results for “{text.strip()}” →",
                            "value": SEARCH_PICK + text.strip()})
    elif trigger == "search-text":
        raise PreventUpdate  # keep the last suggestions while the text is being cleared
    if current and current not in {o["value"] for o in options}:
        options.append({"label": current, "value": current})
    return options


FILTER_MENUS = ("filter_pipeline_tags", "filter_licenses", "filter_datasets")


def no_options_text(text: str | None, options: list[dict]) -> str:
    """What the box says when it lists no option. With matches it keeps "Searching…": the
    dropdown draws the new text one frame before the options, which must not read "No model
    matches" while they come."""
    if not text or len(text.strip()) < 2:
        return "Type two letters or more."
    if any(str(o["value"]).startswith(SEARCH_PICK) for o in options):
        return "Searching…"
    return f"No model matches “{text.strip()}”."


# The dataset menu lists the most used datasets and finds any other as you type: with its 200
# options, the menu's search index (every substring of every name) cost each page load ~0.1 s
# at 1M, 97 % of the three menus' (bench/results/dashboard.md).
DATASETS_SHOWN = 20
DATASETS_KNOWN = 5000  # filter_datasets' largest page: the names a search looks through


def filter_options(
    data: Data, status_class: str | None, current: dict[str, Any] | None = None
) -> tuple[list[dict], ...]:
    """The pipeline tags, licenses and datasets (trained on) of the graph, with their model
    counts, once it answers (`FILTER_MENUS`' order; the datasets: the first DATASETS_SHOWN, the
    others come as you type, `dataset_options`). A value the page was opened with (`current`
    filters, from its URL) stays an option even beyond those listed: a menu drops a value it
    does not list, and the view would lose the filter its URL gave."""
    if status_class != "dot ok":
        raise PreventUpdate
    try:
        menus = [data.run(name, limit=DATASETS_KNOWN if name == "filter_datasets" else 200)
                 for name in FILTER_MENUS]
    except UserError:  # the options stay empty; the status dot says why
        raise PreventUpdate from None
    shown = [*menus[:-1], _datasets_matching(menus[-1], "")]
    return tuple(_menu_options(rows, (current or {}).get(key), known)
                 for key, rows, known in zip(("pipeline_tag", "license", "dataset"), shown,
                                             menus, strict=True))


def dataset_options(data: Data, text: str | None, value: str | None) -> list[dict]:
    """The dataset menu's options while `text` is typed: the most used datasets whose name holds
    it (no text: the most used), and the chosen `value`, which the menu would drop otherwise."""
    try:
        rows = data.run("filter_datasets", limit=DATASETS_KNOWN)
    except UserError:  # the options stay as they are; the status dot says why
        raise PreventUpdate from None
    return _menu_options(_datasets_matching(rows, text), value, rows)


def _datasets_matching(rows: list[dict], text: str | None) -> list[dict]:
    needle = (text or "").strip().lower()
    return [r for r in rows if needle in str(r["value"]).lower()][:DATASETS_SHOWN]


def _menu_options(rows: list[dict], wanted: Any, known: list[dict] | None = None
                  ) -> list[dict]:
    """A menu's options, "value (models)", with `wanted` among them (its count when `known`)."""
    options = [{"label": f"{r['value']} ({ui.fmt_int(r['models'])})", "value": r["value"]}
               for r in rows]  # fmt: skip
    if wanted and all(o["value"] != wanted for o in options):
        row = next((r for r in known or [] if r["value"] == wanted), None)
        options += _menu_options([row], None) if row else [{"label": str(wanted), "value": wanted}]
    return options


def status(data: Data) -> tuple[str, Any, Any]:
    """(status dot class, status text, banner): whether the graph answers, and how big it is."""
    if not data.ping():
        reason = data.down_reason[:300]
        return "dot down", "graph server not reachable", ui.unavailable(reason)
    try:
        info = data.run("graph_summary")
    except GraphUnreachable as exc:
        return "dot down", "graph server not reachable", ui.unavailable(str(exc)[:300])
    except Exception as exc:  # never a 500: the dot and banner are where errors are seen
        return "dot down", "graph error", ui.from_exception(exc, log)
    row = info[0] if info else {}
    n = row.get("models") or 0
    text = f"{ui.fmt_int(n)} models"
    banner = None
    if not n:
        banner = ui.empty("The graph is empty.", "Build and load some models: "
                          "`constellation demo`, or `constellation build` + "
                          "`constellation load`.")
    return "dot ok", [html.Span(text), html.Span(f" · {data.server_label}",
                                                 className="muted")], banner


def search_option(r: dict) -> dict:
    """A suggestion: the id with its downloads (plain-text label, value = id)."""
    extra = f"  ·  {ui.fmt_int(r.get('downloads'))} downloads" if r.get("downloads") is not None \
        else ""
    return {"label": f"{r['id']}{extra}", "value": r["id"]}


# The browser side lives in assets/clientside.js (served with the app, namespace
# `constellation`).
def register_clientside(app: Any) -> None:
    def js(name: str) -> ClientsideFunction:
        return ClientsideFunction(namespace="constellation", function_name=name)

    # while the suggestions are asked for, the list says so (not "No options found")
    app.clientside_callback(js("searchPending"), Output("search", "labels"),
                            Input("search", "search_value"), prevent_initial_call=True)
    # the search box asks the server only once typing pauses
    app.clientside_callback(js("debounceSearch"), Output("search-text", "data"),
                            Input("search", "search_value"), prevent_initial_call=True)
    # the view to mount: the one shown, when its container is still empty
    app.clientside_callback(js("viewToMount"), Output("mount", "data"),
                            Input("state", "data"), prevent_initial_call=True)
    # refit the graphs of the view that just became visible (and on a new model)
    app.clientside_callback(js("refitVisibleGraph"), Output("cy-resized", "data"),
                            Input("state", "data"))
    for key, out in (("nb-key", "nb-resized"), ("lin-key", "lin-resized")):
        app.clientside_callback(js("refitVisibleGraph"), Output(out, "data"),
                                Input(key, "data"), State("state", "data"),
                                prevent_initial_call=True)
    # after an expansion, zoom out if new nodes fall outside the viewport
    app.clientside_callback(js("showAllNodes"), Output("nb-shown", "data"),
                            Input("nb-graph", "elements"), prevent_initial_call=True)
    # hover: id, downloads and family of the node under the mouse
    for graph, box in (("nb-graph", "nb-hover"), ("lin-graph", "lin-hover")):
        app.clientside_callback(js("hoverText"), Output(box, "children"),
                                Input(graph, "mouseoverNodeData"),
                                Input(graph, "mouseoverEdgeData"), prevent_initial_call=True)
    # console results: size the graph card, then lay out
    app.clientside_callback(js("layoutConsoleGraph"), Output("con-laid-out", "data"),
                            Input("con-graph", "elements"), prevent_initial_call=True)
