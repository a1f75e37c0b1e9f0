"""Query rows -> Cytoscape elements: model nodes, similarity and lineage edges (pure functions).

The layouts that place them are in `neighbourhood_layout`, `lineage_layout` and
`console_elements`; the colours and sizes in `palette`.

Usage::

    node = model_node({"id": "gpt2", "downloads": 10}, role="centre", position=(0, 0))
    edges = edge_elements([{"source": "a", "target": "b", "score": 0.9},
                           {"child": "c", "parent": "a", "relation": "quantized"}])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from constellation.dashboard.components import fmt_int
from constellation.dashboard.palette import RELATION_STYLES, edge_width, family_color, node_size
from constellation.loader.ingest.lineage import split_id

Element = dict[str, Any]


def short_name(model_id: str) -> str:
    return split_id(model_id)[1]


def node_label(model_id: str, colliding: bool = False) -> str:
    """A node's label: the name alone, or owner/name (the id) when another node on screen has
    the same name (ten copies of `gpt2` must not all read "gpt2")."""
    return str(model_id) if colliding else short_name(str(model_id))


def colliding_ids(ids: Iterable[str]) -> set[str]:
    """The ids whose name (the part after the owner) is shared by another of `ids`."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for i in set(ids):
        by_name[short_name(i).lower()].append(i)
    return {i for same in by_name.values() if len(same) > 1 for i in same}


LABEL_CHARS = 22  # what a node label shows in its 120 px (cyto_styles: text-max-width)


def fit_label(label: str, chars: int = LABEL_CHARS, tail: int | None = None) -> str:
    """A label cut to `chars` in the middle, keeping its end (its last `tail` characters;
    default: a little more than half): twenty `Mistral-7B-Instruct-v0.2-…` variants differ in
    their last words, which an end cut hides."""
    if len(label) <= chars:
        return label
    if tail is None:
        tail = chars - 1 - ((chars - 1) // 2 - 1)
    tail = max(1, min(tail, chars - 2))
    return label[:chars - 1 - tail] + "…" + label[-tail:]


def unique_labels(elements: Sequence[Element], chars: int = LABEL_CHARS) -> None:
    """Label the model nodes of `elements` so that no two read the same on screen (see
    `node_label`, `fit_label`). Labels that a middle cut makes alike keep more of their end
    ("Lily-Cy…3.0bpw-h6-exl2", "Lily-Cy…4.0bpw-h6-exl2"), then more of their start; only a
    label no cut of `chars` tells apart stays whole (and may be cut by the style's width)."""
    models = [el for el in elements if "source" not in el["data"]
              and el["data"].get("kind") != "group"]
    clash = colliding_ids(el["data"]["id"] for el in models)
    full = {el["data"]["id"]: node_label(el["data"]["id"], el["data"]["id"] in clash)
            for el in models}
    base_tail = len(fit_label("x" * (chars + 1), chars).split("…")[1])
    tries = [{i: fit_label(label, chars) for i, label in full.items()}]
    tries += [{i: fit_label(label, chars, tail) for i, label in full.items()}
              for tail in range(base_tail + 1, chars - 1)]  # more of the end
    tries += [{i: fit_label(label, chars, tail) for i, label in full.items()}
              for tail in range(base_tail - 1, 0, -1)]  # more of the start
    tries += [{i: fit_label(i, chars) for i in full}, full]
    chosen: dict[str, str] = {}
    for cut in tries:
        seen: dict[str, int] = defaultdict(int)
        for label in cut.values():
            seen[label] += 1
        taken = set(chosen.values())
        for i in [i for i in full if i not in chosen]:
            if seen[cut[i]] == 1 and cut[i] not in taken or cut is full:
                chosen[i] = cut[i]
    for el in models:
        el["data"]["label"] = chosen[el["data"]["id"]]


def model_node(
    row: Mapping[str, Any], *, role: str = "", position: tuple[float, float] | None = None
) -> Element:
    """One model row (needs `id`; uses name/family/downloads/likes/author/pipeline_tag) -> node."""
    mid = str(row["id"])
    family = row.get("family")
    data = {
        # what the hover box shows: enough to tell two look-alike nodes apart
        "hover": f"{mid} · {fmt_int(row.get('downloads'))} downloads · "
                 f"{family or 'no family'}",
        "id": mid,
        "label": node_label(mid),
        "family": family if family is not None else "",
        "downloads": as_int(row.get("downloads")),  # sizes and sorts; "–" below if missing
        "downloads_text": fmt_int(row.get("downloads")),
        "likes": as_int(row.get("likes")),
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


def edges_within(edges: Iterable[Mapping[str, Any]], ids: set[str]) -> list[Element]:
    """The edge elements of `edges` whose two ends are both in `ids`."""
    return [e for e in edge_elements(edges)
            if e["data"]["source"] in ids and e["data"]["target"] in ids]


def counts(elements: Sequence[Element]) -> tuple[int, int]:
    """(nodes, edges) in an element list."""
    n_edges = sum(1 for el in elements if "source" in el["data"])
    return len(elements) - n_edges, n_edges


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


def set_classes(el: Element, cls: str) -> None:
    """Set an element's classes and their copy in `data.cls` (see `restore_classes`)."""
    el["classes"] = cls
    el["data"] = {**el["data"], "cls": cls}


def add_class(classes: str, cls: str) -> str:
    parts = [c for c in str(classes or "").split() if c]
    if cls not in parts:
        parts.append(cls)
    return " ".join(parts)


def position_of(el: Element) -> tuple[float, float]:
    p = el.get("position") or {}
    return float(p.get("x", 0.0)), float(p.get("y", 0.0))


def as_int(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def as_float(v: Any, default: float) -> float:
    try:
        return float(v) if v is not None else default
    except (TypeError, ValueError):
        return default
