"""Small UI pieces shared by the views: states (empty/error/unreachable), stats, chips, legend."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from constellation.dashboard.palette import RELATION_STYLES, SIMILAR_COLOR, family_color
from constellation.dashboard.routing import href
from constellation.loader.ingest.lineage import normalise_id
from constellation.loader.pipeline.joins import normalise_arxiv_id, normalise_dataset_id
from dash import dcc, html

from constellation.errors import GraphUnreachable, UserError

HUB_URL = "https://huggingface.co/"
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
TABLE_CELL = {"fontFamily": FONT, "fontSize": "13px", "padding": "6px 10px", "textAlign": "left",
              "border": "none", "borderBottom": "1px solid #e4e7ec"}
TABLE_HEADER = {"fontWeight": "650", "backgroundColor": "#f8f9fc", "color": "#344054",
                "borderBottom": "1px solid #d0d5dd"}
NUMBER = {"specifier": ",d", "nully": "–"}  # DataTable format: 1,500,000; missing: "–"
_log = logging.getLogger(__name__)


def fmt_int(v: Any) -> str:
    try:
        n = int(v)
    except (TypeError, ValueError):
        return "–"
    for div, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(n) >= div:
            return f"{n / div:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def fmt_date(v: Any) -> str:
    return str(v)[:10] if v else "–"


def empty(message: str, hint: str | None = None) -> html.Div:
    return html.Div([html.Div(message), html.Div(hint, className="small") if hint else None],
                    className="empty")


def unavailable(detail: str | None = None) -> html.Div:
    return html.Div(
        [
            html.H3("Graph server not reachable"),
            html.Div([
                "Start the local server with ", html.Code("constellation db start"),
                " (or run ", html.Code("constellation demo"), "), or point the explorer at Neo4j "
                "with ", html.Code("NEO4J_URI"), " / ", html.Code("NEO4J_USER"), " / ",
                html.Code("NEO4J_PASSWORD"), ", then reload this page.",
            ]),
            html.Div(detail, className="small muted", style={"marginTop": "8px"})
            if detail else None,
        ],
        className="unavailable",
    )


def error(title: str, detail: str | None = None) -> html.Div:
    return html.Div([html.B(title), html.Pre(detail) if detail else None], className="error")


def from_exception(exc: BaseException, log: logging.Logger | None = None) -> html.Div:
    """The right state box for an exception raised while building a view.

    A server that is down and a query the graph refused or failed (`UserError`) are said as
    they are; anything else is a bug: shown in short and logged with its traceback to `log`
    (the calling view's logger).
    """
    if isinstance(exc, GraphUnreachable):
        return unavailable(str(exc)[:300])
    if isinstance(exc, UserError):
        return error(str(exc))
    (log or _log).error("unexpected error while building a view", exc_info=exc)
    tb = traceback.format_exception_only(type(exc), exc)
    return error("Something went wrong while reading the graph.", "".join(tb).strip()[:1200])


def stat(label: str, value: Any) -> html.Div:
    return html.Div([html.Div(value, className="v"), html.Div(label, className="k")],
                    className="stat")


def chips(items: Iterable[Any], grey: bool = False, limit: int = 40) -> html.Div:
    items = [str(i) for i in items if i not in (None, "")]
    extra = len(items) - limit
    cls = "chip grey" if grey else "chip"
    kids: list[Any] = [html.Span(i, className=cls) for i in items[:limit]]
    if extra > 0:
        kids.append(html.Span(f"+{extra} more", className="chip grey"))
    return html.Div(kids, className="chips")


# Pages of the ids a model is joined with (issue 14): the URL prefix and the rule an id must
# pass unchanged (the loader's own normalisers), so an id stored in the graph becomes a link
# only when it is a clean Hub or arXiv id: never a `javascript:` URL, markup or a path escape.
JOIN_PAGES: dict[str, tuple[str, Callable[[object], str | None]]] = {
    "dataset": ("https://huggingface.co/datasets/", normalise_dataset_id),
    "paper": ("https://arxiv.org/abs/", normalise_arxiv_id),
    "space": ("https://huggingface.co/spaces/", normalise_id),
}


def join_url(kind: str, ident: Any) -> str | None:
    """The page of a dataset / paper (arXiv) / Space id, or None when it is not a clean id."""
    prefix, rule = JOIN_PAGES[kind]
    if not isinstance(ident, str) or rule(ident) != ident:
        return None
    if any(not part.strip(".") for part in ident.split("/")):  # "..": out of the prefix
        return None
    return prefix + quote(ident, safe="/")


def join_link(kind: str, ident: Any) -> Any:
    """A link to the id's page, or the id as plain text when it is not a clean id."""
    url = join_url(kind, ident)
    if url is None:
        return html.Span(str(ident), className="join-id bad-id", title="not a valid id: no link")
    return html.A(str(ident), href=url, target="_blank", rel="noopener noreferrer",
                  className="join-id")


def hub_link(model_id: str) -> html.A:
    return html.A("Open on the Hugging Face Hub ↗", href=HUB_URL + model_id, target="_blank",
                  rel="noopener", className="btn small")


# node outlines -> what they mean (the styles are in cyto_styles.BASE)
OUTLINES = (("#111827", "4px", "the model the view is about"),
            ("#4c5fd5", "3px", "expanded (its neighbours are shown)"),
            ("#fab005", "3px", "new: added by the last expansion"),
            ("#f03e3e", "4px", "selected (clicked)"))


def outline_legend() -> html.Div:
    return html.Div([html.Div([html.Span(className="legend-ring",
                                         style={"border": f"{w} solid {c}"}),
                               html.Span(text)], className="legend-row")
                     for c, w, text in OUTLINES], className="legend outline-legend")


def model_links(state: dict, model_id: str, but: str | None = None) -> html.Div:
    """One click from any panel to the model's neighbourhood, family, lineage and details."""
    views = (("neighbourhood", "Neighbourhood"), ("family", "Family"), ("lineage", "Lineage"),
             ("details", "Details"))
    return html.Div([dcc.Link(title, href=href(state, model=model_id, view=v),
                              className=f"btn small to-{v}")
                     for v, title in views if v != but], className="row model-links")


def family_swatch(family: Any) -> html.Span:
    return html.Span(className="swatch", style={"background": family_color(family)})


def relation_legend(with_similar: bool = True) -> html.Div:
    rows = []
    if with_similar:
        rows.append(html.Div([
            html.Span(className="legend-line",
                      style={"borderTop": f"4px solid {SIMILAR_COLOR}"}),
            html.Span("name similarity (width = score)"),
        ], className="legend-row"))
    for rel, (color, style, label) in RELATION_STYLES.items():
        line = ({"height": "4px", "background": "repeating-linear-gradient(90deg, "
                 f"{color} 0 10px, transparent 10px 14px, {color} 14px 16px, "
                 "transparent 16px 20px)"}
                if rel == "merge" else {"borderTop": f"3px {style} {color}"})
        rows.append(html.Div([
            html.Span(className="legend-line", style=line),
            html.Span(f"{label} (lineage →)"),
        ], className="legend-row", **{"data-relation": rel}))
    rows.append(html.Div([html.Span("Node colour = family, size = log downloads.")],
                         className="hint"))
    return html.Div(rows, className="legend")
