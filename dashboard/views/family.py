"""Family: the members of a model's community, top terms, a word cloud and a sortable table."""

from __future__ import annotations

import logging
import math
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data, Filters
from constellation.dashboard.routing import build_url, href
from constellation.dashboard.wordcloud_img import (
    cloud_data_uri,
    download_weight,
    name_word_frequencies,
)
from dash import Input, Output, State, callback_context, dash_table, dcc, html, no_update
from dash.exceptions import PreventUpdate

VIEW = "family"
PAGE = 50  # members per page of the table
COUNT_CAP = 1000  # members counted under filters (family.cypher's largest page)
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
        sort_action="custom",  # within the page (the server pages by downloads)
        sort_by=[{"column_id": "downloads", "direction": "desc"}],
        page_action="custom",  # pages come from the server (family.cypher's skip/limit)
        page_current=0,
        page_size=PAGE,
        page_count=1,
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
                                    html.Div([html.H4("Trained on"),
                                              html.Div(id="fam-datasets")], className="card"),
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
        Output("fam-table", "page_count"),
        Output("fam-table", "page_current"),
        Output("fam-datasets", "children"),
        Input("state", "data"),
        Input("fam-by", "value"),
        Input("fam-table", "page_current"),
        Input("fam-table", "sort_by"),
    )
    def _update(state, by, page, sort_by):
        trigger = callback_context.triggered_id or "state"  # None: just mounted (layout.py)
        if trigger == "state":  # a URL: its grouping, not the radio's
            by = ((state or {}).get("extra") or {}).get("by") or "community"
        out = update(data, state, by, int(page or 0) if trigger == "fam-table" else 0)
        rows = sort_rows(out[2], sort_by)
        if trigger == "fam-table":  # another page or order: the head, terms and cloud stay
            return (no_update, out[1], rows, no_update, no_update, out[5], out[6], no_update,
                    no_update)
        return (*out[:2], rows, *out[3:7], 0, trained_on(data, state, by))

    # two callbacks, not one: one with the URL as output would run (and fail on the missing
    # radio buttons) at each state change before the view is mounted
    @app.callback(Output("fam-by", "value"), Input("state", "data"), State("fam-by", "value"))
    def _by_from_url(state, by):
        return grouping_sync(state, by, "state")[0]

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("fam-by", "value"),
        State("state", "data"),
        prevent_initial_call=True,
    )
    def _by_to_url(by, state):
        if callback_context.triggered_id is None:  # the view was just mounted: no click
            raise PreventUpdate
        return grouping_sync(state, by, "fam-by")[1]


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


def update(data: Data, state: dict | None, by: str | None, page: int = 0) -> tuple:
    """The family callback: (head, state box, table rows, terms, word cloud, body style, page
    count) for page `page` (PAGE members, most downloaded first) of the model's community
    (`by` "community") or hierarchy cluster (`by` "cluster:<level>"). The head counts the
    members the filters let through, not the whole group."""
    state = state or {}
    model_id = state.get("model")
    if state.get("view") != VIEW or not model_id:
        raise PreventUpdate
    filters = Filters.from_dict(state.get("filters"))
    hidden = {"display": "none"}
    try:
        kind, _, level = (by or "community").partition(":")
        group = {"by": kind, "level": int(level or 0)}
        rows = data.family(model_id, filters, skip=page * PAGE, limit=PAGE, **group)
        matching = None
        if filters.active():  # count what the filters let through (one capped query)
            matching = len(data.family(model_id, filters, skip=0, limit=COUNT_CAP, **group))
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return [html.H2("Family")], ui.from_exception(exc, log), [], None, None, hidden, 1
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
        return head, ui.empty(msg), [], None, None, hidden, 1
    size = int(info["size"] or len(members))
    shown = size if matching is None else matching
    count = (ui.stat("members", f"{ui.fmt_int(size)}") if matching is None else
             ui.stat(f"of {ui.fmt_int(size)} members match the filters",
                     f"{ui.fmt_int(matching)}{'+' if matching >= COUNT_CAP else ''}"))
    head += [
        html.Span(className="spacer"),
        html.Div([count,
                  ui.stat("downloads", ui.fmt_int(info["downloads"] or sum(
                      int(r.get("downloads") or 0) for r in members)))],
                 className="stats", id="fam-counts"),
        ui.model_links(state, model_id, but=VIEW),
    ]
    pages = max(1, math.ceil(shown / PAGE))
    note = html.Div(f"Members {page * PAGE + 1:,}–{page * PAGE + len(members):,} of "
                    f"{shown:,}{'+' if matching is not None and matching >= COUNT_CAP else ''}"
                    " (most downloaded first; the table's arrows page through all of them)",
                    className="small muted", id="fam-range")
    terms, cloud = words_and_cloud(members, info)
    return head, note, table_rows(members, state), terms, cloud, {}, pages


TRAINED_ON_SHOWN = 10  # datasets in the family's "trained on" summary


def trained_on(data: Data, state: dict | None, by: str | None) -> Any:
    """The family's "trained on" summary (`family_datasets`): its members' most common
    datasets, each with how many members name it and a link to its page."""
    model_id = (state or {}).get("model")
    if not model_id or (state or {}).get("view") != VIEW:
        return None
    try:
        rows = data.run("family_datasets", id=model_id, limit=TRAINED_ON_SHOWN)
    except Exception as exc:  # never a 500: the card says what went wrong (logged if a bug)
        return ui.from_exception(exc, log)
    note = (html.Div("Of the model's Louvain community.", className="small muted")
            if (by or "community") != "community" else None)
    if not rows:
        return html.Div([note, html.Div("No member records a dataset (no dataset: tag, no "
                                        "datasets in a card).", className="small muted "
                                        "join-none")])
    items = [html.Li([ui.join_link("dataset", r["dataset"]), html.Span(
        f" · {ui.fmt_int(r.get('models'))} member{'s' if r.get('models') != 1 else ''}"
        f" ({100 * float(r.get('share') or 0):.0f} %)", className="small muted")])
        for r in rows]
    return html.Div([note, html.Ul(items, className="join-list trained-on")])


def sort_rows(rows: list[dict], sort_by: list[dict] | None) -> list[dict]:
    """The table's rows in the order of its sort arrows (the first column decides first)."""
    for spec in reversed(sort_by or []):
        col, desc = spec.get("column_id"), spec.get("direction") == "desc"
        rows = sorted(rows, key=lambda r, c=col: (r.get(c) is None, r.get(c) or 0
                                                  if isinstance(r.get(c), int | float)
                                                  else str(r.get(c) or "")), reverse=desc)
    return rows


def table_rows(members: list[dict], state: dict) -> list[dict]:
    """The members table: one row per model, its id a link to its neighbourhood."""
    return [
        {
            "link": f"[{r['id']}]({href(state, model=r['id'], view='neighbourhood')})",
            "id": r["id"],
            # a missing count stays missing ("–" in the table), never 0
            "downloads": None if r.get("downloads") is None else int(r["downloads"]),
            "likes": None if r.get("likes") is None else int(r["likes"]),
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
    # the cloud's words as its text too (screen readers, and one can check they are the chips')
    alt = "Word cloud: " + ", ".join(w for w, _ in freqs.most_common(40))
    cloud = html.Img(src=src, className="wordcloud-img", alt=alt) if src else \
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
