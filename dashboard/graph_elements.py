"""Query results -> Cytoscape elements, with positions computed here (pure functions).

The explorer uses the `preset` layout everywhere: positions come from these functions, so an
expansion only places the new nodes (the rest of the picture stays where the user left it) and a
few hundred nodes render at once instead of waiting for a force layout in the browser.

Usage::

    elements, cut = neighbourhood_elements(centre, neighbours, edges, cap=400)
    elements, added, cut = expand(elements, "gpt2", rows, edges, cap=400)
    tree = lineage_elements("gpt2", nodes, edges)
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
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
    "merge": ("#1c7ed6", "double", "merge"),
    "unknown": ("#868e96", "dashed", "other / unknown"),
}
SIMILAR_COLOR = "#b8c0cc"

Element = dict[str, Any]


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


def short_name(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def model_node(
    row: Mapping[str, Any], *, role: str = "", position: tuple[float, float] | None = None
) -> Element:
    """One model row (needs `id`; uses name/family/downloads/likes/author/pipeline_tag) -> node."""
    mid = str(row["id"])
    family = row.get("family")
    data = {
        "id": mid,
        "label": row.get("name") or short_name(mid),
        "family": family if family is not None else "",
        "downloads": _int(row.get("downloads")),
        "likes": _int(row.get("likes")),
        "author": row.get("author") or "",
        "pipeline_tag": row.get("pipeline_tag") or "",
        "color": family_color(family if family not in (None, "") else row.get("community")),
        "size": node_size(row.get("downloads")),
    }
    el: Element = {"data": {**data, "cls": role}, "classes": role}
    if position is not None:
        el["position"] = {"x": round(position[0], 1), "y": round(position[1], 1)}
    return el


def similarity_edge(a: str, b: str, score: Any) -> Element:
    s, t = sorted((str(a), str(b)))
    sc = float(score) if score is not None else 0.0
    return {
        "data": {"id": f"sim:{s}|{t}", "source": s, "target": t, "score": round(sc, 3),
                 "width": edge_width(sc), "kind": "similar", "cls": "similar"},
        "classes": "similar",
    }


def lineage_edge(child: str, parent: str, relation: Any) -> Element:
    """A declared lineage edge, drawn parent -> child (arrow points at the derived model)."""
    rel = relation if relation in RELATION_STYLES else "unknown"
    color, style, label = RELATION_STYLES[rel]
    return {
        "data": {"id": f"lin:{child}>{parent}", "source": str(parent), "target": str(child),
                 "relation": rel, "label": label, "color": color, "line_style": style,
                 "kind": "lineage", "cls": f"lineage {rel}"},
        "classes": f"lineage {rel}",
    }


def edge_elements(edges: Iterable[Mapping[str, Any]]) -> list[Element]:
    """Rows with `source`, `target` and either `score` (similarity) or `relation` (lineage).

    Lineage rows may also use `child`/`parent`. Duplicates (same pair, same kind) are dropped.
    """
    out: dict[str, Element] = {}
    for e in edges:
        if "child" in e and "parent" in e:
            el = lineage_edge(e["child"], e["parent"], e.get("relation"))
        elif e.get("kind") == "lineage" or ("relation" in e and "score" not in e):
            # source/target rows of lineage follow the graph direction child -> parent
            el = lineage_edge(e["source"], e["target"], e.get("relation"))
        else:
            el = similarity_edge(e["source"], e["target"], e.get("score"))
        out.setdefault(el["data"]["id"], el)
    return list(out.values())


# --- neighbourhood -------------------------------------------------------------------------

RING_GAP = 120.0
FIRST_RING = 170.0


def ring_positions(n: int, centre: tuple[float, float] = (0.0, 0.0), first: float = FIRST_RING,
                   gap: float = RING_GAP, spacing: float = 80.0) -> list[tuple[float, float]]:
    """`n` points on concentric rings around `centre`, inner rings filled first."""
    out: list[tuple[float, float]] = []
    ring = 0
    while len(out) < n:
        r = first + ring * gap
        cap = max(6, int(2 * math.pi * r / spacing))
        k = min(cap, n - len(out))
        offset = (ring % 2) * math.pi / max(k, 1)  # stagger rings so labels don't line up
        for i in range(k):
            a = -math.pi / 2 + offset + 2 * math.pi * i / k
            out.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
        ring += 1
    return out


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
    ordered = sorted(uniq, key=lambda r: -_float(r.get("score"), 2.0))  # lineage-only rows first
    cut = max(0, len(ordered) - (cap - 1))
    ordered = ordered[: cap - 1]
    positions = ring_positions(len(ordered))
    # within each ring, order by family so same-coloured nodes sit together
    placed: list[Element] = [model_node(centre, role="centre expanded", position=(0.0, 0.0))]
    i = 0
    ring = 0
    while i < len(ordered):
        r = FIRST_RING + ring * RING_GAP
        k = min(max(6, int(2 * math.pi * r / 80.0)), len(ordered) - i)
        chunk = sorted(ordered[i : i + k], key=lambda row: str(row.get("family") or ""))
        for row, pos in zip(chunk, positions[i : i + k], strict=True):
            placed.append(model_node(row, position=pos))
        i += k
        ring += 1
    ids = {el["data"]["id"] for el in placed}
    return placed + _edges_within(edges, ids), cut


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
    _set_classes(clicked, _add_class(clicked.get("classes", ""), "expanded"))
    positions = {k: _pos(el) for k, el in nodes.items()}
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
    new_rows.sort(key=lambda r: -_float(r.get("score"), 2.0))
    room = max(0, cap - len(positions))
    cut = max(0, len(new_rows) - room)
    new_rows = new_rows[:room]

    origin = positions.get(node_id, (0.0, 0.0))
    others = [p for k, p in positions.items() if k != node_id]
    direction = -math.pi / 2
    if others:
        cx = sum(p[0] for p in others) / len(others)
        cy = sum(p[1] for p in others) / len(others)
        if math.hypot(origin[0] - cx, origin[1] - cy) >= 1e-6:
            direction = math.atan2(origin[1] - cy, origin[0] - cx)
    fan = _relax(fan_positions(len(new_rows), origin, direction), list(positions.values()))
    added = [model_node(row, role="new", position=pos)
             for row, pos in zip(new_rows, fan, strict=True)]
    ids = set(positions) | {el["data"]["id"] for el in added}
    done = set(edge_ids)
    for e in _edges_within(edges, ids):
        if e["data"]["id"] not in done:
            added.append(e)
            done.add(e["data"]["id"])
    return added, cut


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
            x, y = _pos(el)
            nodes[el["data"]["id"]] = [x, y, i, str(el.get("classes") or ""),
                                       el["data"].get("family") or ""]
    return {"nodes": nodes, "edges": edge_ids, "size": len(elements)}


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


def _relax(points: list[tuple[float, float]], fixed: list[tuple[float, float]],
           min_dist: float = 55.0, rounds: int = 12) -> list[tuple[float, float]]:
    """Push new points away from fixed points (and each other) closer than `min_dist`."""
    pts = [list(p) for p in points]
    if not pts:
        return []
    # bucket fixed points in a grid so this stays ~linear at a few hundred nodes
    cell = min_dist
    grid: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for p in fixed:
        grid[(int(p[0] // cell), int(p[1] // cell))].append(p)
    for _ in range(rounds):
        moved = False
        for i, p in enumerate(pts):
            gx, gy = int(p[0] // cell), int(p[1] // cell)
            near = [q for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                    for q in grid.get((gx + dx, gy + dy), ())]
            near += [tuple(q) for j, q in enumerate(pts) if j != i]
            for q in near:
                dx, dy = p[0] - q[0], p[1] - q[1]
                d = math.hypot(dx, dy)
                if d < min_dist:
                    if d < 1e-6:
                        dx, dy, d = 1.0, 0.5, 1.118
                    push = (min_dist - d) / 2 + 1
                    p[0] += dx / d * push
                    p[1] += dy / d * push
                    moved = True
        if not moved:
            break
    return [(p[0], p[1]) for p in pts]


def _edges_within(edges: Iterable[Mapping[str, Any]], ids: set[str]) -> list[Element]:
    return [e for e in edge_elements(edges)
            if e["data"]["source"] in ids and e["data"]["target"] in ids]


def family_counts(pic: Mapping[str, Any], top: int = 8) -> list[tuple[str, int]]:
    """The most frequent families among the nodes of a picture, for the colour legend."""
    from collections import Counter

    c = Counter(v[4] for v in pic["nodes"].values() if len(v) > 4 and v[4])
    return c.most_common(top)


def counts(elements: Sequence[Element]) -> tuple[int, int]:
    """(nodes, edges) in an element list."""
    n_edges = sum(1 for el in elements if "source" in el["data"])
    return len(elements) - n_edges, n_edges


def mark_new(elements: Sequence[Element], new_ids: set[str]) -> list[Element]:
    """Only `new_ids` keep the `new` class (the highlight of the latest expansion)."""
    out = []
    for el in restore_classes(elements):
        cls = " ".join(c for c in str(el.get("classes", "")).split() if c != "new")
        if el["data"]["id"] in new_ids:
            cls = _add_class(cls, "new")
        _set_classes(el, cls)
        out.append(el)
    return out


def restore_classes(elements: Sequence[Element]) -> list[Element]:
    """Copies of `elements` with `classes` rebuilt from `data.cls`.

    The elements a Cytoscape component hands back to a callback have lost their `classes`
    (only data/position survive the round trip), so every element keeps a copy in its data.
    """
    out = []
    for el in elements:
        data = dict(el.get("data") or {})
        new = {**el, "data": data}
        new["classes"] = el.get("classes") or data.get("cls", "")
        out.append(new)
    return out


def _set_classes(el: Element, cls: str) -> None:
    el["classes"] = cls
    el["data"] = {**el["data"], "cls": cls}


# --- lineage tree --------------------------------------------------------------------------

def lineage_elements(
    model_id: str,
    nodes: Sequence[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]],
    wrap: int = 6,
    dx: float = 140.0,
    dy: float = 140.0,
    grid_dy: float = 70.0,
) -> list[Element]:
    """Ancestors above, the model in the middle, descendants below: a tidy layered tree.

    `edges` are lineage rows (`child`, `parent`, `relation`). Each subtree gets its own
    horizontal span with the parent centred over it; a parent's childless children (often dozens
    of quantisations) are wrapped into a grid `wrap` columns wide under it, so a model with 300
    derived models stays readable. Models reached twice (merges) are drawn once, under the
    first parent reached; all their edges are kept.
    """
    lin = [e for e in edge_elements(edges) if e["data"]["kind"] == "lineage"]
    by_id = {str(n["id"]): n for n in nodes}
    by_id.setdefault(model_id, {"id": model_id})
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for e in lin:
        p, c = e["data"]["source"], e["data"]["target"]
        by_id.setdefault(p, {"id": p})
        by_id.setdefault(c, {"id": c})
        parents[c].append(p)
        children[p].append(c)

    def popular(ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda i: (-_int(by_id[i].get("downloads")), i))

    # descendants: a BFS tree (first parent reached wins)
    kids: dict[str, list[str]] = defaultdict(list)
    placed = {model_id}
    frontier = [model_id]
    while frontier:
        nxt = []
        for n in frontier:
            for c in popular(children[n]):
                if c not in placed:
                    placed.add(c)
                    kids[n].append(c)
                    nxt.append(c)
        frontier = nxt

    widths: dict[str, int] = {}

    def cols(n_leaves: int) -> int:  # a wide, shallow grid: ~2 columns per row
        return max(wrap, math.ceil(math.sqrt(2 * n_leaves)))

    def width(n: str) -> int:
        if n not in widths:
            inner = [k for k in kids[n] if kids[k]]
            leaves = len(kids[n]) - len(inner)
            widths[n] = max(1, sum(width(k) for k in inner) + min(leaves, cols(leaves)))
        return widths[n]

    pos: dict[str, tuple[float, float]] = {}
    role: dict[str, str] = {model_id: "centre"}
    stack = [(model_id, 0, 0.0)]  # iterative: deep chains must not hit the recursion limit
    while stack:
        n, x0, y = stack.pop()
        pos[n] = ((x0 + width(n) / 2 - 0.5) * dx, y)
        x = x0
        inner = [k for k in kids[n] if kids[k]]
        leaves = [k for k in kids[n] if not kids[k]]
        for k in inner:
            stack.append((k, x, y + dy))
            x += width(k)
        c = cols(len(leaves))
        for i, leaf in enumerate(leaves):
            pos[leaf] = ((x + i % c) * dx, y + dy + (i // c) * grid_dy)
        for k in kids[n]:
            role.setdefault(k, "descendant")

    # ancestors: layers above, each centred over the model
    cx = pos[model_id][0]
    frontier = [model_id]
    gen = 0
    seen = {model_id}
    while frontier:
        gen -= 1
        layer = []
        for n in frontier:
            for p in popular(parents[n]):
                if p not in seen and p not in pos:
                    seen.add(p)
                    layer.append(p)
        for i, p in enumerate(layer):
            pos[p] = (cx + (i - (len(layer) - 1) / 2) * dx, gen * dy)
            role[p] = "ancestor"
        frontier = layer

    # anything else the query returned (e.g. co-parents of a merge) goes on a row below
    rest = popular(i for i in by_id if i not in pos)
    if rest:
        bottom = max(y for _, y in pos.values()) + dy
        for i, nid in enumerate(rest):
            pos[nid] = ((i % wrap) * dx, bottom + (i // wrap) * grid_dy)
            role[nid] = "other"
    out = [model_node(by_id[n], role=role.get(n, ""), position=xy) for n, xy in pos.items()]
    # edges into a parent's leaf grid are drawn as an org-chart comb instead of a fan
    leafy = {k for n in list(kids) for k in kids[n] if not kids[k]}
    for e in lin:
        if e["data"]["target"] in leafy:
            _set_classes(e, _add_class(e["classes"], "comb"))
    return out + lin


# --- console results -------------------------------------------------------------------------

def console_graph_elements(rows: Sequence[Mapping[str, Any]], limit: int = 500) -> list[Element]:
    """Nodes and relationships found in console result rows -> elements ([] when none).

    Understands the console's JSON forms of graph values: dicts with `labels` (+ `properties`,
    `element_id`/`id`), relationships with `type` and `start`/`end` ids, and paths (`nodes` +
    `relationships`), nested in lists too.
    """
    nodes: dict[str, Element] = {}
    rels: dict[str, Element] = {}
    alias: dict[str, str] = {}  # element id -> node key (relationships refer to element ids)

    def node_key(v: Mapping[str, Any]) -> str:
        props = v.get("properties") or {}
        return str(props.get("id") or v.get("element_id") or v.get("id"))

    def visit(v: Any) -> None:
        if isinstance(v, list):
            for x in v:
                visit(x)
        elif isinstance(v, Mapping):
            if "labels" in v:
                props = dict(v.get("properties") or {})
                key = node_key(v)
                for k in (v.get("element_id"), v.get("id")):
                    if k is not None:
                        alias[str(k)] = key
                if key not in nodes and len(nodes) < limit:
                    labels = list(v.get("labels") or [])
                    label = str(props.get("id") or props.get("name") or props.get("label") or key)
                    name = short_name(label) if "Model" in labels else label
                    row = {**props, "id": key, "name": name}
                    el = model_node(row, role=" ".join(labels))
                    el["data"]["kind"] = labels[0] if labels else "node"
                    nodes[key] = el
            elif "type" in v and ("start" in v or "start_node" in v):
                s = str(v.get("start") or v.get("start_node"))
                t = str(v.get("end") or v.get("end_node"))
                rid = str(v.get("element_id") or v.get("id") or f"{s}-{v['type']}-{t}")
                rels[rid] = {"data": {"id": f"rel:{rid}", "source": s, "target": t,
                                      "label": v["type"], **_scalar_props(v.get("properties"))},
                             "classes": "rel"}
            elif "nodes" in v and "relationships" in v:
                visit(v["nodes"])
                visit(v["relationships"])
            else:
                for x in v.values():
                    visit(x)

    for row in rows:
        visit(list(row.values()) if isinstance(row, Mapping) else row)
    if not nodes:
        return []
    positions = ring_positions(len(nodes), first=120, gap=100)
    out = []
    for el, pos in zip(nodes.values(), positions, strict=True):
        el["position"] = {"x": round(pos[0], 1), "y": round(pos[1], 1)}
        out.append(el)
    for r in rels.values():
        s = alias.get(r["data"]["source"], r["data"]["source"])
        t = alias.get(r["data"]["target"], r["data"]["target"])
        if s in nodes and t in nodes:
            out.append({**r, "data": {**r["data"], "source": s, "target": t}})
    return out


# --- helpers -------------------------------------------------------------------------------

def _scalar_props(props: Any) -> dict[str, Any]:
    if not isinstance(props, Mapping):
        return {}
    return {k: v for k, v in props.items() if isinstance(v, str | int | float | bool)}


def _pos(el: Element) -> tuple[float, float]:
    p = el.get("position") or {}
    return float(p.get("x", 0.0)), float(p.get("y", 0.0))


def _add_class(classes: str, cls: str) -> str:
    parts = [c for c in str(classes or "").split() if c]
    if cls not in parts:
        parts.append(cls)
    return " ".join(parts)


def _int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def _float(v: Any, default: float) -> float:
    try:
        return float(v) if v is not None else default
    except (TypeError, ValueError):
        return default
