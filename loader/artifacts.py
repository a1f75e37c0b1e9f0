"""The build's artifacts on disk (docs/design.md, "Artifacts"): write them all or none, read them.

Files are written into a hidden folder next to their destination and moved in only once every
one of them is complete, the manifest last. A build stopped between those renames still leaves a
mix of old and new files, so each Parquet file names the build that wrote it (schema metadata
`constellation:build_id`) and readers refuse a file whose build is not the manifest's
(`check_build`). The hidden folder's name records the writing process
(`.partial-<pid>-<start time>-…`), so a later build removes the ones whose writer is gone (killed
with SIGKILL, say) and leaves a running one's alone. This module is the one place that defines
the artifact format; the graph writer (loader/graph/read.py) checks artifacts against
REQUIRED_COLUMNS and COLUMN_KINDS.

Usage::

    check_out_dir(out_dir)     # before a build: fail early if artifacts cannot be written there
    write_artifacts(out_dir, {"models": df, ...}, manifest)
    models = read_table(out_dir, "models")
    manifest = read_manifest(out_dir)
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from constellation.errors import UserError

log = logging.getLogger(__name__)

TABLES = ("models", "similarity", "lineage", "communities", "clusters", "hierarchy", "words")
# Written after a build by `constellation infer-lineage` (loader/lineage), not by `build`: an
# optional table of likely child -> parent links, stamped with the build it was inferred from.
INFERRED = "inferred_lineage"
# Written with it: the rows its ranker learned from, kept across builds (a rebuild leaves it),
# so that `infer-lineage` after a refresh trains the same ranker (loader/lineage/infer.py).
TRAINING = "lineage_training"
TRAINING_KEY = b"constellation:training"  # its schema metadata: seed, links, models (JSON)
# The joins with datasets, papers and Spaces (pipeline/joins.py): written by every build, but
# optional to readers, so artifacts of a build before them still load (without joins).
JOIN_TABLES = ("datasets", "trained_on", "cites", "spaces", "uses")
# The term weights the build's vectors used (block, term, idf): read by the next build over
# this one, whose known terms keep them (pipeline/vectors.py). Never loaded into the graph;
# written by every build, optional to readers (a build before them: weights made afresh).
IDF = "idf"
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
    "inferred_lineage.parquet": ("child", "parent", "score", "relation", "rank"),
    "communities.parquet": ("community", "size", "downloads", "label", "terms"),
    "clusters.parquet": (
        "cluster", "level", "threshold", "parent", "size", "downloads", "label", "terms",
    ),
    "words.parquet": ("word", "count", "share"),  # the corpus's name words (Word nodes)
    # joins (JOIN_TABLES); other columns of datasets/spaces are node properties
    "datasets.parquet": ("id",),
    "trained_on.parquet": ("model", "dataset", "origin"),
    "cites.parquet": ("model", "arxiv_id"),
    "spaces.parquet": ("id",),
    "uses.parquet": ("space", "model", "origin"),
}  # fmt: skip

# file -> column -> what its values must be ("integers" or "numbers"; missing values allowed).
# Text in a number column (`downloads` as "700") is refused, not converted: artifacts come from
# `constellation build`, so text there means a hand-edited or foreign file worth looking at.
COLUMN_KINDS: dict[str, dict[str, str]] = {
    "models.parquet": {
        "downloads": "numbers", "likes": "numbers", "community": "integers", "cluster": "integers",
    },
    "similarity.parquet": {"score": "numbers"},
    "inferred_lineage.parquet": {"score": "numbers", "rank": "integers"},
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


def check_out_dir(out_dir: str | Path) -> None:
    """Raise UserError unless files can be created in out_dir (or, while it does not exist yet,
    in its nearest existing parent); then remove partial folders of dead builds in it.

    Called before a build does any work, so a read-only --out does not cost a whole build.
    Creating a file is the only test that holds for root too (mode bits do not stop root)."""
    out = Path(out_dir)
    existing = out.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"--out {out}: {existing} is not a folder")
    try:
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as exc:
        raise UserError(f"--out {out}: not writable ({exc.strerror})") from exc
    if existing == out.absolute():
        remove_stale_partials(out)


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot) from /proc, "0" where there is no
    /proc, None if the process does not exist or is a zombie (killed, not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if not Path("/proc/self/stat").exists():  # no /proc (macOS): the pid alone must do
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            except PermissionError:  # another user's process: alive
                pass
            return "0"
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    return None if fields[0] == "Z" else fields[19]


_PARTIAL = re.compile(r"^\.partial-(\d+)-(\d+)-")


def _partial_prefix() -> str:
    # the start time tells a reused pid (a later container's pid 1, say) from the writer
    return f".partial-{os.getpid()}-{_start_time(os.getpid()) or 0}-"


def remove_stale_partials(out_dir: str | Path) -> list[Path]:
    """Remove the partial folders in out_dir whose writing process is gone; returns them."""
    removed = []
    for path in Path(out_dir).glob(".partial-*"):
        match = _PARTIAL.match(path.name)
        if not match or not path.is_dir():
            continue  # not named by this code: nothing says whose it is
        pid, started = int(match.group(1)), match.group(2)
        if _start_time(pid) in (started, "0"):
            continue  # its writer still runs
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def write_table(
    path: Path, frame: pd.DataFrame, build_id: str, meta: dict[bytes, bytes] | None = None
) -> None:
    """One table as Parquet at `path`, its schema naming the build that wrote it."""
    table = _to_arrow(path.stem, frame)
    meta = {**(table.schema.metadata or {}), **(meta or {}), BUILD_ID_KEY: str(build_id).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def write_manifest(out_dir: str | Path, manifest: dict) -> None:
    """manifest.json, replaced whole (a stopped write never leaves half a file)."""
    out = Path(out_dir)
    tmp = out / f".{MANIFEST}.partial"
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    os.replace(tmp, out / MANIFEST)


def write_artifacts(out_dir: str | Path, tables: dict[str, pd.DataFrame], manifest: dict) -> Path:
    """Write every table as `<name>.parquet` plus `manifest.json` into out_dir, all or nothing
    (TABLES must all be given; JOIN_TABLES are written when given)."""
    out = Path(out_dir)
    missing = set(TABLES) - set(tables)
    if missing:
        raise ValueError(f"missing artifact tables: {sorted(missing)}")
    build_id = str(manifest["build_id"])
    optional = (*JOIN_TABLES, IDF)
    names = (*TABLES, *[t for t in optional if t in tables])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {out}: {exc.strerror}") from exc
    if not out.is_dir():
        raise UserError(f"--out {out} is not a folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_partial_prefix(), dir=out))
    except OSError as exc:  # made read-only (or full) since check_out_dir
        raise UserError(f"--out {out}: not writable ({exc.strerror})") from exc
    try:
        def write(name: str) -> None:
            write_table(tmp / f"{name}.parquet", tables[name], build_id)

        # two writers: Arrow encodes and compresses without the GIL, so tables overlap
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, names))  # list(): re-raises a writer's exception here
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        for name in (*[f"{t}.parquet" for t in names], MANIFEST):  # the manifest last
            if name == MANIFEST:  # an optional table this build has not: not left from another
                for t in set(optional) - set(names):
                    (out / f"{t}.parquet").unlink(missing_ok=True)
            os.replace(tmp / name, out / name)
        # links inferred from the previous build name its rows: rerun infer-lineage for these
        (out / f"{INFERRED}.parquet").unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def write_extra_table(
    artifacts: str | Path, name: str, frame: pd.DataFrame, meta: dict[bytes, bytes] | None = None
) -> Path:
    """Add one table (e.g. INFERRED) to a built folder, stamped with the manifest's build (and
    `meta`, more schema metadata) and moved in whole (a stopped write leaves the old file or
    none, never half of one)."""
    out = _check_dir(artifacts)
    build_id = str(read_manifest(out).get("build_id"))
    path = out / f"{name}.parquet"
    tmp = out / f".{name}.parquet.{os.getpid()}.partial"
    try:
        write_table(tmp, frame, build_id, meta)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"--artifacts {out}: cannot write {path.name} ({exc.strerror})") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_training(artifacts: str | Path, frame: pd.DataFrame, info: dict) -> Path:
    """The ranker's training rows (TRAINING), with what they were learned from (`info`: seed,
    declared links, models, build)."""
    return write_extra_table(artifacts, TRAINING, frame, {TRAINING_KEY: json.dumps(info).encode()})


def copy_training(source: str | Path, out_dir: str | Path) -> bool:
    """TRAINING of the build in `source` copied into `out_dir` (a build made with `--previous
    source`: the ranker of the build it follows), moved in whole; whether it copied."""
    found, out = Path(source) / f"{TRAINING}.parquet", Path(out_dir) / f"{TRAINING}.parquet"
    if not found.is_file() or found.resolve() == out.resolve():
        return False
    tmp = out.parent / f".{out.name}.{os.getpid()}.partial"
    try:
        shutil.copyfile(found, tmp)
        os.replace(tmp, out)
    except OSError as exc:  # the build itself is written: say so, and go on
        log.warning("the ranker's training rows were not copied from %s (%s)", source, exc)
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def read_training(folder: str | Path, columns: list[str]) -> tuple[pd.DataFrame, dict] | str:
    """The training rows kept in `folder` and their info, or why they cannot be used (absent,
    unreadable, other columns: the caller trains afresh). Numbers only: nothing in the file
    is run."""
    path = Path(folder) / f"{TRAINING}.parquet"
    if not path.is_file():
        return f"no {path.name} in {folder}"
    try:
        schema = pq.read_schema(path)
        info = json.loads((schema.metadata or {}).get(TRAINING_KEY, b"null"))
        if not isinstance(info, dict) or schema.names != columns:
            return f"{path} is not a ranker's training rows of this version"
        if not all(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                   for t in schema.types):  # fmt: skip
            return f"{path} holds other than numbers"
        return pq.read_table(path).to_pandas(), info
    except (OSError, ValueError, pa.ArrowException) as exc:
        return f"{path} is unreadable ({exc})"


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


def same_data(a: Path, b: Path) -> bool:
    """Whether two Parquet files hold the same table: the same schema (its metadata aside,
    which names the build) and byte for byte the same data pages. A refresh reads such a table
    once (0.2 s to compare two 190 MB files, 1.5 s to decode one).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2]})
    >>> write_table(folder / "x.parquet", frame, "build-1")
    >>> write_table(folder / "y.parquet", frame, "build-2")
    >>> write_table(folder / "z.parquet", frame.assign(n=[1, 3]), "build-2")
    >>> same_data(folder / "x.parquet", folder / "y.parquet"), same_data(
    ...     folder / "x.parquet", folder / "z.parquet")
    (True, False)
    """
    try:
        fa, fb = pq.ParquetFile(a), pq.ParquetFile(b)
        if (fa.metadata.num_rows != fb.metadata.num_rows
                or fa.metadata.num_row_groups != fb.metadata.num_row_groups
                or not fa.schema_arrow.remove_metadata().equals(
                    fb.schema_arrow.remove_metadata())):  # fmt: skip
            return False
        # the data pages end where the footer (its serialized metadata, then 8 bytes) begins
        end = a.stat().st_size - 8 - fa.metadata.serialized_size
        if end != b.stat().st_size - 8 - fb.metadata.serialized_size:
            return False
        block = 1 << 24
        with open(a, "rb") as fa_, open(b, "rb") as fb_:
            for at in range(0, end, block):
                size = min(block, end - at)
                if fa_.read(size) != fb_.read(size):
                    return False
        return True
    except (OSError, pa.ArrowException):  # unreadable: not known to be the same
        return False


def read_table(artifacts: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One artifact table as a DataFrame (`name` in TABLES or JOIN_TABLES, or INFERRED), checked
    to be the manifest's build."""
    path = _check_dir(artifacts) / f"{name}.parquet"
    if not path.is_file():
        raise UserError(f"--artifacts {artifacts}: {path.name} is missing")
    check_build(path, str(read_manifest(artifacts).get("build_id")))
    return pq.read_table(path, columns=columns).to_pandas()


def read_manifest(artifacts: str | Path) -> dict:
    return json.loads((_check_dir(artifacts) / MANIFEST).read_text())
