"""Model details: the Hub metadata stored in the graph, with a link to the model on the Hub."""

from __future__ import annotations

import logging
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data
from constellation.dashboard.routing import href
from constellation.loader.ingest.lineage import split_id
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

VIEW = "details"
log = logging.getLogger(__name__)


def layout() -> html.Div:
    return html.Div(
        dcc.Loading(html.Div(id="det-body"), type="circle", delay_show=250),
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("det-body", "children"),
        Input("state", "data"),
    )
    def _update(state):
        return update(data, state)


def update(data: Data, state: dict | None) -> Any:
    """The details callback: the model's card, or what is wrong."""
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    try:
        m = data.model(model_id)
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return ui.from_exception(exc, log)
    if m is None:
        return ui.empty(f"No model with id “{model_id}” in the graph.",
                        "Use the search box above to find one.")
    try:
        rows = data.run("model_properties", id=model_id)
        props = (rows[0].get("props") or {}) if rows else {}
    except Exception as exc:  # the card without the extra columns, and the reason logged
        log.warning("extra properties of %s not read: %s", model_id, exc)
        props = {}
    try:
        rows = data.run("model_joins", id=model_id, spaces_limit=SPACES_SHOWN)
        joins: Any = rows[0] if rows else {}
    except Exception as exc:  # the card without its joins, saying why
        joins = ui.from_exception(exc, log)
    return details_card(m, state, props, joins)


SPACES_SHOWN = 20  # Spaces listed (most liked first); the card says how many there are


def joins_card(joins: Any) -> html.Div:
    """Datasets, papers and Spaces of the model (`model_joins`), each a link to its page, or a
    line saying there is none; `joins` is the query's row, or an error box."""
    if not isinstance(joins, dict):
        return html.Div([html.H4("Datasets, papers, Spaces"), joins], className="card",
                        id="det-joins")
    sections = []
    for key, kind, title, none in (
            ("datasets", "dataset", "Trained on", "No dataset recorded (no dataset: tag, no "
                                                  "datasets in the card)."),
            ("papers", "paper", "Papers", "No paper cited (no arxiv: tag)."),
            ("spaces", "space", "Used by Spaces", "No Space uses this model.")):
        items = [i for i in joins.get(key) or [] if i and i.get("id")]
        total = int(joins.get("spaces_total") or 0) if key == "spaces" else len(items)
        head = f"{title} ({total:,})" if total else title
        if total > len(items):
            head += f", the {len(items)} most liked"
        body = (html.Ul([html.Li(ui.join_link(kind, i["id"])) for i in items],
                        className="join-list") if items
                else html.Div(none, className="small muted join-none"))
        sections.append(html.Div([html.H5(head), body], className=f"joins-{key}"))
    return html.Div([html.H4("Datasets, papers, Spaces"), *sections], className="card",
                    id="det-joins")


# properties the card shows already, or that are the build's bookkeeping
SHOWN = frozenset({"id", "name", "author", "downloads", "likes", "created_at", "last_modified",
                   "pipeline_tag", "library_name", "license", "tags", "family", "community",
                   "cluster", "external", "row_hash", "similar_hash", "row"})


def extra_rows(props: dict) -> list[tuple[str, str]]:
    """(name, value) of every stored property the card does not show otherwise, e.g.
    `params_millions` from the paper's CSV; numbers formatted, missing ones as "–"."""
    out = []
    for key in sorted(props):
        if key in SHOWN or key.startswith("_"):
            continue
        v = props[key]
        if isinstance(v, bool) or v is None:
            text = "–" if v is None else str(v).lower()
        elif isinstance(v, int):
            text = f"{v:,}"
        elif isinstance(v, float):
            text = f"{v:,.1f}" if v == v else "–"  # NaN: no value
        elif isinstance(v, list):
            text = ", ".join(str(x) for x in v) or "–"
        else:
            text = str(v) or "–"
        out.append((key.replace("_", " "), text))
    return out


def details_card(m: dict, state: dict, props: dict | None = None, joins: Any = None
                 ) -> html.Div:
    mid = m["id"]
    owner, name = split_id(mid)
    rows = _metadata(m, state, owner) + extra_rows(props or {})
    return html.Div(
        [
            html.Div(
                [
                    html.Div([html.Span(owner + "/" if owner else "", className="model-owner"),
                              name], className="model-title"),
                    html.Div([ui.stat("downloads", ui.fmt_int(m.get("downloads"))),
                              ui.stat("likes", ui.fmt_int(m.get("likes"))),
                              ui.stat("created", ui.fmt_date(m.get("created_at")))],
                             className="stats"),
                    html.Div([ui.hub_link(mid), ui.model_links(state, mid, but=VIEW)],
                             className="row", style={"marginTop": "8px"}),
                ],
                className="card",
            ),
            html.Div(
                [
                    html.Div([html.H4("Metadata"),
                              html.Dl([c for k, v in rows for c in (html.Dt(k), html.Dd(v))],
                                      className="kv")], className="card"),
                    html.Div([html.H4("Tags"), ui.chips(m.get("tags") or [], grey=True, limit=60)
                              if m.get("tags") else ui.empty("No tags.")], className="card"),
                ],
                className="grid-2e",
                style={"marginTop": "14px"},
            ),
            html.Div(joins_card(joins or {}), style={"marginTop": "14px"}),
        ],
        id="det-card",
    )


def _metadata(m: dict, state: dict, owner: str | None) -> list[tuple[str, Any]]:
    """(label, value) rows of the metadata card."""
    n_parents = _count(m.get("parents"))
    n_children = _count(m.get("children"))
    rows = [
        ("Author", m.get("author") or owner or "–"),
        ("Pipeline tag", m.get("pipeline_tag") or "–"),
        ("Library", m.get("library_name") or "–"),
        ("License", m.get("license") or "–"),
        ("Created", ui.fmt_date(m.get("created_at"))),
        ("Last modified", ui.fmt_date(m.get("last_modified"))),
        ("Family", html.Span([ui.family_swatch(m.get("family")), m.get("family") or "–",
                              " · ", dcc.Link("open family", href=href(state, view="family"))])),
    ]
    if m.get("cluster") is not None:
        rows.append(("Cluster", f"{m.get('cluster_label') or m.get('cluster')}"
                     + (f" ({ui.fmt_int(m['cluster_size'])} models)"
                        if m.get("cluster_size") else "")))
    if m.get("similar") is not None:
        rows.append(("Similar models", html.Span([f"{m['similar']} · ", dcc.Link(
            "open neighbourhood", href=href(state, view="neighbourhood"))])))
    rows.append(("Declared parents", html.Span([f"{n_parents}", " · " if n_parents else "",
                                                dcc.Link("open lineage",
                                                         href=href(state, view="lineage"))
                                                if n_parents else ""])))
    rows.append(("Derived models", html.Span([f"{n_children}", " · " if n_children else "",
                                              dcc.Link("open lineage",
                                                       href=href(state, view="lineage"))
                                              if n_children else ""])))
    return rows


def _count(v: object) -> int:
    if isinstance(v, list):
        return len(v)
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0
