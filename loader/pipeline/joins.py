"""Joins with the rest of the Hub: which datasets a model is trained on, which papers it cites,
which Spaces use it (issue 14). Pure functions over the model table `read_sources` makes.

Where the model records say it:

* datasets: tags ``dataset:<id>`` and the card's ``datasets`` (a string or a list; the
  `read_sources` column ``card_datasets``). The Hub makes the ``dataset:`` tags from the card's
  list, so once normalised (`normalise_dataset_id`) both name a dataset the same way:
  ``dataset:squad_v2`` and the card's ``squad_v2`` are the one row ``squad_v2``. Legacy canonical
  datasets keep their owner-less id (``squad_v2``, ``wikipedia``): the Hub still serves them at
  that URL (redirecting to the organisation's copy), and no model record says which one it is.
* papers: tags ``arxiv:<id>``; the id without ``arxiv:``, lower case, version suffix dropped
  (``arxiv:1810.04805v2`` -> ``1810.04805``), so it is the key of ``huggingface.co/papers/<id>``.
* Spaces: the model record's ``spaces`` list (the Hub API's `ModelInfo.spaces`), column
  ``spaces``; and a fetched Spaces listing's ``models`` (`uses_from_spaces`).

Usage::

    tables = join_tables(models)   # {"datasets", "trained_on", "cites", "spaces", "uses"}
    tables["trained_on"]           # model, dataset, origin ("tag" / "card")
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from constellation.loader.ingest import lineage as lin

from constellation.errors import UserError

JOIN_TABLES = ("datasets", "trained_on", "cites", "spaces", "uses")
# model-table columns that only feed the joins (not Model properties)
SOURCE_COLUMNS = ("card_datasets", "spaces")

_DATASET_PREFIX_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?huggingface\.co/)?datasets/", re.IGNORECASE
)
_ARXIV_RE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[a-z]{2})?/\d{7})$")
_ARXIV_VERSION_RE = re.compile(r"v\d+$")


def normalise_dataset_id(value: object) -> str | None:
    """A dataset id as the Hub names it, or None when `value` is not one.

    >>> normalise_dataset_id(" squad_v2 "), normalise_dataset_id("https://huggingface.co/datasets/a/b")
    ('squad_v2', 'a/b')
    >>> normalise_dataset_id("datasets/glue"), normalise_dataset_id("not a dataset")
    ('glue', None)
    """
    if not isinstance(value, str):
        return None
    return lin.normalise_id(_DATASET_PREFIX_RE.sub("", value.strip()))


def normalise_arxiv_id(value: object) -> str | None:
    """An arXiv id without prefix or version, or None when `value` is not one.

    >>> normalise_arxiv_id("arxiv:1810.04805v2"), normalise_arxiv_id("hep-th/9901001")
    ('1810.04805', 'hep-th/9901001')
    >>> normalise_arxiv_id("arxiv:"), normalise_arxiv_id("1810")
    (None, None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    text = text.removeprefix("arxiv:").removeprefix("https://arxiv.org/abs/")
    text = _ARXIV_VERSION_RE.sub("", text)
    return text if _ARXIV_RE.match(text) else None


def _lists(column: pd.Series | None, n: int) -> pa.Array:
    """A column of lists (None / NaN / arrays elsewhere) as arrow list<string>."""
    if column is None:
        return pa.array([[]] * n, type=pa.list_(pa.string()))
    values = [
        [str(v) for v in x] if isinstance(x, list | tuple | np.ndarray) else []
        for x in column.tolist()
    ]
    return pa.array(values, type=pa.list_(pa.string()))


def _pairs(ids: pd.Series, lists: pa.Array, prefix: str = "") -> pd.DataFrame:
    """(owner id, value) per list entry starting with `prefix` (prefix removed)."""
    flat = pc.list_flatten(lists)
    rows = pc.list_parent_indices(lists)
    if prefix:
        mask = pc.fill_null(pc.starts_with(flat, prefix), False)
        flat = pc.utf8_slice_codeunits(flat.filter(mask), len(prefix))
        rows = rows.filter(mask)
    owner = lin.arrow_strings(ids).take(rows)
    return pd.DataFrame({"owner": owner.to_pylist(), "value": flat.to_pylist()})


def _normalised(values: Iterable[object], rule) -> list[str | None]:
    cache: dict[object, str | None] = {}  # a million rows share a few thousand names
    out = []
    for v in values:
        if v not in cache:
            cache[v] = rule(v)
        out.append(cache[v])
    return out


def trained_on(models: pd.DataFrame) -> pd.DataFrame:
    """model, dataset, origin: from `dataset:` tags (origin tag) and the card (origin card); one
    row per (model, dataset), the tag's origin first."""
    ids = models["id"]
    parts = [
        _pairs(ids, lin.tag_lists(models["tags"]), "dataset:").assign(origin="tag"),
        _pairs(ids, _lists(models.get("card_datasets"), len(models))).assign(origin="card"),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["value"] = _normalised(frame["value"], normalise_dataset_id)
    frame = frame.dropna(subset=["value"]).drop_duplicates(["owner", "value"], keep="first")
    return pd.DataFrame(
        {
            "model": pd.array(frame["owner"], dtype="string"),
            "dataset": pd.array(frame["value"], dtype="string"),
            "origin": pd.array(frame["origin"], dtype="string"),
        }
    )


def cites(models: pd.DataFrame) -> pd.DataFrame:
    """model, arxiv_id: from `arxiv:` tags."""
    frame = _pairs(models["id"], lin.tag_lists(models["tags"]), "arxiv:")
    frame["value"] = _normalised(frame["value"], normalise_arxiv_id)
    frame = frame.dropna(subset=["value"]).drop_duplicates(["owner", "value"])
    return pd.DataFrame(
        {
            "model": pd.array(frame["owner"], dtype="string"),
            "arxiv_id": pd.array(frame["value"], dtype="string"),
        }
    )


def uses_from_models(models: pd.DataFrame) -> pd.DataFrame:
    """space, model, origin "model": the Spaces each model record lists."""
    frame = _pairs(models["id"], _lists(models.get("spaces"), len(models)))
    frame["value"] = _normalised(frame["value"], lin.normalise_id)
    frame = frame.dropna(subset=["value"])
    return pd.DataFrame(
        {
            "space": pd.array(frame["value"], dtype="string"),
            "model": pd.array(frame["owner"], dtype="string"),
            "origin": "model",
        }
    )


def uses_from_spaces(spaces: pd.DataFrame) -> pd.DataFrame:
    """space, model, origin "space": the models each fetched Space says it uses."""
    frame = _pairs(spaces["id"], _lists(spaces.get("models"), len(spaces)))
    frame["value"] = _normalised(frame["value"], lin.normalise_id)
    frame = frame.dropna(subset=["value"])
    return pd.DataFrame(
        {
            "space": pd.array(frame["owner"], dtype="string"),
            "model": pd.array(frame["value"], dtype="string"),
            "origin": "space",
        }
    )


def _node_table(ids: pd.Series, listing: pd.DataFrame | None, key: str = "id") -> pd.DataFrame:
    """One row per id in `ids` or in a fetched listing; the listing's columns where it has them."""
    out = pd.DataFrame({key: pd.array(sorted(set(ids.dropna())), dtype="string")})
    if listing is None or listing.empty:
        return out
    listing = listing.drop_duplicates("id", keep="last").rename(columns={"id": key})
    merged = out.merge(listing, on=key, how="outer")
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


# --- fetched listings (`constellation fetch --kind datasets|spaces`) ------------------------

_LISTING_FIELDS = {  # node property -> the Hub's camelCase field
    "author": "author", "downloads": "downloads", "likes": "likes", "sdk": "sdk",
    "created_at": "createdAt", "last_modified": "lastModified",
}  # fmt: skip


def read_listing(path: str | Path, kind: str) -> pd.DataFrame:
    """A fetched datasets or Spaces snapshot (JSON Lines) as node rows: id, author, downloads,
    likes, dates, tags, and `task_categories` (datasets, from their tags) or `sdk` and `models`
    (Spaces). UserError naming the file and line for a line that is not a record with an id."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"--{kind} {path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{number}: not JSON ({exc.msg})") from None
            rid = lin.normalise_id(record.get("id")) if isinstance(record, dict) else None
            if rid is None:
                raise UserError(f"{path}:{number}: no valid {kind[:-1]} id")
            row: dict[str, Any] = {"id": rid}
            for name, field in _LISTING_FIELDS.items():
                if field in record and not isinstance(record[field], dict | list):
                    row[name] = record[field]
            tags = [str(t) for t in record.get("tags") or [] if isinstance(t, str)]
            row["tags"] = tags
            if kind == "datasets":
                row["task_categories"] = [
                    t.removeprefix("task_categories:") for t in tags
                    if t.startswith("task_categories:")
                ]  # fmt: skip
            else:
                row["models"] = [str(m) for m in record.get("models") or [] if isinstance(m, str)]
            rows.append(row)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame({"id": pd.Series([], dtype="string")})
    for col in ("downloads", "likes"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    for col in ("author", "sdk", "created_at", "last_modified"):
        if col in frame.columns:
            frame[col] = frame[col].astype("string")
    return frame


def join_tables(
    models: pd.DataFrame,
    datasets: pd.DataFrame | None = None,
    spaces: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The join artifacts of a model table, with fetched `datasets` / `spaces` listings (their
    rows become node properties; id column `id`). Every dataset a model names has a row in
    `datasets`; every Space in `uses` has one in `spaces`."""
    trained = trained_on(models)
    uses = uses_from_models(models)
    if spaces is not None and not spaces.empty:
        uses = pd.concat([uses, uses_from_spaces(spaces)], ignore_index=True)
        spaces = spaces.drop(columns=["models"], errors="ignore")
    uses = uses.drop_duplicates(["space", "model"], keep="first").reset_index(drop=True)
    return {
        "datasets": _node_table(trained["dataset"], datasets),
        "trained_on": trained.reset_index(drop=True),
        "cites": cites(models).reset_index(drop=True),
        "spaces": _node_table(uses["space"], spaces),
        "uses": uses,
    }
