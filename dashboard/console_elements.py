"""Console result rows -> Cytoscape elements: the nodes and relationships a query returned.

Usage::

    elements = console_graph_elements(result_rows)   # [] when the rows hold no node
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from constellation.dashboard.graph_elements import Element, model_node, short_name
from constellation.dashboard.neighbourhood_layout import ring_positions


def console_graph_elements(rows: Sequence[Mapping[str, Any]], limit: int = 500) -> list[Element]:
    """Nodes and relationships found in console result rows -> elements ([] when none).

    Understands the console's JSON forms of graph values: dicts with `labels` (+ `properties`,
    `element_id`/`id`), relationships with `type` and `start`/`end` ids, and paths (`nodes` +
    `relationships`), nested in lists too. Nodes are laid out on rings (the browser runs a
    force layout over them once the card is visible).
    """
    found = _Found(limit)
    for row in rows:
        found.visit(list(row.values()) if isinstance(row, Mapping) else row)
    if not found.nodes:
        return []
    positions = ring_positions(len(found.nodes), first=120, gap=100)
    out = []
    for el, pos in zip(found.nodes.values(), positions, strict=True):
        el["position"] = {"x": round(pos[0], 1), "y": round(pos[1], 1)}
        out.append(el)
    for r in found.rels.values():
        s = found.alias.get(r["data"]["source"], r["data"]["source"])
        t = found.alias.get(r["data"]["target"], r["data"]["target"])
        if s in found.nodes and t in found.nodes:
            out.append({**r, "data": {**r["data"], "source": s, "target": t}})
    return out


class _Found:
    """The graph values met while walking result rows (up to `limit` nodes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.nodes: dict[str, Element] = {}
        self.rels: dict[str, Element] = {}
        self.alias: dict[str, str] = {}  # element id -> node key (relationships use element ids)

    def visit(self, v: Any) -> None:
        if isinstance(v, list):
            for x in v:
                self.visit(x)
        elif isinstance(v, Mapping):
            if "labels" in v:
                self.node(v)
            elif "type" in v and ("start" in v or "start_node" in v):
                self.relationship(v)
            elif "nodes" in v and "relationships" in v:
                self.visit(v["nodes"])
                self.visit(v["relationships"])
            else:
                for x in v.values():
                    self.visit(x)

    def node(self, v: Mapping[str, Any]) -> None:
        props = dict(v.get("properties") or {})
        key = str(props.get("id") or v.get("element_id") or v.get("id"))
        for k in (v.get("element_id"), v.get("id")):
            if k is not None:
                self.alias[str(k)] = key
        if key in self.nodes or len(self.nodes) >= self.limit:
            return
        labels = list(v.get("labels") or [])
        label = str(props.get("id") or props.get("name") or props.get("label") or key)
        name = short_name(label) if "Model" in labels else label
        el = model_node({**props, "id": key, "name": name}, role=" ".join(labels))
        el["data"]["kind"] = labels[0] if labels else "node"
        self.nodes[key] = el

    def relationship(self, v: Mapping[str, Any]) -> None:
        s = str(v.get("start") or v.get("start_node"))
        t = str(v.get("end") or v.get("end_node"))
        rid = str(v.get("element_id") or v.get("id") or f"{s}-{v['type']}-{t}")
        self.rels[rid] = {"data": {"id": f"rel:{rid}", "source": s, "target": t,
                                   "label": v["type"], **_scalar_props(v.get("properties"))},
                          "classes": "rel"}


def _scalar_props(props: Any) -> dict[str, Any]:
    if not isinstance(props, Mapping):
        return {}
    return {k: v for k, v in props.items() if isinstance(v, str | int | float | bool)}
