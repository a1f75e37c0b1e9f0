"""The lineage view: the ancestors as a chain on top, the model, and its derived models grouped
by relation below, one column per relation (pure functions).

Usage::

    elements = lineage_elements(centre, ancestors, groups, likely)
    # centre: the model's row; ancestors: `lineage_ancestors` rows; groups: `lineage_children`
    # rows (relation, total, children); likely: `lineage_likely` rows (drawn only when given)

Siblings share a column (a box named after the relation, with its count), one model per line,
most downloaded first, each label to the right of its node: however many children a base has,
no two labels overlap and a column reads as a list of siblings, not as a chain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from constellation.dashboard.graph_elements import (
    Element,
    lineage_edge,
    model_node,
    unique_labels,
)
from constellation.dashboard.palette import RELATION_STYLES

FIRST_PAGE = 10  # children drawn per relation at first
MORE = 50  # ... and added per "show 50 more"
COL_W = 300.0  # px between relation columns (node + a 40-character label)
ROW_H = 30.0  # px between siblings
GEN_DY = 120.0  # px between generations
ANCESTOR_DX = 260.0  # px between ancestors of one generation


def relation_label(relation: Any) -> str:
    return RELATION_STYLES.get(str(relation), RELATION_STYLES["unknown"])[2]


def group_id(relation: Any) -> str:
    return f"group:{relation}"


def lineage_elements(
    centre: Mapping[str, Any],
    ancestors: Sequence[Mapping[str, Any]] = (),
    groups: Sequence[Mapping[str, Any]] = (),
    likely: Sequence[Mapping[str, Any]] = (),
) -> list[Element]:
    """Elements of the lineage view of `centre` (see the module's docstring)."""
    model_id = str(centre["id"])
    nodes: dict[str, Element] = {model_id: model_node(centre, role="centre", position=(0, 0))}
    edges: list[Element] = []
    _ancestors(model_id, ancestors, nodes, edges)
    _likely(model_id, likely, nodes, edges)
    _groups(model_id, groups, nodes, edges)
    out = list(nodes.values())
    unique_labels(out, chars=40)  # a column has room for 40 characters
    for el in out:  # a column lists its members by downloads: say them
        if "descendant" in str(el.get("classes")):
            el["data"]["label"] += f"  ·  {el['data']['downloads_text']}"
    return out + edges


def _ancestors(model_id: str, rows: Iterable[Mapping[str, Any]], nodes: dict[str, Element],
               edges: list[Element]) -> None:
    """One row per generation above the model, centred; the nearest generation first."""
    layers: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("id") and str(r["id"]) not in nodes:
            layers[int(r.get("depth") or 1)].append(r)
            nodes[str(r["id"])] = {}  # placeholder: placed below
    for depth, layer in layers.items():
        for i, r in enumerate(layer):
            x = (i - (len(layer) - 1) / 2) * ANCESTOR_DX
            nodes[str(r["id"])] = model_node(r, role="ancestor", position=(x, -depth * GEN_DY))
    for r in rows:
        if r.get("child") and r.get("parent"):
            edges.append(lineage_edge(r["child"], r["parent"], r.get("relation")))


def _likely(model_id: str, rows: Sequence[Mapping[str, Any]], nodes: dict[str, Element],
            edges: list[Element]) -> None:
    """Inferred parents: on the first row above, right of the declared ones, linked dashed."""
    row_y = -GEN_DY
    xs = [n["position"]["x"] for n in nodes.values() if n and n["position"]["y"] == row_y]
    x = (max(xs) + ANCESTOR_DX) if xs else 0.0
    for r in rows:
        pid = str(r.get("id") or "")
        if not pid or pid == model_id:
            continue
        if pid not in nodes:
            nodes[pid] = model_node(r, role="ancestor likely", position=(x, row_y))
            x += ANCESTOR_DX
        edges.append(likely_edge(model_id, pid, r.get("score"), r.get("relation")))


def likely_edge(child: str, parent: str, score: Any, relation: Any) -> Element:
    """An inferred (LIKELY_BASED_ON) link, drawn parent -> child, dashed, its score on hover."""
    try:
        sc = round(float(score), 3)
    except (TypeError, ValueError):
        sc = None
    rel = str(relation or "")
    hover = f"likely {rel or 'parent'}" + (f" · score {sc:.2f}" if sc is not None else "")
    return {
        "data": {"id": f"likely:{child}>{parent}", "source": parent, "target": child,
                 "score": sc, "relation": rel, "label": hover, "kind": "likely",
                 "cls": "likely"},
        "classes": "likely",
    }


def _groups(model_id: str, groups: Sequence[Mapping[str, Any]], nodes: dict[str, Element],
            edges: list[Element]) -> None:
    """One column per relation under the model: a box (its label says the relation, how many
    children it has and how many are drawn), the members one per line by downloads."""
    shown_groups = [g for g in groups if g.get("children")]
    for i, g in enumerate(shown_groups):
        rel = str(g.get("relation") or "unknown")
        gid = group_id(rel)
        total = int(g.get("total") or 0)
        kids = [k for k in g["children"] if k.get("id") and str(k["id"]) not in nodes]
        x_col = (i - (len(shown_groups) - 1) / 2) * COL_W
        color = RELATION_STYLES.get(rel, RELATION_STYLES["unknown"])[0]
        head = f"{relation_label(rel)} · {total:,}"
        if len(g["children"]) < total:
            head += f" (top {len(g['children']):,} by downloads)"
        nodes[gid] = {"data": {"id": gid, "label": head, "relation": rel, "total": total,
                               "color": color, "kind": "group", "cls": "group"},
                      "classes": "group", "selectable": False}
        for j, k in enumerate(kids):
            el = model_node(k, role="descendant",
                            position=(x_col - COL_W / 2 + 40, GEN_DY + j * ROW_H))
            el["data"]["parent"] = gid
            el["data"]["relation"] = rel
            el["data"]["children"] = int(k.get("children") or 0)
            nodes[str(k["id"])] = el
        edge = lineage_edge(gid, model_id, rel)
        edge["data"]["id"] = f"grp:{rel}"
        edge["classes"] += " togroup"  # ends at the top of the column, not in its middle
        edge["data"]["cls"] = edge["classes"]
        edges.append(edge)


def graph_height(elements: Sequence[Element], lo: int = 640, hi: int = 4000) -> int:
    """Pixels of graph a lineage needs to be read at zoom ~1: a long column of siblings makes
    the page scroll rather than shrinking every label out of sight."""
    ys = [el["position"]["y"] for el in elements if "position" in el]
    if not ys:
        return lo
    return int(max(lo, min(hi, max(ys) - min(ys) + 200)))
