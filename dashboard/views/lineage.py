"""Lineage: the declared ancestors as a chain on top, the model, and its derived models grouped
by relation below (each group with its count, members by downloads, "show 50 more")."""

from __future__ import annotations

import logging
from typing import Any

import dash_cytoscape as cyto
from constellation.dashboard import components as ui
from constellation.dashboard import cyto_styles
from constellation.dashboard.data import Data
from constellation.dashboard.lineage_layout import (
    FIRST_PAGE,
    MORE,
    graph_height,
    lineage_elements,
    relation_label,
)
from constellation.dashboard.palette import RELATION_STYLES
from dash import ALL, Input, Output, State, callback_context, dcc, html
from dash.exceptions import PreventUpdate

VIEW = "lineage"
GRAPH_STYLE = {"width": "100%", "height": "640px"}
log = logging.getLogger(__name__)


def layout() -> html.Div:
    return html.Div(
        [
            html.Div(id="lin-head", className="view-head"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(
                                [
                                    dcc.Checklist(
                                        id="lin-likely",
                                        options=[{"label": " likely parents (inferred)",
                                                  "value": "likely"}],
                                        value=[], inline=True, className="small"),
                                    dcc.Loading(html.Span(id="lin-busy"), type="dot",
                                                delay_show=150, className="busy"),
                                ],
                                className="graph-toolbar",
                            ),
                            cyto.Cytoscape(
                                id="lin-graph",
                                elements=[],
                                layout={"name": "preset", "fit": True, "padding": 30},
                                stylesheet=cyto_styles.LINEAGE,
                                className="graph",
                                style=GRAPH_STYLE,
                                minZoom=0.05,
                                maxZoom=1.2,
                                wheelSensitivity=0.25,
                                autoungrabify=True,
                            ),
                            html.Div(id="lin-hover", className="hover-box"),
                            html.Div(id="lin-status", className="graph-status"),
                        ],
                        className="graph-wrap",
                    ),
                    html.Div(
                        [
                            html.Div([html.H4("Selected node"), html.Div(
                                id="lin-node",
                                children=ui.empty("Click a model to see it here."))],
                                className="card"),
                            html.Div([html.H4("Derived models"), html.Div(id="lin-groups")],
                                     className="card"),
                            html.Div([html.H4("Legend"), ui.relation_legend(with_similar=False),
                                      html.Div([html.Span(className="legend-line likely-line"),
                                                html.Span("likely parent (inferred; hover: "
                                                          "score)")],
                                               className="legend-row legend"),
                                      html.Div("Ancestors above; derived models below, one "
                                               "column per relation, most downloaded first.",
                                               className="hint")], className="card"),
                        ]
                    ),
                ],
                className="grid-2",
            ),
            dcc.Store(id="lin-key"),
            dcc.Store(id="lin-resized"),
            dcc.Store(id="lin-pages"),  # {"model": id, "pages": {relation: children shown}}
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("lin-graph", "elements"),
        Output("lin-status", "children"),
        Output("lin-head", "children"),
        Output("lin-key", "data"),
        Output("lin-groups", "children"),
        Output("lin-busy", "children"),
        Output("lin-graph", "style"),
        Input("state", "data"),
        Input("lin-pages", "data"),
        Input("lin-likely", "value"),
        State("lin-key", "data"),
    )
    def _update(state, pages, likely, key):
        return update(data, state, key, pages, bool(likely))

    @app.callback(
        Output("lin-pages", "data"),
        Input({"type": "lin-more", "rel": ALL}, "n_clicks"),
        State("lin-pages", "data"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _more(clicks, pages, state):
        trig = callback_context.triggered_id
        if not trig or not any(clicks or []):
            raise PreventUpdate
        if not callback_context.triggered or not callback_context.triggered[0].get("value"):
            raise PreventUpdate  # a button that was just drawn
        return more_pages(pages, (state or {}).get("model"), trig["rel"])

    app.callback(
        Output("lin-node", "children"),
        Input("lin-graph", "tapNodeData"),
        State("state", "data"),
        prevent_initial_call=True,
    )(node_panel)


def more_pages(pages: dict | None, model_id: str | None, relation: str) -> dict:
    """The children shown per relation after one more "show 50 more" of `relation`."""
    shown = dict((pages or {}).get("pages") or {}) \
        if (pages or {}).get("model") == model_id else {}
    shown[relation] = int(shown.get(relation) or FIRST_PAGE) + MORE
    return {"model": model_id, "pages": shown}


def update(data: Data, state: dict | None, key: Any, pages: dict | None = None,
           likely: bool = False) -> tuple:
    """The lineage callback: (elements, status, head, key, groups card, busy) of the model's
    lineage; `key` is what is drawn now ([model, pages, likely]), not redrawn."""
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    shown = (pages or {}).get("pages") or {} if (pages or {}).get("model") == model_id else {}
    new_key = [model_id, shown, likely]
    if key == new_key:
        raise PreventUpdate
    head = [html.H2(["Lineage of ", html.Span(model_id, style={"wordBreak": "break-all"})]),
            html.Span("declared base_model relations", className="crumb"),
            html.Span(className="spacer"), ui.model_links(state, model_id, but=VIEW)]
    if any((state.get("filters") or {}).values()):
        head.append(html.Span("the filters do not apply here: a tree needs all its links",
                              className="filter-note"))
    try:
        centre = data.model(model_id)
        ancestors, groups, inferred = (data.lineage_view(model_id, shown, likely,
                                                         FIRST_PAGE, MORE)
                                       if centre is not None else ([], [], []))
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return [], ui.from_exception(exc, log), head, None, None, "", GRAPH_STYLE
    if centre is None:
        return ([], ui.empty(f"No model with id “{model_id}” in the graph."), head, None, None,
                "", GRAPH_STYLE)
    els = lineage_elements(centre, ancestors, groups, inferred)
    status = lineage_status(ancestors, groups, inferred, likely)
    style = {"width": "100%", "height": f"{graph_height(els)}px"}
    return els, status, head, new_key, groups_card(groups), "", style


def lineage_status(ancestors: list[dict], groups: list[dict], inferred: list[dict],
                   likely: bool) -> html.Span:
    """The line under the graph: ancestors, derived models per relation, and what is drawn."""
    total = sum(int(g.get("total") or 0) for g in groups)
    if not ancestors and not total and not inferred:
        msg = "No declared parents or derived models for this model."
        if likely:
            msg = msg[:-1] + ", and no likely parents."
        return html.Span(msg)
    drawn = sum(len(g.get("children") or []) for g in groups)
    parts: list = [html.B(f"{len(ancestors):,}"), " ancestors · ", html.B(f"{total:,}"),
                   " direct descendants"]
    if groups:
        parts.append(" (" + " · ".join(f"{relation_label(g['relation'])} {g['total']:,}"
                                       for g in groups) + ")")
    if drawn < total:
        parts += [" · ", html.Span(f"showing {drawn:,} of {total:,}: the most downloaded of "
                                   "each relation (“show 50 more” in the panel)",
                                   className="cut")]
    if likely:
        parts += [" · ", f"{len(inferred)} likely parent{'s' if len(inferred) != 1 else ''}"]
    return html.Span(parts)


def groups_card(groups: list[dict]) -> html.Div:
    """Each relation with its count, its most downloaded members and a "show 50 more"."""
    if not groups:
        return ui.empty("No derived models.")
    rows = []
    for g in groups:
        rel, total, kids = g["relation"], int(g["total"]), g.get("children") or []
        color = RELATION_STYLES.get(rel, RELATION_STYLES["unknown"])[0]
        rows.append(html.Div([
            html.Span(className="legend-dot", style={"background": color}),
            html.B(relation_label(rel)), html.Span(f" {total:,}", className="group-total"),
            html.Span(f"  showing {len(kids):,}", className="muted small"),
            html.Button(f"show {min(MORE, total - len(kids))} more",
                        id={"type": "lin-more", "rel": rel}, n_clicks=0,
                        className="btn small") if len(kids) < total else None,
        ], className="legend-row lin-group", **{"data-relation": rel}))
    return html.Div(rows)


def node_panel(node: dict | None, state: dict | None) -> html.Div:
    """The side panel of a tapped node: its numbers and one-click links to its views."""
    if not node or node.get("kind") == "group":
        raise PreventUpdate
    st = state or {}
    nid = node["id"]
    return html.Div([
        html.Div([ui.family_swatch(node.get("family")), html.B(nid)],
                 style={"wordBreak": "break-all"}),
        html.Div(node.get("family") or "no family", className="small muted"),
        html.Div([ui.stat("downloads", node.get("downloads_text") or "–"),
                  ui.stat("likes", ui.fmt_int(node.get("likes"))),
                  ui.stat("derived", ui.fmt_int(node.get("children")))
                  if node.get("children") is not None else None], className="stats"),
        ui.model_links(st, nid),
    ])
