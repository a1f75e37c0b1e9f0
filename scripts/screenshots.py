"""Screenshots of every explorer view, for the README (docs/screenshots/*.png).

Start the explorer first (`constellation demo`, or `constellation serve` over a loaded graph),
then::

    python scripts/screenshots.py --url http://127.0.0.1:8050 --out docs/screenshots

Drives headless Chromium (/usr/bin/chromium + /usr/bin/chromedriver) through each view of one
model (default: meta-llama/Llama-2-7b-hf from the bundled sample). `--only` takes some of the
shots, so each can be taken on the graph that shows it best (the README's: see its "Tests and
screenshots"): the lineage of a base with hundreds of derived models and a neighbourhood of
look-alike names on the hf-dep graph, the details of a model with datasets, papers and Spaces on
the shared fixtures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _dashboard_helpers import (  # noqa: E402 - after the path tweak
    browser_missing,
    chrome,
    click_node,
    cy_nodes,
    wait_for,
    wait_idle,
    wait_until,
)


def settle(browser, seconds: float = 1.0) -> None:
    time.sleep(0.3)
    wait_idle(browser, timeout=60)
    time.sleep(seconds)  # plotly/cytoscape finish drawing after the callbacks


def shoot(browser, path: Path, height: int = 1000) -> None:
    # `height` is the page area wanted; the window adds its own chrome (~140 px headless)
    browser.set_window_size(1440, height + 143)
    time.sleep(0.6)
    browser.save_screenshot(str(path))
    print(f"wrote {path}", file=sys.stderr)


SHOTS = ("home", "search", "neighbourhood", "family", "lineage", "details", "atlas", "console")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8050")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" /
                                         "screenshots"))
    ap.add_argument("--model", default="meta-llama/Llama-2-7b-hf")
    ap.add_argument("--expand", default="codellama/CodeLlama-7b-hf",
                    help="a neighbour to click in the neighbourhood shot")
    ap.add_argument("--lineage", default="meta-llama/Llama-2-7b-chat-hf",
                    help="the model of the lineage shot (one with parents and children)")
    ap.add_argument("--details", help="the model of the details shot (default: --model)")
    ap.add_argument("--only", default=",".join(SHOTS),
                    help=f"comma-separated shots to take (default all: {','.join(SHOTS)})")
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if unknown := only - set(SHOTS):
        print(f"unknown shot(s) {', '.join(sorted(unknown))}: pick from {', '.join(SHOTS)}",
              file=sys.stderr)
        return 2
    if why := browser_missing():
        print(f"cannot take screenshots: {why}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base, model = args.url.rstrip("/"), args.model
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with chrome() as b:
        b.get(base + "/")
        wait_for(b, "#status-dot.ok", timeout=60)
        settle(b)
        if "home" in only:
            shoot(b, out / "home.png", 900)

        if "search" in only:
            b.find_element(By.ID, "search").click()
            box = wait_for(b, ".dash-dropdown-content input.dash-dropdown-search")
            box.send_keys("llama-2")
            wait_for(b, ".dash-dropdown-option")
            time.sleep(1.0)
            shoot(b, out / "search.png", 700)
            box.send_keys(Keys.ESCAPE)

        if "neighbourhood" in only:
            b.set_window_size(1440, 880 + 143)  # the whole graph on screen before clicking in it
            b.get(f"{base}/model/{quote(model, safe='/')}?view=neighbourhood")
            wait_until(lambda: cy_nodes(b, "nb-graph"), timeout=60, what="neighbourhood")
            settle(b)
            before = len(cy_nodes(b, "nb-graph"))
            if any(n["id"] == args.expand for n in cy_nodes(b, "nb-graph")):
                click_node(b, "nb-graph", args.expand)
                wait_until(lambda: len(cy_nodes(b, "nb-graph")) > before, what="the expansion")
                settle(b, 1.5)
            shoot(b, out / "neighbourhood.png", 880)

        for view, height, shown in (("family", 1000, model), ("lineage", 1100, args.lineage),
                                    ("details", 1700, args.details or model)):
            if view not in only:
                continue
            b.set_window_size(1440, height + 143)
            b.get(f"{base}/model/{quote(shown, safe='/')}?view={view}")
            settle(b, 1.5)
            shoot(b, out / f"{view}.png", height)

        if "atlas" in only:
            b.get(f"{base}/atlas?model={quote(model)}")
            wait_for(b, "#atlas-dendro .scatterlayer .point", timeout=120)
            wait_for(b, "#atlas-words-table td", timeout=120)
            settle(b, 2.0)
            shoot(b, out / "atlas.png", 1620)

        if "console" in only:
            b.get(f"{base}/console?model={quote(model)}")
            area = wait_for(b, "#con-query")
            area.send_keys(Keys.CONTROL, "a")
            area.send_keys(Keys.DELETE)
            area.send_keys("MATCH (c:Model)-[r:BASED_ON]->(p:Model {id: "
                           "'meta-llama/Llama-2-7b-hf'})\nRETURN c, r, p")
            b.find_element(By.ID, "con-run").click()
            wait_until(lambda: cy_nodes(b, "con-graph"), timeout=60, what="console graph")
            settle(b, 1.5)
            shoot(b, out / "console.png", 1280)
    return 0


if __name__ == "__main__":
    sys.exit(main())
