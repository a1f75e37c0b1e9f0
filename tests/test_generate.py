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
