"""A scale set: expand real Hub names into N models with the Hub's shape.

The real ids (by default the Constellation CSV and the hf-dep-network-analysis metadata + lineage
in ../shared/data) come first; new ones are derived from them, generation after generation (each
round at most doubles the set, so fine-tune chains grow deep), the way the Hub grows:

* quantisations by quantisers (`TheBloke/…-GPTQ`, `bartowski/…-Q4_K_M-GGUF`, `…-exl2-4.0bpw`),
* fine-tunes and adapters under new owners (`…-instruct`, `-dpo`, `-sft`, `-v0.2`, `-lora`),
* size variants (`7b` -> `13b`, `8x7b`, `1.1b` …),
* re-uploads / domain fine-tunes by new owners (`someuser/medical-<name>`),
* merges (`<A>-<B>-slerp`, two to four parents).

Shape (calibrated on ../shared/data; bench/results/generate.md compares generated and real):

* downloads: a log-normal body with a Pareto tail (exponent `DOWNLOADS_TAIL_ALPHA`); likes grow
  as downloads^`LIKES_SLOPE` with log-normal noise, so most models have none;
* parents are drawn in proportion to (1 + downloads)^`parent_power` (preferential attachment),
  a fixed share of them among the real models: children per parent is heavy-tailed like
  hf-dep's, the largest families keep their share at any size (a few 10k+ at 1M);
  quantisations are never parents, so every quantised base has a family of quantisers/formats;
* dates span the Hub era (2019 → 2026) with growth over time; a child is created after its
  parents; `last_modified` follows `created_at`;
* pipeline tag, licence, `dataset:`/`arxiv:` tags are drawn for the real models and inherited
  down the lineage (always by quantisations, mostly by fine-tunes); libraries follow the
  pipeline tag and the format (GGUF -> gguf, MLX -> mlx, adapters -> peft).

Tags are ordered as the Hub lists them: library, pipeline tag, `dataset:…`, `arxiv:…`,
`base_model:<relation>:<parent>`, `license:…`, `region:us`. Everything is vectorised (numpy +
pyarrow compute) and deterministic for a seed.

Usage::

    from constellation.loader.ingest.generate import generate_ids
    table = generate_ids(1_000_000, seed=0)          # pandas DataFrame, read_sources columns
    table.attrs["lineage"]                           # child/parent row numbers, relation
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
RELATIONS = ("finetune", "quantized", "adapter", "merge", "unknown")
MAX_PARENTS = 4  # merges have 2..MAX_PARENTS parents; real models keep that many

# Downloads: log-normal body (median 10, as in the Constellation CSV) with a Pareto tail above
# DOWNLOADS_TAIL_MIN for DOWNLOADS_TAIL_SHARE of models; the exponent is the CSV's
# (P(X > x) falls tenfold from its 99th to its 99.9th percentile). bench/results/generate.md.
DOWNLOADS_MU, DOWNLOADS_SIGMA = 2.3, 1.5
DOWNLOADS_TAIL_SHARE, DOWNLOADS_TAIL_MIN, DOWNLOADS_TAIL_ALPHA = 0.025, 3_500, 0.74
DOWNLOADS_MAX = 100_000_000
# likes ~ exp(LIKES_A + LIKES_SLOPE * log1p(downloads) + N(0, LIKES_SIGMA)) - 1, floored: fitted
# to the CSV's likes quantiles, its share without a like (81%) and its log-log slope
LIKES_A, LIKES_SLOPE, LIKES_SIGMA = -2.0, 0.6, 1.0

# The Hub era: the first hosted models (2019) to the snapshot's horizon; uploads grow over time
ERA_START, ERA_END = 1_546_300_800, 1_772_323_200  # 2019-01-01 .. 2026-03-01
ERA_GROWTH = 3.0  # seed dates: density ~ exp(ERA_GROWTH * t) over the era
CHILD_DELAY_DAYS = 60  # mean wait between a parent's upload and a child's

# Vocabularies and shares (tags of ../shared/data: the Mistral-Small tree and the API samples,
# widened to the Hub's common values); None = the field is missing, as for many Hub models.
# the real seeds are LLM lineage (Constellation CSV, hf-dep): their families draw from the LLM
# tasks (the Mistral-Small tree: 62% text-generation, 28% none); a fine-tune that changes task
# draws from the Hub's wider PIPELINES
SEED_PIPELINES = (
    ("text-generation", 0.68),
    (None, 0.22),
    ("text-classification", 0.04),
    ("text2text-generation", 0.03),
    ("image-text-to-text", 0.03),
)
PIPELINES = (
    ("text-generation", 0.60),
    (None, 0.16),
    ("text-classification", 0.04),
    ("image-text-to-text", 0.03),
    ("text2text-generation", 0.03),
    ("feature-extraction", 0.02),
    ("sentence-similarity", 0.02),
    ("fill-mask", 0.02),
    ("text-to-image", 0.02),
    ("automatic-speech-recognition", 0.02),
    ("image-classification", 0.015),
    ("token-classification", 0.01),
    ("question-answering", 0.01),
    ("text-to-speech", 0.005),
)
# library of a non-quantised model by pipeline tag (else transformers)
PIPELINE_LIBRARY = {
    "sentence-similarity": "sentence-transformers",
    "text-to-image": "diffusers",
    "image-classification": "timm",
}
LIBRARIES = (
    "transformers",
    "gguf",
    "mlx",
    "peft",
    "vllm",
    "sentence-transformers",
    "diffusers",
    "timm",
)
LIBRARY_MISSING = 0.25  # share of models without library_name
LIBRARY_VLLM = 0.08  # text-generation models served with vllm instead
LICENSES = (
    ("apache-2.0", 0.36),
    (None, 0.20),
    ("mit", 0.12),
    ("other", 0.07),
    ("llama3.1", 0.05),
    ("cc-by-nc-4.0", 0.04),
    ("llama3", 0.04),
    ("llama2", 0.03),
    ("gemma", 0.03),
    ("cc-by-4.0", 0.02),
    ("openrail", 0.02),
    ("cc-by-sa-4.0", 0.01),
    ("bigscience-openrail-m", 0.01),
)
# dataset:/arxiv: tags: share of models with at least one, a geometric number of them, ids by a
# Zipf over N_DATASETS / N_PAPERS (well-known public names first, then synthetic ones)
DATASET_SHARE, DATASET_MORE, MAX_DATASETS, N_DATASETS = 0.22, 0.35, 8, 3_000
ARXIV_SHARE, ARXIV_MORE, MAX_ARXIV, N_PAPERS = 0.075, 0.3, 4, 2_000
ZIPF_S = 1.1
KNOWN_DATASETS = (
    "HuggingFaceH4/ultrachat_200k Open-Orca/OpenOrca teknium/OpenHermes-2.5 tatsu-lab/alpaca "
    "yahma/alpaca-cleaned databricks/databricks-dolly-15k HuggingFaceH4/ultrafeedback_binarized "
    "Anthropic/hh-rlhf openai/gsm8k squad squad_v2 wikipedia bookcorpus imdb glue "
    "mozilla-foundation/common_voice_11_0 meta-math/MetaMathQA "
    "WizardLMTeam/WizardLM_evol_instruct_70k "
    "garage-bAInd/Open-Platypus ise-uiuc/Magicoder-Evol-Instruct-110K "
    "open-thoughts/OpenThoughts-114k open-r1/OpenR1-Math-220k allenai/tulu-3-sft-mixture "
    "HuggingFaceFW/fineweb-edu cerebras/SlimPajama-627B togethercomputer/RedPajama-Data-1T "
    "lmsys/lmsys-chat-1m argilla/distilabel-intel-orca-dpo-pairs jondurbin/airoboros-3.2 "
    "cognitivecomputations/dolphin nvidia/HelpSteer2 mlabonne/orpo-dpo-mix-40k"
).split()
KNOWN_PAPERS = (  # LoRA, QLoRA, DPO, Llama 2, Mistral, TIES, DARE, BERT, RoBERTa, Sentence-BERT
    "2106.09685 2305.14314 2305.18290 2307.09288 2310.06825 2306.01708 2311.03099 1810.04805 "
    "1907.11692 1908.10084"
).split()
DATASET_WORDS = (
    "instruct chat dpo sft math code reasoning qa summaries dialogs preference pairs corpus "
    "medical legal finance stories roleplay translations wiki news reviews prompts"
).split()


@dataclass(frozen=True)
class GenerateParams:
    """Shape of the generated set (defaults give a Hub-like mix; see bench/results/generate.md)."""

    # order of OPS; size variants (no declared parent) play the hf-dep "base" models
    # (quantisations collide most, so their share of distinct ids falls at scale: weighted up)
    op_weights: tuple[float, ...] = (0.40, 0.25, 0.008, 0.18, 0.13, 0.04)
    known_quantiser_share: float = 0.6  # quantisations by the big quantisers, else by new owners
    same_owner_share: float = 0.3  # fine-tunes / size variants under the parent's owner
    # parent chosen with weight min(1 + downloads, parent_cap)^parent_power: the cap spreads the
    # largest families over several bases, as on the Hub (Llama, Mistral, Qwen, Gemma …)
    parent_power: float = 0.8
    parent_cap: float = 4e6
    real_parent_share: float = 0.65  # parents drawn among the real models, else generated ones
    extra_merge_parent: float = 0.4  # chance of each parent beyond a merge's second
    growth: float = 1.0  # a round adds at most growth x the set so far (a new generation)
    oversample: float = 1.25  # candidates per missing id in a round (collisions are dropped)
    max_rounds: int = 40


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
# calibrated draws


def draw_downloads(rng: np.random.Generator, n: int) -> np.ndarray:
    """Downloads: the log-normal body, a Pareto tail for DOWNLOADS_TAIL_SHARE of them."""
    body = np.exp(rng.normal(DOWNLOADS_MU, DOWNLOADS_SIGMA, n))
    tail = DOWNLOADS_TAIL_MIN * rng.random(n) ** (-1.0 / DOWNLOADS_TAIL_ALPHA)
    out = np.where(rng.random(n) < DOWNLOADS_TAIL_SHARE, tail, body)
    return np.floor(np.minimum(out, DOWNLOADS_MAX)).astype(np.int64)


def draw_likes(rng: np.random.Generator, downloads: np.ndarray) -> np.ndarray:
    """Likes correlated with downloads (power LIKES_SLOPE), floored: most models have none."""
    log_likes = LIKES_A + LIKES_SLOPE * np.log1p(downloads.astype(float))
    noise = rng.normal(0.0, LIKES_SIGMA, len(downloads))
    return np.floor(np.expm1(np.maximum(log_likes + noise, 0.0))).astype(np.int64)


def _era_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Epoch seconds over the era up to a year before its end, denser later (Hub growth)."""
    u = rng.random(n)
    t = np.log1p(u * np.expm1(ERA_GROWTH)) / ERA_GROWTH  # inverse CDF of exp(g t) on [0, 1]
    return (ERA_START + t * (ERA_END - 365 * 86_400 - ERA_START)).astype(np.int64)


def _shares(rng: np.random.Generator, table: Sequence[tuple[str | None, float]], n: int):
    """Codes into `table` drawn by its shares."""
    p = np.array([w for _, w in table], float)
    return rng.choice(len(table), size=n, p=p / p.sum())


def _zipf_codes(rng: np.random.Generator, n: int, k: int, vocab: int, share: float, more: float):
    """(n, k) codes into a vocabulary of `vocab` by a Zipf law, -1 padded: a row has one with
    probability `share`, then each further one with probability `more`."""
    count = np.where(rng.random(n) < share, 1, 0)
    extra = np.minimum(rng.geometric(1.0 - more, n) - 1, k - 1)
    count = count * (1 + extra)
    p = 1.0 / np.arange(1, vocab + 1) ** ZIPF_S
    codes = rng.choice(vocab, size=(n, k), p=p / p.sum()).astype(np.int16)
    codes[np.arange(k)[None, :] >= count[:, None]] = -1
    return codes


def _dataset_vocab(rng: np.random.Generator) -> pa.Array:
    """`dataset:` ids: well-known public names first, then synthetic `<owner>/<words>`."""
    m = N_DATASETS - len(KNOWN_DATASETS)
    owners = _synthetic_owners(rng, pa.array(["hf"], pa.string()), m)
    names = _join(
        _pick(rng, DATASET_WORDS, m),
        "-",
        _pick(rng, DATASET_WORDS, m),
        "-",
        pa.array(rng.integers(1, 500, m).astype(str), pa.string()),
        "k",
    )
    synthetic = _join(owners, "/", names)
    return pa.concat_arrays([pa.array(KNOWN_DATASETS, pa.string()), synthetic])


def _paper_vocab(rng: np.random.Generator) -> pa.Array:
    """`arxiv:` ids (YYMM.NNNNN): well-known papers first, then synthetic ones 2017-2025."""
    m = N_PAPERS - len(KNOWN_PAPERS)
    yymm = rng.integers(17, 26, m) * 100 + rng.integers(1, 13, m)
    ids = np.char.add(
        np.char.add(yymm.astype(str), "."), np.char.zfill(rng.integers(0, 30_000, m).astype(str), 5)
    )
    return pa.array(KNOWN_PAPERS + ids.tolist(), pa.string())


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
    """Epoch seconds; missing dates drawn over the era, denser later."""
    values = dates.astype("datetime64[ns, UTC]").dt.tz_convert(None).to_numpy()
    values = values.astype("datetime64[s]")
    seconds = values.astype(np.int64)
    missing = np.isnat(values)
    seconds[missing] = _era_dates(rng, int(missing.sum()))
    return seconds


# --------------------------------------------------------------------------------------------
# one round of derivation


def _derive(
    rng: np.random.Generator, pool: _Pool, n_real: int, m: int, params: GenerateParams
) -> dict:
    """m candidate models derived from the pool (may collide; the caller dedupes)."""
    popularity = np.minimum(1.0 + pool.downloads, params.parent_cap)
    weight = np.power(popularity, params.parent_power) * ~pool.quantised
    # two pools, so the real bases keep their share of all children whatever n (scale-free)
    cum_real = np.cumsum(weight[:n_real])
    cum_gen = np.cumsum(weight[n_real:])

    def draw(size) -> np.ndarray:  # preferential attachment: popular models get more children
        u = rng.random(size)
        real = rng.random(size) < params.real_parent_share
        if len(cum_gen) == 0 or cum_gen[-1] == 0:
            real[...] = True
        out = np.searchsorted(cum_real, u * cum_real[-1], side="right")
        if not real.all():
            gen = np.searchsorted(cum_gen, u * cum_gen[-1], side="right") + n_real
            out = np.where(real, out, gen)
        return out

    parent = draw(m)
    weights = np.asarray(params.op_weights, dtype=float)
    op = rng.choice(len(OPS), size=m, p=weights / weights.sum())
    # other parents of merges: the second always, further ones by chance; duplicates dropped
    others = draw((m, MAX_PARENTS - 1))
    more = rng.random((m, MAX_PARENTS - 2)) < params.extra_merge_parent
    keep = np.column_stack([np.ones(m, bool), np.cumprod(more, axis=1).astype(bool)])
    others[~keep] = -1
    others[others == parent[:, None]] = -1
    for j in range(1, MAX_PARENTS - 1):
        others[(others[:, j : j + 1] == others[:, :j]).any(axis=1), j] = -1
    # a merge whose second parent is its first (a very popular model) is a fine-tune instead
    op[(op == OPS.index("merge")) & (others[:, 0] < 0)] = OPS.index("finetune")
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
            rng, which, pool, parent[rows], np.maximum(others[rows, 0], 0), real_owners, params
        )
        owners.append(owner)
        names.append(name)
        order.append(rows)
    back = pa.array(np.argsort(np.concatenate(order), kind="stable"))
    owner = pa.concat_arrays(owners).take(back)
    name = pa.concat_arrays(names).take(back)

    is_merge = op == OPS.index("merge")
    others[~is_merge] = -1
    # a child comes after all its parents, within the era
    created = pool.created[parent]
    for j in range(MAX_PARENTS - 1):
        has = others[:, j] >= 0
        created[has] = np.maximum(created[has], pool.created[others[has, j]])
    delay = rng.exponential(CHILD_DELAY_DAYS * 86_400, m).astype(np.int64)
    created = np.maximum(np.minimum(created + delay, ERA_END), created)
    return {
        "owner": _s(owner),
        "name": _s(name),
        "op": op,
        "parent": parent,
        "others": others,
        "downloads": draw_downloads(rng, m),
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
    library_name, license, synthetic (bool), variant (real/quantize/finetune/adapter/size/
    reupload/merge). `attrs["tags"]`: the tag lists (pyarrow, written by `write_ids`);
    `attrs["lineage"]`: declared parents as row numbers (child, parent, relation).
    `progress`: a tqdm bar.
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
    edges = _real_edges(lineage, _s(models["id"].astype("string")))
    pool = _seed_pool(models, rng, edges)
    seen = pd.Index(models["id"].astype("string").str.lower())
    pool, rounds = _grow(rng, pool, seen, n, params, progress)
    return _assemble(rng, models, edges, pool, rounds, len(models))


def _fill_missing_counts(models: pd.DataFrame, rng: np.random.Generator) -> None:
    """Real rows without counts (hf-dep metadata) get draws from the calibrated laws."""
    missing = models["downloads"].isna().to_numpy()
    models.loc[missing, "downloads"] = draw_downloads(rng, int(missing.sum()))
    missing = models["likes"].isna().to_numpy()
    base = models.loc[missing, "downloads"].to_numpy(dtype=np.int64)
    models.loc[missing, "likes"] = draw_likes(rng, base)


def _seed_pool(models: pd.DataFrame, rng: np.random.Generator, edges: tuple) -> _Pool:
    names = _s(models["name"].astype("string"))
    return _Pool(
        owner=_s(models["author"].astype("string")),
        name=names,
        downloads=models["downloads"].fillna(0).to_numpy(dtype=np.int64),
        created=_seed_dates(models["created_at"], rng, edges),
        quantised=_is_quantised(names),
    )


def _seed_dates(dates: pd.Series, rng: np.random.Generator, edges: tuple) -> np.ndarray:
    """Epoch seconds of the real models; a drawn date (none known) comes after the parents'."""
    created = _seconds(dates, rng)
    child, parent, _ = edges
    drawn = dates.isna().to_numpy()[child]
    child, parent = child[drawn], parent[drawn]
    delay = rng.exponential(CHILD_DELAY_DAYS * 86_400, len(child)).astype(np.int64)
    for _ in range(64):  # one pass per level of the declared lineage
        after = np.minimum(created[parent] + delay, ERA_END)
        late = after > created[child]
        if not late.any():
            break
        np.maximum.at(created, child[late], after[late])
    return created


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
            # one generation: the next round's parents include this round's children
            want = min(n - have, max(int(have * params.growth), 1_000))
            found = _round(rng, pool, n_real, want, seen, params)
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
        pc.if_else(pc.is_null(cand["owner"]), cand["name"], _join(cand["owner"], "/", cand["name"]))
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


# --------------------------------------------------------------------------------------------
# the output table


def _assemble(
    rng: np.random.Generator,
    models: pd.DataFrame,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    pool: _Pool,
    rounds: list[dict],
    n_real: int,
) -> pd.DataFrame:
    """The output table: real rows, then each round's; tags and lineage in `frame.attrs`."""
    all_ids = pa.concat_arrays([_s(models["id"].astype("string"))] + [r["id"] for r in rounds])
    ops = np.concatenate([np.full(n_real, -1)] + [r["op"] for r in rounds])
    source = np.concatenate([np.full(n_real, -1)] + [r["parent"] for r in rounds])
    total = len(all_ids)
    others = np.concatenate(
        [np.full((n_real, MAX_PARENTS - 1), -1)] + [r["others"] for r in rounds]
    )
    rel, parents = _parents(ops, source, others, edges)
    bounds = np.cumsum([n_real] + [len(r["op"]) for r in rounds])
    attrs = _attributes(rng, models, edges, ops, source, bounds, _is_quantised(all_ids), all_ids)

    downloads = pool.downloads
    likes_gen = draw_likes(rng, downloads[n_real:])
    likes = np.concatenate([models["likes"].fillna(0).to_numpy(dtype=np.int64), likes_gen])
    created = pool.created
    modified = created + rng.exponential(45 * 86_400, total).astype(np.int64)
    modified = np.maximum(np.minimum(modified, ERA_END), created)
    variant = pa.array(list(OPS) + ["real"], pa.string()).take(
        pa.array(np.where(ops < 0, len(OPS), ops))
    )
    frame = pd.DataFrame(
        {
            "id": pd.array(all_ids, dtype="string"),
            "author": pd.array(pool.owner, dtype="string"),
            "name": pd.array(pool.name, dtype="string"),
            "downloads": downloads,
            "likes": likes,
            "created_at": pd.to_datetime(created, unit="s", utc=True),
            "last_modified": pd.to_datetime(modified, unit="s", utc=True),
            "pipeline_tag": pd.array(attrs["pipeline"], dtype="string"),
            "library_name": pd.array(attrs["library"], dtype="string"),
            "license": pd.array(attrs["license"], dtype="string"),
            "synthetic": ops >= 0,
            "variant": pd.array(variant, dtype="string"),
        }
    )
    tags = _tag_lists(rng, all_ids, attrs, rel, parents)
    child, col = np.nonzero(parents >= 0)
    frame.attrs["tags"] = tags  # pyarrow ListArray; `write_ids` stores it without Python lists
    frame.attrs["lineage"] = pd.DataFrame(
        {
            "child": child,
            "parent": parents[child, col],
            "relation": np.asarray(RELATIONS)[rel[child]],
        }
    )
    return frame


def _real_edges(
    lineage: pd.DataFrame, real_ids: pa.Array
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Declared lineage among the real rows: (child row, parent row, relation code), sorted by
    child, in the order declared."""
    if not len(lineage):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    child = _index_in(lineage["child"], real_ids)
    par = _index_in(lineage["parent"], real_ids)
    ok = (child >= 0) & (par >= 0) & (child != par)
    codes = np.array([RELATIONS.index(r) for r in lineage["relation"].to_numpy()[ok]], np.int64)
    order = np.argsort(child[ok], kind="stable")
    return child[ok][order], par[ok][order], codes[order]


def _parents(
    ops: np.ndarray,
    source: np.ndarray,
    others: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Lineage as row indices: (relation code in RELATIONS, (n, MAX_PARENTS) parents, -1 for
    none). Generated rows point at their parent(s) (size variants at none); real rows keep
    their declared lineage when the parent is in the set (the first MAX_PARENTS declared)."""
    op_rel = np.array(
        [RELATIONS.index(OP_RELATION[o]) if OP_RELATION[o] else -1 for o in OPS] + [-1]
    )
    rel = op_rel[ops]  # ops == -1 (real) -> -1
    parents = np.column_stack([np.where(rel >= 0, source, -1), others])
    child, par, codes = edges
    rank = np.arange(len(child)) - np.searchsorted(child, child)  # n-th parent of its child
    keep = rank < MAX_PARENTS
    parents[child[keep], rank[keep]] = par[keep]
    rel[child[rank == 0]] = codes[rank == 0]
    return rel, parents


def _inherit(values: np.ndarray, source: np.ndarray, bounds: np.ndarray, take: np.ndarray):
    """values[row] = values[source[row]] where `take`, round by round (parents come first)."""
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        rows = np.arange(lo, hi)[take[lo:hi]]
        values[rows] = values[source[rows]]


def _attributes(
    rng: np.random.Generator,
    models: pd.DataFrame,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    ops: np.ndarray,
    source: np.ndarray,
    bounds: np.ndarray,
    quantised: np.ndarray,
    all_ids: pa.Array,
) -> dict:
    """Pipeline tag, library, licence and dataset/paper codes of every row: real rows keep
    theirs (or draw), derived rows inherit from their (first) parent as the Hub's families do."""
    total, n_real = len(ops), int(bounds[0])
    op = {name: ops == OPS.index(name) for name in OPS}
    derived = ops >= 0
    child, parent, relation = edges
    first = (np.arange(len(child)) - np.searchsorted(child, child)) == 0
    child, parent, relation = child[first], parent[first], relation[first]
    real_quantised = relation == RELATIONS.index("quantized")

    def categorical(table, real: pd.Series, keep_share: np.ndarray, seed_table=None) -> pa.Array:
        vocab = [v for v, _ in table]
        seen = real.dropna().astype(str).unique().tolist()
        vocab += [v for v in seen if v not in vocab]
        codes = _shares(rng, table, total)
        if seed_table is not None:  # the real rows draw from their own table
            lookup = {v: i for i, v in enumerate(vocab)}
            seed_codes = np.array([lookup[v] for v, _ in seed_table])
            codes[:n_real] = seed_codes[_shares(rng, seed_table, n_real)]
        known = real.notna().to_numpy()
        lookup = {v: i for i, v in enumerate(vocab)}
        codes[:n_real][known] = [lookup[v] for v in real[known].astype(str)]
        # a real model without the value takes its declared parent's (quantisations always)
        take = ~known[child] & (real_quantised | (rng.random(len(child)) < 0.9))
        for _ in range(64):  # one pass per level of the declared lineage
            differ = take & (codes[child] != codes[parent])
            if not differ.any():
                break
            codes[child[differ]] = codes[parent[differ]]
        _inherit(codes, source, bounds, derived & (rng.random(total) < keep_share))
        return pa.array(vocab, pa.string()).take(pa.array(codes))

    # quantisations, adapters and size variants keep the family's task; fine-tunes mostly
    keep_pipe = np.where(op["finetune"] | op["reupload"] | op["merge"], 0.95, 1.0)
    pipeline = categorical(PIPELINES, models["pipeline_tag"], keep_pipe, SEED_PIPELINES)
    keep_lic = np.select([op["quantize"], op["size"], op["adapter"]], [1.0, 0.95, 0.9], 0.8)
    license_ = categorical(LICENSES, models["license"], keep_lic)

    library = _library(rng, pipeline, quantised, op["adapter"], all_ids)
    known_lib = models["library_name"].notna().to_numpy()
    if known_lib.any():
        real_lib = pa.array(models["library_name"], pa.string(), from_pandas=True)
        mask = np.concatenate([known_lib, np.zeros(total - n_real, bool)])
        library = _s(
            pc.if_else(
                pa.array(mask),
                pa.concat_arrays([real_lib, pa.nulls(total - n_real, pa.string())]),
                library,
            )
        )

    datasets = _zipf_codes(rng, total, MAX_DATASETS, N_DATASETS, DATASET_SHARE, DATASET_MORE)
    papers = _zipf_codes(rng, total, MAX_ARXIV, N_PAPERS, ARXIV_SHARE, ARXIV_MORE)
    # quantisers copy the card (datasets, papers); fine-tunes cite their base's papers at times
    _inherit(datasets, source, bounds, op["quantize"])
    _inherit(papers, source, bounds, op["quantize"] | (op["size"] & (rng.random(total) < 0.5)))
    return {
        "pipeline": pipeline,
        "library": library,
        "license": license_,
        "datasets": datasets,
        "papers": papers,
        "dataset_vocab": _dataset_vocab(rng),
        "paper_vocab": _paper_vocab(rng),
    }


def _library(
    rng: np.random.Generator,
    pipeline: pa.Array,
    quantised: np.ndarray,
    adapter: np.ndarray,
    all_ids: pa.Array,
) -> pa.Array:
    """library_name: by the format for quantisations (GGUF -> gguf, MLX -> mlx), peft for
    adapters, else by the pipeline tag (some text-generation on vllm, some missing)."""
    total = len(all_ids)
    by_pipe = pc.fill_null(pc.index_in(pipeline, pa.array(list(PIPELINE_LIBRARY))), -1)
    libs = np.array(
        [LIBRARIES.index(v) for v in PIPELINE_LIBRARY.values()] + [LIBRARIES.index("transformers")]
    )
    code = libs[by_pipe.to_numpy(zero_copy_only=False)]
    text_gen = pc.fill_null(pc.equal(pipeline, "text-generation"), False).to_numpy(
        zero_copy_only=False
    )
    code[text_gen & (rng.random(total) < LIBRARY_VLLM)] = LIBRARIES.index("vllm")
    code[rng.random(total) < LIBRARY_MISSING] = -1

    def has(pattern: str) -> np.ndarray:
        return pc.match_substring_regex(all_ids, pattern, ignore_case=True).to_numpy(
            zero_copy_only=False
        )

    code[quantised] = LIBRARIES.index("transformers")
    code[quantised & has("mlx")] = LIBRARIES.index("mlx")
    code[quantised & has("gguf|ggml")] = LIBRARIES.index("gguf")
    code[adapter] = LIBRARIES.index("peft")  # an adapter of a quantised model is still peft
    vocab = pa.array(list(LIBRARIES), pa.string())
    return _s(vocab.take(pa.array(np.where(code >= 0, code, 0), mask=code < 0)))


def _tag_lists(
    rng: np.random.Generator,
    all_ids: pa.Array,
    attrs: dict,
    rel: np.ndarray,
    parents: np.ndarray,
) -> pa.ListArray:
    """Each row's tags in the Hub's order: library, pipeline tag, `dataset:…`, `arxiv:…`,
    `base_model:<relation>:<parent>` per parent, `license:…`, `region:us`."""
    total = len(all_ids)
    prefixes = pa.array([f"base_model:{r}:" for r in RELATIONS], pa.string())
    pieces: list[tuple[np.ndarray, pa.Array]] = []

    def plain(values: pa.Array, prefix: str = "") -> None:
        rows = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
        taken = values.take(pa.array(rows))
        pieces.append((rows, _join(prefix, taken) if prefix else _s(taken)))

    def coded(codes: np.ndarray, vocab: pa.Array, prefix: str) -> None:
        for j in range(codes.shape[1]):
            rows = np.flatnonzero(codes[:, j] >= 0)
            pieces.append((rows, _join(prefix, vocab.take(pa.array(codes[rows, j])))))

    plain(attrs["library"])
    plain(attrs["pipeline"])
    coded(attrs["datasets"], attrs["dataset_vocab"], "dataset:")
    coded(attrs["papers"], attrs["paper_vocab"], "arxiv:")
    for j in range(parents.shape[1]):
        rows = np.flatnonzero(parents[:, j] >= 0)
        text = _join(prefixes.take(pa.array(rel[rows])), all_ids.take(pa.array(parents[rows, j])))
        pieces.append((rows, text))
    plain(attrs["license"], "license:")
    pieces.append((np.arange(total), pa.array(np.full(total, "region:us"), pa.string())))

    counts = np.zeros(total, np.int64)
    dest: list[np.ndarray] = []
    for rows, _ in pieces:  # each piece: at most one tag per row, placed after the earlier ones
        dest.append(rows * 0 + counts[rows])
        counts[rows] += 1
    offsets = np.concatenate([[0], np.cumsum(counts)])
    position = np.concatenate(
        [offsets[rows] + d for (rows, _), d in zip(pieces, dest, strict=True)]
    )
    order = np.empty(len(position), np.int64)
    order[position] = np.arange(len(position))
    # at millions of rows a piece can come back chunked: concatenate plain arrays
    values = pa.concat_arrays([_s(v) for _, v in pieces]).take(pa.array(order))
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def _index_in(values: pd.Series, ids: pa.Array) -> np.ndarray:
    """Row of each value in `ids`, -1 when absent."""
    found = pc.index_in(_s(values.astype("string")), value_set=ids)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


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


# --------------------------------------------------------------------------------------------
# shape measures (tests/test_generate.py, bench/bench_generate.py)

QUANTILES = (0.5, 0.9, 0.99, 0.999, 1.0)
FANOUT_QUANTILES = (0.5, 0.75, 0.9, 0.99, 1.0)


def count_shape(counts: np.ndarray) -> dict:
    """Quantiles, share of the top 1% and share of zeros of downloads or likes."""
    values = np.sort(np.asarray(counts, dtype=float))
    top = values[-max(len(values) // 100, 1) :].sum() / max(values.sum(), 1.0)
    return {
        "quantiles": np.quantile(values, QUANTILES).round().tolist(),
        "top1_share": round(float(top), 3),
        "zero_share": round(float((values == 0).mean()), 3),
    }


def likes_slope(downloads: np.ndarray, likes: np.ndarray) -> float:
    """Slope of log(likes) on log(downloads) over models with both positive."""
    both = (downloads > 0) & (likes > 0)
    return round(float(np.polyfit(np.log(downloads[both]), np.log(likes[both]), 1)[0]), 3)


def fanout_shape(parents: np.ndarray, relations: np.ndarray) -> dict:
    """Relation mix of the edges and the children-per-parent distribution (edge lists)."""
    kinds, per_kind = np.unique(np.asarray(relations), return_counts=True)
    children = np.unique(np.asarray(parents), return_counts=True)[1]
    return {
        "edges": int(len(parents)),
        "relation_mix": {
            str(k): round(float(c / len(parents)), 3) for k, c in zip(kinds, per_kind, strict=True)
        },
        "parents": int(len(children)),
        "children_per_parent": np.quantile(children, FANOUT_QUANTILES).round().tolist(),
        "top_parent_share": round(float(children.max() / len(parents)), 4),
        "parents_10k": int((children >= 10_000).sum()),
    }


def depths(n: int, child: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Fine-tune/quantisation depth of each row: 0 for a root, else 1 + its first parent's."""
    first = np.full(n, -1)
    order = np.argsort(child, kind="stable")[::-1]  # the first parent listed wins
    first[child[order]] = parent[order]
    depth = np.zeros(n, np.int64)
    has = first >= 0
    for _ in range(64):  # longer chains (or cycles in real data) stop here
        new = np.where(has, depth[np.maximum(first, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = np.minimum(new, 64)
    return depth


def shape(frame: pd.DataFrame) -> dict:
    """The properties bench/results/generate.md reports for a `generate_ids` table."""
    lineage = frame.attrs["lineage"]
    child, parent = lineage["child"].to_numpy(), lineage["parent"].to_numpy()
    created = frame["created_at"].to_numpy()
    tags = frame.attrs["tags"]
    flat = pc.list_flatten(tags)
    rows = pc.list_parent_indices(tags).to_numpy(zero_copy_only=False)

    def share_with(prefix: str) -> float:
        hit = pc.starts_with(flat, prefix).to_numpy(zero_copy_only=False)
        return round(len(np.unique(rows[hit])) / len(frame), 3)

    def top(column: str) -> dict:
        counts = frame[column].value_counts(normalize=True, dropna=False).head(5)
        return {str(k): round(float(v), 3) for k, v in counts.items()}

    depth = depths(len(frame), child, parent)
    years = frame["created_at"].dt.year.value_counts(normalize=True).sort_index()
    return {
        "n": len(frame),
        "downloads": count_shape(frame["downloads"].to_numpy()),
        "likes": count_shape(frame["likes"].to_numpy()),
        "likes_slope": likes_slope(frame["downloads"].to_numpy(), frame["likes"].to_numpy()),
        "lineage": fanout_shape(parent, lineage["relation"].to_numpy()),
        "max_depth": int(depth.max()),
        "depth_4_plus": int((depth >= 4).sum()),
        "child_before_parent": int((created[child] < created[parent]).sum()),
        "years": {int(k): round(float(v), 3) for k, v in years.items()},
        "dataset_share": share_with("dataset:"),
        "arxiv_share": share_with("arxiv:"),
        "license_tag_share": share_with("license:"),
        "pipeline_tag": top("pipeline_tag"),
        "library_name": top("library_name"),
        "license": top("license"),
    }
