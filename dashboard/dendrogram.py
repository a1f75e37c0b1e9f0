"""The top of the cluster hierarchy drawn as a dendrogram (plotly), one or two levels at a time.

Clusters are flat cuts of the single-linkage dendrogram at increasing distances (level 0 is the
finest); each cluster hangs under its parent at the parent's cut distance. Drilling down re-roots
the drawing at the clicked cluster. Pure: rows in, figure out.

Usage::

    fig = dendrogram_figure(children, grandchildren, root=None)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from constellation.dashboard.palette import family_color

LINE = "#98a2b3"


def layout_tree(
    children: Sequence[Mapping[str, Any]],
    grandchildren: Sequence[Mapping[str, Any]],
    root_height: float,
) -> tuple[list[dict], list[tuple[list[float], list[float]]]]:
    """Positions of the drawn clusters and the dendrogram's line segments.

    `children` are the root's direct sub-clusters (`id`, `threshold`, `size`, …); each
    `grandchildren` row has `parent` = a child id. Leaves (grandchildren, or childless children)
    get consecutive x; a parent sits over the middle of its leaves at its own height.
    Returns (points, segments) where a point has id/x/y/row and a segment is (xs, ys).
    """
    kids: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for g in grandchildren:
        kids[g.get("parent")].append(g)
    points: list[dict] = []
    segments: list[tuple[list[float], list[float]]] = []
    x = 0.0
    child_xs: list[float] = []
    spans = _spans(children)
    for c, span in zip(children, spans, strict=True):
        c_height = _height(c)
        subs = kids.get(c.get("id"), [])
        if subs:
            step = span / len(subs)  # the sub-clusters spread over their parent's width
            xs = []
            for i, g in enumerate(subs):
                gx = x + (i + 0.5) * step
                points.append({"x": gx, "y": _leaf_height(g), "row": dict(g), "depth": 2})
                xs.append(gx)
            cx = sum(xs) / len(xs)
            for gx, g in zip(xs, subs, strict=True):
                segments.append(([gx, gx], [_leaf_height(g), c_height]))
            if len(xs) > 1:
                segments.append(([min(xs), max(xs)], [c_height, c_height]))
        else:
            cx = x + span / 2
        points.append({"x": cx, "y": c_height, "row": dict(c), "depth": 1,
                       "span": (x, x + span)})
        x += span + 1.0  # a gap between sibling groups (room for their slanted labels)
        child_xs.append(cx)
        segments.append(([cx, cx], [c_height, root_height]))
    if len(child_xs) > 1:
        segments.append(([min(child_xs), max(child_xs)], [root_height, root_height]))
    return points, segments


def _spans(children: Sequence[Mapping[str, Any]]) -> list[float]:
    """The width of each child: its share of the models drawn, so a 7,900-model cluster is
    drawn wider than a 70-model one (at least one unit; its sub-clusters share it)."""
    sizes = [max(_size(c), 1.0) for c in children]
    total = sum(sizes) or 1.0
    budget = 3.0 * len(children)  # units of width shared by size
    return [max(1.0, budget * n / total) for n in sizes]


def _size(row: Mapping[str, Any]) -> float:
    try:
        return float(row.get("size") or 1)
    except (TypeError, ValueError):
        return 1.0


def _height(row: Mapping[str, Any]) -> float:
    try:
        return float(row.get("threshold") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _leaf_height(row: Mapping[str, Any]) -> float:
    # a model leaf sits at distance 0; a cluster at its own cut
    return 0.0 if "threshold" not in row else _height(row)


def dendrogram_figure(
    children: Sequence[Mapping[str, Any]],
    grandchildren: Sequence[Mapping[str, Any]],
    root_height: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    points, segments = layout_tree(children, grandchildren, root_height)
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for sx, sy in segments:
        xs += [*sx, None]
        ys += [*sy, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": LINE, "width": 1.4},
                             hoverinfo="skip", showlegend=False))
    # under each cluster a bar as wide as its share of the models: its size at a glance
    tops_ = [p for p in points if p["depth"] == 1 and "span" in p]
    low_ = min((p["y"] for p in points), default=0.0) - 0.025
    for p in tops_:
        fig.add_trace(go.Scatter(
            x=[p["span"][0], p["span"][1]], y=[low_, low_], mode="lines",
            line={"color": family_color(p["row"].get("label")), "width": 7},
            hoverinfo="skip", showlegend=False, name="size"))
    for depth, symbol in ((1, "circle"), (2, "circle")):
        pts = [p for p in points if p["depth"] == depth]
        if not pts:
            continue
        rows = [p["row"] for p in pts]
        sizes = [_marker(r) for r in rows]
        fig.add_trace(go.Scatter(
            x=[p["x"] for p in pts], y=[p["y"] for p in pts], mode="markers",
            marker={"size": sizes, "color": [family_color(r.get("label") or r.get("family"))
                                             for r in rows],
                    "line": {"color": "#fff", "width": 1}, "symbol": symbol, "opacity": 0.9},
            customdata=[[r.get("id"), r.get("kind", "cluster")] for r in rows],
            hovertext=[_hover(r) for r in rows], hoverinfo="text", showlegend=False,
        ))
    tops = sorted((p for p in points if p["depth"] == 1), key=lambda p: p["x"])
    low = min((p["y"] for p in points), default=0.0)
    fig.update_layout(
        title={"text": title, "font": {"size": 13}} if title else None,
        margin={"l": 60, "r": 10, "t": 34 if title else 10, "b": 120},
        height=470,
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        # the sub-clusters' labels sit under the drawing, slanted so they never overlap
        xaxis={"tickvals": [p["x"] for p in tops],
               "ticktext": tick_labels([p["row"] for p in tops]),
               "tickangle": -40, "tickfont": {"size": 10, "color": "#344054"},
               "showgrid": False, "zeroline": False, "showline": False, "ticks": ""},
        yaxis={"title": "single-linkage distance",
               "range": [low - 0.05, root_height + 0.04],
               "gridcolor": "#f0f2f5", "zeroline": False},
        hoverlabel={"bgcolor": "#fff"},
        clickmode="event",
        font={"family": "Liberation Sans, DejaVu Sans, Arial, sans-serif"},
    )
    return fig


def _label(r: Mapping[str, Any]) -> str:
    lab = str(r.get("label") or r.get("name") or r.get("id") or "")
    return lab if len(lab) <= 24 else lab[:23] + "…"


def tick_labels(rows: Sequence[Mapping[str, Any]], width: int = 24) -> list[str]:
    """Short labels that stay unique: forty `distilgpt2-finetuned-wikitext2-…` leaves differ
    only at the end, so where two cut labels collide they keep both ends of the full id
    (owner and all) instead: `distilgpt2-f…ikitext2-v3`."""
    labels = [_label(r) for r in rows]
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    out = []
    for lab, r in zip(labels, rows, strict=True):
        if seen[lab] > 1:
            full = str(r.get("id") if r.get("kind") == "model" else
                       r.get("label") or r.get("id") or "")
            half = (width - 1) // 2
            lab = full if len(full) <= width else full[:half] + "…" + full[-(width - 1 - half):]
        out.append(lab)
    return out


def _marker(r: Mapping[str, Any]) -> float:
    import math

    try:
        n = float(r.get("size") or 1)
    except (TypeError, ValueError):
        n = 1.0
    return 7 + 4 * math.log10(max(n, 1.0))


def _hover(r: Mapping[str, Any]) -> str:
    if r.get("kind") == "model":
        downloads = r.get("downloads")  # absent in builds without Hub metadata
        return (f"<b>{r.get('id')}</b><br>"
                + ("downloads unknown" if downloads is None else f"{int(downloads):,} downloads"))
    terms = ", ".join((r.get("terms") or [])[:6])
    return (f"<b>{r.get('label') or 'cluster ' + str(r.get('id'))}</b><br>{r.get('size', '?')} "
            f"models · level {r.get('level', '?')}<br>{terms}<br><i>click to drill down</i>")
