"""Neighbourhood: the model, its similar models and lineage as a graph; click a node to expand.

Positions are computed server-side (`neighbourhood_layout`), the browser only draws them (`preset`
layout), so an expansion of a few dozen nodes renders immediately even with hundreds on screen.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import dash_cytoscape as cyto
from constellation.dashboard import components as ui
from constellation.dashboard import cyto_styles
from constellation.dashboard.data import EXPAND_LIMIT, Data, Filters
from constellation.dashboard.graph_elements import (
    colliding_ids,
    fit_label,
    node_label,
    set_classes,
    short_name,
    unique_labels,
)
from constellation.dashboard.neighbourhood_layout import (
    expand,
    expansion,
    family_counts,
    neighbourhood_elements,
    picture,
)
from constellation.dashboard.palette import distinct_colors, family_color
from constellation.dashboard.routing import build_url, href
from dash import Input, Output, Patch, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

VIEW = "neighbourhood"
log = logging.getLogger(__name__)
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
                                    html.Div([
                                        dcc.Checklist(
                                            id="nb-edges",
                                            options=[{"label": " similarity", "value": "similar"},
                                                     {"label": " lineage", "value": "lineage"}],
                                            value=["similar", "lineage"], inline=True),
                                        html.Span("min score", className="muted"),
                                        dcc.RadioItems(
                                            id="nb-min-score",
                                            options=[{"label": " any", "value": 0.0}]
                                            + [{"label": f" {s}", "value": s}
                                               for s in (0.6, 0.7, 0.8, 0.9)],
                                            value=0.0, inline=True,
                                            inputStyle={"marginLeft": "6px"}),
                                    ], className="nb-controls"),
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
                            html.Div(id="nb-hover", className="hover-box"),
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
                            html.Div([html.H4("Families on screen"),
                                      html.Div(id="nb-families", className="legend")],
                                     className="card"),
                            html.Div([html.H4("Legend"), ui.relation_legend(),
                                      html.H4("Outlines", style={"marginTop": "10px"}),
                                      ui.outline_legend()], className="card"),
                        ],
                    ),
                ],
                className="grid-2",
            ),
            dcc.Store(id="nb-key"),
            dcc.Store(id="nb-resized"),
            dcc.Store(id="nb-pic"),  # compact picture: node positions/classes, edge ids
        ],
        id=f"view-{VIEW}",
        className="view",
    )


FIT_LAYOUT = {"name": "preset", "fit": True, "padding": 30}


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("nb-graph", "elements"),
        Output("nb-status", "children"),
        Output("nb-head", "children"),
        Output("nb-key", "data"),
        Output("nb-pic", "data"),
        Output("nb-graph", "layout"),
        Output("nb-busy", "children"),
        Output("nb-families", "children"),
        Input("state", "data"),
        Input("nb-graph", "tapNode"),
        Input("nb-reset", "n_clicks"),
        Input("nb-fit", "n_clicks"),
        State("nb-key", "data"),
        State("nb-pic", "data"),
    )
    def _update(state, tap, _reset, fit, key, pic):
        trigger = callback_context.triggered_id or "state"  # None: just mounted (layout.py)
        return update(data, state, tap, fit, key, pic, trigger, replay=trigger != "nb-reset")

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("nb-pic", "data"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _url(pic, state):
        return expansions_search(state, pic)

    app.callback(
        Output("nb-graph", "stylesheet"),
        Input("nb-edges", "value"),
        Input("nb-min-score", "value"),
        prevent_initial_call=True,
    )(edge_styles)

    app.callback(
        Output("nb-node", "children"),
        Input("nb-graph", "tapNodeData"),
        State("state", "data"),
        prevent_initial_call=True,
    )(node_panel)


def expanded_ids(pic: dict | None) -> list[str]:
    """The expanded nodes of a picture other than the centre, in the order they were added."""
    nodes = (pic or {}).get("nodes") or {}
    return [nid for nid, v in sorted(nodes.items(), key=lambda kv: kv[1][2])
            if "expanded" in v[3].split() and "centre" not in v[3].split()]


def expansions_search(state: dict | None, pic: dict | None) -> Any:
    """The query string with the picture's expansions (`expand=a,b`), so the URL restores
    them; no_update when it says that already."""
    state = state or {}
    if state.get("view") != VIEW or not pic:
        raise PreventUpdate
    extra = {**(state.get("extra") or {}), "expand": ",".join(expanded_ids(pic))}
    _, search = build_url({**state, "extra": extra})
    return search if extra["expand"] != (state.get("extra") or {}).get("expand", "") \
        else no_update


def update(data: Data, state: dict | None, tap: dict | None, fit: int | None, key: Any,
           pic: dict | None, trigger: str | None, replay: bool = True) -> tuple:
    """The neighbourhood callback: draw the model's neighbourhood (a new model or new filters),
    expand a tapped node (a patch of the drawn elements), refit (Fit), or redraw (Reset).

    `trigger` is the id of the input that fired; `key` ([model, filter params]) and `pic`
    (`neighbourhood_layout.picture`) describe what is drawn now.
    """
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    filters = Filters.from_dict(state.get("filters"))
    new_key = [model_id, filters.params()]
    if trigger == "nb-fit":
        return (*[no_update] * 5, {**FIT_LAYOUT, "n": fit}, no_update, no_update)
    try:
        if trigger == "nb-graph" and tap and key == new_key and pic:
            return _expand_tapped(data, pic, (tap.get("data") or {}).get("id"), filters)
        if key == new_key and trigger == "state" and pic:
            raise PreventUpdate  # same model + filters: keep the user's expansions
        return _draw(data, state, model_id, filters, new_key, replay)
    except PreventUpdate:
        raise
    except Exception as exc:  # never a 500: the error takes the graph's place (logged if a bug)
        # a bare heading: the model may well exist, the error box says what went wrong
        return ([], ui.from_exception(exc, log), [html.H2(model_id)], None, None,
                FIT_LAYOUT, "", None)


def _expand_tapped(data: Data, pic: dict, node_id: str | None, filters: Filters) -> tuple:
    if not node_id or node_id not in pic["nodes"]:
        raise PreventUpdate
    if "expanded" in pic["nodes"][node_id][3].split():
        raise PreventUpdate
    patch, pic, added, cut, hidden = expand_picture(data, pic, node_id, filters)
    status = _status(pic, cut, f"expanded {short_name(node_id)}: "
                     f"+{added} node{'s' if added != 1 else ''}", hidden=hidden)
    # a patch: only the new elements and the changed classes travel to the browser
    return (patch, status, no_update, no_update, pic, {"name": "preset", "fit": False}, "",
            family_legend(pic))


def _draw(data: Data, state: dict, model_id: str, filters: Filters, new_key: list,
          replay: bool = True) -> tuple:
    centre = data.model(model_id)
    if centre is None:
        return [], "", _head(model_id, state, None), new_key, None, FIT_LAYOUT, "", None
    rows, edges, hidden = data.related(model_id, filters)
    els, cut = neighbourhood_elements(centre, rows, edges, cap=MAX_NODES)
    # a shared URL's expansions, replayed in their order (ids no longer on screen are skipped)
    wanted = [i for i in ((state.get("extra") or {}).get("expand") or "").split(",") if i]
    for nid in wanted if replay else []:
        shown = [el["data"]["id"] for el in els if "source" not in el["data"]]
        if nid not in shown:
            continue
        more, more_edges, _ = data.related(nid, filters, limit=EXPAND_LIMIT, shown=shown)
        els = [restore_new(el) for el in els]
        els, _, n_cut = expand(els, nid, more, more_edges, cap=MAX_NODES)
        cut += n_cut
    if wanted and replay:
        unique_labels(els)
    colors = recolor(els, {})
    pic = picture(els)
    pic["colors"] = colors
    status = _status(pic, cut, None, filters, hidden=hidden)
    if len(els) == 1:
        status = html.Span(["No similar models or lineage for this model",
                            " with the current filters." if filters.active() else ".",
                            ])
    return (els, status, _head(model_id, state, centre), new_key, pic, FIT_LAYOUT, "",
            family_legend(pic))


def restore_new(el: dict) -> dict:
    """An element without the "new" mark (only the latest expansion's nodes keep it)."""
    cls = str(el.get("classes") or "")
    if "new" in cls.split():
        el = {**el, "data": dict(el["data"])}
        set_classes(el, " ".join(c for c in cls.split() if c != "new"))
    return el


def edge_styles(kinds: list[str] | None, min_score: float | None) -> list[dict]:
    """The graph's stylesheet with the edge kinds switched off and the similarity links below
    `min_score` hidden (styles only: nothing is asked of the server, the picture stays)."""
    return cyto_styles.neighbourhood(show_similar="similar" in (kinds or []),
                                     show_lineage="lineage" in (kinds or []),
                                     min_score=float(min_score or 0.0))


def node_panel(node: dict | None, state: dict | None) -> html.Div:
    """The side panel of a tapped node: its numbers and links to centre on it or open it."""
    if not node:
        raise PreventUpdate
    nid = node["id"]
    st = state or {}
    return html.Div(
        [
            html.Div([ui.family_swatch(node.get("family")), html.B(nid)],
                     style={"wordBreak": "break-all"}),
            html.Div(node.get("family") or "no family", className="small muted"),
            html.Div([ui.stat("downloads", node.get("downloads_text") or "–"),
                      ui.stat("likes", ui.fmt_int(node.get("likes")))], className="stats"),
            html.Div(node.get("pipeline_tag") or "", className="small muted"),
            html.Div(
                [
                    dcc.Link("Centre on this model", href=href(st, model=nid, view=VIEW),
                             className="btn small primary", id="nb-open"),
                ],
                className="row",
                style={"marginTop": "10px"},
            ),
            ui.model_links(st, nid, but=VIEW),
        ]
    )


def expand_picture(data: Data, pic: dict, node_id: str, filters: Filters
                   ) -> tuple[Patch, dict, int, int, int]:
    """Expand `node_id` in the drawn picture `pic` (see `neighbourhood_layout.picture`).

    Returns (patch of the Cytoscape elements, updated picture, nodes added, neighbours cut by
    the cap, links left out by the query limits).
    """
    nodes = {k: list(v) for k, v in pic["nodes"].items()}
    edge_ids = list(pic["edges"])
    rows, edges, hidden = data.related(node_id, filters, limit=EXPAND_LIMIT, shown=list(nodes))
    added, cut = expansion({k: (v[0], v[1]) for k, v in nodes.items()}, set(edge_ids),
                              node_id, rows, edges, cap=MAX_NODES)
    patch = Patch()

    def set_classes(nid: str, cls: str) -> None:
        i = nodes[nid][2]
        patch[i]["classes"] = cls
        patch[i]["data"]["cls"] = cls  # Cytoscape hands elements back without `classes`
        nodes[nid][3] = cls

    for nid in pic.get("new", []):  # only the latest expansion stays highlighted
        if nid in nodes:
            set_classes(nid, " ".join(c for c in nodes[nid][3].split() if c != "new"))
    set_classes(node_id, " ".join([*nodes[node_id][3].split(), "expanded"]).strip())
    # labels stay unique on screen: new nodes, and old ones whose name a new node shares
    old_clash = colliding_ids(nodes)
    clash = colliding_ids([*nodes, *(el["data"]["id"] for el in added
                                     if "source" not in el["data"])])
    for nid in sorted((clash - old_clash) & set(nodes)):
        patch[nodes[nid][2]]["data"]["label"] = fit_label(node_label(nid, True))
    for el in added:
        if "source" not in el["data"]:
            el["data"]["label"] = fit_label(node_label(el["data"]["id"],
                                                       el["data"]["id"] in clash))
    colors = recolor(added, pic.get("colors") or {})
    size, new_ids = pic["size"], []
    for el in added:
        patch.append(el)
        if "source" in el["data"]:
            edge_ids.append(el["data"]["id"])
        else:
            p = el["position"]
            nodes[el["data"]["id"]] = [p["x"], p["y"], size, el["classes"],
                                       el["data"].get("family") or ""]
            new_ids.append(el["data"]["id"])
        size += 1
    return patch, {"nodes": nodes, "edges": edge_ids, "size": size, "new": new_ids,
                   "colors": colors}, \
        len(new_ids), cut, hidden


def recolor(elements: list[dict], taken: dict[str, str]) -> dict[str, str]:
    """Give the family nodes of `elements` colours no other family on screen has (`taken`:
    the families drawn already); returns the colours of every family on screen."""
    fams = Counter(el["data"].get("family") for el in elements
                   if "source" not in el["data"] and el["data"].get("family"))
    colors = distinct_colors([f for f, _ in fams.most_common()], taken)
    for el in elements:
        fam = el["data"].get("family")
        if "source" not in el["data"] and fam:
            el["data"]["color"] = colors[fam]
    return colors


def family_legend(pic: dict) -> list:
    colors = pic.get("colors") or {}
    rows = [html.Div([html.Span(className="legend-dot",
                                style={"background": colors.get(fam) or family_color(fam)}),
                      html.Span(fam), html.Span(f"{n}", className="muted small")],
                     className="legend-row")
            for fam, n in family_counts(pic)]
    return rows or [html.Div("No family labels.", className="hint")]


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


def _status(pic: dict, cut: int, note: str | None,
            filters: Filters | None = None, hidden: int = 0) -> html.Span:
    n_expanded = sum(1 for v in pic["nodes"].values() if "expanded" in v[3].split())
    parts: list = [html.B(f"{len(pic['nodes'])}"), " models · ", html.B(f"{len(pic['edges'])}"),
                   " edges · ", f"{n_expanded} expanded"]
    if note:
        parts += [" · ", note]
    if cut:
        parts += [" · ", html.Span(f"view capped at {MAX_NODES} models: {cut} more not shown",
                                   className="cut")]
    if hidden:
        parts += [" · ", html.Span(f"{hidden} weaker links of this model not shown "
                                   "(strongest per kind first)", className="cut")]
    if filters is not None and filters.active():
        parts += [" · ", html.Span("filters apply to neighbours", className="filter-note")]
    parts += [html.Span(" — click a node to expand it", className="hint")]
    return html.Span(parts)
