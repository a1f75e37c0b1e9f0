"""The explorer's callbacks answered through Flask's test client (no browser, no web server),
over the small hand-made graph of the query tests: what a shared URL with a bad filter gets."""

from __future__ import annotations

import json

import pytest
from _dashboard_helpers import post_callback
from _queries_helpers import write_small_artifacts
from constellation.dashboard.app import create_app
from constellation.dashboard.data import Data
from constellation.loader.graph.writer import load_artifacts


@pytest.fixture(scope="module")
def app(graph_db, graph_driver, tmp_path_factory):
    folder = write_small_artifacts(tmp_path_factory.mktemp("explorer") / "artifacts")
    load_artifacts(graph_driver, folder, database=graph_db.database, progress=False)
    return create_app(data=Data(graph_driver, database=graph_db.database))


@pytest.mark.parametrize("raw", ["1e999", "1e30"])
def test_huge_min_downloads_in_the_url_is_no_error_and_no_missing_model(app, raw) -> None:
    # the router: the URL becomes the explorer's state (1e999 was a 500: OverflowError)
    code, body = post_callback(app, "..url.pathname...url.search...state.data",
                               {"url.pathname": "/model/gpt2",
                                "url.search": f"?min_downloads={raw}"}, "url.pathname")
    assert code == 200, body
    state = body["response"]["state"]["data"]
    assert state["model"] == "gpt2" and state["filters"]["min_downloads"] == 2**63 - 1
    # the neighbourhood of that state (1e30 said "No model with id gpt2")
    code, body = post_callback(app, "..nb-graph.elements", {"state.data": state}, "state.data")
    assert code == 200, body
    text = json.dumps(body["response"])
    assert "No model with id" not in text and "Something went wrong" not in text
    assert "Neighbourhood of " in text and "with the current filters" in text
    nodes = [e for e in body["response"]["nb-graph"]["elements"] if "source" not in e["data"]]
    assert [n["data"]["id"] for n in nodes] == ["gpt2"]  # no neighbour has that many downloads


def test_huge_number_in_the_filter_box_keeps_the_model(app) -> None:
    """The number box sends 1e30 as it is: the view used to fail in the driver (OverflowError)
    and say "No model with id gpt2"."""
    state = {"model": "gpt2", "view": "neighbourhood",
             "filters": {"pipeline_tag": None, "license": None, "min_downloads": 1e30,
                         "created_from": None, "created_to": None}}
    code, body = post_callback(app, "..nb-graph.elements", {"state.data": state}, "state.data")
    assert code == 200, body
    text = json.dumps(body["response"])
    assert "No model with id" not in text and "Neighbourhood of " in text
