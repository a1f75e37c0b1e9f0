"""The build's artifacts on disk (docs/design.md, "Artifacts"): write them all or none, read them.

Files are written into a hidden folder next to their destination and moved in only once every
one of them is complete, so a failed build never leaves a mix of old and new files behind.

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


def write_artifacts(out_dir: str | Path, tables: dict[str, pd.DataFrame], manifest: dict) -> Path:
    """Write every table as `<name>.parquet` plus `manifest.json` into out_dir, all or nothing."""
    out = Path(out_dir)
    missing = set(TABLES) - set(tables)
    if missing:
        raise ValueError(f"missing artifact tables: {sorted(missing)}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror}") from exc
    if not out.is_dir():
        raise UserError(f"--out {out} is not a folder")
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        def write(name: str) -> None:
            pq.write_table(_to_arrow(name, tables[name]), tmp / f"{name}.parquet")

        # two writers: Arrow encodes and compresses without the GIL, so tables overlap
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, TABLES))  # list(): re-raises a writer's exception here
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        for name in (*[f"{t}.parquet" for t in TABLES], MANIFEST):
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


def read_table(artifacts: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One artifact table as a DataFrame (`name` in TABLES)."""
    path = _check_dir(artifacts) / f"{name}.parquet"
    if not path.is_file():
        raise UserError(f"--artifacts {artifacts}: {path.name} is missing")
    return pq.read_table(path, columns=columns).to_pandas()


def read_manifest(artifacts: str | Path) -> dict:
    return json.loads((_check_dir(artifacts) / MANIFEST).read_text())
