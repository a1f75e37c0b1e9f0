"""Read Hugging Face model metadata from files into one normalised table.

Usage::

    from constellation.loader.ingest.sources import read_sources
    result = read_sources(["../shared/data"])          # files or directories
    result.models      # one row per unique id (columns: docs/design.md)
    result.lineage     # child, parent, relation, origin
    result.skipped     # [Skipped(file, line, reason)], malformed rows that were left out
    print(result.summary())

Formats (picked by extension, then by columns):

* ``.json`` — Hub API JSON: one object, a list of objects, or JSON Lines; camelCase
  (``id``/``modelId``, ``createdAt``, ``lastModified``, ``cardData``) or the snake_case
  ``huggingface_hub.ModelInfo`` form (``created_at``, ``card_data``). A recorded response
  wrapper ``{"response": {...}}`` is unwrapped. ``.jsonl`` / ``.ndjson`` — JSON Lines.
* ``.csv`` / ``.parquet`` with an id column (``id``, ``modelId``, ``model_id``, ``repo_id`` or a
  Hub ``link`` such as ``https://huggingface.co/owner/name``). A ``metadata`` column holding a full
  ModelInfo JSON (mistral-small-tree fixture) is parsed like a JSON record.
* ``.csv`` / ``.parquet`` lineage edge files with ``source,target[,edge]`` (or
  ``child,parent[,relation]``): they give lineage rows and no model rows.

Unknown columns are kept for joins (``params_millions``, ``rank``, ``architecture``, ``type`` …),
except bulky ones that nothing downstream reads: ``siblings``, widget data, model-index,
config, transformers info, safetensors/gguf details, raw card data and the raw ``metadata`` blob
(after they are parsed), pandas index leftovers (``Unnamed: 0``). The card's ``datasets`` and the
record's ``spaces`` become list columns ``card_datasets`` / ``spaces`` (for pipeline/joins.py).
For JSON records, other nested (dict/list) values are dropped too; scalar ones are kept.

Malformed rows — a bad JSON line, a missing/empty/invalid id (spaces, more than one ``/``, more
than ``lineage.MAX_ID_LENGTH`` characters …), non-numeric or negative downloads/likes, a CSV line
with the wrong number of fields, unparsable metadata — are reported as
``Skipped(file, line, reason)`` and left out; reading goes on.
``line`` is the 1-based line for CSV (header = line 1) and JSON Lines, the record number in a JSON
list, the 1-based row for Parquet. Rows with the same id are deduplicated, the last one read wins
(``SourceResult.duplicates`` counts the dropped ones). Unparsable dates become NaT.

CSV and Parquet are handled with vectorised pandas (a million rows read in seconds); per-row Python
runs only on JSON records, metadata blobs, card data strings and tag strings.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from constellation.loader.ingest import lineage as lin

from constellation.errors import UserError

JSON_EXTENSIONS = (".json", ".jsonl", ".ndjson")
TABLE_EXTENSIONS = (".csv", ".parquet", ".pq")
SUPPORTED_EXTENSIONS = JSON_EXTENSIONS + TABLE_EXTENSIONS
UNPARSED_SHOWN = 5  # base_model values that are not ids: one warning line each for the first few
log = logging.getLogger(__name__)

MODEL_COLUMNS = [
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
    "base_models",
]

# canonical column -> source spellings, first present wins
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "modelId", "model_id", "repo_id", "link"),
    "author": ("author", "owner"),
    "downloads": ("downloads",),
    "likes": ("likes",),
    "created_at": ("created_at", "createdAt"),
    "last_modified": ("last_modified", "lastModified"),
    "pipeline_tag": ("pipeline_tag", "pipelineTag"),
    "library_name": ("library_name", "libraryName"),
    "license": ("license",),
    "tags": ("tags",),
}
CARD_KEYS = ("card_data", "cardData")
ID_KEYS = ("id", "modelId", "model_id", "repo_id")
DROPPED_COLUMNS = frozenset(
    {
        "siblings",
        "spaces",
        "widgetData",
        "widget_data",
        "model-index",
        "model_index",
        "modelIndex",
        "config",
        "transformersInfo",
        "transformers_info",
        "safetensors",
        "gguf",
        "inference_provider_mapping",
        "inferenceProviderMapping",
        "metadata",
        *CARD_KEYS,
    }
)
_ALIAS_NAMES = frozenset(a for names in ALIASES.values() for a in names)
_INT_COLUMNS = ("downloads", "likes")
_DATE_COLUMNS = ("created_at", "last_modified")
_STRING_COLUMNS = ("id", "author", "name", "pipeline_tag", "library_name", "license")
# list columns kept for the joins (pipeline/joins.py SOURCE_COLUMNS)
JOIN_LIST_COLUMNS = ("card_datasets", "spaces")
_UNNAMED_RE = re.compile(r"^Unnamed: \d+(?:\.\d+)?$|^$")


class Skipped(NamedTuple):
    """A row left out: the file, its line (or record/row number) and why."""

    file: str
    line: int | None
    reason: str


@dataclass
class SourceResult:
    """What `read_sources` returns.

    models: one row per unique id (design.md columns, then kept source columns).
    lineage: declared parent edges `child, parent, relation, origin`.
    skipped: malformed rows left out.
    inputs: one dict per file read: `path`, `format`, `rows` (accepted), `skipped`.
    duplicates: rows dropped because a later row had the same id.
    unparsed_parents: values of a `base_model` column that are not model ids (the row is kept,
    that parent is left out).
    """

    models: pd.DataFrame
    lineage: pd.DataFrame
    skipped: list[Skipped] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    duplicates: int = 0
    unparsed_parents: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the user: counts of models, lineage edges, skipped and duplicate rows,
        and base_model values that are not ids (each also logged as a warning, the first few)."""
        text = (
            f"read {len(self.inputs)} file(s): {len(self.models):,} models, "
            f"{len(self.lineage):,} lineage edges, {len(self.skipped):,} malformed rows skipped, "
            f"{self.duplicates:,} duplicate ids (last kept)"
        )
        if self.unparsed_parents:
            first = self.unparsed_parents[0]
            text += (
                f", {len(self.unparsed_parents):,} base_model value(s) not model ids (parent "
                f"ignored; first: {first.file}:{first.line}: {first.reason})"
            )
        return text


@dataclass
class _Part:
    """One file's contribution before merging."""

    models: pd.DataFrame | None
    lineage: pd.DataFrame | None
    skipped: list[Skipped]
    fmt: str
    tags: Any = None  # arrow list<string> aligned with `models` (saves re-converting the lists)
    unparsed: list[Skipped] = field(default_factory=list)  # base_model values that are not ids


# --------------------------------------------------------------------------------------------
# entry point


def read_sources(paths: Iterable[str | Path] | str | Path, progress: bool = True) -> SourceResult:
    """Read files and directories (all supported files inside, recursively) into one table.

    `paths`: files or folders (a single path is fine); files are read in the order given,
    folders in sorted order, and a later row with an id seen before replaces it. `progress`
    shows a tqdm bar on stderr when there is more than one file. Raises `UserError` for a
    missing path, an unknown extension, a table without an id column or an unreadable file;
    malformed rows inside a readable file are reported in `SourceResult.skipped` instead.
    """
    files = expand_paths(paths)
    parts: list[_Part] = []
    inputs: list[dict] = []
    iterator: Iterable[Path] = files
    if progress and len(files) > 1:
        from tqdm import tqdm

        iterator = tqdm(files, desc="reading sources", unit="file", file=sys.stderr)
    for path in iterator:
        part = read_file(path)
        part.skipped.sort(key=lambda s: (s.line is None, s.line or 0))
        parts.append(part)
        rows = len(part.models) if part.models is not None else len(part.lineage)
        inputs.append(
            {"path": str(path), "format": part.fmt, "rows": int(rows), "skipped": len(part.skipped)}
        )
    return _merge(parts, inputs)


def expand_paths(paths: Iterable[str | Path] | str | Path) -> list[Path]:
    """Files to read: files as given, directories expanded to their supported files (sorted)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and _suffix(p) in SUPPORTED_EXTENSIONS and not p.name.startswith(".")
            )
            if not found:
                raise UserError(f"{path}: no supported files ({', '.join(SUPPORTED_EXTENSIONS)})")
            out.extend(found)
        elif path.is_file():
            if _suffix(path) not in SUPPORTED_EXTENSIONS:
                raise UserError(
                    f"{path}: unknown file type '{path.suffix}' "
                    f"(expected one of {', '.join(SUPPORTED_EXTENSIONS)})"
                )
            out.append(path)
        else:
            raise UserError(f"{path}: no such file or directory")
    if not out:
        raise UserError("no source given")
    return out


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def read_file(path: str | Path) -> _Part:
    """Read one file (format from its extension, then its columns)."""
    path = Path(path)
    suffix = _suffix(path)
    try:
        if suffix in JSON_EXTENSIONS:
            return _read_json(path)
        if suffix == ".csv":
            try:
                loaded = _load_csv(path)
            except pd.errors.EmptyDataError:
                return _Part(empty_models(), None, [], "csv")
            except pd.errors.ParserError as exc:
                raise UserError(f"{path}: not readable as CSV ({exc})") from exc
            return _read_table(path, *loaded, fmt="csv")
        if suffix in (".parquet", ".pq"):
            frame, arrow_tags = _load_parquet(path)
            lines = np.arange(1, len(frame) + 1)
            return _read_table(path, frame, lines, [], fmt="parquet", arrow_tags=arrow_tags)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    raise UserError(f"{path}: unknown file type '{path.suffix}'")


# --------------------------------------------------------------------------------------------
# JSON


def _json_lines(path: Path, text: str | None) -> Iterator[tuple[int, str]]:
    """(line number, line) of JSON Lines: streamed from the file unless already read, so a huge
    line (or file) is not held twice, as the text and as its split lines."""
    if text is not None:
        yield from enumerate(text.splitlines(), start=1)
        return
    with path.open(encoding="utf-8") as handle:
        yield from enumerate(handle, start=1)


def _read_json(path: Path) -> _Part:
    text: str | None = None
    skipped: list[Skipped] = []
    records: list[tuple[int, Any]] = []
    fmt = "hub-jsonl"
    whole: Any = None
    if _suffix(path) == ".json":
        text = path.read_text(encoding="utf-8")
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None  # maybe JSON Lines named .json
        else:
            fmt = "hub-json"
            items = whole if isinstance(whole, list) else [whole]
            records = list(enumerate(items, start=1))
            text = None
    if fmt == "hub-jsonl":
        for number, line in _json_lines(path, text):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                skipped.append(Skipped(str(path), number, f"bad JSON: {exc.msg}"))
    rows: list[dict] = []
    lines: list[int] = []
    for number, record in records:
        if isinstance(record, dict) and "response" in record and not _has_id(record):
            record = record["response"]  # recorded API call: {"_request_uri":…, "response":{…}}
        if not isinstance(record, dict):
            skipped.append(Skipped(str(path), number, "not a JSON object"))
            continue
        rows.append(_flatten_record(record))
        lines.append(number)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame({"id": []})
    models, more, tags, unparsed = _normalise(
        frame, np.asarray(lines, dtype=np.int64), str(path)
    )
    return _Part(models, None, skipped + more, fmt, tags, unparsed)


def _has_id(record: dict) -> bool:
    return any(record.get(k) for k in ID_KEYS)


def _flatten_record(record: dict) -> dict:
    """Keep scalar fields and the ones we normalise; card data goes to `_card` for parsing."""
    out = {
        k: v
        for k, v in record.items()
        if not isinstance(v, (dict, list, tuple)) and k not in DROPPED_COLUMNS
    }
    tags = record.get("tags")
    if isinstance(tags, list):
        if not all(type(t) is str for t in tags):
            tags = [str(t) for t in tags if t is not None]
        out["tags"] = tags
    card = record.get("cardData")
    out["_card"] = record.get("card_data") if card is None else card
    spaces = record.get("spaces")  # the Spaces using the model: kept for the joins
    if isinstance(spaces, list) and spaces:
        out["_spaces"] = [str(s) for s in spaces if s is not None]
    return out


# --------------------------------------------------------------------------------------------
# CSV / Parquet


def _load_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[Skipped]]:
    header = pd.read_csv(path, nrows=0)
    edge_cols = ("source", "target", "child", "parent")
    text_cols = [c for c in header.columns if c in _ALIAS_NAMES or c in edge_cols]
    text_cols = [c for c in text_cols if c not in _INT_COLUMNS]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(
            path,
            dtype={c: "string" for c in text_cols},
            on_bad_lines="warn",
            skip_blank_lines=False,
            low_memory=False,
        )
    skipped: list[Skipped] = []
    bad_lines: list[int] = []
    for warning in caught:
        for match in re.finditer(r"Skipping line (\d+): ([^\n]*)", str(warning.message)):
            bad_lines.append(int(match.group(1)))
            skipped.append(Skipped(str(path), int(match.group(1)), match.group(2).strip()))
    # map data rows back to file lines (header is line 1, reported bad lines are gone)
    lines = np.arange(2, len(frame) + 2 + len(bad_lines), dtype=np.int64)
    if bad_lines:
        lines = lines[~np.isin(lines, bad_lines)]
    lines = lines[: len(frame)]
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():  # blank lines kept above only to keep line numbers right
        frame, lines = frame[~blank].reset_index(drop=True), lines[~blank]
    return frame, lines, skipped


def _load_parquet(path: Path) -> tuple[pd.DataFrame, Any]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise UserError(f"{path}: not a readable Parquet file ({exc})") from exc
    # list columns straight to Python lists (pandas would make numpy arrays of them)
    lists = {
        f.name: table[f.name].to_pylist()
        for f in table.schema
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)
    }
    frame = table.drop(list(lists)).to_pandas()
    for name, values in lists.items():
        frame[name] = pd.Series(values, dtype=object)
    arrow_tags = None
    if "tags" in lists and pa.types.is_string(table.schema.field("tags").type.value_type):
        arrow_tags = table["tags"].combine_chunks().cast(pa.list_(pa.string()))
    return frame[table.column_names], arrow_tags


def _read_table(
    path: Path,
    frame: pd.DataFrame,
    lines: np.ndarray,
    skipped: list[Skipped],
    fmt: str,
    arrow_tags: Any = None,
) -> _Part:
    frame = frame.drop(columns=[c for c in frame.columns if _UNNAMED_RE.match(str(c))])
    columns = set(frame.columns)
    has_id = any(k in columns for k in ALIASES["id"])
    if not has_id and {"source", "target"} <= columns:
        edges, more = _edge_rows(frame, lines, str(path), "source", "target", "edge")
        return _Part(None, edges, skipped + more, f"lineage-{fmt}")
    if not has_id and {"child", "parent"} <= columns:
        edges, more = _edge_rows(frame, lines, str(path), "parent", "child", "relation")
        return _Part(None, edges, skipped + more, f"lineage-{fmt}")
    if "metadata" in columns:
        frame, lines, more = _expand_metadata(frame, lines, str(path))
        skipped = skipped + more
        arrow_tags = None
        fmt = f"{fmt}+metadata"
    elif not has_id:
        raise UserError(
            f"{path}: no id column (expected one of {', '.join(ALIASES['id'])}, "
            "or source,target for a lineage edge file); columns: "
            + ", ".join(map(str, frame.columns[:20]))
        )
    card_col = next((c for c in CARD_KEYS if c in frame.columns), None)
    if card_col is not None and "_card" not in frame.columns:
        frame = frame.rename(columns={card_col: "_card"})
    models, more, tags, unparsed = _normalise(frame, lines, str(path), arrow_tags)
    return _Part(models, None, skipped + more, fmt, tags, unparsed)


def _edge_rows(
    frame: pd.DataFrame, lines: np.ndarray, file: str, parent: str, child: str, relation: str
) -> tuple[pd.DataFrame, list[Skipped]]:
    edges = lin.lineage_from_edges(
        frame[parent], frame[child], frame[relation] if relation in frame.columns else None
    )
    clean_parent, long_parent = lin.check_ids(edges["parent"])
    clean_child, long_child = lin.check_ids(edges["child"])
    skipped: list[Skipped] = []
    bad = (clean_parent.isna() | clean_child.isna()).to_numpy()
    for i in np.flatnonzero(bad):
        is_parent = pd.isna(clean_parent.iloc[i])
        which = parent if is_parent else child
        if (long_parent if is_parent else long_child)[i]:
            reason = f"{which} id longer than {lin.MAX_ID_LENGTH} characters"
        else:
            reason = f"invalid {which} id {_show(frame[which].iloc[i])}"
        skipped.append(Skipped(file, int(lines[i]), reason))
    loop = (~bad) & (clean_parent == clean_child).fillna(False).to_numpy()
    for i in np.flatnonzero(loop):
        skipped.append(Skipped(file, int(lines[i]), f"self-loop: {clean_child.iloc[i]}"))
    keep = ~(bad | loop)
    edges = edges.assign(parent=clean_parent, child=clean_child)[keep].reset_index(drop=True)
    return edges.astype("string"), skipped


def _expand_metadata(
    frame: pd.DataFrame, lines: np.ndarray, file: str
) -> tuple[pd.DataFrame, np.ndarray, list[Skipped]]:
    """Parse a column of full ModelInfo JSON into fields; the file's own columns win."""
    skipped: list[Skipped] = []
    records: list[dict] = []
    keep: list[int] = []
    for i, blob in enumerate(frame["metadata"].tolist()):
        if isinstance(blob, str) and blob.strip():
            record = lin.parse_mapping(blob)
            if record is None:
                skipped.append(Skipped(file, int(lines[i]), "unparsable metadata JSON"))
                continue
        else:
            record = {}  # no metadata: the row's own columns still name a model
        records.append(_flatten_record(record))
        keep.append(i)
    own = frame.drop(columns=["metadata"]).iloc[keep].reset_index(drop=True)
    parsed = pd.DataFrame.from_records(records) if records else pd.DataFrame(index=own.index)
    parsed.index = own.index
    own_ids = [k for k in ID_KEYS if k in own.columns]
    if own_ids:  # the file's id column names the row; the blob's id spellings must not compete
        parsed = parsed.drop(columns=[k for k in ID_KEYS if k in parsed.columns])
    parsed = parsed.drop(columns=[c for c in own.columns if c in parsed.columns])
    return pd.concat([own, parsed], axis=1), lines[keep], skipped


def _tags_column(values: pd.Series) -> pd.Series:
    """Tags as lists of strings, whatever the storage (lists, arrays, JSON/repr strings)."""
    arr = values.to_numpy(dtype=object)
    if all(type(v) is list for v in arr):
        return values
    out = np.empty(len(arr), dtype=object)
    for i, v in enumerate(arr):
        if isinstance(v, list):
            out[i] = v
        elif isinstance(v, np.ndarray | tuple):
            out[i] = [str(t) for t in v]
        elif isinstance(v, str):
            out[i] = _split_tag_string(v)
        else:
            out[i] = []
    return pd.Series(out, index=values.index, dtype=object)


def _split_tag_string(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            inner = text.strip("[]")
            parsed = [t.strip().strip("'\"") for t in inner.split(",")]
        return [str(t) for t in parsed if str(t)]
    sep = ";" if ";" in text else ","
    return [t.strip() for t in text.split(sep) if t.strip()]


# --------------------------------------------------------------------------------------------
# normalisation shared by every format


def _pick(frame: pd.DataFrame, canonical: str) -> tuple[pd.Series | None, list[str]]:
    """The first present spelling of a canonical column (filled from later spellings)."""
    names = [n for n in ALIASES[canonical] if n in frame.columns]
    if not names:
        return None, []
    series = frame[names[0]]
    for other in names[1:]:
        series = series.where(series.notna(), frame[other])
    return series, names


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "(missing)"
    text = repr(str(value))
    return text if len(text) <= 80 else text[:77] + "...'"


def _normalise(
    frame: pd.DataFrame, lines: np.ndarray, file: str, arrow_tags: Any = None
) -> tuple[pd.DataFrame, list[Skipped], Any, list[Skipped]]:
    """Raw columns -> design.md columns; bad rows out (reported), unknown columns kept.

    Also returns the tags as an arrow list array aligned with the rows, and the values of a
    `base_model` column that are not model ids.
    """
    frame = frame.reset_index(drop=True)
    used: set[str] = set()  # source columns folded into the canonical ones
    flags = _RowFlags(len(frame))
    ids = _check_ids(frame, flags, used)
    numbers = _check_numbers(frame, flags, used)
    skipped = flags.skipped(lines, file)
    if flags.bad.any():
        keep = ~flags.bad
        if arrow_tags is not None:
            arrow_tags = arrow_tags.filter(pa.array(keep))
        frame = frame[keep].reset_index(drop=True)
        ids = ids[keep].reset_index(drop=True)
        numbers = {k: v[keep].reset_index(drop=True) for k, v in numbers.items()}
        lines = lines[keep] if len(lines) == len(keep) else lines
    out = _model_columns(frame, ids, numbers, used)
    arrow_tags = _add_tags_and_license(out, frame, arrow_tags, used)
    unparsed = _base_model_column(out, frame, lines, file, used)
    for col in _kept_columns(frame, out, used):
        out[col] = frame[col].to_numpy()
    return out, skipped, arrow_tags, unparsed


class _RowFlags:
    """Malformed rows, each with the first reason found for it."""

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.reasons = np.empty(n, dtype=object)

    def flag(self, mask: np.ndarray, make_reason: Callable[[int], str]) -> None:
        new = mask & ~self.bad
        for i in np.flatnonzero(new):
            self.reasons[i] = make_reason(i)
        self.bad[new] = True

    def skipped(self, lines: np.ndarray, file: str) -> list[Skipped]:
        return [
            Skipped(file, int(lines[i]) if len(lines) else None, self.reasons[i])
            for i in np.flatnonzero(self.bad)
        ]


def _check_ids(frame: pd.DataFrame, flags: _RowFlags, used: set[str]) -> pd.Series:
    """The cleaned ids (NA where invalid); missing, too long and invalid ones are flagged."""
    raw_id, names = _pick(frame, "id")
    used.update(names)
    if raw_id is None:
        raw_id = pd.Series(pd.NA, index=frame.index, dtype="string")
    raw_text = raw_id.astype("string")
    ids, too_long = lin.check_ids(raw_text)
    missing = raw_text.isna() | (raw_text.str.strip() == "")
    flags.flag(missing.fillna(True).to_numpy(bool), lambda i: "missing or empty id")
    flags.flag(too_long, lambda i: f"id longer than {lin.MAX_ID_LENGTH} characters")
    flags.flag(ids.isna().to_numpy(bool), lambda i: f"invalid id {_show(raw_text.iloc[i])}")
    return ids


def _check_numbers(
    frame: pd.DataFrame, flags: _RowFlags, used: set[str]
) -> dict[str, pd.Series]:
    """downloads and likes as numbers; non-numeric and negative ones are flagged."""
    numbers: dict[str, pd.Series] = {}
    for col in _INT_COLUMNS:
        raw, names = _pick(frame, col)
        used.update(names)
        if raw is None:
            numbers[col] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            continue
        value = pd.to_numeric(raw, errors="coerce")
        if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
            # empty strings count as missing, anything else unparsable is malformed
            text = raw.astype("string").str.strip()
            given = text.notna() & (text != "")
        else:
            given = raw.notna()
        flags.flag(
            (given & value.isna()).to_numpy(bool),
            lambda i, c=col, r=raw: f"non-numeric {c} {_show(r.iloc[i])}",
        )
        flags.flag(
            (value < 0).fillna(False).to_numpy(bool), lambda i, c=col, r=raw: f"negative {c}"
        )
        numbers[col] = value
    return numbers


def _model_columns(
    frame: pd.DataFrame, ids: pd.Series, numbers: dict[str, pd.Series], used: set[str]
) -> pd.DataFrame:
    """id, author (owner of the id, else the author column), name, counts, dates, strings."""
    out = pd.DataFrame(index=frame.index)
    out["id"] = ids.astype("string")
    author, names = _pick(frame, "author")
    used.update(names)
    owner, name = lin.split_ids(out["id"])
    if author is not None:
        owner = owner.fillna(author.astype("string").str.strip().replace("", pd.NA))
    out["author"] = owner.astype("string")
    out["name"] = name
    for col in _INT_COLUMNS:
        out[col] = numbers[col].round().astype("Int64")
    for col in _DATE_COLUMNS:
        raw, names = _pick(frame, col)
        used.update(names)
        out[col] = _dates(raw, len(frame))
    for col in ("pipeline_tag", "library_name"):
        raw, names = _pick(frame, col)
        used.update(names)
        out[col] = _strings(raw, len(frame))
    return out


def _add_tags_and_license(
    out: pd.DataFrame, frame: pd.DataFrame, arrow_tags: Any, used: set[str]
) -> Any:
    """Adds license, tags and the card's declared parents to `out`; returns the tags as an
    arrow list array. License: the `license:` tag, then card data, then a license column."""
    tags_raw, names = _pick(frame, "tags")
    used.update(names)
    if tags_raw is None:
        tags = _empty_lists(len(frame))
        arrow_tags = pa.ListArray.from_arrays(
            pa.array(np.zeros(len(frame) + 1, dtype=np.int32)), pa.array([], pa.string())
        )
    else:
        tags = _tags_column(tags_raw)
    card = frame["_card"] if "_card" in frame.columns else None
    cards = card.map(lin.parse_mapping) if card is not None else None

    lic_raw, names = _pick(frame, "license")
    used.update(names)
    if arrow_tags is None or len(arrow_tags) != len(tags):
        arrow_tags = lin.tag_lists(tags)
    license_ = pd.Series(lin.first_tag_value(arrow_tags, "license:").array, index=tags.index)
    if cards is not None:
        from_card = cards.map(_card_license, na_action="ignore")
        license_ = license_.fillna(from_card.astype("string"))
    if lic_raw is not None:
        license_ = license_.fillna(_strings(lic_raw, len(frame)))
    out["license"] = license_.astype("string")
    out["tags"] = tags
    out["_card_parents"] = (
        cards.map(lin.parents_from_card, na_action="ignore") if cards is not None else None
    )
    # for the joins (pipeline/joins.py): the card's datasets and the record's Spaces, as lists
    if cards is not None:
        out["card_datasets"] = cards.map(_card_datasets, na_action="ignore")
    if "_spaces" in frame.columns:
        out["spaces"] = frame["_spaces"].to_numpy()
    return arrow_tags


BASE_MODEL_COLUMN = "base_model"  # an export's declared parents: one id or a list of them
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")


def _base_model_items(value: object) -> list[object]:
    """The parent ids in one `base_model` cell: a list, a JSON/Python list string, or ids
    separated by commas/semicolons."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [v for v in value if v is not None]
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        parsed = lin.parse_mapping(f'{{"v": {text}}}')  # JSON or Python repr, one parser
        if parsed is not None and isinstance(parsed.get("v"), list):
            return [v for v in parsed["v"] if v is not None]
        return [text]  # not a list after all: reported as not an id
    return [t for t in _LIST_SPLIT.split(text) if t]


def _base_model_column(
    out: pd.DataFrame, frame: pd.DataFrame, lines: np.ndarray, file: str, used: set[str]
) -> list[Skipped]:
    """Adds the parents named in a `base_model` column (with `base_model_relation`, if any) to
    the card's declared parents; returns the values that are not model ids."""
    col = BASE_MODEL_COLUMN
    if col not in frame.columns:
        return []
    used.update({col, "base_model_relation"})
    relations = frame.get("base_model_relation")
    card = out["_card_parents"] if isinstance(out.get("_card_parents"), pd.Series) else None
    unparsed: list[Skipped] = []
    merged = np.empty(len(frame), dtype=object)
    for i, value in enumerate(frame[col].tolist()):
        relation = lin.normalise_relation(relations.iloc[i]) if relations is not None else "unknown"
        pairs = list(card.iloc[i]) if card is not None and isinstance(card.iloc[i], list) else []
        for item in _base_model_items(value):
            parent = lin.normalise_id(item) if isinstance(item, str) else None
            if parent is None:
                line = int(lines[i]) if i < len(lines) else None
                unparsed.append(
                    Skipped(file, line, f"{col} {_show(item)} is not a model id (parent ignored)")
                )
            elif parent != out["id"].iloc[i] and all(p != parent for p, _ in pairs):
                pairs.append((parent, relation))
        merged[i] = pairs or None
    out["_card_parents"] = pd.Series(merged, index=out.index, dtype=object)
    return unparsed


def _kept_columns(frame: pd.DataFrame, out: pd.DataFrame, used: set[str]) -> list[str]:
    """Source columns kept as they are: not folded into a canonical one, not dropped."""
    return [
        c
        for c in frame.columns
        if c not in used
        and c not in DROPPED_COLUMNS
        and c not in ("_card", "_spaces")
        and c not in out.columns
        and not _UNNAMED_RE.match(str(c))
    ]


def _dates(raw: pd.Series | None, n: int) -> pd.Series:
    if raw is None:
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw.dt.tz_localize("UTC") if raw.dt.tz is None else raw.dt.tz_convert("UTC")
    else:
        values = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    return values.astype("datetime64[ns, UTC]").reset_index(drop=True)


def _strings(raw: pd.Series | None, n: int) -> pd.Series:
    if raw is None:
        return pd.Series(pd.NA, index=range(n), dtype="string")
    text = raw.astype("string").str.strip()
    return text.where(text != "").reset_index(drop=True)


def _empty_lists(n: int) -> pd.Series:
    out = np.empty(n, dtype=object)
    out[:] = [[] for _ in range(n)]  # one list object per row, not a 2-D array
    return pd.Series(out, dtype=object)


def _card_datasets(card: object) -> list[str] | None:
    """The card's `datasets` entry as a list of strings (None when it has none)."""
    if not isinstance(card, dict):
        return None
    value = card.get("datasets")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return None
    out = [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return out or None


def _card_license(card: object) -> str | None:
    if not isinstance(card, dict):
        return None
    value = card.get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


# --------------------------------------------------------------------------------------------
# merging files


def empty_models() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": pd.Series([], dtype="string"),
            "author": pd.Series([], dtype="string"),
            "name": pd.Series([], dtype="string"),
            "downloads": pd.Series([], dtype="Int64"),
            "likes": pd.Series([], dtype="Int64"),
            "created_at": pd.Series([], dtype="datetime64[ns, UTC]"),
            "last_modified": pd.Series([], dtype="datetime64[ns, UTC]"),
            "pipeline_tag": pd.Series([], dtype="string"),
            "library_name": pd.Series([], dtype="string"),
            "license": pd.Series([], dtype="string"),
            "tags": pd.Series([], dtype=object),
            "base_models": pd.Series([], dtype=object),
        }
    )
    return frame


def _tidy_extra(values: pd.Series) -> pd.Series:
    """A kept source column with one type, so the table writes to Parquet.

    Files disagree (`gated` is False in one record and "auto" in the next; a column missing from
    one file is NaN there): uniform bool/int/float columns get nullable dtypes, others strings.
    """
    if values.dtype != object:
        return values
    kind = pd.api.types.infer_dtype(values, skipna=True)
    target = {
        "boolean": "boolean",
        "integer": "Int64",
        "floating": "Float64",
        "mixed-integer-float": "Float64",
    }.get(kind)
    if target:
        try:
            return values.astype(target)
        except (TypeError, ValueError):
            pass
    text = values.map(str, na_action="ignore")
    return text.astype("string")


def _merge(parts: list[_Part], inputs: list[dict]) -> SourceResult:
    skipped = [s for p in parts for s in p.skipped]
    unparsed = [s for p in parts for s in p.unparsed]
    for s in unparsed[:UNPARSED_SHOWN]:
        log.warning("%s:%s: %s", s.file, s.line, s.reason)
    with_models = [p for p in parts if p.models is not None and len(p.models)]
    if with_models:
        models = (
            pd.concat([p.models for p in with_models], ignore_index=True, sort=False)
            if len(with_models) > 1
            else with_models[0].models
        )
        tags = pa.concat_arrays([lin.tag_lists(p.tags) for p in with_models])
        last = ~models.duplicated("id", keep="last").to_numpy(bool)
        duplicates = int(len(models) - last.sum())
        if duplicates:
            models = models[last].reset_index(drop=True)
            tags = tags.filter(pa.array(last))
    else:
        models = empty_models().assign(_card_parents=pd.Series([], dtype=object))
        tags = pa.array([], type=pa.list_(pa.string()))
        duplicates = 0
    for col in _STRING_COLUMNS:
        models[col] = models[col].astype("string")
    for col in _INT_COLUMNS:
        models[col] = models[col].astype("Int64")
    for col in _DATE_COLUMNS:
        models[col] = models[col].astype("datetime64[ns, UTC]")

    pieces = [lin.lineage_from_tags(models["id"], tags)]
    if "_card_parents" in models.columns and models["_card_parents"].notna().any():
        pieces.append(lin.lineage_from_card_parents(models["id"], models["_card_parents"]))
    own = lin.clean_lineage(pd.concat(pieces, ignore_index=True), validate=False)
    models["base_models"] = lin.base_models_column(models["id"], own)
    models = models.drop(columns=["_card_parents"], errors="ignore")
    ordered = MODEL_COLUMNS + [c for c in models.columns if c not in MODEL_COLUMNS]
    models = models[ordered]
    for col in ordered[len(MODEL_COLUMNS) :]:
        if col not in JOIN_LIST_COLUMNS:  # lists of names, kept as lists
            models[col] = _tidy_extra(models[col])

    files = [p.lineage for p in parts if p.lineage is not None and len(p.lineage)]
    lineage = lin.clean_lineage(pd.concat([own, *files], ignore_index=True), validate=False)
    return SourceResult(models, lineage, skipped, inputs, duplicates, unparsed)
