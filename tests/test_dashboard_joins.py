"""Issue 14 in the explorer, in headless Chromium: datasets, papers and Spaces with their pages.

The shared fixtures (api-samples, mistral-small-tree) are built and loaded; their `dataset:` /
`arxiv:` tags and Spaces lists become links in the details panel, the family view sums up what
its members are trained on, and "trained on dataset" filters the views. One model also gets
hostile ids through Cypher (a `javascript:` dataset, markup as a paper, a path escape as a
Space): they must stay plain text.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from _dashboard_helpers import (
    browser_missing,
    chrome,
    cy_nodes,
    free_port,
    open_page,
    serve_app,
    wait_for,
    wait_idle,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.shared]

FIXTURES = ("api-samples", "mistral-small-tree-fixture")
HOSTILE = "AlexBefest/CardProjector-24B-v1"  # no tag of its own: the hostile ids are its only
BARE = "AlexBefest/CardProjector-24B-v3"  # no dataset, paper or Space
BAD = {"dataset": "javascript:alert(1)", "paper": '<img src=x onerror="alert(2)">',
       "space": "../../settings"}
S1K = "simplescaling/s1K-1.1"  # three models trained on it, two in one family


@pytest.fixture(scope="module", autouse=True)
def _needs_browser():
    why = browser_missing()
    if why:
        pytest.skip(f"browser tests need headless Chromium: {why}")


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory):
    from constellation.loader import artifacts
    from constellation.loader.pipeline.build import build

    out = tmp_path_factory.mktemp("joins-explorer")
    build([shared_data / f for f in FIXTURES], out, progress=False)
    return {name: artifacts.read_table(out, name)
            for name in ("models", "trained_on", "cites", "uses", "lineage")} | {"dir": out}


@pytest.fixture(scope="module")
def base_url(built, graph_db, graph_driver):
    from constellation.dashboard.app import create_app
    from constellation.loader.graph.writer import load_artifacts

    load_artifacts(graph_driver, built["dir"], database=graph_db.database, progress=False)
    with graph_driver.session(database=graph_db.database) as s:
        s.run("MATCH (m:Model {id: $m}) CREATE (m)-[:TRAINED_ON]->(:Dataset {id: $d}), "
              "(m)-[:CITES]->(:Paper {arxiv_id: $p}), (m)<-[:USES]-(:Space {id: $s})",
              m=HOSTILE, d=BAD["dataset"], p=BAD["paper"], s=BAD["space"]).consume()
        # written past the loader: the family's stored counts (GroupTop joins:<community>)
        # do not hold them, so they go and the family queries walk the members instead
        s.run("MATCH (:Model {id: $m})-[:IN_COMMUNITY]->(c) "
              "MATCH (t:GroupTop {id: 'joins:' + toString(c.id)}) DELETE t", m=HOSTILE).consume()
    with serve_app(create_app(graph_db), free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chrome() as b:
        yield b


_open = open_page  # the helpers' page load


def _links(browser, css: str) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, css)}


def _content(element) -> str:
    return (element.get_attribute("textContent") or "").strip()


def _expected(built, model: str) -> tuple[set[str], set[str]]:
    t, c = built["trained_on"], built["cites"]
    return (set(t.loc[t["model"] == model, "dataset"]), set(c.loc[c["model"] == model, "arxiv_id"]))


def test_details_link_every_dataset_paper_and_space(browser, base_url, built):
    models = built["models"]
    tagged = [m for m, tags in zip(models["id"], models["tags"], strict=True)
              if any(t.startswith(("dataset:", "arxiv:")) for t in tags)]
    assert len(tagged) >= 10
    links = 0
    for model in tagged:
        _open(browser, f"{base_url}/model/{model}?view=details")
        wait_for(browser, "#det-joins")
        datasets = _links(browser, "#det-joins .joins-datasets a")
        papers = _links(browser, "#det-joins .joins-papers a")
        want_d, want_p = _expected(built, model)
        assert datasets == {d: f"https://huggingface.co/datasets/{d}" for d in want_d}, model
        assert papers == {p: f"https://arxiv.org/abs/{p}" for p in want_p}, model
        # every dataset: / arxiv: tag of the model is one of the links
        for tag in models.loc[models["id"] == model, "tags"].item():
            kind, _, value = tag.partition(":")
            if kind == "dataset":
                assert value in datasets, tag
            elif kind == "arxiv":
                assert value in papers, tag
        links += len(datasets) + len(papers)
    assert links == len(built["trained_on"]) + len(built["cites"])
    # Spaces: the 20 most liked, with how many there are
    _open(browser, f"{base_url}/model/google-bert/bert-base-uncased?view=details")
    head = wait_for(browser, "#det-joins .joins-spaces h5").text
    uses = built["uses"]
    total = int((uses["model"] == "google-bert/bert-base-uncased").sum())
    assert head == f"Used by Spaces ({total:,}), the 20 most liked"
    spaces = _links(browser, "#det-joins .joins-spaces a")
    assert len(spaces) == 20
    assert all(url == f"https://huggingface.co/spaces/{sid}" for sid, url in spaces.items())
    assert set(spaces) <= set(uses.loc[uses["model"] == "google-bert/bert-base-uncased",
                                       "space"])


def test_hostile_ids_are_shown_as_text_never_as_links_or_markup(browser, base_url):
    from selenium.webdriver.common.by import By

    _open(browser, f"{base_url}/model/{HOSTILE}?view=details")
    box = wait_for(browser, "#det-joins")
    assert not box.find_elements(By.CSS_SELECTOR, "a")
    assert not box.find_elements(By.CSS_SELECTOR, "img")
    shown = [e.text for e in box.find_elements(By.CSS_SELECTOR, ".bad-id")]
    assert sorted(shown) == sorted(BAD.values())
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || '');")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript")]
    # the family's summary names the dataset the same way: text, no link
    _open(browser, f"{base_url}/model/{HOSTILE}?view=family")
    summary = wait_for(browser, "#fam-datasets .join-list")
    assert BAD["dataset"] in summary.text
    assert not [a for a in browser.find_elements(By.CSS_SELECTOR, "#fam-datasets a")
                if "javascript" in (a.get_attribute("href") or "").lower()]


def test_a_model_without_joins_says_so(browser, base_url):
    _open(browser, f"{base_url}/model/{BARE}?view=details")
    text = wait_for(browser, "#det-joins").text
    for line in ("No dataset recorded", "No paper cited", "No Space uses this model"):
        assert line in text


def test_family_view_sums_up_what_its_members_are_trained_on(browser, base_url, built):
    from selenium.webdriver.common.by import By

    models, t = built["models"], built["trained_on"]
    member = "allura-org/Mistral-Small-Sisyphus-24b-2503"
    community = models.loc[models["id"] == member, "community"].item()
    family = set(models.loc[models["community"] == community, "id"])
    counts = t[t["model"].isin(family)].groupby("dataset")["model"].nunique()
    top = sorted(counts.items(), key=lambda dc: (-dc[1], dc[0]))  # the query's order
    _open(browser, f"{base_url}/model/{member}?view=family")
    wait_for(browser, "#fam-datasets li")
    rows = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#fam-datasets li")]
    links = _links(browser, "#fam-datasets a")
    assert len(rows) == min(10, len(top))
    first = rows[0]
    assert first.startswith(top[0][0]) and f"{top[0][1]} member" in first
    assert all(url == f"https://huggingface.co/datasets/{d}" for d, url in links.items())
    assert set(links) <= set(counts.index)
    # a family none of whose members names a dataset
    trained = set(t["model"])
    lone = next(c for c, ids in models.groupby("community")["id"]
                if not set(ids) & trained and HOSTILE not in set(ids))
    other = models.loc[models["community"] == lone, "id"].iloc[0]
    _open(browser, f"{base_url}/model/{other}?view=family")
    assert "No member records a dataset" in wait_for(browser, "#fam-datasets .join-none").text


def test_trained_on_dataset_filter(browser, base_url, built):
    from selenium.webdriver.common.by import By

    models, t = built["models"], built["trained_on"]
    trained = set(t.loc[t["dataset"] == S1K, "model"])
    member = "allura-org/Mistral-Small-Sisyphus-24b-2503"
    community = models.loc[models["id"] == member, "community"].item()
    family = set(models.loc[models["community"] == community, "id"])
    _open(browser, f"{base_url}/model/{member}?view=family")
    wait_for(browser, "#fam-table td")
    assert browser.find_element(By.ID, "f-dataset-box").is_displayed()
    # pick the dataset in its menu: the URL and the table follow
    browser.find_element(By.ID, "f-dataset").click()
    box = wait_for(browser, ".dash-dropdown-content input.dash-dropdown-search")
    box.send_keys("s1K-1.1")

    def dataset_option():
        return next((o for o in browser.find_elements(
            By.CSS_SELECTOR, ".dash-dropdown-options [role=option]")
            if _content(o).startswith(S1K + " (")), None)

    try:
        option = wait_until(dataset_option, what="the dataset's option")
    except TimeoutError:
        shown = browser.execute_script("return [...document.querySelectorAll("
                                       "'.dash-dropdown-option')].map(o => o.textContent);")
        raise AssertionError(f"no option for {S1K} among {shown[:20]}") from None
    assert _content(option) == f"{S1K} ({len(trained)})"
    option.click()  # the menu closes on a pick
    wait_until(lambda: f"dataset={S1K}" in unquote(browser.current_url), what="the URL")
    wait_idle(browser)

    def ids():
        return {e.text for e in browser.find_elements(
            By.CSS_SELECTOR, "#fam-table td[data-dash-column=link]")}

    wait_until(lambda: ids() == trained & family, what="the filtered members")
    assert len(trained & family) == 2
    # the neighbourhood: only neighbours trained on it
    base = "mistralai/Mistral-Small-24B-Base-2501"
    _open(browser, f"{base_url}/model/{base}?view=neighbourhood&dataset={S1K}")
    wait_until(lambda: any(n["id"] == base for n in cy_nodes(browser, "nb-graph")),
               what="the neighbourhood")
    wait_idle(browser)
    lineage = built["lineage"]
    children = set(lineage.loc[lineage["parent"] == base, "child"])
    shown = {n["id"] for n in cy_nodes(browser, "nb-graph")} - {base}
    assert shown == trained & children and len(shown) == 2
    _open(browser, f"{base_url}/model/{base}?view=neighbourhood")
    wait_until(lambda: len(cy_nodes(browser, "nb-graph")) > 1 + len(trained),
               what="the unfiltered neighbourhood")
    # the atlas: the scatter plots hold the three models
    _open(browser, f"{base_url}/atlas?dataset={S1K}")
    note = wait_until(lambda: browser.find_element(By.ID, "atlas-scatter-note").text,
                      what="the scatter note")
    assert note.startswith(f"{len(trained)} models") and "matching the filters" in note
    # search: filtered by it once its query takes a dataset, until then it says it is not
    from constellation.queries.runner import get_query

    _open(browser, f"{base_url}/search?q=mistral&dataset={S1K}")
    wait_for(browser, "#search-table td, #view-search .empty")
    found = {e.text for e in browser.find_elements(
        By.CSS_SELECTOR, "#search-table td[data-dash-column=id], "
                         "#search-table td[data-dash-column=link]")}
    if "dataset" in get_query("search").params:
        assert found <= trained
    else:
        assert "not filtered by trained on dataset" in browser.find_element(
            By.ID, "search-unfiltered").text
