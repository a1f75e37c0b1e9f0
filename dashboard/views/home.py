"""Home: what this is, and the largest families to start from."""

from __future__ import annotations

import logging
from typing import Any

from constellation.dashboard import components as ui
from constellation.dashboard.data import Data
from constellation.dashboard.routing import href
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

VIEW = "home"
log = logging.getLogger(__name__)


def layout() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Explore the Hugging Face model ecosystem"),
                    html.P("Models are linked by the similarity of their names and by their "
                           "declared lineage, grouped into families. Search a model above, or "
                           "start from one of the largest families below."),
                ],
                className="hero",
            ),
            html.H3("Largest families"),
            dcc.Loading(html.Div(id="home-families"), type="circle", delay_show=250),
        ],
        id=f"view-{VIEW}",
        className="view",
    )


def register(app: Any, data: Data) -> None:
    @app.callback(Output("home-families", "children"), Input("state", "data"))
    def _update(state):
        return update(data, state)


def update(data: Data, state: dict | None) -> Any:
    """The home callback: cards of the largest families, or what is wrong."""
    state = state or {}
    if state.get("view") not in (None, VIEW):
        raise PreventUpdate
    try:
        rows = data.top_families()
    except Exception as exc:  # never a 500: the view says what went wrong (logged if a bug)
        return ui.from_exception(exc, log)
    if not rows:
        return ui.empty("The graph is empty.",
                        "Load some models: `constellation build` then `constellation load`, "
                        "or run `constellation demo`.")
    return html.Div([family_card(r, state) for r in rows], className="grid-3")


def family_card(r: dict, state: dict) -> Any:
    top = r.get("top_model") or r.get("top_id") or (r.get("top_models") or [None])[0]
    if isinstance(top, dict):
        top = top.get("id")
    label = r.get("label") or r.get("family") or f"community {r.get('community', '?')}"
    body = [
        html.Div([ui.family_swatch(label), label], className="fname"),
        html.Div(f"{ui.fmt_int(r.get('size'))} models · {ui.fmt_int(r.get('downloads'))} downloads",
                 className="small muted"),
        ui.chips((r.get("terms") or [])[:6], grey=True),
    ]
    if top:
        body.append(html.Div(["top: ", html.Span(top)], className="small muted",
                             style={"marginTop": "6px", "wordBreak": "break-all"}))
        return dcc.Link(body, href=href(state, model=top, view="family"),
                        className="card family-card")
    return html.Div(body, className="card family-card")
