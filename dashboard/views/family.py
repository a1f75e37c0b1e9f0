"""Family: the members of a model's community, top terms, a word cloud and a sortable table."""

from __future__ import annotations

import logging
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import FAMILY_LIMIT, Data, Filters
from constellation.dashboard.routing import build_url, href
from constellation.dashboard.wordcloud_img import (
    cloud_data_uri,
    download_weight,
    name_word_frequencies,
)
from dash import Input, Output, callback_context, dash_table, dcc, html, no_update
from dash.exceptions import PreventUpdate

VIEW = "family"
log = logging.getLogger(__name__)

COLUMNS = [
    {"name": "Model", "id": "link", "presentation": "markdown"},
    {"name": "Downloads", "id": "downloads", "type": "numeric", "format": ui.NUMBER},
    {"name": "Likes", "id": "likes", "type": "numeric", "format": ui.NUMBER},
    {"name": "Created", "id": "created", "type": "datetime"},
    {"name": "Pipeline tag", "id": "pipeline_tag"},
    {"name": "Author", "id": "author"},
]


def layout() -> html.Div:
    table = dash_table.DataTable(
        id="fam-table",
        columns=COLUMNS,
        data=[],
        sort_action="native",
        sort_by=[{"column_id": "downloads", "direction": "desc"}],
        filter_action="native",
        page_action="native",
        page_size=15,
        markdown_options={"link_target": "_self"},
        style_as_list_view=True,
        style_cell={**ui.TABLE_CELL, "maxWidth": "420px", "overflow": "hidden",
                    "textOverflow": "ellipsis"},
        style_cell_conditional=[
            {"if": {"column_id": c}, "width": "110px"}
            for c in ("downloads", "likes")
        ],
        style_header=ui.TABLE_HEADER,
    )
    grouping = dcc.RadioItems(
        id="fam-by",
        options=[{"label": " Louvain community", "value": "community"}]
        + [{"label": f" cluster, level {lv}", "value": f"cluster:{lv}"} for lv in range(5)],
        value="community",
        inline=True,
        inputStyle={"marginLeft": "12px"},
        className="small",
    )
    return html.Div(
        [html.Div([html.Span("Family = ", className="small muted"), grouping],
                  className="row", style={"marginBottom": "6px"}),
         dcc.Loading(
            html.Div(
                [
                    html.Div(id="fam-head", className="view-head"),
                    html.Div(id="fam-body-state"),
                    html.Div(
                        [
                            html.Div([html.H4("Members"), table], className="card"),
                            html.Div(
                                [
                                    html.Div([html.H4("Top terms"), html.Div(id="fam-terms")],
                                             className="card"),
                                    html.Div([html.H4("Word cloud of member names"),
                                              html.Div(id="fam-cloud")], className="card"),
                                ]
                            ),
                        ],
                        className="grid-2",
                        id="fam-body",
                    ),
                ]
            ),
            type="circle",
            delay_show=250,
        )],
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(
        Output("fam-head", "children"),
        Output("fam-body-state", "children"),
        Output("fam-table", "data"),
        Output("fam-terms", "children"),
        Output("fam-cloud", "children"),
        Output("fam-body", "style"),
        Input("state", "data"),
        Input("fam-by", "value"),
        prevent_initial_call=True,
    )
    def _update(state, by):
        if callback_context.triggered_id == "state":  # a URL: its grouping, not the radio's
            by = ((state or {}).get("extra") or {}).get("by") or "community"
        return update(data, state, by)

    @app.callback(
        Output("fam-by", "value"),
        Output("url", "search", allow_duplicate=True),
        Input("state", "data"),
        Input("fam-by", "value"),
        prevent_initial_call=True,
    )
    def _by(state, by):
        return grouping_sync(state, by, callback_context.triggered_id)


def grouping_sync(state: dict | None, by: str | None, trigger: str | None) -> tuple:
    """The grouping <-> the URL (`by=cluster:1`): a shared URL sets the radio buttons, a click
    on them writes the URL. Returns (radio value, query string)."""
    state = state or {}
    if state.get("view") != VIEW:
        raise PreventUpdate
    in_url = (state.get("extra") or {}).get("by") or "community"
    if trigger == "fam-by":
        if (by or "community") == in_url:
            raise PreventUpdate
        extra = {**(state.get("extra") or {}), "by": by if by != "community" else None}
        return no_update, build_url({**state, "extra": extra})[1]
    if in_url == (by or "community"):
        raise PreventUpdate
    return in_url, no_update


def update(data: Data, state: dict | None, by: str | None) -> tuple:
    """The family callback: (head, state box, table rows, terms, word cloud, body style) for the
    model's community (`by` "community") or hierarchy cluster (`by` "cluster:<level>")."""
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    filters = Filters.from_dict(state.get("filters"))
    hidden = {"display": "none"}
    try:
        kind, _, level = (by or "community").partition(":")
        rows = data.family(model_id, filters, by=kind, level=int(level or 0))
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return [html.H2("Family")], ui.from_exception(exc, log), [], None, None, hidden
    info = family_info(rows)
    head = [
        html.H2(["Family ", html.Span(f"“{info['label']}”" if info["label"] else "")]),
        html.Span(["of ", dcc.Link(model_id, href=href(state, view="neighbourhood"))],
                  className="crumb"),
    ]
    members = [r for r in rows if r.get("id")]
    if not members:
        msg = "No family members match the current filters." if filters.active() else (
            "This model has no family at this level (no similar names above the threshold).")
        return head, ui.empty(msg), [], None, None, hidden
    head += [
        html.Span(className="spacer"),
        html.Div([ui.stat("members", ui.fmt_int(info["size"] or len(members))),
                  ui.stat("downloads", ui.fmt_int(info["downloads"] or sum(
                      int(r.get("downloads") or 0) for r in members)))], className="stats"),
    ]
    note = None
    if len(members) >= FAMILY_LIMIT:
        note = html.Div(f"Showing the {FAMILY_LIMIT} most downloaded members.",
                        className="small cut")
    terms, cloud = words_and_cloud(members, info)
    return head, note, table_rows(members, state), terms, cloud, {}


def table_rows(members: list[dict], state: dict) -> list[dict]:
    """The members table: one row per model, its id a link to its neighbourhood."""
    return [
        {
            "link": f"[{r['id']}]({href(state, model=r['id'], view='neighbourhood')})",
            "id": r["id"],
            "downloads": int(r.get("downloads") or 0),
            "likes": int(r.get("likes") or 0),
            "created": str(r.get("created_at") or "")[:10],
            "pipeline_tag": r.get("pipeline_tag") or "",
            "author": r.get("author") or "",
        }
        for r in members
    ]


def words_and_cloud(members: list[dict], info: dict) -> tuple[html.Div, Any]:
    """(the label's terms and the most common name words, a word cloud of the member names)."""
    freqs = name_word_frequencies([r["id"] for r in members],
                                  [download_weight(r.get("downloads")) for r in members])
    src = cloud_data_uri(freqs)
    cloud = html.Img(src=src, className="wordcloud-img", alt="word cloud") if src else \
        ui.empty("No words.")
    label_terms = info["terms"] or [t for t in str(info["label"] or "").split(" · ") if t]
    common = [f"{w} ({c:.0f})" for w, c in freqs.most_common(12)]
    terms = html.Div([
        html.Div("From the family label", className="small muted"), ui.chips(label_terms),
        html.Div("Most common in member names (weighted by downloads)",
                 className="small muted", style={"marginTop": "8px"}),
        ui.chips(common, grey=True),
    ])
    return terms, cloud


def family_info(rows: list[dict]) -> dict:
    """Label/terms/size of the family from the member rows (first row carrying them)."""
    info: dict = {"label": None, "terms": [], "size": None, "downloads": None}
    for r in rows:
        for src, dst in (("group_label", "label"), ("family_label", "label"), ("label", "label"),
                         ("terms", "terms"), ("family_terms", "terms"),
                         ("group_size", "size"), ("family_size", "size"),
                         ("family_downloads", "downloads")):
            if r.get(src) not in (None, "", []) and not info[dst]:
                info[dst] = r[src]
    return info
