"""Inferred lineage (issue 12): how training rows are made and what the ranker may not read, on
small hand-made model tables (loader/lineage; no build, no graph server needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from constellation.loader.lineage import ranker
from constellation.loader.lineage.candidates import TrainEdges, candidates, make_corpus
from constellation.loader.lineage.features import make_stats, pair_features

NO_SIMILARITY = pd.DataFrame({"source": [], "target": [], "score": []})


def _corpus(rows: list[tuple[str, str]], links: list[tuple[str, str, str]]):
    """(corpus, training links) of models (id, architecture) and links (child, parent, rel)."""
    models = pd.DataFrame(rows, columns=["id", "architecture"])
    corpus = make_corpus(models, NO_SIMILARITY)
    lineage = pd.DataFrame(links, columns=["child", "parent", "relation"])
    return corpus, TrainEdges.from_lineage(corpus, lineage)


def _cands(corpus, pairs: pd.DataFrame, child: str) -> set[str]:
    rows = pairs[pairs["child"] == corpus.rows([child])[0]]
    return set(corpus.ids[rows["cand"].to_numpy()])


def test_training_child_candidates_do_not_come_from_its_own_link():
    """`solo` fine-tuned `base/Alpha-7B` once, under a name that shares nothing with it: the
    owner's usual parents propose Alpha only because of that very link. A child without a
    declared parent never has that help, so its training rows must not either."""
    rows = [("base/Alpha-7B", "llama"), ("base/Omega-7B", "llama"), ("solo/Zeta-7B", "llama")]
    rows += [(f"u{i}/Omega-7B-chat-{i}", "llama") for i in range(3)]
    links = [("solo/Zeta-7B", "base/Alpha-7B", "finetune")]
    links += [(f"u{i}/Omega-7B-chat-{i}", "base/Omega-7B", "finetune") for i in range(3)]
    corpus, train = _corpus(rows, links)
    zeta = corpus.rows(["solo/Zeta-7B"])
    # with its own link in the counts, the owner habit proposes Alpha (the old training rows)
    leaky = candidates(corpus, train, zeta)
    assert "base/Alpha-7B" in _cands(corpus, leaky, "solo/Zeta-7B")
    pairs, X, y = ranker.held_out_rows(corpus, train, zeta)
    assert "base/Alpha-7B" not in _cands(corpus, pairs, "solo/Zeta-7B")
    assert "base/Omega-7B" in _cands(corpus, pairs, "solo/Zeta-7B")  # the arch-size prior
    assert not y.any()  # its true parent is out of reach, as for an undeclared model
    # training_rows: every training child is seen that way, a fold at a time
    children = np.unique(train.child)
    t_pairs, _, t_y = ranker.training_rows(corpus, train, children, np.random.default_rng(0))
    assert "base/Alpha-7B" not in _cands(corpus, t_pairs, "solo/Zeta-7B")
    assert set(np.unique(t_pairs["child"])) <= set(children)
    assert t_y.sum() == 3  # the Omega children find Omega through the others' links


def test_own_declared_child_is_not_a_candidate():
    """A base without a declared parent is not a copy of its own GPTQ quantisation, though the
    two share a stem and the copy is popular."""
    rows = [("org/Gamma-7B", "llama"), ("TheBloke/Gamma-7B-GPTQ", "llama")]
    rows += [(f"u{i}/Gamma-7B-GPTQ-ft{i}", "llama") for i in range(3)]
    links = [("TheBloke/Gamma-7B-GPTQ", "org/Gamma-7B", "quantized")]
    links += [(f"u{i}/Gamma-7B-GPTQ-ft{i}", "TheBloke/Gamma-7B-GPTQ", "finetune") for i in
              range(3)]  # fmt: skip
    corpus, train = _corpus(rows, links)
    pairs = candidates(corpus, train, corpus.rows(["org/Gamma-7B"]))
    assert "TheBloke/Gamma-7B-GPTQ" not in _cands(corpus, pairs, "org/Gamma-7B")
    # the other way round it stays a candidate
    pairs = candidates(corpus, train, corpus.rows(["TheBloke/Gamma-7B-GPTQ"]))
    assert "org/Gamma-7B" in _cands(corpus, pairs, "TheBloke/Gamma-7B-GPTQ")


def test_architecture_hidden_as_often_as_in_the_models_to_rank():
    """hf-dep records no architecture for the models that declare no parent: the training
    children are made to lack it as often, and their features then show no agreement."""
    rows = [("base/Alpha-7B", "llama")]
    rows += [(f"u{i}/Alpha-7B-x{i}", "llama" if i < 8 else "unknown") for i in range(10)]
    rows += [(f"new/m{i}-7B", "unknown") for i in range(4)] + [("new/n-7B", "llama")]
    links = [(f"u{i}/Alpha-7B-x{i}", "base/Alpha-7B", "finetune") for i in range(10)]
    corpus, train = _corpus(rows, links)
    children = np.unique(train.child)  # 2 of 10 lack an architecture
    assert ranker.arch_hidden_share(corpus, children, None) == 0.0
    like = corpus.rows([f"new/m{i}-7B" for i in range(4)] + ["new/n-7B"])  # 4 of 5 lack one
    assert abs(ranker.arch_hidden_share(corpus, children, like) - 0.75) < 1e-9  # (0.8-0.2)/0.8
    assert ranker.arch_hidden_share(corpus, children, like[-1:]) == 0.0  # fewer lack it
    hidden = ranker.hide_arch(corpus, corpus.rows(["u0/Alpha-7B-x0"]))
    assert corpus.arch[corpus.rows(["u0/Alpha-7B-x0"])[0]] >= 0  # the original is untouched
    pairs = candidates(hidden, train, hidden.rows(["u0/Alpha-7B-x0", "u1/Alpha-7B-x1"]))
    X = pair_features(hidden, train, pairs, make_stats(hidden, train))
    alpha = pairs["cand"].to_numpy() == hidden.rows(["base/Alpha-7B"])[0]
    agree = X["arch_agree"].to_numpy()[alpha]
    assert agree.tolist() == [0.0, 1.0]  # u0's architecture hidden, u1's kept


def test_upstream_child_and_owner_links_features():
    """`child_children`: how many models declare the child as their parent (an upstream model's
    own parent is more often a base than a habit); `owner_links`: how many training links the
    child's owner has besides the child's own (how much its habits are worth). Both also feed
    the calibration."""
    rows = [("base/Alpha-7B", "llama"), ("org/Mid-7B", "llama"), ("org/Leaf-7B", "llama")]
    rows += [(f"q{i}/Mid-7B-GGUF-{i}", "llama") for i in range(3)]
    links = [("org/Leaf-7B", "base/Alpha-7B", "finetune")]
    links += [(f"q{i}/Mid-7B-GGUF-{i}", "org/Mid-7B", "quantized") for i in range(3)]
    corpus, train = _corpus(rows, links)
    kids = corpus.rows(["org/Mid-7B", "org/Leaf-7B"])
    pairs = candidates(corpus, train, kids)
    X = pair_features(corpus, train, pairs, make_stats(corpus, train))
    by_child = X.assign(child=corpus.ids[pairs["child"].to_numpy()]).groupby("child").first()
    assert by_child.loc["org/Mid-7B", "child_children"] == np.float32(np.log1p(3))
    assert by_child.loc["org/Leaf-7B", "child_children"] == 0.0
    # org has one training link (Leaf's): Mid sees it, Leaf does not count its own
    assert by_child.loc["org/Mid-7B", "owner_links"] == np.float32(np.log1p(1))
    assert by_child.loc["org/Leaf-7B", "owner_links"] == 0.0
    raw = np.full(len(pairs), 0.5)
    inputs = ranker._calibration_inputs(pairs["child"].to_numpy(), raw, X)
    assert inputs.shape == (len(pairs), 5)
    assert set(inputs[:, 3].round(4)) == {0.0, round(float(np.log1p(3)), 4)}


def test_architecture_prior_offers_ten_parents():
    """A fine-tune named after nothing: its parent is the 7th most used parent of its
    architecture and size, still proposed (the prior offers ten, not five)."""
    rows = [(f"base/B{k}-7B", "llama") for k in range(8)] + [("x/Nameless-7B", "llama")]
    links = []
    for k in range(8):  # base k has 10 - k children
        rows += [(f"u{k}/F{k}x{j}-7B", "llama") for j in range(10 - k)]
        links += [(f"u{k}/F{k}x{j}-7B", f"base/B{k}-7B", "finetune") for j in range(10 - k)]
    corpus, train = _corpus(rows, links)
    pairs = candidates(corpus, train, corpus.rows(["x/Nameless-7B"]))
    got = _cands(corpus, pairs, "x/Nameless-7B")
    assert {f"base/B{k}-7B" for k in range(8)} <= got
    prior = pairs[pairs["from_prior"] == 1]
    assert len(prior) == 8
