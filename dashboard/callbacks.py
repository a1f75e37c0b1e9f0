"""App-wide callbacks: the URL router, the search box, filter options and the server status.

The router is one callback on purpose: the URL, the search box and the filter controls all feed
each other, and Dash allows such a cycle only inside a single callback.
"""

from __future__ import annotations

from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data, Filters, GraphUnavailable
from constellation.dashboard.layout import NAV_ORDER, VIEW_MODULES
from constellation.dashboard.routing import (
    MODEL_VIEWS,
    build_url,
    empty_filters,
    href,
    parse_url,
)
from dash import Input, Output, State, callback_context, html, no_update
from dash.exceptions import PreventUpdate

FILTER_INPUTS = (
    ("f-tag", "value", "pipeline_tag"),
    ("f-license", "value", "license"),
    ("f-min", "value", "min_downloads"),
    ("f-dates", "start_date", "created_from"),
    ("f-dates", "end_date", "created_to"),
)


def register(app: Any, data: Data) -> None:
    views = list(VIEW_MODULES)

    @app.callback(
        Output("url", "pathname"),
        Output("url", "search"),
        Output("state", "data"),
        Output("search", "value"),
        *[Output(cid, prop) for cid, prop, _ in FILTER_INPUTS],
        *[Output(f"nav-{v}", "href") for v in NAV_ORDER],
        *[Output(f"nav-{v}", "className") for v in NAV_ORDER],
        *[Output(f"view-{v}", "className") for v in views],
        Input("url", "pathname"),
        Input("url", "search"),
        Input("search", "value"),
        *[Input(cid, prop) for cid, prop, _ in FILTER_INPUTS],
        Input("f-reset", "n_clicks"),
        State("state", "data"),
    )
    def route(pathname, search, picked, *rest):
        values, _reset, old = rest[:5], rest[5], rest[6]
        trig = callback_context.triggered_id
        url_state = parse_url(pathname, search)
        if trig in (None, "url"):
            state = url_state
        else:
            state = dict(old or url_state)
            if trig == "search":
                if not picked or picked == state.get("model"):
                    raise PreventUpdate
                view = state.get("view")
                state["model"] = picked
                state["view"] = view if view in MODEL_VIEWS else "neighbourhood"
            elif trig == "f-reset":
                state["filters"] = empty_filters()
            else:
                filters = dict(state.get("filters") or empty_filters())
                for (_cid, _prop, key), v in zip(FILTER_INPUTS, values, strict=True):
                    filters[key] = (v[:10] if isinstance(v, str) and key.startswith("created")
                                    else v) or None
                state["filters"] = filters
        new_path, new_search = build_url(state)
        f = state["filters"]
        # the controls follow the state only when it came from elsewhere (URL, reset)
        controls = ([f["pipeline_tag"], f["license"], f["min_downloads"], f["created_from"],
                     f["created_to"]] if trig in (None, "url", "f-reset")
                    else [no_update] * len(FILTER_INPUTS))
        has_model = bool(state.get("model"))
        hrefs = [href(state, view=v) for v in NAV_ORDER]
        nav_classes = [
            "active" if state["view"] == v else ("disabled" if v in MODEL_VIEWS and not has_model
                                                else "")
            for v in NAV_ORDER
        ]
        view_classes = ["view active" if state["view"] == v else "view" for v in views]
        return (
            new_path if new_path != pathname else no_update,
            new_search if new_search != (search or "") else no_update,
            state,
            state.get("model") if trig != "search" else no_update,
            *controls,
            *hrefs,
            *nav_classes,
            *view_classes,
        )

    @app.callback(
        Output("search", "options"),
        Input("search-text", "data"),
        Input("state", "data"),
        State("search", "value"),
    )
    def suggest(text, state, value):
        """Suggestions while typing; the current model stays an option so it stays displayed."""
        filters = Filters.from_dict((state or {}).get("filters"))
        current = value or (state or {}).get("model")
        options: list[dict] = []
        if text and len(text.strip()) >= 2:
            try:
                rows = data.search(text, filters)
            except Exception:  # the status dot and the views say what is wrong
                rows = []
            options = [search_option(r) for r in rows]
        elif callback_context.triggered_id == "search-text":
            raise PreventUpdate  # keep the last suggestions while the text is being cleared
        if current and current not in {o["value"] for o in options}:
            options.append({"label": current, "value": current})
        return options

    @app.callback(
        Output("f-tag", "options"),
        Output("f-license", "options"),
        Input("status-dot", "className"),
    )
    def filter_options(status):
        if status != "dot ok":
            raise PreventUpdate
        try:
            tags = data.run("filter_pipeline_tags", limit=200)
            licenses = data.run("filter_licenses", limit=200)
        except Exception:
            raise PreventUpdate from None
        return ([{"label": f"{r['value']} ({ui.fmt_int(r['models'])})", "value": r["value"]}
                 for r in tags],
                [{"label": f"{r['value']} ({ui.fmt_int(r['models'])})", "value": r["value"]}
                 for r in licenses])

    @app.callback(
        Output("status-dot", "className"),
        Output("status-text", "children"),
        Output("banner", "children"),
        Input("url", "pathname"),
    )
    def status(_path):
        if not data.ping():
            reason = data.down_reason[:300]
            return "dot down", "graph server not reachable", ui.unavailable(reason)
        try:
            info = data.run("graph_summary")
        except GraphUnavailable as exc:
            return "dot down", "graph server not reachable", ui.unavailable(str(exc)[:300])
        except Exception as exc:
            return "dot down", "graph error", ui.from_exception(exc)
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


# Cytoscape measures its container when it mounts; a view that was hidden then has a 0x0
# viewport, so refit the graphs of the view that just became visible (and on a new model).
RESIZE_JS = """
function(state, nbKey, linKey) {
    const graphs = {neighbourhood: 'nb-graph', lineage: 'lin-graph', console: 'con-graph'};
    const id = graphs[(state || {}).view];
    if (!id) { return window.dash_clientside.no_update; }
    setTimeout(function () {
        const root = document.getElementById(id);
        if (!root) { return; }
        for (const el of [root, ...root.querySelectorAll('div')]) {
            if (el._cyreg && el._cyreg.cy) {
                el._cyreg.cy.resize();
                el._cyreg.cy.fit(undefined, 30);
                break;
            }
        }
    }, 80);
    return window.dash_clientside.no_update;
}
"""


# After an expansion the picture keeps its layout; if new nodes fall outside the viewport, zoom
# out smoothly to show them (positions unchanged, only the camera moves).
SHOW_ALL_JS = """
function(elements) {
    setTimeout(function () {
        const root = document.getElementById('nb-graph');
        if (!root) { return; }
        for (const el of [root, ...root.querySelectorAll('div')]) {
            if (el._cyreg && el._cyreg.cy) {
                const cy = el._cyreg.cy, ext = cy.extent(), bb = cy.nodes().boundingBox();
                if (cy.nodes().length && (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1
                                          || bb.y2 > ext.y2)) {
                    cy.animate({fit: {eles: cy.nodes(), padding: 30}, duration: 300});
                }
                break;
            }
        }
    }, 50);
    return window.dash_clientside.no_update;
}
"""

# Console results: the graph card was hidden when Cytoscape mounted; size it, then lay out.
CONSOLE_LAYOUT_JS = """
function(elements) {
    setTimeout(function () {
        const root = document.getElementById('con-graph');
        if (!root || !elements || !elements.length) { return; }
        for (const el of [root, ...root.querySelectorAll('div')]) {
            if (el._cyreg && el._cyreg.cy) {
                const cy = el._cyreg.cy;
                cy.resize();
                cy.layout({name: 'cose', animate: false, fit: true, padding: 30}).run();
                break;
            }
        }
    }, 80);
    return window.dash_clientside.no_update;
}
"""


# The search box asks the server only once typing pauses: on a big graph each suggestion query
# scans the model names, and one per keystroke would queue up behind each other.
SEARCH_DEBOUNCE_JS = """
function(text) {
    window.__searchSeq = (window.__searchSeq || 0) + 1;
    const seq = window.__searchSeq;
    return new Promise(function (resolve) {
        setTimeout(function () {
            resolve(seq === window.__searchSeq ? text : window.dash_clientside.no_update);
        }, 250);
    });
}
"""


def register_clientside(app: Any) -> None:
    app.clientside_callback(SEARCH_DEBOUNCE_JS, Output("search-text", "data"),
                            Input("search", "search_value"), prevent_initial_call=True)
    app.clientside_callback(
        RESIZE_JS,
        Output("cy-resized", "data"),
        Input("state", "data"),
        Input("nb-key", "data"),
        Input("lin-key", "data"),
    )
    app.clientside_callback(SHOW_ALL_JS, Output("nb-shown", "data"),
                            Input("nb-graph", "elements"), prevent_initial_call=True)
    app.clientside_callback(CONSOLE_LAYOUT_JS, Output("con-laid-out", "data"),
                            Input("con-graph", "elements"), prevent_initial_call=True)
