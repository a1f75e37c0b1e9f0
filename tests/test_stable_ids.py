"""Stable community and cluster ids across rebuilds (issue 11): the matching on hand-made
partitions, then real builds of the bundled sample (and of the Constellation CSV) rebuilt with one
model removed, loaded over each other into the graph server."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from constellation.loader.artifacts import read_manifest, read_table
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.ingest.sources import read_sources
from constellation.loader.pipeline.build import build, build_from_models
from constellation.loader.pipeline.params import BuildParams
from constellation.loader.pipeline.stable_ids import match, stable_ids

from constellation.cli import main
from constellation.errors import UserError

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"
CSV = "constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv"
GROUP_TABLES = ("models", "communities", "clusters")


# --- the matching, on hand-made partitions ------------------------------------------------


def test_identical_partition_keeps_every_id() -> None:
    prev = {"a": 40, "b": 40, "c": 12, "d": 3, "e": 3, "f": 3}
    # detection numbers by size: the 3-model group first
    new = {"d": 0, "e": 0, "f": 0, "a": 1, "b": 1, "c": 2}
    assert stable_ids(prev, new, next_id=41) == {0: 3, 1: 40, 2: 12}


def test_split_larger_part_keeps_the_id() -> None:
    prev = {m: 7 for m in "abcde"} | {"z": 2}
    new = {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "z": 2}
    assert stable_ids(prev, new, next_id=8) == {0: 7, 1: 8, 2: 2}


def test_split_in_halves_gives_the_id_to_one_half_only() -> None:
    prev = {m: 5 for m in "abcd"}
    ids = stable_ids(prev, {"a": 0, "b": 0, "c": 1, "d": 1})
    assert sorted(ids.values()) == [5, 6]


def test_merge_takes_the_bigger_contributors_id() -> None:
    prev = {"a": 1, "b": 1, "c": 1, "d": 4, "e": 4}
    assert stable_ids(prev, {m: 0 for m in "abcde"}, next_id=5) == {0: 1}


def test_new_group_gets_a_fresh_id_and_a_vanished_one_is_retired() -> None:
    prev = {"a": 0, "b": 0, "x": 1, "y": 1}
    m = match(np.array(list(prev)), np.array(list(prev.values())),
              np.array(["a", "b", "n", "o"]), np.array([0, 0, 1, 1]), next_id=9)  # fmt: skip
    assert m.ids.tolist() == [0, 9]  # above every id handed out, not the free 1
    assert (m.kept, m.retired, m.next_id) == (1, 1, 10)


def test_a_group_mostly_changed_is_not_the_same_group() -> None:
    # 2 of 5 models stay together, 3 join another group: Jaccard 0.4, below one half
    prev = {m: 3 for m in "abcde"} | {m: 8 for m in "vwxyz"}
    new = {"a": 1, "b": 1, "c": 0, "d": 0, "e": 0} | {m: 0 for m in "vwxyz"}
    assert stable_ids(prev, new, next_id=9) == {0: 8, 1: 9}


def test_no_previous_models_numbers_from_next_id() -> None:
    assert stable_ids({}, {"a": 0, "b": 1, "c": 0}, next_id=4) == {0: 4, 1: 5}


# --- real builds --------------------------------------------------------------------------


def _without(src: Path, tmp: Path, drop: int) -> Path:
    """The sample with its line `drop` removed."""
    lines = src.read_text().splitlines(keepends=True)
    out = tmp / f"without-{drop}.jsonl"
    out.write_text("".join(lines[:drop] + lines[drop + 1 :]))
    return out


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: read_table(out, name) for name in GROUP_TABLES}


def _kept_share(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame], kind: str):
    """Share of the previous groups whose id the rebuild still gives to mostly the same models
    (Jaccard >= 1/2), checked with the models' own columns (finest level for clusters). A
    group the rebuild adds (a split) has no id to keep: it counts in the manifest's `new`."""
    key = "community" if kind == "communities" else "cluster"
    old = before["models"].groupby(key)["id"].agg(frozenset)
    new = after["models"].groupby(key)["id"].agg(frozenset)
    same = [g for g in old.index if g in new.index and
            len(old[g] & new[g]) * 2 >= len(old[g] | new[g])]  # fmt: skip
    return len(same) / len(old)


def _check_consistent(out: Path) -> None:
    """Ids unique across levels, parents one level up, each model's cluster at level 0,
    every community and cluster row describing its members."""
    t = _tables(out)
    clus, models = t["clusters"], t["models"]
    assert clus["cluster"].is_unique and t["communities"]["community"].is_unique
    level = clus.set_index("cluster")["level"]
    child = clus[clus["parent"].notna()]
    assert (level[child["parent"].astype(int)].to_numpy() == child["level"].to_numpy() + 1).all()
    assert (level[models["cluster"]].to_numpy() == 0).all()
    sizes = models["community"].value_counts()
    assert (t["communities"].set_index("community")["size"] == sizes).all()
    labels = t["communities"].set_index("community")["label"]
    assert (models["family"].to_numpy() == labels[models["community"]].to_numpy()).all()
    finest = clus[clus["level"] == 0].set_index("cluster")["size"]
    assert (finest == models["cluster"].value_counts()).all()


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory) -> dict[str, Path]:
    """first: the sample; second: rebuilt over a copy of it without one model of the largest
    community (the hardest case: its community and clusters change); fresh: the same without
    stable ids."""
    tmp = tmp_path_factory.mktemp("stable")
    first = tmp / "first"
    build([SAMPLE], first)
    models = read_table(first, "models")
    victim = models.loc[models["community"] == 0, "id"].iloc[-1]
    line = next(i for i, text in enumerate(SAMPLE.read_text().splitlines())
                if json.loads(text).get("id") == victim)  # fmt: skip
    smaller = _without(SAMPLE, tmp, line)
    second = tmp / "second"
    shutil.copytree(first, second)
    build([smaller], second)
    fresh = tmp / "fresh"
    shutil.copytree(first, fresh)
    build([smaller], fresh, fresh_ids=True)
    return {"first": first, "second": second, "fresh": fresh, "smaller": smaller}


def test_rebuild_without_one_model_keeps_the_ids(sample_builds) -> None:
    before, after = _tables(sample_builds["first"]), _tables(sample_builds["second"])
    assert len(after["models"]) == len(before["models"]) - 1
    for kind in ("communities", "clusters"):
        assert _kept_share(before, after, kind) >= 0.99, kind
    manifest = read_manifest(sample_builds["second"])
    ids = manifest["ids"]
    assert ids["previous_build"] == read_manifest(sample_builds["first"])["build_id"]
    for kind in ("communities", "clusters"):
        assert ids[kind]["kept"] >= 0.99 * len(before[kind]), kind
        assert ids[kind]["kept"] + ids[kind]["new"] == len(after[kind])
        assert ids[kind]["kept"] + ids[kind]["retired"] == len(before[kind])
    _check_consistent(sample_builds["second"])
    # without matching, detection's numbering moves ids (what the issue is about)
    fresh = _tables(sample_builds["fresh"])
    assert _kept_share(before, fresh, "clusters") < 0.99


def test_rebuild_over_the_graph_rewrites_under_one_percent_of_group_nodes(
    sample_builds, graph_db, graph_driver
) -> None:
    def load(name: str) -> dict:
        return load_artifacts(graph_driver, sample_builds[name], database=graph_db.database)

    def rewritten(counts: dict) -> tuple[int, int]:
        kinds = [counts["communities"], counts["clusters"]]
        changed = sum(c["created"] + c["updated"] + c["deleted"] for c in kinds)
        return changed, sum(c["created"] + c["updated"] + c["unchanged"] for c in kinds)

    load("first")
    changed, total = rewritten(load("second"))
    assert 0 < changed < 0.01 * total, (changed, total)
    # detection's numbering instead rewrites far more
    load("first")
    changed_fresh, total = rewritten(load("fresh"))
    assert changed_fresh > 0.01 * total, (changed_fresh, total)


def test_rebuild_moves_few_models_between_group_ids(sample_builds) -> None:
    """A model's IN_COMMUNITY/IN_CLUSTER links change only where its group's id does."""
    before, after = _tables(sample_builds["first"]), _tables(sample_builds["second"])
    both = before["models"].merge(after["models"], on="id", suffixes=("_0", "_1"))
    moved = (both["community_0"] != both["community_1"]) | (both["cluster_0"] != both["cluster_1"])
    assert moved.sum() <= 0.05 * len(both), both.loc[moved, "id"].tolist()


def test_a_downloads_change_keeps_the_family_names(sample_builds, tmp_path) -> None:
    """Labels weigh terms by downloads: with a third of the downloads changed, a group that
    kept its id keeps its name while the name's terms are still among its best, so the
    members' `family` is not rewritten; fresh ids (no previous build) rename many."""
    rows = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    for row in rows[::3]:
        row["downloads"] = (row.get("downloads") or 0) * 7 + 11
    source = tmp_path / "downloads.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    renamed = {}
    for name, fresh in (("stable", False), ("fresh", True)):
        out = tmp_path / name
        shutil.copytree(sample_builds["first"], out)
        manifest = build([source], out, fresh_ids=fresh)
        both = _tables(sample_builds["first"])["models"].merge(
            _tables(out)["models"], on="id", suffixes=("_before", "_after"))  # fmt: skip
        renamed[name] = int((both["family_before"] != both["family_after"]).sum())
    assert manifest["ids"]["previous_build"] is None  # (the fresh one)
    kept = read_manifest(tmp_path / "stable")["ids"]["labels_kept"]
    assert kept["communities"] > 0, kept
    assert renamed["stable"] * 3 < renamed["fresh"], renamed
    _check_consistent(tmp_path / "stable")  # each model's family is its community's label
    terms = _tables(tmp_path / "stable")["communities"]
    assert all(
        label == " · ".join(list(t)[:3]) for label, t in zip(terms["label"], terms["terms"],
                                                              strict=True)
    )  # fmt: skip


def test_identical_rebuild_gives_identical_ids(sample_builds, tmp_path) -> None:
    out = tmp_path / "again"
    shutil.copytree(sample_builds["second"], out)
    manifest = build([sample_builds["smaller"]], out)
    before, after = _tables(sample_builds["second"]), _tables(out)
    for name in GROUP_TABLES:
        pd.testing.assert_frame_equal(before[name], after[name])
    ids = manifest["ids"]
    assert ids["communities"]["new"] == ids["clusters"]["new"] == 0
    assert ids["communities"]["retired"] == ids["clusters"]["retired"] == 0


def test_first_build_is_numbered_by_size_as_before(sample_builds) -> None:
    """No previous build: exactly the tables detection makes (the default path unchanged)."""
    tables, _ = build_from_models(read_sources([SAMPLE]).models)
    written = _tables(sample_builds["first"])
    for name in GROUP_TABLES:
        pd.testing.assert_frame_equal(written[name], tables[name], check_dtype=False)
    ids = read_manifest(sample_builds["first"])["ids"]
    assert ids == {
        "previous_build": None,
        "next_community": len(written["communities"]),
        "next_cluster": len(written["clusters"]),
    }
    fresh = _tables(sample_builds["fresh"])  # --fresh-ids over a previous build: the same
    assert fresh["communities"]["community"].tolist() == list(range(len(fresh["communities"])))
    assert fresh["clusters"]["cluster"].tolist() == list(range(len(fresh["clusters"])))


def test_a_new_cut_gets_fresh_cluster_ids(sample_builds, tmp_path) -> None:
    """Clusters match the previous build's clusters of the same cut only; a new cut's clusters
    get fresh ids above every previous cluster id, and the other levels keep theirs."""
    out = tmp_path / "levels"
    shutil.copytree(sample_builds["first"], out)
    levels = read_manifest(out)["params"]["cluster_levels"]
    changed = (*levels[:-1], levels[-1] + 0.05)
    manifest = build([SAMPLE], out, BuildParams(cluster_levels=changed))
    before, after = _tables(sample_builds["first"]), _tables(out)
    top = after["clusters"]["level"] == len(levels) - 1
    assert (after["clusters"].loc[top, "cluster"] >= len(before["clusters"])).all()
    kept = after["clusters"].loc[~top, "cluster"].tolist()
    assert kept == before["clusters"].loc[before["clusters"]["level"] < len(levels) - 1,
                                          "cluster"].tolist()  # fmt: skip
    assert manifest["ids"]["clusters"]["new"] == int(top.sum())
    _check_consistent(out)


def test_retired_ids_are_never_handed_out_again(tmp_path) -> None:
    """A group removed in one build and a new group in the next: the new one's id is above
    every id the folder's builds handed out, not the retired one."""
    src = tmp_path / "models.csv"
    out = tmp_path / "out"
    base = ["org/alpha-7b-chat", "org/alpha-13b-chat", "lab/omega-base", "lab/omega-large"]

    def rebuild(ids: list[str]) -> dict:
        src.write_text("id,downloads\n" + "".join(f"{m},{i}\n" for i, m in enumerate(ids)))
        return build([src], out)

    rebuild(base + ["solo/zzz-unique-name"])
    solo = read_table(out, "models").set_index("id").loc["solo/zzz-unique-name", "community"]
    handed = read_manifest(out)["ids"]["next_community"]
    second = rebuild(base)  # the loner's community is retired
    assert solo not in set(read_table(out, "communities")["community"])
    assert second["ids"]["communities"]["retired"] == 1
    rebuild(base + ["other/qqq-another-loner"])
    models = read_table(out, "models").set_index("id")
    assert models.loc["other/qqq-another-loner", "community"] >= handed
    _check_consistent(out)


def test_cli_reuses_out_and_fresh_ids_opts_out(sample_builds, tmp_path, capsys) -> None:
    out = tmp_path / "cli"
    shutil.copytree(sample_builds["second"], out)
    src = str(sample_builds["smaller"])
    assert main(["build", "--source", src, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "ids kept from build" in err and "its term weights kept" in err
    pd.testing.assert_frame_equal(
        read_table(out, "clusters"), read_table(sample_builds["second"], "clusters")
    )
    assert main(["build", "--quiet", "--source", src, "--out", str(out), "--fresh-ids"]) == 0
    assert read_manifest(out)["ids"]["previous_build"] is None
    pd.testing.assert_frame_equal(
        read_table(out, "clusters"), read_table(sample_builds["fresh"], "clusters")
    )
    # --previous names another folder; both at once is one clear line
    assert main(["build", "--quiet", "--source", src, "--out", str(out),
                 "--previous", str(sample_builds["second"])]) == 0  # fmt: skip
    assert read_manifest(out)["ids"]["previous_build"] == read_manifest(
        sample_builds["second"])["build_id"]  # fmt: skip
    assert main(["build", "--quiet", "--source", src, "--out", str(out), "--fresh-ids",
                 "--previous", str(out)]) != 0  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["constellation build: --previous and --fresh-ids: give one or the other"]


def test_previous_that_is_not_a_build(sample_builds, tmp_path, caplog) -> None:
    with pytest.raises(UserError, match="--previous .*: no manifest.json there"):
        build([SAMPLE], tmp_path / "out", previous=tmp_path)
    # unreadable artifacts already in --out (a mix of two builds): this build replaces them,
    # with fresh ids and a warning, rather than refusing to repair the folder
    out = tmp_path / "mixed"
    shutil.copytree(sample_builds["first"], out)
    shutil.copy(sample_builds["second"] / "clusters.parquet", out / "clusters.parquet")
    caplog.set_level(logging.WARNING, logger="constellation")
    manifest = build([SAMPLE], out)
    assert manifest["ids"]["previous_build"] is None
    assert any("fresh ids" in r.getMessage() for r in caplog.records)


@pytest.mark.shared
def test_constellation_csv_without_one_model_keeps_the_ids(tmp_path, shared_file) -> None:
    csv = shared_file(CSV)
    first = tmp_path / "first"
    build([csv], first)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    models = read_table(first, "models")
    victim = models.loc[models["community"] == 0, "id"].iloc[0]  # in the largest community
    smaller = tmp_path / "smaller.csv"  # the file names each model by its Hub link
    frame[~frame["link"].str.endswith("huggingface.co/" + victim)].to_csv(smaller, index=False)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    manifest = build([smaller], second)
    before, after = _tables(first), _tables(second)
    assert len(after["models"]) == len(before["models"]) - 1
    for kind in ("communities", "clusters"):
        assert _kept_share(before, after, kind) >= 0.99, kind
        assert manifest["ids"][kind]["kept"] >= 0.99 * len(before[kind]), kind
    _check_consistent(second)


def _moved(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Models of both builds whose community, matched to the previous ids, is not theirs."""
    labels = pd.factorize(after["community"])[0]
    m = match(before["id"].to_numpy(object), before["community"].to_numpy(), after["id"].to_numpy(
        object), labels)  # fmt: skip
    previous = before.set_index("id")["community"].reindex(after["id"]).to_numpy()
    return int(((m.ids[labels] != previous) & ~np.isnan(previous.astype(float))).sum())


def _rescored(before: Path, after: Path) -> int:
    """Similarity edges of both builds whose stored (rounded) score differs."""
    edges = [read_table(folder, "similarity") for folder in (before, after)]
    both = edges[0].merge(edges[1], on=["source", "target"], suffixes=("_0", "_1"))
    return int((both["score_0"].round(3) != both["score_1"].round(3)).sum())


def test_a_refresh_starts_from_the_previous_builds_communities_and_term_weights(
    tmp_path, shared_file
) -> None:
    """A rebuild over a previous build moves single models from the previous communities
    (local_moves.warm_start) instead of running Louvain again, which finds another partition:
    with 1 % of the 15,821 names removed, 24 models change community against 1,541 (and 62
    family names change against 3,297). Its known terms keep their weights (artifacts.IDF), so
    the edges it keeps keep their scores. A rebuild of the same names moves nobody."""
    csv = shared_file(CSV)
    first = tmp_path / "first"
    build([csv], first)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    smaller = tmp_path / "smaller.csv"
    frame.drop(index=frame.index[::100]).to_csv(smaller, index=False)
    moved = {}
    for name, fresh in (("warm", False), ("fresh", True)):
        shutil.copytree(first, tmp_path / name)
        build([smaller], tmp_path / name, fresh_ids=fresh)
        moved[name] = _moved(read_table(first, "models"), read_table(tmp_path / name, "models"))
    n = len(read_table(tmp_path / "warm", "models"))
    assert moved["warm"] < 0.005 * n and moved["warm"] * 20 < moved["fresh"], moved
    assert _rescored(first, tmp_path / "warm") == 0
    assert _rescored(first, tmp_path / "fresh") > 1000  # weights made again: scores move
    _check_consistent(tmp_path / "warm")
    again = tmp_path / "again"
    shutil.copytree(tmp_path / "warm", again)
    build([smaller], again)
    assert _moved(read_table(tmp_path / "warm", "models"), read_table(again, "models")) == 0


def test_local_moves_leave_a_built_partition_as_it_is(sample_builds) -> None:
    """Every build's communities are a fixed point of the single-model moves (a fresh build's
    Louvain partition is polished by them), so the next rebuild starts where it stands."""
    from constellation.loader.pipeline.local_moves import local_moves

    models = read_table(sample_builds["first"], "models")
    sim = read_table(sample_builds["first"], "similarity")
    row = pd.Series(np.arange(len(models)), index=models["id"])
    src, dst = row[sim["source"]].to_numpy(), row[sim["target"]].to_numpy()
    labels = pd.factorize(models["community"])[0]
    after, moves = local_moves(len(models), src, dst, sim["score"].to_numpy(), labels)
    assert moves == 0 and (after == labels).all()
    # and from a scrambled start, the moves do work (the check above can fail)
    scrambled = labels.copy()
    scrambled[::7] = labels.max() + 1 + np.arange(len(scrambled[::7]))
    assert local_moves(len(models), src, dst, sim["score"].to_numpy(), scrambled)[1] > 0


def test_previous_term_weights_that_cannot_be_read(sample_builds, tmp_path, caplog) -> None:
    """A previous build's idf.parquet without its idf column: `--previous` names the file in
    one line; the build already in --out is replaced with a warning (fresh ids and weights).
    A previous build without the file (built before it existed) gives fresh weights."""
    import pyarrow.parquet as pq
    from constellation.loader.artifacts import IDF, write_table

    bad = tmp_path / "bad"
    shutil.copytree(sample_builds["first"], bad)
    idf = read_table(bad, IDF)
    write_table(bad / f"{IDF}.parquet", idf.drop(columns="idf"), read_manifest(bad)["build_id"])
    with pytest.raises(UserError, match=r"idf\.parquet cannot be read"):
        build([SAMPLE], tmp_path / "out", previous=bad)
    with caplog.at_level(logging.WARNING):
        manifest = build([SAMPLE], bad)
    assert manifest["ids"]["previous_build"] is None and "idf.parquet" in caplog.text
    assert pq.read_schema(bad / f"{IDF}.parquet").names == ["block", "term", "idf"]
    old = tmp_path / "old"
    shutil.copytree(sample_builds["first"], old)
    (old / f"{IDF}.parquet").unlink()
    manifest = build([SAMPLE], old)
    assert manifest["ids"]["previous_build"] is not None
    pd.testing.assert_frame_equal(read_table(old, IDF), read_table(sample_builds["first"], IDF))
