"""Name tokenisation on real Hub model ids."""

from __future__ import annotations

import pandas as pd
import pytest
from constellation.loader.ingest.lineage import split_id, split_ids
from constellation.loader.pipeline.names import name_documents, owners, tokenize

REAL_NAMES = {
    "TheBloke/Llama-2-13B-chat-GPTQ": "llama 2 13b chat gptq",
    "meta-llama/Llama-3.1-8B-Instruct": "llama 3.1 8b instruct",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mixtral 8x7b instruct v0.1",
    "EleutherAI/pythia-1.4b-deduped": "pythia 1.4b deduped",
    "huggingtweets/elonmusk": "elonmusk",
    "TheBloke/vicuna-13B-v1.5-GGUF": "vicuna 13b v1.5 gguf",
    "bartowski/Meta-Llama-3-8B-Instruct-GGUF": "meta llama 3 8b instruct gguf",
    "ar08/llama3.2-1B-Function-calling-Q4_K_M-GGUF": "llama 3.2 1b function calling q4_k_m gguf",
    "tobchef/gemma-3-4b-document-writer-Q8_0-GGUF": "gemma 3 4b document writer q8_0 gguf",
    "Lucy-in-the-Sky/Qwen2.5-14B-Instruct-abliterated-v2-Q2_K-GGUF": (
        "qwen 2.5 14b instruct abliterated v2 q2_k gguf"
    ),
    "TheBloke/Luban-Marcoroni-13B-v3-AWQ": "luban marcoroni 13b v3 awq",
    "zrowt/Llama-3.1-8B-bnb-4bit-python": "llama 3.1 8b bnb 4bit python",
    "Black-Ink-Guild/Pernicious_Prophecy_70B-5.0bpw": "pernicious prophecy 70b 5.0bpw",
    "waldie/Qwen2.5-32B-Peganum-v0.1-4bpw-h6-exl2": "qwen 2.5 32b peganum v0.1 4bpw h 6 exl2",
    "rajatkrishna/Meta-Llama-3-8B-Instruct-OpenVINO-INT4": "meta llama 3 8b instruct openvino int4",
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0": "tiny llama 1.1b chat v1.0",
    "bigscience/bloom-560m": "bloom 560m",
    "bigscience/bloom-7b1": "bloom 7b1",
    "bigscience/bloomz-1b7": "bloomz 1b7",
    "facebook/opt-125m": "opt 125m",
    "gpt2": "gpt 2",
    "distilgpt2": "distilgpt 2",
    "cerebras/Cerebras-GPT-111M": "cerebras gpt 111m",
    "KoboldAI/fairseq-dense-6.7B-Shinen": "fairseq dense 6.7b shinen",
    "WizardLM/WizardLM-13B-V1.2": "wizard lm 13b v1.2",
    "codellama/CodeLlama-34b-Python-hf": "code llama 34b python hf",
    "decapoda-research/llama-7b-hf": "llama 7b hf",
    "MultiTrickFox/LLAMA_7B": "llama 7b",
    "huggyllama/llama-65b": "llama 65b",
    "openlm-research/open_llama_13b": "open llama 13b",
    "tiiuae/falcon-40b-instruct": "falcon 40b instruct",
    "mosaicml/mpt-7b-instruct": "mpt 7b instruct",
    "EleutherAI/gpt-neox-20b": "gpt neox 20b",
    "EleutherAI/gpt-j-6b": "gpt j 6b",
    "microsoft/DialoGPT-medium": "dialo gpt medium",
    "Salesforce/codegen-350M-mono": "codegen 350m mono",
    "lmsys/vicuna-7b-v1.3": "vicuna 7b v1.3",
    "TheBloke/Vicuna-33B-1-3-SuperHOT-8K-GPTQ": "vicuna 33b 1 3 super hot 8k gptq",
    "NousResearch/Nous-Hermes-Llama2-13b": "nous hermes llama 2 13b",
    "TheBloke/Llama-2-7B-GGML": "llama 2 7b ggml",
    "unsloth/Llama-3.2-1B-Instruct-bnb-4bit": "llama 3.2 1b instruct bnb 4bit",
    "Qwen/Qwen2.5-Coder-7B-Instruct": "qwen 2.5 coder 7b instruct",
    "microsoft/phi-3-mini-4k-instruct": "phi 3 mini 4k instruct",
    "google/gemma-2-9b-it": "gemma 2 9b it",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": "deep seek r 1 distill qwen 7b",
    "MaziyarPanahi/calme-2.3-llama3-70b": "calme 2.3 llama 3 70b",
    "sethuiyer/Chikuma_10.7B": "chikuma 10.7b",
    "mlx-community/Llama-3.2-3B-Instruct-4bit": "llama 3.2 3b instruct 4bit",
    "TheBloke/Mistral-7B-Instruct-v0.1-GPTQ": "mistral 7b instruct v0.1 gptq",
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16": (
        "meta llama 3.1 8b instruct quantized w4a16"
    ),
    "someone/model-8-bit-fp16": "model 8bit fp16",
}


@pytest.mark.parametrize(("model_id", "expected"), list(REAL_NAMES.items()))
def test_real_names(model_id: str, expected: str) -> None:
    assert " ".join(tokenize(split_id(model_id)[1])) == expected


@pytest.mark.parametrize(
    ("token_text", "token"),
    [
        ("13B", "13b"),
        ("8x7B", "8x7b"),
        ("1.1B", "1.1b"),
        ("125M", "125m"),
        ("Q4_K_M", "q4_k_m"),
        ("GPTQ", "gptq"),
        ("AWQ", "awq"),
        ("exl2", "exl2"),
        ("8.0bpw", "8.0bpw"),
        ("4bit", "4bit"),
        ("v0.1", "v0.1"),
        ("V2", "v2"),
        ("IQ2_XXS", "iq2_xxs"),
        ("bf16", "bf16"),
    ],
)
def test_protected_tokens_stay_whole(token_text: str, token: str) -> None:
    assert tokenize(f"Model-{token_text}-chat") == ["model", token, "chat"]


def test_boundaries_split() -> None:
    assert tokenize("Llama2") == ["llama", "2"]
    assert tokenize("mpt7b") == ["mpt", "7b"]  # a size glued to a word still splits off
    assert tokenize("7bit") == ["7bit"]  # not size 7b + "it"
    assert tokenize("GPTNeoXChat") == ["gpt", "neo", "x", "chat"]
    assert tokenize("LLaMA-13b") == ["llama", "13b"]
    assert tokenize("") == []


def test_split_id_and_owners() -> None:
    assert split_id("TheBloke/Llama-2-13B-chat-GPTQ") == ("TheBloke", "Llama-2-13B-chat-GPTQ")
    assert split_id("gpt2") == (None, "gpt2")
    ids = pd.Series(["TheBloke/a", "gpt2", "huggingtweets/dril"])
    assert owners(ids).fillna("<none>").tolist() == ["thebloke", "<none>", "huggingtweets"]


def test_one_owner_name_rule() -> None:
    """Reader, pipeline and dashboard split ids by one rule: the scalar and column forms agree,
    and the pipeline's owners/names are theirs, even for an id with two slashes."""
    ids = pd.Series(["TheBloke/Llama-2-7B-GGUF", "gpt2", "a/b/Tiny-Llama", "Org/x.y"])
    owner, name = split_ids(ids)
    assert [split_id(i) for i in ids] == list(zip(owner.astype(object).where(owner.notna(), None),
                                                  name, strict=True))
    assert owners(ids).tolist() == owner.str.lower().tolist()
    assert name_documents(ids).tolist() == [" ".join(tokenize(n)) for n in name]


def test_name_documents_tokenises_each_distinct_name_once() -> None:
    ids = pd.Series(["a/Llama-2-7B-GGUF", "b/Llama-2-7B-GGUF", "gpt2"], index=[10, 11, 12])
    docs = name_documents(ids)
    assert docs.tolist() == ["llama 2 7b gguf", "llama 2 7b gguf", "gpt 2"]
    assert docs.index.tolist() == [10, 11, 12]
