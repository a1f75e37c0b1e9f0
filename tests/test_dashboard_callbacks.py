"""The explorer's callbacks as plain functions (no browser, no Dash request), over the small
hand-made graph of the query tests (tests/_queries_helpers.py) loaded into a fresh database,
and over a server that is not there."""

from __future__ import annotations

import json
import logging
from typing import Any

import neo4j
import plotly
import pytest
from _dashboard_helpers import free_port
from _queries_helpers import write_small_artifacts
from constellation.dashboard import callbacks
from constellation.dashboard.data import Data
from constellation.dashboard.layout import NAV_ORDER, VIEW_MODULES
from constellation.dashboard.routing import empty_filters
from constellation.dashboard.views import atlas, console, family, lineage, neighbourhood
from constellation.loader.graph.writer import load_artifacts
from dash import no_update
from dash.exceptions import PreventUpdate

PYTHIA = "EleutherAI/pythia-70m"
CHAT = "acme/pythia-70m-chat"
GGUF = "acme/pythia-70m-chat-GGUF"


@pytest.fixture(scope="module")
def data(graph_db, graph_driver, tmp_path_factory) -> Data:
    folder = write_small_artifacts(tmp_path_factory.mktemp("callbacks") / "artifacts")
    load_artifacts(graph_driver, folder, database=graph_db.database, progress=False)
    return Data(graph_driver, database=graph_db.database)


@pytest.fixture(scope="module")
def down() -> Any:
    """A Data over a port nothing listens on: the graph server is down."""
    driver = neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{free_port()}", auth=("x", "y"),
                                        connection_timeout=2, max_transaction_retry_time=0)
    yield Data(driver, database="nothing")
    driver.close()


def text(component: Any) -> str:
    """Everything a component tree (or a tuple of outputs) would send to the browser."""
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def state(model: str | None = None, view: str = "neighbourhood", **filters: Any) -> dict:
    return {"model": model, "view": view, "filters": {**empty_filters(), **filters}}


# --- the router ------------------------------------------------------------------------------

N_FILTERS = len(callbacks.FILTER_INPUTS)


def route(pathname="/", search="", picked=None, values=(None,) * N_FILTERS, old=None,
          trigger="url") -> dict:
    """The router's outputs by name (the order of `callbacks.register`)."""
    out = list(callbacks.route(pathname, search, picked, list(values), old, trigger))
    named = dict(zip(("pathname", "search", "state", "search_value"), out[:4], strict=True))
    out = out[4:]
    named["controls"], out = out[:N_FILTERS], out[N_FILTERS:]
    named["hrefs"], out = dict(zip(NAV_ORDER, out, strict=False)), out[len(NAV_ORDER):]
    named["nav"], out = dict(zip(NAV_ORDER, out, strict=False)), out[len(NAV_ORDER):]
    named["views"] = dict(zip(VIEW_MODULES, out, strict=True))
    return named


def test_router_reads_the_url_and_sets_controls_nav_and_view() -> None:
    r = route("/model/gpt2", "?view=family&min_downloads=5")
    assert r["state"]["model"] == "gpt2" and r["state"]["view"] == "family"
    assert r["pathname"] is no_update and r["search"] is no_update  # the URL already says it
    assert r["search_value"] == "gpt2"
    assert r["controls"] == [None, None, 5, None, None, None]  # the filter boxes follow the URL
    assert r["nav"]["family"] == "active" and r["views"]["family"] == "view active"
    assert [v for v, c in r["views"].items() if c == "view active"] == ["family"]
    assert r["hrefs"]["lineage"] == "/model/gpt2?view=lineage&min_downloads=5"
    # no model: the model views are disabled
    home = route("/", "")
    assert home["nav"]["family"] == "disabled" and home["nav"]["atlas"] == ""
    assert home["views"]["home"] == "view active"


def _components(tree: Any) -> list[Any]:
    """Every component of a layout tree (children only, as Dash crawls it)."""
    from dash.development.base_component import Component

    if isinstance(tree, list | tuple):
        return [c for t in tree for c in _components(t)]
    if not isinstance(tree, Component):
        return []
    return [tree, *_components(getattr(tree, "children", None))]


def test_a_page_loads_the_frame_and_mounts_only_the_view_it_shows(down) -> None:
    """A page load holds no view's components (drawing them all doubled a page's browser CPU
    at 1M); `mount` adds the shown view's. Dash's own check of the callbacks' ids
    is off for that (they are not all in the page), so it is done here: every id a callback
    names is in some view, or in the frame (pattern ids are drawn by callbacks)."""
    from constellation.dashboard.app import create_app
    from constellation.dashboard.layout import build_layout, mount

    app = create_app(data=down)
    loaded = _components(app.layout)
    kinds = {type(c).__name__ for c in loaded}
    assert not kinds & {"Graph", "Cytoscape", "DataTable"}, kinds
    boxes = {c.id: c for c in loaded if str(getattr(c, "id", "")).startswith("view-")}
    assert set(boxes) == {f"view-{v}" for v in VIEW_MODULES}
    assert all(not getattr(b, "children", None) for b in boxes.values())

    everything = _components(build_layout(mounted=True))
    ids = {c.id for c in everything if isinstance(getattr(c, "id", None), str)}
    named = set()
    for key, spec in app.callback_map.items():
        named |= {o.rsplit(".", 1)[0].split("@")[0] for o in key.strip(".").split("...")}
        named |= {d["id"] for d in spec["inputs"] + spec["state"]}
    named = {i for i in named if not i.startswith("{")}  # pattern ids: drawn by callbacks
    assert named <= ids, named - ids

    out = mount("atlas")
    assert len(out) == len(VIEW_MODULES)
    drawn = dict(zip(VIEW_MODULES, out, strict=True))
    assert all(v is no_update for k, v in drawn.items() if k != "atlas")
    assert "atlas-dendro" in {getattr(c, "id", None) for c in _components(drawn["atlas"])}
    with pytest.raises(PreventUpdate):
        mount(None)


def test_a_script_asked_again_is_not_modified_and_a_changed_one_is_sent(down) -> None:
    """Dash's async chunks (and plotly.js) have no version in their URL: each page load asks
    again, and the explorer answers from the ETags it keeps (app.quick_revalidation)."""
    from constellation.dashboard.app import create_app

    client = create_app(data=down).server.test_client()
    for url in ("/_dash-component-suites/dash/dcc/async-graph.js",
                "/_dash-component-suites/plotly/package_data/plotly.min.js"):
        first = client.get(url)
        tag = first.headers["ETag"]
        assert first.status_code == 200 and len(first.data) > 1_000, url
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and not again.data and again.headers["ETag"] == tag
        stale = client.get(url, headers={"If-None-Match": '"an-older-one"'})
        assert stale.status_code == 200 and stale.data == first.data


def test_the_page_gets_plotly_basic_bundle_and_the_atlas_draws_only_its_traces(down) -> None:
    """dcc.Graph is given plotly.js's basic bundle (1.2 MB, not 4.8): every figure the atlas
    draws must use its trace types only."""
    from constellation.dashboard.app import PLOTLY_TRACES, create_app
    from constellation.dashboard.dendrogram import dendrogram_figure

    client = create_app(data=down).server.test_client()
    js = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert js.status_code == 200 and js.data.startswith(b"/**\n* plotly.js (basic")
    assert js.mimetype == "application/javascript"

    rows = [{"id": f"o/m{i}", "downloads": 10 * i, "likes": i, "created_at": "2024-01-02",
             "family": f"f{i % 3}"} for i in range(12)]
    figures = [
        atlas.scatter_figure(rows),
        dendrogram_figure([{"id": 1, "threshold": 0.6, "size": 40, "label": "a", "level": 1},
                           {"id": 2, "threshold": 0.5, "size": 9, "label": "b", "level": 1}],
                          [{"id": 3, "parent": 1, "threshold": 0.2, "size": 30, "label": "c"}]),
        atlas._blank("nothing here"),
    ]
    types = set()
    for fig in figures:
        traces = fig["data"] if isinstance(fig, dict) else fig.to_plotly_json()["data"]
        types |= {t.get("type", "scatter") for t in traces}
    assert "scatter" in types
    assert types <= PLOTLY_TRACES, types - PLOTLY_TRACES


def test_router_search_pick_filters_and_reset() -> None:
    old = route("/model/gpt2", "?view=lineage&min_downloads=5")["state"]
    picked = route("/model/gpt2", "?view=lineage&min_downloads=5", picked=PYTHIA, old=old,
                   trigger="search")
    assert picked["state"]["model"] == PYTHIA and picked["state"]["view"] == "lineage"
    assert picked["pathname"] == f"/model/{PYTHIA}"
    assert picked["search"] is no_update  # same view and filters: the query string stays
    assert picked["search_value"] is no_update and picked["controls"] == [no_update] * N_FILTERS
    with pytest.raises(PreventUpdate):  # the model already shown
        route("/model/gpt2", "", picked="gpt2", old=old, trigger="search")
    # from a global view, a pick opens the neighbourhood
    atlas_state = route("/atlas", "")["state"]
    assert route("/atlas", "", picked="gpt2", old=atlas_state,
                 trigger="search")["state"]["view"] == "neighbourhood"
    # a filter control: the state and the URL follow, dates cut to the day
    changed = route("/model/gpt2", "?view=lineage", old=old, trigger="f-tag",
                    values=("text-generation", None, 7, "2023-01-01T00:00:00", None, None))
    assert changed["state"]["filters"] == {**empty_filters(), "pipeline_tag": "text-generation",
                                           "min_downloads": 7, "created_from": "2023-01-01"}
    assert "tag=text-generation" in changed["search"] and "from=2023-01-01" in changed["search"]
    reset = route("/model/gpt2", "?view=lineage&min_downloads=5", old=old, trigger="f-reset")
    assert reset["state"]["filters"] == empty_filters()
    assert reset["controls"] == [None] * N_FILTERS and reset["search"] == "?view=lineage"


# --- search, filter options, status ----------------------------------------------------------

def test_suggestions_keep_the_current_model_and_survive_a_server_down(data, down) -> None:
    options = callbacks.suggest(data, "pythia-70", state(PYTHIA), None, "search-text")
    values = [o["value"] for o in options]
    assert PYTHIA in values and CHAT in values and "gpt2" not in values
    assert "1k downloads" in next(o["label"] for o in options if o["value"] == PYTHIA)
    # a filter applies to the suggestions
    options = callbacks.suggest(data, "pythia-70", state(None, min_downloads=100), None,
                                "search-text")
    assert [o["value"] for o in options] == [PYTHIA, "search:pythia-70"]  # + "All results"
    # the shown model stays an option, so the box keeps showing it
    assert callbacks.suggest(data, None, state("gpt2"), None, "state") == [
        {"label": "gpt2", "value": "gpt2"}]
    with pytest.raises(PreventUpdate):  # text being cleared: keep the last suggestions
        callbacks.suggest(data, "", state("gpt2"), None, "search-text")
    # server down: no suggestions, no error (the status dot says it)
    assert callbacks.suggest(down, "pythia", state("gpt2"), None, "search-text") == [
        {"label": "gpt2", "value": "gpt2"}]


def test_status_and_filter_options(data, down) -> None:
    dot, label, banner = callbacks.status(data)
    assert dot == "dot ok" and "10 models" in text(label) and banner is None
    tags, licenses, datasets = callbacks.filter_options(data, dot)
    assert {o["value"] for o in tags} == {"text-generation", "image-classification"}
    assert "mit" in {o["value"] for o in licenses}
    assert datasets == []  # no model here names a dataset: the menu is hidden
    # a value the page's URL gave stays an option, even one the first 200 do not list
    tags, _, datasets = callbacks.filter_options(
        data, dot, {"pipeline_tag": "rare-task", "dataset": "org/rare-set"})
    assert tags[-1] == {"label": "rare-task", "value": "rare-task"} and len(tags) == 3
    assert datasets == [{"label": "org/rare-set", "value": "org/rare-set"}]
    dot, label, banner = callbacks.status(down)
    assert dot == "dot down" and label == "graph server not reachable"
    assert "constellation db start" in text(banner)
    with pytest.raises(PreventUpdate):  # no options asked of a server that is down
        callbacks.filter_options(down, dot)


def test_the_dataset_menu_lists_the_most_used_and_finds_the_others_as_you_type(
        graph_server) -> None:
    """The dataset menu's options: the DATASETS_SHOWN most used (a small search index for the
    page to build), any other found by typing part of its name, the chosen one kept."""
    from dataclasses import replace

    from constellation import server
    from constellation.graph import connect

    name = f"t_datasets_{free_port()}"
    server.create_database(name)
    try:
        config = replace(graph_server, database=name)
        with connect(config) as driver:
            with driver.session(database=name) as s:
                s.run("UNWIND range(1, 30) AS i CREATE (:Facet {kind: 'dataset', models: 100 - i,"
                      " value: 'org/set-' + toString(i) + CASE WHEN i = 27 THEN '-rare' ELSE ''"
                      " END})").consume()
            menus = Data(driver, database=name)
            *_, shown = callbacks.filter_options(menus, "dot ok")
            found = callbacks.dataset_options(menus, "RARE", None)
            kept = callbacks.dataset_options(menus, "set-1", "org/set-29")
            top = callbacks.dataset_options(menus, None, None)
            *_, from_url = callbacks.filter_options(menus, "dot ok", {"dataset": "org/set-28"})
    finally:
        server.drop_database(name)
    assert len(shown) == callbacks.DATASETS_SHOWN == 20 and top == shown
    assert shown[0] == {"label": "org/set-1 (99)", "value": "org/set-1"}
    assert found == [{"label": "org/set-27-rare (73)", "value": "org/set-27-rare"}]
    assert [o["value"] for o in kept] == [f"org/set-{i}" for i in (1, *range(10, 20))] + [
        "org/set-29"]  # what matches, then the chosen one (beyond the first 20) with its count
    assert kept[-1]["label"] == "org/set-29 (71)"
    assert from_url[-1] == {"label": "org/set-28 (72)", "value": "org/set-28"}


# --- neighbourhood ---------------------------------------------------------------------------

def test_neighbourhood_draws_then_expands_a_tapped_node(data) -> None:
    st = state(PYTHIA)
    els, status, head, key, pic, layout, _, families = neighbourhood.update(
        data, st, None, None, None, None, "state")
    ids = {e["data"]["id"] for e in els if "source" not in e["data"]}
    assert ids == {PYTHIA, CHAT, "EleutherAI/pythia-160m", "EleutherAI/pythia-410m",
                   "zoo/pythia"}
    assert GGUF not in ids and set(pic["nodes"]) == ids and layout["fit"] is True
    assert "Neighbourhood of " in text(head) and "pythia" in text(families)
    with pytest.raises(PreventUpdate):  # same model and filters: the expansions are kept
        neighbourhood.update(data, st, None, None, key, pic, "state")
    # a tap on the chat model adds its quantized child, as a patch of the drawn elements
    tap = {"data": {"id": CHAT}}
    patch, status, _, _, pic2, layout, _, _ = neighbourhood.update(
        data, st, tap, None, key, pic, "nb-graph")
    assert pic2["new"] == [GGUF] and GGUF in pic2["nodes"]
    assert "expanded" in pic2["nodes"][CHAT][3].split() and layout["fit"] is False
    assert "expanded pythia-70m-chat: +1 node" in text(status)
    ops = patch.to_plotly_json()["operations"]
    appended = [op["params"]["value"]["data"]["id"] for op in ops if op["operation"] == "Append"]
    assert GGUF in appended and len(appended) == pic2["size"] - pic["size"]
    with pytest.raises(PreventUpdate):  # an expanded node is not expanded twice
        neighbourhood.update(data, st, tap, None, key, pic2, "nb-graph")
    with pytest.raises(PreventUpdate):  # a tap on something not drawn
        neighbourhood.update(data, st, {"data": {"id": "nope"}}, None, key, pic2, "nb-graph")
    # Fit changes only the layout
    out = neighbourhood.update(data, st, None, 3, key, pic2, "nb-fit")
    assert out[5] == {**neighbourhood.FIT_LAYOUT, "n": 3}
    assert all(v is no_update for i, v in enumerate(out) if i != 5)


def test_neighbourhood_unknown_model_filters_and_a_server_down(data, down) -> None:
    els, _, head, *_ = neighbourhood.update(data, state("nobody/nothing"), None, None, None,
                                            None, "state")
    assert els == [] and "No model with id" in text(head)
    els, status, *_ = neighbourhood.update(data, state(PYTHIA, min_downloads=2000), None, None,
                                           None, None, "state")
    assert {e["data"]["id"] for e in els if "source" not in e["data"]} == {
        PYTHIA, "EleutherAI/pythia-160m", "EleutherAI/pythia-410m"}
    assert "filters apply to neighbours" in text(status)
    els, status, head, key, pic, *_ = neighbourhood.update(down, state(PYTHIA), None, None,
                                                           None, None, "state")
    assert els == [] and key is None and pic is None
    assert "Graph server not reachable" in text(status) and PYTHIA in text(head)
    with pytest.raises(PreventUpdate):  # another view is shown
        neighbourhood.update(data, state(PYTHIA, view="family"), None, None, None, None, "state")


# --- family ----------------------------------------------------------------------------------

def test_family_table_rows_link_sort_and_filter(data) -> None:
    head, note, rows, terms, cloud, style, pages = family.update(
        data, state("gpt2", view="family"), "community")
    assert [r["id"] for r in rows] == ["gpt2", "distilgpt2", "someone/gpt2-medium-ft"]
    downloads = [r["downloads"] for r in rows]
    assert downloads == sorted(downloads, reverse=True)  # the table's first sort order
    assert {c["id"] for c in family.COLUMNS} <= set(rows[0])  # every column sorts a field
    assert rows[1]["link"] == "[distilgpt2](/model/distilgpt2?view=neighbourhood)"
    assert "gpt2" in text(head) and "3" in text(head) and style == {}
    assert pages == 1 and "Members 1–3 of 3" in note.children
    assert "gpt2" in text(terms) and cloud.src.startswith("data:image/png;base64,")
    # the finest hierarchy cluster instead of the community; a filter
    _, _, rows, *_ = family.update(data, state("gpt2", view="family"), "cluster:0")
    assert [r["id"] for r in rows] == ["gpt2", "distilgpt2"]
    head, _, rows, *_ = family.update(data, state("gpt2", view="family", min_downloads=50_000),
                                      "community")
    assert [r["id"] for r in rows] == ["gpt2"]
    assert "of 3 members match the filters" in text(head)  # counts what is shown: 1 of 3
    _, box, rows, *_ = family.update(data, state("gpt2", view="family", min_downloads=10**9),
                                     "community")
    assert rows == [] and "No family members match the current filters" in text(box)


def test_family_error_is_shown_and_an_unexpected_one_logged(data, down, caplog) -> None:
    out = family.update(down, state("gpt2", view="family"), "community")
    assert "Graph server not reachable" in text(out[1]) and out[5] == {"display": "none"}
    assert not caplog.records  # the server being down is no bug: said, not logged
    with caplog.at_level(logging.ERROR):
        out = family.update(data, state("gpt2", view="family"), "cluster:x")
    assert "Something went wrong" in text(out[1]) and "ValueError" in text(out[1])
    logged = [r for r in caplog.records if r.name == family.__name__]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is ValueError


# --- lineage, console, atlas -----------------------------------------------------------------

def test_lineage_tree_and_status(data) -> None:
    els, status, head, key, groups, *_ = lineage.update(data, state("gpt2", view="lineage"),
                                                        None)
    assert key[0] == "gpt2" and "Lineage of " in text(head)
    roles = {e["data"]["id"]: e["classes"] for e in els if "source" not in e["data"]}
    assert "centre" in roles["gpt2"] and "descendant" in roles["distilgpt2"]
    up, _, down, *_ = status.children  # B(0) " ancestors · " B(2) " direct descendants" ...
    assert (up.children, down.children) == ("0", "2")
    assert "to-family" in text(head) and "to-neighbourhood" in text(head)  # one click away
    with pytest.raises(PreventUpdate):  # already drawn
        lineage.update(data, state("gpt2", view="lineage"), key)
    els, status, _, key, *_ = lineage.update(data, state("lonely/model-x", view="lineage"),
                                               None)
    assert key[0] == "lonely/model-x" and "No declared parents" in text(status)


def test_console_answers_errors_refusals_and_graphs(data, down) -> None:
    meta, err, *_ = console.run(data, "   ")
    assert "Type a query first" in text(err) and meta == ""
    meta, err, columns, rows, table_style, els, graph_style = console.run(
        data, "MATCH (m:Model) RETURN m.id AS id ORDER BY m.downloads DESC LIMIT 3")
    assert err is None and [c["id"] for c in columns] == ["id"]
    assert [r["id"] for r in rows] == ["gpt2", "distilgpt2", "EleutherAI/pythia-160m"]
    assert "3 rows" in text(meta) and table_style == {} and els == []
    assert graph_style == {"display": "none"}
    *_, els, graph_style = console.run(
        data, "MATCH (c:Model)-[r:BASED_ON]->(p:Model {id: 'gpt2'}) RETURN c, r, p")
    nodes = {e["data"]["id"] for e in els if "source" not in e["data"]}
    assert nodes == {"gpt2", "distilgpt2", "someone/gpt2-medium-ft"} and graph_style == {}
    assert sum(1 for e in els if "source" in e["data"]) == 2
    _, err, *_ = console.run(data, "MATCH (m:Model) DETACH DELETE m")
    assert "Refused: the console is read-only." in text(err)
    _, err, *_ = console.run(data, "MATCH (m:Model RETURN m")
    assert "Query failed." in text(err)
    _, err, *_ = console.run(down, "MATCH (m) RETURN m LIMIT 1")
    assert "Graph server not reachable" in text(err)
    assert console.pick_example(console.DEFAULT) == console.EXAMPLES[console.DEFAULT]


def test_the_atlas_mounts_with_its_figures_drawn_and_its_callbacks_then_answer_nothing(
        data) -> None:
    """The atlas is mounted with its first content (one round trip; no blank figure drawn and
    then replaced); the callbacks that draw it do not run then, and find it drawn after."""
    from constellation.dashboard.app import create_app
    from constellation.dashboard.layout import mount

    st = {**state(None, view="atlas"), "extra": {}}
    drawn = dict(zip(VIEW_MODULES, mount("atlas", st, data), strict=True))["atlas"]
    by_id = {c.id: c for c in _components(drawn) if isinstance(getattr(c, "id", None), str)}
    dendro = by_id["atlas-dendro"].figure.to_plotly_json()
    assert [t for t in dendro["data"] if t.get("customdata")], "the dendrogram's clusters"
    scatter = by_id["atlas-scatter"].figure
    ids = {i for t in scatter["data"] for i in t["customdata"]}
    assert "gpt2" in ids and "models" in text(by_id["atlas-scatter-note"].children)
    words = [c.children for c in _components(by_id["atlas-words"].children)
             if getattr(c, "className", None) == "word"]
    assert words and "pythia" in words
    assert by_id["atlas-loaded"].data
    # a state change that leaves the scatter's filters and the words as they are: no redraw
    with pytest.raises(PreventUpdate):
        atlas.scatter(data, st, by_id["atlas-loaded"].data)
    with pytest.raises(PreventUpdate):
        atlas.words(data, st, by_id["atlas-words"].children)
    # the callbacks that draw them do not run when the view is mounted, only on a change
    app = create_app(data=data)
    for output in ("atlas-dendro.figure", "atlas-scatter.figure", "atlas-words.children"):
        spec = next(c for c in app._callback_list if output in c["output"])
        assert spec["prevent_initial_call"], output


def test_the_words_table_shows_every_word_with_a_bar_scaled_to_the_first() -> None:
    rows = [{"word": w, "count": c, "share": c / 1000} for w, c in
            [("llama", 400), ("7b", 200), *((f"w{i}", 10) for i in range(25))]]
    table = atlas.words_table(rows, exact=True)
    cells = _components(table)
    assert [c.children for c in cells if getattr(c, "className", None) == "word"] == [
        r["word"] for r in rows]  # all 27, in rank order, over two columns
    assert len([c for c in cells if type(c).__name__ == "Table"]) == 2
    bars = [c.style["backgroundSize"] for c in cells if getattr(c, "className", None) == "share"]
    assert bars[:2] == ["100.0% 62%", "50.0% 62%"]
    assert "40.00 %" in text(table) and '"400"' in text(table)
    assert "build's tokenizer" in text(atlas.words_table(rows, exact=False))


def test_the_warm_up_runs_the_first_pages_queries_once(data) -> None:
    """`constellation serve` warms the atlas's and the filter menus' queries at start: the first
    atlas visit then asks the graph nothing."""
    from constellation.dashboard.app import warm_caches
    from constellation.dashboard.routing import parse_url
    from constellation.queries.runner import run_query

    asked: list[str] = []

    def runner(driver: Any, name: str, params: dict, database: str | None = None) -> list:
        asked.append(name)
        return run_query(driver, name, params, database=database)

    fresh = Data(data.driver, database=data.database, runner=runner)
    warm_caches(fresh).join(timeout=60)
    assert {"atlas_scatter", "atlas_top_clusters", "atlas_words", "filter_datasets"} <= set(
        asked)
    asked.clear()
    first = atlas.first_draw(fresh, parse_url("/atlas", ""))
    callbacks.filter_options(fresh, "dot ok")
    assert asked == [] and first["scatter"]["data"] and first["words"]


def test_atlas_clicks_open_models_and_drill_into_clusters(data) -> None:
    st = state(None, view="atlas")
    path, search = atlas.open_point({"points": [{"customdata": ["gpt2"]}]}, st)
    assert (path, search) == ("/model/gpt2", "?view=neighbourhood")
    leaf = {"points": [{"customdata": ["distilgpt2", "model"]}]}
    assert atlas.drill(data, leaf, [], [], st, "atlas-dendro")[2:] == (
        "/model/distilgpt2", "?view=neighbourhood")
    cluster = {"points": [{"customdata": [200, "cluster"]}]}
    path, panel, *_ = atlas.drill(data, cluster, [], [], st, "atlas-dendro")
    assert [p["id"] for p in path] == [200] and "gpt2" in text(panel)
    crumb = {"type": "atlas-crumb", "index": 0}
    assert atlas.drill(data, None, [1], path, st, crumb)[0] == []  # back to the top


def test_cached_answers_are_asked_again_once_a_new_build_is_loaded(
    data, graph_driver, tmp_path, monkeypatch
) -> None:
    """The explorer's answers are cached (whole-graph summaries for an hour) per build: after a
    `load` (a refresh included) they are asked again, within BUILD_RECHECK_S."""
    from constellation.dashboard import data as data_module
    from constellation.queries.runner import run_query

    asked: list[str] = []

    def runner(driver: Any, name: str, params: dict, database: str | None = None) -> list:
        asked.append(name)
        return run_query(driver, name, params, database=database)

    fresh = Data(data.driver, database=data.database, runner=runner)
    first = fresh.run("atlas_top_clusters", limit=5)
    fresh.run("atlas_top_clusters", limit=5)
    assert asked.count("atlas_top_clusters") == 1 and asked.count("current_build") == 1
    monkeypatch.setattr(data_module, "BUILD_RECHECK_S", 0.0)
    fresh.run("atlas_top_clusters", limit=5)  # the same build: still the cached answer
    assert asked.count("atlas_top_clusters") == 1 and asked.count("current_build") == 2

    import _queries_helpers

    monkeypatch.setattr(_queries_helpers, "BUILD_ID", "t-another-build")
    folder = write_small_artifacts(tmp_path / "again")  # the same graph, another build
    load_artifacts(graph_driver, folder, database=data.database, progress=False)
    assert fresh.run("atlas_top_clusters", limit=5) == first
    assert asked.count("atlas_top_clusters") == 2
