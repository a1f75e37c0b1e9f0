"""The scale-set generator: distinct, valid, deterministic ids with lineage, readable back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from constellation.loader.ingest import generate as gen
from constellation.loader.ingest.lineage import clean_ids
from constellation.loader.ingest.sources import read_sources

from constellation import cli
from constellation.errors import UserError

N = 20_000


@pytest.fixture(scope="module")
def sample_set() -> pd.DataFrame:
    return gen.generate_ids(N, seed=0, sources=[gen.SAMPLE])


def test_distinct_valid_ids(sample_set):
    ids = sample_set["id"]
    assert len(ids) == N
    assert ids.str.lower().is_unique  # the Hub's ids are unique regardless of case
    assert clean_ids(ids).notna().all()
    assert (sample_set["name"].str.len() <= gen.MAX_NAME).all()


def test_mix_of_variants_and_real_names_first(sample_set):
    real = read_sources([gen.SAMPLE], progress=False).models["id"]
    assert set(sample_set["id"].iloc[: len(real)]) == set(real)
    counts = sample_set["variant"].value_counts()
    assert set(counts.index) == {"real", *gen.OPS}
    assert counts["quantize"] > counts["merge"] > 0
    names = sample_set["id"].str.lower()
    for marker in ("gptq", "gguf", "awq", "exl2", "-slerp", "lora", "instruct"):
        assert names.str.contains(marker, regex=False).any(), marker


def test_deterministic_per_seed(sample_set):
    again = gen.generate_ids(N, seed=0, sources=[gen.SAMPLE])
    pd.testing.assert_frame_equal(sample_set, again)
    assert list(sample_set.attrs["tags"].to_pylist()) == list(again.attrs["tags"].to_pylist())
    other = gen.generate_ids(N, seed=1, sources=[gen.SAMPLE])
    assert not sample_set["id"].equals(other["id"])


def test_heavy_tailed_counts(sample_set):
    downloads = sample_set["downloads"].to_numpy()
    assert (downloads >= 0).all() and (sample_set["likes"] >= 0).all()
    assert np.median(downloads) < downloads.mean() / 5  # a few huge, most small
    assert (sample_set["created_at"] <= sample_set["last_modified"]).all()


def test_parquet_round_trip_with_lineage(sample_set, tmp_path):
    path = gen.write_ids(sample_set, tmp_path / "ids.parquet")
    result = read_sources([path], progress=False)
    assert len(result.models) == N and not result.skipped and result.duplicates == 0
    lineage = result.lineage
    derived = sample_set["variant"].isin(["quantize", "finetune", "adapter", "reupload", "merge"])
    assert lineage["child"].nunique() >= derived.sum()
    assert lineage["parent"].isin(sample_set["id"]).all()  # the set is closed under lineage
    merged = lineage[lineage["relation"] == "merge"].groupby("child").size()
    assert (merged == 2).any()
    quant = sample_set.loc[sample_set["variant"] == "quantize", "id"].iloc[0]
    assert result.models.set_index("id").loc[quant, "base_models"][0]["relation"] == "quantized"


def test_csv_output_reads_back(tmp_path):
    frame = gen.generate_ids(2_000, seed=3, sources=[gen.SAMPLE])
    path = gen.write_ids(frame, tmp_path / "ids.csv")
    result = read_sources([path], progress=False)
    assert len(result.models) == 2_000 and len(result.lineage) > 1_000


def test_cli_and_bad_arguments(tmp_path, capsys):
    out = tmp_path / "cli.parquet"
    argv = ["generate", "--n", "1000", "--seed", "5", "--source", str(gen.SAMPLE)]
    assert cli.main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "1,000 distinct ids" in err and "generating ids" in err  # summary and tqdm bar
    table = pd.read_parquet(out)
    assert len(table) == 1000 and table["id"].is_unique
    assert cli.main([*argv, "--out", str(tmp_path / "q.csv"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""  # --quiet: no bar, no summary
    assert cli.main(["generate", "--n", "10", "--out", str(tmp_path / "x.txt")]) == 2
    assert ".parquet or .csv" in capsys.readouterr().err  # one line, no traceback
    with pytest.raises(UserError, match="--n"):
        gen.generate_ids(0, sources=[gen.SAMPLE])
    with pytest.raises(UserError, match=r"\.parquet or \.csv"):
        gen.write_ids(gen.generate_ids(10, sources=[gen.SAMPLE]), tmp_path / "x.txt")


def test_from_shared_data(shared_data):
    frame = gen.generate_ids(N, seed=0)  # default sources: ../shared/data
    assert len(frame) == N and frame["id"].is_unique
    assert (frame["variant"] == "real").all()  # fewer than the 44,7xx real ids: a subset
    bigger = gen.generate_ids(50_000, seed=0)
    assert bigger["id"].is_unique and (bigger["variant"] != "real").sum() > 4_000
    # a few real ids differ only by case; generated ones never collide, whatever the case
    lower = bigger["id"].str.lower()
    synthetic = bigger["variant"] != "real"
    assert not lower[synthetic].isin(lower[~synthetic]).any() and lower[synthetic].is_unique


# --------------------------------------------------------------------------------------------
# the Hub's shape (issue 11): properties of a seeded 80k set, not timings

SHAPE_N = 80_000


@pytest.fixture(scope="module")
def hub_set() -> pd.DataFrame:
    return gen.generate_ids(SHAPE_N, seed=0, sources=[gen.SAMPLE])


def _edges(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.attrs["lineage"]


def test_power_law_counts(hub_set):
    downloads, likes = hub_set["downloads"].to_numpy(), hub_set["likes"].to_numpy()
    shape = gen.count_shape(downloads)
    assert shape["top1_share"] > 0.8  # the top 1% hold most downloads (CSV: 95%)
    assert shape["quantiles"][0] <= 20 and shape["quantiles"][3] > 1_000 * shape["quantiles"][0]
    assert 0.7 < gen.count_shape(likes)["zero_share"] < 0.9  # CSV: 81% without a like
    assert 0.3 < gen.likes_slope(downloads, likes) < 0.7  # likes follow downloads (CSV: 0.47)
    top = downloads >= np.quantile(downloads, 0.99)
    assert likes[top].mean() > 50 * max(likes[~top].mean(), 0.01)


def test_dates_in_era_children_after_parents(hub_set):
    created = hub_set["created_at"]
    edges = _edges(hub_set)
    synthetic = hub_set["synthetic"].to_numpy()[edges["child"]]
    child = created.to_numpy()[edges["child"][synthetic]]
    parent = created.to_numpy()[edges["parent"][synthetic]]
    assert synthetic.sum() > SHAPE_N // 2 and (child >= parent).all()
    era = pd.to_datetime([gen.ERA_START, gen.ERA_END], unit="s", utc=True)
    generated = created[hub_set["synthetic"]]
    assert generated.between(era[0], era[1]).all()
    assert (hub_set["last_modified"] >= created).all()
    assert (hub_set.loc[hub_set["synthetic"], "last_modified"] <= era[1]).all()


def test_fanout_chains_families_and_merges(hub_set):
    edges = _edges(hub_set)
    children = edges.groupby("parent").size()
    assert children.max() >= SHAPE_N // 100  # a few bases with a huge family (10k+ at 1M)
    assert children.median() <= 2 and children.quantile(0.99) >= 20 * children.median()
    depth = gen.depths(SHAPE_N, edges["child"].to_numpy(), edges["parent"].to_numpy())
    assert depth.max() >= 4  # chains of fine-tunes of fine-tunes
    merges = edges[(edges["relation"] == "merge") & hub_set["synthetic"].to_numpy()[edges["child"]]]
    parents_per_merge = merges.groupby("child").size()
    assert parents_per_merge.min() >= 2 and parents_per_merge.max() >= 3
    quant = edges[edges["relation"] == "quantized"]
    owners = hub_set["author"].to_numpy()[quant["child"]]
    family = pd.DataFrame({"base": quant["parent"].to_numpy(), "owner": owners})
    quantisers = family.groupby("base")["owner"].nunique()
    assert (quantisers >= 5).sum() >= 10  # one base -> many quantisers and formats


def test_families_keep_task_and_format(hub_set):
    edges = _edges(hub_set)
    quant = edges[edges["relation"] == "quantized"]
    pipeline = hub_set["pipeline_tag"].fillna("-").to_numpy()
    assert (pipeline[quant["child"]] == pipeline[quant["parent"]]).all()
    licence = hub_set["license"].fillna("-").to_numpy()
    assert (licence[quant["child"]] == licence[quant["parent"]]).all()
    ids = hub_set["id"].str.lower()
    generated = hub_set["variant"] == "quantize"
    assert (hub_set.loc[generated & ids.str.contains("gguf"), "library_name"] == "gguf").all()
    mlx = generated & ids.str.contains("mlx") & ~ids.str.contains("gguf|ggml")
    assert (hub_set.loc[mlx, "library_name"] == "mlx").all()
    assert (hub_set.loc[hub_set["variant"] == "adapter", "library_name"] == "peft").all()
    assert hub_set["pipeline_tag"].nunique() >= 5 and hub_set["license"].nunique() >= 5


def test_tags_as_the_hub_formats_them(hub_set):
    tags = hub_set.attrs["tags"].to_pylist()
    shares = {
        p: np.mean([any(t.startswith(p) for t in ts) for ts in tags])
        for p in ("dataset:", "arxiv:")
    }
    assert 0.15 < shares["dataset:"] < 0.3 and 0.04 < shares["arxiv:"] < 0.12  # fixture: .22/.07
    datasets = pd.Series([t for ts in tags for t in ts if t.startswith("dataset:")])
    assert (
        datasets.nunique() > 500
        and datasets.value_counts().iloc[0] > 20 * datasets.value_counts().median()
    )
    assert datasets.str.fullmatch(r"dataset:[\w.-]+(/[\w.-]+)?").all()
    assert (
        pd.Series([t for ts in tags for t in ts if t.startswith("arxiv:")])
        .str.fullmatch(r"arxiv:\d{4}\.\d{5}")
        .all()
    )
    order = ("dataset:", "arxiv:", "base_model:", "license:", "region:")
    for row, ts in zip(hub_set.itertuples(), tags[:5_000], strict=False):
        kinds = [next((i for i, p in enumerate(order) if t.startswith(p)), -1) for t in ts]
        ranked = [k for k in kinds if k >= 0]
        assert ranked == sorted(ranked) and ts[-1] == "region:us", ts
        if isinstance(row.license, str):
            assert f"license:{row.license}" in ts
        if isinstance(row.pipeline_tag, str):
            assert row.pipeline_tag in ts


def test_shape_deterministic_for_a_seed(hub_set):
    again = gen.generate_ids(SHAPE_N, seed=0, sources=[gen.SAMPLE])
    pd.testing.assert_frame_equal(hub_set, again)
    pd.testing.assert_frame_equal(_edges(hub_set), _edges(again))
    assert hub_set.attrs["tags"].equals(again.attrs["tags"])


@pytest.mark.shared
def test_shape_calibrated_on_shared_data(shared_file):
    """Relation mix and children per parent close to hf-dep's; downloads close to the CSV's."""
    edges = pd.read_csv(shared_file("hf-dep-network-analysis/edges_c952a70.csv"))
    real = gen.fanout_shape(edges["source"].to_numpy(), edges["edge"].to_numpy())
    frame = gen.generate_ids(100_000, seed=0)
    lineage = _edges(frame)
    ours = gen.fanout_shape(lineage["parent"].to_numpy(), lineage["relation"].to_numpy())
    names = {"finetuned": "finetune", "quantized": "quantized", "merged": "merge"}
    for theirs, mine in names.items():
        assert abs(real["relation_mix"][theirs] - ours["relation_mix"][mine]) < 0.05, mine
    assert ours["children_per_parent"][:3] == pytest.approx(
        real["children_per_parent"][:3], rel=0.5
    )
    assert 0.5 < ours["top_parent_share"] / real["top_parent_share"] < 2
    created = frame["created_at"].to_numpy()
    assert (created[lineage["child"]] >= created[lineage["parent"]]).all()
    quant = lineage[lineage["relation"] == "quantized"]
    pipeline = frame["pipeline_tag"].fillna("-").to_numpy()
    assert (pipeline[quant["child"]] == pipeline[quant["parent"]]).all()  # real families too
    years = frame["created_at"].dt.year.value_counts()
    assert years[2024] > years[2022] > years[2020]  # the Hub grows
    csv = pd.read_csv(shared_file("constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv"))
    fitted = gen.count_shape(csv["downloads"].fillna(0).to_numpy())["quantiles"][:4]
    drawn = gen.count_shape(gen.draw_downloads(np.random.default_rng(0), 200_000))["quantiles"]
    assert np.allclose(np.log10(drawn[:4]), np.log10(fitted), atol=0.3)  # within a factor 2
