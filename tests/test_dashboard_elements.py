"""The explorer's pure parts: URL routing, Cytoscape elements and layouts, dendrogram geometry."""

from __future__ import annotations

import math

from constellation.dashboard import graph_elements as ge
from constellation.dashboard import palette
from constellation.dashboard.console_elements import console_graph_elements
from constellation.dashboard.data import Filters
from constellation.dashboard.dendrogram import dendrogram_figure, layout_tree
from constellation.dashboard.lineage_layout import lineage_elements
from constellation.dashboard.neighbourhood_layout import expand, neighbourhood_elements
from constellation.dashboard.routing import build_url, href, parse_url
from constellation.dashboard.views.console import cell_text


def test_url_round_trip_keeps_model_view_and_filters():
    state = parse_url("/model/TheBloke/Llama-2-7B-GPTQ",
                      "?view=family&tag=text-generation&min_downloads=100&from=2023-01-01")
    assert state["model"] == "TheBloke/Llama-2-7B-GPTQ"
    assert state["view"] == "family"
    assert state["filters"]["pipeline_tag"] == "text-generation"
    assert state["filters"]["min_downloads"] == 100
    assert state["filters"]["created_from"] == "2023-01-01"
    assert parse_url(*build_url(state)) == state


def test_url_defaults_and_global_views():
    assert parse_url("/", "")["view"] == "home"
    assert parse_url("/model/gpt2", "")["view"] == "neighbourhood"
    assert parse_url("/model/gpt2", "?view=nonsense")["view"] == "neighbourhood"
    # a model view without a model falls back to home
    assert parse_url("/", "?view=family")["view"] == "home"
    console = parse_url("/console", "?model=gpt2")
    assert console == {**console, "view": "console", "model": "gpt2"}
    assert href(console, view="lineage") == "/model/gpt2?view=lineage"
    # bad numbers are ignored, not fatal
    assert parse_url("/atlas", "?min_downloads=lots")["filters"]["min_downloads"] is None


def test_url_min_downloads_beyond_the_graph_range_is_clamped_not_fatal():
    """`1e999` used to raise OverflowError in the router (a 500); `1e30` reached the driver as
    an integer it cannot send. Both now mean "more downloads than any model has"."""
    top = 2**63 - 1
    for raw, want in (("1e999", top), ("1e30", top), ("inf", top), ("99999999999999999999", top),
                      ("-1e999", 0), ("-3", 0), ("12.7", 12), ("nan", None), ("lots", None)):
        state = parse_url("/model/gpt2", f"?min_downloads={raw}")
        assert state["filters"]["min_downloads"] == want, raw
        assert state["model"] == "gpt2" and state["view"] == "neighbourhood"
    assert parse_url(*build_url(parse_url("/atlas", "?min_downloads=1e999")))["filters"][
        "min_downloads"] == top
    # the number box feeds the same rule (it sends floats such as 1e+30)
    assert Filters.from_dict({"min_downloads": 1e30}).params()["min_downloads"] == top
    assert Filters.from_dict({"min_downloads": float("inf")}).min_downloads == top
    assert Filters.from_dict({"min_downloads": "x"}).min_downloads is None


def test_filters_to_query_params_and_row_filter():
    f = Filters.from_dict({"pipeline_tag": "text-generation", "min_downloads": "10",
                           "created_to": "2023-12-31"})
    p = f.params()
    assert p["min_downloads"] == 10 and p["license"] is None
    assert p["created_to"] == "2023-12-31T23:59:59Z"  # inclusive end day
    assert f.active() and not Filters().active()
    assert f.keep({"pipeline_tag": "text-generation", "downloads": 11,
                   "created_at": "2023-12-31T10:00:00Z"})
    assert not f.keep({"pipeline_tag": "text-generation", "downloads": 9})
    assert not f.keep({"pipeline_tag": "fill-mask", "downloads": 100})


def test_model_node_encodes_family_colour_and_log_size():
    small = ge.model_node({"id": "a/x", "downloads": 0, "family": "llama"})
    big = ge.model_node({"id": "b/y", "downloads": 10_000_000, "family": "llama"})
    other = ge.model_node({"id": "c/z", "downloads": 10, "family": "bert"})
    assert small["data"]["label"] == "x"
    assert small["data"]["color"] == big["data"]["color"] == palette.family_color("llama")
    assert big["data"]["size"] > small["data"]["size"]
    assert ge.model_node({"id": "n"})["data"]["color"] == palette.NO_FAMILY_COLOR
    assert other["data"]["color"] in palette.PALETTE


def test_edges_similarity_width_and_lineage_direction():
    els = ge.edge_elements([
        {"source": "b", "target": "a", "score": 0.9},
        {"source": "a", "target": "b", "score": 0.9},  # same pair: dropped
        {"child": "c", "parent": "a", "relation": "quantized"},
        {"child": "d", "parent": "a", "relation": "weird"},
    ])
    assert len(els) == 3
    sim = els[0]["data"]
    assert (sim["source"], sim["target"]) == ("a", "b")
    assert palette.edge_width(1.0) > palette.edge_width(0.6) > palette.edge_width(0.5) == 1.0
    lin = {e["data"]["target"]: e for e in els[1:]}
    assert lin["c"]["data"]["source"] == "a"  # drawn parent -> child
    assert "quantized" in lin["c"]["classes"]
    assert lin["d"]["data"]["relation"] == "unknown"


def _rows(n, prefix="n"):
    return [{"id": f"{prefix}{i}", "downloads": i, "score": 1 - i / (2 * n),
             "family": f"f{i % 3}"} for i in range(n)]


def test_neighbourhood_places_every_node_and_caps():
    rows = _rows(30)
    edges = [{"source": "c", "target": r["id"], "score": r["score"]} for r in rows]
    els, cut = neighbourhood_elements({"id": "c"}, rows, edges, cap=20)
    nodes = [e for e in els if "source" not in e["data"]]
    assert len(nodes) == 20 and cut == 11
    assert nodes[0]["data"]["id"] == "c" and "centre" in nodes[0]["classes"]
    assert all("position" in n for n in nodes)
    # edges only between drawn nodes
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["target"] in ids for e in els if "source" in e["data"])
    # the most similar neighbours are kept
    assert "n0" in ids and "n29" not in ids


def test_expand_adds_new_nodes_without_moving_old_ones_and_respects_cap():
    rows = _rows(10)
    els, _ = neighbourhood_elements(
        {"id": "c"}, rows, [{"source": "c", "target": r["id"], "score": 0.8} for r in rows])
    before = {e["data"]["id"]: e["position"] for e in els if "position" in e}
    new = _rows(15, prefix="m")
    out, added, cut = expand(els, "n3", new + [{"id": "c"}],
                                [{"source": "n3", "target": r["id"], "score": 0.7} for r in new],
                                cap=20)
    assert added == 9 and cut == 6  # 11 drawn + 9 = cap
    after = {e["data"]["id"]: e["position"] for e in out if "position" in e}
    assert all(after[k] == v for k, v in before.items())
    assert "expanded" in next(e for e in out if e["data"]["id"] == "n3")["classes"]
    # new nodes do not sit on top of each other or of old ones
    pts = list(after.values())
    close = sum(1 for i in range(len(pts)) for j in range(i + 1, len(pts))
                if math.hypot(pts[i]["x"] - pts[j]["x"], pts[i]["y"] - pts[j]["y"]) < 20)
    assert close == 0
    # elements handed back by the browser lose `classes`: they come back from `data.cls`
    stripped = [{k: v for k, v in e.items() if k != "classes"} for e in out]
    again, _, _ = expand(stripped, "n5", [], [])
    classes = {e["data"]["id"]: e["classes"] for e in again}
    assert "centre" in classes["c"] and "expanded" in classes["n3"]
    assert "expanded" in classes["n5"]
    assert any(c == "similar" for c in classes.values())
    # expanding an unknown node changes nothing
    same, n, _ = expand(out, "nope", new, [])
    assert n == 0 and len(same) == len(out)


def test_lineage_groups_siblings_by_relation_under_an_ancestor_chain():
    ancestors = [{"id": "base", "depth": 1, "child": "m", "parent": "base",
                  "relation": "finetune"},
                 {"id": "root", "depth": 2, "child": "base", "parent": "root",
                  "relation": "finetune"}]
    groups = [{"relation": "quantized", "total": 73,
               "children": [{"id": f"o{i}/m-GGUF", "downloads": 100 - i} for i in range(40)]},
              {"relation": "finetune", "total": 2,
               "children": [{"id": "ft", "downloads": 9, "children": 1},
                            {"id": "ft2", "downloads": None}]}]
    likely = [{"id": "guess", "score": 0.81, "relation": "finetune"}]
    els = lineage_elements({"id": "m", "downloads": 5}, ancestors, groups, likely)
    pos = {e["data"]["id"]: e["position"] for e in els if "position" in e}
    assert pos["root"]["y"] < pos["base"]["y"] < pos["m"]["y"] < pos["ft"]["y"]
    # siblings of one relation share a column (one x), one per line, by downloads
    quant = [pos[f"o{i}/m-GGUF"] for i in range(40)]
    assert len({p["x"] for p in quant}) == 1
    assert [p["y"] for p in quant] == sorted(p["y"] for p in quant)
    assert len({p["y"] for p in quant}) == 40
    assert pos["ft"]["x"] != quant[0]["x"]  # another relation, another column
    group = {e["data"]["id"]: e for e in els if e["data"].get("kind") == "group"}
    assert group["group:quantized"]["data"]["label"] == "quantized · 73 (top 40 by downloads)"
    assert group["group:finetune"]["data"]["label"] == "fine-tune · 2"
    kids = [e for e in els if e["data"].get("parent") == "group:quantized"]
    assert len(kids) == 40
    # forty copies named m-GGUF: each label names its owner, and says its downloads
    labels = [e["data"]["label"] for e in kids]
    assert len(set(labels)) == 40 and labels[0] == "o0/m-GGUF  ·  100"
    ft2 = next(e for e in els if e["data"]["id"] == "ft2")
    assert ft2["data"]["label"].endswith("–")  # a missing count is "–", never "0"
    # the inferred parent: its own dashed edge with the score on hover
    edge = next(e for e in els if e["data"].get("kind") == "likely")
    assert (edge["data"]["source"], edge["data"]["target"]) == ("guess", "m")
    assert "0.81" in edge["data"]["label"] and edge["classes"] == "likely"
    assert pos["guess"]["y"] == pos["base"]["y"]


def test_labels_unique_on_screen_and_layout_keeps_them_apart():
    from constellation.dashboard.neighbourhood_layout import labels_overlap

    centre = {"id": "openai-community/gpt2", "downloads": 10}
    rows = [{"id": f"user{i}/gpt2", "score": 0.9} for i in range(10)]
    rows += [{"id": f"x/model-{i}", "score": 0.8} for i in range(40)]
    els, _ = neighbourhood_elements(centre, rows, [])
    labels = [e["data"]["label"] for e in els]
    assert len(set(labels)) == len(labels)
    assert "user3/gpt2" in labels and "model-7" in labels  # owner only where names collide
    assert all(e["data"]["hover"].startswith(e["data"]["id"] + " · ") for e in els)
    # long names that differ only at the end: cut in the middle, so they still differ
    variants = [{"id": f"o{i}/Mistral-7B-Instruct-v0.2-{w}-GGUF", "score": 0.9}
                for i, w in enumerate(("Ko-S-Core", "Neural-Story", "DPO", "Code"))]
    els2, _ = neighbourhood_elements(centre, variants, [])
    shown = [e["data"]["label"] for e in els2]
    assert len(set(shown)) == len(shown) and all(len(x) <= 22 for x in shown), shown
    assert any(x.endswith("DPO-GGUF") for x in shown)
    pts = [(e["position"]["x"], e["position"]["y"]) for e in els]
    assert not any(labels_overlap(a, b) for i, a in enumerate(pts) for b in pts[i + 1:])
    # an expansion next to a crowd: the new labels overlap nothing either
    more = [{"id": f"y/new-{i}", "score": 0.7} for i in range(20)]
    added, n, _ = expand(els, "x/model-3", more, [])
    new = [(e["position"]["x"], e["position"]["y"]) for e in added[len(els):]
           if "position" in e]
    assert n == 20 and len(new) == 20
    assert not any(labels_overlap(a, b) for a in new for b in pts + [q for q in new if q != a])


def test_console_graph_elements_from_runner_json():
    a = {"element_id": "#1:0", "labels": ["Model"], "properties": {"id": "o/a", "downloads": 5}}
    b = {"element_id": "#1:1", "labels": ["Model"], "properties": {"id": "o/b"}}
    r = {"element_id": "#5:0", "type": "SIMILAR_TO", "start": "#1:0", "end": "#1:1",
         "properties": {"score": 0.9}}
    els = console_graph_elements([{"a": a, "s": r, "b": b}, {"p": [a, r, b]}])
    nodes = [e for e in els if "source" not in e["data"]]
    rels = [e for e in els if "source" in e["data"]]
    assert {n["data"]["id"] for n in nodes} == {"o/a", "o/b"}
    assert len(rels) == 1 and rels[0]["data"]["source"] == "o/a"
    assert console_graph_elements([{"n": 1, "name": "x"}]) == []
    assert cell_text(a) == "(Model o/a)" and cell_text([1, 2]) == "[1, 2]"
    assert cell_text(r) == "[:SIMILAR_TO {score: 0.9}]"


def test_dendrogram_layout_centres_parents_over_children():
    children = [{"id": 1, "threshold": 0.5, "size": 10}, {"id": 2, "threshold": 0.5, "size": 3}]
    grand = [{"id": 10, "parent": 1, "threshold": 0.35, "size": 6},
             {"id": 11, "parent": 1, "threshold": 0.35, "size": 4}]
    points, segments = layout_tree(children, grand, root_height=1.0)
    by_id = {p["row"]["id"]: p for p in points}
    assert by_id[1]["x"] == (by_id[10]["x"] + by_id[11]["x"]) / 2
    assert by_id[1]["y"] == 0.5 and by_id[10]["y"] == 0.35
    assert by_id[2]["x"] > by_id[11]["x"]
    assert any(ys == [1.0, 1.0] for _, ys in segments)  # the root bar
    fig = dendrogram_figure(children, grand)
    clickable = [t for t in fig.data if t.customdata is not None]
    assert {c[0] for t in clickable for c in t.customdata} == {1, 2, 10, 11}


def test_dendrogram_draws_model_leaves_without_downloads():
    # a build without Hub metadata (the 1M-model scale set) has no download counts
    children = [{"id": 1, "threshold": 0.25, "size": 2, "level": 0}]
    grand = [{"id": "a/x", "parent": 1, "kind": "model", "downloads": None, "size": 1},
             {"id": "b/y", "parent": 1, "kind": "model", "downloads": 5, "size": 1}]
    fig = dendrogram_figure(children, grand)
    hovers = " ".join(str(h) for t in fig.data for h in (t.hovertext or ()))
    assert "downloads unknown" in hovers and "5 downloads" in hovers


def test_palette_has_no_near_duplicates_and_a_screen_no_shared_colour():
    def lab(h: str) -> tuple[float, float, float]:
        rgb = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        xyz = ((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047,
               r * 0.2126 + g * 0.7152 + b * 0.0722,
               (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883)
        fx, fy, fz = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
        return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)

    colours = palette.PALETTE
    closest = min(math.dist(lab(a), lab(b)) for i, a in enumerate(colours)
                  for b in colours[i + 1:])
    assert closest > 30  # CIELAB ΔE76: the old palette had pairs 6 apart
    # twenty families on one screen: every one of the first len(PALETTE) its own colour
    fams = [f"family {i}" for i in range(20)]
    got = palette.distinct_colors(fams)
    first = [got[f] for f in fams[: len(colours)]]
    assert len(set(first)) == len(colours)
    # a family that would hash onto a colour already on screen gets another one
    taken = {"a": palette.family_color("b")}
    assert palette.distinct_colors(["b"], taken)["b"] != taken["a"]


def test_dendrogram_leaf_labels_stay_unique_when_cut():
    from constellation.dashboard.dendrogram import tick_labels

    rows = [{"kind": "model", "id": f"user{i}/distilgpt2-finetuned-wikitext2-v{i}",
             "label": f"distilgpt2-finetuned-wikitext2-v{i}"} for i in range(40)]
    rows.append({"kind": "model", "id": "gpt2", "label": "gpt2"})
    labels = tick_labels(rows)
    assert len(set(labels)) == len(labels) and labels[-1] == "gpt2"
    assert all(len(label) <= 24 for label in labels)
    assert labels[0].endswith("wikitext2-v0") and labels[0].startswith("user0/")


def test_created_scatter_without_dates_says_so() -> None:
    """Issue 13, point 9: no creation dates draw a message, not an empty year-2000 axis."""
    from constellation.dashboard.views.atlas import scatter_figure

    rows = [{"id": f"m{i}", "downloads": i, "likes": 1, "family": "f"} for i in range(5)]
    fig = scatter_figure(rows)
    assert [t["xaxis"] for t in fig["data"]] == ["x"]  # the likes panel only
    assert "creation date" in fig["layout"]["annotations"][0]["text"]
    assert fig["layout"]["xaxis2"]["visible"] is False
    dated = [{**r, "created_at": f"2024-01-0{i + 1}T00:00:00Z"} for i, r in enumerate(rows)]
    both = scatter_figure(dated)["data"]  # with dates, the points are drawn in both panels
    assert [t["xaxis"] for t in both] == ["x", "x2"] and both[1]["x"][0] == "2024-01-01T00:00:00"


def test_scatter_panels_share_one_legend_entry_per_family() -> None:
    """One figure for both panels (one WebGL set-up in the browser): each family is one
    legend entry whose click hides it in both panels."""
    from constellation.dashboard.views.atlas import scatter_figure

    rows = [{"id": f"m{i}", "downloads": 10 * i, "likes": i, "family": "ab"[i % 2],
             "created_at": "2024-01-01"} for i in range(6)]  # fmt: skip
    traces = scatter_figure(rows)["data"]
    assert [(t["legendgroup"], t["showlegend"]) for t in traces] == [
        ("a", True), ("a", False), ("b", True), ("b", False)]
    assert traces[0]["customdata"] == ["m0", "m2", "m4"] and traces[0]["y"] == [1, 3, 5]
    assert traces[1]["y"] == [1, 21, 41]  # downloads + 1 on the log axis


def test_labels_that_a_middle_cut_makes_alike_keep_more_of_their_end():
    """Issue 13, point 2, as seen on hf-dep: five exl2 copies of one model used to fall back to
    their whole name, which the node's width cut to the same "Lily-Cybersecurity-7B-v0…"."""
    ids = ["LoneStriker/Lily-Cybersecurity-7B-v0.2-8.0bpw-h8-exl2",
           *(f"LoneStriker/Lily-Cybersecurity-7B-v0.2-{b}.0bpw-h6-exl2" for b in (3, 4, 5, 6)),
           "segolilylabs/Lily-Cybersecurity-7B-v0.2", "mistralai/Mistral-7B-Instruct-v0.2",
           "someone/Mistral-7B-Instruct-v0.2"]
    els = [{"data": {"id": i}} for i in ids]
    ge.unique_labels(els)
    labels = [e["data"]["label"] for e in els]
    assert len(set(labels)) == len(labels)
    assert all(len(label) <= ge.LABEL_CHARS for label in labels), labels
    assert "Lily-Cy…3.0bpw-h6-exl2" in labels
    assert labels[0] == ge.fit_label(ids[0].split("/")[1])  # unique at once: the usual cut
