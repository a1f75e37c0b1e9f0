"""Declared lineage parsing: tags, card data (dict or YAML/JSON/repr string), relation names."""

from __future__ import annotations

import pandas as pd
import pytest
from constellation.loader.ingest import lineage as lin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("finetune", "finetune"),
        ("Finetuned", "finetune"),
        ("fine-tuned", "finetune"),
        ("quantized", "quantized"),
        ("quantization", "quantized"),
        ("quantised", "quantized"),
        ("adapter", "adapter"),
        ("merge", "merge"),
        ("merged", "merge"),
        (" MERGED ", "merge"),
        ("distillation", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_normalise_relation(raw, expected):
    assert lin.normalise_relation(raw) == expected


def test_tags_relation_and_plain_forms():
    tags = [
        "transformers",
        "base_model:mistralai/Mistral-7B-v0.1",
        "base_model:finetune:mistralai/Mistral-7B-v0.1",
        "base_model:quantized:TheBloke/x-GGUF",
        "base_model:adapter:a/b",
        "base_model:merge:c/d",
        "base_model:gpt2",
        "license:mit",
        "base_model:",
        "base_model:finetune:not valid id",
    ]
    assert lin.parents_from_tags(tags) == [
        ("mistralai/Mistral-7B-v0.1", "finetune"),  # the relation form beats the plain one
        ("TheBloke/x-GGUF", "quantized"),
        ("a/b", "adapter"),
        ("c/d", "merge"),
        ("gpt2", "unknown"),
    ]
    assert lin.parents_from_tags(None) == [] and lin.parents_from_tags("base_model:a/b") == []


def test_card_base_model_string_list_and_relation():
    assert lin.parents_from_card({"base_model": "meta-llama/Llama-2-7b-hf"}) == [
        ("meta-llama/Llama-2-7b-hf", "unknown")
    ]
    card = {"base_model": ["a/x", "b/y", 3, "https://huggingface.co/c/z"],
            "base_model_relation": "merged"}
    assert lin.parents_from_card(card) == [("a/x", "merge"), ("b/y", "merge"), ("c/z", "merge")]
    assert lin.parents_from_card({"license": "mit"}) == []
    assert lin.parents_from_card(None) == [] and lin.parents_from_card("") == []


@pytest.mark.parametrize(
    "text",
    [
        '{"base_model": "a/b", "base_model_relation": "quantization"}',  # JSON
        "{'base_model': 'a/b', 'base_model_relation': 'quantization', 'ok': True}",  # repr
        "base_model: a/b\nbase_model_relation: quantization\nlicense: mit\n",  # YAML header
    ],
)
def test_card_data_as_string(text):
    assert lin.parse_mapping(text)["base_model"] == "a/b"
    assert lin.parents_from_card(text) == [("a/b", "quantized")]


def test_parse_mapping_rejects_non_mappings():
    assert lin.parse_mapping("just words") is None
    assert lin.parse_mapping("{broken") is None
    assert lin.parse_mapping(["a"]) is None


def test_declared_parents_drops_self_loops_and_merges_origins():
    parents = lin.declared_parents(
        "me/model",
        ["base_model:me/model", "base_model:finetune:a/b"],
        {"base_model": ["a/b", "c/d", "me/model"]},
    )
    assert parents == [
        {"id": "a/b", "relation": "finetune", "origin": "tag"},
        {"id": "c/d", "relation": "unknown", "origin": "card"},
    ]


def test_normalise_id():
    assert lin.normalise_id(" https://huggingface.co/owner/name/ ") == "owner/name"
    assert lin.normalise_id("gpt2") == "gpt2"
    for bad in ("a/b/c", "has space/x", "", "..", None, "a/.hidden"):
        assert lin.normalise_id(bad) is None, bad


def test_one_id_rule_for_a_value_and_a_column():
    at_cap = "o/" + "n" * (lin.MAX_ID_LENGTH - 2)
    values = [
        " https://huggingface.co/owner/name/ ", "gpt2", "a/b/c", "has space/x", "", ".", "..",
        "a/.hidden", "../x", "a/b.c", at_cap, at_cap + "n",
        "https://huggingface.co/" + at_cap,  # the prefix does not count
    ]  # fmt: skip
    one_by_one = [lin.normalise_id(v) for v in values]
    column, too_long = lin.check_ids(pd.Series(values, dtype="string"))
    assert column.astype(object).where(column.notna(), None).tolist() == one_by_one
    assert one_by_one[values.index(at_cap)] == at_cap and one_by_one[-1] == at_cap
    assert one_by_one[values.index(at_cap + "n")] is None
    assert too_long.tolist() == [v == at_cap + "n" for v in values]


def test_vectorised_tags_match_row_by_row():
    ids = pd.Series(["m/one", "m/two", "m/three", "gpt2-x"], dtype="string")
    tags = pd.Series(
        [
            ["base_model:finetune:a/b", "base_model:a/b", "license:mit"],
            ["base_model:Quantized:a/b", "base_model:merge:c/d"],
            [],
            ["base_model:gpt2"],
        ],
        dtype=object,
    )
    frame = lin.clean_lineage(lin.lineage_from_tags(ids, tags))
    got = sorted(map(tuple, frame[["child", "parent", "relation"]].to_numpy()))
    want = sorted(
        (child, parent, relation)
        for child, row in zip(ids, tags, strict=True)
        for parent, relation in lin.parents_from_tags(row)
    )
    assert got == want
    assert lin.first_tag_value(tags, "license:").tolist()[0] == "mit"
    assert pd.isna(lin.first_tag_value(tags, "license:").iloc[1])


def test_edges_and_clean_lineage_priority():
    edges = lin.lineage_from_edges(
        pd.Series(["p/a", "p/a", "x/x", "bad id"]),
        pd.Series(["c/a", "c/b", "x/x", "c/c"]),
        pd.Series(["finetuned", "merged", "finetuned", "adapter"]),
    )
    tag_rows = pd.DataFrame(
        {"child": ["c/a", "c/b"], "parent": ["p/a", "p/a"], "relation": ["finetune", "unknown"],
         "origin": ["tag", "tag"]}
    )
    out = lin.clean_lineage(pd.concat([edges, tag_rows], ignore_index=True))
    rows = {(r.child, r.parent): (r.relation, r.origin) for r in out.itertuples()}
    assert rows == {
        ("c/a", "p/a"): ("finetune", "tag"),  # same relation: the tag wins over the file
        ("c/b", "p/a"): ("merge", "file"),  # a known relation wins over `unknown`
    }


def test_base_models_column():
    ids = pd.Series(["c/a", "c/b", "c/none"], dtype="string")
    lineage = pd.DataFrame(
        {"child": ["c/b", "c/a", "c/b"], "parent": ["p/1", "p/2", "p/3"],
         "relation": ["merge", "finetune", "merge"], "origin": ["tag", "tag", "card"]}
    )
    col = lin.base_models_column(ids, lineage)
    assert col.tolist() == [
        [{"id": "p/2", "relation": "finetune"}],
        [{"id": "p/1", "relation": "merge"}, {"id": "p/3", "relation": "merge"}],
        [],
    ]
