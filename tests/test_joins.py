"""Joins with datasets, papers and Spaces (issue 14): extraction from the model records."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from constellation.loader import artifacts
from constellation.loader.graph.bulk import bulk_load
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline.build import build
from constellation.loader.pipeline.joins import (
    join_tables,
    normalise_arxiv_id,
    normalise_dataset_id,
)
from constellation.queries.runner import run_query

from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

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


# --- the graph: incremental writer and bulk path ------------------------------------------


def _rows(config, query: str, **params) -> list[dict]:
    with connect(config) as driver:
        return [dict(r) for r in driver.execute_query(query, params, database_=config.database)
                .records]  # fmt: skip


def _joins_of(config) -> dict:
    """Labels and relationship types of the joins, with every join edge."""
    edges = _rows(config, """
        MATCH (a)-[r:TRAINED_ON|CITES|FOR_TASK|USES]->(b)
        RETURN coalesce(a.id, a.name) AS a, type(r) AS t,
               coalesce(b.id, b.arxiv_id, b.name) AS b, properties(b) AS props""")  # fmt: skip
    labels = {
        r["l"]: r["n"]
        for r in _rows(config, "MATCH (n) RETURN labels(n)[0] AS l, count(*) AS n")
        if r["l"] in ("Dataset", "Paper", "Task", "Space")
    }
    return {"labels": labels, "edges": sorted(json.dumps(e, sort_keys=True) for e in edges)}


@pytest.fixture(scope="module")
def shared_built(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("joins") / "artifacts"
    build([shared_data / f for f in FIXTURES], out)
    return out


@pytest.mark.shared
def test_writer_links_every_tag_and_bulk_makes_the_same_graph(shared_built, fresh, monkeypatch):
    ref, bulk = fresh(), fresh()
    with connect(ref) as driver:
        counts = load_artifacts(driver, shared_built, database=ref.database, progress=False)
    assert counts["datasets"]["created"] == 52
    got = _joins_of(ref)
    assert got["labels"]["Dataset"] == 52 and got["labels"]["Paper"] == 35
    types = {}
    for e in got["edges"]:
        t = json.loads(e)["t"]
        types[t] = types.get(t, 0) + 1
    assert types["TRAINED_ON"] == 66 and types["CITES"] == 35 and types["USES"] == 401
    # every dataset:/arxiv: tag is a TRAINED_ON/CITES link of its model
    linked = _rows(ref, """
        MATCH (m:Model)-[:TAGGED]->(t:Tag)
        WHERE t.name STARTS WITH 'dataset:' OR t.name STARTS WITH 'arxiv:'
        OPTIONAL MATCH (m)-[:TRAINED_ON]->(d:Dataset) WHERE 'dataset:' + d.id = t.name
        OPTIONAL MATCH (m)-[:CITES]->(p:Paper) WHERE 'arxiv:' + p.arxiv_id = t.name
        RETURN t.name AS tag, d IS NOT NULL OR p IS NOT NULL AS ok""")  # fmt: skip
    assert len(linked) == 101 and all(r["ok"] for r in linked)

    monkeypatch.setenv("CONSTELLATION_BULK_HEAP", "1g")
    bulk_counts = bulk_load(bulk, shared_built)
    assert bulk_counts["datasets"]["created"] == 52
    assert _joins_of(bulk) == got
    # over the bulk graph, an incremental load writes nothing
    with connect(bulk) as driver:
        again = load_artifacts(driver, shared_built, database=bulk.database, progress=False)
    for kind in ("models", "datasets", "spaces"):
        assert again[kind]["created"] == again[kind]["updated"] == again[kind]["deleted"] == 0


def test_refresh_moves_join_links_and_drops_orphans(tmp_path, fresh):
    config = fresh()
    src = tmp_path / "models.json"

    def load(records: list[dict]) -> dict:
        src.write_text(json.dumps(records))
        build([src], tmp_path / "art", fresh_ids=True)
        with connect(config) as driver:
            return load_artifacts(driver, tmp_path / "art", database=config.database,
                                  progress=False)  # fmt: skip

    base = {"id": "o/other", "tags": ["text-generation"], "pipeline_tag": "text-generation"}
    load([
        {"id": "a/m", "tags": ["dataset:d1", "arxiv:2101.00001"], "spaces": ["s/x"],
         "pipeline_tag": "fill-mask"},
        base,
    ])  # fmt: skip
    assert _rows(config, "MATCH (:Model {id: 'a/m'})-[:TRAINED_ON]->(d) RETURN d.id AS d") == [
        {"d": "d1"}
    ]
    counts = load([
        {"id": "a/m", "tags": ["dataset:d2"], "cardData": {"datasets": ["d2", "d3"]},
         "pipeline_tag": "text-generation"},
        base,
    ])  # fmt: skip
    assert counts["models"]["updated"] == 1 and counts["models"]["unchanged"] == 1
    rows = _rows(config, "MATCH (:Model {id: 'a/m'})-[:TRAINED_ON]->(d) RETURN d.id AS d")
    assert sorted(r["d"] for r in rows) == ["d2", "d3"]
    assert _rows(config, "MATCH (d:Dataset {id: 'd1'}) RETURN d") == []
    assert _rows(config, "MATCH (p:Paper) RETURN p") == []  # no model cites it any more
    assert _rows(config, "MATCH (t:Task) RETURN t.name AS n") == [{"n": "text-generation"}]
    assert _rows(config, "MATCH (s:Space) RETURN s") == []


# --- named queries on the shared fixtures -------------------------------------------------


@pytest.fixture(scope="module")
def joined(shared_built, graph_db: GraphConfig, graph_driver):
    """The shared fixtures built and loaded; (run(name, **params), artifact tables)."""
    load_artifacts(graph_driver, shared_built, database=graph_db.database, progress=False)
    tables = {
        name: artifacts.read_table(shared_built, name)
        for name in ("models", "trained_on", "cites", "uses", "communities")
    }

    def run(name: str, **params):
        return run_query(graph_driver, name, params, database=graph_db.database)

    return run, tables


def _family(tables: dict, model: str) -> set[str]:
    models = tables["models"]
    community = models.loc[models["id"] == model, "community"].item()
    return set(models.loc[models["community"] == community, "id"])


@pytest.mark.shared
def test_every_dataset_and_arxiv_tag_is_a_link_in_model_joins(joined):
    run, tables = joined
    checked = 0
    for model, tags in zip(tables["models"]["id"], tables["models"]["tags"], strict=True):
        (row,) = run("model_joins", id=model, spaces_limit=1000)
        datasets = {d["id"]: d["url"] for d in row["datasets"]}
        papers = {p["id"]: p["url"] for p in row["papers"]}
        for tag in tags:
            if tag.startswith("dataset:"):
                name = tag.removeprefix("dataset:")
                assert datasets[name] == f"https://huggingface.co/datasets/{name}"
                checked += 1
            elif tag.startswith("arxiv:"):
                name = tag.removeprefix("arxiv:")
                assert papers[name] == f"https://huggingface.co/papers/{name}"
                checked += 1
        uses = tables["uses"]
        assert row["spaces_total"] == int((uses["model"] == model).sum())
    assert checked == 101
    (bert,) = run("model_joins", id="google-bert/bert-base-uncased", spaces_limit=2)
    assert [d["id"] for d in bert["datasets"]] == ["bookcorpus", "wikipedia"]
    assert bert["task"] == "fill-mask" and len(bert["spaces"]) == 2


@pytest.mark.shared
def test_trained_on_models_and_families(joined):
    run, tables = joined
    rows = run("trained_on", dataset="squad_v2")
    assert [r["id"] for r in rows] == ["deepset/roberta-base-squad2"]
    assert rows[0]["dataset_url"] == "https://huggingface.co/datasets/squad_v2"
    t = tables["trained_on"]
    trained = set(t.loc[t["dataset"] == "simplescaling/s1K-1.1", "model"])
    rows = run("trained_on", dataset="simplescaling/s1K-1.1", limit=100)
    assert {r["id"] for r in rows} == trained and len(trained) == 3
    downloads = [r["downloads"] for r in rows]
    assert downloads == sorted(downloads, reverse=True)
    families = run("trained_on", dataset="simplescaling/s1K-1.1", by="family")
    models = tables["models"].set_index("id")
    expected: dict[int, int] = {}
    for m in trained:
        expected[models.loc[m, "community"]] = expected.get(models.loc[m, "community"], 0) + 1
    assert {r["family_id"]: r["models"] for r in families} == expected
    assert sum(r["models"] for r in families) == 3 and len(families) < 3  # two share a family
    assert run("trained_on", dataset="no/such-dataset") == []
    # the first page read from the dataset's stored GroupTop is the page the walk sorts
    for dataset in t["dataset"].value_counts().index[:5]:
        for by in ("model", "family"):
            stored = run("trained_on", dataset=dataset, by=by, limit=20)
            walked = run("trained_on", dataset=dataset, by=by, limit=1000)[:20]
            assert stored == walked and stored, (dataset, by)
            assert run("trained_on", dataset=dataset, by=by, skip=1, limit=3) == walked[1:4]
    # by_metadata's dataset and paper filters: the same models, combinable with the others
    rows = run("by_metadata", dataset="simplescaling/s1K-1.1", limit=100)
    assert {r["id"] for r in rows} == trained
    both = run("by_metadata", dataset="simplescaling/s1K-1.1", author="allura-org")
    assert {r["id"] for r in both} == {m for m in trained if m.startswith("allura-org/")}
    cites = tables["cites"]
    paper = cites["arxiv_id"].value_counts().index[0]
    rows = run("by_metadata", paper=paper, limit=1000)
    assert {r["id"] for r in rows} == set(cites.loc[cites["arxiv_id"] == paper, "model"])
    assert run("by_metadata", dataset="no/such-dataset") == []


@pytest.mark.shared
def test_family_datasets_and_papers_count_members(joined):
    run, tables = joined
    model = "allura-org/Mistral-Small-24b-Sertraline-0304"
    family = _family(tables, model)
    t = tables["trained_on"][tables["trained_on"]["model"].isin(family)]
    expected = t.groupby("dataset")["model"].nunique().to_dict()
    rows = run("family_datasets", id=model, limit=1000)
    assert {r["dataset"]: r["models"] for r in rows} == expected
    assert max(expected.values()) == 2  # both allura-org models name the shared datasets
    assert all(r["family_size"] == len(family) for r in rows)
    assert [r["models"] for r in rows] == sorted((r["models"] for r in rows), reverse=True)

    model = "mistralai/Mistral-Small-24B-Base-2501"
    family = _family(tables, model)
    c = tables["cites"][tables["cites"]["model"].isin(family)]
    rows = run("family_papers", id=model, limit=1000)
    assert {r["arxiv_id"]: r["models"] for r in rows} == c.groupby("arxiv_id")["model"].nunique(
    ).to_dict() and len(rows) >= 25  # fmt: skip
    assert rows[0]["url"].startswith("https://huggingface.co/papers/")


@pytest.mark.shared
def test_spaces_using_a_model_or_its_family(joined):
    run, tables = joined
    uses = tables["uses"]
    model = "mistralai/Mistral-Small-24B-Base-2501"
    alone = run("spaces_using", id=model, scope="model", limit=1000)
    assert {r["id"] for r in alone} == set(uses.loc[uses["model"] == model, "space"])
    family = _family(tables, model)
    rows = run("spaces_using", id=model, limit=1000)
    in_family = uses[uses["model"].isin(family)]
    assert {r["id"]: r["models"] for r in rows} == in_family.groupby("space")["model"].nunique(
    ).to_dict()  # fmt: skip
    # a Space using members too counts them: the family view sees more uses than the model's
    assert sum(r["models"] for r in rows) > sum(r["models"] for r in alone)
    with pytest.raises(UserError, match="no model with id"):
        run("spaces_using", id="no/such-model")


@pytest.mark.shared
def test_filter_datasets_counts_models(joined):
    run, tables = joined
    rows = run("filter_datasets", limit=5000)
    expected = tables["trained_on"]["dataset"].value_counts().to_dict()
    assert {r["value"]: r["models"] for r in rows} == expected
    assert rows[0]["models"] == max(expected.values()) == 3
    assert [r["value"] for r in run("filter_datasets", limit=1)] == [rows[0]["value"]]


@pytest.mark.shared
def test_the_explorer_queries_filter_by_dataset(joined):
    """The explorer's "trained on dataset" filter: family, neighbourhood and atlas queries."""
    run, tables = joined
    t = tables["trained_on"]
    dataset = "simplescaling/s1K-1.1"
    trained = set(t.loc[t["dataset"] == dataset, "model"])
    assert run("atlas_model_count", dataset=dataset)[0]["models"] == len(trained) == 3
    assert run("atlas_model_count", dataset="no/such-dataset")[0]["models"] == 0
    assert {r["id"] for r in run("atlas_scatter", dataset=dataset)} == trained
    everyone = run("atlas_model_count")[0]["models"]
    assert everyone == int(tables["models"]["downloads"].notna().sum())  # no dataset: as before
    model = "allura-org/Mistral-Small-Sisyphus-24b-2503"
    family = _family(tables, model)
    rows = run("family", id=model, dataset=dataset, limit=100)
    assert {r["id"] for r in rows} == trained & family and len(trained & family) == 2
    assert len(run("family", id=model, limit=100)) == len(family)
    base = "mistralai/Mistral-Small-24B-Base-2501"
    rows = run("explore_neighbours", id=base, dataset=dataset)
    assert rows and {r["id"] for r in rows} <= trained
    assert len(run("explore_neighbours", id=base)) > len(rows)


# --- the family counts stored at load (GroupTop `joins:<community>`) ----------------------

FAMILY_QUERIES = (("family_datasets", {}), ("family_papers", {}),
                  ("spaces_using", {"scope": "family"}))  # fmt: skip
PAGES = ({"limit": 1000}, {"limit": 20}, {"skip": 1, "limit": 2}, {"skip": 3, "limit": 5})


def _stored_answers(config: GraphConfig, models: list[str], filters: list[dict]) -> dict:
    """Every family query's pages for these models, by_metadata's for these filters."""
    out = {}
    with connect(config) as driver:
        def run(name: str, params: dict) -> None:
            out[(name, json.dumps(params, sort_keys=True))] = run_query(
                driver, name, params, database=config.database)

        for model in models:
            for name, extra in FAMILY_QUERIES:
                for page in PAGES:
                    run(name, {"id": model, **extra, **page})
        for where in filters:
            for page in PAGES:
                run("by_metadata", {**where, **page})
            for order in ("likes", "created"):
                run("by_metadata", {**where, "order": order})
                run("by_metadata", {**where, "order": order, "skip": 2, "limit": 5})
            run("by_metadata", {**where, "license": "apache-2.0"})
    return out


def _joins_rows(config: GraphConfig) -> dict:
    return {r["p"]["id"]: r["p"] for r in _rows(
        config, "MATCH (t:GroupTop) WHERE t.id STARTS WITH 'joins:' RETURN properties(t) AS p")}


def _assert_stored_equals_walked(
    config: GraphConfig, models: list[str], filters: list[dict] = ()
) -> dict:
    """The family queries and by_metadata's dataset/paper filters answer from the stored rows
    as the walk over the members / the links does (the same queries once the rows are gone, as
    on a graph loaded before them)."""
    communities = _rows(config, "MATCH (c:Community) RETURN c.id AS id")
    rows = _joins_rows(config)
    assert set(rows) == {f"joins:{r['id']}" for r in communities}
    papers = {w["paper"] for w in filters if "paper" in w}
    stored_papers = _rows(config, "MATCH (t:GroupTop) WHERE t.id STARTS WITH 'paper:' "
                                  "RETURN t.id AS id")  # fmt: skip
    assert {f"paper:{p}" for p in papers} <= {r["id"] for r in stored_papers}
    stored = _stored_answers(config, models, list(filters))
    _rows(config, "MATCH (t:GroupTop) WHERE t.id STARTS WITH 'joins:' "
                  "OR t.id STARTS WITH 'paper:' OR t.id STARTS WITH 'dataset:' DELETE t")
    walked = _stored_answers(config, models, list(filters))
    for key, rows_walked in walked.items():
        assert stored[key] == rows_walked, key
    return stored


def _generated(tmp_path: Path) -> Path:
    """A Hub-shaped generated set (packaged sample: no ../shared needed) with its
    `dataset:`/`arxiv:` joins, and Spaces using its models (likes with ties and gaps)."""
    import numpy as np
    from constellation.loader.ingest import generate

    ids = tmp_path / "ids.parquet"
    generate.write_ids(generate.generate_ids(3000, seed=0, sources=[generate.SAMPLE]), ids)
    out = tmp_path / "art"
    build([ids], out, progress=False)
    models = pd.read_parquet(out / "models.parquet", columns=["id", "community"])
    rng = np.random.default_rng(0)
    big = models[models["community"] < 5]["id"].to_numpy()  # the largest families
    spaces = [f"s/space-{i}" for i in range(150)]
    uses = [(s, m) for s in spaces for m in rng.choice(big, rng.integers(1, 9), replace=False)]
    likes = rng.choice([0.0, 1.0, 5.0, np.nan], len(spaces))
    artifacts.write_extra_table(out, "spaces", pd.DataFrame({"id": spaces, "likes": likes}))
    artifacts.write_extra_table(out, "uses", pd.DataFrame(
        {"space": [u[0] for u in uses], "model": [u[1] for u in uses], "origin": "listing"}))
    return out


def test_family_counts_stored_at_load_equal_the_walk_on_a_generated_set(tmp_path, fresh,
                                                                         monkeypatch):
    built = _generated(tmp_path)
    writer, bulk = fresh(), fresh()
    with connect(writer) as driver:
        load_artifacts(driver, built, database=writer.database, progress=False)
    monkeypatch.setenv("CONSTELLATION_BULK_HEAP", "1g")
    bulk_load(bulk, built)
    assert _joins_rows(bulk) == _joins_rows(writer)  # both paths store the same rows
    models = pd.read_parquet(built / "models.parquet", columns=["id", "community", "downloads"])
    # the most downloaded member of every family, and a few models of the largest ones
    sample = models.sort_values("downloads", ascending=False).groupby("community").head(1)
    sample = [*sample.head(40)["id"], *models[models["community"] == 0]["id"].head(3)]
    # by_metadata's dataset / paper filters: the most used ones (over a stored page) and others
    filters = [{"dataset": d} for d in _most(built, "trained_on", "dataset")]
    filters += [{"paper": p} for p in _most(built, "cites", "arxiv_id")]
    stored = _assert_stored_equals_walked(writer, sample, filters)
    answered = {name: sum(bool(v) for k, v in stored.items() if k[0] == name)
                for name in ("family_datasets", "family_papers", "spaces_using", "by_metadata")}
    assert min(answered.values()) >= 10, answered  # every query answered for many families
    assert max(len(v) for k, v in stored.items() if k[0] == "by_metadata") > 50
    # paging reads the stored lists' positions
    page = {"id": sample[0], "limit": 1000}
    first = stored[("family_datasets", json.dumps(page, sort_keys=True))]
    page.update(skip=1, limit=2)
    assert stored[("family_datasets", json.dumps(page, sort_keys=True))] == first[1:3]


def _most(built: Path, table: str, column: str) -> list[str]:
    """The 3 values with the most models, and 3 more."""
    counts = pd.read_parquet(built / f"{table}.parquet")[column].value_counts()
    return [*counts.index[:3], *counts.index[10:13]]


@pytest.mark.shared
def test_family_counts_stored_at_load_equal_the_walk_on_the_shared_fixtures(shared_built, fresh):
    config = fresh()
    with connect(config) as driver:
        load_artifacts(driver, shared_built, database=config.database, progress=False)
    model = "allura-org/Mistral-Small-24b-Sertraline-0304"
    (row,) = _rows(config, "MATCH (:Model {id: $id})-[:IN_COMMUNITY]->(c) "
                           "MATCH (t:GroupTop {id: 'joins:' + toString(c.id)}) "
                           "RETURN t.id AS id, t.dataset_models AS n", id=model)  # fmt: skip
    assert row["n"] and max(row["n"]) == 2  # the allura-org models share their datasets
    # the query reads the stored counts: a doctored row shows in its answer
    _rows(config, "MATCH (t:GroupTop {id: $id}) SET t.dataset_models = [n IN t.dataset_models "
                  "| n + 1000]", id=row["id"])  # fmt: skip
    with connect(config) as driver:
        doctored = run_query(driver, "family_datasets", {"id": model}, database=config.database)
    assert doctored and all(r["models"] > 1000 for r in doctored)
    _rows(config, "MATCH (t:GroupTop {id: $id}) SET t.dataset_models = $n", **row)
    # by_metadata with a dataset filter alone reads the dataset's stored first models
    dataset = "simplescaling/s1K-1.1"
    with connect(config) as driver:
        def by_dataset(order: str) -> list[str]:
            return [r["id"] for r in run_query(driver, "by_metadata",
                                               {"dataset": dataset, "order": order},
                                               database=config.database)]  # fmt: skip

        for order, key in (("downloads", "ids"), ("likes", "ids_likes"),
                           ("created", "ids_created")):  # fmt: skip
            full = by_dataset(order)
            _rows(config, f"MATCH (t:GroupTop {{id: $id}}) SET t.{key} = t.{key}[1..], "
                          "t.models_n = 2", id=f"dataset:{dataset}")  # fmt: skip
            assert len(full) == 3 and by_dataset(order) == full[1:], order
            _rows(config, f"MATCH (t:GroupTop {{id: $id}}) SET t.{key} = $ids, t.models_n = 3",
                  id=f"dataset:{dataset}", ids=full)  # fmt: skip
    models = artifacts.read_table(shared_built, "models")["id"].tolist()
    filters = [{"dataset": "simplescaling/s1K-1.1"}, {"dataset": "no/such-dataset"},
               {"paper": _most(shared_built, "cites", "arxiv_id")[0]}]
    stored = _assert_stored_equals_walked(config, models, filters)
    assert sum(bool(v) for k, v in stored.items() if k[0] == "spaces_using") >= 20
