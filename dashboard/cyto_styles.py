"""Cytoscape stylesheets (data-driven: colours, sizes and widths come from element data)."""

from __future__ import annotations

from constellation.dashboard.palette import LIKELY_COLOR, MERGE_DASH, SIMILAR_COLOR

BASE = [
    {
        "selector": "node",
        "style": {
            "background-color": "data(color)",
            "width": "data(size)",
            "height": "data(size)",
            "label": "data(label)",
            "font-size": "10px",
            "font-family": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
            "color": "#1b2330",
            "text-valign": "bottom",
            "text-margin-y": "3px",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.75,
            "text-background-padding": "1px",
            "text-max-width": "120px",
            "text-wrap": "ellipsis",
            "min-zoomed-font-size": 7,
            "border-width": 1.5,
            "border-color": "#ffffff",
        },
    },
    {"selector": "node.centre", "style": {
        "border-width": 4, "border-color": "#111827", "font-size": "13px", "font-weight": "bold",
        "z-index": 10, "text-max-width": "300px"}},
    {"selector": "node.expanded", "style": {"border-width": 3, "border-color": "#4c5fd5"}},
    {"selector": "node.new", "style": {"border-width": 3, "border-color": "#fab005"}},
    {"selector": "node:selected", "style": {"border-width": 4, "border-color": "#f03e3e"}},
    {
        "selector": "edge",
        "style": {"curve-style": "bezier", "opacity": 0.8, "width": 1.5, "line-color": "#ced4da"},
    },
    {
        "selector": "edge.similar",
        # haystack: straight, arrowless and much cheaper to draw than bezier with hundreds
        "style": {"width": "data(width)", "line-color": SIMILAR_COLOR, "opacity": 0.65,
                  "curve-style": "haystack", "haystack-radius": 0},
    },
    {
        "selector": "edge.lineage",
        "style": {
            "width": 2.5,
            "line-color": "data(color)",
            "line-style": "data(line_style)",
            "target-arrow-color": "data(color)",
            "target-arrow-shape": "triangle",
            "arrow-scale": 1.1,
            "opacity": 0.95,
        },
    },
    {"selector": "edge.merge", "style": {"width": 3.5, "line-style": "dashed",
                                         "line-dash-pattern": MERGE_DASH}},
]

NEIGHBOURHOOD = BASE


def neighbourhood(show_similar: bool = True, show_lineage: bool = True,
                  min_score: float = 0.0) -> list[dict]:
    """The neighbourhood's stylesheet with some edges hidden (the toolbar's toggles)."""
    hide = {"display": "none"}
    extra = []
    if not show_similar:
        extra.append({"selector": "edge.similar", "style": hide})
    elif min_score > 0:
        extra.append({"selector": f"edge.similar[score < {min_score:.3f}]", "style": hide})
    if not show_lineage:
        extra.append({"selector": "edge.lineage", "style": hide})
    return NEIGHBOURHOOD + extra

LINEAGE = BASE + [
    {"selector": "edge.lineage", "style": {"curve-style": "straight", "opacity": 0.8}},
    {"selector": "node", "style": {"min-zoomed-font-size": 5, "text-max-width": "150px"}},
    # a relation's column: a box named after the relation with its count; its members one per
    # line, the label right of the node (siblings read as a list, never overlap)
    {"selector": "node.group", "style": {
        "shape": "round-rectangle", "background-color": "data(color)",
        "background-opacity": 0.06, "border-width": 1.5, "border-color": "data(color)",
        "label": "data(label)", "text-valign": "top", "text-halign": "center",
        "font-size": "13px", "font-weight": "bold", "color": "data(color)",
        "text-background-opacity": 0, "padding": "10px", "text-max-width": "300px",
        "text-margin-y": "-4px"}},
    {"selector": "node.descendant", "style": {
        "width": 14, "height": 14, "text-valign": "center", "text-halign": "right",
        "text-margin-x": "6px", "text-margin-y": "0px", "text-max-width": "260px",
        "text-background-opacity": 0}},
    {"selector": "node.ancestor", "style": {"text-max-width": "220px"}},
    {"selector": "edge.togroup", "style": {"target-endpoint": "0% -50%", "width": 3,
                                           "target-distance-from-node": 22}},
    {"selector": "edge.likely", "style": {
        "line-color": LIKELY_COLOR, "line-style": "dashed", "width": 2.5, "opacity": 0.9,
        "target-arrow-shape": "triangle", "target-arrow-color": LIKELY_COLOR,
        "curve-style": "bezier"}},
    {"selector": "node.likely", "style": {"border-style": "dashed", "border-width": 2.5,
                                          "border-color": LIKELY_COLOR}},
]

CONSOLE = BASE + [
    {"selector": "edge.rel", "style": {
        "label": "data(label)", "font-size": "8px", "color": "#667085", "line-color": "#adb5bd",
        "target-arrow-shape": "triangle", "target-arrow-color": "#adb5bd",
        "text-rotation": "autorotate",
    }},
]
