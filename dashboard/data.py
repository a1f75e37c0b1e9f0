"""Thin wrappers around the named queries in `constellation.queries`, shaped for the views.

Every view reads the graph through one `Data` object: it runs a named query with parameters
(never Cypher text built from user input), caches the plain rows for a short while (a click that
re-opens a view costs nothing) and lets "server down" (`GraphUnreachable`) through so the views can
say what to do.

Usage::

    data = Data(driver, database="hf")
    data.search("llama", Filters(pipeline_tag="text-generation"))
    rows, edges, hidden = data.related("gpt2", Filters(), limit=25)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from constellation.errors import GraphUnreachable, UserError, graph_errors

# Limits the views ask for (one place; the queries cap them again).
SEARCH_LIMIT = 15
RELATED_LIMIT = 30  # neighbours of each kind in a first view
EXPAND_LIMIT = 20  # ... and per click: fewer, so a click on a hub stays quick to draw
FAMILY_LIMIT = 1000  # family.cypher's largest page
LINEAGE_LIMIT = 300
# atlas scatter points: the browser draws them as SVG (views/atlas.py, scatter_figure);
# 1,000 keep the atlas page near its 1.5 s target at 1M models
SCATTER_LIMIT = 1000
WORDS_LIMIT = 40
WORDS_SAMPLE = 20000  # names read when the graph has no Word nodes
CACHE_SIZE = 512
CACHE_TTL_S = 300.0
# Whole-graph summaries that cost a scan, and the atlas's figures: kept for an hour (they
# change only with a new load, and every answer is kept per build: `_current_build`; cold
# at 1M the atlas's scatter took 0.6 s, its dendrogram 0.4)
SLOW_QUERIES = frozenset({"filter_pipeline_tags", "filter_licenses", "filter_datasets",
                          "atlas_words", "atlas_names", "home_families", "atlas_top_clusters",
                          "atlas_scatter", "atlas_model_count", "atlas_cluster_children",
                          "atlas_cluster_models"})
LONG_TTL_S = 3600.0
DOWN_RECHECK_S = 30.0  # after a connection failure, ping first for this long
# Cached answers are kept per build: after a `load` they are asked again within this long
BUILD_RECHECK_S = 30.0


FILTER_PARAMS = frozenset(
    {"pipeline_tag", "license", "min_downloads", "created_from", "created_to", "dataset"})




@dataclass(frozen=True)
class Filters:
    """Filters shared by the views; None means "any"."""

    pipeline_tag: str | None = None
    license: str | None = None
    min_downloads: int | None = None
    created_from: str | None = None  # YYYY-MM-DD, compared with ISO strings in the graph
    created_to: str | None = None
    dataset: str | None = None  # trained on this dataset (TRAINED_ON)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> Filters:
        from constellation.dashboard.routing import min_downloads

        d = d or {}
        return cls(
            pipeline_tag=d.get("pipeline_tag") or None,
            license=d.get("license") or None,
            min_downloads=min_downloads(d.get("min_downloads")),
            created_from=(d.get("created_from") or None),
            created_to=(d.get("created_to") or None),
            dataset=d.get("dataset") or None,
        )

    def params(self) -> dict[str, Any]:
        """Query parameters: every filter key always present (null = no filter)."""
        p = asdict(self)
        p["min_downloads"] = int(self.min_downloads or 0)
        if self.created_from:
            p["created_from"] = self.created_from[:10]
        if self.created_to:  # inclusive end date: everything up to the end of that day
            p["created_to"] = self.created_to[:10] + "T23:59:59Z"
        return p

    def active(self) -> bool:
        return any(v not in (None, "", 0) for v in asdict(self).values())

    def keep(self, row: Mapping[str, Any]) -> bool:
        """The same filter applied to a row in Python (for results a query could not filter)."""
        if self.pipeline_tag and row.get("pipeline_tag") != self.pipeline_tag:
            return False
        if self.license and row.get("license") != self.license:
            return False
        if self.dataset and self.dataset not in (row.get("datasets") or ()):
            return False
        if self.min_downloads and int(row.get("downloads") or 0) < self.min_downloads:
            return False
        created = str(row.get("created_at") or "")
        if self.created_from and (not created or created[:10] < self.created_from[:10]):
            return False
        if self.created_to and (not created or created[:10] > self.created_to[:10]):
            return False
        return True


class _TTLCache:
    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self._d: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            hit = self._d.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl:
                return None
            self._d.move_to_end(key)
            return hit[1]

    def put(self, key: Any, value: Any, ttl: float | None = None) -> None:
        # an entry stores its expiry as a back-dated insert time: one TTL check in get()
        age = 0.0 if ttl is None else self.ttl - ttl
        with self._lock:
            self._d[key] = (time.monotonic() - age, value)
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()


def _freeze(v: Any) -> Any:
    if isinstance(v, Mapping):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    return v


class Data:
    """The views' access to the graph: named queries, cached, with clear failure modes."""

    def __init__(self, driver: Any, database: str | None = None,
                 runner: Callable[..., list[dict]] | None = None, label: str = "",
                 query_timeout: float | None = None) -> None:
        self.driver = driver
        self.database = database
        self.query_timeout = query_timeout  # the server's limit per query, when known
        self.server_label = label  # shown next to the status dot (e.g. the Bolt URI)
        if runner is None:
            from constellation.queries.runner import run_query as runner
        self._runner = runner
        self._cache = _TTLCache(CACHE_SIZE, CACHE_TTL_S)
        self._build: tuple[Any, Any] = (None, None)  # the graph's current build (id, loaded_at)
        self._build_checked = -BUILD_RECHECK_S
        self._down_until = 0.0  # while in the future, ping before querying
        self.down_reason = ""

    # -- plumbing ---------------------------------------------------------------------------

    def run(self, name: str, **params: Any) -> list[dict]:
        """Run the named query `name` (cached); connection problems -> GraphUnreachable.

        Filter parameters (`Filters.params()`) the query does not declare are left out; use
        `unfiltered(name, filters)` to tell the user when a view could not apply some.
        """
        declared = self._declared(name)
        if declared is not None:
            params = {k: v for k, v in params.items() if k not in FILTER_PARAMS or k in declared}
        key = (self._current_build(), name, _freeze(params))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if time.monotonic() < self._down_until and not self.ping():
            # the driver would retry a managed transaction for ~30 s: answer at once instead
            raise GraphUnreachable(self.down_reason)
        try:
            rows = self._runner(self.driver, name, params, database=self.database)
        except GraphUnreachable as exc:
            self._mark_down(str(exc))
            raise
        self._cache.put(key, rows, LONG_TTL_S if name in SLOW_QUERIES else None)
        return rows

    def _current_build(self) -> tuple[Any, Any]:
        """The graph's current build, asked at most every BUILD_RECHECK_S: a load (or a refresh)
        makes the cached answers of the previous build unused, not served for up to an hour.
        While the server is down the last known build is kept (cached answers still serve)."""
        now = time.monotonic()
        if now < self._build_checked + BUILD_RECHECK_S or now < self._down_until:
            return self._build
        self._build_checked = now
        try:
            rows = self._runner(self.driver, "current_build", {}, database=self.database)
        except GraphUnreachable as exc:
            self._mark_down(str(exc))
            return self._build
        self._build = (rows[0]["id"], rows[0]["loaded_at"]) if rows else (None, None)
        return self._build

    @staticmethod
    def _declared(name: str) -> frozenset[str] | None:
        """The named query's parameters (None for an unknown query: the runner says so)."""
        from constellation.queries.runner import get_query

        try:
            return frozenset(get_query(name).params)
        except UserError:
            return None

    def unfiltered(self, name: str, filters: Filters) -> list[str]:
        """The active filters the named query cannot apply (it does not declare them)."""
        declared = self._declared(name)
        if declared is None:
            return []
        return [k for k, v in asdict(filters).items() if v not in (None, "", 0)
                and k not in declared]

    def clear_cache(self) -> None:
        self._cache.clear()

    def ping(self) -> bool:
        """True when the server answers (fails fast: no transaction retries)."""
        try:
            with graph_errors():
                self.driver.verify_connectivity()
        except GraphUnreachable as exc:
            self._mark_down(str(exc))
            return False
        self._down_until = 0.0
        return True

    def _mark_down(self, reason: str) -> None:
        self._down_until = time.monotonic() + DOWN_RECHECK_S
        self.down_reason = reason

    # -- the views' questions ---------------------------------------------------------------

    def search(self, text: str, filters: Filters = Filters(), limit: int = SEARCH_LIMIT
               ) -> list[dict]:
        text = (text or "").strip()
        if not text:
            return []
        return self.run("search", q=text, limit=limit, **filters.params())

    def model(self, model_id: str) -> dict | None:
        """The model's row, or None when the graph has no such id."""
        try:
            rows = self.run("model", id=model_id)
        except UserError as exc:
            if "no model with id" in str(exc):
                return None
            raise
        return rows[0] if rows else None

    def related(self, model_id: str, filters: Filters = Filters(), limit: int = RELATED_LIMIT,
                shown: Iterable[str] = ()) -> tuple[list[dict], list[dict], int]:
        """A model's similar models (`score`) and lineage neighbours (`relation`), the links
        from them to each other and to the models already `shown`, and how many links the
        limits left out."""
        rows = self.run("explore_neighbours", id=model_id, limit=limit, lineage_limit=limit,
                        **filters.params())
        neighbours, edges = split_neighbourhood(model_id, rows)
        new_ids = sorted({r["id"] for r in neighbours} - set(shown))
        if new_ids:
            among = sorted(set(shown) | set(new_ids) | {model_id})
            links = self.run("explore_edges", ids=",".join(new_ids), among=",".join(among))
            edges += [link_row(r) for r in links]
        hidden = int(rows[0].get("hidden") or 0) if rows else 0
        return neighbours, edges, hidden

    def family(self, model_id: str, filters: Filters = Filters(), limit: int = FAMILY_LIMIT,
               by: str = "community", level: int = 0, skip: int = 0) -> list[dict]:
        """Members of the model's Louvain community, or of its cluster at `level` (a page:
        `skip` members, then `limit`)."""
        return self.run("family", id=model_id, skip=skip, limit=limit, by=by, level=level,
                        **filters.params())

    def lineage(self, model_id: str, limit: int = LINEAGE_LIMIT, depth: int = 4) -> list[dict]:
        """`lineage` rows, each completed with the model's family/likes (`explore_models`)."""
        rows = self.run("lineage", id=model_id, limit=limit, depth=depth)
        ids = sorted({r["id"] for r in rows if r.get("id")} | {model_id})
        info = {m["id"]: m for m in self.run("explore_models", ids=",".join(ids))}
        return [{**info.get(r.get("id"), {}), **r} for r in rows]

    def lineage_view(self, model_id: str, pages: Mapping[str, int] | None = None,
                     likely: bool = False, first: int = 10, more: int = 50
                     ) -> tuple[list, list, list]:
        """(ancestors, children groups, likely parents) of the lineage view: the declared
        ancestors (`lineage_ancestors`), the derived models per relation with each group's
        count and its `pages[relation]` (else `first`) most downloaded members
        (`lineage_children`), and, when `likely`, the inferred parents (`lineage_likely`)."""
        ancestors = self.run("lineage_ancestors", id=model_id, depth=4, limit=50)
        groups = self.run("lineage_children", id=model_id, limit=first)
        pages = pages or {}
        out = []
        for g in groups:
            n = min(int(pages.get(g["relation"]) or first), int(g["total"]))
            kids = list(g["children"])
            for skip in range(first, n, more):  # one cached query per page already shown
                page = self.run("lineage_children", id=model_id, relation=g["relation"],
                                skip=skip, limit=min(more, n - skip))
                kids += page[0]["children"] if page else []
            out.append({**g, "children": kids})
        inferred = self.run("lineage_likely", id=model_id, limit=5) if likely else []
        return ancestors, out, inferred

    def top_families(self, limit: int = 15) -> list[dict]:
        return self.run("home_families", limit=limit)

    def scatter(self, filters: Filters = Filters(), limit: int = SCATTER_LIMIT
                ) -> tuple[list[dict], int]:
        """(rows, downloads floor): up to `limit` models at or above a downloads floor chosen
        so that the sample is large enough, found with cheap index-range counts."""
        base = filters.params()
        floor = int(base["min_downloads"] or 0)
        if not floor and not any(v for k, v in base.items() if k != "min_downloads"):
            # no filter: the most downloaded models, stored by the loader (no count, no scan)
            rows = self.run("atlas_scatter", limit=limit, **base)
            if rows:
                floor = min(max(int(r.get("downloads") or 0), 0) for r in rows)
                return sorted(rows, key=lambda r: (-(r.get("downloads") or 0), r["id"])), floor
        for f in (10**k for k in range(9, -1, -1)):
            if f <= floor:
                break
            n = self.run("atlas_model_count", **{**base, "min_downloads": f})[0]["models"]
            if n >= limit // 2:
                floor = f
                break
        rows = self.run("atlas_scatter", limit=limit, **{**base, "min_downloads": floor})
        return sorted(rows, key=lambda r: (-(r.get("downloads") or 0), r["id"])), floor

    def words(self, limit: int = WORDS_LIMIT) -> tuple[list[dict], bool]:
        """(rows, exact): the build's word table when the graph holds it, else the words of a
        sample of names (`exact` False), split by the build's tokenizer all the same."""
        rows = self.run("atlas_words", limit=limit)
        if rows:
            return rows, True
        from constellation.dashboard.wordcloud_img import name_word_frequencies

        names = [r["name"] for r in self.run("atlas_names", sample=WORDS_SAMPLE)]
        counts = name_word_frequencies(names, generic=True)
        top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]
        return [{"word": w, "count": int(c), "share": c / len(names)} for w, c in top], False

    def top_clusters(self, limit: int = 24) -> list[dict]:
        """The largest clusters of the highest hierarchy level there is (one query)."""
        return self.run("atlas_top_clusters", limit=limit)

    def console(self, cypher: str) -> Any:
        from constellation.queries.console import DEFAULT_TIMEOUT, run_readonly

        limit = self.query_timeout
        return run_readonly(self.driver, cypher, database=self.database,
                            timeout=limit or DEFAULT_TIMEOUT, server_limit=limit)


def link_row(r: dict) -> dict:
    """An `explore_edges` row -> an edge row for `graph_elements.edge_elements`."""
    if r.get("type") == "BASED_ON":
        return {"child": r["source"], "parent": r["target"], "relation": r.get("relation")}
    return {"source": r["source"], "target": r["target"], "score": r.get("score")}


def split_neighbourhood(model_id: str, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Neighbourhood rows -> (neighbour model rows, edge rows). Shape adapted in one place."""
    neighbours: list[dict] = []
    edges: list[dict] = []
    for r in rows:
        neighbours.append(r)
        if r.get("score") is not None:
            edges.append({"source": model_id, "target": r["id"], "score": r["score"]})
        if r.get("relation") and r.get("direction"):
            child, parent = ((r["id"], model_id) if r.get("direction") == "child"
                             else (model_id, r["id"]))
            edges.append({"child": child, "parent": parent, "relation": r["relation"]})
    return neighbours, edges


