"""The Dash app: `create_app(config)` wires the layout, the views and the data layer.

Usage::

    from constellation.graph import GraphConfig
    from constellation.dashboard.app import create_app

    app = create_app(GraphConfig.from_env(read_only=True))
    app.run(host="127.0.0.1", port=8050)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).resolve().parent / "assets"
# plotly.js's basic bundle (npm `plotly.js-basic-dist-min` 4.1.1, the version the `plotly`
# package ships in full; MIT, vendor/LICENSE-plotly.js): the trace types it draws
PLOTLY_BASIC = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"
PLOTLY_TRACES = frozenset({"scatter", "bar", "pie"})


def create_app(config: Any = None, *, data: Any = None, warm: bool = False) -> Any:
    """A Dash app over the graph described by `config` (a `GraphConfig`; default: from env).

    The driver connects lazily, so the app starts (and says "graph server not reachable") even
    when the server is down; pass `data` (a `dashboard.data.Data`) to reuse a driver. `warm`:
    run the whole-graph queries of the first pages in the background (`warm_caches`).
    """
    import dash
    from constellation.dashboard import callbacks
    from constellation.dashboard.data import Data
    from constellation.dashboard.layout import VIEW_MODULES, build_layout

    if data is None:
        from constellation.graph import GraphConfig

        config = config or GraphConfig.from_env(read_only=True)
        data = Data(driver_for(config), database=config.database, label=config.uri,
                    query_timeout=config.query_timeout)
    # the views use Cytoscape's own layouts only (preset, cose): not `cyto.load_extra_layouts()`,
    # whose bundle (1.4 MB against 0.5 MB) every page would load and compile
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        title="Constellation — HF model atlas",
        update_title=None,
        serve_locally=True,
        # a view's components are in the page only once it was shown (layout.py); what the
        # callbacks refer to is checked against every view's (tests/test_dashboard_callbacks.py)
        suppress_callback_exceptions=True,
    )
    app.layout = build_layout()
    callbacks.register(app, data)
    callbacks.register_clientside(app)
    for module in VIEW_MODULES.values():
        module.register(app, data)
    app.server.config["constellation_data"] = data
    basic_plotly(app.server)
    quick_revalidation(app.server)
    if warm:
        warm_caches(data)
    return app


def warm_caches(data: Any) -> threading.Thread:
    """Run, in the background, the whole-graph queries that the first pages wait for: the filter
    menus (every page) and the atlas's figures, which a first atlas visit waited ~0.7 s for at
    1M (bench/results/dashboard.md). Their answers are kept for an hour (data.SLOW_QUERIES).
    A failure (server down) leaves the cache as it was: the pages ask again and say why."""
    from constellation.dashboard.callbacks import filter_options
    from constellation.dashboard.routing import parse_url
    from constellation.dashboard.views import atlas

    def run() -> None:
        try:
            filter_options(data, "dot ok")
            atlas.first_draw(data, parse_url("/atlas", ""))
        except Exception as exc:  # noqa: BLE001 - a warm-up only; the pages report errors
            print("[constellation] cache warm-up stopped: "
                  + (str(exc)[:200] or type(exc).__name__), flush=True)

    thread = threading.Thread(target=run, name="constellation-warm-up", daemon=True)
    thread.start()
    return thread


SUITES = "/_dash-component-suites/"
PLOTLY_JS = SUITES + "plotly/package_data/plotly.min.js"  # where dcc.Graph asks for plotly.js


def basic_plotly(server: Any) -> None:
    """plotly.js's basic bundle (scatter, bar, pie: all the atlas draws; PLOTLY_TRACES) where
    dcc.Graph asks for the full one: 1.2 MB to compile instead of 4.8 MB. A browser compiled
    the full one in ~2 s the first time (0.1 s once cached), the basic one in 0.2 s
    (bench/results/dashboard.md)."""
    import hashlib

    from flask import Response, request

    body = PLOTLY_BASIC.read_bytes()
    tag = hashlib.sha1(body).hexdigest()

    @server.before_request
    def _plotly() -> Any:
        if not request.path.endswith(PLOTLY_JS):
            return None
        fresh = request.headers.get("If-None-Match") == f'"{tag}"'
        response = Response(None if fresh else body, status=304 if fresh else 200,
                            mimetype="application/javascript")
        response.set_etag(tag)
        return response


def quick_revalidation(server: Any) -> None:
    """Answer "not modified" to a page asking again for a script it has (Dash's async chunks:
    scripts whose URL carries no version, so every page load asks) without reading it: Dash
    reads and hashes the file each time (it did so for the 4.8 MB plotly.js too), which, beside
    a view's callbacks in this process, held a page load up by 0.1-0.4 s on 2 busy cores. The
    files' ETags are kept per process, as Dash computes them."""
    from flask import Response, request

    etags: dict[str, str] = {}

    @server.before_request
    def _not_modified() -> Any:
        if SUITES not in request.path:
            return None
        tag = etags.get(request.path)
        if tag and request.headers.get("If-None-Match") == f'"{tag}"':
            response = Response(status=304)
            response.set_etag(tag)
            return response
        return None

    @server.after_request
    def _remember(response: Any) -> Any:
        if SUITES in request.path and response.status_code == 200:
            tag = response.get_etag()[0]
            if tag:
                etags[request.path] = tag
        return response


def driver_for(config: Any) -> Any:
    """A connected driver, or, when the server does not answer yet, a lazy one: the app then
    shows "graph server not reachable" and recovers by itself once the server is up."""
    import neo4j

    from constellation.errors import UserError
    from constellation.graph import CONNECT_TIMEOUT_S, connect

    try:
        return connect(config)
    except UserError as exc:
        print(f"[constellation] warning: {exc}", flush=True)
        return neo4j.GraphDatabase.driver(config.uri, auth=(config.user, config.password),
                                          connection_timeout=CONNECT_TIMEOUT_S,
                                          max_transaction_retry_time=2.0)
