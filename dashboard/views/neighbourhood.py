"""Neighbourhood: the model, its similar models and lineage as a graph; click a node to expand.

Positions are computed server-side (`graph_elements`), the browser only draws them (`preset`
layout), so an expansion of a few dozen nodes renders immediately even with hundreds on screen.
"""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from constellation.dashboard import components as ui
from constellation.dashboard import cyto_styles
from constellation.dashboard import graph_elements as ge
from constellation.dashboard.data import RELATED_LIMIT, Data, Filters
from constellation.dashboard.routing import href
from dash import Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

VIEW = "neighbourhood"
MAX_NODES = 400  # cap on nodes in the picture; expansions beyond it are cut (and said so)


def layout() -> html.Div:
    return html.Div(
        [
            html.Div(id="nb-head", className="view-head"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Button("Fit", id="nb-fit", className="btn small"),
                                    html.Button("Reset", id="nb-reset", className="btn small"),
                                    # the loading indicator wraps a tiny output, not the graph:
                                    # re-rendering the graph's wrapper would cost each click
                                    dcc.Loading(html.Span(id="nb-busy"), type="dot",
                                                delay_show=150, className="busy"),
                                ],
                                className="graph-toolbar",
                            ),
                            cyto.Cytoscape(
                                id="nb-graph",
                                elements=[],
                                layout={"name": "preset", "fit": True, "padding": 30},
                                stylesheet=cyto_styles.NEIGHBOURHOOD,
                                className="graph",
                                style={"width": "100%", "height": "640px"},
                                minZoom=0.08,
                                maxZoom=1.6,
                                wheelSensitivity=0.25,
                                boxSelectionEnabled=False,
                            ),
                            html.Div(id="nb-status", className="graph-status"),
                        ],
                        className="graph-wrap",
                    ),
                    html.Div(
                        [
                            html.Div([html.H4("Selected node"),
                                      html.Div(id="nb-node", children=ui.empty(
                                          "Click a node to expand it.",
                                          "Its similar models and lineage are added around it."))],
                                     className="card"),
                            html.Div([html.H4("Legend"), ui.relation_legend()], className="card"),
                        ],
                    ),
                ],
                className="grid-2",
            ),
            dcc.Store(id="nb-key"),
            dcc.Store(id="nb-expanded", data=[]),
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("nb-graph", "elements"),
        Output("nb-status", "children"),
        Output("nb-head", "children"),
        Output("nb-key", "data"),
        Output("nb-expanded", "data"),
        Output("nb-graph", "layout"),
        Output("nb-busy", "children"),
        Input("state", "data"),
        Input("nb-graph", "tapNode"),
        Input("nb-reset", "n_clicks"),
        Input("nb-fit", "n_clicks"),
        State("nb-graph", "elements"),
        State("nb-key", "data"),
        State("nb-expanded", "data"),
        prevent_initial_call=True,
    )
    def update(state, tap, _reset, _fit, elements, key, expanded):
        state = state or {}
        trigger = callback_context.triggered_id
        model_id = state.get("model")
        if state.get("view") != VIEW or not model_id:
            raise PreventUpdate
        filters = Filters.from_dict(state.get("filters"))
        new_key = [model_id, filters.params()]
        fit_layout = {"name": "preset", "fit": True, "padding": 30}
        if trigger == "nb-fit":
            return (no_update, no_update, no_update, no_update, no_update,
                    {**fit_layout, "n": _fit}, no_update)
        try:
            if trigger == "nb-graph" and tap and key == new_key:
                node_id = (tap.get("data") or {}).get("id")
                if not node_id or node_id in (expanded or []):
                    raise PreventUpdate
                shown = [el["data"]["id"] for el in elements or [] if "source" not in el["data"]]
                rows, edges, hidden = data.related(node_id, filters, shown=shown)
                els, added, cut = ge.expand(elements or [], node_id, rows, edges, cap=MAX_NODES)
                new_ids = {el["data"]["id"] for el in els[len(elements or []):]
                           if "source" not in el["data"]}
                els = ge.mark_new(els, new_ids)
                expanded = [*(expanded or []), node_id]
                status = _status(els, expanded, cut, f"expanded {ge.short_name(node_id)}: "
                                 f"+{added} node{'s' if added != 1 else ''}", hidden=hidden)
                # keep the current viewport: the preset layout re-run without fitting
                return (els, status, no_update, no_update, expanded,
                        {"name": "preset", "fit": False}, "")
            if key == new_key and trigger == "state" and elements:
                raise PreventUpdate  # same model + filters: keep the user's expansions
            centre = data.model(model_id)
            if centre is None:
                return [], "", _head(model_id, state, None), new_key, [], fit_layout, ""
            rows, edges, hidden = data.related(model_id, filters)
            els, cut = ge.neighbourhood_elements(centre, rows, edges, cap=MAX_NODES)
            status = _status(els, [model_id], cut, None, filters, hidden=hidden)
            if len(els) == 1:
                status = html.Span(["No similar models or lineage for this model",
                                    " with the current filters." if filters.active() else ".",
                                    ])
            return (els, status, _head(model_id, state, centre), new_key, [model_id], fit_layout,
                    "")
        except PreventUpdate:
            raise
        except Exception as exc:  # shown in place of the graph, with what to do
            return ([], ui.from_exception(exc), _head(model_id, state, None), None, [],
                    fit_layout, "")

    @app.callback(
        Output("nb-node", "children"),
        Input("nb-graph", "tapNodeData"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def node_panel(node, state):
        if not node:
            raise PreventUpdate
        nid = node["id"]
        st = state or {}
        return html.Div(
            [
                html.Div([ui.family_swatch(node.get("family")), html.B(nid)],
                         style={"wordBreak": "break-all"}),
                html.Div(node.get("family") or "no family", className="small muted"),
                html.Div([ui.stat("downloads", ui.fmt_int(node.get("downloads"))),
                          ui.stat("likes", ui.fmt_int(node.get("likes")))], className="stats"),
                html.Div(node.get("pipeline_tag") or "", className="small muted"),
                html.Div(
                    [
                        dcc.Link("Centre on this model", href=href(st, model=nid, view=VIEW),
                                 className="btn small primary", id="nb-open"),
                        dcc.Link("Details", href=href(st, model=nid, view="details"),
                                 className="btn small"),
                    ],
                    className="row",
                    style={"marginTop": "10px"},
                ),
            ]
        )


def _head(model_id: str, state: dict, centre: dict | None) -> list:
    if centre is None:
        return [html.H2(model_id), ui.empty(f"No model with id “{model_id}” in the graph.",
                                            "Use the search box above to find one.")]
    return [
        html.H2(["Neighbourhood of ", html.Span(model_id, style={"wordBreak": "break-all"})]),
        html.Span(centre.get("family") or "", className="crumb"),
        html.Span(className="spacer"),
        ui.hub_link(model_id),
    ]


def _status(els: list, expanded: list, cut: int, note: str | None,
            filters: Filters | None = None, hidden: int = 0) -> html.Span:
    n_nodes, n_edges = ge.counts(els)
    parts: list = [html.B(f"{n_nodes}"), " models · ", html.B(f"{n_edges}"), " edges · ",
                   f"{len(expanded)} expanded"]
    if note:
        parts += [" · ", note]
    if cut:
        parts += [" · ", html.Span(f"view capped at {MAX_NODES} models: {cut} more not shown",
                                   className="cut")]
    if hidden:
        parts += [" · ", html.Span(f"{hidden} weaker links of this model not shown (top "
                                   f"{RELATED_LIMIT} per kind)", className="cut")]
    if filters is not None and filters.active():
        parts += [" · ", html.Span("filters apply to neighbours", className="filter-note")]
    parts += [html.Span(" — click a node to expand it", className="hint")]
    return html.Span(parts)
