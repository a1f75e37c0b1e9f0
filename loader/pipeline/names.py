"""Model ids -> owner, name and name tokens.

`Llama-2-13B-chat-GPTQ` becomes `llama 2 13b chat gptq`: separators, camelCase and letter/digit
boundaries split words, while the tokens that carry meaning in a model name stay whole: sizes
(`7b`, `1.1b`, `125m`, `8x7b`), quantisation and formats (`gptq`, `4bit`, `q4_k_m`, `8.0bpw`,
`fp16`), versions (`v0.1`) and decimal numbers (`3.1`).

Usage::

    >>> tokenize("Mixtral-8x7B-Instruct-v0.1")
    ['mixtral', '8x7b', 'instruct', 'v0.1']
    >>> name_documents(pd.Series(["gpt2", "EleutherAI/pythia-1.4b-deduped"])).tolist()
    ['gpt 2', 'pythia 1.4b deduped']
    >>> owners(pd.Series(["gpt2", "EleutherAI/pythia-1.4b-deduped"])).tolist()
    [<NA>, 'eleutherai']

Owner and name come from `ingest.lineage.split_ids`, the one owner/name rule.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from constellation.loader.ingest.lineage import split_ids

# Order matters: at each position the first alternative that matches wins, so the protected
# tokens are tried before the generic word/number rules that would cut them apart.
_END = r"(?![A-Za-z0-9])"  # a protected token must end at a boundary ("7bit" is not "7b")
_TOKEN = re.compile(
    "|".join(
        [
            # quantisation / numeric formats
            r"(?P<quant>(?i:"
            r"i?q\d(?:_[a-z0-9]+)*"  # q4_k_m, q8_0, iq2_xxs, q4
            r"|\d+(?:\.\d+)?bpw"  # 8.0bpw, 4bpw
            r"|\d+-?bits?"  # 4bit, 8-bit
            r"|w\d+a\d+(?:g\d+)?"  # w4a16, w4a16g128
            r"|b?f(?:p)?(?:8|16|32)"  # fp16, bf16, f32, fp8
            r"|int[2-8]"  # int4, int8
            r"|exl2|gptq|awq|gguf|ggml|ggmlv3|mlx|onnx|hqq|eetq|openvino"
            r")" + _END + ")",
            # sizes: 7b, 13B, 1.1b, 125m, 8x7b, 32k, and BigScience's 7b1 / 1b7 (= 7.1b, 1.7b)
            r"(?P<size>(?i:(?:\d+x)?\d+(?:\.\d+)?[bmkt]|\d+[bm]\d)" + _END + ")",
            # versions: v0.1, v2, V1.5
            r"(?P<version>(?i:v\d+(?:\.\d+)*)" + _END + ")",
            # mixed-case brand words camelCase would shred (LLaMA, RoBERTa)
            r"(?P<brand>(?i:deberta|roberta|llama))",
            # plain numbers, decimals kept whole (3.1, 1.5)
            r"(?P<number>\d+(?:\.\d+)*)",
            # words with camelCase splitting: GPTNeoX -> GPT Neo X, TinyLlama -> Tiny Llama
            r"(?P<word>[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+)",
        ]
    )
)


def tokenize(name: str) -> list[str]:
    """Lower-case tokens of one model name (without its owner)."""
    out = []
    for m in _TOKEN.finditer(name):
        tok = m.group(0).lower()
        out.append(tok.replace("-", "") if m.lastgroup == "quant" else tok)  # 8-bit -> 8bit
    return out


def name_documents(ids: pd.Series) -> pd.Series:
    """Space-joined name tokens for each id (owner stripped), as an object Series.

    Tokenises each distinct name once, so repeated names (quantised copies under other owners)
    cost nothing; 1M ids take seconds.
    """
    names = split_ids(ids.astype(str))[1].to_numpy(dtype=object)
    codes, uniques = pd.factorize(names, sort=False)
    docs = [" ".join(tokenize(n)) for n in uniques]
    return pd.Series(np.array(docs, dtype=object)[codes], index=ids.index, dtype=object)


def owners(ids: pd.Series) -> pd.Series:
    """Owner part of each id (NA for bare ids), lower-cased for matching, as a string Series."""
    return split_ids(ids.astype(str))[0].str.lower()
