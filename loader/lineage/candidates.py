"""Name stems, the model table as arrays, and candidate parents for each child.

A model's *stem* is its name without owner and without the tokens that mark a copy rather than a
new model: quantisation and format tokens (`gptq`, `q4_k_m`, `4bit`, `exl2`, `gguf` …, from
`pipeline.names.tokenize`'s `quant` group) and adapter/packaging words (`lora`, `hf`, `bnb` …).
`TheBloke/Llama-2-13B-chat-GPTQ` and `meta-llama/Llama-2-13b-chat-hf` share the stem
`llama 2 13b chat`.

Candidates for a child come from (each a flag column in the candidate table):

* `from_sim`: its similarity neighbours (similarity.parquet, both directions);
* `from_stem`: the most popular models with the same stem, or with a stem that is a run of
  consecutive tokens of the child's stem (`llama 2 13b chat` inside `llama 2 13b chat pirate`);
* `from_sibling`: the training parents of its similarity neighbours and of its stem group;
* `from_owner`: the parents its owner builds on most (training edges);
* `from_prior`: the most used parents of its architecture-and-size group (and architecture).

Usage::

    corpus = make_corpus(models, similarity)
    train = TrainEdges.from_lineage(corpus, lineage)
    pairs = candidates(corpus, train, children_rows)   # child, cand, from_* flags
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from constellation.loader.ingest.lineage import split_ids
from constellation.loader.pipeline.names import _TOKEN

# Words that package, adapt or re-host a model rather than make a new one: stripped from stems.
FORMAT_WORDS = frozenset(
    "hf bnb lora qlora adapter adapters peft imatrix i1 quant quants quantized quantised "
    "safetensors pytorch transformers ggml mlx gguf gptq awq exl2 k m s xs xxs l".split()
)
# Name words that say how a model was made from its parent (child-side relation hints).
ADAPTER_WORDS = frozenset("lora qlora adapter adapters peft".split())
MERGE_WORDS = frozenset("merge merged slerp ties dare passthrough frankenmerge mergekit".split())
MISSING_ARCH = frozenset({"", "unknown", "none", "nan", "null"})
ARCH_COLUMNS = ("architecture", "model_type", "config.model_type", "arch")
RELATIONS = ("finetune", "quantized", "adapter", "merge")
STEM_HEADS = 5  # most popular same-stem models offered as candidates
SUB_HEADS = 3  # ... for a stem found inside the child's stem
TOP_PARENTS = 5  # parents offered per owner / stem group
PRIOR_PARENTS = 10  # ... per architecture-and-size group and per architecture
MAX_STEM_TOKENS = 10  # longer names: runs are looked up within the first ten tokens


@dataclass
class NameParts:
    """Per distinct name: stem tokens, first size token and relation hints."""

    stem: list[str]
    size: str | None
    quant: bool
    adapter: bool
    merge: bool


def name_parts(name: str) -> NameParts:
    """Stem tokens, size and relation hints of one model name (owner already removed).

    >>> p = name_parts("Llama-2-13B-chat-GPTQ")
    >>> p.stem, p.size, p.quant, p.adapter
    (['llama', '2', '13b', 'chat'], '13b', True, False)
    >>> name_parts("mistral-7b-v0.1-lora").stem
    ['mistral', '7b', 'v0.1']
    """
    stem: list[str] = []
    size = None
    quant = adapter = merge = False
    for m in _TOKEN.finditer(name):
        tok = m.group(0).lower()
        if m.lastgroup == "quant":
            quant = True
            continue
        if tok in ADAPTER_WORDS:
            adapter = True
        if tok in MERGE_WORDS:
            merge = True
        if tok in ("gguf", "gptq", "awq", "exl2", "bnb", "imatrix", "i1", "quantized"):
            quant = True
        if tok in FORMAT_WORDS:
            continue
        if m.lastgroup == "size" and size is None and not tok.endswith("k"):
            size = tok
        stem.append(tok)
    return NameParts(stem, size, quant, adapter, merge)


@dataclass
class Corpus:
    """The model table as arrays indexed by row (the artifacts' `models` order)."""

    ids: np.ndarray  # object
    row_of: pd.Index  # id -> row via get_indexer
    owner: np.ndarray  # int, -1 = no owner
    stem: np.ndarray  # int code of the stem string
    stem_text: np.ndarray  # object: stem string per code
    stem_len: np.ndarray  # tokens in the stem, per row
    size: np.ndarray  # int code, -1 = no size token
    arch: np.ndarray  # int code, -1 = unknown
    created: np.ndarray  # float days since epoch, NaN = unknown
    downloads: np.ndarray  # float
    likes: np.ndarray  # float
    quant: np.ndarray  # bool: name says quantised copy
    adapter: np.ndarray  # bool: name or library says adapter
    merge: np.ndarray  # bool: name or tags say merge
    tokens: sp.csr_matrix  # binary row x stem-token incidence
    nbr: pd.DataFrame  # similarity both ways: src, dst, score (sorted by src)

    @property
    def n(self) -> int:
        return len(self.ids)

    def rows(self, ids: pd.Series | np.ndarray) -> np.ndarray:
        return self.row_of.get_indexer(np.asarray(ids, dtype=object))


def _codes(values: pd.Series, missing: frozenset[str] = frozenset()) -> np.ndarray:
    text = values.astype("string").str.strip().str.lower()
    text = text.where(~text.isin(list(missing)))
    codes, _ = pd.factorize(text, use_na_sentinel=True)
    return codes.astype(np.int64)


def _arch_column(models: pd.DataFrame) -> pd.Series:
    for col in ARCH_COLUMNS:
        if col in models.columns:
            return models[col]
    return pd.Series(pd.NA, index=models.index, dtype="string")


def _tag_flag(tags: pd.Series | None, words: frozenset[str], n: int) -> np.ndarray:
    if tags is None:
        return np.zeros(n, bool)
    has = (any(str(x).lower() in words for x in t) if isinstance(t, list | np.ndarray) else False
           for t in tags)  # fmt: skip
    return np.fromiter(has, bool, n)


def make_corpus(models: pd.DataFrame, similarity: pd.DataFrame) -> Corpus:
    """Arrays for every model: stems, sizes, architecture, dates, popularity, neighbours.

    Only what a model says about itself is read, never its `type` column (in hf-dep that is the
    relation of its own declared link: reading it would leak held-out edges)."""
    models = models.reset_index(drop=True)
    n = len(models)
    ids = models["id"].astype(str).to_numpy(dtype=object)
    owner_s, name_s = split_ids(pd.Series(ids))
    names, name_code = np.unique(name_s.astype(str).to_numpy(dtype=object), return_inverse=True)
    parts = [name_parts(x) for x in names]
    stem_str = np.array([" ".join(p.stem) for p in parts], dtype=object)
    stem_code, stem_text = pd.factorize(stem_str[name_code])
    size = pd.Series([p.size for p in parts], dtype=object).to_numpy()[name_code]
    flag = {k: np.array([getattr(p, k) for p in parts], bool)[name_code] for k in
            ("quant", "adapter", "merge")}  # fmt: skip
    tags = models["tags"] if "tags" in models.columns else None
    library = models.get("library_name", pd.Series(pd.NA, index=models.index)).astype("string")
    flag["adapter"] |= (library.str.lower() == "peft").fillna(False).to_numpy(bool)
    flag["adapter"] |= _tag_flag(tags, frozenset({"peft", "lora"}), n)
    flag["merge"] |= _tag_flag(tags, frozenset({"merge", "mergekit"}), n)
    flag["quant"] |= _tag_flag(tags, frozenset({"gguf", "gptq", "awq", "exl2"}), n)

    stem_tokens = [s.split() for s in stem_text]
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    for toks in stem_tokens:
        indices.extend(vocab.setdefault(t, len(vocab)) for t in dict.fromkeys(toks))
        indptr.append(len(indices))
    per_stem = sp.csr_matrix(
        (np.ones(len(indices), np.float32), indices, indptr), shape=(len(stem_text), len(vocab))
    )
    days = np.full(n, np.nan)
    if "created_at" in models.columns:  # (pd.to_datetime(None) is one NaT, not a column)
        created = pd.to_datetime(models["created_at"], utc=True, errors="coerce")
        days = np.where(created.isna(), np.nan, created.astype("int64").to_numpy() / 86_400e9)

    row_of = pd.Index(ids)
    src = row_of.get_indexer(similarity["source"].astype(str).to_numpy(dtype=object))
    dst = row_of.get_indexer(similarity["target"].astype(str).to_numpy(dtype=object))
    score = similarity["score"].to_numpy(np.float32)
    ok = (src >= 0) & (dst >= 0)
    nbr = pd.DataFrame(
        {
            "src": np.concatenate([src[ok], dst[ok]]),
            "dst": np.concatenate([dst[ok], src[ok]]),
            "score": np.concatenate([score[ok], score[ok]]),
        }
    ).sort_values("src", kind="stable", ignore_index=True)
    return Corpus(
        ids=ids,
        row_of=row_of,
        owner=_codes(owner_s),
        stem=stem_code.astype(np.int64),
        stem_text=np.asarray(stem_text, dtype=object),
        stem_len=np.array([len(t) for t in stem_tokens], np.int64)[stem_code],
        size=_codes(pd.Series(size)),
        arch=_codes(_arch_column(models), MISSING_ARCH),
        created=days,
        downloads=pd.to_numeric(models.get("downloads"), errors="coerce")
        .fillna(0)
        .to_numpy(np.float64)
        if "downloads" in models
        else np.zeros(n),
        likes=pd.to_numeric(models["likes"], errors="coerce").fillna(0).to_numpy(np.float64)
        if "likes" in models
        else np.zeros(n),
        quant=flag["quant"],
        adapter=flag["adapter"],
        merge=flag["merge"],
        tokens=per_stem[stem_code].tocsr(),
        nbr=nbr,
    )


# --------------------------------------------------------------------------------------------
# training edges and the counts features read from them


def pair_key(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    return a.astype(np.int64) * np.int64(n) + b.astype(np.int64)


@dataclass
class TrainEdges:
    """Declared child -> parent links used for training and for every count a feature reads
    (popularity as a parent, owner habits, sibling votes): held-out links are never here."""

    child: np.ndarray
    parent: np.ndarray
    relation: np.ndarray  # int index into RELATIONS, -1 = unknown
    keys: np.ndarray  # sorted child*n+parent
    parent_count: np.ndarray  # per row: training children
    n_parents: np.ndarray  # per row: training parents

    @classmethod
    def from_lineage(cls, corpus: Corpus, lineage: pd.DataFrame) -> TrainEdges:
        c = corpus.rows(lineage["child"].astype(str))
        p = corpus.rows(lineage["parent"].astype(str))
        rel = pd.Series(lineage["relation"].astype(str)).map(
            {r: i for i, r in enumerate(RELATIONS)}
        )
        rel = rel.fillna(-1).to_numpy(np.int64)
        ok = (c >= 0) & (p >= 0) & (c != p)
        return cls.from_rows(corpus.n, c[ok], p[ok], rel[ok])

    @classmethod
    def from_rows(cls, n: int, c: np.ndarray, p: np.ndarray, rel: np.ndarray) -> TrainEdges:
        keys = pair_key(c, p, n)
        keys, first = np.unique(keys, return_index=True)
        c, p, rel = c[first], p[first], rel[first]
        return cls(
            child=c,
            parent=p,
            relation=rel,
            keys=keys,
            parent_count=np.bincount(p, minlength=n).astype(np.float64),
            n_parents=np.bincount(c, minlength=n).astype(np.float64),
        )

    def without(self, children: np.ndarray, n: int) -> TrainEdges:
        """These links minus every link of `children` (as if those children were held out)."""
        keep = ~np.isin(self.child, children)
        return TrainEdges.from_rows(n, self.child[keep], self.parent[keep], self.relation[keep])

    def has(self, child: np.ndarray, cand: np.ndarray, n: int) -> np.ndarray:
        """Whether each (child, cand) is a training link (leave-one-out corrections)."""
        k = pair_key(child, cand, n)
        pos = np.searchsorted(self.keys, k)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        return (self.keys[pos] == k) if len(self.keys) else np.zeros(len(k), bool)


def group_parent_counts(groups: np.ndarray, train: TrainEdges) -> pd.DataFrame:
    """Per (group of the child, parent): training links, most used first within a group."""
    g = groups[train.child]
    ok = g >= 0
    frame = pd.DataFrame({"group": g[ok], "cand": train.parent[ok]})
    counts = frame.value_counts().rename("count").reset_index()
    return counts.sort_values(["group", "count"], ascending=[True, False], ignore_index=True)


def prior_groups(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Architecture-and-size group and architecture group of each row (-1 = unknown)."""
    n_size = int(corpus.size.max()) + 2
    both = np.where((corpus.arch >= 0) & (corpus.size >= 0), corpus.arch * n_size + corpus.size, -1)
    return both, corpus.arch


# --------------------------------------------------------------------------------------------
# candidate generation


def _heads(corpus: Corpus, train: TrainEdges, k: int) -> pd.DataFrame:
    """The k most popular models of each stem (training children first, then downloads)."""
    pop = train.parent_count * 1e12 + corpus.downloads
    order = np.lexsort((-pop, corpus.stem))
    frame = pd.DataFrame({"stem": corpus.stem[order], "cand": order})
    return frame[frame.groupby("stem").cumcount() < k]


def _runs(tokens: list[str]) -> list[tuple[str, int, int]]:
    """Consecutive token runs shorter than the whole: (text, start, length)."""
    toks = tokens[:MAX_STEM_TOKENS]
    out = []
    for i in range(len(toks)):
        for j in range(i + 1, len(toks) + 1):
            if j - i == len(tokens):
                continue
            if j - i == 1 and (len(toks[i]) < 4 or toks[i][0].isdigit()):
                continue  # a lone short word or number says nothing
            out.append((" ".join(toks[i:j]), i, j - i))
    return out


def _stem_pairs(corpus: Corpus, train: TrainEdges, rows: np.ndarray) -> pd.DataFrame:
    """Same-stem heads and heads of stems found inside the child's stem."""
    heads = _heads(corpus, train, STEM_HEADS)
    child = pd.DataFrame({"child": rows, "stem": corpus.stem[rows]})
    same = child.merge(heads, on="stem")[["child", "cand"]]
    same["sub_len"] = corpus.stem_len[same["child"].to_numpy()]
    same["sub_start"] = 0
    index = {s: i for i, s in enumerate(corpus.stem_text)}
    runs_s, runs_t, runs_start, runs_len = [], [], [], []
    for code in np.unique(child["stem"].to_numpy()):
        for text, start, length in _runs(corpus.stem_text[code].split()):
            hit = index.get(text)
            if hit is not None:
                runs_s.append(code)
                runs_t.append(hit)
                runs_start.append(start)
                runs_len.append(length)
    sub = pd.DataFrame(
        {"stem": runs_s, "sub": runs_t, "sub_start": runs_start, "sub_len": runs_len},
        dtype=np.int64,
    )
    sub_heads = heads[heads.groupby("stem").cumcount() < SUB_HEADS].rename(columns={"stem": "sub"})
    inner = child.merge(sub, on="stem").merge(sub_heads, on="sub")
    inner = inner[["child", "cand", "sub_len", "sub_start"]]
    return pd.concat([same, inner], ignore_index=True)


def _sibling_pairs(corpus: Corpus, train: TrainEdges, rows: np.ndarray) -> pd.DataFrame:
    """Training parents of the child's similarity neighbours: votes and summed scores."""
    nbr = corpus.nbr
    lo = np.searchsorted(nbr["src"].to_numpy(), rows, "left")
    hi = np.searchsorted(nbr["src"].to_numpy(), rows, "right")
    take = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)]) if len(
        rows
    ) else np.zeros(0, np.int64)
    pairs = nbr.iloc[take.astype(np.int64)].rename(columns={"src": "child", "dst": "sib"})
    edges = pd.DataFrame({"sib": train.child, "cand": train.parent})
    votes = pairs.merge(edges, on="sib")
    return (
        votes.groupby(["child", "cand"], sort=False)
        .agg(sib_votes=("score", "size"), sib_score=("score", "sum"))
        .reset_index()
    )


def _group_pairs(
    groups: np.ndarray, train: TrainEdges, rows: np.ndarray, k: int = TOP_PARENTS
) -> pd.DataFrame:
    top = group_parent_counts(groups, train)
    top = top[top.groupby("group").cumcount() < k][["group", "cand"]]
    child = pd.DataFrame({"child": rows, "group": groups[rows]})
    return child[child["group"] >= 0].merge(top, on="group")[["child", "cand"]]


def candidates(corpus: Corpus, train: TrainEdges, rows: np.ndarray) -> pd.DataFrame:
    """Candidate parents of the children `rows`: child, cand, from_* flags, sim, sub_len,
    sub_start, sib_votes, sib_score (one row per pair; no self pairs, no younger parent, no
    declared child of the child)."""
    rows = np.unique(np.asarray(rows, np.int64))
    nbr = corpus.nbr
    in_rows = np.isin(nbr["src"].to_numpy(), rows)
    sim = nbr[in_rows].rename(columns={"src": "child", "dst": "cand", "score": "sim"})
    stem = _stem_pairs(corpus, train, rows)
    sib = _sibling_pairs(corpus, train, rows)
    both, arch = prior_groups(corpus)
    prior = pd.concat([_group_pairs(g, train, rows, PRIOR_PARENTS) for g in (both, arch)])
    owner = _group_pairs(corpus.owner, train, rows)
    stem_sib = _group_pairs(corpus.stem, train, rows)
    parts = {
        "from_sim": sim,
        "from_stem": stem,
        "from_sibling": pd.concat([sib, stem_sib]),
        "from_owner": owner,
        "from_prior": prior,
    }
    frames = []
    for flag, frame in parts.items():
        frames.append(frame.assign(**{flag: np.int8(1)}))
    allp = pd.concat(frames, ignore_index=True)
    agg = {
        **{f: "max" for f in parts},
        "sim": "max",
        "sub_len": "max",
        "sub_start": "min",
        "sib_votes": "max",
        "sib_score": "max",
    }
    out = allp.groupby(["child", "cand"], sort=False).agg(agg).reset_index()
    out = out[out["child"] != out["cand"]]
    # a parent is not younger than its child (where both dates are known)
    cc = corpus.created[out["child"].to_numpy()]
    pc_ = corpus.created[out["cand"].to_numpy()]
    younger = pc_ > cc  # NaN compares False: unknown dates keep the pair
    # nor one of its own declared children (a model without a parent is often itself a base
    # that its quantised copies, close in name and similarity, declare as theirs)
    own_child = train.has(out["cand"].to_numpy(), out["child"].to_numpy(), corpus.n)
    out = out[~younger & ~own_child].reset_index(drop=True)
    for col in parts:
        out[col] = out[col].fillna(0).astype(np.int8)
    out["sim"] = out["sim"].fillna(0).astype(np.float32)
    out[["sub_len", "sib_votes", "sib_score"]] = out[["sub_len", "sib_votes", "sib_score"]].fillna(
        0
    )
    out["sub_start"] = out["sub_start"].fillna(-1)
    return out

