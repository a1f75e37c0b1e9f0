"""The explorer's visual encoding: family colours, relation styles, node sizes, edge widths.

One place for them, so a family keeps its colour across the graphs, the legend, the dendrogram,
the scatter plots and the word cloud.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

# Categorical palette, picked greedily for distance in CIELAB (every pair at least ΔE 33 apart,
# none near the no-family grey or too light for a white page); a family keeps its colour across
# views and sessions (a hash), and `distinct_colors` keeps two families on one screen apart.
PALETTE = (
    "#1f77b4", "#09bf09", "#e50b0b", "#e50be5", "#72611c", "#99265f", "#2fbfa2", "#0b4ce5",
    "#e5a40b", "#e58067", "#05721b", "#a2bf2f", "#9f56bf", "#337272", "#39c3e5", "#780be5",
    "#e50b62", "#e50ba4",
)
NO_FAMILY_COLOR = "#adb5bd"

# Declared lineage relations -> (colour, line style, legend label).
RELATION_STYLES: dict[str, tuple[str, str, str]] = {
    "finetune": ("#e8590c", "solid", "fine-tune"),
    "quantized": ("#0ca678", "dashed", "quantized"),
    "adapter": ("#ae3ec9", "dotted", "adapter"),
    # Cytoscape has no `double` line: a merge is drawn dash-dot (MERGE_DASH), wider
    "merge": ("#1c7ed6", "dashed", "merge"),
    "unknown": ("#868e96", "dashed", "other / unknown"),
}
SIMILAR_COLOR = "#b8c0cc"
MERGE_DASH = [10, 4, 2, 4]  # dash-dot, in px: Cytoscape's line-dash-pattern
LIKELY_COLOR = "#f76707"


def family_color(family: Any) -> str:
    """Stable colour for a family label (or community id)."""
    if family is None or family == "" or (isinstance(family, float) and math.isnan(family)):
        return NO_FAMILY_COLOR
    return PALETTE[zlib.crc32(str(family).encode()) % len(PALETTE)]


def distinct_colors(families: Iterable[Any], taken: Mapping[str, str] | None = None
                    ) -> dict[str, str]:
    """Colours for the families on one screen, most important first: each keeps its own
    (`family_color`) unless a family before it (or in `taken`) has it, then it gets the next
    free palette colour. Once every colour is used, colours repeat."""
    out = dict(taken or {})
    used = set(out.values())
    for fam in families:
        key = str(fam)
        if fam in (None, "") or key in out:
            continue
        start = PALETTE.index(family_color(fam))
        free = [PALETTE[(start + i) % len(PALETTE)] for i in range(len(PALETTE))]
        color = next((c for c in free if c not in used), free[0])
        out[key] = color
        used.add(color)
    return out


def node_size(downloads: Any) -> float:
    """Node diameter in px, growing with log10(downloads): 16 px at 0, ~70 px at 100M."""
    try:
        d = max(float(downloads or 0), 0.0)
    except (TypeError, ValueError):
        d = 0.0
    return round(16 + 6.5 * math.log10(1 + d), 1)


def edge_width(score: Any) -> float:
    """Similarity edge width in px: 1 at score 0.5 (the build threshold) to 7 at 1.0."""
    try:
        s = float(score)
    except (TypeError, ValueError):
        return 1.0
    return round(1 + max(0.0, min(1.0, (s - 0.5) / 0.5)) * 6, 2)
