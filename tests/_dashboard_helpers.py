"""Headless Chromium + a served explorer, for the browser tests and `scripts/screenshots.py`.

    with serve_app(app, port) as base_url, chrome() as browser:
        browser.get(base_url + "/atlas")
        wait_for(browser, "#atlas-dendro .main-svg")
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage", "--window-size=1440,1000", "--hide-scrollbars",
)

# The Cytoscape instance of a container, as window.__cy: found by the explorer's own helper
# (dashboard/assets/clientside.js), so the tests look where the app's callbacks look.
CY_JS = """
const app = window.dash_clientside && window.dash_clientside.constellation;
const cy = app ? app.cyOf(arguments[0]) : null;
if (!cy) return false;
window.__cy = cy;
return true;
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} not installed (Debian packages chromium + chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(app: Any, port: int) -> Iterator[str]:
    """Serve a Dash app from a background thread (werkzeug); yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextlib.contextmanager
def chrome(width: int = 1440, height: int = 1000) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="constellation-chrome-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--window-size={width},{height}")
    opts.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_until(cond: Callable[[], Any], timeout: float = 30.0, step: float = 0.05,
               what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < end:
        try:
            value = cond()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - DOM not ready yet; retry
            last_exc = exc
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}"
                       + (f" (last error: {last_exc})" if last_exc else ""))


def wait_for(browser: Any, css: str, timeout: float = 30.0) -> Any:
    from selenium.webdriver.common.by import By

    return wait_until(lambda: _visible(browser.find_elements(By.CSS_SELECTOR, css)), timeout,
                      what=css)


def _visible(els: list) -> Any:
    # the first shown one, asked one by one: each is_displayed() is a WebDriver round trip, and
    # asking all of them (the atlas's dendrogram points and word cells: hundreds) added up to
    # ~0.5 s to a view's timing (bench/results/dashboard.md)
    return next((e for e in els if e.is_displayed()), None)


def wait_idle(browser: Any, timeout: float = 30.0) -> None:
    """Until no Dash callback is pending (the renderer marks the document while loading)."""
    wait_until(lambda: browser.execute_script(
        "return !document.querySelector('[data-dash-is-loading=\"true\"]')"), timeout,
        what="Dash callbacks to finish")


def open_page(browser: Any, url: str) -> None:
    """Load a page of the explorer and wait until it has asked the graph and settled."""
    browser.get(url)
    wait_for(browser, "#status-dot.ok, #status-dot.down")
    wait_idle(browser)


def cy_nodes(browser: Any, container_id: str) -> list[dict]:
    """Nodes currently drawn in the Cytoscape graph `container_id` (id, rendered x/y)."""
    if not browser.execute_script(CY_JS, container_id):
        return []
    return browser.execute_script(
        "return window.__cy.nodes().map(n => ({id: n.id(), x: n.renderedPosition('x'),"
        " y: n.renderedPosition('y'), px: n.position('x'), py: n.position('y'),"
        " classes: n.classes().join(' '), visible: n.visible()}));")


def cy_edges(browser: Any, container_id: str) -> list[dict]:
    if not browser.execute_script(CY_JS, container_id):
        return []
    return browser.execute_script(
        "return window.__cy.edges().map(e => ({id: e.id(), source: e.source().id(),"
        " target: e.target().id(), classes: e.classes().join(' ')}));")


# Timestamps of the last node tap and of the first frame painted after nodes were added.
TIMING_JS = """
const cy = window.__cy;
window.__t_tap = null; window.__t_paint = null;
if (!window.__timed) {
  window.__timed = true;
  cy.on('tap', 'node', () => { window.__t_tap = performance.now(); window.__t_paint = null; });
  cy.on('add', () => {
    if (window.__t_tap !== null && window.__t_paint === null) {
      requestAnimationFrame(() => { if (window.__t_paint === null) {
        window.__t_paint = performance.now(); } });
    }
  });
}
"""


def start_timing(browser: Any, container_id: str) -> None:
    """Record, in the page, when a node is tapped and when the added nodes are painted."""
    browser.execute_script(CY_JS, container_id)
    browser.execute_script(TIMING_JS)


def tap_to_paint_ms(browser: Any) -> float | None:
    """Milliseconds from the last node tap to the first frame showing the added nodes."""
    return browser.execute_script(
        "return (window.__t_tap !== null && window.__t_paint !== null) ?"
        " window.__t_paint - window.__t_tap : null;")


def requests_after_tap(browser: Any) -> list[tuple[float, float]]:
    """(start, duration) in ms, relative to the last tap, of the Dash requests it caused."""
    return browser.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('_dash-update-component') && e.startTime >= window.__t_tap)"
        ".map(e => [e.startTime - window.__t_tap, e.duration]);")


# The search box, timed in the page: each `input` event (a key) and the frame painted after the
# last time the list of suggestions holding the typed text grew (counted once it has settled);
# the Dash requests sent in between come from Resource Timing.
SEARCH_TIMING_JS = """
const box = arguments[0], frag = arguments[1].toLowerCase();
const t = window.__sug = {key: null, shown: null, painted: null, n: 0, said: []};
box.addEventListener('input', () => {
  t.key = performance.now(); t.shown = null; t.painted = null; t.n = 0;
});
const obs = new MutationObserver(() => {
  if (t.key === null) { return; }
  // what the "no options" line said on the way (it must not say "no match" while they come)
  for (const e of document.querySelectorAll('.dash-dropdown-options span.dash-dropdown-option')) {
    if (!t.said.includes(e.textContent)) { t.said.push(e.textContent); }
  }
  // options only: the "no options" line is a .dash-dropdown-option too, and may hold the text
  const n = [...document.querySelectorAll('.dash-dropdown-options [role=option]')]
    .filter(o => o.textContent.toLowerCase().includes(frag)).length;
  if (n <= t.n) { return; }
  const now = performance.now();
  t.n = n; t.shown = now; t.painted = null;
  requestAnimationFrame(() => { if (t.shown === now) { t.painted = performance.now(); } });
});
obs.observe(document.body, {childList: true, subtree: true, characterData: true});
"""
SETTLED_MS = 250  # no more suggestions drawn for this long: the list is complete


def start_search_timing(browser: Any, box: Any, fragment: str) -> None:
    """Record, in the page, the last key typed in `box` and when the suggestions for
    `fragment` are painted (see `typing_to_suggestions`)."""
    browser.execute_script(SEARCH_TIMING_JS, box, fragment)


def typing_to_suggestions(browser: Any) -> dict | None:
    """After `start_search_timing` and typing: None until the suggestions are painted and
    settled, then {"ms": last key -> the frame showing the whole list, "options": how many
    hold the text, "said": the texts the "no options" line showed meanwhile, "requests":
    [(start after the last key, duration)] of the Dash requests sent after it}."""
    return browser.execute_script(
        "const t = window.__sug; if (!t || t.painted === null"
        f" || performance.now() - t.painted < {SETTLED_MS}) {{ return null; }}"
        "return {ms: t.painted - t.key, options: t.n, said: t.said, requests: performance"
        ".getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component')"
        " && e.startTime >= t.key).map(e => [e.startTime - t.key, e.duration])};")


def click_node(browser: Any, container_id: str, node_id: str) -> None:
    """A real mouse click on a node's rendered position."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    node = next(n for n in cy_nodes(browser, container_id) if n["id"] == node_id)
    canvas_host = browser.find_element(By.ID, container_id)
    # renderedPosition is relative to the container's top-left; ActionChains offsets are from
    # the element's centre
    size = canvas_host.size
    dx = int(node["x"] - size["width"] / 2)
    dy = int(node["y"] - size["height"] / 2)
    ActionChains(browser).move_to_element_with_offset(canvas_host, dx, dy).click().perform()


def post_callback(app: Any, output: str, values: dict[str, Any], changed: str
                  ) -> tuple[int, Any]:
    """One callback request as the browser sends it, through Flask's test client (no server).

    `output`: the start of the callback's output key (`"..url.pathname"`); `values`:
    `"id.property" -> value` for its inputs and states (others are None); `changed`: the input
    that fired. Returns (HTTP status, the JSON answer or the text of an error page)."""
    key = next(k for k in app.callback_map if k.startswith(output))
    spec = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in key.strip(".").split("...")]

    def fill(items: list[dict]) -> list[dict]:
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    payload = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
               "inputs": fill(spec["inputs"]), "state": fill(spec["state"]),
               "changedPropIds": [changed]}
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    body = response.get_json(silent=True)
    return response.status_code, body if body is not None else response.get_data(as_text=True)
