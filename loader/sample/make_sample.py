# ruff: noqa: E501 - the hand-written data rows are kept one model per line
"""Re-make `models.jsonl`: a small hand-written demo set of real public Hub models.

Run from anywhere: `python loader/sample/make_sample.py`. The facts below were written by hand
from general knowledge of the Hub (ids, owners, families, declared base models, licences, rough
dates); downloads and likes are orders of magnitude, not measurements (see README.md).
Nothing here is extracted from ../shared.

Each family block gives defaults (pipeline tag, library, licence, architecture tag) and rows
`id | created (YYYY-MM-DD) | downloads | likes | parents`, where parents is empty or
`<relation>:<parent id>[+<parent id>…]` with relation ft (finetune), q (quantized),
ad (adapter) or merge.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

from constellation.loader.ingest.lineage import split_id

OUT = Path(__file__).with_name("models.jsonl")
RELATIONS = {"ft": "finetune", "q": "quantized", "ad": "adapter", "merge": "merge"}

# (pipeline_tag, library_name, license, architecture tag, rows)
FAMILIES: list[tuple[str, str, str, str, str]] = [
    ("text-generation", "transformers", "llama2", "llama", """
meta-llama/Llama-2-7b-hf | 2023-07-13 | 1500000 | 2000 |
meta-llama/Llama-2-7b-chat-hf | 2023-07-13 | 1200000 | 4000 | ft:meta-llama/Llama-2-7b-hf
meta-llama/Llama-2-13b-hf | 2023-07-13 | 300000 | 580 |
meta-llama/Llama-2-13b-chat-hf | 2023-07-13 | 400000 | 1000 | ft:meta-llama/Llama-2-13b-hf
meta-llama/Llama-2-70b-hf | 2023-07-11 | 100000 | 830 |
meta-llama/Llama-2-70b-chat-hf | 2023-07-14 | 150000 | 2100 | ft:meta-llama/Llama-2-70b-hf
NousResearch/Llama-2-7b-hf | 2023-07-18 | 200000 | 140 |
NousResearch/Llama-2-7b-chat-hf | 2023-07-18 | 150000 | 180 |
NousResearch/Llama-2-13b-hf | 2023-07-18 | 40000 | 70 |
NousResearch/Nous-Hermes-Llama2-13b | 2023-07-20 | 20000 | 310 | ft:meta-llama/Llama-2-13b-hf
lmsys/vicuna-7b-v1.5 | 2023-07-29 | 600000 | 330 | ft:meta-llama/Llama-2-7b-hf
lmsys/vicuna-13b-v1.5 | 2023-07-29 | 150000 | 220 | ft:meta-llama/Llama-2-13b-hf
lmsys/vicuna-7b-v1.5-16k | 2023-08-01 | 20000 | 90 | ft:meta-llama/Llama-2-7b-hf
lmsys/vicuna-13b-v1.5-16k | 2023-08-01 | 10000 | 230 | ft:meta-llama/Llama-2-13b-hf
WizardLMTeam/WizardLM-13B-V1.2 | 2023-07-25 | 8000 | 220 | ft:meta-llama/Llama-2-13b-hf
TheBloke/Llama-2-7B-GPTQ | 2023-07-18 | 50000 | 80 | q:meta-llama/Llama-2-7b-hf
TheBloke/Llama-2-7B-GGUF | 2023-09-04 | 40000 | 180 | q:meta-llama/Llama-2-7b-hf
TheBloke/Llama-2-7B-Chat-GPTQ | 2023-07-18 | 200000 | 260 | q:meta-llama/Llama-2-7b-chat-hf
TheBloke/Llama-2-7B-Chat-GGUF | 2023-09-04 | 120000 | 420 | q:meta-llama/Llama-2-7b-chat-hf
TheBloke/Llama-2-7B-Chat-AWQ | 2023-09-18 | 30000 | 20 | q:meta-llama/Llama-2-7b-chat-hf
TheBloke/Llama-2-7B-Chat-GGML | 2023-07-18 | 10000 | 860 | q:meta-llama/Llama-2-7b-chat-hf
TheBloke/Llama-2-13B-GPTQ | 2023-07-18 | 20000 | 120 | q:meta-llama/Llama-2-13b-hf
TheBloke/Llama-2-13B-GGUF | 2023-09-04 | 15000 | 60 | q:meta-llama/Llama-2-13b-hf
TheBloke/Llama-2-13B-chat-GPTQ | 2023-07-18 | 60000 | 360 | q:meta-llama/Llama-2-13b-chat-hf
TheBloke/Llama-2-13B-chat-GGUF | 2023-09-04 | 50000 | 190 | q:meta-llama/Llama-2-13b-chat-hf
TheBloke/Llama-2-13B-chat-AWQ | 2023-09-18 | 10000 | 20 | q:meta-llama/Llama-2-13b-chat-hf
TheBloke/Llama-2-70B-Chat-GPTQ | 2023-07-18 | 20000 | 260 | q:meta-llama/Llama-2-70b-chat-hf
TheBloke/Llama-2-70B-Chat-GGUF | 2023-09-04 | 10000 | 120 | q:meta-llama/Llama-2-70b-chat-hf
TheBloke/vicuna-7B-v1.5-GGUF | 2023-10-07 | 8000 | 20 | q:lmsys/vicuna-7b-v1.5
TheBloke/vicuna-13B-v1.5-GPTQ | 2023-08-02 | 5000 | 20 | q:lmsys/vicuna-13b-v1.5
TheBloke/Nous-Hermes-Llama2-GPTQ | 2023-07-21 | 6000 | 60 | q:NousResearch/Nous-Hermes-Llama2-13b
TheBloke/WizardLM-13B-V1.2-GPTQ | 2023-07-26 | 3000 | 30 | q:WizardLMTeam/WizardLM-13B-V1.2
upstage/Llama-2-70b-instruct-v2 | 2023-07-24 | 3000 | 150 | ft:meta-llama/Llama-2-70b-hf
garage-bAInd/Platypus2-70B-instruct | 2023-08-10 | 3000 | 170 | merge:garage-bAInd/Platypus2-70B+upstage/Llama-2-70b-instruct-v2
"""),
    ("text-generation", "transformers", "other", "llama", """
huggyllama/llama-7b | 2023-04-03 | 200000 | 300 |
huggyllama/llama-13b | 2023-04-03 | 20000 | 140 |
huggyllama/llama-65b | 2023-04-03 | 5000 | 70 |
lmsys/vicuna-7b-v1.3 | 2023-06-18 | 40000 | 130 |
lmsys/vicuna-13b-v1.3 | 2023-06-18 | 20000 | 190 |
lmsys/vicuna-33b-v1.3 | 2023-06-21 | 10000 | 290 |
lmsys/longchat-7b-16k | 2023-06-28 | 2000 | 60 |
timdettmers/guanaco-7b | 2023-05-22 | 3000 | 40 | ad:huggyllama/llama-7b
timdettmers/guanaco-65b | 2023-05-22 | 500 | 90 | ad:huggyllama/llama-65b
TheBloke/guanaco-7B-HF | 2023-05-25 | 4000 | 20 | merge:huggyllama/llama-7b+timdettmers/guanaco-7b
TheBloke/Wizard-Vicuna-7B-Uncensored-GPTQ | 2023-05-18 | 20000 | 170 | q:cognitivecomputations/Wizard-Vicuna-7B-Uncensored
TheBloke/Wizard-Vicuna-13B-Uncensored-GPTQ | 2023-05-13 | 30000 | 300 | q:cognitivecomputations/Wizard-Vicuna-13B-Uncensored
cognitivecomputations/Wizard-Vicuna-7B-Uncensored | 2023-05-18 | 8000 | 90 |
cognitivecomputations/Wizard-Vicuna-13B-Uncensored | 2023-05-11 | 10000 | 290 |
"""),
    ("text-generation", "transformers", "llama3", "llama", """
meta-llama/Meta-Llama-3-8B | 2024-04-17 | 900000 | 6000 |
meta-llama/Meta-Llama-3-8B-Instruct | 2024-04-17 | 2500000 | 4000 | ft:meta-llama/Meta-Llama-3-8B
meta-llama/Meta-Llama-3-70B | 2024-04-17 | 30000 | 850 |
meta-llama/Meta-Llama-3-70B-Instruct | 2024-04-17 | 150000 | 1500 | ft:meta-llama/Meta-Llama-3-70B
NousResearch/Meta-Llama-3-8B | 2024-04-18 | 20000 | 100 |
NousResearch/Meta-Llama-3-8B-Instruct | 2024-04-18 | 60000 | 90 |
NousResearch/Hermes-2-Pro-Llama-3-8B | 2024-04-30 | 30000 | 410 | ft:NousResearch/Meta-Llama-3-8B
NousResearch/Hermes-2-Theta-Llama-3-8B | 2024-05-05 | 10000 | 200 | merge:NousResearch/Hermes-2-Pro-Llama-3-8B+meta-llama/Meta-Llama-3-8B-Instruct
cognitivecomputations/dolphin-2.9-llama3-8b | 2024-04-20 | 10000 | 430 | ft:meta-llama/Meta-Llama-3-8B
unsloth/llama-3-8b-bnb-4bit | 2024-04-18 | 150000 | 180 | q:meta-llama/Meta-Llama-3-8B
unsloth/llama-3-8b-Instruct-bnb-4bit | 2024-04-18 | 100000 | 150 | q:meta-llama/Meta-Llama-3-8B-Instruct
lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF | 2024-04-18 | 60000 | 160 | q:meta-llama/Meta-Llama-3-8B-Instruct
QuantFactory/Meta-Llama-3-8B-Instruct-GGUF | 2024-04-18 | 40000 | 300 | q:meta-llama/Meta-Llama-3-8B-Instruct
MaziyarPanahi/Meta-Llama-3-8B-Instruct-GGUF | 2024-04-18 | 30000 | 90 | q:meta-llama/Meta-Llama-3-8B-Instruct
turboderp/Llama-3-8B-Instruct-exl2 | 2024-04-19 | 300 | 20 | q:meta-llama/Meta-Llama-3-8B-Instruct
"""),
    ("text-generation", "transformers", "llama3.1", "llama", """
meta-llama/Llama-3.1-8B | 2024-07-14 | 700000 | 1400 |
meta-llama/Llama-3.1-8B-Instruct | 2024-07-18 | 5000000 | 4000 | ft:meta-llama/Llama-3.1-8B
meta-llama/Llama-3.1-70B | 2024-07-14 | 20000 | 350 |
meta-llama/Llama-3.1-70B-Instruct | 2024-07-16 | 300000 | 800 | ft:meta-llama/Llama-3.1-70B
NousResearch/Hermes-3-Llama-3.1-8B | 2024-07-28 | 30000 | 300 | ft:meta-llama/Llama-3.1-8B
bartowski/Meta-Llama-3.1-8B-Instruct-GGUF | 2024-07-23 | 150000 | 200 | q:meta-llama/Llama-3.1-8B-Instruct
unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit | 2024-07-23 | 80000 | 100 | q:meta-llama/Llama-3.1-8B-Instruct
unsloth/Meta-Llama-3.1-8B-Instruct | 2024-07-23 | 50000 | 60 | ft:meta-llama/Llama-3.1-8B-Instruct
"""),
    ("text-generation", "transformers", "llama3.2", "llama", """
meta-llama/Llama-3.2-1B | 2024-09-18 | 1500000 | 1500 |
meta-llama/Llama-3.2-1B-Instruct | 2024-09-18 | 2000000 | 800 | ft:meta-llama/Llama-3.2-1B
meta-llama/Llama-3.2-3B | 2024-09-18 | 300000 | 500 |
meta-llama/Llama-3.2-3B-Instruct | 2024-09-18 | 1500000 | 1300 | ft:meta-llama/Llama-3.2-3B
unsloth/Llama-3.2-1B-Instruct | 2024-09-25 | 60000 | 60 | ft:meta-llama/Llama-3.2-1B-Instruct
bartowski/Llama-3.2-3B-Instruct-GGUF | 2024-09-25 | 80000 | 130 | q:meta-llama/Llama-3.2-3B-Instruct
"""),
    ("text-generation", "transformers", "llama2", "llama", """
codellama/CodeLlama-7b-hf | 2023-08-24 | 80000 | 340 |
codellama/CodeLlama-7b-Instruct-hf | 2023-08-24 | 60000 | 220 |
codellama/CodeLlama-13b-Instruct-hf | 2023-08-24 | 30000 | 140 |
codellama/CodeLlama-34b-Instruct-hf | 2023-08-24 | 20000 | 280 |
codellama/CodeLlama-34b-Python-hf | 2023-08-24 | 5000 | 100 |
TheBloke/CodeLlama-7B-GGUF | 2023-08-24 | 10000 | 110 | q:codellama/CodeLlama-7b-hf
TheBloke/CodeLlama-13B-Instruct-GGUF | 2023-08-24 | 10000 | 120 | q:codellama/CodeLlama-13b-Instruct-hf
TheBloke/CodeLlama-34B-Instruct-GPTQ | 2023-08-24 | 3000 | 70 | q:codellama/CodeLlama-34b-Instruct-hf
"""),
    ("text-generation", "transformers", "apache-2.0", "llama", """
TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T | 2023-12-28 | 60000 | 170 |
TinyLlama/TinyLlama-1.1B-Chat-v1.0 | 2023-12-30 | 1200000 | 1100 | ft:TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T
TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF | 2023-12-31 | 30000 | 120 | q:TinyLlama/TinyLlama-1.1B-Chat-v1.0
upstage/SOLAR-10.7B-v1.0 | 2023-12-12 | 20000 | 290 |
"""),
    ("text-generation", "transformers", "cc-by-nc-4.0", "llama", """
upstage/SOLAR-10.7B-Instruct-v1.0 | 2023-12-12 | 60000 | 620 | ft:upstage/SOLAR-10.7B-v1.0
TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF | 2023-12-14 | 10000 | 60 | q:upstage/SOLAR-10.7B-Instruct-v1.0
"""),
    ("text-generation", "transformers", "apache-2.0", "mistral", """
mistralai/Mistral-7B-v0.1 | 2023-09-20 | 900000 | 3500 |
mistralai/Mistral-7B-Instruct-v0.1 | 2023-09-27 | 500000 | 1500 | ft:mistralai/Mistral-7B-v0.1
mistralai/Mistral-7B-Instruct-v0.2 | 2023-12-11 | 2000000 | 2500 |
mistralai/Mistral-7B-v0.3 | 2024-05-22 | 300000 | 400 |
mistralai/Mistral-7B-Instruct-v0.3 | 2024-05-22 | 1500000 | 1200 | ft:mistralai/Mistral-7B-v0.3
mistralai/Mistral-Nemo-Base-2407 | 2024-07-18 | 30000 | 280 |
mistralai/Mistral-Nemo-Instruct-2407 | 2024-07-17 | 200000 | 1400 | ft:mistralai/Mistral-Nemo-Base-2407
mistralai/Mistral-Small-24B-Base-2501 | 2025-01-23 | 20000 | 240 |
mistralai/Mistral-Small-24B-Instruct-2501 | 2025-01-28 | 300000 | 850 | ft:mistralai/Mistral-Small-24B-Base-2501
mistralai/Mathstral-7B-v0.1 | 2024-07-16 | 5000 | 220 |
HuggingFaceH4/mistral-7b-sft-beta | 2023-10-26 | 5000 | 20 | ft:mistralai/Mistral-7B-v0.1
HuggingFaceH4/zephyr-7b-alpha | 2023-10-09 | 30000 | 1100 | ft:mistralai/Mistral-7B-v0.1
HuggingFaceH4/zephyr-7b-beta | 2023-10-26 | 400000 | 1600 | ft:HuggingFaceH4/mistral-7b-sft-beta
teknium/OpenHermes-2-Mistral-7B | 2023-10-12 | 10000 | 250 | ft:mistralai/Mistral-7B-v0.1
teknium/OpenHermes-2.5-Mistral-7B | 2023-10-29 | 100000 | 820 | ft:mistralai/Mistral-7B-v0.1
NousResearch/Nous-Hermes-2-Mistral-7B-DPO | 2024-02-18 | 20000 | 170 | ft:teknium/OpenHermes-2.5-Mistral-7B
NousResearch/Hermes-2-Pro-Mistral-7B | 2024-03-11 | 20000 | 490 | ft:mistralai/Mistral-7B-v0.1
NousResearch/Yarn-Mistral-7b-128k | 2023-10-31 | 10000 | 570 | ft:mistralai/Mistral-7B-v0.1
mlabonne/NeuralHermes-2.5-Mistral-7B | 2023-11-29 | 5000 | 150 | ft:teknium/OpenHermes-2.5-Mistral-7B
mlabonne/Marcoro14-7B-slerp | 2023-12-29 | 3000 | 30 | merge:AIDC-ai-business/Marcoroni-7B-v3+EmbeddedLLM/Mistral-7B-Merge-14-v0.1
mlabonne/NeuralBeagle14-7B | 2024-01-15 | 5000 | 160 | ft:mlabonne/Beagle14-7B
mlabonne/Beagle14-7B | 2024-01-14 | 2000 | 20 | merge:fblgit/UNA-TheBeagle-7b-v1+argilla/distilabeled-Marcoro14-7B-slerp
Intel/neural-chat-7b-v3-1 | 2023-11-14 | 20000 | 540 | ft:mistralai/Mistral-7B-v0.1
openchat/openchat_3.5 | 2023-10-30 | 30000 | 1100 | ft:mistralai/Mistral-7B-v0.1
openchat/openchat-3.5-0106 | 2024-01-07 | 30000 | 350 | ft:mistralai/Mistral-7B-v0.1
berkeley-nest/Starling-LM-7B-alpha | 2023-11-25 | 20000 | 560 | ft:openchat/openchat_3.5
cognitivecomputations/dolphin-2.1-mistral-7b | 2023-10-11 | 5000 | 260 | ft:mistralai/Mistral-7B-v0.1
TheBloke/Mistral-7B-v0.1-GGUF | 2023-09-27 | 40000 | 250 | q:mistralai/Mistral-7B-v0.1
TheBloke/Mistral-7B-v0.1-GPTQ | 2023-09-28 | 15000 | 40 | q:mistralai/Mistral-7B-v0.1
TheBloke/Mistral-7B-Instruct-v0.1-GGUF | 2023-09-27 | 60000 | 500 | q:mistralai/Mistral-7B-Instruct-v0.1
TheBloke/Mistral-7B-Instruct-v0.1-GPTQ | 2023-09-28 | 30000 | 80 | q:mistralai/Mistral-7B-Instruct-v0.1
TheBloke/Mistral-7B-Instruct-v0.1-AWQ | 2023-09-28 | 10000 | 30 | q:mistralai/Mistral-7B-Instruct-v0.1
TheBloke/Mistral-7B-Instruct-v0.2-GGUF | 2023-12-11 | 150000 | 400 | q:mistralai/Mistral-7B-Instruct-v0.2
TheBloke/Mistral-7B-Instruct-v0.2-GPTQ | 2023-12-11 | 40000 | 50 | q:mistralai/Mistral-7B-Instruct-v0.2
TheBloke/Mistral-7B-Instruct-v0.2-AWQ | 2023-12-11 | 30000 | 40 | q:mistralai/Mistral-7B-Instruct-v0.2
TheBloke/zephyr-7B-beta-GGUF | 2023-10-27 | 30000 | 220 | q:HuggingFaceH4/zephyr-7b-beta
TheBloke/zephyr-7B-beta-GPTQ | 2023-10-27 | 10000 | 60 | q:HuggingFaceH4/zephyr-7b-beta
TheBloke/zephyr-7B-beta-AWQ | 2023-10-27 | 8000 | 30 | q:HuggingFaceH4/zephyr-7b-beta
TheBloke/OpenHermes-2.5-Mistral-7B-GGUF | 2023-11-02 | 40000 | 190 | q:teknium/OpenHermes-2.5-Mistral-7B
TheBloke/OpenHermes-2.5-Mistral-7B-GPTQ | 2023-11-02 | 8000 | 30 | q:teknium/OpenHermes-2.5-Mistral-7B
TheBloke/neural-chat-7B-v3-1-GGUF | 2023-11-15 | 5000 | 60 | q:Intel/neural-chat-7b-v3-1
TheBloke/openchat_3.5-GGUF | 2023-11-02 | 8000 | 130 | q:openchat/openchat_3.5
bartowski/Mistral-7B-Instruct-v0.3-GGUF | 2024-05-22 | 40000 | 50 | q:mistralai/Mistral-7B-Instruct-v0.3
MaziyarPanahi/Mistral-7B-Instruct-v0.3-GGUF | 2024-05-22 | 60000 | 90 | q:mistralai/Mistral-7B-Instruct-v0.3
unsloth/mistral-7b-bnb-4bit | 2024-01-07 | 40000 | 40 | q:mistralai/Mistral-7B-v0.1
unsloth/mistral-7b-instruct-v0.3-bnb-4bit | 2024-05-22 | 30000 | 30 | q:mistralai/Mistral-7B-Instruct-v0.3
mlx-community/Mistral-7B-Instruct-v0.2-4bit | 2024-01-04 | 10000 | 10 | q:mistralai/Mistral-7B-Instruct-v0.2
"""),
    ("text-generation", "transformers", "apache-2.0", "mixtral", """
mistralai/Mixtral-8x7B-v0.1 | 2023-12-01 | 100000 | 1700 |
mistralai/Mixtral-8x7B-Instruct-v0.1 | 2023-12-10 | 500000 | 4200 | ft:mistralai/Mixtral-8x7B-v0.1
mistralai/Mixtral-8x22B-v0.1 | 2024-04-16 | 10000 | 200 |
mistralai/Mixtral-8x22B-Instruct-v0.1 | 2024-04-16 | 30000 | 700 | ft:mistralai/Mixtral-8x22B-v0.1
mistral-community/Mixtral-8x22B-v0.1 | 2024-04-10 | 8000 | 670 |
HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1 | 2024-04-10 | 3000 | 260 | ft:mistral-community/Mixtral-8x22B-v0.1
NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO | 2024-01-11 | 20000 | 420 | ft:mistralai/Mixtral-8x7B-v0.1
cognitivecomputations/dolphin-2.5-mixtral-8x7b | 2023-12-14 | 10000 | 1200 | ft:mistralai/Mixtral-8x7B-v0.1
TheBloke/Mixtral-8x7B-v0.1-GGUF | 2023-12-11 | 20000 | 420 | q:mistralai/Mixtral-8x7B-v0.1
TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF | 2023-12-11 | 100000 | 600 | q:mistralai/Mixtral-8x7B-Instruct-v0.1
TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ | 2023-12-11 | 30000 | 130 | q:mistralai/Mixtral-8x7B-Instruct-v0.1
TheBloke/Nous-Hermes-2-Mixtral-8x7B-DPO-GGUF | 2024-01-16 | 8000 | 60 | q:NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO
TheBloke/dolphin-2.5-mixtral-8x7b-GGUF | 2023-12-14 | 10000 | 300 | q:cognitivecomputations/dolphin-2.5-mixtral-8x7b
turboderp/Mixtral-8x7B-instruct-exl2 | 2023-12-12 | 500 | 60 | q:mistralai/Mixtral-8x7B-Instruct-v0.1
"""),
    ("text-generation", "transformers", "apache-2.0", "gpt_neox", """
EleutherAI/pythia-70m | 2023-02-13 | 150000 | 60 |
EleutherAI/pythia-160m | 2023-02-08 | 100000 | 30 |
EleutherAI/pythia-410m | 2023-02-13 | 60000 | 25 |
EleutherAI/pythia-1b | 2023-03-10 | 40000 | 35 |
EleutherAI/pythia-1.4b | 2023-02-09 | 30000 | 25 |
EleutherAI/pythia-2.8b | 2023-02-13 | 20000 | 30 |
EleutherAI/pythia-6.9b | 2023-02-14 | 15000 | 50 |
EleutherAI/pythia-12b | 2023-02-28 | 10000 | 130 |
EleutherAI/pythia-70m-deduped | 2023-02-13 | 80000 | 25 |
EleutherAI/pythia-160m-deduped | 2023-02-08 | 30000 | 3 |
EleutherAI/pythia-410m-deduped | 2023-02-13 | 20000 | 20 |
EleutherAI/pythia-1b-deduped | 2023-02-14 | 15000 | 18 |
EleutherAI/pythia-1.4b-deduped | 2023-02-09 | 15000 | 20 |
EleutherAI/pythia-2.8b-deduped | 2023-02-10 | 8000 | 15 |
EleutherAI/pythia-6.9b-deduped | 2023-02-25 | 5000 | 8 |
EleutherAI/pythia-12b-deduped | 2023-02-27 | 5000 | 50 |
EleutherAI/gpt-neox-20b | 2022-04-07 | 30000 | 540 |
databricks/dolly-v2-3b | 2023-04-13 | 30000 | 290 | ft:EleutherAI/pythia-2.8b
databricks/dolly-v2-7b | 2023-04-13 | 10000 | 150 | ft:EleutherAI/pythia-6.9b
databricks/dolly-v2-12b | 2023-04-11 | 15000 | 1900 | ft:EleutherAI/pythia-12b
OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5 | 2023-04-03 | 5000 | 360 | ft:EleutherAI/pythia-12b-deduped
togethercomputer/Pythia-Chat-Base-7B | 2023-03-10 | 500 | 70 |
"""),
    ("text-generation", "transformers", "mit", "gpt2", """
gpt2 | 2022-03-02 | 13000000 | 2300 |
gpt2-medium | 2022-03-02 | 400000 | 160 |
gpt2-large | 2022-03-02 | 200000 | 280 |
gpt2-xl | 2022-03-02 | 150000 | 310 |
distilgpt2 | 2022-03-02 | 2000000 | 400 |
microsoft/DialoGPT-small | 2022-03-02 | 40000 | 90 |
microsoft/DialoGPT-medium | 2022-03-02 | 150000 | 330 |
microsoft/DialoGPT-large | 2022-03-02 | 40000 | 260 |
lvwerra/gpt2-imdb | 2022-03-02 | 20000 | 10 |
huggingtweets/elonmusk | 2022-03-02 | 800 | 10 |
huggingtweets/dril | 2022-03-02 | 300 | 3 |
huggingtweets/jack | 2022-03-02 | 100 | 1 |
huggingtweets/billgates | 2022-03-02 | 150 | 1 |
huggingtweets/barackobama | 2022-03-02 | 120 | 1 |
huggingtweets/karpathy | 2022-03-02 | 200 | 2 |
huggingtweets/ylecun | 2022-03-02 | 100 | 1 |
huggingtweets/lexfridman | 2022-03-02 | 80 | 1 |
huggingtweets/kanyewest | 2022-03-02 | 90 | 1 |
huggingtweets/nasa | 2022-03-02 | 60 | 0 |
huggingtweets/pmarca | 2022-03-02 | 50 | 0 |
huggingtweets/sama | 2022-03-02 | 70 | 1 |
"""),
    ("text-generation", "transformers", "mit", "gpt_neo", """
EleutherAI/gpt-neo-125m | 2022-03-02 | 200000 | 180 |
EleutherAI/gpt-neo-1.3B | 2022-03-02 | 100000 | 280 |
EleutherAI/gpt-neo-2.7B | 2022-03-02 | 60000 | 450 |
"""),
    ("text-generation", "transformers", "apache-2.0", "gptj", """
EleutherAI/gpt-j-6b | 2022-03-02 | 100000 | 1400 |
"""),
    ("text-generation", "transformers", "apache-2.0", "falcon", """
tiiuae/falcon-rw-1b | 2023-04-26 | 30000 | 100 |
tiiuae/falcon-7b | 2023-04-24 | 100000 | 1000 |
tiiuae/falcon-7b-instruct | 2023-04-25 | 150000 | 900 |
tiiuae/falcon-40b | 2023-05-24 | 20000 | 2400 |
tiiuae/falcon-40b-instruct | 2023-05-25 | 10000 | 1200 |
tiiuae/falcon-11B | 2024-05-09 | 10000 | 210 |
TheBloke/falcon-7b-instruct-GPTQ | 2023-05-27 | 5000 | 70 | q:tiiuae/falcon-7b-instruct
TheBloke/falcon-40b-instruct-GPTQ | 2023-05-27 | 3000 | 200 | q:tiiuae/falcon-40b-instruct
"""),
    ("text-generation", "transformers", "other", "falcon", """
tiiuae/falcon-180B | 2023-08-24 | 3000 | 1100 |
tiiuae/falcon-180B-chat | 2023-09-04 | 2000 | 550 | ft:tiiuae/falcon-180B
tiiuae/Falcon3-7B-Base | 2024-12-12 | 10000 | 25 |
tiiuae/Falcon3-7B-Instruct | 2024-12-12 | 30000 | 70 | ft:tiiuae/Falcon3-7B-Base
"""),
    ("text-generation", "transformers", "bigscience-bloom-rail-1.0", "bloom", """
bigscience/bloom | 2022-05-19 | 8000 | 4800 |
bigscience/bloom-560m | 2022-05-19 | 300000 | 350 |
bigscience/bloom-1b1 | 2022-05-19 | 30000 | 60 |
bigscience/bloom-1b7 | 2022-05-19 | 30000 | 120 |
bigscience/bloom-3b | 2022-05-19 | 20000 | 90 |
bigscience/bloom-7b1 | 2022-05-19 | 20000 | 200 |
bigscience/bloomz | 2022-09-17 | 2000 | 500 | ft:bigscience/bloom
bigscience/bloomz-560m | 2022-10-08 | 40000 | 110 | ft:bigscience/bloom-560m
bigscience/bloomz-3b | 2022-10-08 | 8000 | 80 | ft:bigscience/bloom-3b
bigscience/bloomz-7b1 | 2022-09-27 | 5000 | 140 | ft:bigscience/bloom-7b1
"""),
    ("text-generation", "transformers", "other", "opt", """
facebook/opt-125m | 2022-05-11 | 2000000 | 170 |
facebook/opt-350m | 2022-05-11 | 300000 | 130 |
facebook/opt-1.3b | 2022-05-11 | 200000 | 160 |
facebook/opt-2.7b | 2022-05-11 | 60000 | 80 |
facebook/opt-6.7b | 2022-05-11 | 40000 | 110 |
facebook/opt-13b | 2022-05-11 | 10000 | 65 |
facebook/opt-30b | 2022-05-11 | 5000 | 135 |
facebook/opt-66b | 2022-06-23 | 3000 | 180 |
facebook/opt-iml-max-1.3b | 2022-12-21 | 3000 | 45 |
"""),
    ("text-generation", "transformers", "apache-2.0", "qwen2", """
Qwen/Qwen1.5-7B-Chat | 2024-01-30 | 30000 | 160 |
Qwen/Qwen2-7B | 2024-06-04 | 40000 | 140 |
Qwen/Qwen2-7B-Instruct | 2024-06-04 | 200000 | 610 | ft:Qwen/Qwen2-7B
Qwen/Qwen2.5-0.5B | 2024-09-15 | 500000 | 200 |
Qwen/Qwen2.5-0.5B-Instruct | 2024-09-16 | 1000000 | 250 | ft:Qwen/Qwen2.5-0.5B
Qwen/Qwen2.5-7B | 2024-09-15 | 300000 | 150 |
Qwen/Qwen2.5-7B-Instruct | 2024-09-16 | 2000000 | 600 | ft:Qwen/Qwen2.5-7B
Qwen/Qwen2.5-32B-Instruct | 2024-09-17 | 300000 | 230 |
Qwen/Qwen2.5-Coder-7B | 2024-09-16 | 30000 | 100 |
Qwen/Qwen2.5-Coder-7B-Instruct | 2024-09-17 | 200000 | 420 | ft:Qwen/Qwen2.5-Coder-7B
Qwen/Qwen2.5-Math-7B | 2024-09-16 | 30000 | 70 |
Qwen/Qwen2.5-7B-Instruct-GGUF | 2024-09-17 | 60000 | 80 | q:Qwen/Qwen2.5-7B-Instruct
Qwen/Qwen2.5-7B-Instruct-AWQ | 2024-09-17 | 100000 | 20 | q:Qwen/Qwen2.5-7B-Instruct
Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4 | 2024-09-17 | 20000 | 10 | q:Qwen/Qwen2.5-7B-Instruct
Qwen/QwQ-32B-Preview | 2024-11-27 | 50000 | 1700 | ft:Qwen/Qwen2.5-32B-Instruct
Qwen/Qwen3-8B-Base | 2025-04-28 | 80000 | 60 |
Qwen/Qwen3-8B | 2025-04-27 | 1000000 | 600 | ft:Qwen/Qwen3-8B-Base
bartowski/Qwen2.5-7B-Instruct-GGUF | 2024-09-19 | 30000 | 40 | q:Qwen/Qwen2.5-7B-Instruct
unsloth/Qwen2.5-7B-Instruct-bnb-4bit | 2024-09-18 | 20000 | 10 | q:Qwen/Qwen2.5-7B-Instruct
deepseek-ai/DeepSeek-R1-Distill-Qwen-7B | 2025-01-20 | 1000000 | 650 | ft:Qwen/Qwen2.5-Math-7B
"""),
    ("text-generation", "transformers", "other", "qwen", """
Qwen/Qwen-7B | 2023-08-03 | 20000 | 370 |
Qwen/Qwen-7B-Chat | 2023-08-03 | 30000 | 760 | ft:Qwen/Qwen-7B
"""),
    ("text-generation", "transformers", "mit", "phi", """
microsoft/phi-1 | 2023-09-10 | 10000 | 210 |
microsoft/phi-1_5 | 2023-09-10 | 80000 | 1300 |
microsoft/phi-2 | 2023-12-13 | 300000 | 3200 |
TheBloke/phi-2-GGUF | 2023-12-18 | 30000 | 190 | q:microsoft/phi-2
"""),
    ("text-generation", "transformers", "mit", "phi3", """
microsoft/Phi-3-mini-4k-instruct | 2024-04-22 | 800000 | 1100 |
microsoft/Phi-3-mini-128k-instruct | 2024-04-22 | 200000 | 1600 |
microsoft/Phi-3-medium-4k-instruct | 2024-05-07 | 30000 | 210 |
microsoft/Phi-3.5-mini-instruct | 2024-08-16 | 300000 | 850 |
microsoft/Phi-3-mini-4k-instruct-gguf | 2024-04-22 | 30000 | 480 | q:microsoft/Phi-3-mini-4k-instruct
microsoft/phi-4 | 2024-12-11 | 500000 | 2000 |
"""),
    ("text-generation", "transformers", "gemma", "gemma", """
google/gemma-2b | 2024-02-08 | 200000 | 900 |
google/gemma-2b-it | 2024-02-08 | 200000 | 680 |
google/gemma-7b | 2024-02-08 | 60000 | 3000 |
google/gemma-7b-it | 2024-02-13 | 60000 | 1100 |
google/gemma-2-2b-it | 2024-07-16 | 300000 | 800 | ft:google/gemma-2-2b
google/gemma-2-2b | 2024-07-16 | 100000 | 450 |
google/gemma-2-9b | 2024-06-24 | 40000 | 600 |
google/gemma-2-9b-it | 2024-06-24 | 200000 | 650 | ft:google/gemma-2-9b
google/gemma-2-27b-it | 2024-06-24 | 100000 | 520 | ft:google/gemma-2-27b
google/gemma-2-27b | 2024-06-24 | 20000 | 200 |
unsloth/gemma-2-9b-it-bnb-4bit | 2024-07-03 | 30000 | 15 | q:google/gemma-2-9b-it
bartowski/gemma-2-9b-it-GGUF | 2024-07-03 | 40000 | 200 | q:google/gemma-2-9b-it
HuggingFaceH4/zephyr-7b-gemma-v0.1 | 2024-03-01 | 3000 | 120 | ft:HuggingFaceH4/zephyr-7b-gemma-sft-v0.1
HuggingFaceH4/zephyr-7b-gemma-sft-v0.1 | 2024-02-27 | 1000 | 10 | ft:google/gemma-7b
"""),
    ("text-generation", "transformers", "bigcode-openrail-m", "gpt_bigcode", """
bigcode/starcoder | 2023-04-24 | 20000 | 2800 |
bigcode/starcoderbase | 2023-04-24 | 3000 | 390 |
bigcode/starcoderplus | 2023-06-01 | 2000 | 210 |
HuggingFaceH4/starchat-beta | 2023-06-07 | 3000 | 260 | ft:bigcode/starcoderplus
"""),
    ("fill-mask", "transformers", "apache-2.0", "bert", """
bert-base-uncased | 2022-03-02 | 50000000 | 1800 |
bert-base-cased | 2022-03-02 | 5000000 | 280 |
bert-large-uncased | 2022-03-02 | 1000000 | 120 |
bert-base-multilingual-cased | 2022-03-02 | 3000000 | 450 |
distilbert-base-uncased | 2022-03-02 | 10000000 | 600 |
"""),
    ("fill-mask", "transformers", "mit", "roberta", """
roberta-base | 2022-03-02 | 10000000 | 450 |
roberta-large | 2022-03-02 | 5000000 | 230 |
"""),
    ("text-classification", "transformers", "apache-2.0", "distilbert", """
distilbert-base-uncased-finetuned-sst-2-english | 2022-03-02 | 8000000 | 700 | ft:distilbert-base-uncased
"""),
    ("question-answering", "transformers", "cc-by-4.0", "roberta", """
deepset/roberta-base-squad2 | 2022-03-02 | 1500000 | 800 | ft:roberta-base
"""),
    ("text2text-generation", "transformers", "apache-2.0", "t5", """
t5-small | 2022-03-02 | 3000000 | 400 |
t5-base | 2022-03-02 | 2000000 | 700 |
t5-large | 2022-03-02 | 500000 | 200 |
google/flan-t5-small | 2022-10-21 | 1000000 | 300 |
google/flan-t5-base | 2022-10-21 | 1500000 | 800 |
google/flan-t5-large | 2022-10-21 | 800000 | 700 |
google/flan-t5-xl | 2022-10-23 | 300000 | 500 |
google/flan-t5-xxl | 2022-10-21 | 100000 | 1200 |
lmsys/fastchat-t5-3b-v1.0 | 2023-04-27 | 5000 | 370 | ft:google/flan-t5-xl
"""),
    ("feature-extraction", "sentence-transformers", "apache-2.0", "bert", """
sentence-transformers/all-MiniLM-L6-v2 | 2022-03-02 | 80000000 | 3000 |
sentence-transformers/all-mpnet-base-v2 | 2022-03-02 | 15000000 | 1000 |
BAAI/bge-small-en-v1.5 | 2023-09-12 | 5000000 | 300 |
BAAI/bge-large-en-v1.5 | 2023-09-12 | 3000000 | 500 |
"""),
]


def _offset(model_id: str, span: int) -> int:
    """A stable pseudo-random 0..span-1 per id (same file on every run)."""
    return int(hashlib.sha1(model_id.encode()).hexdigest()[:8], 16) % span


def _record(pipeline: str, library: str, license_: str, arch: str, line: str) -> dict:
    model_id, created, downloads, likes, parents = (p.strip() for p in line.split("|"))
    author = split_id(model_id)[0]
    start = datetime.fromisoformat(created) + timedelta(seconds=_offset(model_id, 86_400))
    modified = start + timedelta(days=_offset(model_id + "m", 300))
    tags = [library, "safetensors", arch, pipeline]
    card: dict = {"license": license_}
    if parents:
        code, _, rest = parents.partition(":")
        relation = RELATIONS[code]
        bases = rest.split("+")
        tags += [f"base_model:{b}" for b in bases]
        tags += [f"base_model:{relation}:{b}" for b in bases]
        card["base_model"] = bases[0] if len(bases) == 1 else bases
        if relation == "merge":
            card["tags"] = ["merge", "mergekit"]
            tags.append("merge")
    if "GGUF" in model_id or "gguf" in model_id:
        tags.insert(0, "gguf")
    for marker in ("GPTQ", "AWQ", "4bit", "exl2"):
        if marker.lower() in model_id.lower():
            tags.append(marker.lower())
    tags += [f"license:{license_}", "region:us"]
    record = {
        "id": model_id,
        "author": author,
        "downloads": int(downloads),
        "likes": int(likes),
        "createdAt": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "pipeline_tag": pipeline,
        "library_name": library,
        "tags": tags,
        "cardData": card,
    }
    if author is None:
        del record["author"]
    return record


def build() -> list[dict]:
    records = []
    for pipeline, library, license_, arch, rows in FAMILIES:
        for line in rows.strip().splitlines():
            records.append(_record(pipeline, library, license_, arch, line))
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate id in the sample"
    return records


if __name__ == "__main__":
    records = build()
    with OUT.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} models to {OUT}")
