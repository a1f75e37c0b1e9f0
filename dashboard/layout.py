"""The page frame: top bar (brand, search, server status), nav + filters, one container per view.

A page loads with every view's container empty: a view's components are added (mounted) the
first time it is shown (`mount`), so a page load draws, and runs the callbacks of, the view it
shows only (drawing every view on every load doubled the home page's browser CPU at 1M, 1.5 s
against 0.75 s: bench/results/dashboard.md).
A mounted view stays in the page (hidden unless active), so it keeps its state (e.g. an expanded
neighbourhood) while you look at another one. A view's callbacks that read the state run when it
is mounted (no `prevent_initial_call`), with no input firing them (`triggered_id` None); the
atlas is mounted with its figures drawn instead (`mounted_layout`), and its callbacks that draw
them run on a change only.
"""

from __future__ import annotations

from typing import Any

from constellation.dashboard.routing import VIEW_TITLES
from constellation.dashboard.views import (
    atlas,
    console,
    details,
    family,
    home,
    lineage,
    neighbourhood,
    search,
)
from dash import dcc, html, no_update
from dash.exceptions import PreventUpdate

VIEW_MODULES = {
    "home": home,
    "neighbourhood": neighbourhood,
    "family": family,
    "lineage": lineage,
    "details": details,
    "atlas": atlas,
    "console": console,
    "search": search,
}
NAV_ORDER = ("neighbourhood", "family", "lineage", "details", "atlas", "console")
# the dataset menu lists the most used datasets and searches the others (callbacks.py); a
# Dropdown's `labels` replace its defaults, so all that it shows are given
DATASET_MENU_LABELS = {"search": "Most used; type to find any", "clear_search": "Clear search",
                       "clear_selection": "Clear selection",
                       "no_options_found": "No dataset matches."}


def topbar() -> html.Div:
    return html.Div(
        [
            dcc.Link([html.Span("✦", className="brand-mark"), "Constellation",
                      html.Span("HF model atlas", className="brand-sub")],
                     href="/", className="brand", id="brand"),
            html.Div(
                dcc.Dropdown(
                    id="search",
                    placeholder="Search models by name (e.g. llama, bert, gpt2)…",
                    options=[],
                    searchable=True,
                    clearable=True,
                    debounce=False,
                    # the server ranks the suggestions (exact id, then downloads): the box keeps
                    # that order instead of re-ranking them by its own text match
                    search_order="original",
                    maxHeight=420,
                    labels={"no_options_found": "Type two letters or more."},
                ),
                className="search-box",
            ),
            # spins while the suggestions are being asked for
            dcc.Loading(html.Span(id="search-busy", className="search-busy"), type="dot",
                        color="#ffffff", delay_show=0, className="search-spinner"),
            html.Div([html.Span(className="dot", id="status-dot"),
                      html.Span("connecting…", id="status-text")], className="status"),
        ],
        className="topbar",
    )


def filters_bar() -> html.Div:
    return html.Div(
        [
            html.Div(
                [dcc.Link(VIEW_TITLES[v], href="/", id=f"nav-{v}") for v in NAV_ORDER[:4]]
                + [html.Span(className="sep")]
                + [dcc.Link(VIEW_TITLES[v], href=f"/{v}", id=f"nav-{v}") for v in NAV_ORDER[4:]],
                className="nav",
            ),
            html.Div(
                [
                    html.Div([html.Label("Pipeline tag"),
                              dcc.Dropdown(id="f-tag", placeholder="any", options=[],
                                           className="filter-tag")], className="filter",
                             id="f-tag-box"),
                    html.Div([html.Label("License"),
                              dcc.Dropdown(id="f-license", placeholder="any", options=[],
                                           className="filter-license")], className="filter",
                             id="f-license-box"),
                    html.Div([html.Label("Trained on dataset"),
                              dcc.Dropdown(id="f-dataset", placeholder="any", options=[],
                                           className="filter-dataset",
                                           labels=DATASET_MENU_LABELS)], className="filter",
                             id="f-dataset-box"),
                    html.Div([html.Label("Min downloads"),
                              dcc.Input(id="f-min", type="number", min=0, step=1, debounce=True,
                                        placeholder="0", className="num-input")],
                             className="filter filter-min"),
                    html.Div([html.Label("Created between"),
                              dcc.DatePickerRange(id="f-dates", clearable=True,
                                                  display_format="YYYY-MM-DD",
                                                  start_date_placeholder_text="from",
                                                  end_date_placeholder_text="to")],
                             className="filter filter-dates"),
                    html.Button("Reset", id="f-reset", className="btn small",
                                style={"alignSelf": "flex-end", "marginBottom": "4px"}),
                ],
                className="filters",
            ),
        ],
        className="subbar",
    )


def build_layout(mounted: bool = False) -> html.Div:
    """The page as it loads (every view's container empty), or with `mounted` every view's
    components: all that the callbacks refer to."""
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="state"),
            dcc.Store(id="mount"),  # the view to mount (set in the page: assets/clientside.js)
            dcc.Store(id="cy-resized"),
            dcc.Store(id="search-text"),
            dcc.Store(id="nb-shown"),
            dcc.Store(id="con-laid-out"),
            topbar(),
            filters_bar(),
            html.Div(
                [html.Div(id="banner", className="banner")]
                + [VIEW_MODULES[v].layout() if mounted
                   else html.Div(id=f"view-{v}", className="view") for v in VIEW_MODULES],
                className="page",
            ),
        ]
    )


def mount(view: Any, state: dict | None = None, data: Any = None) -> tuple:
    """The children of every view container: `view`'s components for its container, no_update
    for the others (an unknown view: nothing). A view with a `mounted_layout(data, state)`
    (the atlas) is mounted with its first content already in it."""
    if view not in VIEW_MODULES:
        raise PreventUpdate
    module = VIEW_MODULES[view]
    filled = getattr(module, "mounted_layout", None)
    box = filled(data, state) if filled and data is not None else module.layout()
    return tuple(box.children if v == view else no_update for v in VIEW_MODULES)
