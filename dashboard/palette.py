"""The explorer's visual encoding: family colours, relation styles, node sizes, edge widths.

One place for them, so a family keeps its colour across the graphs, the legend, the dendrogram,
the scatter plots and the word cloud.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

# Colour-blind-friendly-ish categorical palette; a family keeps its colour across views/sessions.
PALETTE = (
    "#4c6ef5", "#f08c00", "#2f9e44", "#e03131", "#7048e8", "#0c8599", "#d6336c", "#5c940d",
    "#1971c2", "#e8590c", "#9c36b5", "#099268", "#c2255c", "#364fc7", "#a61e4d", "#087f5b",
    "#862e9c", "#d9480f", "#1864ab", "#66a80f",
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
