"""Atlas: the top of the cluster hierarchy (drill-down dendrogram), the most common name words
(the paper's Table 1) and scatter plots of popularity, coloured by family."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import plotly.graph_objects as go
from constellation.dashboard import components as ui
from constellation.dashboard.data import WORDS_SAMPLE, Data, Filters
from constellation.dashboard.dendrogram import dendrogram_figure
from constellation.dashboard.palette import NO_FAMILY_COLOR, distinct_colors
from constellation.dashboard.routing import build_url, href
from dash import ALL, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from constellation.errors import GraphUnreachable, UserError

VIEW = "atlas"
log = logging.getLogger(__name__)
TOP_CLUSTERS = 14  # clusters drawn at the top of the hierarchy
PER_PARENT = 10  # sub-clusters (or models) drawn under each
SCATTER_FAMILIES = 10  # families with their own colour in the scatter plots
# spinners only for answers slower than this: an animated spinner repaints all the while, and
# the four of the first load cost headless Chromium ~0.3 s of CPU (bench/results/dashboard.md)
SPINNER_DELAY_MS = 250
FONT = {"family": "Liberation Sans, DejaVu Sans, Arial, sans-serif"}


def layout(first: dict | None = None) -> html.Div:
    """The view's components; `first` (`first_draw`) fills them with what they show first, so
    that the page draws each figure once, with its data, rather than a blank one first."""
    graph_cfg = {"displaylogo": False, "displayModeBar": False}
    first = first or {}
    return html.Div(
        [
            html.Div([html.H2("Atlas"),
                      html.Span("the whole graph at a glance", className="crumb")],
                     className="view-head"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div([html.H4("Hierarchy (click a cluster to drill down)"),
                                      html.Span(className="spacer"),
                                      html.Div(first.get("crumbs"), id="atlas-crumbs",
                                               className="atlas-crumbs small")],
                                     className="row"),
                            dcc.Loading(dcc.Graph(id="atlas-dendro", config=graph_cfg,
                                                  figure=first.get("dendro") or _blank()),
                                        type="circle", delay_show=SPINNER_DELAY_MS),
                        ],
                        className="card",
                    ),
                    html.Div([html.H4("Cluster"), html.Div(id="atlas-cluster",
                              children=ui.empty("Click a cluster in the dendrogram."))],
                             className="card"),
                ],
                className="grid-2",
            ),
            # one figure, two panels, one legend for both
            html.Div([html.H4("Downloads vs likes · created vs downloads"),
                      dcc.Loading(dcc.Graph(id="atlas-scatter", config=graph_cfg,
                                            figure=first.get("scatter") or _blank()),
                                  type="circle", delay_show=SPINNER_DELAY_MS)],
                     className="card", style={"marginTop": "14px"}),
            html.Div(first.get("note"), id="atlas-scatter-note", className="small muted",
                     style={"margin": "6px 2px"}),
            _words_row(first.get("words")),
            dcc.Store(id="atlas-path", data=[]),
            dcc.Store(id="atlas-loaded", data=first.get("loaded")),  # the scatter's filters
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def mounted_layout(data: Data, state: dict | None) -> html.Div:
    """The view as the page mounts it (layout.mount): with its first content."""
    return layout(first_draw(data, state))


def first_draw(data: Data, state: dict | None) -> dict:
    """What the view's callbacks would draw first for `state`, computed while it is mounted
    (its queries side by side): one round trip instead of two, and no blank figure drawn and
    then replaced (at 1M: bench/results/dashboard.md). So the callbacks that draw them do not
    run when the view is mounted (`prevent_initial_call`), only on a change: a drill path
    from the URL (`path_from_url`), other filters."""
    from concurrent.futures import ThreadPoolExecutor

    state = state or {}
    if state.get("view") != VIEW:
        return {}
    jobs = {"scatter": lambda: scatter(data, state, None),
            "words": lambda: words(data, state, None),
            "dendro": lambda: dendro(data, [], state)}
    first: dict = {}
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        for name, future in futures.items():
            try:
                out = future.result()
            except PreventUpdate:
                continue
            if name == "scatter":
                first["scatter"], first["note"], first["loaded"] = out
            elif name == "words":
                first["words"] = out
            else:
                first["dendro"], first["crumbs"] = out
    return first


def _words_row(table: Any = None) -> html.Div:
    return html.Div([html.H4("Most common words in model names (paper's Table 1)"),
                     dcc.Loading(html.Div(table, id="atlas-words"), type="circle",
                                 delay_show=SPINNER_DELAY_MS)],
                    className="card", style={"marginTop": "14px"})


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("atlas-dendro", "figure"),
        Output("atlas-crumbs", "children"),
        Input("atlas-path", "data"),
        Input("state", "data"),
        prevent_initial_call=True,  # mounted drawn (first_draw)
    )
    def _dendro(path, state):
        return dendro(data, path, state)

    @app.callback(
        Output("atlas-path", "data"),
        Output("atlas-cluster", "children"),
        Output("url", "pathname", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Input("atlas-dendro", "clickData"),
        Input({"type": "atlas-crumb", "index": ALL}, "n_clicks"),
        State("atlas-path", "data"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _drill(click, crumbs, path, state):
        return drill(data, click, crumbs, path, state, callback_context.triggered_id)

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("atlas-path", "data"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _path_to_url(path, state):
        if callback_context.triggered_id is None:  # the view was just mounted: no drill
            raise PreventUpdate
        return path_search(path, state)

    @app.callback(
        Output("atlas-path", "data", allow_duplicate=True),
        Input("state", "data"),
        State("atlas-path", "data"),
        prevent_initial_call="initial_duplicate",  # runs when mounted (layout.py)
    )
    def _url_to_path(state, path):
        return path_from_url(data, state, path)

    @app.callback(
        Output("atlas-scatter", "figure"),
        Output("atlas-scatter-note", "children"),
        Output("atlas-loaded", "data"),
        Input("state", "data"),
        State("atlas-loaded", "data"),
        prevent_initial_call=True,  # mounted drawn (first_draw)
    )
    def _scatter(state, loaded):
        return scatter(data, state, loaded)

    @app.callback(
        Output("atlas-words", "children"),
        Input("state", "data"),
        State("atlas-words", "children"),
        prevent_initial_call=True,  # mounted drawn (first_draw)
    )
    def _words(state, current):
        return words(data, state, current)

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("url", "search", allow_duplicate=True),
        Input("atlas-scatter", "clickData"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _open_point(click, state):
        return open_point(click, state)


def _path_ids(path: list[dict] | None) -> str:
    return ",".join(str(p["id"]) for p in path or [])


def path_search(path: list[dict] | None, state: dict | None) -> Any:
    """The drill path in the query string (`path=12,40`: cluster ids, top first)."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    ids = _path_ids(path)
    if ids == ((state.get("extra") or {}).get("path") or ""):
        raise PreventUpdate
    return build_url({**state, "extra": {**(state.get("extra") or {}), "path": ids}})[1]


def path_from_url(data: Data, state: dict | None, path: list[dict] | None) -> list[dict]:
    """A shared URL's drill path, its crumbs read back from the clusters (unknown ids are
    dropped)."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    wanted = (state.get("extra") or {}).get("path") or ""
    if wanted == _path_ids(path):
        raise PreventUpdate
    crumbs = []
    for raw in [x for x in wanted.split(",") if x.strip()]:
        try:
            rows = data.run("atlas_cluster", cluster=int(raw), limit=1)
        except (ValueError, UserError):
            continue
        if rows and rows[0].get("id") is not None:
            info = rows[0]
            crumbs.append({"id": int(info["id"]), "label": info.get("label"),
                           "threshold": info.get("threshold"), "level": info.get("level")})
    return crumbs


def dendro(data: Data, path: list[dict] | None, state: dict | None) -> tuple[go.Figure, Any]:
    """The dendrogram under the drill-down `path` and its breadcrumb."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    path = path or []
    # Every state change redraws (from cached queries): a drill or a crumb writes the URL,
    # which changes the state, and Dash drops the drill's answer still in flight for this
    # newer request, which therefore must draw the path rather than do nothing.
    try:
        fig = hierarchy_figure(data, path)
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return _blank(_exc_text(exc)), ui.from_exception(exc, log)
    crumbs: list[Any] = [html.A("top", id={"type": "atlas-crumb", "index": 0}, href="#")]
    for i, p in enumerate(path, start=1):
        crumbs += [" ▸ ", html.A(p.get("label") or f"cluster {p['id']}",
                                 id={"type": "atlas-crumb", "index": i}, href="#")]
    return fig, crumbs


def drill(data: Data, click: dict | None, crumbs: list | None, path: list[dict] | None,
          state: dict | None, trigger: Any) -> tuple:
    """A click in the dendrogram or on a breadcrumb: (path, cluster panel, URL path, search).

    A cluster is drilled into (and described), a model leaf opened, a crumb goes back up.
    """
    path = list(path or [])
    if isinstance(trigger, dict) and trigger.get("type") == "atlas-crumb":
        if not any(crumbs or []):
            raise PreventUpdate
        return path[: trigger["index"]], no_update, no_update, no_update
    if not click or not click.get("points"):
        raise PreventUpdate
    pid, kind = (click["points"][0].get("customdata") or [None, None])[:2]
    if pid is None:
        raise PreventUpdate
    if kind == "model":  # a model leaf: open it
        pathname, search = build_url({**(state or {}), "model": pid, "view": "neighbourhood"})
        return no_update, no_update, pathname, search
    try:
        rows = data.run("atlas_cluster", cluster=int(pid), limit=8)
    except Exception as exc:  # never a 500: the panel says what went wrong (logged if a bug)
        return no_update, ui.from_exception(exc, log), no_update, no_update
    info = rows[0] if rows else {"id": pid}
    panel = cluster_panel(info, rows, state or {})
    if any(p["id"] == pid for p in path):
        return no_update, panel, no_update, no_update
    crumb = {"id": int(pid), "label": info.get("label"), "threshold": info.get("threshold"),
             "level": info.get("level")}
    return [*path, crumb], panel, no_update, no_update


def scatter(data: Data, state: dict | None, loaded: Any) -> tuple:
    """(the scatter figure, note, loaded key); `loaded` is the filter key drawn now (not
    redrawn)."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    filters = Filters.from_dict(state.get("filters"))
    key = filters.params()
    if loaded == key:
        raise PreventUpdate
    try:
        rows, floor = data.scatter(filters)
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return _blank(_exc_text(exc)), ui.from_exception(exc, log), None
    if not rows:  # the scatter shows models with a download count only
        msg = ("No models match the filters." if filters.active()
               else "No model in this graph has a download count.")
        return _blank(msg), msg, key
    note = (f"{len(rows):,} models" + (f" with at least {floor:,} downloads" if floor else "")
            + (" matching the filters" if filters.active() else "")
            + f", coloured by their {SCATTER_FAMILIES} most common families. "
              "Click a point to open the model.")
    return scatter_figure(rows), note, key


def words(data: Data, state: dict | None, current: Any) -> Any:
    """The table of the most common name words; drawn once."""
    if (state or {}).get("view") != VIEW or current:
        raise PreventUpdate
    try:
        rows, exact = data.words()
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return ui.from_exception(exc, log)
    if not rows:
        return ui.empty("No words (empty graph).")
    return words_table(rows, exact)


WORDS_PER_COLUMN = 20


def words_table(rows: list[dict], exact: bool) -> html.Div:
    """Rank, word, models and share of names, with a bar per share (scaled to the first): a
    plain table in two columns of 20 (all 40 words at once), not a DataTable and a bar chart
    beside it, which cost the page a 0.6 MB script and a third figure (bench/results/
    dashboard.md)."""
    top = max(float(r.get("share") or 0) for r in rows) or 1.0

    def row(rank: int, r: dict) -> html.Tr:
        share = float(r.get("share") or 0)
        bar = f"{100 * share / top:.1f}%"
        return html.Tr([
            html.Td(rank, className="rank"), html.Td(r["word"], className="word"),
            html.Td(f"{int(r.get('count') or 0):,}", className="num"),
            # the bar is the cell's background: no element per bar
            html.Td(f"{100 * share:.2f} %", className="share",
                    style={"backgroundSize": f"{bar} 62%"}),
        ])

    head = html.Thead(html.Tr([html.Th("#"), html.Th("Word"), html.Th("Models"),
                               html.Th("Share of names")]))
    columns = [html.Table([head, html.Tbody([row(i + 1, r) for i, r in
                                              enumerate(rows[c:c + WORDS_PER_COLUMN], c)])],
                          className="words-table")
               for c in range(0, len(rows), WORDS_PER_COLUMN)]
    table = html.Div(columns, id="atlas-words-table", className="words-grid")
    if exact:
        return table
    return html.Div([table, html.Div(
        f"Counted from the names of the first {WORDS_SAMPLE:,} models (with the build's "
        "tokenizer): this graph holds no word table from the build.",
        className="small muted")])


def open_point(click: dict | None, state: dict | None) -> tuple[str, str]:
    """A click on a scatter point: the URL of that model's neighbourhood."""
    if not click or not click.get("points"):
        raise PreventUpdate
    mid = click["points"][0].get("customdata")
    if isinstance(mid, list):
        mid = mid[0]
    if not mid:
        raise PreventUpdate
    return build_url({**(state or {}), "model": mid, "view": "neighbourhood"})


def hierarchy_figure(data: Data, path: list[dict]) -> go.Figure:
    """Two levels under the current drill-down root (the top of the hierarchy when none)."""
    if not path:
        children = data.top_clusters(TOP_CLUSTERS)
        top = max((float(c.get("threshold") or 0) for c in children), default=0.9)
        root_h, title = min(1.0, top + 0.1), "Largest clusters at the top of the hierarchy"
    else:
        root = path[-1]
        if (root.get("level") or 0) == 0:
            children = _as_models(data.run("atlas_cluster_models", clusters=str(root["id"]),
                                           per=40))
        else:
            children = data.run("atlas_cluster_children", parents=str(root["id"]),
                                per=TOP_CLUSTERS)
        root_h = float(root.get("threshold") or 1.0)
        title = f"Inside {root.get('label') or 'cluster ' + str(root['id'])}"
    if not children:
        return _blank("No clusters here.")
    cluster_kids = [c for c in children if c.get("kind", "cluster") == "cluster"]
    lowest = [c["id"] for c in cluster_kids if (c.get("level") or 0) == 0]
    upper = [c["id"] for c in cluster_kids if (c.get("level") or 0) > 0]
    grand: list[dict] = []
    if upper:
        grand += data.run("atlas_cluster_children", parents=_ids(upper), per=PER_PARENT)
    if lowest:
        grand += _as_models(data.run("atlas_cluster_models", clusters=_ids(lowest),
                                     per=PER_PARENT))
    return dendrogram_figure(children, grand, root_height=root_h, title=title)


def _ids(ids: list) -> str:
    return ",".join(str(int(i)) for i in ids)


def _as_models(rows: list[dict]) -> list[dict]:
    return [{**r, "kind": "model", "label": r.get("name") or r["id"], "size": 1} for r in rows]


def cluster_panel(info: dict, rows: list[dict], state: dict) -> html.Div:
    models = [r for r in rows if r.get("model")]
    return html.Div([
        html.Div([ui.family_swatch(info.get("label")),
                  html.B(info.get("label") or f"cluster {info.get('id')}")]),
        html.Div(f"level {info.get('level', '?')} · cut at distance {info.get('threshold', '?')}",
                 className="small muted"),
        html.Div([ui.stat("models", ui.fmt_int(info.get("size"))),
                  ui.stat("downloads", ui.fmt_int(info.get("downloads")))], className="stats"),
        ui.chips((info.get("terms") or [])[:10]),
        html.H4("Most downloaded", style={"marginTop": "12px"}),
        html.Ul([html.Li(dcc.Link(r["model"], href=_model_href(state, r["model"])))
                 for r in models], style={"paddingLeft": "18px", "margin": 0}),
        # every member: the family view of the top model, grouped by this cluster's level
        dcc.Link(f"All {ui.fmt_int(info.get('size'))} models of this cluster →",
                 href=href(state, model=models[0]["model"], view="family",
                           extra={"by": f"cluster:{int(info.get('level') or 0)}"}),
                 className="btn small", id="atlas-all-models")
        if models else None,
    ])


def _model_href(state: dict, model_id: str) -> str:
    p, s = build_url({**state, "model": model_id, "view": "neighbourhood"})
    return p + s


# the two panels of the scatter figure: (x key, y key, x title, y title, axis suffix)
PANELS = (("downloads", "likes", "downloads", "likes", ""),
          ("created_at", "downloads", "created", "downloads", "2"))


def scatter_figure(rows: list[dict]) -> dict:
    """Downloads vs likes (left) and created vs downloads (right) in one figure, a trace per
    family in both panels, one legend entry toggling both. SVG, not WebGL: a WebGL plot costs
    headless Chromium ~1 s of set-up whatever the points, SVG ~0.4 s per 1,000 points
    (SCATTER_LIMIT; bench/results/dashboard.md). A plain dict, not `go.Figure`: plotly's
    validation of every point costs the callback time and changes nothing."""
    fams = Counter(r.get("family") for r in rows if r.get("family"))
    top = [f for f, _ in fams.most_common(SCATTER_FAMILIES)]
    groups: dict[str, list[dict]] = {f: [] for f in top}
    groups["other"] = []
    for r in rows:
        groups[r.get("family") if r.get("family") in groups else "other"].append(r)
    palette = distinct_colors(top)  # ten families in one legend: ten different colours
    dated = any(r.get("created_at") for r in rows)
    traces: list[dict] = []
    for fam, rs in groups.items():
        if not rs:
            continue
        color = NO_FAMILY_COLOR if fam == "other" else palette[fam]
        ids = [r["id"] for r in rs]
        for xkey, ykey, xtitle, ytitle, axis in PANELS:
            if xkey == "created_at" and not dated:
                continue
            traces.append({
                "type": "scatter", "mode": "markers", "name": str(fam)[:28],
                "legendgroup": str(fam), "showlegend": not axis,
                "xaxis": "x" + axis, "yaxis": "y" + axis,
                "x": [_x(r, xkey) for r in rs],
                "y": [max(int(r.get(ykey) or 0), 0) + 1 for r in rs],
                "marker": {"color": color, "size": 6,
                           "opacity": 0.75 if fam != "other" else 0.35},
                "customdata": ids,
                "hovertemplate": "<b>%{customdata}</b><br>" + xtitle + ": %{x}<br>" + ytitle
                                 + ": %{y}<extra>" + str(fam)[:40] + "</extra>",
            })
    grid = "#f0f2f5"
    layout: dict[str, Any] = {
        "height": 440, "margin": {"l": 60, "r": 10, "t": 10, "b": 50},
        "plot_bgcolor": "#fff", "paper_bgcolor": "#fff", "font": FONT,
        "legend": {"font": {"size": 10}, "itemsizing": "constant"},
        "xaxis": {"title": {"text": "downloads (+1, log)"}, "type": "log", "gridcolor": grid,
                  "domain": [0, 0.42]},
        "yaxis": {"title": {"text": "likes (+1, log)"}, "type": "log", "gridcolor": grid},
        "xaxis2": {"title": {"text": "created"}, "type": "date", "gridcolor": grid,
                   "domain": [0.52, 0.94], "anchor": "y2", "visible": dated},
        "yaxis2": {"title": {"text": "downloads (+1, log)"}, "type": "log", "gridcolor": grid,
                   "anchor": "x2", "visible": dated},
    }
    if not dated:  # no date at all: say so, not an empty axis around the year 2000
        layout["annotations"] = [{"text": "No model here has a creation date.",
                                  "showarrow": False, "xref": "paper", "yref": "paper",
                                  "x": 0.73, "y": 0.5,
                                  "font": {"size": 13, "color": "#667085"}}]
    return {"data": traces, "layout": layout}


def _x(r: dict, key: str) -> Any:
    if key == "created_at":
        return str(r.get("created_at") or "")[:19] or None
    return max(int(r.get(key) or 0), 0) + 1


def _blank(message: str = "") -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        height=300, plot_bgcolor="#fff", paper_bgcolor="#fff",
        xaxis={"visible": False}, yaxis={"visible": False},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        annotations=[{"text": message, "showarrow": False,
                      "font": {"size": 13, "color": "#667085"}}]
        if message else [],
    )
    return fig


def _exc_text(exc: BaseException) -> str:
    if isinstance(exc, GraphUnreachable):
        return "graph server not reachable"
    return "could not load: " + (str(exc)[:80] or type(exc).__name__)
