"""Inferred lineage (issue 12): declared parents from a `base_model` column, and each signal of
the ranker on hand-made cases (loader/lineage)."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pandas as pd
import pytest
from constellation.loader.ingest.sources import read_sources


def _write(tmp_path: Path, rows: list[dict], name: str = "models.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------------------------
# item 2: a models table's base_model column is declared lineage


def test_base_model_column_is_lineage_and_bad_ids_are_reported(tmp_path, caplog):
    path = _write(
        tmp_path,
        [
            {"id": "meta-llama/Llama-2-7b-hf", "base_model": ""},
            {"id": "a/llama-chat", "base_model": "meta-llama/Llama-2-7b-hf"},
            {"id": "b/merged", "base_model": '["a/llama-chat", "meta-llama/Llama-2-7b-hf"]'},
            {"id": "c/two", "base_model": "a/llama-chat; b/merged"},
            {"id": "d/broken", "base_model": "not an id!, a/llama-chat"},
        ],
    )
    with caplog.at_level(logging.WARNING, logger="constellation"):
        result = read_sources([path], progress=False)
    pairs = set(zip(result.lineage["child"], result.lineage["parent"], strict=True))
    assert pairs == {
        ("a/llama-chat", "meta-llama/Llama-2-7b-hf"),
        ("b/merged", "a/llama-chat"),
        ("b/merged", "meta-llama/Llama-2-7b-hf"),
        ("c/two", "a/llama-chat"),
        ("c/two", "b/merged"),
        ("d/broken", "a/llama-chat"),
    }
    assert len(result.models) == 5  # the row with a bad parent is kept
    assert [(s.line, s.reason) for s in result.unparsed_parents] == [
        (6, "base_model 'not an id!' is not a model id (parent ignored)")
    ]
    assert "1 base_model value(s) not model ids" in result.summary()
    assert "not an id!" in caplog.text
    assert "base_model" not in result.models.columns  # folded into lineage, not kept as text


def test_base_model_relation_column(tmp_path):
    path = _write(
        tmp_path,
        [
            {"id": "x/base", "base_model": None, "base_model_relation": None},
            {"id": "y/q", "base_model": "x/base", "base_model_relation": "quantized"},
        ],
    )
    lineage = read_sources([path], progress=False).lineage
    assert lineage[["child", "parent", "relation"]].values.tolist() == [
        ["y/q", "x/base", "quantized"]
    ]


# --------------------------------------------------------------------------------------------
# item 3: each signal on hand-made cases. A small Hub-like corpus is built with the real
# `build` (similarity edges), its declared links train the ranker, and the cases under test
# declare no parent, so `infer_tables` ranks candidates for them.

BASES = [  # id, architecture, size
    ("meta-llama/Llama-2-7b-hf", "llama", "7b"),
    ("meta-llama/Llama-2-13b-hf", "llama", "13b"),
    ("mistralai/Mistral-7B-v0.1", "mistral", "7b"),
    ("Qwen/Qwen2-7B", "qwen2", "7b"),
    ("tiiuae/falcon-7b", "falcon", "7b"),
    ("google/gemma-7b", "gemma", "7b"),
    ("microsoft/phi-2", "phi", None),
    ("EleutherAI/pythia-1.4b", "gpt_neox", "1.4b"),
]
TOPICS = ["medical", "legal", "code", "math", "poetry", "finance"]
NO_PARENT = {  # the cases: no declared parent (ids)
    "TheBloke/Llama-2-13B-chat-GPTQ",
    "mixer/Alpha-7B-Beta-7B-slerp",
    "pirate/Llama-2-13B-pirate",
    "early/Mistral-7B-v0.1-tuned",
    "studio2/Bluebird-7B",
}


def _corpus_rows() -> list[dict]:
    rows: list[dict] = []

    def add(mid, arch, created, downloads=10, parents=(), relation=None):
        rows.append({
            "id": mid, "architecture": arch, "created_at": created, "downloads": downloads,
            "base_model": ",".join(parents) if parents else None,
            "base_model_relation": relation,
        })  # fmt: skip

    for b, (base, arch, size) in enumerate(BASES):
        owner, name = base.split("/")
        name = name.removesuffix("-hf")
        add(base, arch, "2023-01-01", 100_000 - b)
        chat = f"{owner}/{name}-chat-hf"
        add(chat, arch, "2023-02-01", 50_000, [base], "finetune")
        add(f"TheBloke/{name}-Chat-GPTQ", arch, "2023-03-01", 500, [chat], "quantized")
        add(f"TheBloke/{name}-Chat-AWQ", arch, "2023-03-02", 300, [chat], "quantized")
        add(f"quanter/{name}-chat-GGUF", arch, "2023-03-03", 200, [chat], "quantized")
        for t, topic in enumerate(TOPICS):
            add(f"user{t}/{name}-{topic}", arch, "2023-04-01", 5, [base], "finetune")
            add(f"user{t}/{name}-{topic}-lora", arch, "2023-04-02", 2, [base], "adapter")
        # owners who fine-tune this base under names that share nothing with it
        for k in range(4):
            tail = f"-{size.upper()}" if size else ""
            add(f"studio{b}/Project{k}x{b}{tail}", arch, "2023-05-01", 3, [base], "finetune")
    for a, b in itertools.combinations(range(6), 2):
        pa, pb = BASES[a][0], BASES[b][0]
        name = f"{pa.split('/')[1].removesuffix('-hf')}-{pb.split('/')[1]}-slerp"
        add(f"mergers/{name}", BASES[a][1], "2023-06-01", 4, [pa, pb], "merge")
    # the cases (meta-llama/Llama-2-13b-chat-hf is the loop's chat model of the 13b base)
    add("TheBloke/Llama-2-13B-chat-GPTQ", "llama", "2023-03-01", 900)
    add("a/Alpha-7B", "mistral", "2023-01-05", 1000)
    add("b/Beta-7B", "mistral", "2023-01-06", 1000)
    add("mixer/Alpha-7B-Beta-7B-slerp", "mistral", "2023-06-01", 5)
    add("pirate/Llama-2-13B-pirate", "llama", "2023-05-01", 5)
    add("early/Mistral-7B-v0.1-tuned", "mistral", "2022-06-01", 5)  # before its "parent"
    add("studio2/Bluebird-7B", "mistral", "2023-07-01", 5)
    return rows


@pytest.fixture(scope="module")
def inferred(tmp_path_factory):
    from constellation.loader import artifacts
    from constellation.loader.lineage.candidates import TrainEdges, make_corpus
    from constellation.loader.lineage.infer import infer_tables
    from constellation.loader.pipeline.build import build
    from constellation.loader.pipeline.params import BuildParams

    folder = tmp_path_factory.mktemp("signals")
    source = _write(folder, _corpus_rows())
    build([source], folder / "art", BuildParams(), False)
    models = artifacts.read_table(folder / "art", "models")
    similarity = artifacts.read_table(folder / "art", "similarity")
    lineage = artifacts.read_table(folder / "art", "lineage")
    assert not set(lineage["child"]) & NO_PARENT
    frame, without, _ = infer_tables(models, similarity, lineage, top=5, seed=0)
    corpus = make_corpus(models, similarity)
    return frame, corpus, TrainEdges.from_lineage(corpus, lineage)


def _top(frame: pd.DataFrame, child: str) -> pd.DataFrame:
    return frame[frame["child"] == child].sort_values("rank")


def test_gptq_child_of_a_chat_model(inferred):
    frame, _, _ = inferred
    top = _top(frame, "TheBloke/Llama-2-13B-chat-GPTQ").iloc[0]
    assert (top["parent"], top["relation"]) == ("meta-llama/Llama-2-13b-chat-hf", "quantized")
    assert 0 < top["score"] <= 1


def test_merge_of_two_parents(inferred):
    frame, _, _ = inferred
    rows = _top(frame, "mixer/Alpha-7B-Beta-7B-slerp")
    assert set(rows["parent"].iloc[:2]) == {"a/Alpha-7B", "b/Beta-7B"}
    assert rows["relation"].iloc[0] == "merge"


def test_size_mismatch_does_not_match(inferred):
    from constellation.loader.lineage.candidates import candidates
    from constellation.loader.lineage.features import make_stats, pair_features

    frame, corpus, train = inferred
    child = "pirate/Llama-2-13B-pirate"
    rows = _top(frame, child)
    assert rows["parent"].iloc[0] in {"meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-13b-chat-hf"}
    seven = "meta-llama/Llama-2-7b-hf"
    assert seven not in set(rows["parent"].iloc[:1])
    pairs = candidates(corpus, train, corpus.rows([child]))
    feats = pair_features(corpus, train, pairs, make_stats(corpus, train))
    cand = corpus.ids[pairs["cand"].to_numpy()]
    assert feats["size_conflict"].to_numpy()[cand == seven].tolist() == [1.0]
    assert feats["size_agree"].to_numpy()[cand == "meta-llama/Llama-2-13b-hf"].tolist() == [1.0]


def test_younger_parent_is_rejected(inferred):
    from constellation.loader.lineage.candidates import candidates

    frame, corpus, train = inferred
    child = "early/Mistral-7B-v0.1-tuned"
    assert "mistralai/Mistral-7B-v0.1" not in set(_top(frame, child)["parent"])
    pairs = candidates(corpus, train, corpus.rows([child]))
    got = set(corpus.ids[pairs["cand"].to_numpy()])
    assert "mistralai/Mistral-7B-v0.1" not in got  # same stem, but created after the child
    born = corpus.created[corpus.rows([child])[0]]
    assert not (corpus.created[pairs["cand"].to_numpy()] > born).any()


def test_no_name_overlap_parent_from_architecture_and_size_prior(inferred):
    frame, _, _ = inferred
    top = _top(frame, "studio2/Bluebird-7B").iloc[0]
    assert (top["parent"], top["relation"]) == ("mistralai/Mistral-7B-v0.1", "finetune")


def test_infer_and_evaluate_commands(inferred, tmp_path, capsys):
    """The CLI end to end on a built folder: the file's columns, and one JSON object."""
    import json

    from constellation.cli import main

    source = _write(tmp_path, _corpus_rows())
    assert main(["build", "--source", str(source), "--out", str(tmp_path / "art"), "--quiet"]) == 0
    assert main(["infer-lineage", "--artifacts", str(tmp_path / "art"), "--quiet"]) == 0
    out = pd.read_parquet(tmp_path / "art" / "inferred_lineage.parquet")
    assert list(out.columns) == ["child", "parent", "score", "relation", "rank"]
    assert set(out["child"]) <= NO_PARENT | set(out["child"])  # children without declared parents
    assert out["score"].between(0, 1).all() and (out["rank"] >= 1).all()
    capsys.readouterr()
    argv = ["evaluate-lineage", "--artifacts", str(tmp_path / "art"), "--holdout", "0.3"]
    assert main([*argv, "--seed", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("hits@1", "hits@10", "mrr", "relation_accuracy", "coverage", "n_hidden"):
        assert key in report
    assert report["n_hidden"] > 0 and 0 <= report["hits@1"] <= report["hits@10"] <= 1
    assert set(report["by_relation"]) <= {"finetune", "quantized", "adapter", "merge", "unknown"}
    assert main([*argv[:3], "--holdout", "1.5"]) == 2  # one clear line, no traceback
    assert "--holdout 1.5" in capsys.readouterr().err


def test_a_refresh_keeps_the_ranker_and_the_scores_of_unchanged_links(tmp_path, capsys):
    """infer-lineage keeps the rows its ranker learned from: after a rebuild in which some
    downloads changed, the same ranker scores every link whose features did not change as
    before (a retrained one moves them); --retrain, another seed, a drift of the declared
    links or a bad file learn afresh, each said in one line."""
    import shutil

    from constellation.loader import artifacts
    from constellation.loader.lineage import infer

    from constellation.cli import main

    rows = _corpus_rows()
    first = tmp_path / "first"
    source = _write(tmp_path, rows)
    assert main(["build", "--source", str(source), "--out", str(first), "--quiet"]) == 0
    assert main(["infer-lineage", "--artifacts", str(first)]) == 0
    assert "ranker trained afresh (no lineage_training.parquet" in capsys.readouterr().err
    before = pd.read_parquet(first / "inferred_lineage.parquet")
    kept = pd.read_parquet(first / "lineage_training.parquet")
    assert len(kept) and kept["label"].any() and kept["calibration"].any()

    # a rebuild in place with the downloads of every tenth model changed leaves the rows
    changed = pd.DataFrame(rows)
    changed.loc[::10, "downloads"] = changed.loc[::10, "downloads"] * 3 + 7
    again = tmp_path / "again"
    shutil.copytree(first, again)
    source = _write(tmp_path, changed.to_dict("records"), "changed.csv")
    assert main(["build", "--source", str(source), "--out", str(again), "--quiet"]) == 0
    assert not (again / "inferred_lineage.parquet").exists()
    assert (again / "lineage_training.parquet").exists()
    assert main(["infer-lineage", "--artifacts", str(again)]) == 0
    assert "kept (" in capsys.readouterr().err
    after = pd.read_parquet(again / "inferred_lineage.parquet")
    both = before.merge(after, on=["child", "parent"], suffixes=("_before", "_after"))
    same = (both["score_before"] == both["score_after"]).mean()

    # a build into another folder with --previous takes the ranker's rows along
    other = tmp_path / "other"
    argv = ["build", "--source", str(source), "--out", str(other), "--previous", str(first)]
    assert main([*argv, "--quiet"]) == 0
    assert (other / "lineage_training.parquet").read_bytes() == (
        first / "lineage_training.parquet").read_bytes()  # fmt: skip
    assert main(["infer-lineage", "--artifacts", str(other)]) == 0
    assert "kept (" in capsys.readouterr().err
    pd.testing.assert_frame_equal(after, pd.read_parquet(other / "inferred_lineage.parquet"))

    # the same build with a ranker learned afresh from another draw moves more of them (with
    # the same seed it may draw the same rows: the similarity edges no longer depend on order)
    reseeded = tmp_path / "reseeded"
    shutil.copytree(again, reseeded)
    assert main(["infer-lineage", "--artifacts", str(reseeded), "--seed", "1"]) == 0
    assert "ranker trained afresh (the kept rows are of seed 0, not 1)" in capsys.readouterr().err
    moved = pd.read_parquet(reseeded / "inferred_lineage.parquet")
    both_r = before.merge(moved, on=["child", "parent"], suffixes=("_before", "_after"))
    assert same > (both_r["score_before"] == both_r["score_after"]).mean()
    assert same >= 0.5, same
    assert main(["infer-lineage", "--artifacts", str(again), "--retrain"]) == 0
    assert "ranker trained afresh (--retrain)" in capsys.readouterr().err
    retrained = pd.read_parquet(again / "inferred_lineage.parquet")

    # the kept rows are the same model: a second run with nothing changed changes nothing
    assert main(["infer-lineage", "--artifacts", str(again)]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(
        retrained, pd.read_parquet(again / "inferred_lineage.parquet")
    )

    # another seed, too many declared links changed, or a file that is not training rows
    lineage = artifacts.read_table(again, "lineage")
    models = artifacts.read_table(again, "models")
    rows_kept, _, how = infer.kept_training(again, 1, len(lineage), len(models))
    assert rows_kept is None and "seed 0, not 1" in how
    rows_kept, _, how = infer.kept_training(again, 0, len(lineage) * 2, len(models))
    assert rows_kept is None and "declared links" in how
    path = again / "lineage_training.parquet"
    good = pd.read_parquet(path)
    info = {"seed": 0, "links": len(lineage), "models": len(models)}
    artifacts.write_training(again, good.assign(relation=99), info)  # no such relation
    rows_kept, _, how = infer.kept_training(again, 0, len(lineage), len(models))
    assert rows_kept is None and "cannot train one" in how
    artifacts.write_training(again, good.assign(label=False), info)  # one label only
    assert infer.kept_training(again, 0, len(lineage), len(models))[0] is None
    artifacts.write_training(again, good.assign(relation=0.5), info)  # not a code
    assert infer.kept_training(again, 0, len(lineage), len(models))[0] is None
    artifacts.write_training(again, good, info)
    assert infer.kept_training(again, 0, len(lineage), len(models))[0] is not None
    (again / "lineage_training.parquet").write_bytes(b"PAR1 not parquet")
    rows_kept, _, how = infer.kept_training(again, 0, len(lineage), len(models))
    assert rows_kept is None and "unreadable" in how
    pd.DataFrame({"x": ["import os"]}).to_parquet(again / "lineage_training.parquet")
    rows_kept, _, how = infer.kept_training(again, 0, len(lineage), len(models))
    assert rows_kept is None and "not a ranker's training rows" in how
    argv = ["infer-lineage", "--artifacts", str(again), "--previous", str(tmp_path / "no")]
    assert main(argv) == 2
    assert "--previous" in capsys.readouterr().err
