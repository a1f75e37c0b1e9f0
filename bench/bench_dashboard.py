"""Click -> render time of the explorer's neighbourhood view, in headless Chromium.

Serves the explorer (`create_app`) over whatever graph the environment points at (NEO4J_* or the
local server of CONSTELLATION_HOME), then for N seeded models opens
`/model/<id>?view=neighbourhood`, clicks a node that still has neighbours off screen and records:

* in-page tap -> paint: from the node's `tap` event to the first frame painted with the added
  nodes (what a user sees; `tests/_dashboard_helpers.py`, as the browser test measures it);
* the same click through Selenium (adds WebDriver's input dispatch and polling);
* the callback: its request in the browser, its time in the Dash server, and the time of the
  named queries it ran (`explore_neighbours`, `explore_edges`).

    # the graph of the environment; ids picked from the artifacts it was loaded from
    flock /tmp/constellation-bench.lock python bench/bench_dashboard.py \
        --artifacts /tmp/graph-bench/art-1m --n 30 --seed 7 --out bench/results/dashboard.md
    python bench/bench_dashboard.py --n 10 --views     # + open every other view (figures)
    python bench/bench_dashboard.py --n 0 --views --search llama,mistral,qwen   # no clicks

With `--artifacts` the models and the click targets are chosen from `models.parquet` /
`similarity.parquet` / `lineage.parquet` (a seeded random sample of models with at least one
link, the `--hubs` best-connected ones and the `--popular` most downloaded ones), so the graph is
not read before the click (no query warms the server for it). Without it, models are the first
rows the server returns and targets are checked through the explorer's data layer (warm).
Prints a Markdown table; `--out` appends it with the command, date and machine to a file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import platform
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import _dashboard_helpers as dh  # noqa: E402 - after the path tweak

TARGET_MS = 1000.0
GRAPH = "nb-graph"


# -- which models, which nodes to click ---------------------------------------------------------

class Neighbours:
    """What a click on a model adds, read from the artifacts: its declared parents/children and
    its `limit` most similar models (as `explore_neighbours` orders them: score, then id)."""

    LINEAGE = 2.0  # scores are cosines (<= 1): a lineage link is stored above them

    def __init__(self, artifacts: Path, limit: int) -> None:
        import numpy as np
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
        from scipy import sparse

        models = pq.read_table(artifacts / "models.parquet", columns=["id", "downloads"])
        self.ids = models["id"].cast("string").combine_chunks()
        self.downloads = models["downloads"]
        self.limit = limit
        n = len(self.ids)
        sim = pq.read_table(artifacts / "similarity.parquet", columns=["source", "target", "score"])
        tables = [(sim, sim["score"].to_numpy().astype(np.float32))]
        if (artifacts / "lineage.parquet").exists():
            lin = pq.read_table(artifacts / "lineage.parquet", columns=["child", "parent"])
            tables.append((lin.rename_columns(["source", "target"]),
                           np.full(lin.num_rows, self.LINEAGE, dtype=np.float32)))
        src, dst, val = [], [], []
        for t, score in tables:
            s = pc.index_in(t["source"].cast("string"), value_set=self.ids)
            d = pc.index_in(t["target"].cast("string"), value_set=self.ids)
            keep = pc.and_(pc.is_valid(s), pc.is_valid(d))  # external lineage ends: not models
            src.append(pc.filter(s, keep).to_numpy(zero_copy_only=False))
            dst.append(pc.filter(d, keep).to_numpy(zero_copy_only=False))
            val.append(score[keep.to_numpy(zero_copy_only=False)])
        s, d, v = np.concatenate(src), np.concatenate(dst), np.concatenate(val)
        self.adj = sparse.csr_matrix((np.concatenate([v, v]), (np.concatenate([s, d]),
                                                             np.concatenate([d, s]))),
                                     shape=(n, n))
        self.degree = np.diff(self.adj.indptr)
        self._row: dict[str, int | None] = {}  # id -> row, for the ids asked about

    def row(self, model_id: str) -> int | None:
        if model_id not in self._row:
            import pyarrow as pa
            import pyarrow.compute as pc

            hit = pc.index_in(pa.array([model_id]), value_set=self.ids)[0].as_py()
            self._row[model_id] = hit
        return self._row[model_id]

    def of(self, model_id: str) -> set[str]:
        """The models a click on `model_id` asks for (no filters)."""
        r = self.row(model_id)
        if r is None:
            return set()
        lo, hi = self.adj.indptr[r], self.adj.indptr[r + 1]
        links = [(float(w), self.ids[int(c)].as_py())
                 for c, w in zip(self.adj.indices[lo:hi], self.adj.data[lo:hi], strict=True)]
        lineage = {i for w, i in links if w >= self.LINEAGE}
        similar = sorted((-w, i) for w, i in links if w < self.LINEAGE)[:self.limit]
        return lineage | {i for _, i in similar}

    def sample(self, n: int, seed: int, hubs: int, popular: int) -> list[tuple[str, str]]:
        """(id, kind): the `hubs` highest-degree (one per name), the `popular` most downloaded,
        the rest random among models with at least one link (an isolated one has nothing to
        click)."""
        import numpy as np

        picked: list[tuple[str, str]] = []
        seen: set[int] = set()
        names: set[str] = set()  # one hub per name: a name's copies are alike
        for r in (int(x) for x in np.argsort(-self.degree, kind="stable")[:100 * hubs]):
            mid = self.ids[r].as_py()
            if len(picked) >= hubs or mid.rsplit("/", 1)[-1] in names:
                continue
            names.add(mid.rsplit("/", 1)[-1])
            picked.append((mid, f"hub (degree {int(self.degree[r])})"))
            seen.add(r)
        dl = self.downloads.to_numpy(zero_copy_only=False)
        if popular and self.downloads.null_count < len(dl):
            order = np.argsort(-np.nan_to_num(dl.astype(float), nan=-1.0), kind="stable")
            for r in (int(x) for x in order if int(x) not in seen):
                if len(picked) >= hubs + popular:
                    break
                picked.append((self.ids[r].as_py(), "popular"))
                seen.add(r)
        linked = np.flatnonzero(self.degree > 0)
        rng = random.Random(seed)
        want = max(n - len(picked), 0)
        for r in rng.sample(sorted(set(linked.tolist()) - seen), min(want, len(linked))):
            picked.append((self.ids[r].as_py(), "random"))
        return picked


def graph_sample(data: Any, n: int, seed: int) -> list[tuple[str, str]]:
    """Without artifacts: a seeded sample of the first 20,000 models the server returns."""
    rows = data.driver.execute_query(
        "MATCH (m:Model) WHERE m.external IS NULL OR NOT m.external RETURN m.id AS id LIMIT 20000",
        database_=data.database).records
    ids = sorted(r["id"] for r in rows)
    return [(i, "first rows") for i in random.Random(seed).sample(ids, min(n, len(ids)))]


# -- the graph and the machine ------------------------------------------------------------------

def graph_size(data: Any) -> dict[str, Any]:
    """Models and links from the current Build node's manifest (no scan of the graph)."""
    rows = data.driver.execute_query(
        "MATCH (b:Build) WHERE b.current = true RETURN b.id AS id, b.manifest AS manifest, "
        "b.loaded_at AS loaded_at ORDER BY b.loaded_at DESC LIMIT 1",
        database_=data.database).records
    if not rows:
        return {"build": None}
    manifest = json.loads(rows[0]["manifest"] or "{}")
    counts = manifest.get("counts", {})
    return {"build": rows[0]["id"], "loaded_at": rows[0]["loaded_at"],
            "models": counts.get("models"), "similar": counts.get("similarity_edges"),
            "lineage": counts.get("lineage_edges")}


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu": cpu, "memory": mem,
            "python": platform.python_version()}


def command_line() -> str:
    """This command as typed, with the `flock ...` that started it, if one did."""
    cmd = " ".join(["python", "bench/bench_dashboard.py", *sys.argv[1:]])
    try:
        parent = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return cmd
    words = [w.decode() for w in parent if w]
    if words and Path(words[0]).name == "flock" and len(words) > 1:
        return f"flock {words[1]} {cmd}"
    return cmd


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# -- timing on the server side ------------------------------------------------------------------

@dataclass
class Recorder:
    """Named-query and callback times on the server, appended while the bench runs."""

    queries: list[tuple[str, float]] = field(default_factory=list)
    callbacks: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def runner(self, driver: Any, name: str, params: dict, **kw: Any) -> list[dict]:
        from constellation.queries.runner import run_query

        t0 = time.perf_counter()
        try:
            return run_query(driver, name, params, **kw)
        finally:
            with self.lock:
                self.queries.append((name, (time.perf_counter() - t0) * 1000))

    def hook(self, flask_app: Any) -> None:
        from flask import g, request

        @flask_app.before_request
        def _start() -> None:
            g.bench_t0 = time.perf_counter()

        @flask_app.after_request
        def _stop(response: Any) -> Any:
            if request.path.endswith("_dash-update-component"):
                body = request.get_json(silent=True) or {}
                with self.lock:
                    self.callbacks.append((str(body.get("output", "")),
                                           (time.perf_counter() - g.bench_t0) * 1000))
            return response

    def clear(self) -> None:
        with self.lock:
            self.queries.clear()
            self.callbacks.clear()


# -- one click ----------------------------------------------------------------------------------

@dataclass
class Click:
    model: str
    kind: str
    target: str
    before: int
    after: int
    page_ms: float | None
    selenium_ms: float
    request_ms: float | None  # the longest Dash request the tap caused, seen from the browser
    callback_ms: float | None  # the neighbourhood callback, in the Dash server
    query_ms: float  # explore_neighbours + explore_edges, through run_query
    queries: str


def open_neighbourhood(browser: Any, base: str, model_id: str, timeout: float) -> list[dict]:
    browser.get(f"{base}/model/{quote(model_id, safe='/')}?view=neighbourhood")
    nodes = dh.wait_until(lambda: (lambda ns: ns if any(n["id"] == model_id for n in ns) else None)(
        dh.cy_nodes(browser, GRAPH)), timeout=timeout, what=f"the neighbourhood of {model_id}")
    dh.wait_idle(browser, timeout=timeout)
    time.sleep(0.5)  # the fit that follows the first drawing
    return dh.cy_nodes(browser, GRAPH) or nodes


def pick_target(shown: list[str], centre: str, rng: random.Random, nb: Neighbours | None,
                data: Any) -> str | None:
    """A node on screen (not the centre) with neighbours not on screen yet, chosen at random."""
    from constellation.dashboard.data import EXPAND_LIMIT

    on = set(shown)
    candidates = [i for i in shown if i != centre]
    rng.shuffle(candidates)
    for nid in candidates:
        if nb is not None:
            if nb.of(nid) - on:
                return nid
        else:
            rows, _, _ = data.related(nid, limit=EXPAND_LIMIT, shown=shown)
            if {r["id"] for r in rows} - on:
                return nid
    return None


def measure(browser: Any, base: str, rec: Recorder, model_id: str, kind: str,
            rng: random.Random, nb: Neighbours | None, data: Any, timeout: float
            ) -> Click | None:
    """Open the model's neighbourhood and click a node that adds some; None: none would."""
    nodes = open_neighbourhood(browser, base, model_id, timeout)
    target = pick_target([n["id"] for n in nodes], model_id, rng, nb, data)
    if target is None:
        return None
    return click(browser, rec, model_id, kind, target, nodes, timeout)


def click(browser: Any, rec: Recorder, model_id: str, kind: str, target: str,
          before: list[dict], timeout: float) -> Click:
    from constellation.dashboard.graph_elements import short_name
    from selenium.webdriver.common.by import By

    dh.start_timing(browser, GRAPH)
    rec.clear()
    t0 = time.perf_counter()
    dh.click_node(browser, GRAPH, target)
    note = f"expanded {short_name(target)}"
    grown = dh.wait_until(lambda: (lambda ns: ns if len(ns) > len(before) else None)(
        dh.cy_nodes(browser, GRAPH)) or (note in browser.find_element(By.ID, "nb-status").text
                                      and dh.cy_nodes(browser, GRAPH)),
        timeout=timeout, step=0.01, what=f"the expansion of {target}")
    selenium_ms = (time.perf_counter() - t0) * 1000
    page_ms = None
    if len(grown) > len(before):
        page_ms = dh.wait_until(lambda: dh.tap_to_paint_ms(browser), timeout=timeout,
                             what="the paint timestamp")
    dh.wait_idle(browser, timeout=timeout)
    reqs = dh.requests_after_tap(browser)
    with rec.lock:
        qs = [(n, ms) for n, ms in rec.queries if n.startswith("explore_")]
        cbs = [ms for out, ms in rec.callbacks if f"{GRAPH}.elements" in out]
    return Click(model=model_id, kind=kind, target=target, before=len(before), after=len(grown),
                 page_ms=page_ms, selenium_ms=selenium_ms,
                 request_ms=max((d for _, d in reqs), default=None),
                 callback_ms=cbs[0] if cbs else None, query_ms=sum(ms for _, ms in qs),
                 queries=", ".join(f"{n.removeprefix('explore_')} {ms:.0f}" for n, ms in qs))


# -- the other views ----------------------------------------------------------------------------

VIEW_READY = {  # what each view shows once it has answered (content, empty state or error)
    "family": "#fam-table td, #view-family .empty, #view-family .error",
    "lineage": "#lin-status, #view-lineage .empty, #view-lineage .error",
    "details": "#det-card, #view-details .empty, #view-details .error",
}


def time_view(browser: Any, url: str, ready: str, active: str, timeout: float) -> dict:
    from selenium.webdriver.common.by import By

    t0 = time.perf_counter()
    browser.get(url)
    for css in ready.split(" && "):
        dh.wait_for(browser, css, timeout=timeout)
    dh.wait_idle(browser, timeout=timeout)
    ms = (time.perf_counter() - t0) * 1000
    errors = [e.text.splitlines()[0] for e in browser.find_elements(
        By.CSS_SELECTOR, f"{active} .error, {active} .unavailable, #banner .error") if e.text]
    return {"ms": ms, "error": errors[0][:120] if errors else ""}


def time_search(browser: Any, base: str, fragment: str, timeout: float) -> dict:
    """Type `fragment` in the search box of a fresh page: last key -> the first frame painted
    with suggestions holding it, measured in the page (typing pause, request, drawing)."""
    from selenium.webdriver.common.by import By

    browser.get(base + "/")
    dh.wait_for(browser, "#status-dot.ok", timeout=timeout)
    dh.wait_idle(browser, timeout=timeout)
    browser.find_element(By.ID, "search").click()
    box = dh.wait_for(browser, ".dash-dropdown-content input.dash-dropdown-search")
    dh.start_search_timing(browser, box, fragment)
    box.send_keys(fragment)
    t = dh.wait_until(lambda: dh.typing_to_suggestions(browser), timeout=timeout, step=0.02,
                      what=f"suggestions for {fragment!r}")
    pause = browser.execute_script(
        "return window.dash_clientside.constellation.SEARCH_PAUSE_MS;")
    reqs = t["requests"]
    sent, took = (reqs[0][0], reqs[0][1]) if reqs else (None, None)
    return {"ms": t["ms"], "error": "",
            "note": f"{t['options']} suggestions; last key → request sent {fmt(sent)} "
                    f"(typing pause {pause} ms), request {fmt(took)}, "
                    f"{len(reqs)} request(s) after the last key"}


def time_drill(browser: Any, base: str, rank: int, timeout: float) -> dict:
    """Click the `rank`-th largest cluster of the dendrogram: -> its panel and sub-clusters."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(base + "/atlas")
    dh.wait_for(browser, "#atlas-dendro .scatterlayer .point", timeout=timeout)
    dh.wait_idle(browser, timeout=timeout)
    points = sorted(browser.find_elements(By.CSS_SELECTOR, "#atlas-dendro .scatterlayer .point"),
                    key=lambda p: -float(p.size["width"]))
    t0 = time.perf_counter()
    ActionChains(browser).move_to_element(points[rank - 1]).click().perform()
    dh.wait_until(lambda: "most downloaded" in browser.find_element(By.ID, "atlas-cluster").text
               .lower(), timeout=timeout, step=0.05, what="the cluster panel")
    dh.wait_idle(browser, timeout=timeout)
    ms = (time.perf_counter() - t0) * 1000
    title = " ".join(e.text for e in browser.find_elements(
        By.CSS_SELECTOR, "#atlas-dendro .gtitle, #atlas-dendro .annotation-text"))
    return {"ms": ms, "error": "", "note": title[:80]}


def check_views(browser: Any, base: str, models: list[str], fragment: str, timeout: float
                ) -> list[tuple[str, str, dict]]:
    out: list[tuple[str, str, dict]] = []
    for label, url, ready, active in (
            ("home", "/", "#home-families .grid-3, #home-families .empty, #home-families .error",
             "#view-home"),
            # the scatter: a trace's first point (its 2,000 points took WebDriver ~0.2 s to list)
            ("atlas", "/atlas", "#atlas-dendro .scatterlayer .point && #atlas-scatter "
             ".scatterlayer .point:first-child && #atlas-words-table td", "#view-atlas")):
        try:
            out.append((label, "", time_view(browser, base + url, ready, active, timeout)))
        except TimeoutError as exc:
            out.append((label, "", {"ms": None, "error": str(exc)[:120]}))
    for rank in (1, 2):  # the largest top cluster and the second one
        try:
            out.append((f"atlas drill-down (#{rank} largest)", "",
                        time_drill(browser, base, rank, timeout)))
        except Exception as exc:  # noqa: BLE001 - reported in the table
            out.append((f"atlas drill-down (#{rank} largest)", "",
                        {"ms": None, "error": str(exc)[:120]}))
    for text in [f.strip() for f in fragment.split(",") if f.strip()]:
        try:
            out.append(("search", text, time_search(browser, base, text, timeout)))
        except TimeoutError as exc:
            out.append(("search", text, {"ms": None, "error": str(exc)[:120]}))
    for mid in models:
        for view, ready in VIEW_READY.items():
            url = f"{base}/model/{quote(mid, safe='/')}?view={view}"
            try:
                out.append((view, mid, time_view(browser, url, ready, f"#view-{view}",
                                                 timeout)))
            except TimeoutError as exc:
                out.append((view, mid, {"ms": None, "error": str(exc)[:120]}))
    return out


# -- figures ------------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def median_of(values: list) -> str:
    values = [v for v in values if v is not None]
    return fmt(statistics.median(values)) if values else "–"


def summary_rows(clicks: list[Click]) -> list[str]:
    rows = []
    groups = [("all", clicks)] + [(k, [c for c in clicks if c.kind.split(" ")[0] == k])
                                  for k in ("random", "hub", "popular", "first")]
    for name, cs in groups:
        page = [c.page_ms for c in cs if c.page_ms is not None]
        if not page or (name != "all" and len(cs) == len(clicks)):
            continue
        under = sum(1 for v in page if v < TARGET_MS)
        med = statistics.median
        rows.append(
            f"| {name} | {len(page)} | {fmt(med(page))} | {fmt(pct(page, 95))} | "
            f"{fmt(max(page))} | {under}/{len(page)} ({100 * under / len(page):.0f} %) | "
            f"{median_of([c.selenium_ms for c in cs])} | {median_of([c.request_ms for c in cs])} | "
            f"{median_of([c.callback_ms for c in cs])} | {median_of([c.query_ms for c in cs])} | "
            f"{med([c.before for c in cs]):.0f} → {med([c.after for c in cs]):.0f} |")
    return rows


def report(args: argparse.Namespace, size: dict, mach: dict, server: str, browser_version: str,
           loads: tuple[str, str], clicks: list[Click], skipped: list[str],
           views: list[tuple[str, str, dict]], started: datetime) -> str:
    cmd = command_line()
    graph = (f"{size.get('models'):,} models, {size.get('similar'):,} SIMILAR_TO, "
             f"{size.get('lineage'):,} BASED_ON (manifest of Build {size.get('build')})"
             if size.get("models") is not None else "size unknown (no current Build node)")
    lines = [
        f"### {graph}, {started:%Y-%m-%d %H:%M} UTC", "",
        f"`{cmd}`", "",
        f"Graph server {server}; Chromium {browser_version} headless, window 1440×1000; "
        f"{mach['cpus']} CPUs ({mach['cpu']}), {mach['memory']}, Python {mach['python']}; "
        f"load average {loads[0]} before, {loads[1]} after. Times in ms; page = the node's tap "
        f"event → first frame painted with the new nodes; selenium = the same click through "
        f"WebDriver; request = the longest Dash request it caused (browser); callback = the "
        f"neighbourhood callback in the Dash server; queries = explore_neighbours + "
        f"explore_edges through run_query.", "",
        "| clicks | n | median page | p95 | max | < 1 s | selenium (median) | request | "
        "callback | queries | nodes before → after (median) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
        *summary_rows(clicks), "",
    ]
    if skipped:
        lines += [f"Not measured ({len(skipped)}): " + "; ".join(skipped[:10]), ""]
    lines += ["<details><summary>every click</summary>", "",
              "| model | kind | clicked | nodes | page | selenium | request | callback | "
              "queries (ms) |", "|---|---|---|---|---:|---:|---:|---:|---|"]
    lines += [f"| {c.model} | {c.kind} | {c.target} | {c.before} → {c.after} | {fmt(c.page_ms)} "
              f"| {fmt(c.selenium_ms)} | {fmt(c.request_ms)} | {fmt(c.callback_ms)} | "
              f"{c.queries} |" for c in clicks]
    lines += ["", "</details>", ""]
    if views:
        lines += ["Other views (browser.get → content shown and no callback pending, page load "
                  "included; drill-down: click on a cluster → its panel and sub-clusters; "
                  "search: last key typed → first frame painted with the suggestions, in the "
                  "page; atlas: the dendrogram, the scatter and the words all drawn; the explorer "
                  "ran the atlas's and the filter menus' queries at start, as `constellation "
                  "serve` does):", "",
                  "| view | model / text | ms | error |", "|---|---|---:|---|"]
        lines += [f"| {v} | {m} | {fmt(r['ms'])} | {r['error'] or r.get('note', '')} |"
                  for v, m, r in views]
        lines.append("")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30,
                    help="models to open and click in (default 30; 0 with --views: the other "
                         "views and the search only)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--artifacts", type=Path,
                    help="the build the graph was loaded from: models and click targets are "
                         "chosen from it instead of the graph")
    ap.add_argument("--hubs", type=int, default=5, help="best-connected models among the n")
    ap.add_argument("--popular", type=int, default=5,
                    help="most downloaded models among the n (when the build has downloads)")
    ap.add_argument("--warmup", type=int, default=2,
                    help="extra random models clicked first and not counted (default 2)")
    ap.add_argument("--views", action="store_true",
                    help="also time home, atlas, search and family/lineage/details")
    ap.add_argument("--view-models", type=int, default=3)
    ap.add_argument("--search", default="llama",
                    help="text typed for the search timing; several, comma-separated, are "
                         "each typed in a fresh page (distinct texts: no cached answer)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--out", type=Path, help="append the Markdown report to this file")
    args = ap.parse_args(argv)
    if why := dh.browser_missing():
        print(f"cannot run: {why}", file=sys.stderr)
        return 2

    from constellation.dashboard.app import create_app, driver_for
    from constellation.dashboard.data import Data

    from constellation.graph import GraphConfig

    started = datetime.now(UTC)
    config = GraphConfig.from_env()
    rec = Recorder()
    data = Data(driver_for(config), database=config.database, label=config.uri,
                runner=rec.runner)
    size = graph_size(data)
    print(f"graph: {size}", file=sys.stderr)
    nb = None
    if not args.n:  # views only (--views): no click measured
        sample = []
    elif args.artifacts:
        t0 = time.perf_counter()
        from constellation.dashboard.data import EXPAND_LIMIT

        nb = Neighbours(args.artifacts, EXPAND_LIMIT)
        sample = nb.sample(args.n + args.warmup, args.seed, args.hubs, args.popular)
        print(f"artifacts read in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    else:
        sample = graph_sample(data, args.n + args.warmup, args.seed)
    # the warm-up models are the last random ones; the others in a seeded order, so that the
    # hubs are not all measured first
    cut = max(len(sample) - args.warmup, 0)
    warm, sample = sample[cut:], sample[:cut]
    random.Random(args.seed).shuffle(sample)
    # as `constellation serve` does: the first pages' whole-graph queries run at start
    app = create_app(config, data=data, warm=True)
    rec.hook(app.server)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    rng = random.Random(args.seed)
    clicks: list[Click] = []
    skipped: list[str] = []
    views: list[tuple[str, str, dict]] = []
    loads = [load_average(), ""]
    with dh.serve_app(app, dh.free_port()) as base, dh.chrome() as browser:
        version = browser.capabilities.get("browserVersion", "?")
        # one page load first: the app's start-up callbacks (status, filter options) are not
        # what a click costs
        browser.get(base + "/")
        dh.wait_for(browser, "#status-dot.ok, #status-dot.down", timeout=args.timeout)
        dh.wait_idle(browser, timeout=args.timeout)
        for mid, _ in warm:  # not counted: the server's first runs of the explorer's queries
            with contextlib.suppress(TimeoutError):
                measure(browser, base, rec, mid, "warm-up", rng, nb, data, args.timeout)
        for i, (mid, kind) in enumerate(sample, 1):
            try:
                c = measure(browser, base, rec, mid, kind, rng, nb, data, args.timeout)
            except TimeoutError as exc:
                skipped.append(f"{mid}: {exc}")
                print(f"[{i}/{len(sample)}] {mid}: {exc}", file=sys.stderr)
                continue
            if c is None:
                skipped.append(f"{mid}: no node on screen with neighbours left to add")
                continue
            clicks.append(c)
            print(f"[{i}/{len(sample)}] {mid} ({kind}) click {c.target}: page {fmt(c.page_ms)} "
                  f"ms, selenium {c.selenium_ms:.0f}, request {fmt(c.request_ms)}, callback "
                  f"{fmt(c.callback_ms)}, queries {c.queries}; {c.before} -> {c.after} nodes",
                  file=sys.stderr)
        if args.views:
            ids = [m for m, k in sample if k.startswith("hub")][:1] + [
                m for m, k in sample if not k.startswith("hub")][:args.view_models - 1]
            views = check_views(browser, base, ids, args.search, args.timeout)
            for v, m, r in views:
                print(f"view {v} {m}: {fmt(r['ms'])} ms {r['error']}", file=sys.stderr)
    loads[1] = load_average()
    server = f"{config.uri} (database {config.database})"
    text = report(args, size, machine(), server, version, (loads[0], loads[1]), clicks, skipped,
                  views, started)
    print(text)
    if args.out:
        with args.out.open("a") as f:
            f.write("\n" + text)
        print(f"appended to {args.out}", file=sys.stderr)
    return 0 if clicks or views else 1


if __name__ == "__main__":
    sys.exit(main())
