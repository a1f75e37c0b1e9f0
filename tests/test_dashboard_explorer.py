"""Issue 13 in headless Chromium: the explorer answers at a glance.

The bundled sample (loader/sample) is loaded into a fresh database, then, through Cypher, a base
gets 70 more quantized copies that all share one name (the lineage view must group, count and
page them, and tell them apart) and one model gets an inferred LIKELY_BASED_ON parent. One test
per point of the issue; needs /usr/bin/chromium + chromedriver (skipped with a message
otherwise).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from _dashboard_helpers import (
    browser_missing,
    chrome,
    click_node,
    cy_edges,
    cy_nodes,
    free_port,
    open_page,
    serve_app,
    wait_for,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"
BASE = "mistralai/Mistral-7B-v0.1"  # 14 declared children in the sample (11 fine-tunes)
COPIES = 70  # quantized copies added below, all named like the base's GGUF
GGUF = "TheBloke/Mistral-7B-v0.1-GGUF"  # gets a likely (inferred) parent
LIKELY_PARENT = "meta-llama/Llama-2-7b-hf"


@pytest.fixture(scope="module", autouse=True)
def _needs_browser():
    why = browser_missing()
    if why:
        pytest.skip(f"browser tests need headless Chromium: {why}")


@pytest.fixture(scope="module")
def graph(graph_db, graph_driver, tmp_path_factory):
    from constellation.loader.graph.writer import load_artifacts
    from constellation.loader.pipeline.build import build

    out = tmp_path_factory.mktemp("explorer-artifacts")
    build([SAMPLE], out, progress=False)
    load_artifacts(graph_driver, out, database=graph_db.database)
    with graph_driver.session(database=graph_db.database) as s:
        s.run("MATCH (p:Model {id: $base}) UNWIND range(0, $n - 1) AS i "
              "CREATE (c:Model {id: 'copy' + toString(i) + '/Mistral-7B-v0.1-GGUF', "
              "name: 'Mistral-7B-v0.1-GGUF', author: 'copy' + toString(i), "
              "downloads: 5000 - i})-[:BASED_ON {relation: 'quantized'}]->(p)",
              base=BASE, n=COPIES).consume()
        # ... and join the base's community, which then has more than one table page
        s.run("MATCH (p:Model {id: $base})-[:IN_COMMUNITY]->(g:Community) "
              "MATCH (c:Model) WHERE c.id STARTS WITH 'copy' CREATE (c)-[:IN_COMMUNITY]->(g)",
              base=BASE).consume()
        s.run("MATCH (p:Model {id: $base})-[:IN_COMMUNITY]->(g:Community) "
              "SET g.size = g.size + $n", base=BASE, n=COPIES).consume()
        # extra input columns, as the paper's CSV brings (params_millions, ...)
        s.run("MATCH (m:Model {id: $base}) SET m.params_millions = 7241.7, "
              "m.architecture = 'MistralForCausalLM', m.model_type = 'mistral'",
              base=BASE).consume()
        s.run("MATCH (c:Model {id: $c}), (p:Model {id: $p}) "
              "CREATE (c)-[:LIKELY_BASED_ON {score: 0.87, relation: 'finetune', rank: 1}]->(p)",
              c=GGUF, p=LIKELY_PARENT).consume()
    return graph_db


@pytest.fixture(scope="module")
def base_url(graph):
    from constellation.dashboard.app import create_app

    with serve_app(create_app(graph), free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chrome() as b:
        yield b


_open = open_page  # the helpers' page load


def _text(browser, css: str) -> str:
    from selenium.webdriver.common.by import By

    return " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, css))


def _path(browser) -> str:
    return unquote(browser.execute_script("return location.pathname + location.search"))


def _cy(browser, graph: str, js: str):
    """Run `js` with `cy` bound to the Cytoscape instance of `graph`."""
    return browser.execute_script(
        "const cy = window.dash_clientside.constellation.cyOf(arguments[0]);" + js, graph)


def _hover(browser, graph: str, node_id: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    node = next(n for n in cy_nodes(browser, graph) if n["id"] == node_id)
    host = browser.find_element(By.ID, graph)
    size = host.size
    ActionChains(browser).move_to_element_with_offset(
        host, int(node["x"] - size["width"] / 2), int(node["y"] - size["height"] / 2)).perform()


# --- point 1: the lineage of a popular base ---------------------------------------------------

def test_lineage_groups_children_by_relation_with_counts_and_pages(browser, base_url):
    from selenium.webdriver.common.by import By

    _open(browser, f"{base_url}/model/{BASE}?view=lineage")
    wait_until(lambda: any(n["id"] == "group:quantized" for n in cy_nodes(browser, "lin-graph")),
               what="the relation groups")
    labels = _cy(browser, "lin-graph",
                 "return Object.fromEntries(cy.nodes('.group').map(n => [n.id(), "
                 "n.data('label')]));")
    # each relation with its count: 3 sample GGUF/GPTQ copies + 70 added; 11 fine-tunes
    assert labels["group:quantized"].startswith(f"quantized · {3 + COPIES}")
    assert labels["group:finetune"].startswith("fine-tune · 11")
    status = _text(browser, "#lin-status")
    assert f"{14 + COPIES} direct descendants" in status and "quantized 73" in status
    assert "showing" in status and "of 84" in status  # the cut says how many there are

    def quantized():
        return [n for n in cy_nodes(browser, "lin-graph") if n["id"].endswith("-GGUF")
                or n["id"].endswith("GPTQ") or "bnb" in n["id"]]

    first = quantized()
    assert len(first) == 10
    # siblings look like siblings: one column, one per line, most downloaded on top
    assert len({round(n["px"]) for n in first}) == 1
    ys = [n["py"] for n in sorted(first, key=lambda n: n["py"])]
    assert len(set(ys)) == 10
    centre = next(n for n in cy_nodes(browser, "lin-graph") if n["id"] == BASE)
    assert all(n["py"] > centre["py"] for n in first)
    # paging: "show 50 more" for the quantized group
    button = next(b for b in browser.find_elements(By.CSS_SELECTOR, "#lin-groups button")
                  if "quantized" in b.find_element(By.XPATH, "..").text)
    assert button.text == "show 50 more"
    button.click()
    wait_until(lambda: len(quantized()) == 60, what="50 more quantized children")
    wait_idle(browser)
    assert "top 60" in _cy(browser, "lin-graph",
                           "return cy.getElementById('group:quantized').data('label');")
    # seventy copies named Mistral-7B-v0.1-GGUF: every label on screen is different
    drawn = _cy(browser, "lin-graph",
                "return cy.nodes().not('.group').map(n => n.data('label'));")
    assert len(drawn) == len(set(drawn))
    assert any(label.startswith("copy0/Mistral-7B-v0.1-GGUF") for label in drawn)
    browser.save_screenshot("/tmp/explorer-shots/lineage.png")


def test_lineage_likely_parents_toggle_draws_them_dashed_with_the_score(browser, base_url):
    from selenium.webdriver.common.by import By

    _open(browser, f"{base_url}/model/{GGUF}?view=lineage")
    wait_until(lambda: any(n["id"] == BASE for n in cy_nodes(browser, "lin-graph")),
               what="the declared parent")
    assert not any(n["id"] == LIKELY_PARENT for n in cy_nodes(browser, "lin-graph"))
    browser.find_element(By.CSS_SELECTOR, "#lin-likely input").click()
    wait_until(lambda: any(n["id"] == LIKELY_PARENT for n in cy_nodes(browser, "lin-graph")),
               what="the likely parent")
    edge = next(e for e in cy_edges(browser, "lin-graph") if "likely" in e["classes"])
    assert (edge["source"], edge["target"]) == (LIKELY_PARENT, GGUF)
    style = _cy(browser, "lin-graph", "const e = cy.edges('.likely')[0]; return "
                "[e.style('line-style'), e.data('label')];")
    assert style[0] == "dashed" and "0.87" in style[1]
    assert "1 likely parent" in _text(browser, "#lin-status")


# --- point 2: labels unique on screen, hover ----------------------------------------------------

def test_colliding_names_get_their_owner_and_hover_says_id_downloads_family(browser, base_url):
    # the base's neighbourhood holds some of the 70 copies named Mistral-7B-v0.1-GGUF
    _open(browser, f"{base_url}/model/{BASE}?view=neighbourhood")
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) > 5, what="neighbourhood nodes")
    wait_idle(browser)
    labels = _cy(browser, "nb-graph", "return cy.nodes().map(n => [n.id(), n.data('label')]);")
    shown = [label for _, label in labels]
    assert len(shown) == len(set(shown)), "two nodes read the same"
    copies = [(i, label) for i, label in labels if i.endswith("/Mistral-7B-v0.1-GGUF")]
    # owner/name, cut in the middle to fit: the owner shows
    assert len(copies) >= 2 and all(label.startswith(i.split("/")[0] + "/") for i, label in copies)
    assert dict(labels)[BASE] == "Mistral-7B-v0.1"  # a unique name stays short
    browser.save_screenshot("/tmp/explorer-shots/neighbourhood.png")
    time.sleep(0.5)  # the fit after the first drawing
    _hover(browser, "nb-graph", BASE)
    wait_until(lambda: BASE in _text(browser, "#nb-hover"), what="the hover line")
    hover = _text(browser, "#nb-hover")
    assert "downloads" in hover and "mistral" in hover.lower()  # its family label


# --- point 5: the neighbourhood's controls -----------------------------------------------------

def test_neighbourhood_edge_toggles_min_score_and_outline_legend(browser, base_url):
    from selenium.webdriver.common.by import By

    _open(browser, f"{base_url}/model/{BASE}?view=neighbourhood")
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) > 5, what="neighbourhood nodes")
    wait_idle(browser)
    legend = _text(browser, "#view-neighbourhood .outline-legend")
    for meaning in ("expanded", "new", "selected"):
        assert meaning in legend

    def visible(kind: str) -> int:
        return _cy(browser, "nb-graph", f"return cy.edges('.{kind}').filter(e => e.visible())"
                                        ".length;")

    assert visible("similar") > 0 and visible("lineage") > 0
    boxes = browser.find_elements(By.CSS_SELECTOR, "#nb-edges input")
    boxes[0].click()  # similarity off
    wait_until(lambda: visible("similar") == 0, what="similarity edges hidden")
    assert visible("lineage") > 0
    boxes[1].click()  # lineage off too
    wait_until(lambda: visible("lineage") == 0, what="lineage edges hidden")
    boxes[0].click()
    boxes[1].click()
    wait_until(lambda: visible("similar") > 0 and visible("lineage") > 0, what="edges back")
    # a minimum score: only similarity links at or above it stay
    scores = _cy(browser, "nb-graph", "return cy.edges('.similar').map(e => e.data('score'));")
    choice = next(label for label in browser.find_elements(By.CSS_SELECTOR, "#nb-min-score label")
                  if label.text.strip() == "0.8")
    choice.click()
    wait_until(lambda: visible("similar") == sum(1 for s in scores if s >= 0.8),
               what="weak similarity links hidden")
    assert visible("similar") < len(scores) or min(scores) >= 0.8
    # after expanding a node, no two labels overlap
    node = next(n["id"] for n in cy_nodes(browser, "nb-graph") if n["id"] != BASE)
    before = len(cy_nodes(browser, "nb-graph"))
    click_node(browser, "nb-graph", node)
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) > before or "expanded" in
               _text(browser, "#nb-status"), what="the expansion")
    wait_idle(browser)
    boxes = _cy(browser, "nb-graph", "return cy.nodes().map(n => { const b = n.boundingBox("
                "{includeLabels: true, includeOverlays: false, includeNodes: false}); "
                "return [n.id(), b.x1, b.y1, b.x2, b.y2]; });")
    overlaps = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert not overlaps, overlaps[:5]


# --- point 3: search says it is searching, and a page lists every result ------------------------

def test_search_shows_searching_then_a_results_page_with_paging(browser, base_url):
    from selenium.webdriver.common.by import By

    _open(browser, base_url + "/")
    browser.find_element(By.ID, "search").click()
    box = wait_for(browser, ".dash-dropdown-content input.dash-dropdown-search")
    box.send_keys("zzqx-nothing")
    wait_until(lambda: "Searching" in _text(browser, ".dash-dropdown-content"),
               what="'Searching…' while the query runs")
    wait_until(lambda: "No model matches" in _text(browser, ".dash-dropdown-content"),
               what="the empty answer")
    for _ in range(len("zzqx-nothing")):
        box.send_keys("\b")
    box.send_keys("7b")  # 90 models of the sample hold the word: two pages
    option = wait_until(lambda: next(
        (o for o in browser.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
         if o.text.startswith("All results for")), None), what="the 'All results' suggestion")
    option.click()
    wait_until(lambda: _path(browser).startswith("/search?q=7b"), what="the results page URL")
    wait_for(browser, "#search-table td")

    def ids():
        return [e.text for e in browser.find_elements(
            By.CSS_SELECTOR, "#search-table td[data-dash-column=link]")]

    first = ids()
    assert len(first) == 50 and "results 1–50" in _text(browser, "#search-range")
    browser.find_element(By.ID, "search-next").click()
    wait_until(lambda: "results 51–" in _text(browser, "#search-range"), what="page 2")
    second = ids()
    assert second and not set(second) & set(first)
    # one click from a result to its lineage
    link = browser.find_element(By.CSS_SELECTOR, "#search-table td[data-dash-column=open] a")
    assert "view=family" in link.get_attribute("href")
    # the page is a URL: reloading it shows the same results
    _open(browser, f"{base_url}/search?q=7b")
    wait_for(browser, "#search-table td")
    assert ids() == first
    # the exact id leads, whatever its downloads
    _open(browser, f"{base_url}/search?q={BASE.lower()}")
    wait_for(browser, "#search-table td")
    assert ids()[0] == BASE


# --- point 6: state in the URL, one click to a model's views --------------------------------------

def test_expansions_grouping_drill_path_and_console_query_live_in_the_url(browser, base_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    # neighbourhood: an expansion is in the URL, and the URL restores it
    _open(browser, f"{base_url}/model/{BASE}?view=neighbourhood")
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) > 5, what="neighbourhood nodes")
    wait_idle(browser)
    time.sleep(0.5)
    target = "mistralai/Mistral-7B-Instruct-v0.1"
    for attempt in range(3):  # a click during the layout's last frames can miss the node
        click_node(browser, "nb-graph", target)
        try:
            wait_until(lambda: f"expand={target}" in _path(browser), timeout=10,
                       what="the expansion in the URL")
            break
        except TimeoutError:
            if attempt == 2:
                raise
            wait_idle(browser)
            time.sleep(1)
    wait_idle(browser)
    # one click from the node's panel to its family and lineage
    panel = wait_for(browser, "#nb-node .to-lineage")
    assert f"/model/{target}?view=lineage" in unquote(panel.get_attribute("href"))
    assert browser.find_elements(By.CSS_SELECTOR, "#nb-node .to-family")
    drawn = {n["id"]: n["classes"] for n in cy_nodes(browser, "nb-graph")}
    shared = base_url + _path(browser)
    _open(browser, shared)
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) == len(drawn),
               what="the restored expansion")
    restored = {n["id"]: n["classes"] for n in cy_nodes(browser, "nb-graph")}
    assert set(restored) == set(drawn) and "expanded" in restored[target]

    # family: the grouping is in the URL
    _open(browser, f"{base_url}/model/{BASE}?view=family")
    wait_for(browser, "#fam-table td")
    browser.find_elements(By.CSS_SELECTOR, "#fam-by input")[1].click()
    wait_until(lambda: "by=cluster:0" in _path(browser), what="the grouping in the URL")
    _open(browser, f"{base_url}/model/{BASE}?view=family&by=cluster:1")
    wait_for(browser, "#fam-table td")
    checked = [i.get_attribute("value") for i in
               browser.find_elements(By.CSS_SELECTOR, "#fam-by input") if i.is_selected()]
    assert checked == ["cluster:1"]

    # atlas: the drill path is in the URL, restored with its crumbs; "all models" link
    _open(browser, f"{base_url}/atlas")
    wait_for(browser, "#atlas-dendro .scatterlayer .point")
    point = max(browser.find_elements(By.CSS_SELECTOR, "#atlas-dendro .scatterlayer .point"),
                key=lambda p: float(p.size["width"]))
    ActionChains(browser).move_to_element(point).click().perform()
    wait_until(lambda: "path=" in _path(browser), what="the drill path in the URL")
    link = wait_for(browser, "#atlas-all-models")
    assert "view=family" in link.get_attribute("href") and "by=cluster" in unquote(
        link.get_attribute("href"))
    assert link.text.startswith("All ") and "models of this cluster" in link.text
    crumbs = wait_until(lambda: (lambda t: t if "▸" in t else None)(
        _text(browser, "#atlas-crumbs")), what="the drill-down crumb")
    _open(browser, base_url + _path(browser))
    wait_until(lambda: _text(browser, "#atlas-crumbs") == crumbs, what="the restored crumbs")

    # console: the query is in the URL, and a shared URL runs it
    _open(browser, f"{base_url}/console")
    area = wait_for(browser, "#con-query")
    from selenium.webdriver.common.keys import Keys

    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys("MATCH (m:Model) RETURN m.id AS id ORDER BY m.downloads DESC LIMIT 3")
    browser.find_element(By.ID, "con-run").click()
    wait_until(lambda: "q=MATCH" in _path(browser), what="the query in the URL")
    _open(browser, base_url + _path(browser))
    wait_for(browser, "#con-table td")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#con-table td[data-dash-column=id]")) == 3
    assert "LIMIT 3" in browser.find_element(By.ID, "con-query").get_attribute("value")


# --- point 8: filters inside the queries, counts of what is shown, server-side paging ------------

def test_filters_apply_before_the_top_k_counts_follow_and_the_family_pages(browser, base_url):
    from selenium.webdriver.common.by import By

    # gpt2 with min downloads 10,000: its qualifying neighbours, not "No similar models"
    _open(browser, f"{base_url}/model/gpt2?view=neighbourhood&min_downloads=10000")
    nodes = wait_until(lambda: (lambda ns: ns if len(ns) > 1 else None)(
        cy_nodes(browser, "nb-graph")), what="gpt2's qualifying neighbours")
    assert {"gpt2-medium", "gpt2-large"} <= {n["id"] for n in nodes}
    # the family table pages on the server: 18 sample members + 70 copies
    _open(browser, f"{base_url}/model/{BASE}?view=family")
    wait_for(browser, "#fam-table td")
    total = 18 + COPIES
    assert f"of {total}" in _text(browser, "#fam-range")

    def ids():
        return [e.text for e in browser.find_elements(
            By.CSS_SELECTOR, "#fam-table td[data-dash-column=link]")]

    first = ids()
    assert len(first) == 50
    browser.find_element(By.CSS_SELECTOR, "#fam-table .next-page").click()
    wait_until(lambda: "Members 51–" in _text(browser, "#fam-range"), what="page 2")
    second = wait_until(lambda: (lambda i: i if i and i != first else None)(ids()),
                        what="the second page's rows")
    assert len(second) == total - 50 and not set(second) & set(first)
    # a filter: the head counts the members it lets through, as many as the rows shown
    _open(browser, f"{base_url}/model/{BASE}?view=family&min_downloads=4990")
    wait_for(browser, "#fam-table td")
    shown = ids()
    counts = _text(browser, "#fam-counts").lower()  # the stat labels are upper-cased by CSS
    assert f"of {total} members match the filters" in counts
    assert counts.split()[0] == str(len(shown))


# --- point 10: colours, merge edges, server down -------------------------------------------------

def test_merge_edges_are_drawn_distinctly_and_families_on_screen_differ(browser, base_url):
    from constellation.dashboard.palette import PALETTE

    merged = "garage-bAInd/Platypus2-70B-instruct"  # merged from two parents in the sample
    _open(browser, f"{base_url}/model/{merged}?view=neighbourhood")
    wait_until(lambda: any("merge" in e["classes"] for e in cy_edges(browser, "nb-graph")),
               what="the merge edges")
    styles = _cy(browser, "nb-graph", "return cy.edges('.merge').map(e => [e.style('line-style'),"
                 " e.style('line-dash-pattern'), e.style('width')]);")
    quant = _cy(browser, "nb-graph", "return cy.edges('.lineage').not('.merge').map(e => "
                "[e.style('line-style'), e.style('line-dash-pattern')]);")
    # Cytoscape has no `double`: the merge's own dash-dot pattern, not a solid fallback
    assert styles and all(s[0] == "dashed" and s[1] == "10 4 2 4" for s in styles), \
        styles
    assert all(q[1] != "10 4 2 4" for q in quant)
    # the families on screen: one colour each, in the graph and in the legend
    colors = _cy(browser, "nb-graph", "const m = {}; cy.nodes().forEach(n => { if "
                 "(n.data('family')) m[n.data('family')] = n.data('color'); }); return m;")
    n = min(len(colors), len(PALETTE))
    assert len(set(list(colors.values())[:n])) == n, colors
    assert len(set(colors.values())) == min(len(colors), len(PALETTE))


def test_server_down_says_so_instead_of_no_such_model(browser, graph):
    from constellation.dashboard.app import create_app

    dead = replace(graph, uri=f"bolt://127.0.0.1:{free_port()}")
    with serve_app(create_app(dead), free_port()) as url:
        for view, box in (("neighbourhood", "#nb-status"), ("lineage", "#lin-status")):
            _open(browser, f"{url}/model/gpt2?view={view}")
            wait_until(lambda b=box: "not reachable" in _text(browser, b),
                       what=f"the {view}'s 'not reachable'")
            assert "No model with id" not in _text(browser, "#view-" + view)


# --- point 4: family labels, atlas widths by size -------------------------------------------------

def test_family_labels_follow_downloads_and_atlas_widths_follow_size(browser, base_url):
    # gpt2's family: named after what its downloads share, not after DialoGPT copies
    _open(browser, f"{base_url}/model/gpt2?view=neighbourhood")
    wait_until(lambda: "Neighbourhood of gpt2" in _text(browser, "#nb-head"), what="the head")
    crumb = _text(browser, "#nb-head .crumb")
    assert "gpt 2" in crumb and "dialo" not in crumb
    # the atlas: each top cluster gets a bar as wide as its share of the models
    _open(browser, f"{base_url}/atlas")
    wait_for(browser, "#atlas-dendro .scatterlayer .point")
    bars = browser.execute_script(
        "const fig = document.getElementById('atlas-dendro').querySelector('.js-plotly-plot');"
        "const pts = fig.data.filter(t => t.mode === 'markers')[0];"
        "const bars = fig.data.filter(t => t.name === 'size');"
        "return [bars.map(b => b.x[1] - b.x[0]), pts.hovertext];")
    widths, hovers = bars
    sizes = [int(h.split("<br>")[1].split(" models")[0]) for h in hovers]
    assert len(widths) == len(sizes) >= 3
    pairs = sorted(zip(sizes, widths, strict=True))
    assert all(w1 <= w2 + 1e-9 for (_, w1), (_, w2) in zip(pairs, pairs[1:], strict=False))
    assert pairs[-1][1] > pairs[0][1]  # the largest cluster is drawn wider than the smallest


# --- point 7: the metadata the graph holds, missing counts, empty filters -------------------------

def test_details_show_extra_columns_missing_counts_read_dash(browser, base_url, graph,
                                                             graph_driver):
    from selenium.webdriver.common.by import By

    _open(browser, f"{base_url}/model/{BASE}?view=details")
    card = wait_for(browser, "#det-card").text
    for expected in ("params millions", "7,241.7", "architecture", "MistralForCausalLM",
                     "model type", "mistral"):
        assert expected in card, expected
    assert browser.find_elements(By.CSS_SELECTOR, "#det-card .to-family")  # one click away
    # a model without a download count: "–" in the family table, the graph and its panel
    with graph_driver.session(database=graph.database) as s:
        s.run("MATCH (m:Model {id: 'copy69/Mistral-7B-v0.1-GGUF'}) REMOVE m.downloads").consume()
    _open(browser, f"{base_url}/search?q=copy69/Mistral-7B-v0.1-GGUF")  # its exact id
    wait_for(browser, "#search-table td")
    assert _text(browser, "#search-table td[data-dash-column=downloads]") == "–"
    _open(browser, f"{base_url}/model/copy69/Mistral-7B-v0.1-GGUF?view=details")
    assert "–" in wait_for(browser, "#det-card .stats").text
    # the sample has pipeline tags and licenses: their menus are shown
    assert browser.find_element(By.ID, "f-tag-box").is_displayed()


def test_filters_without_values_in_the_graph_are_not_shown(browser, graph_db, graph_server):
    """A graph with models but no pipeline tag or license: no empty menus."""
    from constellation.dashboard.app import create_app
    from selenium.webdriver.common.by import By

    from constellation import server
    from constellation.graph import connect

    name = f"{graph_db.database}_bare"
    server.create_database(name)
    try:
        bare = replace(graph_server, database=name)
        with connect(bare) as driver, driver.session(database=name) as s:
            s.run("CREATE (:Model {id: 'a/bare-model', name: 'bare-model', downloads: 5})"
                  ).consume()
        with serve_app(create_app(bare), free_port()) as url:
            _open(browser, f"{url}/model/a/bare-model?view=details")
            wait_until(lambda: not browser.find_element(By.ID, "f-tag-box").is_displayed(),
                       what="the tag filter hidden")
            assert not browser.find_element(By.ID, "f-license-box").is_displayed()
            assert browser.find_element(By.ID, "f-min").is_displayed()
    finally:
        server.drop_database(name)


# --- point 9: one tokenizer for the word cloud, the chips and the word table ----------------------

def test_word_cloud_and_chips_split_names_alike(browser, base_url):
    from selenium.webdriver.common.by import By

    # Llama-3 and Llama-3.1 models share a family: "3.1" is one word in the cloud and the chips
    _open(browser, f"{base_url}/model/meta-llama/Llama-3.1-8B?view=family")
    img = wait_for(browser, "#fam-cloud img")
    cloud = img.get_attribute("alt").split(": ", 1)[1].split(", ")
    chips = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#fam-terms .chip.grey")]
    common = [c.rsplit(" (", 1)[0] for c in chips]
    label = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#fam-terms .chip")
             if "grey" not in c.get_attribute("class")]
    assert "3.1" in cloud and "3.1" in common
    assert label and not {"3", "1"} & set(label)  # the label's terms: "3.1" is never cut
    assert common == cloud[:len(common)]  # the same words, in the same order
    assert "1" not in cloud and not any(w.endswith(".") or w.startswith(".") for w in cloud)


def test_word_table_without_build_words_uses_the_build_tokenizer(browser, graph_db,
                                                                 graph_server):
    """A graph without Word nodes: the atlas counts names with the build's tokenizer."""
    from constellation.dashboard.app import create_app
    from selenium.webdriver.common.by import By

    from constellation import server
    from constellation.graph import connect

    name = f"{graph_db.database}_words"
    server.create_database(name)
    try:
        bare = replace(graph_server, database=name)
        with connect(bare) as driver, driver.session(database=name) as s:
            s.run("UNWIND $names AS n CREATE (:Model {id: 'o/' + n, name: n, downloads: 1})",
                  names=["Qwen2.5-7B-Instruct", "Qwen2.5-1.5B", "Llama-3.1-8B",
                         "Meta-Llama-3.1-70B-Instruct"]).consume()
        with serve_app(create_app(bare), free_port()) as url:
            _open(browser, f"{url}/atlas")
            wait_for(browser, "#atlas-words-table td")
            words = [e.text for e in browser.find_elements(
                By.CSS_SELECTOR, "#atlas-words-table td.word")]
            note = _text(browser, "#atlas-words")
    finally:
        server.drop_database(name)
    assert "qwen" in words and "2.5" in words and "3.1" in words and "1.5b" in words
    assert "qwen2.5" not in words and "1.5" not in words
    assert "build's tokenizer" in note


def test_suggestions_come_from_one_request_after_a_short_typing_pause(browser, base_url):
    """Issue 13: suggestions within 300 ms of the last key at 1M: the box waits ~100 ms (not
    250) and then sends one request, nothing chained after it."""
    from _dashboard_helpers import start_search_timing, typing_to_suggestions
    from selenium.webdriver.common.by import By

    _open(browser, base_url + "/")
    browser.find_element(By.ID, "search").click()
    box = wait_for(browser, ".dash-dropdown-content input.dash-dropdown-search")
    pause = browser.execute_script("return window.dash_clientside.constellation"
                                   ".SEARCH_PAUSE_MS;")
    assert pause is not None and pause <= 120
    start_search_timing(browser, box, "mistral")
    box.send_keys("mistral")
    shown = wait_until(lambda: typing_to_suggestions(browser), what="the suggestions")
    assert shown["options"] >= 2  # models, and the "All results" line
    assert len(shown["requests"]) == 1, shown["requests"]
    # while they came, the box never said there was no match
    assert not [said for said in shown["said"] if "No model matches" in said], shown["said"]
