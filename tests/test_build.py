"""`constellation build` end to end: sources -> artifacts on disk, as docs/design.md lists them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from constellation.loader.artifacts import JOIN_TABLES
from constellation.loader.ingest.lineage import MAX_ID_LENGTH
from constellation.loader.pipeline.build import build
from constellation.loader.pipeline.params import BuildParams

from constellation.cli import main
from constellation.errors import UserError

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"

NAMES = [
    "meta-llama/Llama-2-13b-chat-hf",
    "TheBloke/Llama-2-13B-chat-GPTQ",
    "TheBloke/Llama-2-13B-chat-GGUF",
    "TheBloke/Llama-2-7B-chat-GPTQ",
    "meta-llama/Llama-2-7b-chat-hf",
    "EleutherAI/pythia-1.4b-deduped",
    "EleutherAI/pythia-410m-deduped",
    "EleutherAI/pythia-2.8b-deduped",
    "lmsys/vicuna-7b-v1.3",
    "lmsys/vicuna-13b-v1.3",
    "TheBloke/vicuna-13B-v1.5-GGUF",
    "huggingtweets/elonmusk",
    "gpt2",
]
PARENTS = {
    "TheBloke/Llama-2-13B-chat-GPTQ": "base_model:quantized:meta-llama/Llama-2-13b-chat-hf",
    "TheBloke/Llama-2-13B-chat-GGUF": "base_model:quantized:meta-llama/Llama-2-13b-chat-hf",
    "lmsys/vicuna-13b-v1.3": "base_model:finetune:huggyllama/llama-13b",
}

MODEL_COLUMNS = {
    "id",
    "author",
    "name",
    "downloads",
    "likes",
    "created_at",
    "last_modified",
    "pipeline_tag",
    "library_name",
    "license",
    "tags",
    "row",
    "community",
    "cluster",
    "family",
}
TABLE_COLUMNS = {
    "similarity": ["source", "target", "score"],
    "lineage": ["child", "parent", "relation", "origin"],
    "communities": ["community", "size", "downloads", "label", "terms"],
    "clusters": ["cluster", "level", "threshold", "parent", "size", "downloads", "label", "terms"],
    "hierarchy": ["node", "left", "right", "distance", "size"],
    "words": ["word", "count", "share"],
    "idf": ["block", "term", "idf"],
}


@pytest.fixture
def jsonl(tmp_path) -> Path:
    lines = []
    for i, model_id in enumerate(NAMES):
        tags = ["text-generation", "license:mit"] + (
            [PARENTS[model_id]] if model_id in PARENTS else []
        )
        lines.append(
            json.dumps(
                {
                    "id": model_id,
                    "downloads": 1000 - i,
                    "likes": i,
                    "tags": tags,
                    "pipeline_tag": "text-generation",
                    "createdAt": "2023-07-01T12:00:00.000Z",
                }
            )
        )
    lines.insert(3, '{"id": "broken/json", "downloads": ')  # malformed: reported, skipped
    path = tmp_path / "models.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _read(out: Path, name: str) -> pd.DataFrame:
    return pq.read_table(out / f"{name}.parquet").to_pandas()


def _check_artifacts(out: Path, n_models: int) -> dict:
    manifest = json.loads((out / "manifest.json").read_text())
    for key in (
        "build_id",
        "created_at",
        "inputs",
        "params",
        "counts",
        "timings",
        "versions",
        "modularity",
    ):
        assert key in manifest, key
    models = _read(out, "models")
    assert len(models) == n_models == manifest["counts"]["models"]
    assert MODEL_COLUMNS <= set(models.columns) and "base_models" not in models.columns
    assert models["row"].tolist() == list(range(n_models))
    for name, cols in TABLE_COLUMNS.items():
        assert _read(out, name).columns.tolist() == cols, name

    sim = _read(out, "similarity")
    assert (sim["source"] < sim["target"]).all() and sim["score"].dtype == np.float32
    assert set(sim["source"]) | set(sim["target"]) <= set(models["id"])
    assert len(sim) == manifest["counts"]["similarity_edges"]

    comm = _read(out, "communities")
    assert comm["size"].sum() == n_models and comm["community"].tolist() == list(range(len(comm)))
    assert set(models["community"]) == set(comm["community"])
    labels = dict(zip(comm["community"], comm["label"], strict=True))
    assert (models["family"] == models["community"].map(labels)).all()

    hier = _read(out, "hierarchy")
    assert len(hier) == n_models - 1  # one model: no merge at all
    assert n_models == 1 or hier["size"].iloc[-1] == n_models
    assert hier["node"].tolist() == list(range(n_models, 2 * n_models - 1))

    clusters = _read(out, "clusters")
    levels = manifest["params"]["cluster_levels"]
    assert clusters["cluster"].is_unique
    assert sorted(clusters["level"].unique()) == list(range(len(levels)))
    assert (clusters.groupby("level")["size"].sum() == n_models).all()
    top = clusters["level"] == len(levels) - 1
    assert clusters.loc[top, "parent"].isna().all()
    assert clusters.loc[~top, "parent"].isin(clusters["cluster"]).all()
    finest = clusters.loc[clusters["level"] == 0, "cluster"]
    assert models["cluster"].isin(finest).all()
    return manifest


def test_build_jsonl_writes_every_artifact(tmp_path, jsonl) -> None:
    out = tmp_path / "out"
    # a tiny corpus makes every size token rare: a lower threshold than the default
    manifest = build([jsonl], out, BuildParams(threshold=0.3), progress=False)
    _check_artifacts(out, len(NAMES))
    assert manifest["counts"]["skipped_rows"] == 1
    assert manifest["skipped"][0]["line"] == 4 and manifest["skipped"][0]["file"].endswith(
        "models.jsonl"
    )
    assert 0 < manifest["modularity"] <= 1
    assert {"names", "vectors", "edges", "communities", "hierarchy", "families"} <= set(
        manifest["timings"]
    )
    lineage = _read(out, "lineage")
    assert len(lineage) == 3 and set(lineage["relation"]) == {"quantized", "finetune"}
    models = _read(out, "models").set_index("id")
    # the quantised copies sit with their base model, apart from the pythias
    fam = models["community"]
    assert fam["TheBloke/Llama-2-13B-chat-GPTQ"] == fam["meta-llama/Llama-2-13b-chat-hf"]
    assert fam["EleutherAI/pythia-1.4b-deduped"] == fam["EleutherAI/pythia-410m-deduped"]
    assert fam["EleutherAI/pythia-1.4b-deduped"] != fam["meta-llama/Llama-2-13b-chat-hf"]
    assert "pythia" in models.loc["EleutherAI/pythia-1.4b-deduped", "family"]


def test_build_is_deterministic(tmp_path, jsonl) -> None:
    build([jsonl], tmp_path / "a", progress=False)
    build([jsonl], tmp_path / "b", progress=False)
    for name in ("models", "similarity", "communities", "clusters", "hierarchy", "words"):
        pd.testing.assert_frame_equal(_read(tmp_path / "a", name), _read(tmp_path / "b", name))


def test_library_build_logs_and_never_prints(tmp_path, jsonl, capsys, caplog) -> None:
    """`build` (the function) says what it does through logging only; what reaches the terminal
    (stage lines, bars, the summary) is the command's choice."""
    caplog.set_level(logging.INFO, logger="constellation")
    build([jsonl], tmp_path / "out")
    assert capsys.readouterr() == ("", "")
    logged = [r.getMessage() for r in caplog.records if r.name.endswith("pipeline.build")]
    assert "names …" in logged and "families …" in logged
    assert main(["build", "--quiet", "--source", str(jsonl), "--out", str(tmp_path / "q")]) == 0
    assert capsys.readouterr() == ("", "")


def test_build_command_and_failures_keep_old_artifacts(tmp_path, jsonl, capsys) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "build",
                "--source",
                str(jsonl),
                "--out",
                str(out),
                "--k",
                "5",
                "--threshold",
                "0.4",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "built 13 models" in err and "skipped" in err and "largest families" in err
    # the stage lines users saw before the library logged them, in order
    stages = [line for line in err.splitlines() if line.startswith("[build] ")]
    assert stages[0].startswith("[build] read ") and stages[1:3] == [
        "[build] names …", "[build] owners …"
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["params"]["k"] == 5 and manifest["params"]["threshold"] == 0.4
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    assert main(["build", "--source", str(jsonl), "--out", str(out), "--threshold", "1.5"]) == 2
    assert "threshold=1.5" in capsys.readouterr().err
    edges_only = tmp_path / "edges.csv"
    edges_only.write_text("source,target,edge\na/b,c/d,finetuned\n")
    assert main(["build", "--source", str(edges_only), "--out", str(out)]) == 2
    assert "no model rows" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing lost
    with pytest.raises(UserError):
        BuildParams().with_overrides(kk=3)


def test_build_demo_sample(tmp_path) -> None:
    assert SAMPLE.exists(), "loader/sample/models.jsonl ships with the package"
    manifest = build([SAMPLE], tmp_path / "demo", progress=False)
    n = manifest["counts"]["models"]
    assert n > 0
    _check_artifacts(tmp_path / "demo", n)


@pytest.mark.shared
def test_build_constellation_csv_families(tmp_path, shared_file) -> None:
    csv = shared_file("constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv")
    out = tmp_path / "c"
    build([csv], out, progress=False)
    _check_artifacts(out, 15821)
    models = _read(out, "models")
    fam = models.set_index("id")["family"]
    gptq = models[models["id"].str.match(r"TheBloke/.*GPTQ$")]
    assert gptq["family"].str.contains("gptq|thebloke").mean() > 0.25  # many in a GPTQ family
    tweets = models[models["id"].str.startswith("huggingtweets/")]
    assert tweets["family"].str.contains("huggingtweets").mean() > 0.8  # named after the owner
    assert "pythia" in fam["EleutherAI/pythia-1.4b-deduped"]
    assert "vicuna" in fam["lmsys/vicuna-7b-v1.3"]
    words = _read(out, "words")
    assert {"gpt", "finetuned", "llama"} <= set(words["word"].head(20))


SMALL_BUILDS = {
    "one model": ["a/llama-0-chat"],
    "two unrelated models": ["a/b", "c/d"],
    # share only `llama`/`chat`, below the threshold: no similarity edge at all
    "twenty without an edge": [f"a/llama-{i}-chat" for i in range(20)],
}


def _small_build(tmp_path: Path, ids: list[str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "models.csv"
    src.write_text("id,downloads\n" + "".join(f"{m},{i}\n" for i, m in enumerate(ids)))
    out = tmp_path / "out"
    build([src], out, progress=False)
    return out


@pytest.mark.parametrize("ids", SMALL_BUILDS.values(), ids=SMALL_BUILDS.keys())
def test_small_builds_without_edges_write_valid_artifacts(tmp_path, ids) -> None:
    out = _small_build(tmp_path, ids)
    manifest = _check_artifacts(out, len(ids))
    sim = _read(out, "similarity")
    assert len(sim) == 0 == manifest["counts"]["similarity_edges"]
    source, target, score = pq.read_schema(out / "similarity.parquet").types
    assert pa.types.is_large_string(source) and pa.types.is_large_string(target)
    assert pa.types.is_float32(score)  # typed like a build with edges, not null columns
    assert manifest["counts"]["isolated_models"] == len(ids)


def test_small_builds_load_into_the_graph(tmp_path, graph_db, graph_driver) -> None:
    from constellation.loader.graph.writer import load_artifacts

    for name, ids in SMALL_BUILDS.items():
        out = _small_build(tmp_path / name.replace(" ", "-"), ids)
        load_artifacts(graph_driver, out, database=graph_db.database, progress=False)
        models = graph_driver.execute_query(
            "MATCH (m:Model) RETURN m.id AS id", database_=graph_db.database
        ).records
        assert sorted(r["id"] for r in models) == sorted(ids), name
        similar = graph_driver.execute_query(
            "MATCH ()-[r:SIMILAR_TO]->() RETURN count(r) AS n", database_=graph_db.database
        ).records
        assert similar[0]["n"] == 0, name
        status = graph_driver.execute_query(
            "MATCH (b:Build {current: true}) RETURN b.id AS id, b.status AS s",
            database_=graph_db.database,
        ).records
        build_id = json.loads((out / "manifest.json").read_text())["build_id"]
        assert [(r["id"], r["s"]) for r in status] == [(build_id, "complete")], name


def _run_build(args: list[str]) -> tuple[int, int, str]:
    """`constellation build …` in a child process: (exit code, its peak RSS in MB, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "constellation.cli", "build", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with proc.stderr:
        err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the test process's
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss // 1024, err  # ru_maxrss is in kB on Linux


def test_overlong_id_is_skipped_and_memory_stays_small(tmp_path) -> None:
    src = tmp_path / "models.csv"
    with src.open("w") as f:
        f.write("id,downloads\nmeta-llama/Llama-2-7b-hf,5\n")
        f.write("a/" + "x" * (50 * 1024 * 1024) + ",1\n")  # one 50 MB id
        f.write("TheBloke/Llama-2-7B-GGUF,3\n")
    code, peak_mb, err = _run_build(["--source", str(src), "--out", str(tmp_path / "out")])
    assert code == 0, err
    assert f"skipped {src}:3: id longer than {MAX_ID_LENGTH} characters" in err
    assert "built 2 models" in err
    # unchecked, the names of this id alone took 7 GB; a build of two names needs ~0.2 GB
    assert peak_mb < 1024, f"peak RSS {peak_mb} MB"


def _not_writable_outs(tmp_path: Path) -> list[tuple[Path, str]]:
    """--out values that fail for root too (chmod 0555 does not stop root)."""
    a_file = tmp_path / "models.csv"
    a_file.write_text("id\na/b\n")
    return [
        (a_file / "out", f"{a_file} is not a folder"),  # the parent is a regular file
        (Path("/proc"), "not writable ("),  # procfs: no file can be created there
        (Path("/proc/constellation-out/x"), "not writable ("),
    ]


def test_out_not_writable_fails_before_any_work(tmp_path, capsys, caplog) -> None:
    src = tmp_path / "models.csv"
    caplog.set_level(logging.INFO, logger="constellation")
    for out, why in _not_writable_outs(tmp_path):
        with pytest.raises(UserError) as raised:
            build([src], out, progress=True)
        assert str(raised.value).startswith(f"--out {out}: {why}")
        assert not caplog.records, out  # not a single stage ran
        assert main(["build", "--source", str(src), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"constellation build: --out {out}: ") and err.count("\n") == 1


def test_out_on_a_read_only_file_system(tmp_path) -> None:
    """A real read-only mount, in a user + mount namespace where the system allows one."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) for a private read-only mount")
    (tmp_path / "models.csv").write_text("id\na/b\nc/d\n")
    ro = tmp_path / "ro"
    ro.mkdir()
    build_cmd = f"{sys.executable} -m constellation.cli build --source {tmp_path}/models.csv"
    script = (
        f"mount -t tmpfs none {ro} && mkdir {ro}/out && mount -o remount,ro {ro} || exit 77\n"
        f"{build_cmd} --out {ro}/out; echo rc=$?; {build_cmd} --out {ro}/new/out; echo rc=$?"
    )
    run = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode == 77 or "rc=" not in run.stdout:
        pytest.skip(f"no private read-only mount here: {run.stderr.strip()[:200]}")
    assert run.stdout.split() == ["rc=2", "rc=2"], run.stderr
    assert run.stderr.splitlines() == [
        f"constellation build: --out {ro}/out: not writable (Read-only file system)",
        f"constellation build: --out {ro}/new/out: not writable (Read-only file system)",
    ]


# A build that stops for good once its partial folder is complete, before moving any file in.
HELD_BUILD = """
import os, sys, time
from constellation.loader.pipeline.build import build

move = os.replace
def hold(src, dst):
    if ".partial-" in str(src):
        print("writing", flush=True)
        time.sleep(600)
    move(src, dst)
os.replace = hold
build([sys.argv[1]], sys.argv[2], progress=False)
"""


def test_partial_folder_of_a_killed_build_is_removed_by_the_next(tmp_path, capsys) -> None:
    src = tmp_path / "models.csv"
    src.write_text("id\n" + "".join(f"org/llama-{i}b-chat\n" for i in range(30)))
    out = tmp_path / "out"
    held = subprocess.Popen(
        [sys.executable, "-c", HELD_BUILD, str(src), str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert held.stdout.readline() == "writing\n"  # its partial folder is complete now
        (partial,) = out.glob(".partial-*")
        assert partial.name.startswith(f".partial-{held.pid}-")
        assert (partial / "models.parquet").is_file()

        build([src], out, progress=False)  # its writer still runs: left alone
        assert partial.is_dir() and (out / "manifest.json").is_file()

        held.kill()  # SIGKILL
        # wait for its death without reaping it: a zombie is dead too
        os.waitid(os.P_PID, held.pid, os.WEXITED | os.WNOWAIT)
        assert main(["build", "--source", str(src), "--out", str(out), "--quiet"]) == 0
        assert not partial.exists() and not list(out.glob(".partial-*"))
    finally:
        held.kill()
        held.wait()
        held.stdout.close()
    assert held.returncode == -signal.SIGKILL
    _check_artifacts(out, 30)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.parquet" for t in (*TABLE_COLUMNS, *JOIN_TABLES)]
        + ["models.parquet", "manifest.json"]
    )


def test_only_partial_folders_of_dead_writers_are_removed(tmp_path) -> None:
    from constellation.loader.artifacts import remove_stale_partials

    if not Path("/proc/self/stat").is_file():
        pytest.skip("needs /proc for process start times")
    done = subprocess.Popen(["true"])
    done.wait()  # exited and reaped: its pid names no process (or, reused, one started later)
    live_start = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]
    dead = tmp_path / f".partial-{done.pid}-12345-abc"
    reused = tmp_path / f".partial-{os.getpid()}-{int(live_start) - 1}-abc"  # same pid, earlier
    live = tmp_path / f".partial-{os.getpid()}-{live_start}-abc"
    unknown = tmp_path / ".partial-k2j3h4"  # no writer recorded (named before pids were)
    for path in (dead, reused, live, unknown):
        path.mkdir()
        (path / "models.parquet").write_bytes(b"x")
    assert sorted(remove_stale_partials(tmp_path)) == sorted([dead, reused])
    assert sorted(tmp_path.iterdir()) == sorted([live, unknown])
