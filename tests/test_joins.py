"""Joins with datasets, papers and Spaces (issue 14): extraction from the model records."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from constellation.loader import artifacts
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline.build import build
from constellation.loader.pipeline.joins import (
    join_tables,
    normalise_arxiv_id,
    normalise_dataset_id,
)

FIXTURES = ("api-samples", "mistral-small-tree-fixture")


def _records(tmp_path, records: list[dict]):
    path = tmp_path / "models.json"
    path.write_text(json.dumps(records))
    return read_sources([path], progress=False).models


def test_tag_and_card_name_one_dataset(tmp_path):
    models = _records(tmp_path, [
        {"id": "a/m", "tags": ["dataset:squad_v2", "arxiv:1810.04805v2"],
         "cardData": {"datasets": ["squad_v2", "https://huggingface.co/datasets/o/extra"]}},
        {"id": "b/n", "cardData": {"datasets": "glue"}, "tags": ["arxiv:junk"]},
    ])  # fmt: skip
    t = join_tables(models)
    rows = set(t["trained_on"][["model", "dataset", "origin"]].itertuples(index=False))
    assert rows == {("a/m", "squad_v2", "tag"), ("a/m", "o/extra", "card"), ("b/n", "glue", "card")}
    assert sorted(t["datasets"]["id"]) == ["glue", "o/extra", "squad_v2"]
    assert list(t["cites"].itertuples(index=False)) == [("a/m", "1810.04805")]


def test_normalisation_rules():
    assert normalise_dataset_id("datasets/glue") == "glue"
    assert normalise_dataset_id("two words") is None
    assert normalise_arxiv_id("ARXIV:2106.09685") == "2106.09685"
    assert normalise_arxiv_id("hep-th/9901001v3") == "hep-th/9901001"
    assert normalise_arxiv_id("1234") is None


def test_spaces_from_model_records_and_listing(tmp_path):
    models = _records(tmp_path, [{"id": "a/m", "spaces": ["s/one", "bad space"]}])
    listing = pd.DataFrame({"id": ["s/two", "s/one"], "likes": [3, 5],
                            "models": [["a/m", "x/other"], ["a/m"]]})  # fmt: skip
    t = join_tables(models, spaces=listing)
    uses = set(t["uses"][["space", "model"]].itertuples(index=False))
    assert uses == {("s/one", "a/m"), ("s/two", "a/m"), ("s/two", "x/other")}
    spaces = t["spaces"].set_index("id")
    assert spaces.loc["s/one", "likes"] == 5 and "models" not in spaces.columns


@pytest.mark.shared
def test_every_dataset_and_arxiv_tag_becomes_a_join(shared_data, tmp_path):
    """The issue's goal on the shared fixtures: each `dataset:` / `arxiv:` tag is a link."""
    models = read_sources([shared_data / f for f in FIXTURES], progress=False).models
    t = join_tables(models)
    trained = set(t["trained_on"][["model", "dataset"]].itertuples(index=False))
    cited = set(t["cites"].itertuples(index=False))
    n_tags = 0
    for model, tags in zip(models["id"], models["tags"], strict=True):
        for tag in tags:
            if tag.startswith("dataset:"):
                assert (model, tag.removeprefix("dataset:")) in trained, tag
                n_tags += 1
            elif tag.startswith("arxiv:"):
                assert (model, tag.removeprefix("arxiv:")) in cited, tag
                n_tags += 1
    assert n_tags == len(trained) + len(cited) == 101
    bert = t["trained_on"][t["trained_on"]["model"] == "google-bert/bert-base-uncased"]
    assert set(bert["dataset"]) == {"bookcorpus", "wikipedia"}
    # the model records' `spaces` lists: Spaces that use the models
    assert ("microsoft/HuggingGPT", "google-bert/bert-base-uncased") in set(
        t["uses"][["space", "model"]].itertuples(index=False)
    )


@pytest.mark.shared
def test_build_writes_join_artifacts(shared_data, tmp_path):
    out = tmp_path / "art"
    manifest = build([shared_data / f for f in FIXTURES], out)
    assert manifest["counts"]["joins"]["trained_on"] == 66
    models = artifacts.read_table(out, "models")
    assert "card_datasets" not in models.columns and "spaces" not in models.columns
    for name in artifacts.JOIN_TABLES:
        artifacts.read_table(out, name)  # each written by this build
    cites = artifacts.read_table(out, "cites")
    assert len(cites) == 35
