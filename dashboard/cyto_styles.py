"""Cytoscape stylesheets (data-driven: colours, sizes and widths come from element data)."""

from __future__ import annotations

from constellation.dashboard.palette import SIMILAR_COLOR

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
        "z-index": 10}},
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
    {"selector": "edge.merge", "style": {"width": 4}},
]

NEIGHBOURHOOD = BASE

LINEAGE = BASE + [
    {"selector": "edge.lineage", "style": {"curve-style": "straight", "opacity": 0.8}},
    {"selector": "edge.comb", "style": {"curve-style": "taxi", "taxi-direction": "downward",
                                        "taxi-turn": 45, "taxi-turn-min-distance": 5,
                                        "opacity": 0.55}},
    {"selector": "node", "style": {"min-zoomed-font-size": 5}},
    {"selector": "node", "style": {"text-max-width": "140px"}},
]

CONSOLE = BASE + [
    {"selector": "edge.rel", "style": {
        "label": "data(label)", "font-size": "8px", "color": "#667085", "line-color": "#adb5bd",
        "target-arrow-shape": "triangle", "target-arrow-color": "#adb5bd",
        "text-rotation": "autorotate",
    }},
]
