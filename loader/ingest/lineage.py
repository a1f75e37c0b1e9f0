"""Declared lineage: which model says it is built on which.

The Hub records a model's parents in two places:

* tags ``base_model:<relation>:<id>`` (relation finetune / quantized / adapter / merge) and a
  plain ``base_model:<id>`` (relation unknown);
* the model card's ``base_model`` (a string or a list) and, when present, ``base_model_relation``.

Lineage edge files (``source,target,edge`` as in hf-dep-network-analysis) say the same thing as
rows. Everything here is a pure function; the lineage table has the columns
``child, parent, relation, origin`` (origin ``tag`` / ``card`` / ``file``).

Usage::

    >>> parents_from_tags(["base_model:finetune:mistralai/Mistral-7B-v0.1", "license:mit"])
    [('mistralai/Mistral-7B-v0.1', 'finetune')]
    >>> parents_from_card({"base_model": ["a/b", "c/d"], "base_model_relation": "merge"})
    [('a/b', 'merge'), ('c/d', 'merge')]
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

RELATIONS = ("finetune", "quantized", "adapter", "merge", "unknown")
LINEAGE_COLUMNS = ["child", "parent", "relation", "origin"]

# Spellings seen on the Hub and in edge files -> the canonical relation name.
_RELATION_ALIASES = {
    "finetune": "finetune",
    "finetuned": "finetune",
    "fine-tune": "finetune",
    "fine-tuned": "finetune",
    "fine_tune": "finetune",
    "fine_tuned": "finetune",
    "quantized": "quantized",
    "quantised": "quantized",
    "quantization": "quantized",
    "quantisation": "quantized",
    "quant": "quantized",
    "adapter": "adapter",
    "adapters": "adapter",
    "lora": "adapter",
    "peft": "adapter",
    "merge": "merge",
    "merged": "merge",
    "merges": "merge",
}

# A Hub repo id: `name` or `owner/name`, letters, digits, `_`, `.`, `-`, at most MAX_ID_LENGTH
# characters. `normalise_id` (one value) and `check_ids` (a column) both apply exactly this rule.
ID_PATTERN = r"^[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)?$"
# The Hub caps a repo name at 96 characters and user/organisation names are far shorter, so a
# real `owner/name` stays well below 200. Anything longer is not an id; unchecked, one 50 MB
# "id" made a build spend 7 GB on its name n-grams before it crashed.
MAX_ID_LENGTH = 200
_ID_RE = re.compile(ID_PATTERN)
_HUB_PREFIX_RE = re.compile(r"^(?:https?://)?(?:www\.)?huggingface\.co/(?:models/)?", re.I)
_HUB_PREFIX_RE2 = r"^(?i:(?:https?://)?(?:www\.)?huggingface\.co/(?:models/)?)"  # RE2 spelling

_ORIGIN_RANK = {"tag": 0, "card": 1, "file": 2}


def normalise_relation(value: object) -> str:
    """Canonical relation name (finetune/quantized/adapter/merge/unknown).

    >>> normalise_relation("Finetuned"), normalise_relation("quantization"), normalise_relation("")
    ('finetune', 'quantized', 'unknown')
    """
    if not isinstance(value, str):
        return "unknown"
    return _RELATION_ALIASES.get(value.strip().lower(), "unknown")


def normalise_id(value: object) -> str | None:
    """A clean model id, or None when `value` is not one (URLs are reduced to `owner/name`)."""
    if not isinstance(value, str):
        return None
    text = _HUB_PREFIX_RE.sub("", value.strip()).strip("/")
    if not text or len(text) > MAX_ID_LENGTH or not _ID_RE.match(text):
        return None
    if text.strip(".") == "" or "/." in text:
        return None
    return text


def parse_mapping(value: object) -> dict | None:
    """Parse card data into a dict: a dict as is, or a JSON / Python-repr / YAML string.

    Hub dumps hold all three: the API serves a dict, some recordings keep its Python repr,
    `ModelInfo.card_data` serialised by `str()` is the card's YAML header.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text[0] == "{":
        for parse in (json.loads, ast.literal_eval):
            try:
                out = parse(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(out, dict):
                return out
    try:
        import yaml  # a dependency of huggingface_hub

        out = yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - any YAML failure just means "no card data"
        return None
    return out if isinstance(out, dict) else None


def parse_base_model_tag(tag: object) -> tuple[str, str] | None:
    """`base_model:<relation>:<id>` or `base_model:<id>` -> (parent id, relation), else None."""
    if not isinstance(tag, str) or not tag.startswith("base_model:"):
        return None
    rest = tag[len("base_model:") :]
    relation = "unknown"
    head, sep, tail = rest.partition(":")
    if sep and ("/" not in head):
        relation, rest = normalise_relation(head), tail
    parent = normalise_id(rest)
    return (parent, relation) if parent else None


def parents_from_tags(tags: Iterable[str] | None) -> list[tuple[str, str]]:
    """Declared parents in a tag list, one per parent (a known relation beats `unknown`)."""
    if tags is None or isinstance(tags, str):
        return []
    found = (parse_base_model_tag(t) for t in tags)
    return _merge_pairs(p for p in found if p)


def parents_from_card(card: object) -> list[tuple[str, str]]:
    """Declared parents in card data (dict or string): `base_model` str|list + relation."""
    data = parse_mapping(card)
    if not data or "base_model" not in data:
        return []
    base = data.get("base_model")
    if isinstance(base, str):
        bases = [base]
    elif isinstance(base, (list, tuple)):
        bases = [b for b in base if isinstance(b, str)]
    else:
        return []
    relation = normalise_relation(data.get("base_model_relation"))
    return _merge_pairs((p, relation) for p in map(normalise_id, bases) if p)


def declared_parents(child: str, tags: Iterable[str] | None, card: object) -> list[dict]:
    """All declared parents of one model: `[{"id", "relation", "origin"}]`, no self-loops."""
    rows = [(p, r, "tag") for p, r in parents_from_tags(tags)]
    rows += [(p, r, "card") for p, r in parents_from_card(card)]
    best: dict[str, tuple[str, str]] = {}
    for parent, relation, origin in rows:
        if parent == child:
            continue
        if parent not in best or (best[parent][0] == "unknown" and relation != "unknown"):
            best[parent] = (relation, origin)
    return [{"id": p, "relation": r, "origin": o} for p, (r, o) in best.items()]


def _merge_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    best: dict[str, str] = {}
    for parent, relation in pairs:
        if best.get(parent, "unknown") == "unknown":
            best[parent] = relation
    return list(best.items())


def empty_lineage() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in LINEAGE_COLUMNS})


def lineage_from_tags(ids: pd.Series, tags: pd.Series | pa.Array) -> pd.DataFrame:
    """Vectorised tag parsing over a whole table (`tags`: lists of strings, or `tag_lists`)."""
    flat, rows = _flat_tags(tags, "base_model:")
    if len(flat) == 0:
        return empty_lineage()
    rest = pc.utf8_slice_codeunits(flat, len("base_model:"))
    parts = pc.extract_regex(rest, r"^(?P<rel>[^:/]*):(?P<pid>.*)$")
    has_rel = pc.is_valid(parts)
    rel = pc.if_else(has_rel, pc.utf8_lower(pc.struct_field(parts, "rel")), "unknown")
    parent = pc.if_else(has_rel, pc.struct_field(parts, "pid"), rest)
    relation = _map_relations(rel)
    child = arrow_strings(ids).take(rows)
    parent = clean_ids(pd.Series(pd.array(parent, dtype="string")))
    return pd.DataFrame(
        {
            "child": pd.array(child, dtype="string"),
            "parent": parent.array,
            "relation": pd.array(relation, dtype="string"),
            "origin": pd.array(["tag"] * len(flat), dtype="string"),
        }
    )


def _map_relations(values: pa.Array) -> pa.Array:
    """Vectorised `normalise_relation` over arrow strings."""
    keys = pa.array(list(_RELATION_ALIASES), pa.string())
    targets = pa.array(list(_RELATION_ALIASES.values()), pa.string())
    index = pc.index_in(pc.utf8_lower(pc.utf8_trim_whitespace(values)), value_set=keys)
    return pc.fill_null(targets.take(index), "unknown")


def first_tag_value(tags: pd.Series | pa.Array, prefix: str) -> pd.Series:
    """Per row, the rest of the first tag starting with `prefix` (e.g. `license:`), else NA."""
    flat, rows = _flat_tags(tags, prefix)
    index = tags.index if isinstance(tags, pd.Series) else pd.RangeIndex(len(tags))
    out = pd.Series(pd.NA, index=index, dtype="string")
    if len(flat):
        rows, first = np.unique(rows, return_index=True)
        values = pc.utf8_slice_codeunits(flat.take(pa.array(first)), len(prefix))
        out.iloc[rows] = pd.array(values, dtype="string")
    return out


def tag_lists(tags: pd.Series | pa.Array) -> pa.Array:
    """Tags as an arrow list<string> array (from a column of lists, or passed through)."""
    if isinstance(tags, pa.ChunkedArray):
        return tags.combine_chunks()
    if isinstance(tags, pa.Array):
        return tags
    values = tags.tolist()
    if not all(type(t) is list for t in values):
        values = [t if isinstance(t, list) else [] if t is None else list(t) for t in values]
    try:
        return pa.array(values, type=pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a non-string tag somewhere
        return pa.array(
            [[str(t) for t in row if t is not None] for row in values], type=pa.list_(pa.string())
        )


def _flat_tags(tags: pd.Series | pa.Array, prefix: str) -> tuple[pa.Array, np.ndarray]:
    """All tags starting with `prefix`, flattened, with the row each came from."""
    lists = tag_lists(tags)
    flat = pc.list_flatten(lists)
    rows = pc.list_parent_indices(lists)
    mask = pc.fill_null(pc.starts_with(flat, prefix), False)
    return flat.filter(mask), rows.filter(mask).to_numpy()


def lineage_from_card_parents(ids: pd.Series, card_parents: pd.Series) -> pd.DataFrame:
    """Rows from a column of `[(parent, relation), ...]` lists (as `parents_from_card` gives)."""
    pairs = card_parents.to_numpy(dtype=object)
    have = np.fromiter((bool(p) if isinstance(p, list) else False for p in pairs), bool, len(pairs))
    if not have.any():
        return empty_lineage()
    frame = pd.DataFrame({"child": ids[have].to_numpy(dtype=object), "pair": pairs[have]})
    frame = frame.explode("pair", ignore_index=True)
    return pd.DataFrame(
        {
            "child": frame["child"].to_numpy(),
            "parent": [p[0] for p in frame["pair"]],
            "relation": [p[1] for p in frame["pair"]],
            "origin": "card",
        }
    )


def lineage_from_edges(
    source: pd.Series, target: pd.Series, edge: pd.Series | None
) -> pd.DataFrame:
    """Rows from an edge file: `source` is the parent, `target` the child, `edge` the relation."""
    relation = (
        pd.Series("unknown", index=source.index)
        if edge is None
        else edge.astype("string").str.strip().str.lower().map(_RELATION_ALIASES).fillna("unknown")
    )
    return pd.DataFrame(
        {
            "child": target.to_numpy(),
            "parent": source.to_numpy(),
            "relation": relation.to_numpy(),
            "origin": "file",
        }
    )


def arrow_strings(values: pd.Series) -> pa.Array:
    """A pandas column as one contiguous arrow string array (nulls for NA)."""
    arr = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def clean_ids(values: pd.Series) -> pd.Series:
    """Vectorised `normalise_id`: clean ids, NA where a value is not a valid id."""
    return check_ids(values)[0]


def check_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """`clean_ids`, plus a mask of the values rejected for being longer than MAX_ID_LENGTH
    (so a reader can say why a row was skipped)."""
    arr = arrow_strings(values)
    arr = pc.utf8_trim_whitespace(arr)
    if pc.any(pc.match_substring(arr, "huggingface.co", ignore_case=True)).as_py():
        arr = pc.replace_substring_regex(arr, pattern=_HUB_PREFIX_RE2, replacement="")
    arr = pc.utf8_trim(arr, characters="/")
    too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), MAX_ID_LENGTH), False)
    if pc.any(too_long).as_py():  # drop them before the pattern checks copy them again
        arr = pc.if_else(too_long, pa.scalar(None, pa.string()), arr)
    ok = pc.and_(
        pc.match_substring_regex(arr, ID_PATTERN),
        pc.and_(
            pc.invert(pc.match_substring(arr, "/.")),
            pc.invert(pc.match_substring_regex(arr, r"^\.+$")),  # `.`, `..`: not names
        ),
    )
    arr = pc.if_else(pc.fill_null(ok, False), arr, pa.scalar(None, pa.string()))
    ids = pd.Series(pd.array(arr, dtype="string"), index=values.index)
    return ids, too_long.to_numpy(zero_copy_only=False)


def split_id(model_id: str) -> tuple[str | None, str]:
    """`owner/name` -> (owner, name); a bare id (`gpt2`) has no owner. The one owner/name rule
    (split at the first `/`); `split_ids` applies it to a column.

    >>> split_id("TheBloke/Llama-2-13B-chat-GPTQ")
    ('TheBloke', 'Llama-2-13B-chat-GPTQ')
    >>> split_id("gpt2")
    (None, 'gpt2')
    """
    owner, sep, name = model_id.partition("/")
    return ((owner or None), name) if sep else (None, model_id)


def split_ids(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`split_id` for a column of clean ids: (owner, name), owner NA for bare names (`gpt2`)."""
    arr = arrow_strings(ids)
    slash = pc.fill_null(pc.match_substring(arr, "/"), False)
    padded = pc.if_else(slash, arr, pc.binary_join_element_wise("", arr, "/"))
    parts = pc.split_pattern(padded, "/", max_splits=1)
    owner = pc.list_element(parts, 0)
    owner = pc.if_else(pc.equal(owner, ""), pa.scalar(None, pa.string()), owner)
    name = pc.list_element(parts, 1)
    return (
        pd.Series(pd.array(owner, dtype="string"), index=ids.index),
        pd.Series(pd.array(name, dtype="string"), index=ids.index),
    )


def clean_lineage(frame: pd.DataFrame, validate: bool = True) -> pd.DataFrame:
    """Drop invalid ids and self-loops; keep one row per (child, parent).

    A known relation beats `unknown`; then tag beats card beats file. `validate=False` skips
    the id check for rows already made of clean ids (as `read_sources` builds them).
    """
    if frame.empty:
        return empty_lineage()
    out = frame[LINEAGE_COLUMNS].astype("string")
    if validate:
        out["child"] = clean_ids(out["child"])
        out["parent"] = clean_ids(out["parent"])
        out = out.dropna(subset=["child", "parent"])
    out = out[(out["child"] != out["parent"]).fillna(False).to_numpy(bool)]
    rank = (out["relation"] == "unknown").to_numpy(bool).astype(np.int8) * 10 + out[
        "origin"
    ].map(_ORIGIN_RANK).fillna(9).to_numpy(np.int8)
    if len(out) and (rank.min() != rank.max()):
        out = out.iloc[np.argsort(rank, kind="stable")]
    out = out[~out.duplicated(["child", "parent"], keep="first").to_numpy(bool)]
    return out.sort_index(kind="stable").reset_index(drop=True)


def base_models_column(ids: pd.Series, lineage: pd.DataFrame) -> pd.Series:
    """Per id, the list `[{"id": parent, "relation": r}]` of its declared parents (ids unique)."""
    n = len(ids)
    if lineage.empty:
        values = [[] for _ in range(n)]
    else:
        id_arr = arrow_strings(ids)
        child = arrow_strings(lineage["child"])
        rows = pc.index_in(child, value_set=id_arr).to_numpy(zero_copy_only=False)
        rows = np.where(np.isnan(rows.astype(float)), -1, rows).astype(np.int64)
        keep = np.flatnonzero(rows >= 0)
        keep = keep[np.argsort(rows[keep], kind="stable")]
        counts = np.bincount(rows[keep], minlength=n)
        offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
        take = pa.array(keep)
        parents = arrow_strings(lineage["parent"]).take(take).to_pylist()
        relations = arrow_strings(lineage["relation"]).take(take).to_pylist()
        pairs = [{"id": p, "relation": r} for p, r in zip(parents, relations, strict=True)]
        bounds = offsets.to_numpy().tolist()
        # plain slicing is cheaper than arrow's list<struct> -> Python conversion
        starts, ends = bounds[:-1], bounds[1:]
        values = [pairs[a:b] if a != b else [] for a, b in zip(starts, ends, strict=True)]
    out = np.empty(n, dtype=object)
    out[:] = values  # 1-D array of list objects (np.array(values) would try to nest them)
    return pd.Series(out, index=ids.index, dtype=object)
