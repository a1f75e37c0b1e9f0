"""Word clouds of model names, rendered to PNG data URIs (the `wordcloud` package, no network).

Usage::

    freqs = name_word_frequencies(["TheBloke/Llama-2-7B-GPTQ", "meta-llama/Llama-2-7b-hf"])
    src = cloud_data_uri(freqs)   # "data:image/png;base64,..." for html.Img(src=...)
"""

from __future__ import annotations

import base64
import io
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping

from constellation.dashboard.palette import PALETTE

# Tokens too generic to say anything about a family.
STOP = {"hf", "the", "and", "of", "a", "model", "v", "b"}


def name_word_frequencies(ids: Iterable[str], weights: Iterable[float] | None = None,
                          generic: bool = False) -> Counter[str]:
    """Word counts over model names (owner stripped), each word once per model, optionally
    weighted (e.g. log downloads). The words are the build's (`pipeline.names.tokenize`, as in
    words.parquet and the family terms): "Llama-3.1-8B" gives `llama`, `3.1`, `8b` everywhere.
    `generic` keeps what a cloud leaves out (one-letter tokens, `STOP`), as the build counts."""
    from constellation.loader.ingest.lineage import split_id
    from constellation.loader.pipeline.names import tokenize

    counts: Counter[str] = Counter()
    ws = list(weights) if weights is not None else None
    for i, mid in enumerate(ids):
        w = ws[i] if ws is not None else 1.0
        for tok in set(tokenize(split_id(str(mid))[1])):
            if generic or (tok not in STOP and len(tok) > 1):
                counts[tok] += w
    return counts


def download_weight(downloads: object) -> float:
    """1 + log10(1 + downloads): popular members count more without drowning the rest."""
    try:
        return 1.0 + math.log10(1.0 + max(float(downloads or 0), 0.0))
    except (TypeError, ValueError):
        return 1.0


def cloud_data_uri(freqs: Mapping[str, float], width: int = 640, height: int = 300,
                   max_words: int = 80) -> str | None:
    """PNG data URI of a word cloud, or None when there are no words."""
    freqs = {w: float(c) for w, c in freqs.items() if c > 0}
    if not freqs:
        return None
    from wordcloud import WordCloud

    colors = PALETTE[:10]

    def color_func(word: str, *args: object, **kwargs: object) -> str:
        return colors[zlib.crc32(word.encode()) % len(colors)]

    wc = WordCloud(width=width, height=height, background_color="white", max_words=max_words,
                   prefer_horizontal=0.92, random_state=7, color_func=color_func, margin=4,
                   min_font_size=9)
    wc.generate_from_frequencies(freqs)
    buf = io.BytesIO()
    wc.to_image().save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
