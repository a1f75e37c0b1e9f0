"""Vectors -> edges -> communities / hierarchy -> family labels, on small real-looking names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from constellation.loader.ingest import generate
from constellation.loader.pipeline import (
    communities,
    edge_recall,
    edges,
    families,
    hierarchy,
    names,
    vectors,
)
from constellation.loader.pipeline.params import BuildParams
from scipy.cluster.hierarchy import fcluster, is_monotonic, is_valid_linkage

IDS = [
    "meta-llama/Llama-2-13b-chat-hf",
    "TheBloke/Llama-2-13B-chat-GPTQ",
    "TheBloke/Llama-2-13B-chat-GGUF",
    "TheBloke/Llama-2-7B-chat-GPTQ",
    "meta-llama/Llama-2-7b-chat-hf",
    "meta-llama/Llama-2-7b-hf",
    "EleutherAI/pythia-1.4b-deduped",
    "EleutherAI/pythia-410m-deduped",
    "EleutherAI/pythia-2.8b-deduped",
    "EleutherAI/pythia-160m",
    "lmsys/vicuna-7b-v1.3",
    "lmsys/vicuna-13b-v1.3",
    "TheBloke/vicuna-13B-v1.5-GGUF",
    "lmsys/vicuna-13b-v1.5",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ",
    "mistralai/Mistral-7B-Instruct-v0.1",
    "huggingtweets/elonmusk",
    "huggingtweets/dril",
    "gpt2",
    "zzz/qwxyzzy",
]


def _vectors(ids=IDS, **params):
    p = BuildParams(**params)
    s = pd.Series(ids)
    return vectors.vectorize(names.name_documents(s), names.owners(s), p), p


def _dense_top_k(x, k: int, threshold: float) -> set[tuple[int, int]]:
    s = (x @ x.T).toarray()
    np.fill_diagonal(s, -1)
    pairs = set()
    for i in range(len(s)):
        for j in np.argsort(-s[i], kind="stable")[:k]:
            if s[i, j] >= threshold:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def test_vectors_are_unit_rows_with_three_blocks() -> None:
    vec, _ = _vectors()
    norms = np.sqrt(np.asarray(vec.matrix.multiply(vec.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert vec.matrix.shape[1] == vec.n_word + vec.n_char + vec.n_owner
    assert "llama 2" in set(vec.word_terms)  # word bigram
    assert vec.matrix.dtype == np.float32


def test_edges_match_dense_top_k_and_are_symmetric_pairs() -> None:
    vec, p = _vectors(k=3, threshold=0.3)
    src, dst, score = edges.similarity_edges(vec.matrix, p)
    assert (src < dst).all()
    assert len(set(zip(src.tolist(), dst.tolist(), strict=True))) == len(src)  # each pair once
    assert score.dtype == np.float32 and (score >= 0.3).all()
    assert set(zip(src.tolist(), dst.tolist(), strict=True)) == _dense_top_k(vec.matrix, 3, 0.3)
    dense = (vec.matrix @ vec.matrix.T).toarray()
    assert np.allclose(score, dense[src, dst], atol=1e-5)


def test_edges_deterministic_and_chunking_invariant() -> None:
    vec, p = _vectors(k=4, threshold=0.3)
    a = edges.similarity_edges(vec.matrix, p)
    b = edges.similarity_edges(vec.matrix, p)
    c = edges.similarity_edges(vec.matrix, p.with_overrides(chunk_rows=4, n_threads=1))
    for x, y, z in zip(a, b, c, strict=True):
        assert np.array_equal(x, y)
        assert np.array_equal(x, z)


def test_pruned_candidates_rescored_exactly() -> None:
    # every feature in more than 2 names is dropped from candidate generation: scores must still
    # be the exact cosine, and identical-name copies must still find each other
    ids = [f"owner{i}/Llama-2-7B-chat-GGUF" for i in range(6)] + IDS
    vec, p = _vectors(ids, k=3, threshold=0.3, max_candidate_df=2, candidates=10, exact_budget=0)
    cands = edges.candidate_matrix(vec.matrix, p)
    assert cands.pruned and cands.matrix.nnz < vec.matrix.nnz
    assert cands.forced.nnz > 0  # the copies have only common features: they keep their rarest
    # kept + common = x, column-wise
    full = cands.matrix - cands.forced + cands.common
    assert abs(full - vec.matrix).max() == 0
    src, dst, score = edges.similarity_edges(vec.matrix, p)
    dense = (vec.matrix @ vec.matrix.T).toarray()
    assert np.allclose(score, dense[src, dst], atol=1e-5)
    pairs = set(zip(src.tolist(), dst.tolist(), strict=True))
    assert {(0, j) for j in range(1, 4)} <= pairs  # copy 0 keeps 3 of its identical copies


def test_recall_at_k_counts_ties_and_misses() -> None:
    # the exact path is its own reference; dropping edges lowers recall by what they carried
    vec, p = _vectors(k=3, threshold=0.3)
    x = vec.matrix
    exact = edge_recall.exact_top_k(x, p.k, p.threshold)
    assert exact.count.sum() > 0 and (exact.count <= p.k).all()
    src, dst, _ = edges.similarity_edges(x, p)
    full = edge_recall.recall_at_k(x, src, dst, exact, p.k)
    assert full["recall"] == 1.0 and full["rows_complete"] == 1.0
    half = edge_recall.recall_at_k(x, src[::2], dst[::2], exact, p.k)
    assert half["recall"] < 1.0 and half["found"] < full["found"]


def test_pruned_path_recall_vs_exact_on_generated_names() -> None:
    # Hub-shaped names (expanded from the packaged sample), the pruned path forced, its df cap
    # scaled to the set as 500 is to a Hub-sized one. Ranking candidates on the pruned vectors
    # alone (pool = candidates = 20: the former path) found 66 % here, the pool of 100 75 %.
    table = generate.generate_ids(5000, seed=0, sources=[generate.SAMPLE])
    vec, p = _vectors(table["id"].astype(str).tolist())
    exact = edge_recall.exact_top_k(vec.matrix, p.k, p.threshold)
    forced = p.with_overrides(exact_budget=0.0, max_candidate_df=50)
    assert edges.candidate_matrix(vec.matrix, forced).pruned
    src, dst, score = edges.similarity_edges(vec.matrix, forced)
    report = edge_recall.recall_at_k(vec.matrix, src, dst, exact, p.k)
    assert report["exact_neighbours"] > 40_000
    assert report["recall"] >= 0.72, report


def test_symmetrise_keeps_max_once() -> None:
    s, d, w = edges.symmetrise(
        np.array([2, 0, 1]), np.array([0, 2, 0]), np.array([0.5, 0.7, 0.9], np.float32)
    )
    assert s.tolist() == [0, 0] and d.tolist() == [1, 2]
    assert w.tolist() == pytest.approx([0.9, 0.7])


def test_no_edge_gives_empty_typed_arrays() -> None:
    # names that share no feature above the threshold (one name, two unrelated names)
    none = np.empty(0, np.int64)
    s, d, w = edges.symmetrise(none, none, np.empty(0, np.float32))
    assert (len(s), len(d), len(w)) == (0, 0, 0)
    assert s.dtype == d.dtype == np.int64 and w.dtype == np.float32
    for ids in (["a/b"], ["a/b", "c/d"], [f"a/llama-{i}-chat" for i in range(20)]):
        vec, p = _vectors(ids)
        src, dst, score = edges.similarity_edges(vec.matrix, p)
        assert len(src) == len(dst) == len(score) == 0, ids


def test_communities_seeded_isolated_alone_and_modularity() -> None:
    # a tiny corpus makes every size token rare: a lower threshold than the default
    vec, p = _vectors(threshold=0.3)
    src, dst, score = edges.similarity_edges(vec.matrix, p)
    a, qa = communities.louvain(len(IDS), src, dst, score, seed=7)
    b, qb = communities.louvain(len(IDS), src, dst, score, seed=7)
    assert np.array_equal(a, b) and qa == qb and 0 < qa <= 1
    linked = set(src.tolist()) | set(dst.tolist())
    lone = [i for i in range(len(IDS)) if i not in linked]
    assert IDS.index("zzz/qwxyzzy") in lone
    for i in lone:
        assert (a == a[i]).sum() == 1  # its own community
    # the pythia models form one community, apart from the llama 2 chat models
    py = [a[i] for i, m in enumerate(IDS) if "pythia" in m and "deduped" in m]
    assert len(set(py)) == 1
    assert a[IDS.index("meta-llama/Llama-2-13b-chat-hf")] != py[0]
    # numbered by size: community 0 is the largest
    sizes = np.bincount(a)
    assert (np.diff(sizes) <= 0).all()


def test_python_louvain_agrees_on_modularity_scale() -> None:
    vec, p = _vectors()
    src, dst, score = edges.similarity_edges(vec.matrix, p)
    _, q_ig = communities.louvain(len(IDS), src, dst, score)
    _, q_py = communities.python_louvain(len(IDS), src, dst, score)
    assert q_ig == pytest.approx(q_py, abs=0.05)


def test_hierarchy_is_valid_scipy_linkage_over_all_models() -> None:
    vec, p = _vectors()
    src, dst, score = edges.similarity_edges(vec.matrix, p)
    n = len(IDS)
    z = hierarchy.single_linkage(n, src, dst, score)
    assert z.shape == (n - 1, 4)
    assert is_valid_linkage(z) and is_monotonic(z)
    assert z[-1, 3] == n and z[-1, 2] == 1.0  # components joined at the top at distance 1
    # equal to scipy's own single linkage cut at the same distances
    levels = (0.25, 0.4)
    labels, table = hierarchy.flat_clusters(n, src, dst, score, levels)
    for lvl, cut in enumerate(levels):
        ref = fcluster(z, t=cut, criterion="distance")
        ours = labels[:, lvl]
        assert len(set(zip(ref.tolist(), ours.tolist(), strict=True))) == len(set(ref))
        assert len(set(ours)) == len(set(ref))
    # ids unique across levels, parents nest, sizes add up
    assert table["cluster"].is_unique
    assert table.groupby("level")["size"].sum().tolist() == [n, n]
    child = table[table["level"] == 0]
    for row in child.itertuples():
        members = labels[:, 0] == row.cluster
        assert set(labels[members, 1].tolist()) == {row.parent}
    assert table[table["level"] == 1]["parent"].isna().all()


def test_hierarchy_identical_names_join_at_distance_zero() -> None:
    z = hierarchy.single_linkage(3, np.array([0]), np.array([1]), np.array([1.0], np.float32))
    assert z[0].tolist() == [0.0, 1.0, 0.0, 2.0]
    assert z[1].tolist() == [2.0, 3.0, 1.0, 3.0]


def test_family_labels_name_the_group() -> None:
    vec, p = _vectors()
    s = pd.Series(IDS)
    counts, vocab = families.term_matrix(vec.word_counts, vec.word_terms, names.owners(s))
    groups = np.array([0 if "pythia" in m else 1 if "vicuna" in m else 2 for m in IDS])
    terms = families.group_terms(groups, counts, vocab, top=5)
    assert terms[0][0] == "pythia"
    assert {"eleutherai", "deduped"} <= set(terms[0][:3])
    assert terms[1][0] == "vicuna"
    assert families.label(["llama 2", "13b", "chat"]) == "llama 2 · 13b · chat"
    # a unigram inside an earlier chosen bigram is not repeated
    for t in terms:
        for pos, term in enumerate(t):
            earlier = {w for b in t[:pos] if " " in b for w in b.split()}
            assert " " in term or term not in earlier


def test_family_terms_skip_covered_words_in_order_and_need_a_share() -> None:
    vocab = np.array(["llama 2", "llama", "2", "chat", "rare", "2 chat"], dtype=object)
    # one group of four models; column sums give each term's member count
    rows = [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], [0, 1], [0], [0, 1]]
    data = [(r, c) for c, members in enumerate(rows) for r in members]
    counts = sp.csr_matrix(
        (np.ones(len(data), np.float32), ([r for r, _ in data], [c for _, c in data])),
        shape=(40, len(vocab)),
    )
    groups = np.r_[np.zeros(4, np.int64), np.ones(36, np.int64)]  # the corpus is bigger
    terms = families.group_terms(groups, counts, vocab, top=10)[0]
    # "llama" and "2" come after "llama 2" (ties by vocabulary order) and add no word: skipped;
    # "2 chat" comes after "chat" and "2": skipped
    assert terms == ["llama 2", "chat", "rare"]
    assert families.group_terms(groups, counts, vocab, top=10, min_share=0.5)[0] == [
        "llama 2", "chat"]
    # a group whose every term is rarer than min_share keeps its best one
    assert families.group_terms(groups, counts, vocab, min_share=1.1)[0] == ["llama 2"]


def test_isolated_models_are_grouped_by_owner() -> None:
    labels = np.array([0, 0, 1, 2, 3, 4])
    owners = np.array(["a", "a", "h", "h", "h", None], dtype=object)
    src, dst = np.array([0]), np.array([1])  # models 0 and 1 are similar; the rest isolated
    out = communities.group_isolated_by_owner(labels, owners, src, dst)
    assert out[2] == out[3] == out[4]  # huggingtweets-like handles: one family by owner
    assert out[0] == out[1] != out[2]  # similar names keep their community
    assert len(set(out.tolist())) == 3 and out[5] not in (out[0], out[2])  # no owner: alone
    assert out[2] == 0  # numbered by size


def test_common_words_counts_models() -> None:
    vec, _ = _vectors()
    words = families.common_words(vec.word_counts, vec.word_terms, len(IDS), top=3)
    got = dict(zip(words["word"], words["count"], strict=True))
    assert list(got.items()) == [("13b", 6), ("llama", 6), ("7b", 5)]  # ties by text; no bare "2"
    assert words["share"].tolist() == pytest.approx([6 / len(IDS), 6 / len(IDS), 5 / len(IDS)])


def _edge_ids(ids: list[str], src: np.ndarray, dst: np.ndarray) -> set[tuple[str, str]]:
    return {tuple(sorted((ids[a], ids[b]))) for a, b in zip(src, dst, strict=True)}


def _id_rank(ids: list[str]) -> np.ndarray:
    return np.argsort(np.argsort(np.array(ids), kind="stable"), kind="stable")


def test_copies_tie_by_rank_whatever_the_input_order_or_pool() -> None:
    # 150 copies of one name by other owners (more than the candidate pool), on the pruned path:
    # each copy links to the k copies with the lowest ids, in any input order, and removing a
    # copy changes only the edges that touched it (a copy takes the next id instead).
    copies = [f"o{i:03d}/Llama-2-7B-chat-GGUF" for i in range(150)]
    others = [f"x{i}/llama-2-7b-chat-{w}" for i, w in enumerate(["awq", "gptq", "exl2"])]
    ids = copies + others + IDS
    p = dict(k=3, threshold=0.3, max_candidate_df=2, candidates=5, candidate_pool=10,
             exact_budget=0)  # fmt: skip
    vec, params = _vectors(ids, **p)
    src, dst, score = edges.similarity_edges(vec.matrix, params, tie_rank=_id_rank(ids))
    got = _edge_ids(ids, src, dst)
    lowest = sorted(copies)[:4]
    for c in copies[4:]:
        linked = {b for a, b in got if a == c} | {a for a, b in got if b == c}
        assert linked == set(lowest[:3]), c  # its 3 best: the copies with the lowest ids
    assert np.allclose(score, (vec.matrix @ vec.matrix.T).toarray()[src, dst], atol=1e-5)

    shuffled = list(np.random.default_rng(3).permutation(ids))
    vec2, _ = _vectors(shuffled, **p)
    s2, d2, _ = edges.similarity_edges(vec2.matrix, params, tie_rank=_id_rank(shuffled))
    assert _edge_ids(shuffled, s2, d2) == got

    gone = lowest[0]
    fewer = [i for i in ids if i != gone]
    vec3, _ = _vectors(fewer, **p)
    s3, d3, _ = edges.similarity_edges(vec3.matrix, params, tie_rank=_id_rank(fewer))
    after = _edge_ids(fewer, s3, d3)
    assert {e for e in got if gone not in e} <= after
    assert all(lowest[3] in e for e in after - got)  # the next copy replaces it


def test_duplicate_groups_number_by_lowest_rank() -> None:
    x = sp.csr_matrix(np.array([[0, 1], [1, 0], [0, 1], [0, 0], [0, 0]], np.float32))
    group, reps = edges.duplicate_groups(x, np.array([4, 3, 0, 1, 2]))
    assert group.tolist() == [0, 2, 0, 1, 1]
    assert reps.tolist() == [2, 3, 1]


def test_a_rebuild_without_some_names_keeps_the_scores_of_the_rest() -> None:
    # Hub-shaped names on the pruned path, then again without 2 % of them and with the first
    # build's term weights (as a rebuild has them): each remaining name keeps its vector bit for
    # bit (the character vocabulary is sorted, not in order of first appearance) and every edge
    # found both times keeps its float32 score (kept pairs are scored on their whole vectors).
    ids = generate.generate_ids(3000, seed=1, sources=[generate.SAMPLE])["id"].astype(str)
    ids = ids.tolist()
    fewer = [i for n, i in enumerate(ids) if n % 50 != 0]  # the first name among them
    p = dict(exact_budget=0.0, max_candidate_df=30)
    va, params = _vectors(ids, **p)
    s = pd.Series(fewer)
    vb = vectors.vectorize(names.name_documents(s), names.owners(s), params, va.idf)
    where = {name: n for n, name in enumerate(ids)}
    for n, name in enumerate(fewer):
        a, b = va.matrix[where[name]], vb.matrix[n]
        assert np.array_equal(a.data, b.data), name
    assert edges.candidate_matrix(va.matrix, params).pruned
    got = [edges.similarity_edges(v.matrix, params, tie_rank=_id_rank(names_))
           for v, names_ in ((va, ids), (vb, fewer))]  # fmt: skip
    scores = [
        {tuple(sorted((names_[a], names_[b]))): w for a, b, w in zip(*g, strict=True)}
        for g, names_ in zip(got, (ids, fewer), strict=True)
    ]
    both = scores[0].keys() & scores[1].keys()
    assert len(both) > 5000
    assert all(scores[0][e] == scores[1][e] for e in both)


def test_character_columns_keep_their_order_without_a_name() -> None:
    # `bcd ` first appears in `abcd`: without that name it would come after the `qqqq` n-grams
    va, p = _vectors(["x/abcd", "y/zbcd-qqqq", "z/qqqq"])
    s = pd.Series(["y/zbcd-qqqq", "z/qqqq"])
    vb = vectors.vectorize(names.name_documents(s), names.owners(s), p, va.idf)
    assert np.array_equal(va.matrix[1].data, vb.matrix[0].data)
