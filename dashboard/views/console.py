"""Cypher console: read-only queries, results as a table and (nodes/relationships) as a graph."""

from __future__ import annotations

import json
import logging
from typing import Any

import dash_cytoscape as cyto
from constellation.dashboard import components as ui
from constellation.dashboard import cyto_styles
from constellation.dashboard.console_elements import console_graph_elements
from constellation.dashboard.data import Data
from constellation.dashboard.routing import build_url
from dash import Input, Output, State, callback_context, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from constellation.errors import GraphUnreachable, UserError

VIEW = "console"
log = logging.getLogger(__name__)

EXAMPLES = {
    "Most downloaded models": (
        "MATCH (m:Model)\nWHERE m.downloads IS NOT NULL\nRETURN m.id AS model, m.downloads AS "
        "downloads, m.likes AS likes, m.family AS family\nORDER BY m.downloads DESC\nLIMIT 20"
    ),
    "Largest families": (
        "MATCH (c:Community)\nRETURN c.label AS family, c.size AS models, c.downloads AS downloads"
        "\nORDER BY c.size DESC\nLIMIT 20"
    ),
    "Similar pairs (graph)": (
        "MATCH (a:Model)-[s:SIMILAR_TO]->(b:Model)\nWHERE s.score > 0.8\nRETURN a, s, b\nLIMIT 40"
    ),
    "Declared lineage (graph)": (
        "MATCH (c:Model)-[r:BASED_ON]->(p:Model)\nRETURN c, r, p\nLIMIT 40"
    ),
    "Models per pipeline tag": (
        "MATCH (m:Model)\nWHERE m.pipeline_tag IS NOT NULL\nRETURN m.pipeline_tag AS tag, "
        "count(*) AS models\nORDER BY models DESC"
    ),
    "Most prolific authors": (
        "MATCH (m:Model)-[:PUBLISHED_BY]->(a:Author)\nRETURN a.name AS author, count(m) AS models, "
        "sum(m.downloads) AS downloads\nORDER BY models DESC\nLIMIT 20"
    ),
}
DEFAULT = "Most downloaded models"


def layout() -> html.Div:
    return html.Div(
        [
            html.Div([html.H2("Cypher console"),
                      html.Span("read-only: writes are refused", className="crumb")],
                     className="view-head"),
            _editor(),
            dcc.Loading(_results(), type="circle", delay_show=200),
            dcc.Store(id="con-ran"),  # the query last run (a URL with it is not run twice)
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def _editor() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Label("Example", className="small muted"),
                    dcc.Dropdown(id="con-example",
                                 options=[{"label": k, "value": k} for k in EXAMPLES],
                                 value=DEFAULT, clearable=False, style={"width": "320px"}),
                    html.Span(className="spacer"),
                    html.Button("Run ▶", id="con-run", className="btn primary"),
                ],
                className="row",
            ),
            dcc.Textarea(id="con-query", value=EXAMPLES[DEFAULT],
                         className="console-input mono", spellCheck=False,
                         style={"marginTop": "10px"}),
            html.Div("Ctrl+Enter does not submit: press Run. Results are capped at 1,000 "
                     "rows and 10 s.", className="console-meta"),
        ],
        className="card",
    )


def _results() -> html.Div:
    return html.Div(
        [
            html.Div(id="con-meta", className="console-meta", style={"margin": "12px 0 6px"}),
            html.Div(id="con-error"),
            html.Div(
                dash_table.DataTable(
                    id="con-table", columns=[], data=[], page_size=15,
                    sort_action="native", style_as_list_view=True,
                    style_table={"overflowX": "auto"},
                    style_header=ui.TABLE_HEADER,
                    style_cell={**ui.TABLE_CELL, "maxWidth": "360px",
                                "overflow": "hidden", "textOverflow": "ellipsis"},
                ),
                className="card", id="con-table-card", style={"display": "none"},
            ),
            html.Div(
                [html.H4("As a graph"),
                 html.Div(cyto.Cytoscape(
                     id="con-graph", elements=[],
                     layout={"name": "cose", "animate": False, "fit": True, "padding": 20},
                     stylesheet=cyto_styles.CONSOLE, className="graph",
                     style={"width": "100%", "height": "480px"}, minZoom=0.1, maxZoom=3,
                     wheelSensitivity=0.25), className="graph-wrap")],
                className="card", id="con-graph-card", style={"display": "none"},
            ),
        ]
    )


def register(app: Any, data: Data) -> None:
    app.callback(Output("con-query", "value"), Input("con-example", "value"),
                 prevent_initial_call=True)(pick_example)

    @app.callback(
        Output("con-meta", "children"),
        Output("con-error", "children"),
        Output("con-table", "columns"),
        Output("con-table", "data"),
        Output("con-table-card", "style"),
        Output("con-graph", "elements"),
        Output("con-graph-card", "style"),
        Input("con-run", "n_clicks"),
        State("con-query", "value"),
        prevent_initial_call=True,
    )
    def _run(_n, cypher):
        return run(data, cypher)

    @app.callback(
        Output("con-ran", "data"),
        Output("url", "search", allow_duplicate=True),
        Input("con-run", "n_clicks"),
        State("con-query", "value"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _to_url(_n, cypher, state):
        if callback_context.triggered_id is None:  # the view was just mounted: no click
            raise PreventUpdate
        return query_search(state, cypher)

    @app.callback(
        Output("con-query", "value", allow_duplicate=True),
        Output("con-run", "n_clicks"),
        Output("con-ran", "data", allow_duplicate=True),
        Input("state", "data"),
        State("con-ran", "data"),
        State("con-run", "n_clicks"),
        prevent_initial_call="initial_duplicate",  # runs when mounted (layout.py)
    )
    def _from_url(state, ran, clicks):
        return query_from_url(state, ran, clicks)


def pick_example(name: str | None) -> str:
    """The example query picked in the dropdown."""
    if name not in EXAMPLES:
        raise PreventUpdate
    return EXAMPLES[name]


def query_search(state: dict | None, cypher: str | None) -> tuple[str, str]:
    """Run writes the query into the URL (`/console?q=...`): (the query run, query string)."""
    q = (cypher or "").strip()[:4000]
    return q, build_url({**(state or {}), "view": VIEW, "extra": {"q": q}})[1]


def query_from_url(state: dict | None, ran: str | None, clicks: int | None) -> tuple:
    """A shared URL's query: into the editor, and run (a click on Run); not the query just
    run from here, whose URL write comes back as a state change."""
    state = state or {}
    q = ((state.get("extra") or {}).get("q") or "").strip()
    if state.get("view") != VIEW or not q or q == (ran or "").strip():
        raise PreventUpdate
    return q, int(clicks or 0) + 1, q


def run(data: Data, cypher: str | None) -> tuple:
    """The Run button: (meta line, error box, table columns, table rows, table card style,
    graph elements, graph card style)."""
    hidden, shown = {"display": "none"}, {}
    if not (cypher or "").strip():
        return "", ui.error("Type a query first."), [], [], hidden, [], hidden
    try:
        res = data.console(cypher)
    except Exception as exc:  # never a 500: any failure is the answer to show (logged if a bug)
        return "", refused_or_error(exc), [], [], hidden, [], hidden
    columns = list(res.columns)
    rows = [dict(zip(columns, r, strict=False)) if not isinstance(r, dict) else r
            for r in res.rows]
    table = [{c: cell_text(row.get(c)) for c in columns} for row in rows]
    els = console_graph_elements(rows)
    meta = [f"{len(rows)} row{'s' if len(rows) != 1 else ''} in {res.elapsed_ms:.0f} ms"]
    if res.truncated:
        meta.append(html.Span(" · truncated at the row cap", className="cut"))
    if not rows:
        meta.append(" · no results")
    return (meta, None, [{"name": c, "id": c} for c in columns], table,
            shown if rows else hidden, els, shown if els else hidden)


def refused_or_error(exc: BaseException) -> Any:
    """A refused write or a Cypher error, shown as a clear message (not a traceback); any other
    exception is a bug, shown in short and logged with its traceback."""
    if isinstance(exc, GraphUnreachable):
        return ui.unavailable(str(exc)[:300])
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, UserError):
        if "read-only" in msg.lower():
            return ui.error("Refused: the console is read-only.", msg)
        return ui.error("Query failed.", msg[:1500])
    log.error("unexpected error from the console", exc_info=exc)
    return ui.error(f"Query failed ({type(exc).__name__}).", msg[:1500])


def cell_text(v: Any) -> Any:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, dict) and "labels" in v:  # a node: show its id/name
        props = v.get("properties") or {}
        return f"({':'.join(v.get('labels') or [])} {props.get('id') or props.get('name') or ''})"
    if isinstance(v, dict) and "type" in v and "start" in v:  # a relationship: type + props
        props = ", ".join(f"{k}: {x}" for k, x in (v.get("properties") or {}).items())
        return f"[:{v['type']}{' {' + props + '}' if props else ''}]"
    try:
        return json.dumps(v, default=str)[:300]
    except (TypeError, ValueError):
        return str(v)[:300]
