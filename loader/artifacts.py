"""The build's artifacts on disk (docs/design.md, "Artifacts"): write them all or none, read them.

Files are written into a hidden folder next to their destination and moved in only once every
one of them is complete, the manifest last. A build stopped between those renames still leaves a
mix of old and new files, so each Parquet file names the build that wrote it (schema metadata
`constellation:build_id`) and readers refuse a file whose build is not the manifest's
(`check_build`). This module is the one place that defines the artifact format; the graph writer
(loader/writer.py) checks artifacts against REQUIRED_COLUMNS and COLUMN_KINDS.

Usage::

    write_artifacts(out_dir, {"models": df, ...}, manifest)
    models = read_table(out_dir, "models")
    manifest = read_manifest(out_dir)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from constellation.errors import UserError

TABLES = ("models", "similarity", "lineage", "communities", "clusters", "hierarchy", "words")
MANIFEST = "manifest.json"
BUILD_ID_KEY = b"constellation:build_id"  # in each Parquet file's schema metadata

# file -> columns the graph writer needs (docs/design.md, "Artifacts")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "models.parquet": (
        "id", "name", "author", "downloads", "likes", "created_at", "last_modified",
        "pipeline_tag", "library_name", "license", "tags", "community", "cluster", "family",
    ),
    "similarity.parquet": ("source", "target", "score"),
    "lineage.parquet": ("child", "parent", "relation"),
    "communities.parquet": ("community", "size", "downloads", "label", "terms"),
    "clusters.parquet": (
        "cluster", "level", "threshold", "parent", "size", "downloads", "label", "terms",
    ),
}  # fmt: skip

# file -> column -> what its values must be ("integers" or "numbers"; missing values allowed).
# Text in a number column (`downloads` as "700") is refused, not converted: artifacts come from
# `constellation build`, so text there means a hand-edited or foreign file worth looking at.
COLUMN_KINDS: dict[str, dict[str, str]] = {
    "models.parquet": {
        "downloads": "numbers", "likes": "numbers", "community": "integers", "cluster": "integers",
    },
    "similarity.parquet": {"score": "numbers"},
    "communities.parquet": {"size": "numbers", "downloads": "numbers"},
    "clusters.parquet": {
        "level": "numbers", "threshold": "numbers", "size": "numbers", "downloads": "numbers",
    },
}  # fmt: skip


def _to_arrow(name: str, frame: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # A kept source column of mixed Python objects: store it as text rather than fail.
        fixed = frame.copy()
        for col in fixed.columns:
            try:
                pa.array(fixed[col], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                fixed[col] = (
                    fixed[col].map(lambda v: None if v is None else str(v)).astype("string")
                )
        return pa.Table.from_pandas(fixed, preserve_index=False)


def write_table(path: Path, frame: pd.DataFrame, build_id: str) -> None:
    """One table as Parquet at `path`, its schema naming the build that wrote it."""
    table = _to_arrow(path.stem, frame)
    meta = {**(table.schema.metadata or {}), BUILD_ID_KEY: str(build_id).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def write_manifest(out_dir: str | Path, manifest: dict) -> None:
    """manifest.json, replaced whole (a stopped write never leaves half a file)."""
    out = Path(out_dir)
    tmp = out / f".{MANIFEST}.partial"
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(tmp, out / MANIFEST)


def write_artifacts(out_dir: str | Path, tables: dict[str, pd.DataFrame], manifest: dict) -> Path:
    """Write every table as `<name>.parquet` plus `manifest.json` into out_dir, all or nothing."""
    out = Path(out_dir)
    missing = set(TABLES) - set(tables)
    if missing:
        raise ValueError(f"missing artifact tables: {sorted(missing)}")
    build_id = str(manifest["build_id"])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror}") from exc
    if not out.is_dir():
        raise UserError(f"--out {out} is not a folder")
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        def write(name: str) -> None:
            write_table(tmp / f"{name}.parquet", tables[name], build_id)

        # two writers: Arrow encodes and compresses without the GIL, so tables overlap
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, TABLES))  # list(): re-raises a writer's exception here
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        for name in (*[f"{t}.parquet" for t in TABLES], MANIFEST):  # the manifest last
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _check_dir(artifacts: str | Path) -> Path:
    path = Path(artifacts)
    if not (path / MANIFEST).is_file():
        raise UserError(
            f"--artifacts {path}: no {MANIFEST} there; run `constellation build --out {path}` first"
        )
    return path


def check_build(path: Path, build_id: str) -> None:
    """Refuse a Parquet file that was not written by build `build_id` (the manifest's)."""
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise UserError(f"{path}: not a readable Parquet file ({exc})") from exc
    rebuild = f"rebuild with `constellation build --out {path.parent}`"
    found = meta.get(BUILD_ID_KEY)
    if found is None:
        raise UserError(
            f"{path}: does not say which build wrote it (older or hand-made artifacts); {rebuild}"
        )
    if found.decode() != str(build_id):
        raise UserError(
            f"{path}: written by build {found.decode()}, but {MANIFEST} is build {build_id}: "
            f"the folder mixes two builds (a build stopped while moving its files in?); {rebuild}"
        )


def read_table(artifacts: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One artifact table as a DataFrame (`name` in TABLES), checked to be the manifest's build."""
    path = _check_dir(artifacts) / f"{name}.parquet"
    if not path.is_file():
        raise UserError(f"--artifacts {artifacts}: {path.name} is missing")
    check_build(path, str(read_manifest(artifacts).get("build_id")))
    return pq.read_table(path, columns=columns).to_pandas()


def read_manifest(artifacts: str | Path) -> dict:
    return json.loads((_check_dir(artifacts) / MANIFEST).read_text())
