"""The graph writer against a real local server: schema, idempotent reload, incremental updates,
interrupted loads, bad artifacts. Artifacts come from the real `constellation build`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from constellation.loader.artifacts import read_table, write_table
from constellation.loader.graph import writer
from constellation.loader.graph.writer import load_artifacts
from constellation.loader.pipeline.build import build

from constellation import server
from constellation.cli import main
from constellation.errors import UserError
from constellation.graph import GraphConfig, connect

BOOKKEEPING = {"row_hash", "similar_hash", "lineage_hash"}

Q, F = "base_model:quantized:", "base_model:finetune:"

# Hub-API-shaped records: two Llama families, quantised copies declaring their base, a few loners.
MODELS = [
    ("meta-llama/Llama-2-7b-hf", 9000, [], "llama2"),
    ("meta-llama/Llama-2-13b-hf", 8000, [], "llama2"),
    ("TheBloke/Llama-2-7B-GPTQ", 700, [Q + "meta-llama/Llama-2-7b-hf"], "mit"),
    ("TheBloke/Llama-2-13B-GPTQ", 600, [Q + "meta-llama/Llama-2-13b-hf"], None),
    ("TheBloke/Llama-2-7B-GGUF", 650, [Q + "meta-llama/Llama-2-7b-hf"], None),
    ("mistralai/Mistral-7B-v0.1", 5000, [], "apache-2.0"),
    ("TheBloke/Mistral-7B-v0.1-GGUF", 400, [Q + "mistralai/Mistral-7B-v0.1"], None),
    ("someone/Mistral-7B-v0.1-finetuned", 30, [F + "mistralai/Mistral-7B-v0.1"], None),
    ("openai-community/gpt2", 7000, [], "mit"),
    ("distilbert/distilgpt2", 3000, [F + "openai-community/gpt2"], "apache-2.0"),
    ("EleutherAI/gpt-neo-125m", 900, [], "mit"),
    ("EleutherAI/pythia-70m", 800, [], "apache-2.0"),
    ("EleutherAI/pythia-160m", 700, [], "apache-2.0"),
    # declares a base model outside this corpus: becomes an `external` stub node
    ("lab/tiny-llama-chat", 10, [F + "TinyLlama/TinyLlama-1.1B"], None),
]  # fmt: skip


def _records() -> list[dict]:
    out = []
    for i, (mid, downloads, base, license_) in enumerate(MODELS):
        tags = ["transformers", "text-generation", *base]
        if license_:
            tags.append(f"license:{license_}")
        out.append(
            {
                "id": mid,
                "downloads": downloads,
                "likes": i,
                "createdAt": f"2023-0{1 + i % 9}-15T08:30:00.000Z",
                "pipeline_tag": "text-generation",
                "library_name": "transformers",
                "tags": tags,
            }
        )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("writer")
    (root / "models.json").write_text(json.dumps(_records()))
    build([root / "models.json"], root / "artifacts", progress=False)
    return root / "artifacts"


@pytest.fixture
def artifacts(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built artifacts that a test may edit."""
    return Path(shutil.copytree(built, tmp_path / "artifacts"))


@pytest.fixture
def fresh(graph_server: GraphConfig, request: pytest.FixtureRequest) -> Iterator:
    """Factory of new empty databases (dropped after the test): fresh() -> (config, driver)."""
    made = []

    def make():
        name = f"t_writer_{len(made)}_{abs(hash(request.node.nodeid)) % 10**8}"
        server.create_database(name)
        config = replace(graph_server, database=name)
        driver = connect(config)
        made.append((name, driver))
        return config, driver

    yield make
    for name, driver in made:
        driver.close()
        server.drop_database(name)


def _load(driver, config: GraphConfig, folder: Path, **kw) -> dict:
    return load_artifacts(driver, folder, database=config.database, progress=False, **kw)


def _rows(driver, config: GraphConfig, query: str, **params) -> list[dict]:
    return driver.execute_query(query, params, database_=config.database).records


def dump(driver, config: GraphConfig) -> tuple[list[str], list[str], list[dict]]:
    """The graph's content as sorted comparable lines: nodes per label with their properties
    (without bookkeeping), every relationship (type, endpoints, properties), and the current
    Build (without load-time fields). Earlier Build nodes are history, not content."""
    nodes = [
        json.dumps(
            [r["label"], {k: v for k, v in r["props"].items() if k not in BOOKKEEPING}],
            sort_keys=True,
        )
        for r in _rows(
            driver, config,
            "MATCH (n) WHERE NOT n:Build RETURN labels(n)[0] AS label, properties(n) AS props",
        )
    ]  # fmt: skip
    rels = [
        json.dumps(list(r.values()), sort_keys=True)
        for r in _rows(
            driver,
            config,
            "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS la, coalesce(a.id, a.name) AS a, "
            "type(r) AS t, properties(r) AS p, labels(b)[0] AS lb, coalesce(b.id, b.name) AS b",
        )
    ]
    current = [
        dict(r)
        for r in _rows(
            driver, config,
            "MATCH (b:Build) WHERE b.current RETURN b.id AS id, b.status AS status, "
            "b.manifest AS manifest",
        )
    ]  # fmt: skip
    return sorted(nodes), sorted(rels), current


def _counts_by_label(driver, config: GraphConfig) -> Counter:
    records = _rows(driver, config, "MATCH (n) RETURN labels(n)[0] AS l, count(*) AS n")
    return Counter({r["l"]: r["n"] for r in records})


def _edit(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """Replace one table, as the folder's build (each file names the build that wrote it)."""
    build_id = json.loads((folder / "manifest.json").read_text())["build_id"]
    write_table(folder / f"{name}.parquet", frame, build_id)


def _new_build_id(folder: Path, build_id: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["build_id"] = build_id
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for path in folder.glob("*.parquet"):
        _edit(folder, path.stem, pd.read_parquet(path))


# --- tests ----------------------------------------------------------------------------------


def test_first_load_writes_the_schema(artifacts: Path, fresh) -> None:
    config, driver = fresh()
    models = pd.read_parquet(artifacts / "models.parquet")
    similarity = pd.read_parquet(artifacts / "similarity.parquet")
    lineage = pd.read_parquet(artifacts / "lineage.parquet")
    clusters = pd.read_parquet(artifacts / "clusters.parquet")

    counts = _load(driver, config, artifacts)

    assert counts["models"] == {"created": len(MODELS) + 1, "updated": 0, "unchanged": 0,
                                "deleted": 0, "external": 1}  # fmt: skip
    assert counts["similar_to"]["created"] == len(similarity) > 0
    assert counts["based_on"]["created"] == len(lineage) == 7
    by_label = _counts_by_label(driver, config)
    assert by_label["Model"] == len(MODELS) + 1
    assert by_label["Community"] == models["community"].nunique()
    assert by_label["Cluster"] == len(clusters)
    assert by_label["Author"] == 9  # 8 owners in the corpus + TinyLlama (external stub)
    assert by_label["License"] == 3 and by_label["Build"] == 1

    gptq = _rows(
        driver, config,
        "MATCH (m:Model {id: $id})-[b:BASED_ON]->(p:Model), (m)-[:PUBLISHED_BY]->(a:Author), "
        "(m)-[:IN_COMMUNITY]->(c:Community), (m)-[:IN_CLUSTER]->(k:Cluster) "
        "OPTIONAL MATCH (m)-[:LICENSED_UNDER]->(l:License) "
        "RETURN m, b.relation AS rel, p.id AS parent, a.name AS author, c.id AS community, "
        "k.id AS cluster, l.name AS license, count{(m)-[:TAGGED]->()} AS tags",
        id="TheBloke/Llama-2-7B-GPTQ",
    )[0]  # fmt: skip
    row = models.set_index("id").loc["TheBloke/Llama-2-7B-GPTQ"]
    assert gptq["parent"] == "meta-llama/Llama-2-7b-hf" and gptq["rel"] == "quantized"
    assert gptq["author"] == "TheBloke" and gptq["license"] == "mit"
    assert (gptq["community"], gptq["cluster"]) == (row["community"], row["cluster"])
    assert gptq["tags"] == len(row["tags"])
    node = gptq["m"]
    assert node["created_at"] == "2023-03-15T08:30:00Z"  # ISO text, not a temporal value
    assert node["downloads"] == 700 and node["external"] is False

    stub = _rows(driver, config, "MATCH (m:Model {id: 'TinyLlama/TinyLlama-1.1B'}) RETURN m")[0][
        "m"
    ]
    assert stub["external"] is True and stub["author"] == "TinyLlama" and "community" not in stub

    # Every cluster below the top level hangs off its parent.
    child_of = _rows(
        driver, config, "MATCH (:Cluster)-[r:CHILD_OF]->(:Cluster) RETURN count(r) AS n"
    )
    assert child_of[0]["n"] == int(clusters["parent"].notna().sum())

    build_node = _rows(driver, config, "MATCH (b:Build) RETURN b")[0]["b"]
    manifest = json.loads((artifacts / "manifest.json").read_text())
    assert build_node["id"] == manifest["build_id"]
    assert build_node["status"] == "complete" and build_node["current"] is True
    assert json.loads(build_node["manifest"])["counts"] == manifest["counts"]


def test_writes_are_cut_by_their_list_items(
    artifacts: Path, fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows with long lists (GroupTop, Term) are written a few at a time: a Bolt message is at
    most 16 MB, and 10k GroupTop rows of a 1M graph made one larger (the load hung)."""
    config, driver = fresh()
    _load(driver, config, artifacts)
    calls: list[int] = []
    real = writer.row_bounds
    monkeypatch.setattr(writer, "WRITE_LIST_ITEMS", 5)
    monkeypatch.setattr(writer, "row_bounds", lambda *a: calls.append(a[2]) or real(*a))
    cut_config, cut_driver = fresh()
    _load(cut_driver, cut_config, artifacts)
    assert calls and set(calls) == {5}
    assert dump(cut_driver, cut_config) == dump(driver, config)


@pytest.mark.parametrize("page", [None, 4], ids=["one-query", "stored-hashes-in-pages-of-4"])
def test_loading_twice_changes_nothing(
    artifacts: Path, fresh, page: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, driver = fresh()
    _load(driver, config, artifacts)
    before = dump(driver, config)
    if page:  # a 1M graph's hashes are read in pages (one query passed the server's limit)
        monkeypatch.setattr(writer, "STORED_PAGE", page)
    again = _load(driver, config, artifacts, batch_size=3)
    assert dump(driver, config) == before
    for kind in ("models", "communities", "clusters", "similar_to", "based_on"):
        c = again[kind]
        assert c["created"] == c["updated"] == c["deleted"] == 0, kind
        assert c["unchanged"] > 0, kind
    assert _counts_by_label(driver, config)["Build"] == 1


@pytest.mark.parametrize("unlink", [None, 1], ids=["one-statement", "unlinked-one-at-a-time"])
def test_incremental_update_changes_only_what_changed(
    artifacts: Path, fresh, unlink: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if unlink:  # changed models' links dropped a page per statement (the server's time limit)
        monkeypatch.setattr(writer, "UNLINK_PAGE", unlink)
    # Two hand-made edges so the model deleted below surely has some (whatever the build finds).
    extra = pd.DataFrame(
        {
            "source": ["EleutherAI/gpt-neo-125m", "EleutherAI/pythia-160m"],
            "target": ["EleutherAI/pythia-160m", "EleutherAI/pythia-70m"],
            "score": [0.7, 0.8],
        }
    )
    base = pd.read_parquet(artifacts / "similarity.parquet")
    _edit(artifacts, "similarity", pd.concat([base, extra]).astype({"score": "float32"}))
    config, driver = fresh()
    _load(driver, config, artifacts)

    models = pd.read_parquet(artifacts / "models.parquet")
    similarity = pd.read_parquet(artifacts / "similarity.parquet")
    lineage = pd.read_parquet(artifacts / "lineage.parquet")
    gone = "EleutherAI/pythia-160m"
    # 1 changed model, 1 deleted (with its edges), 1 added; 1 rescored edge and 1 new edge.
    models.loc[models.id == "openai-community/gpt2", "downloads"] = 123456
    newcomer = models[models.id == "EleutherAI/pythia-70m"].copy()
    newcomer["id"], newcomer["name"] = "EleutherAI/pythia-410m", "pythia-410m"
    models = pd.concat([models[models.id != gone], newcomer], ignore_index=True)
    similarity = similarity[(similarity.source != gone) & (similarity.target != gone)].copy()
    similarity.iloc[0, similarity.columns.get_loc("score")] = 0.99
    similarity = pd.concat(
        [similarity, pd.DataFrame({"source": ["EleutherAI/pythia-410m"],
                                   "target": ["EleutherAI/pythia-70m"], "score": [0.9]})],
        ignore_index=True,
    ).astype({"score": "float32"})  # fmt: skip
    lineage = lineage[lineage.child != "distilbert/distilgpt2"]
    _edit(artifacts, "models", models)
    _edit(artifacts, "similarity", similarity)
    _edit(artifacts, "lineage", lineage)
    _new_build_id(artifacts, "next-build")

    counts = _load(driver, config, artifacts)

    assert counts["models"] == {"created": 1, "updated": 1, "unchanged": len(MODELS) - 1,
                                "deleted": 1, "external": 1}  # fmt: skip
    # The group nodes stay as they are; their summaries (top members, search words) follow
    assert counts["communities"]["created"] == counts["communities"]["updated"] == 0
    assert 0 < counts["summaries"]["updated"] + counts["summaries"]["created"]
    assert counts["similar_to"]["created"] == 1
    assert counts["similar_to"]["updated"] == 1
    assert counts["similar_to"]["deleted"] == 0  # the deleted model took its edges along
    assert counts["similar_to"]["unchanged"] == len(similarity) - 2
    assert counts["based_on"] == {"created": 0, "updated": 0, "deleted": 1,
                                  "unchanged": len(lineage)}  # fmt: skip
    # The graph now equals a fresh load of the same artifacts.
    fresh_config, fresh_driver = fresh()
    _load(fresh_driver, fresh_config, artifacts)
    assert dump(driver, config) == dump(fresh_driver, fresh_config)
    builds = _rows(driver, config, "MATCH (b:Build) RETURN b.id AS id, b.current AS current")
    assert {r["id"]: r["current"] for r in builds}["next-build"] is True
    assert sum(r["current"] for r in builds) == 1


def test_interrupted_load_completes_on_rerun(artifacts: Path, fresh) -> None:
    config, driver = fresh()
    calls = []

    def interrupt(stage: str, done: int) -> None:
        calls.append(stage)
        if stage == "write SIMILAR_TO":
            raise KeyboardInterrupt  # as if the user hit Ctrl-C after the first edge batch

    with pytest.raises(KeyboardInterrupt):
        _load(driver, config, artifacts, batch_size=2, on_batch=interrupt)
    status = _rows(driver, config, "MATCH (b:Build) RETURN b.status AS s")[0]["s"]
    assert status == "interrupted"
    partial = _rows(driver, config, "MATCH ()-[r:SIMILAR_TO]->() RETURN count(r) AS n")[0]["n"]
    assert 0 < partial < len(pd.read_parquet(artifacts / "similarity.parquet"))

    rerun = _load(driver, config, artifacts, batch_size=2)
    assert rerun["models"]["created"] == 0 and rerun["models"]["unchanged"] == len(MODELS) + 1
    assert rerun["similar_to"]["created"] > 0  # only the rest of the edges

    fresh_config, fresh_driver = fresh()
    _load(fresh_driver, fresh_config, artifacts)
    assert dump(driver, config) == dump(fresh_driver, fresh_config)
    assert _rows(driver, config, "MATCH (b:Build) RETURN b.status AS s")[0]["s"] == "complete"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "similarity.parquet").unlink(), "similarity.parquet is missing"),
        (
            lambda d: _edit(
                d, "models", pd.read_parquet(d / "models.parquet").drop(columns="community")
            ),
            r"models.parquet: missing column\(s\) community",
        ),
        (
            lambda d: _edit(
                d,
                "similarity",
                pd.DataFrame({"source": ["a/x"], "target": ["b/y"], "score": [0.5]}),
            ),
            "similarity.parquet: column source: 1 value.* not in models.parquet: a/x",
        ),
        (
            # search's Posting chunks hold their ids one a line
            lambda d: _edit(d, "models", pd.read_parquet(d / "models.parquet").assign(
                id=lambda f: f["id"].where(f.index != 1, "a/line\nbreak"))),
            r"models\.parquet: column id: 1 id\(s\) hold a line break, first row 1: "
            r"'a/line\\nbreak'$",
        ),
        (lambda d: (d / "manifest.json").write_text("{"), "manifest.json: not valid JSON"),
        (lambda d: (d / "lineage.parquet").write_text("junk"), "lineage.parquet: not a readable"),
        (
            lambda d: _edit(
                d, "models", pd.read_parquet(d / "models.parquet").astype({"downloads": "string"})
            ),
            r"models\.parquet: column downloads: expected numbers, got text \(row 0: '\d+'\)",
        ),
        (
            lambda d: pd.read_parquet(d / "lineage.parquet").to_parquet(d / "lineage.parquet"),
            r"lineage\.parquet: does not say which build wrote it",
        ),
    ],
)
def test_bad_artifacts_are_refused_before_writing(
    artifacts: Path, fresh, damage, message: str
) -> None:
    config, driver = fresh()
    _load(driver, config, artifacts)
    before = dump(driver, config)
    damage(artifacts)
    with pytest.raises(UserError, match=message):
        _load(driver, config, artifacts)
    assert dump(driver, config) == before


def test_missing_artifacts_folder(fresh, tmp_path: Path) -> None:
    config, driver = fresh()
    with pytest.raises(UserError, match="manifest.json is missing"):
        _load(driver, config, tmp_path)


def test_cli_load_prints_counts(
    artifacts: Path, graph_db: GraphConfig, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("NEO4J_URI", graph_db.uri)
    monkeypatch.setenv("NEO4J_USER", graph_db.user)
    monkeypatch.setenv("NEO4J_PASSWORD", graph_db.password)
    monkeypatch.setenv("NEO4J_DATABASE", graph_db.database)
    assert main(["load", "--artifacts", str(artifacts), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"models       created {len(MODELS) + 1:>9,}" in out
    assert main(["load", "--artifacts", str(artifacts), "--batch-size", "0"]) == 2
    assert "--batch-size 0" in capsys.readouterr().err


# A load in a child process that holds still once its first batch of models is committed, so the
# test kills it at a known point (no race with the load's speed).
_HELD_LOAD = """
import sys, threading
from constellation.graph import GraphConfig, connect
from constellation.loader.graph import writer
from constellation.loader.graph.writer import load_artifacts

def on_batch(stage, done):
    if stage == "write Model":
        print(done, flush=True)
        threading.Event().wait()  # until the test's SIGKILL

config = GraphConfig.from_env()
with connect(config) as driver:
    load_artifacts(driver, sys.argv[1], database=config.database, batch_size=20, on_batch=on_batch)
"""


@pytest.mark.slow
def test_killed_load_process_completes_on_rerun(fresh, tmp_path: Path) -> None:
    """A load process killed with SIGKILL after its first batch: the rerun finishes the graph."""
    families = ["llama", "mistral", "qwen", "phi", "gemma", "falcon", "pythia", "opt", "bloom"]
    records = [
        {"id": f"org{o}/{fam}-{size}b-{kind}", "downloads": o * 10 + size}
        for o in range(6)
        for fam in families
        for size in (1, 3, 7, 13)
        for kind in ("base", "chat", "gguf")
    ]
    (tmp_path / "models.json").write_text(json.dumps(records))
    folder = tmp_path / "artifacts"
    build([tmp_path / "models.json"], folder, progress=False)

    config, driver = fresh()
    env = {
        **os.environ,
        "NEO4J_URI": config.uri,
        "NEO4J_USER": config.user,
        "NEO4J_PASSWORD": config.password,
        "NEO4J_DATABASE": config.database,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", _HELD_LOAD, str(folder)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        held_at = proc.stdout.readline()  # blocks until the first batch of models is committed
        assert held_at == "20\n", proc.stderr.read() if proc.poll() is not None else held_at
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    status = _rows(driver, config, "MATCH (b:Build) RETURN b.status AS s")[0]["s"]
    assert status == "loading"
    count = "MATCH (m:Model) RETURN count(m) AS n"
    assert _rows(driver, config, count)[0]["n"] == 20  # that batch, and no more

    cmd = [sys.executable, "-m", "constellation.cli", "load", "--artifacts", str(folder)]

    assert subprocess.run([*cmd, "--no-progress"], env=env, capture_output=True).returncode == 0
    fresh_config, fresh_driver = fresh()
    _load(fresh_driver, fresh_config, folder)
    assert dump(driver, config) == dump(fresh_driver, fresh_config)


# --- any sequence of builds loads -----------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "loader" / "sample" / "models.jsonl"


def _head(src: Path, dst: Path, lines: int) -> Path:
    """The first `lines` lines of a data file, as a subset in the test's tmp dir."""
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
        fout.writelines(line for _, line in zip(range(lines), fin, strict=False))
    return dst


def _load_in_order(fresh, folders: dict[str, Path], order: str) -> None:
    """Load the builds named by the letters of `order` one over another into one database.
    After every load the graph must equal a fresh load of that build, with no Build left
    `loading`."""
    expected: dict[str, tuple] = {}
    config, driver = fresh()
    for step, name in enumerate(order):
        _load(driver, config, folders[name])
        if name not in expected:
            if step == 0:  # the first load is itself a fresh load
                expected[name] = dump(driver, config)
            else:
                fresh_config, fresh_driver = fresh()
                _load(fresh_driver, fresh_config, folders[name])
                expected[name] = dump(fresh_driver, fresh_config)
        assert dump(driver, config) == expected[name], f"after loading {order[: step + 1]}"
        statuses = _rows(driver, config, "MATCH (b:Build) RETURN b.id AS id, b.status AS s")
        assert not [r for r in statuses if r["s"] == "loading"], order[: step + 1]


def test_builds_load_over_each_other_in_any_order(built: Path, fresh, tmp_path: Path) -> None:
    """L (with lineage), N (the same models, no lineage: the `KeyError: 'parent'` of issue 9),
    S (the bundled sample), M (N with an extra column renamed, same values). L N S L S N takes
    every ordered pair of L, N, S; N M N a change of column names alone."""
    records = _records()
    for r in records:
        r["tags"] = [t for t in r["tags"] if not t.startswith("base_model:")]
        r["stage"] = "base" if r["downloads"] > 1000 else "derived"
    (tmp_path / "plain.json").write_text(json.dumps(records))
    for r in records:
        r["phase"] = r.pop("stage")
    (tmp_path / "renamed.json").write_text(json.dumps(records))
    folders = {"L": built, "N": tmp_path / "n", "S": tmp_path / "s", "M": tmp_path / "m"}
    build([tmp_path / "plain.json"], folders["N"], progress=False)
    build([tmp_path / "renamed.json"], folders["M"], progress=False)
    build([SAMPLE], folders["S"], progress=False)
    assert len(pd.read_parquet(folders["N"] / "lineage.parquet")) == 0
    _load_in_order(fresh, folders, "LNSLSNMNL")


@pytest.mark.shared
@pytest.mark.slow
def test_shared_builds_load_over_each_other_in_any_order(
    shared_file, fresh, tmp_path: Path
) -> None:
    """The issue's reproduction and more: A = the first 3,000 lines of the hf-dep metadata and
    edges (lineage, external base models), B = the first 3,000 lines of the Constellation CSV
    (no lineage), C = the bundled sample; A B C A C B A takes every ordered pair."""
    hf = "hf-dep-network-analysis"
    metadata = _head(shared_file(f"{hf}/metadata_c952a70.csv"), tmp_path / "metadata.csv", 3000)
    edges = _head(shared_file(f"{hf}/edges_c952a70.csv"), tmp_path / "edges.csv", 3000)
    llms = _head(
        shared_file("constellation/HuggingFaceLLMsWithParamsAndReadmeLinks.csv"),
        tmp_path / "llms.csv",
        3000,
    )
    folders = {"A": tmp_path / "a", "B": tmp_path / "b", "C": tmp_path / "c"}
    build([metadata, edges], folders["A"], progress=False)
    build([llms], folders["B"], progress=False)
    build([SAMPLE], folders["C"], progress=False)
    assert len(pd.read_parquet(folders["B"] / "lineage.parquet")) == 0
    _load_in_order(fresh, folders, "ABCACBA")


def _builds(driver, config: GraphConfig) -> dict[str, dict]:
    query = (
        "MATCH (b:Build) RETURN b.id AS id, b.status AS status, b.current AS current, "
        "b.error AS error"
    )
    return {r["id"]: dict(r) for r in _rows(driver, config, query)}


def test_failed_load_says_so_and_a_later_load_settles_it(
    built: Path, fresh, tmp_path: Path
) -> None:
    """A failed load leaves its Build `failed` with the error and no Build `current` (the graph
    is between builds); a rerun completes it. A Build left unfinished when another one completes
    becomes `abandoned`, never stays `loading`."""
    (tmp_path / "other.json").write_text(json.dumps(_records()[:10]))
    other = tmp_path / "other"
    build([tmp_path / "other.json"], other, progress=False)
    first = json.loads((built / "manifest.json").read_text())["build_id"]
    second = json.loads((other / "manifest.json").read_text())["build_id"]
    config, driver = fresh()
    _load(driver, config, built)

    def fail(stage: str, done: int) -> None:
        if stage.startswith("write"):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        _load(driver, config, other, batch_size=2, on_batch=fail)
    builds = _builds(driver, config)
    assert builds[second]["status"] == "failed" and "disk full" in builds[second]["error"]
    assert builds[first]["status"] == "complete"
    assert not any(b["current"] for b in builds.values())

    _load(driver, config, other)
    builds = _builds(driver, config)
    assert builds[second] == {"id": second, "status": "complete", "current": True, "error": None}
    assert builds[first]["current"] is False

    def interrupt(stage: str, done: int) -> None:
        if stage.startswith("write"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _load(driver, config, built, batch_size=2, on_batch=interrupt)
    assert _builds(driver, config)[first]["status"] == "interrupted"
    _load(driver, config, other)
    builds = _builds(driver, config)
    assert builds[first]["status"] == "abandoned" and builds[first]["current"] is False
    assert builds[second]["status"] == "complete" and builds[second]["current"] is True


@pytest.mark.parametrize("moved", [1, 7])
def test_build_stopped_between_renames_is_refused(
    built: Path, fresh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moved: int
) -> None:
    """A build stopped while moving its files in leaves a folder mixing two builds: the new
    models.parquet (moved=1), or every new table under the old manifest.json (moved=7). `load`
    refuses it in one line naming the file, and the graph keeps the last good load."""
    folder = Path(shutil.copytree(built, tmp_path / "artifacts"))
    config, driver = fresh()
    _load(driver, config, folder)
    before = dump(driver, config)
    records = _records()
    for r in records:
        r["downloads"] += 1
    (tmp_path / "next.json").write_text(json.dumps(records))
    done: list[str] = []
    real_replace = os.replace

    def replace_then_stop(src, dst) -> None:
        if len(done) == moved:
            raise RuntimeError("killed")
        real_replace(src, dst)
        done.append(Path(dst).name)

    monkeypatch.setattr(os, "replace", replace_then_stop)
    with pytest.raises(RuntimeError, match="killed"):
        build([tmp_path / "next.json"], folder, progress=False)
    monkeypatch.undo()
    assert done[0] == "models.parquet" and "manifest.json" not in done

    mixed = r"models\.parquet: written by build \S+, but manifest"
    with pytest.raises(UserError, match=mixed):
        _load(driver, config, folder)
    assert dump(driver, config) == before
    with pytest.raises(UserError, match=mixed):  # the other readers (evaluate) refuse it too
        read_table(folder, "models")
