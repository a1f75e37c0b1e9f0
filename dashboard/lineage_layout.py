"""The lineage tree: ancestors above, the model in the middle, descendants below (pure functions).

Usage::

    elements = lineage_elements("gpt2", nodes, edges)   # edges: rows child, parent, relation
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constellation.dashboard.graph_elements import (
    Element,
    add_class,
    as_int,
    edge_elements,
    model_node,
    set_classes,
)

Point = tuple[float, float]


@dataclass(frozen=True)
class Spacing:
    """Grid of the tree: `dx` between columns, `dy` between generations, `grid_dy` between the
    rows of a leaf grid `wrap` (at least) columns wide."""

    wrap: int = 6
    dx: float = 140.0
    dy: float = 140.0
    grid_dy: float = 70.0

    def leaf_columns(self, n_leaves: int) -> int:
        """A wide, shallow grid: ~2 columns per row."""
        return max(self.wrap, math.ceil(math.sqrt(2 * n_leaves)))


@dataclass
class _Tree:
    """The lineage graph around `model_id` and the layout built on it."""

    model_id: str
    rows: dict[str, Mapping[str, Any]]
    parents: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # drawn tree
    pos: dict[str, Point] = field(default_factory=dict)
    role: dict[str, str] = field(default_factory=dict)

    def popular(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda i: (-as_int(self.rows[i].get("downloads")), i))


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
    spacing = Spacing(wrap, dx, dy, grid_dy)
    lin = [e for e in edge_elements(edges) if e["data"]["kind"] == "lineage"]
    tree = _tree(model_id, nodes, lin)
    _descendant_tree(tree)
    _place_descendants(tree, spacing)
    _place_ancestors(tree, spacing)
    _place_rest(tree, spacing)
    out = [model_node(tree.rows[n], role=tree.role.get(n, ""), position=xy)
           for n, xy in tree.pos.items()]
    # edges into a parent's leaf grid are drawn as an org-chart comb instead of a fan
    leafy = {k for n in list(tree.kids) for k in tree.kids[n] if not tree.kids[k]}
    for e in lin:
        if e["data"]["target"] in leafy:
            set_classes(e, add_class(e["classes"], "comb"))
    return out + lin


def _tree(model_id: str, nodes: Sequence[Mapping[str, Any]], lin: list[Element]) -> _Tree:
    """Rows by id (a bare row for ids known only from an edge) and both directions of edges."""
    rows: dict[str, Mapping[str, Any]] = {str(n["id"]): n for n in nodes}
    rows.setdefault(model_id, {"id": model_id})
    tree = _Tree(model_id, rows, role={model_id: "centre"})
    for e in lin:
        p, c = e["data"]["source"], e["data"]["target"]
        rows.setdefault(p, {"id": p})
        rows.setdefault(c, {"id": c})
        tree.parents[c].append(p)
        tree.children[p].append(c)
    return tree


def _descendant_tree(tree: _Tree) -> None:
    """`tree.kids`: a BFS tree of the descendants (the first parent reached wins)."""
    placed = {tree.model_id}
    frontier = [tree.model_id]
    while frontier:
        nxt = []
        for n in frontier:
            for c in tree.popular(tree.children[n]):
                if c not in placed:
                    placed.add(c)
                    tree.kids[n].append(c)
                    nxt.append(c)
        frontier = nxt


def _place_descendants(tree: _Tree, sp: Spacing) -> None:
    """The model at the top of its descendants; each inner subtree in its own span of columns,
    a node's leaves in a grid after its inner subtrees."""
    kids = tree.kids
    widths: dict[str, int] = {}

    def width(n: str) -> int:  # columns of n's subtree
        if n not in widths:
            inner = [k for k in kids[n] if kids[k]]
            leaves = len(kids[n]) - len(inner)
            widths[n] = max(1, sum(width(k) for k in inner) + min(leaves, sp.leaf_columns(leaves)))
        return widths[n]

    stack = [(tree.model_id, 0, 0.0)]  # iterative: deep chains must not hit the recursion limit
    while stack:
        n, x0, y = stack.pop()
        tree.pos[n] = ((x0 + width(n) / 2 - 0.5) * sp.dx, y)
        x = x0
        inner = [k for k in kids[n] if kids[k]]
        leaves = [k for k in kids[n] if not kids[k]]
        for k in inner:
            stack.append((k, x, y + sp.dy))
            x += width(k)
        c = sp.leaf_columns(len(leaves))
        for i, leaf in enumerate(leaves):
            tree.pos[leaf] = ((x + i % c) * sp.dx, y + sp.dy + (i // c) * sp.grid_dy)
        for k in kids[n]:
            tree.role.setdefault(k, "descendant")


def _place_ancestors(tree: _Tree, sp: Spacing) -> None:
    """One layer per generation above the model, each centred over it."""
    cx = tree.pos[tree.model_id][0]
    frontier = [tree.model_id]
    gen = 0
    seen = {tree.model_id}
    while frontier:
        gen -= 1
        layer = []
        for n in frontier:
            for p in tree.popular(tree.parents[n]):
                if p not in seen and p not in tree.pos:
                    seen.add(p)
                    layer.append(p)
        for i, p in enumerate(layer):
            tree.pos[p] = (cx + (i - (len(layer) - 1) / 2) * sp.dx, gen * sp.dy)
            tree.role[p] = "ancestor"
        frontier = layer


def _place_rest(tree: _Tree, sp: Spacing) -> None:
    """Anything else the query returned (e.g. co-parents of a merge) goes on rows below."""
    rest = tree.popular(i for i in tree.rows if i not in tree.pos)
    if not rest:
        return
    bottom = max(y for _, y in tree.pos.values()) + sp.dy
    for i, nid in enumerate(rest):
        tree.pos[nid] = ((i % sp.wrap) * sp.dx, bottom + (i // sp.wrap) * sp.grid_dy)
        tree.role[nid] = "other"
