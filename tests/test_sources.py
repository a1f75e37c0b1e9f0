"""read_sources: every input format, malformed rows, dedupe, the normalised table's contract.

Fixtures in tests/data/sources/ are small hand-written files; the ../shared/data checks skip
(with a message, via conftest's `shared_file`) on a checkout without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from constellation.loader.ingest.lineage import MAX_ID_LENGTH
from constellation.loader.ingest.sources import MODEL_COLUMNS, Skipped, SourceResult, read_sources

from constellation.errors import UserError

DATA = Path(__file__).resolve().parent / "data" / "sources"
SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"


def reasons(result: SourceResult) -> dict[int | None, str]:
    return {s.line: s.reason for s in result.skipped}


def by_id(result: SourceResult) -> pd.DataFrame:
    return result.models.set_index("id")


def test_contract_columns_and_dtypes():
    result = read_sources([DATA / "single.json"], progress=False)
    models = result.models
    assert list(models.columns[: len(MODEL_COLUMNS)]) == MODEL_COLUMNS
    assert models["downloads"].dtype == "Int64" and models["likes"].dtype == "Int64"
    assert str(models["created_at"].dtype) == "datetime64[ns, UTC]"
    assert str(models["last_modified"].dtype) == "datetime64[ns, UTC]"
    for col in ("id", "author", "name", "pipeline_tag", "library_name", "license"):
        assert isinstance(models[col].dtype, pd.StringDtype), col
    assert list(result.lineage.columns) == ["child", "parent", "relation", "origin"]


def test_hub_api_single_object_camelcase():
    result = read_sources([DATA / "single.json"], progress=False)
    assert result.inputs == [
        {"path": str(DATA / "single.json"), "format": "hub-json", "rows": 1, "skipped": 0}
    ]
    row = by_id(result).loc["google-bert/bert-base-uncased"]
    assert row["author"] == "google-bert" and row["name"] == "bert-base-uncased"
    assert row["downloads"] == 60_000_000 and row["likes"] == 1900
    assert row["created_at"] == pd.Timestamp("2022-03-02T23:29:04Z")
    assert row["last_modified"] == pd.Timestamp("2024-02-19T11:06:12Z")
    assert row["pipeline_tag"] == "fill-mask" and row["library_name"] == "transformers"
    assert row["license"] == "apache-2.0"
    assert "bert" in row["tags"] and row["base_models"] == []
    # bulky fields are dropped, scalar unknown ones kept, camelCase aliases folded into columns
    for dropped in ("siblings", "widgetData", "safetensors", "cardData", "modelId", "createdAt"):
        assert dropped not in result.models.columns
    assert row["_id"] == "621ffdc036468d709f174338"


def test_jsonl_malformed_rows_reported_and_skipped():
    result = read_sources([DATA / "malformed.jsonl"], progress=False)
    got = reasons(result)
    assert got[2] == "non-numeric downloads 'lots'"
    assert got[4].startswith("bad JSON")
    assert got[5] == "invalid id 'has space/model'"
    assert got[6] == "invalid id 'a/b/c'"
    assert got[7] == got[8] == "missing or empty id"
    assert got[9] == "not a JSON object"
    assert len(result.skipped) == 7
    file = str(DATA / "malformed.jsonl")
    assert all(isinstance(s, Skipped) and s.file == file for s in result.skipped)
    # line 11 repeats line 1's model under `modelId`: the last record wins
    assert result.duplicates == 1
    models = by_id(result)
    assert sorted(models.index) == ["TheBloke/zephyr-7B-beta-GPTQ", "mistralai/Mistral-7B-v0.1"]
    assert models.loc["mistralai/Mistral-7B-v0.1", "downloads"] == 1_300_000
    quant = models.loc["TheBloke/zephyr-7B-beta-GPTQ"]
    assert quant["license"] == "mit"  # from cardData when no license: tag
    assert quant["base_models"] == [{"id": "HuggingFaceH4/zephyr-7b-beta", "relation": "quantized"}]
    assert result.inputs[0]["rows"] == 3 and result.inputs[0]["skipped"] == 7


def test_snake_case_modelinfo_list():
    result = read_sources([DATA / "snake.json"], progress=False)
    assert reasons(result) == {4: "not a JSON object"}
    models = by_id(result)
    olmo = models.loc["allenai/OLMo-7B"]
    assert olmo["created_at"] == pd.Timestamp("2024-01-09T17:12:01Z")
    assert olmo["license"] == "apache-2.0"  # from the YAML card_data string
    assert "siblings" not in result.models.columns
    # card base_model list + base_model_relation beat the plain (unknown) tag
    assert models.loc["someone/olmo-7b-sft", "base_models"] == [
        {"id": "allenai/OLMo-7B", "relation": "merge"},
        {"id": "someone/other-base", "relation": "merge"},
    ]
    assert models.loc["x/self", "base_models"] == []  # self-loop dropped


def test_csv_with_link_column_and_malformed_rows():
    result = read_sources([DATA / "malformed.csv"], progress=False)
    got = reasons(result)
    assert got == {
        4: "invalid id 'https://huggingface.co/bad id/x'",
        5: "non-numeric downloads 'lots'",
        7: "expected 4 fields, saw 5",
        8: "missing or empty id",
    }
    models = by_id(result)
    assert list(models.index) == [
        "gpt2",
        "EleutherAI/pythia-70m",
        "EleutherAI/pythia-1b",
        "lmsys/vicuna-7b-v1.5",
    ]
    assert pd.isna(models.loc["gpt2", "author"]) and models.loc["gpt2", "name"] == "gpt2"
    assert models.loc["gpt2", "downloads"] == 13_600_000
    assert pd.isna(models.loc["EleutherAI/pythia-1b", "downloads"])  # `n/a` is missing, not bad
    assert pd.isna(models.loc["lmsys/vicuna-7b-v1.5", "likes"])
    assert models.loc["lmsys/vicuna-7b-v1.5", "params_millions"] == 6738  # unknown column kept
    assert models.loc["gpt2", "tags"] == []


def test_metadata_csv_parses_modelinfo_blob():
    result = read_sources([DATA / "metadata.csv"], progress=False)
    assert reasons(result) == {5: "unparsable metadata JSON"}
    assert result.inputs[0]["format"] == "csv+metadata"
    models = by_id(result)
    assert "metadata" not in models.columns and "siblings" not in models.columns
    assert "Unnamed: 0" not in models.columns
    mistral = models.loc["mistralai/Mistral-7B-v0.1"]
    assert mistral["downloads"] == 900_000 and mistral["license"] == "apache-2.0"
    assert mistral["last_modified"] == pd.Timestamp("2024-07-24T14:12:34Z")
    assert mistral["depth"] == 0  # the file's own column
    assert models.loc["HuggingFaceH4/zephyr-7b-beta", "base_models"] == [
        {"id": "mistralai/Mistral-7B-v0.1", "relation": "finetune"}
    ]
    merge = models.loc["someone/zephyr-merge", "base_models"]
    assert {b["relation"] for b in merge} == {"merge"} and len(merge) == 2


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame(
        {
            "model_id": ["a/one", "b/two", "bad id", "a/one"],
            "downloads": [1, 2, 3, 4],
            "tags": [["license:mit"], ["base_model:adapter:a/one"], [], ["license:mit", "x"]],
            "rank": [1, 2, 3, 4],
        }
    )
    path = tmp_path / "models.parquet"
    frame.to_parquet(path)
    result = read_sources([path], progress=False)
    assert reasons(result) == {3: "invalid id 'bad id'"}
    assert result.duplicates == 1
    models = by_id(result)
    assert models.loc["a/one", "downloads"] == 4 and models.loc["a/one", "rank"] == 4
    assert models.loc["a/one", "tags"] == ["license:mit", "x"]
    assert isinstance(models.loc["b/two", "tags"], list)
    assert models.loc["b/two", "base_models"] == [{"id": "a/one", "relation": "adapter"}]
    assert result.lineage.to_dict("records") == [
        {"child": "b/two", "parent": "a/one", "relation": "adapter", "origin": "tag"}
    ]


def test_lineage_edge_file_gives_lineage_only():
    result = read_sources([DATA / "edges.csv"], progress=False)
    assert result.models.empty and list(result.models.columns) == MODEL_COLUMNS
    assert reasons(result) == {4: "self-loop: a/model", 5: "invalid source id (missing)"}
    assert result.inputs[0]["format"] == "lineage-csv" and result.inputs[0]["rows"] == 3
    rows = result.lineage[["child", "parent", "relation", "origin"]].to_numpy()
    assert set(map(tuple, rows)) == {
        ("TheBloke/Llama-2-7B-GPTQ", "meta-llama/Llama-2-7b-hf", "quantized", "file"),
        ("lmsys/vicuna-7b-v1.5", "meta-llama/Llama-2-7b-hf", "finetune", "file"),
        ("someone/mistral-lora", "mistralai/Mistral-7B-v0.1", "adapter", "file"),
    }


def test_directory_reads_supported_files_only_and_dedupes_across_files(tmp_path):
    result = read_sources([DATA], progress=False)
    result.models.to_parquet(tmp_path / "models.parquet")  # kept columns have one type each
    formats = {Path(i["path"]).name: i["format"] for i in result.inputs}
    assert "unknown.txt" not in formats
    assert formats["edges.csv"] == "lineage-csv" and formats["single.json"] == "hub-json"
    # mistralai/Mistral-7B-v0.1 is in malformed.jsonl and metadata.csv (read later, wins)
    assert result.models["id"].is_unique
    assert by_id(result).loc["mistralai/Mistral-7B-v0.1", "downloads"] == 900_000
    assert result.duplicates >= 2
    assert "skipped" in result.summary() or "malformed" in result.summary()


def test_unknown_extension_and_missing_path_name_the_file(tmp_path):
    with pytest.raises(UserError, match="unknown.txt"):
        read_sources([DATA / "unknown.txt"], progress=False)
    with pytest.raises(UserError, match="nope.csv"):
        read_sources([tmp_path / "nope.csv"], progress=False)
    (tmp_path / "noid.csv").write_text("name,downloads\nx,1\n")
    with pytest.raises(UserError, match="noid.csv: no id column"):
        read_sources([tmp_path / "noid.csv"], progress=False)


def test_empty_and_broken_csv(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    result = read_sources([tmp_path / "empty.csv"], progress=False)
    assert result.models.empty and result.inputs[0]["rows"] == 0
    (tmp_path / "quote.csv").write_text('id,downloads\n"a/b,1\n')
    with pytest.raises(UserError, match="quote.csv: not readable as CSV"):
        read_sources([tmp_path / "quote.csv"], progress=False)


HUGE_ID = "a/" + "x" * (50 * 1024 * 1024)  # a 50 MB "id"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_overlong_id_is_skipped_and_reported(tmp_path, suffix):
    path = tmp_path / f"huge{suffix}"
    ids = ["meta-llama/Llama-2-7b-hf", HUGE_ID, "a/" + "y" * (MAX_ID_LENGTH - 2), "gpt2"]
    if suffix == ".csv":
        path.write_text("id,downloads\n" + "".join(f"{m},{i}\n" for i, m in enumerate(ids)))
        line = 3  # the header is line 1
    else:
        path.write_text("".join(json.dumps({"id": m, "downloads": i}) + "\n"
                                for i, m in enumerate(ids)))  # fmt: skip
        line = 2
    result = read_sources([path], progress=False)
    assert result.skipped == [
        Skipped(str(path), line, f"id longer than {MAX_ID_LENGTH} characters")
    ]
    # the id at the cap is kept
    assert result.models["id"].tolist() == [m for m in ids if m != HUGE_ID]


def test_overlong_lineage_edge_is_skipped_and_reported(tmp_path):
    path = tmp_path / "edges.csv"
    path.write_text(f"source,target,edge\na/b,c/d,finetune\n{HUGE_ID[:10_000]},e/f,merge\n")
    result = read_sources([path], progress=False)
    assert result.skipped == [
        Skipped(str(path), 3, f"source id longer than {MAX_ID_LENGTH} characters")
    ]
    assert result.lineage["child"].tolist() == ["c/d"]


def test_non_string_tags_are_stringified(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text('{"id": "a/b", "tags": ["x", 7, null, "license:mit"]}\n')
    models = read_sources([path], progress=False).models
    assert models.loc[0, "tags"] == ["x", "7", "license:mit"] and models.loc[0, "license"] == "mit"
    frame = pd.DataFrame({"id": ["c/d"], "tags": [[1, 2]]})
    frame.to_parquet(tmp_path / "ints.parquet")
    assert read_sources([tmp_path / "ints.parquet"], progress=False).models.loc[0, "id"] == "c/d"


def test_demo_sample_loads():
    result = read_sources([SAMPLE], progress=False)
    assert len(result.models) >= 250 and not result.skipped
    models = by_id(result)
    assert models.loc["TheBloke/Llama-2-7B-GPTQ", "base_models"] == [
        {"id": "meta-llama/Llama-2-7b-hf", "relation": "quantized"}
    ]
    assert set(result.lineage["relation"]) >= {"finetune", "quantized", "merge", "adapter"}
    assert models["license"].notna().all()


# ------------------------------------------------------------------ ../shared/data


def test_shared_constellation_csv(shared_file):
    path = shared_file("constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv")
    result = read_sources([path], progress=False)
    models = result.models
    assert len(models) == 15_821 and not result.skipped and result.duplicates == 0
    assert models["author"].isna().sum() == 10  # bare ids like `gpt2`
    assert models.set_index("id").loc["mosaicml/mpt-7b-instruct", "params_millions"] == 7000
    assert {"rank", "model_name", "params_millions"} <= set(models.columns)
    assert models["downloads"].notna().all()


def test_shared_hf_dep_metadata_and_edges(shared_file):
    meta = shared_file("hf-dep-network-analysis/metadata_c952a70.csv")
    edges = shared_file("hf-dep-network-analysis/edges_c952a70.csv")
    result = read_sources([meta], progress=False)
    assert len(result.models) == 29_075 and not result.skipped
    assert {"type", "architecture"} <= set(result.models.columns)
    # `owner` is folded into `author` (the same as the id's owner part here)
    assert "owner" not in result.models.columns
    assert (result.models["author"] == result.models["id"].str.split("/").str[0]).all()

    result = read_sources([edges], progress=False)
    self_loops = [s for s in result.skipped if s.reason.startswith("self-loop")]
    assert len(result.lineage) + len(self_loops) == 28_155 and len(self_loops) == 45
    assert len(result.skipped) == 45
    assert set(result.lineage["relation"]) == {"finetune", "quantized", "merge", "adapter"}
    assert (result.lineage["origin"] == "file").all()


def test_shared_mistral_fixture(shared_file):
    path = shared_file(
        "mistral-small-tree-fixture/Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv"
    )
    result = read_sources([path], progress=False)
    assert len(result.models) == 67 and not result.skipped
    models = by_id(result)
    root = models.loc["mistralai/Mistral-Small-24B-Base-2501"]
    assert root["downloads"] == 19970 and root["license"] == "apache-2.0"
    assert root["library_name"] == "vllm" and root["base_models"] == []
    child = models.loc["allura-org/Mistral-Small-24b-Sertraline-0304"]
    assert child["base_models"] == [
        {"id": "mistralai/Mistral-Small-24B-Base-2501", "relation": "finetune"}
    ]
    assert (result.lineage["child"] != result.lineage["parent"]).all()
    assert result.lineage["parent"].eq("mistralai/Mistral-Small-24B-Base-2501").sum() >= 20


def test_shared_api_samples(shared_data):
    result = read_sources([shared_data / "api-samples"], progress=False)
    assert len(result.models) == 4 and not result.skipped
    deepset = by_id(result).loc["deepset/roberta-base-squad2"]
    assert deepset["license"] == "cc-by-4.0" and deepset["downloads"] == 1_801_802
    assert deepset["base_models"] == [{"id": "FacebookAI/roberta-base", "relation": "finetune"}]


def test_shared_everything_loads(shared_data, tmp_path):
    result = read_sources([shared_data], progress=False)
    assert len(result.inputs) == 9
    assert result.models["id"].is_unique
    # the two edge files overlap; all lineage rows are unique (child, parent) pairs
    assert not result.lineage.duplicated(["child", "parent"]).any()
    assert len(result.models) > 29_075
    # `gated` is False in some records and "auto" in others: kept as strings, Parquet-safe
    assert isinstance(result.models["gated"].dtype, pd.StringDtype)
    result.models.to_parquet(tmp_path / "all.parquet")
