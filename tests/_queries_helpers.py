"""A small hand-made graph whose answers are known, for the named-query tests.

`write_small_artifacts(folder)` writes build artifacts (docs/design.md, "Artifacts") by hand so
every score, community, cluster and lineage link is chosen here; the tests load them with the
real `load_artifacts`.

    EleutherAI/pythia-70m  <-finetune- acme/pythia-70m-chat <-quantized- acme/pythia-70m-chat-GGUF
    gpt2 <-finetune- distilgpt2, gpt2 <-finetune- someone/gpt2-medium-ft
    lonely/model-x: no edges at all

Communities: 1 = the six pythia models, 2 = the three gpt2 models, 3 = lonely/model-x.
Clusters: level 0 {10, 11, 12} -> 100, {20, 21} -> 200, {30} -> 300; level 1 {100, 200} -> 1000
(level 2); 300 has no parent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from constellation.loader.artifacts import write_table

# id, downloads, likes, created, license, library, tags, community, cluster
# fmt: off
MODELS = [
    ("EleutherAI/pythia-70m", 1000, 10, "2023-02-13", "apache-2.0", "transformers", ["pt"], 1, 10),
    ("EleutherAI/pythia-160m", 5000, 20, "2023-02-14", "apache-2.0", "transformers", ["pt"], 1, 10),
    ("EleutherAI/pythia-410m", 3000, 15, "2023-02-15", "apache-2.0", "transformers", ["pt"], 1, 11),
    ("acme/pythia-70m-chat", 50, 1, "2023-06-01", "mit", "peft", ["chat"], 1, 11),
    ("acme/pythia-70m-chat-GGUF", 20, 0, "2024-01-05", "mit", "gguf", ["gguf", "chat"], 1, 11),
    ("zoo/pythia", 1, 0, "2022-12-31", None, None, [], 1, 12),
    ("gpt2", 100000, 2000, "2019-11-04", "mit", "transformers", ["pytorch", "tf"], 2, 20),
    ("distilgpt2", 20000, 300, "2020-01-01", "apache-2.0", "transformers", ["pytorch"], 2, 20),
    ("someone/gpt2-medium-ft", 10, 0, "2023-07-01", "mit", "transformers", ["chat"], 2, 21),
    ("lonely/model-x", 7, 0, "2021-05-05", "cc-by-4.0", "timm", [], 3, 30),
]
# fmt: on

SIMILAR = [
    ("EleutherAI/pythia-160m", "EleutherAI/pythia-70m", 0.9),
    ("EleutherAI/pythia-410m", "EleutherAI/pythia-70m", 0.8),
    ("EleutherAI/pythia-160m", "EleutherAI/pythia-410m", 0.85),
    ("EleutherAI/pythia-70m", "acme/pythia-70m-chat", 0.7),
    ("acme/pythia-70m-chat", "acme/pythia-70m-chat-GGUF", 0.75),
    ("EleutherAI/pythia-70m", "zoo/pythia", 0.6),
    ("distilgpt2", "gpt2", 0.5),
    ("gpt2", "someone/gpt2-medium-ft", 0.55),
]

LINEAGE = [  # child, parent, relation
    ("acme/pythia-70m-chat", "EleutherAI/pythia-70m", "finetune"),
    ("acme/pythia-70m-chat-GGUF", "acme/pythia-70m-chat", "quantized"),
    ("distilgpt2", "gpt2", "finetune"),
    ("someone/gpt2-medium-ft", "gpt2", "finetune"),
]

COMMUNITY_LABELS = {1: "pythia", 2: "gpt2", 3: "model-x"}
# cluster, level, parent, label
CLUSTERS = [
    (10, 0, 100, "pythia small"), (11, 0, 100, "pythia chat"), (12, 0, 100, "pythia bare"),
    (20, 0, 200, "gpt2 base"), (21, 0, 200, "gpt2 ft"), (30, 0, 300, "model-x"),
    (100, 1, 1000, "pythia"), (200, 1, 1000, "gpt2"), (300, 1, None, "model-x"),
    (1000, 2, None, "language models"),
]  # fmt: skip


def _family(community: int) -> str:
    return COMMUNITY_LABELS[community]


def models_frame() -> pd.DataFrame:
    rows = []
    for i, (mid, dl, likes, created, lic, lib, tags, comm, clu) in enumerate(MODELS):
        author, _, name = mid.rpartition("/")
        rows.append(
            {
                "id": mid,
                "author": author or None,
                "name": name,
                "downloads": dl,
                "likes": likes,
                "created_at": pd.Timestamp(f"{created}T12:00:00Z"),
                "last_modified": pd.Timestamp("2024-06-01T00:00:00Z"),
                "pipeline_tag": "text-generation" if comm != 3 else "image-classification",
                "library_name": lib,
                "license": lic,
                "tags": tags,
                "row": i,
                "community": comm,
                "cluster": clu,
                "family": _family(comm),
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("id", "author", "name", "pipeline_tag", "library_name", "license", "family"):
        frame[col] = frame[col].astype("string")
    for col in ("downloads", "likes"):
        frame[col] = frame[col].astype("Int64")
    return frame


BUILD_ID = "queries-small-1"


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    write_table(folder / f"{name}.parquet", frame, BUILD_ID)  # tagged with the build, as load needs


def write_small_artifacts(folder: Path) -> Path:
    """Write the hand-made artifacts into `folder` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    models = models_frame()
    _write(folder, "models", models)
    _write(
        folder,
        "similarity",
        pd.DataFrame(SIMILAR, columns=["source", "target", "score"]).astype({"score": "float32"}),
    )
    lineage = pd.DataFrame(LINEAGE, columns=["child", "parent", "relation"])
    lineage["origin"] = "tag"
    _write(folder, "lineage", lineage)
    groups = models.groupby("community").agg(size=("id", "size"), downloads=("downloads", "sum"))
    communities = pd.DataFrame(
        {
            "community": groups.index.astype("int64"),
            "size": groups["size"].astype("int64").values,
            "downloads": groups["downloads"].astype("int64").values,
            "label": [COMMUNITY_LABELS[c] for c in groups.index],
            "terms": [[COMMUNITY_LABELS[c]] for c in groups.index],
        }
    )
    _write(folder, "communities", communities)
    members = _cluster_members(models)
    clusters = pd.DataFrame(
        {
            "cluster": pd.array([c for c, *_ in CLUSTERS], dtype="int64"),
            "level": pd.array([lv for _, lv, *_ in CLUSTERS], dtype="int64"),
            "threshold": [0.2 * (lv + 1) for _, lv, *_ in CLUSTERS],
            "parent": pd.array([p for _, _, p, _ in CLUSTERS], dtype="Int64"),
            "size": [len(members[c]) for c, *_ in CLUSTERS],
            "downloads": [int(models.set_index("id").loc[list(members[c]), "downloads"].sum())
                          for c, *_ in CLUSTERS],
            "label": [label for *_, label in CLUSTERS],
            "terms": [label.split() for *_, label in CLUSTERS],
        }
    )
    _write(folder, "clusters", clusters)
    (folder / "manifest.json").write_text(
        json.dumps({"build_id": BUILD_ID, "created_at": "2026-11-27T00:00:00Z",
                    "counts": {"models": len(MODELS)}})
    )
    return folder


def _cluster_members(models: pd.DataFrame) -> dict[int, set[str]]:
    parent = {c: p for c, _, p, _ in CLUSTERS}
    out: dict[int, set[str]] = {c: set() for c, *_ in CLUSTERS}
    for mid, clu in zip(models["id"], models["cluster"], strict=True):
        c: int | None = int(clu)
        while c is not None:
            out[c].add(mid)
            c = parent[c]
    return out
