"""The embedded graphs: their JSON (kg.export.views) and kg-graph.js drawing it in Chromium.

The widget is tested on a minimal page served from 127.0.0.1 with the site's
Content-Security-Policy: the page, kg/web/static's script and style, vis-network as pyvis
ships it, and the JSON of a real neighbourhood of the bundled build.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kg.errors import UsageError
from kg.export import html, views
from kg.store import Store
from tests.export.chromium import Chromium, find_chromium
from tests.export.test_html import PAYLOADS

CONCEPT = "https://w3id.org/kg/id/concept/"
GNN = CONCEPT + "graph-neural-network"
KOLTER = "https://w3id.org/kg/id/person/j-zico-kolter"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
STATIC = Path(__file__).resolve().parents[2] / "kg" / "web" / "static"


def href(iri: str) -> str | None:
    return "/" + iri.split("/id/", 1)[1] if "/id/" in iri else None


# -- the JSON ----------------------------------------------------------------------------------


def test_neighborhood_view_is_bounded_marked_and_says_when_capped(built: Path) -> None:
    store = Store.open(built)
    data = views.neighborhood_view(store, GNN, href=href)
    assert data["focus"] == GNN and len(data["nodes"]) == views.CAP
    assert data["capped"] is True and data["total"] > views.CAP
    assert len(data["edges"]) <= views.LINK_CAP
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert all(e["width"] == html.edge_width(e["kg"]["weight"]) for e in data["edges"])
    assert all(len(n["kg"]["titles"]) <= views.NODE_TITLES for n in data["nodes"])
    assert {n["kg"]["href"] for n in data["nodes"]} >= {"/concept/graph-neural-network"}
    assert CONCEPT + "graph" not in ids  # noise left out
    json.dumps(data)  # plain JSON
    small = views.neighborhood_view(store, GNN, min_weight=3)
    assert small["capped"] is False and small["min_weight"] == 3
    assert all(e["kg"]["weight"] >= 3 for e in small["edges"])


def test_coauthors_view_and_bad_requests(built: Path) -> None:
    store = Store.open(built)
    one = views.coauthors_view(store, KOLTER, radius=1)
    two = views.coauthors_view(store, KOLTER, radius=2)
    assert one["focus"] == KOLTER and len(one["nodes"]) < len(two["nodes"]) <= views.CAP
    with pytest.raises(views.NotFound, match="no person has the IRI"):
        views.coauthors_view(store, GNN)
    with pytest.raises(views.NotFound, match="no concept has the IRI"):
        views.neighborhood_view(store, KOLTER)
    with pytest.raises(UsageError, match="radius must be one of 1, 2"):
        views.coauthors_view(store, KOLTER, radius=3)
    with pytest.raises(UsageError, match="not an IRI"):
        views.neighborhood_view(store, "x> } <y")


# -- kg-graph.js in Chromium -------------------------------------------------------------------


class Site:
    """A tiny site on 127.0.0.1: path -> (content type, bytes), every answer with the CSP."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = site.files.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", CSP)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body><h1>A page</h1><div class="kg-graph" data-src="{src}"></div>
<script src="/static/kg-graph.js"></script></body></html>"""


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[Site]:
    store = Store.open(built)
    s = Site()
    s.files["/static/kg-graph.js"] = (
        "text/javascript",
        (STATIC / "kg-graph.js").read_bytes(),
    )
    s.files["/static/kg-graph.css"] = ("text/css", (STATIC / "kg-graph.css").read_bytes())
    js, css = html.vis_assets()
    s.files["/graph/vis-network.min.js"] = ("text/javascript", js.encode())
    s.files["/graph/vis-network.css"] = ("text/css", css.encode())
    data = views.neighborhood_view(store, GNN, href=href)
    s.files["/graph/neighborhood"] = ("application/json", json.dumps(data).encode())
    hostile = views.coauthors_view(store, KOLTER, href=href)
    for i, node in enumerate(hostile["nodes"]):
        node["label"] = PAYLOADS[i % len(PAYLOADS)]
        node["kg"]["head"] = PAYLOADS[(i + 1) % len(PAYLOADS)]
        node["kg"]["titles"] = list(PAYLOADS)
        node["kg"]["href"] = "javascript:window.__kgInjected=5" if i % 2 else "//evil.example/"
    s.files["/graph/hostile"] = ("application/json", json.dumps(hostile).encode())
    s.files["/concept/graph-neural-network"] = ("text/html", b"<!DOCTYPE html><p>GNN</p>")
    s.files["/favicon.ico"] = ("image/x-icon", b"")  # asked for by the browser itself
    for name, src in (("page", "/graph/neighborhood"), ("hostile", "/graph/hostile")):
        s.files[f"/{name}.html"] = ("text/html", PAGE.format(src=src).encode())
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    chromium = Chromium(binary, size=(1200, 900), loopback=True)
    yield chromium
    chromium.close()


DRAWN = (
    "(d => d !== null && d.getAttribute('data-drawn') === '1')"
    "(document.querySelector('div.kg-graph'))"
)


def _only_local(browser: Chromium, site: Site) -> list[str]:
    urls = browser.requests()
    assert urls and all(u.startswith(site.base + "/") for u in urls), urls
    return urls


def test_widget_draws_the_neighbourhood_centred_on_its_focus(site: Site, browser: Chromium) -> None:
    browser.open(site.base + "/page.html", DRAWN, timeout=60)
    browser.pump(0.3)
    assert browser.problems() == []
    urls = _only_local(browser, site)
    assert site.base + "/graph/vis-network.min.js" in urls
    assert site.base + "/graph/neighborhood" in urls
    got = browser.evaluate("""(() => {
      const g = document.querySelector('div.kg-graph').kgGraph, net = g.network;
      const p = net.canvasToDOM(net.getPositions([g.focus])[g.focus]);
      const box = document.querySelector('.kg-graph-canvas').getBoundingClientRect();
      const c = document.querySelector('.kg-graph-canvas canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { ink++; } }
      return {dx: p.x - box.width / 2, dy: p.y - box.height / 2, ink: ink,
              nodes: g.nodeView.length, focus: g.focus,
              label: net.body.nodes[g.focus].labelModule.visible()};
    })()""")
    assert abs(got["dx"]) < 2 and abs(got["dy"]) < 2 and got["label"]
    assert got["ink"] > 5000 and got["nodes"] == views.CAP and got["focus"] == GNN


def test_slider_hides_weak_links_and_the_nodes_left_alone(site: Site, browser: Chromium) -> None:
    browser.open(site.base + "/page.html", DRAWN, timeout=60)
    div = "document.querySelector('div.kg-graph')"
    before = int(browser.evaluate(f"{div}.getAttribute('data-links')"))
    nodes_before = int(browser.evaluate(f"{div}.getAttribute('data-nodes')"))
    top = int(browser.evaluate(f"{div}.querySelector('input[type=range]').max"))
    assert top >= 2
    # move the slider as a user does: focus it and press the right arrow key
    browser.evaluate(f"{div}.querySelector('input[type=range]').focus()")
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "ArrowRight", "code": "ArrowRight", "windowsVirtualKeyCode": 39},
        )
    browser.wait_for(f"{div}.getAttribute('data-links') !== '{before}'", timeout=10)
    after = int(browser.evaluate(f"{div}.getAttribute('data-links')"))
    weights = browser.evaluate(f"{div}.kgGraph.edgeView.get().map(e => e.kg.weight)")
    assert 0 < after < before and min(weights) >= 2
    assert int(browser.evaluate(f"{div}.getAttribute('data-nodes')")) < nodes_before
    assert browser.evaluate(f"{div}.kgGraph.nodeView.get({json.dumps(GNN)}) !== null")
    shown = browser.evaluate(f"{div}.querySelector('.kg-graph-shown').textContent")
    assert f"({after} of {before} links)" in shown
    _only_local(browser, site)


def test_clicking_a_node_opens_its_page(site: Site, browser: Chromium) -> None:
    browser.open(site.base + "/page.html", DRAWN, timeout=60)
    browser.pump(0.3)
    where = browser.evaluate("""(() => {
      const g = document.querySelector('div.kg-graph').kgGraph, net = g.network;
      const p = net.canvasToDOM(net.getPositions([g.focus])[g.focus]);
      const r = document.querySelector('.kg-graph-canvas').getBoundingClientRect();
      return {x: p.x + r.left, y: p.y + r.top};
    })()""")
    for kind in ("mousePressed", "mouseReleased"):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": where["x"], "y": where["y"], "button": "left", "clickCount": 1},
        )
    browser.wait_for("location.pathname === '/concept/graph-neural-network'", timeout=10)
    _only_local(browser, site)


def test_hostile_labels_tooltips_and_links_stay_inert(site: Site, browser: Chromium) -> None:
    browser.open(site.base + "/hostile.html", DRAWN, timeout=60)
    browser.pump(0.5)
    assert browser.evaluate("typeof window.__kgInjected") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img, b, iframe').length") == 0
    tip = browser.evaluate("""(() => {
      const g = document.querySelector('div.kg-graph').kgGraph;
      const t = g.nodes.get(g.focus).title;
      return {text: t.textContent, imgs: t.querySelectorAll('img, b, script').length};
    })()""")
    assert "<img src=x" in tip["text"] or "</script>" in tip["text"]
    assert tip["imgs"] == 0
    # a click on a node whose href is not a path of this site goes nowhere
    browser.evaluate("""(() => {
      const g = document.querySelector('div.kg-graph').kgGraph;
      g.network.body.emitter.emit('click', {nodes: g.nodes.getIds().slice(1, 3), edges: []});
    })()""")
    browser.pump(0.5)
    assert browser.evaluate("location.pathname") == "/hostile.html"
    assert browser.evaluate("typeof window.__kgInjected") == "undefined"
    _only_local(browser, site)
