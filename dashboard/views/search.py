"""Search results: every model whose id contains the text, best first (the `search` query:
the exact id, then downloads, then how well the name matches), 50 a page, paged on the server.
Reached from the search box's last suggestion, "All results for …" (`/search?q=llama`)."""

from __future__ import annotations

import logging
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data, Filters
from constellation.dashboard.routing import href
from dash import Input, Output, State, callback_context, dash_table, dcc, html
from dash.exceptions import PreventUpdate

VIEW = "search"
PAGE = 50
log = logging.getLogger(__name__)

FILTER_NAMES = {"dataset": "trained on dataset", "pipeline_tag": "pipeline tag",
                "min_downloads": "min downloads", "created_from": "created from",
                "created_to": "created to"}
COLUMNS = [
    {"name": "Model", "id": "link", "presentation": "markdown"},
    {"name": "Downloads", "id": "downloads"},
    {"name": "Likes", "id": "likes"},
    {"name": "Pipeline tag", "id": "pipeline_tag"},
    {"name": "Family", "id": "family"},
    {"name": "Open", "id": "open", "presentation": "markdown"},
]


def layout() -> html.Div:
    table = dash_table.DataTable(
        id="search-table", columns=COLUMNS, data=[], markdown_options={"link_target": "_self"},
        style_as_list_view=True, style_cell={**ui.TABLE_CELL, "maxWidth": "420px",
                                             "overflow": "hidden", "textOverflow": "ellipsis"},
        style_header=ui.TABLE_HEADER)
    return html.Div(
        [
            html.Div(id="search-head", className="view-head"),
            dcc.Loading(html.Div([html.Div(id="search-state"), table]), type="circle",
                        delay_show=150),
            html.Div([html.Button("← previous 50", id="search-prev", className="btn small"),
                      html.Span(id="search-range", className="muted small"),
                      html.Button("next 50 →", id="search-next", className="btn small")],
                     className="row", style={"gap": "10px", "marginTop": "8px"}),
            dcc.Store(id="search-skip", data=0),
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("search-head", "children"),
        Output("search-state", "children"),
        Output("search-table", "data"),
        Output("search-range", "children"),
        Output("search-prev", "disabled"),
        Output("search-next", "disabled"),
        Output("search-skip", "data"),
        Input("state", "data"),
        Input("search-prev", "n_clicks"),
        Input("search-next", "n_clicks"),
        State("search-skip", "data"),
    )
    def _update(state, _prev, _next, skip):
        trig = callback_context.triggered_id
        skip = int(skip or 0)
        if trig == "search-next":
            skip += PAGE
        elif trig == "search-prev":
            skip = max(0, skip - PAGE)
        else:
            skip = 0
        return update(data, state, skip)


def update(data: Data, state: dict | None, skip: int = 0) -> tuple:
    """(head, state box, rows, range text, prev disabled, next disabled, skip)."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    text = ((state.get("extra") or {}).get("q") or "").strip()
    head = [html.H2(["Search results for ", html.Span(f"“{text}”")])]
    if len(text) < 2:
        return ([html.H2("Search results")], ui.empty("Type two letters or more in the search "
                                                      "box."), [], "", True, True, 0)
    filters = Filters.from_dict(state.get("filters"))
    try:
        rows = data.run("search", q=text, skip=skip, limit=PAGE + 1, **filters.params())
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return head, ui.from_exception(exc, log), [], "", True, True, skip
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    if not rows:
        msg = "No model matches" + (" with the current filters." if filters.active() else ".")
        return head, ui.empty(msg), [], "", skip == 0, True, skip
    shown = f"results {skip + 1:,}–{skip + len(rows):,}" + ("" if more else " (the last)")
    if filters.active():
        head.append(html.Span("filtered", className="filter-note"))
    if skipped := data.unfiltered("search", filters):  # e.g. "trained on": not in the query
        head.append(html.Span("not filtered by " + ", ".join(FILTER_NAMES.get(k, k)
                                                             for k in skipped),
                              className="small muted", id="search-unfiltered"))
    return head, None, table_rows(rows, state), shown, skip == 0, not more, skip


def table_rows(rows: list[dict], state: dict) -> list[dict]:
    return [{
        "link": f"[{r['id']}]({href(state, model=r['id'], view='neighbourhood')})",
        "id": r["id"],
        "downloads": ui.fmt_int(r.get("downloads")),
        "likes": ui.fmt_int(r.get("likes")),
        "pipeline_tag": r.get("pipeline_tag") or "",
        "family": r.get("family") or "",
        "open": " · ".join(f"[{v}]({href(state, model=r['id'], view=v)})"
                           for v in ("family", "lineage", "details")),
    } for r in rows]
