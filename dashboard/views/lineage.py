"""Lineage: declared ancestors above the model, descendants below, as a layered tree."""

from __future__ import annotations

import logging
from typing import Any

import dash_cytoscape as cyto
from constellation.dashboard import components as ui
from constellation.dashboard import cyto_styles
from constellation.dashboard.data import LINEAGE_LIMIT, Data
from constellation.dashboard.graph_elements import counts
from constellation.dashboard.lineage_layout import lineage_elements
from constellation.dashboard.routing import href
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

VIEW = "lineage"
log = logging.getLogger(__name__)


def layout() -> html.Div:
    return html.Div(
        [
            html.Div(id="lin-head", className="view-head"),
            html.Div(
                [
                    html.Div(
                        [
                            dcc.Loading(
                                cyto.Cytoscape(
                                    id="lin-graph",
                                    elements=[],
                                    layout={"name": "preset", "fit": True, "padding": 30},
                                    stylesheet=cyto_styles.LINEAGE,
                                    className="graph",
                                    style={"width": "100%", "height": "640px"},
                                    minZoom=0.05,
                                    maxZoom=1.2,
                                    wheelSensitivity=0.25,
                                ),
                                type="circle",
                                delay_show=250,
                            ),
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
                            html.Div([html.H4("Legend"), ui.relation_legend(with_similar=False),
                                      html.Div("Parents above, derived models below.",
                                               className="hint")], className="card"),
                        ]
                    ),
                ],
                className="grid-2",
            ),
            dcc.Store(id="lin-key"),
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
        Input("state", "data"),
        State("lin-key", "data"),
        prevent_initial_call=True,
    )
    def _update(state, key):
        return update(data, state, key)

    app.callback(
        Output("lin-node", "children"),
        Input("lin-graph", "tapNodeData"),
        State("state", "data"),
        prevent_initial_call=True,
    )(node_panel)


def update(data: Data, state: dict | None, key: str | None) -> tuple:
    """The lineage callback: (elements, status, head, key) of the model's lineage tree; `key`
    is the model drawn now (not redrawn)."""
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    if key == model_id:
        raise PreventUpdate
    head = [html.H2(["Lineage of ", html.Span(model_id, style={"wordBreak": "break-all"})]),
            html.Span("declared base_model relations", className="crumb")]
    if any((state.get("filters") or {}).values()):
        head.append(html.Span("the filters do not apply here: a tree needs all its links",
                              className="filter-note"))
    try:
        centre = data.model(model_id)
        rows = data.lineage(model_id) if centre is not None else []
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return [], ui.from_exception(exc, log), head, None
    if centre is None:
        return [], ui.empty(f"No model with id “{model_id}” in the graph."), head, None
    nodes, edges = split_lineage(rows)
    nodes.append(centre)
    els = lineage_elements(model_id, nodes, edges)
    return els, lineage_status(els), head, model_id


def lineage_status(els: list[dict]) -> html.Span:
    """The line under the tree: how many ancestors, descendants and relations it shows."""
    _, n_edges = counts(els)
    if n_edges == 0:
        return html.Span("No declared parents or derived models for this model.")
    up = sum(1 for el in els if "ancestor" in str(el.get("classes")))
    down = sum(1 for el in els if "descendant" in str(el.get("classes")))
    status = html.Span([html.B(up), " ancestors · ", html.B(down), " descendants · ",
                        html.B(n_edges), " relations"])
    if max(up, down) >= LINEAGE_LIMIT:
        status.children.append(html.Span(
            f" · capped at {LINEAGE_LIMIT} models per direction: more not shown",
            className="cut"))
    return status


def node_panel(node: dict | None, state: dict | None) -> html.Div:
    """The side panel of a tapped node: its numbers and links to its lineage and details."""
    if not node:
        raise PreventUpdate
    st = state or {}
    nid = node["id"]
    return html.Div([
        html.Div([ui.family_swatch(node.get("family")), html.B(nid)],
                 style={"wordBreak": "break-all"}),
        html.Div([ui.stat("downloads", ui.fmt_int(node.get("downloads"))),
                  ui.stat("likes", ui.fmt_int(node.get("likes")))], className="stats"),
        html.Div([
            dcc.Link("Lineage of this model", href=href(st, model=nid, view=VIEW),
                     className="btn small primary"),
            dcc.Link("Details", href=href(st, model=nid, view="details"),
                     className="btn small"),
        ], className="row"),
    ])


def split_lineage(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """`lineage` rows (one per related model, with the edge that reaches it) ->
    (node rows, edge rows `child`, `parent`, `relation`)."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    for r in rows:
        if r.get("child") and r.get("parent"):
            edges.append({"child": r["child"], "parent": r["parent"],
                          "relation": r.get("relation")})
        if r.get("id"):
            nodes[r["id"]] = {**nodes.get(r["id"], {}), **r}
    return list(nodes.values()), edges
