"""A scale set: expand real Hub names into N realistic, distinct model ids.

The real ids (by default the Constellation CSV and the hf-dep-network-analysis metadata + lineage
in ../shared/data) come first; new ones are derived from them, round after round, the way the Hub
grows:

* quantisations by quantisers (`TheBloke/…-GPTQ`, `bartowski/…-Q4_K_M-GGUF`, `…-exl2-4.0bpw`),
* fine-tunes and adapters under new owners (`…-instruct`, `-dpo`, `-sft`, `-v0.2`, `-lora`),
* size variants (`7b` -> `13b`, `8x7b`, `1.1b` …),
* re-uploads / domain fine-tunes by new owners (`someuser/medical-<name>`),
* merges (`<A>-<B>-slerp`, two parents).

Derived models carry `base_model:<relation>:<parent>` tags (size variants are siblings, not
children), so the set has lineage too; real models keep their declared lineage. Downloads and
likes are heavy-tailed (log-normal). Everything is vectorised (numpy + pyarrow compute) and
deterministic for a seed: 1M ids in well under a minute.

Usage::

    from constellation.loader.ingest.generate import generate_ids
    table = generate_ids(1_000_000, seed=0)          # pandas DataFrame, read_sources columns
    # CLI: constellation generate --n 1000000 --seed 0 --out /tmp/ids.parquet
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from constellation.loader.ingest.lineage import clean_ids

from constellation.errors import UserError

log = logging.getLogger(__name__)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEFAULT_SOURCES = (
    SHARED_DATA / "constellation" / "HuggingFaceLLMsWithParamsAndReadmeLinks.csv",
    SHARED_DATA / "hf-dep-network-analysis" / "metadata_c952a70.csv",
    SHARED_DATA / "hf-dep-network-analysis" / "edges_c952a70.csv",
)
SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "models.jsonl"

MAX_NAME = 96  # the Hub's limit on a repo name

QUANTISERS = (
    "TheBloke bartowski mradermacher QuantFactory unsloth MaziyarPanahi LoneStriker "
    "lmstudio-community second-state mlx-community TheBloke bartowski mradermacher"
).split()
QUANT_SUFFIXES = (
    "GPTQ AWQ GGUF GGUF GGUF Q4_K_M-GGUF Q8_0-GGUF Q5_K_M-GGUF i1-GGUF 4bit bnb-4bit 8bit "
    "exl2-4.0bpw exl2-6.0bpw 4.65bpw-h6-exl2 GPTQ-Int4 AWQ-4bit mlx-4bit fp16 GGML"
).split()
FINETUNE_SUFFIXES = (
    "instruct chat dpo sft orpo it v0.2 v2 v1.1 uncensored alpaca roleplay rp code math "
    "finetuned ft merged 16k 32k-context chatml hermes dolphin german korean tr ja"
).split()
ADAPTER_SUFFIXES = "lora qlora lora-adapter peft adapter".split()
DOMAINS = (
    "medical legal finance german french korean japanese turkish chinese arabic tiny mini "
    "code math sql story bio law med chem edu"
).split()
SIZES = (
    "125m 350m 500m 1b 1.1b 1.3b 1.5b 2b 3b 4b 7b 8b 9b 13b 14b 20b 30b 34b 70b 72b 8x7b 8x22b"
).split()
MERGE_METHODS = "slerp ties dare-ties linear passthrough task-arithmetic model-stock".split()
NAME_HEADS = (
    "neural deep open quant tiny big smart fast local ai llm data lab byte tensor vector "
    "pixel cloud dark bright red blue green silver golden mighty happy lazy quiet wild"
).split()
NAME_TAILS = (
    "fox coder wizard monk owl bear cat panda mind forge works labs hub ai ml dev bot "
    "smith tuner hacker nerd sage pilot crew garden rocket"
).split()
SIZE_PATTERN = r"(?i)^(?P<pre>.*?)(?P<size>\d+(?:\.\d+)?[bm]|\d+x\d+b)(?P<post>(?:[^0-9a-z].*)?)$"

OPS = ("quantize", "finetune", "adapter", "size", "reupload", "merge")
OP_RELATION = {
    "quantize": "quantized",
    "finetune": "finetune",
    "adapter": "adapter",
    "size": None,
    "reupload": "finetune",
    "merge": "merge",
}


@dataclass(frozen=True)
class GenerateParams:
    """Shape of the generated set (defaults give a Hub-like mix)."""

    op_weights: tuple[float, ...] = (0.34, 0.28, 0.05, 0.12, 0.14, 0.07)  # order of OPS
    known_quantiser_share: float = 0.6  # quantisations by the big quantisers, else by new owners
    same_owner_share: float = 0.3  # fine-tunes / size variants under the parent's owner
    real_parent_share: float = 0.6  # parents drawn from the real ids, else from generated ones
    oversample: float = 1.25  # candidates per missing id in a round (collisions are dropped)
    max_rounds: int = 30


# --------------------------------------------------------------------------------------------
# string helpers over pyarrow arrays


def _s(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(values, type=pa.string(), from_pandas=True)


def _join(*parts) -> pa.Array:
    return _s(pc.binary_join_element_wise(*parts, ""))


def _pick(rng: np.random.Generator, words: Sequence[str], n: int) -> pa.Array:
    return pa.array(list(words), pa.string()).take(pa.array(rng.integers(0, len(words), n)))


def _synthetic_owners(rng: np.random.Generator, real_owners: pa.Array, n: int) -> pa.Array:
    """New usernames: word pairs, words + digits, or a real owner recombined with a word/digits."""
    head, tail = _pick(rng, NAME_HEADS, n), _pick(rng, NAME_TAILS, n)
    digits = pa.array(rng.integers(1, 10_000, n).astype(str), pa.string())
    seps = _pick(rng, ["", "-", ""], n)  # Hub usernames: letters, digits and dashes
    real = real_owners.take(pa.array(rng.integers(0, len(real_owners), n)))
    style = rng.integers(0, 4, n)
    words = _join(head, seps, tail)
    out = pc.if_else(pa.array(style == 0), words, _join(words, digits))
    out = pc.if_else(pa.array(style == 2), _join(real, "-", tail), out)
    out = pc.if_else(pa.array(style == 3), _join(head, seps, real), out)
    return _s(out)


# --------------------------------------------------------------------------------------------
# seeds


@dataclass
class _Pool:
    """Columns of the models generated so far (arrow strings, numpy numbers)."""

    owner: pa.Array
    name: pa.Array
    downloads: np.ndarray
    created: np.ndarray  # int64 seconds since epoch
    quantised: np.ndarray  # bool: a quantisation is never a parent


def _read_seeds(sources: Sequence[str | Path] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from constellation.loader.ingest.sources import read_sources

    if sources:
        paths = list(sources)
    elif all(p.exists() for p in DEFAULT_SOURCES):
        paths = list(DEFAULT_SOURCES)
    else:
        log.warning("%s not found, expanding the demo sample", SHARED_DATA)
        paths = [SAMPLE]
    result = read_sources(paths, progress=False)
    if result.models.empty:
        raise UserError(f"no model ids in {', '.join(map(str, paths))}")
    models = result.models.sort_values("id", kind="stable").reset_index(drop=True)
    return models, result.lineage


def _seconds(dates: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Epoch seconds; missing dates drawn uniformly over 2021-2025."""
    lo, hi = 1_609_459_200, 1_748_736_000  # 2021-01-01 .. 2025-06-01
    values = dates.astype("datetime64[ns, UTC]").dt.tz_convert(None).to_numpy()
    values = values.astype("datetime64[s]")
    seconds = values.astype(np.int64)
    missing = np.isnat(values)
    seconds[missing] = rng.integers(lo, hi, int(missing.sum()))
    return seconds


# --------------------------------------------------------------------------------------------
# one round of derivation


def _derive(
    rng: np.random.Generator, pool: _Pool, n_real: int, m: int, params: GenerateParams
) -> dict:
    """m candidate models derived from the pool (may collide; the caller dedupes)."""
    eligible = np.flatnonzero(~pool.quantised)
    real_eligible = eligible[eligible < n_real]
    gen_eligible = eligible[eligible >= n_real]
    use_real = rng.random(m) < params.real_parent_share
    if len(gen_eligible) == 0:
        use_real[:] = True
    parent = np.where(
        use_real,
        real_eligible[rng.integers(0, len(real_eligible), m)],
        gen_eligible[rng.integers(0, max(len(gen_eligible), 1), m)]
        if len(gen_eligible)
        else 0,
    )
    weights = np.asarray(params.op_weights, dtype=float)
    op = rng.choice(len(OPS), size=m, p=weights / weights.sum())
    other = eligible[rng.integers(0, len(eligible), m)]
    real_owners = pc.drop_null(pool.owner.slice(0, n_real))
    owners: list[pa.Array] = []
    names: list[pa.Array] = []
    order: list[np.ndarray] = []
    # each variant is built only on its own rows, then all are put back in row order
    for k, which in enumerate(OPS):
        rows = np.flatnonzero(op == k)
        if len(rows) == 0:
            continue
        owner, name = _variant(
            rng, which, pool, parent[rows], other[rows], real_owners, params
        )
        owners.append(owner)
        names.append(name)
        order.append(rows)
    back = pa.array(np.argsort(np.concatenate(order), kind="stable"))
    owner = pa.concat_arrays(owners).take(back)
    name = pa.concat_arrays(names).take(back)

    # numbers: derived models are mostly smaller than their parents, with a heavy tail
    base = np.log1p(pool.downloads[parent].astype(float))
    mu = np.maximum(np.where(op == OPS.index("quantize"), base * 0.55, base * 0.35), 1.0)
    downloads = np.floor(np.expm1(np.maximum(rng.normal(mu, 1.8), 0.0))).astype(np.int64)
    created = pool.created[parent] + rng.exponential(90 * 86_400, m).astype(np.int64)
    is_merge = op == OPS.index("merge")
    created[is_merge] = np.maximum(created[is_merge], pool.created[other[is_merge]])
    return {
        "owner": _s(owner),
        "name": _s(name),
        "op": op,
        "parent": parent,
        "other": other,
        "downloads": downloads,
        "created": created,
    }


def _head_words(names: pa.Array, two: np.ndarray) -> pa.Array:
    """The first word of each name, or its first two when `two` (words split at - _ .)."""
    parts = pc.extract_regex(names, r"^(?P<one>[^-_.]+)(?P<two>(?:[-_.][^-_.]+)?)")
    one = pc.utf8_slice_codeunits(pc.struct_field(parts, "one"), 0, 24)
    both = _join(one, pc.utf8_slice_codeunits(pc.struct_field(parts, "two"), 0, 24))
    out = pc.if_else(pa.array(two), both, one)
    return _s(pc.if_else(pc.is_valid(parts), out, pc.utf8_slice_codeunits(names, 0, 24)))


def _variant(
    rng: np.random.Generator,
    which: str,
    pool: _Pool,
    parent: np.ndarray,
    other: np.ndarray,
    real_owners: pa.Array,
    params: GenerateParams,
) -> tuple[pa.Array, pa.Array]:
    """(owner, name) of `len(parent)` new models of one kind."""
    m = len(parent)
    take = pa.array(parent)
    p_owner, p_name = pool.owner.take(take), pool.name.take(take)
    fresh = _synthetic_owners(rng, real_owners, m)
    sep = _pick(rng, ["-", "-", "-", "_", "."], m)
    if which == "quantize":
        owner = pc.if_else(
            pa.array(rng.random(m) < params.known_quantiser_share),
            _pick(rng, QUANTISERS, m),
            fresh,
        )
        dash = pc.if_else(pa.array(rng.random(m) < 0.85), "-", sep)
        return _s(owner), _join(p_name, dash, _pick(rng, QUANT_SUFFIXES, m))
    if which == "merge":
        o_name = pool.name.take(pa.array(other))
        # the first one or two words of each parent, as mergekit users name them
        a = _head_words(p_name, rng.random(m) < 0.5)
        b = _head_words(o_name, rng.random(m) < 0.5)
        return fresh, _join(a, "-", b, "-", _pick(rng, MERGE_METHODS, m))
    if which == "reupload":  # same name, or a domain word before/after it
        domain = _pick(rng, DOMAINS, m)
        style = rng.integers(0, 3, m)
        name = pc.if_else(pa.array(style == 0), p_name, _join(domain, "-", p_name))
        name = pc.if_else(pa.array(style == 2), _join(p_name, "-", domain), name)
        return fresh, _s(name)
    # fine-tunes, adapters and size variants: a new owner, or the parent's own
    keep_owner = pa.array(rng.random(m) < params.same_owner_share)
    owner = _s(pc.if_else(keep_owner, pc.fill_null(p_owner, fresh), fresh))
    if which == "finetune":
        name = _join(p_name, sep, _pick(rng, FINETUNE_SUFFIXES, m))
        two = pa.array(rng.random(m) < 0.25)
        name = pc.if_else(two, _join(name, "-", _pick(rng, FINETUNE_SUFFIXES, m)), name)
        return owner, _s(name)
    if which == "adapter":
        return owner, _join(p_name, "-", _pick(rng, ADAPTER_SUFFIXES, m))
    # size variant: swap the size token, or add one
    parts = pc.extract_regex(p_name, SIZE_PATTERN)
    new_size = _pick(rng, SIZES, m)
    new_size = pc.if_else(pa.array(rng.random(m) < 0.5), pc.utf8_upper(new_size), new_size)
    swapped = _join(pc.struct_field(parts, "pre"), new_size, pc.struct_field(parts, "post"))
    has_size = pc.fill_null(pc.is_valid(parts), False)
    return owner, _s(pc.if_else(has_size, swapped, _join(p_name, "-", new_size)))


# --------------------------------------------------------------------------------------------
# main entry


def generate_ids(
    n: int,
    seed: int = 0,
    sources: Sequence[str | Path] | None = None,
    params: GenerateParams | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """N distinct model ids as a table `read_sources` reads back (Parquet via `write_ids`).

    Columns: id, author, name, downloads, likes, created_at, last_modified, pipeline_tag,
    library_name, tags (list[str], with `base_model:<relation>:<parent>`), synthetic (bool),
    variant (real/quantize/finetune/adapter/size/reupload/merge). `progress`: a tqdm bar.
    """
    if n < 1:
        raise UserError(f"--n must be at least 1 (got {n})")
    params = params or GenerateParams()
    rng = np.random.default_rng(seed)
    models, lineage = _read_seeds(sources)
    if n < len(models):
        keep = np.sort(rng.choice(len(models), size=n, replace=False))
        models = models.iloc[keep].reset_index(drop=True)
    _fill_missing_counts(models, rng)
    pool = _seed_pool(models, rng)
    seen = pd.Index(models["id"].astype("string").str.lower())
    pool, rounds = _grow(rng, pool, seen, n, params, progress)
    return _assemble(rng, models, lineage, pool, rounds, len(models))


def _fill_missing_counts(models: pd.DataFrame, rng: np.random.Generator) -> None:
    """Real rows without counts (hf-dep metadata) get draws from the same heavy tail."""
    missing = models["downloads"].isna().to_numpy()
    drawn = np.floor(np.expm1(np.maximum(rng.normal(1.5, 2.0, int(missing.sum())), 0.0)))
    models.loc[missing, "downloads"] = drawn.astype(np.int64)
    missing = models["likes"].isna().to_numpy()
    base = models.loc[missing, "downloads"].to_numpy(dtype=float)
    models.loc[missing, "likes"] = np.floor(
        np.power(base, 0.55) * rng.lognormal(-2.0, 1.0, int(missing.sum()))
    ).astype(np.int64)


def _seed_pool(models: pd.DataFrame, rng: np.random.Generator) -> _Pool:
    names = _s(models["name"].astype("string"))
    return _Pool(
        owner=_s(models["author"].astype("string")),
        name=names,
        downloads=models["downloads"].fillna(0).to_numpy(dtype=np.int64),
        created=_seconds(models["created_at"], rng),
        quantised=_is_quantised(names),
    )


def _grow(
    rng: np.random.Generator,
    pool: _Pool,
    seen: pd.Index,
    n: int,
    params: GenerateParams,
    progress: bool,
) -> tuple[_Pool, list[dict]]:
    """Derive rounds of new models from the pool until it holds n (UserError if it cannot)."""
    from tqdm import tqdm

    n_real = have = len(pool.name)
    rounds: list[dict] = []
    bar = tqdm(
        total=n,
        initial=n_real,
        desc="generating ids",
        unit="id",
        file=sys.stderr,
        disable=not progress,
    )
    with bar:
        for _ in range(params.max_rounds):
            if have >= n:
                break
            found = _round(rng, pool, n_real, n - have, seen, params)
            if found is None:
                continue
            part, lower = found
            rounds.append(part)
            seen = seen.append(pd.Index(lower))
            pool = _extend(pool, part)
            have += len(lower)
            bar.update(len(lower))
    if have < n:
        raise UserError(f"could only make {have:,} distinct ids from {n_real:,} real ones")
    return pool, rounds


def _round(
    rng: np.random.Generator,
    pool: _Pool,
    n_real: int,
    missing: int,
    seen: pd.Index,
    params: GenerateParams,
) -> tuple[dict, np.ndarray] | None:
    """Up to `missing` new models with valid ids not seen before in any case, and those ids
    lower-cased; None when every candidate collided."""
    cand = _derive(rng, pool, n_real, int(missing * params.oversample) + 64, params)
    ids = _s(
        pc.if_else(
            pc.is_null(cand["owner"]), cand["name"], _join(cand["owner"], "/", cand["name"])
        )
    )
    ids_pd = pd.Series(pd.array(ids, dtype="string"))
    lengths = pc.utf8_length(cand["name"]).to_numpy(zero_copy_only=False)
    valid = clean_ids(ids_pd).notna().to_numpy() & (lengths <= MAX_NAME)
    lower = ids_pd.str.lower()
    fresh = valid & ~lower.isin(seen).to_numpy() & ~lower.duplicated().to_numpy()
    chosen = np.flatnonzero(fresh)[:missing]
    if len(chosen) == 0:
        return None
    sel = pa.array(chosen)
    part = {k: (v.take(sel) if isinstance(v, pa.Array) else v[chosen]) for k, v in cand.items()}
    part["id"] = ids.take(sel)
    return part, lower.to_numpy()[chosen]


def _extend(pool: _Pool, part: dict) -> _Pool:
    """The pool with a round's models added (they can be parents in the next rounds)."""
    return _Pool(
        owner=_s(pa.concat_arrays([pool.owner, part["owner"]])),
        name=_s(pa.concat_arrays([pool.name, part["name"]])),
        downloads=np.concatenate([pool.downloads, part["downloads"]]),
        created=np.concatenate([pool.created, part["created"]]),
        quantised=np.concatenate([pool.quantised, part["op"] == OPS.index("quantize")]),
    )


def _is_quantised(names: pa.Array) -> np.ndarray:
    pattern = r"(?i)(gptq|awq|gguf|ggml|exl2|bpw|bnb|4bit|8bit|int4|int8|q\d_k|q8_0|mlx)"
    return pc.fill_null(pc.match_substring_regex(names, pattern), False).to_numpy(
        zero_copy_only=False
    )


RELATIONS = ("finetune", "quantized", "adapter", "merge", "unknown")


def _assemble(
    rng: np.random.Generator,
    models: pd.DataFrame,
    lineage: pd.DataFrame,
    pool: _Pool,
    rounds: list[dict],
    n_real: int,
) -> pd.DataFrame:
    """The output table: real rows, then each round's; tags in `frame.attrs["tags"]`."""
    all_ids = pa.concat_arrays([_s(models["id"].astype("string"))] + [r["id"] for r in rounds])
    ops = np.concatenate([np.full(n_real, -1)] + [r["op"] for r in rounds])
    parent = np.concatenate([np.full(n_real, -1)] + [r["parent"] for r in rounds])
    other = np.concatenate([np.full(n_real, -1)] + [r["other"] for r in rounds])
    total = len(all_ids)

    rel, p1, p2 = _parents(ops, parent, other, lineage, all_ids.slice(0, n_real))
    pipeline = _s(models["pipeline_tag"].astype("string").fillna("text-generation"))
    root = np.concatenate(
        [np.arange(n_real)] + [_root(r["parent"], n_real, parent) for r in rounds]
    )
    pipeline_all = pipeline.take(pa.array(root))
    tags = _tag_lists(all_ids, pipeline_all, rel, p1, p2)

    downloads = np.concatenate(
        [models["downloads"].fillna(0).to_numpy(dtype=np.int64)] + [r["downloads"] for r in rounds]
    )
    # likes ~ downloads^0.55 with noise; most small models have none
    likes_gen = np.floor(
        np.power(downloads[n_real:].astype(float), 0.55) * rng.lognormal(-2.0, 1.0, total - n_real)
    ).astype(np.int64)
    likes = np.concatenate([models["likes"].fillna(0).to_numpy(dtype=np.int64), likes_gen])
    created = pool.created
    modified = created + rng.exponential(45 * 86_400, total).astype(np.int64)
    variant = pa.array(list(OPS) + ["real"], pa.string()).take(
        pa.array(np.where(ops < 0, len(OPS), ops))
    )
    gguf = pc.match_substring(all_ids, "gguf", ignore_case=True)
    library = pc.if_else(gguf, "gguf", "transformers")
    frame = pd.DataFrame(
        {
            "id": pd.array(all_ids, dtype="string"),
            "author": pd.array(pool.owner, dtype="string"),
            "name": pd.array(pool.name, dtype="string"),
            "downloads": downloads,
            "likes": likes,
            "created_at": pd.to_datetime(created, unit="s", utc=True),
            "last_modified": pd.to_datetime(modified, unit="s", utc=True),
            "pipeline_tag": pd.array(pipeline_all, dtype="string"),
            "library_name": pd.array(library, dtype="string"),
            "synthetic": ops >= 0,
            "variant": pd.array(variant, dtype="string"),
        }
    )
    frame.attrs["tags"] = tags  # pyarrow ListArray; `write_ids` stores it without Python lists
    return frame


def _parents(
    ops: np.ndarray,
    parent: np.ndarray,
    other: np.ndarray,
    lineage: pd.DataFrame,
    real_ids: pa.Array,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lineage as row indices: (relation code in RELATIONS, first parent, second parent), -1 for
    none. Generated rows point at their parent(s); real rows keep their declared lineage when the
    parent is in the set (the first two parents declared)."""
    op_rel = np.array(
        [RELATIONS.index(OP_RELATION[o]) if OP_RELATION[o] else -1 for o in OPS] + [-1]
    )
    rel = op_rel[ops]  # ops == -1 (real) -> -1
    p1 = np.where(rel >= 0, parent, -1)
    is_merge = ops == OPS.index("merge")
    p2 = np.where(is_merge & (other != parent), other, -1)
    if len(lineage):
        child = _index_in(lineage["child"], real_ids)
        par = _index_in(lineage["parent"], real_ids)
        ok = (child >= 0) & (par >= 0)
        child, par = child[ok], par[ok]
        codes = np.array([RELATIONS.index(r) for r in lineage["relation"].to_numpy()[ok]], int)
        first = np.unique(child, return_index=True)[1]
        p1[child[first]] = par[first]
        rel[child[first]] = codes[first]
        rest = np.setdiff1d(np.arange(len(child)), first)
        second = rest[np.unique(child[rest], return_index=True)[1]] if len(rest) else rest
        p2[child[second]] = par[second]
    return rel, p1, p2


def _tag_lists(
    all_ids: pa.Array, pipeline: pa.Array, rel: np.ndarray, p1: np.ndarray, p2: np.ndarray
) -> pa.ListArray:
    """Each row's tags: its pipeline tag, then `base_model:<relation>:<parent>` per parent."""
    prefixes = pa.array([f"base_model:{r}:" for r in RELATIONS], pa.string())

    def tag(idx: np.ndarray) -> tuple[np.ndarray, pa.Array]:
        rows = np.flatnonzero(idx >= 0)
        text = _join(prefixes.take(pa.array(rel[rows])), all_ids.take(pa.array(idx[rows])))
        return rows, text

    rows1, tag1 = tag(p1)
    rows2, tag2 = tag(p2)
    has1 = (p1 >= 0).astype(np.int64)
    counts = 1 + has1 + (p2 >= 0)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    dest = np.concatenate(
        [offsets[:-1], offsets[rows1] + 1, offsets[rows2] + 1 + has1[rows2]]
    )
    values = pa.concat_arrays([pipeline, tag1, tag2]).take(pa.array(np.argsort(dest)))
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def _index_in(values: pd.Series, ids: pa.Array) -> np.ndarray:
    """Row of each value in `ids`, -1 when absent."""
    found = pc.index_in(_s(values.astype("string")), value_set=ids)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _root(parents: np.ndarray, n_real: int, all_parents: np.ndarray) -> np.ndarray:
    """The real ancestor of each generated row (follow parents down to a real id)."""
    out = parents.copy()
    for _ in range(64):
        gen = out >= n_real
        if not gen.any():
            break
        out[gen] = all_parents[out[gen]]
    return np.where(out >= n_real, 0, out)


def write_ids(frame: pd.DataFrame, out: str | Path) -> Path:
    """Write a `generate_ids` table to .parquet (tags as list<string>) or .csv (tags `;`-joined)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tags = frame.attrs.get("tags")
    plain = frame.copy()
    plain.attrs = {}
    table = pa.Table.from_pandas(plain, preserve_index=False)
    if tags is None:
        tags = pa.array([[] for _ in range(len(frame))], type=pa.list_(pa.string()))
    table = table.append_column("tags", tags)
    suffix = out.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        pq.write_table(table, out, compression="zstd")
    elif suffix == ".csv":
        joined = pc.binary_join(tags, ";")
        table = table.set_column(table.schema.get_field_index("tags"), "tags", joined)
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, out)
    else:
        raise UserError(f"{out}: --out must end in .parquet or .csv")
    return out
