"""Where the neighbourhood's nodes go: rings around the model, fans around an expanded node.

The explorer uses Cytoscape's `preset` layout: positions come from these functions, so an
expansion only places the new nodes (the rest of the picture stays where the user left it) and a
few hundred nodes render at once instead of waiting for a force layout in the browser.

Usage::

    elements, cut = neighbourhood_elements(centre, neighbours, edges, cap=400)
    elements, added, cut = expand(elements, "gpt2", rows, edges, cap=400)
    pic = picture(elements)   # the compact state the explorer keeps next to the graph
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from constellation.dashboard.graph_elements import (
    Element,
    add_class,
    as_float,
    edges_within,
    model_node,
    position_of,
    restore_classes,
    set_classes,
    unique_labels,
)

RING_GAP = 120.0
FIRST_RING = 170.0
RING_SPACING = 80.0  # px between neighbours on a ring


def ring_positions(n: int, centre: tuple[float, float] = (0.0, 0.0), first: float = FIRST_RING,
                   gap: float = RING_GAP, spacing: float = RING_SPACING
                   ) -> list[tuple[float, float]]:
    """`n` points on concentric rings around `centre`, inner rings filled first."""
    out: list[tuple[float, float]] = []
    ring = 0
    while len(out) < n:
        r = first + ring * gap
        k = min(_ring_capacity(r, spacing), n - len(out))
        offset = (ring % 2) * math.pi / max(k, 1)  # stagger rings so labels don't line up
        for i in range(k):
            a = -math.pi / 2 + offset + 2 * math.pi * i / k
            out.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
        ring += 1
    return out


def _ring_capacity(radius: float, spacing: float = RING_SPACING) -> int:
    return max(6, int(2 * math.pi * radius / spacing))


def neighbourhood_elements(
    centre: Mapping[str, Any],
    neighbours: Sequence[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    cap: int = 400,
) -> tuple[list[Element], int]:
    """The centre model, its neighbours (rows with optional `score`) and the edges among them.

    Neighbours are placed on rings, most similar first, grouped by family within a ring so the
    colours form arcs. Returns (elements, number of neighbours cut by `cap`).
    """
    seen = {str(centre["id"])}
    uniq = []
    for n in neighbours:
        if str(n["id"]) not in seen:
            seen.add(str(n["id"]))
            uniq.append(n)
    ordered = sorted(uniq, key=lambda r: -as_float(r.get("score"), 2.0))  # lineage-only first
    cut = max(0, len(ordered) - (cap - 1))
    ordered = ordered[: cap - 1]
    # rings, then nudged so that no two labels overlap (the centre's included)
    positions = _relax(ring_positions(len(ordered)), [(0.0, 0.0)])
    # within each ring, order by family so same-coloured nodes sit together
    placed: list[Element] = [model_node(centre, role="centre expanded", position=(0.0, 0.0))]
    i = 0
    ring = 0
    while i < len(ordered):
        k = min(_ring_capacity(FIRST_RING + ring * RING_GAP), len(ordered) - i)
        chunk = sorted(ordered[i : i + k], key=lambda row: str(row.get("family") or ""))
        for row, pos in zip(chunk, positions[i : i + k], strict=True):
            placed.append(model_node(row, position=pos))
        i += k
        ring += 1
    unique_labels(placed)
    ids = {el["data"]["id"] for el in placed}
    return placed + edges_within(edges, ids), cut


def expand(
    elements: Sequence[Element],
    node_id: str,
    neighbours: Sequence[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    cap: int = 400,
) -> tuple[list[Element], int, int]:
    """Add `node_id`'s neighbours to an existing picture without moving what is there.

    New nodes fan out from the clicked node, away from the rest of the graph, then are nudged
    apart from existing nodes. Returns (elements, nodes added, neighbours cut by `cap`).
    """
    elements = restore_classes(elements)
    nodes = {el["data"]["id"]: el for el in elements if "source" not in el["data"]}
    if node_id not in nodes:
        return elements, 0, 0
    clicked = nodes[node_id]
    set_classes(clicked, add_class(clicked.get("classes", ""), "expanded"))
    positions = {k: position_of(el) for k, el in nodes.items()}
    edge_ids = {el["data"]["id"] for el in elements if "source" in el["data"]}
    added, cut = expansion(positions, edge_ids, node_id, neighbours, edges, cap)
    n_new = sum(1 for el in added if "source" not in el["data"])
    return elements + added, n_new, cut


def expansion(
    positions: Mapping[str, tuple[float, float]],
    edge_ids: set[str],
    node_id: str,
    neighbours: Sequence[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    cap: int = 400,
) -> tuple[list[Element], int]:
    """Only what an expansion adds: (new node and edge elements, neighbours cut by `cap`).

    `positions` are the nodes on screen and `edge_ids` the edges drawn, so the browser need not
    send the whole picture back: the explorer keeps these in a small store and patches the
    Cytoscape elements with the result.
    """
    seen = set(positions)
    new_rows = []
    for n in neighbours:
        nid = str(n["id"])
        if nid not in seen:
            seen.add(nid)
            new_rows.append(n)
    new_rows.sort(key=lambda r: -as_float(r.get("score"), 2.0))
    room = max(0, cap - len(positions))
    cut = max(0, len(new_rows) - room)
    new_rows = new_rows[:room]

    origin = positions.get(node_id, (0.0, 0.0))
    direction = _away_from_others(positions, node_id, origin)
    fan = _relax(fan_positions(len(new_rows), origin, direction), list(positions.values()))
    added = [model_node(row, role="new", position=pos)
             for row, pos in zip(new_rows, fan, strict=True)]
    ids = set(positions) | {el["data"]["id"] for el in added}
    done = set(edge_ids)
    for e in edges_within(edges, ids):
        if e["data"]["id"] not in done:
            added.append(e)
            done.add(e["data"]["id"])
    return added, cut


def _away_from_others(positions: Mapping[str, tuple[float, float]], node_id: str,
                      origin: tuple[float, float]) -> float:
    """The angle from the centroid of the other nodes to `origin` (straight up when none)."""
    others = [p for k, p in positions.items() if k != node_id]
    if others:
        cx = sum(p[0] for p in others) / len(others)
        cy = sum(p[1] for p in others) / len(others)
        if math.hypot(origin[0] - cx, origin[1] - cy) >= 1e-6:
            return math.atan2(origin[1] - cy, origin[0] - cx)
    return -math.pi / 2


def picture(elements: Sequence[Element]) -> dict[str, Any]:
    """The compact state of a drawn picture the explorer keeps next to the graph:
    `nodes` {id: [x, y, index in elements, classes, family]}, `edges` [ids], `size`
    (elements)."""
    nodes: dict[str, list] = {}
    edge_ids: list[str] = []
    for i, el in enumerate(elements):
        if "source" in el["data"]:
            edge_ids.append(el["data"]["id"])
        else:
            x, y = position_of(el)
            nodes[el["data"]["id"]] = [x, y, i, str(el.get("classes") or ""),
                                       el["data"].get("family") or ""]
    return {"nodes": nodes, "edges": edge_ids, "size": len(elements)}


def family_counts(pic: Mapping[str, Any], top: int = 8) -> list[tuple[str, int]]:
    """The most frequent families among the nodes of a picture, for the colour legend."""
    c = Counter(v[4] for v in pic["nodes"].values() if len(v) > 4 and v[4])
    return c.most_common(top)


def fan_positions(n: int, origin: tuple[float, float], direction: float, radius: float = 150.0,
                  spread: float = math.radians(150), spacing: float = 70.0
                  ) -> list[tuple[float, float]]:
    """`n` points on arcs centred on `direction` around `origin`, more rows outward as needed."""
    out: list[tuple[float, float]] = []
    row = 0
    while len(out) < n:
        r = radius + row * 95.0
        cap = max(3, int(spread * r / spacing))
        k = min(cap, n - len(out))
        for i in range(k):
            a = direction + (spread * ((i + 0.5) / k - 0.5) if k > 1 else 0.0)
            out.append((origin[0] + r * math.cos(a), origin[1] + r * math.sin(a)))
        row += 1
    return out


LABEL_W = 124.0  # px a label needs side by side (text-max-width 120 + a gap) ...
LABEL_H = 44.0  # ... and above/below (a node plus its one-line label under it)


def _relax(points: list[tuple[float, float]], fixed: list[tuple[float, float]],
           width: float = LABEL_W, height: float = LABEL_H) -> list[tuple[float, float]]:
    """Move each new point (in order) to the nearest free spot, spiralling out from where it
    was asked to go, so that its label overlaps no fixed point's or earlier new point's label:
    none closer than `width` side by side and `height` above/below at once."""
    grid: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)

    def cell(p: tuple[float, float]) -> tuple[int, int]:
        return int(math.floor(p[0] / width)), int(math.floor(p[1] / height))

    def free(p: tuple[float, float]) -> bool:
        gx, gy = cell(p)
        return not any(abs(p[0] - q[0]) < width and abs(p[1] - q[1]) < height
                       for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                       for q in grid.get((gx + dx, gy + dy), ()))

    for q in fixed:
        grid[cell(q)].append(q)
    out: list[tuple[float, float]] = []
    for p in points:
        spot = p
        step = 0
        while not free(spot):  # rings of 16 candidates, 18 px further out each time
            step += 1
            r, k = 18.0 * ((step + 15) // 16), step % 16
            a = 2 * math.pi * k / 16
            spot = (p[0] + r * math.cos(a) * width / height, p[1] + r * math.sin(a))
        grid[cell(spot)].append(spot)
        out.append(spot)
    return out


def labels_overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the labels of nodes at `a` and `b` would overlap (the box `_relax` keeps)."""
    return abs(a[0] - b[0]) < LABEL_W - 1 and abs(a[1] - b[1]) < LABEL_H - 1
