"""The offline, escaped HTML export: unit tests on the bytes, and tests in headless Chromium."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.export.html import to_html
from tests.export.chromium import Chromium, ChromiumError, find_chromium
from tests.export.graphs import coauthors, from_papers

PAYLOADS = (
    '<img src=x onerror="window.__kgInjected=1;alert(1)">',
    "</script><script>window.__kgInjected=2;alert(2)</script>",
    "<!--<script>window.__kgInjected=3</script>",
    "\u2028'\"&amp;<b>bold</b>`${window.__kgInjected=4}`",
)


def hostile_graph() -> nx.Graph:
    """A small co-author graph whose names and paper titles are all markup."""
    papers = [
        (PAYLOADS[i % len(PAYLOADS)] + f" #{i}", [i % 7, (i + 1) % 7, (i + 3) % 7])
        for i in range(14)
    ]
    names = {i: PAYLOADS[i % len(PAYLOADS)] if i < 4 else f"Safe Name {i}" for i in range(7)}
    return from_papers(papers, names)


class Tags(HTMLParser):
    """Every start tag of a document with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def parse(page: bytes) -> Tags:
    tags = Tags()
    tags.feed(page.decode("utf-8"))
    tags.close()
    return tags


def page_data(page: bytes) -> dict[str, Any]:
    """The graph JSON the page carries."""
    (text,) = [t for a, t in parse(page).scripts if a.get("type") == "application/json"]
    return dict(json.loads(text))


# -- the bytes -------------------------------------------------------------------------------


def test_markup_in_names_and_titles_is_escaped() -> None:
    graph = hostile_graph()
    page = to_html(graph, PAYLOADS[0] + PAYLOADS[1], max_nodes=100)
    tags = parse(page)
    assert [t for t, _ in tags.tags if t in ("img", "b", "iframe", "object", "embed")] == []
    assert len(tags.scripts) == 3  # the data block, vis-network and the page's own script
    assert all("window.__kgInjected" not in text for _, text in tags.scripts[1:])
    text = page.decode("utf-8").replace(tags.scripts[1][1], "")  # all but vis-network's code
    for needle in ("<img", "</script><script>", "<!--", "<b>", "\u2028"):
        assert needle not in text, needle
    assert "&lt;img src=x onerror=&quot;window.__kgInjected=1;alert(1)&quot;&gt;" in text
    data = page_data(page)  # the names come back intact, as text
    names = {n["kg"]["name"] for n in data["nodes"]}
    assert {" ".join(p.split()) for p in PAYLOADS} <= names
    titles = {t for e in data["edges"] for t in e["kg"]["titles"]}
    assert any(t.startswith(PAYLOADS[1]) for t in titles)


def test_no_html_comment_or_script_end_inside_inline_code() -> None:
    page = to_html(hostile_graph(), "t").decode("utf-8")
    assert "<!--" not in page
    assert len(re.findall(r"</script", page, re.IGNORECASE)) == 3


def test_loads_nothing_from_anywhere() -> None:
    page = to_html(coauthors(200), "Co-authors")
    for tag, attrs in parse(page).tags:
        for name in ("src", "href", "data", "srcset", "action", "poster"):
            value = attrs.get(name)
            assert value is None or not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    text = page.decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"@import", text)
    assert "bootstrap" not in text.lower() and "cdnjs" not in text and "jsdelivr" not in text


def test_content_security_policy_allows_only_its_own_scripts() -> None:
    page = to_html(coauthors(50), "t")
    tags = parse(page)
    (csp,) = [
        a["content"]
        for t, a in tags.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None and "default-src 'none'" in csp and "unsafe-inline" in csp
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src and "unsafe" not in script_src.group(1)
    for attrs, text in tags.scripts:
        if attrs.get("type") == "application/json":
            continue
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src.group(1)


def test_same_graph_same_bytes() -> None:
    graph = coauthors(700)
    shuffled = nx.Graph()
    shuffled.add_nodes_from(sorted(graph.nodes(data=True), reverse=True))
    shuffled.add_edges_from(sorted(graph.edges(data=True), reverse=True))
    first = to_html(graph, "Co-authors", max_nodes=500)
    assert to_html(graph, "Co-authors", max_nodes=500) == first
    assert to_html(shuffled, "Co-authors", max_nodes=500) == first
    assert to_html(graph, "Co-authors", max_nodes=500, seed=1) != first


def test_same_graph_same_bytes_in_another_process() -> None:
    """The layout used to follow the order in which networkx iterates a small subgraph
    view, a set's order, which Python's string hashing changes from process to process:
    two runs of `kg export coauthors --format html` on one build gave two pages."""
    script = (
        "import sys; from tests.export.graphs import coauthors; "
        "from kg.export.html import to_html; "
        "sys.stdout.buffer.write(to_html(coauthors(400), 't'))"
    )
    root = Path(__file__).parent.parent.parent
    pages = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(pages) == 1


def test_large_graph_is_cut_to_the_people_with_most_papers_and_says_so() -> None:
    graph = coauthors(2000)
    page = to_html(graph, "Co-authors", max_nodes=400)
    text = page.decode("utf-8")
    assert "Showing 400 of 2,000 people, those with the most papers" in text
    data = page_data(page)
    assert len(data["nodes"]) == 400
    shown = {n["id"] for n in data["nodes"]}
    least_shown = min(graph.nodes[n]["papers"] for n in shown)
    assert all(graph.nodes[n]["papers"] <= least_shown for n in set(graph) - shown)
    assert all(e["from"] in shown and e["to"] in shown for e in data["edges"])
    assert len(data["edges"]) == graph.subgraph(shown).number_of_edges()
    assert data["options"]["physics"]["enabled"] is False


def test_small_graph_is_not_cut() -> None:
    page = to_html(coauthors(120), "Co-authors")
    assert b"Showing" not in page
    assert len(page_data(page)["nodes"]) == 120


def test_tooltips_list_ten_papers_and_how_many_more() -> None:
    papers = [(f"Paper number {i}", [0, 1]) for i in range(25)]
    data = page_data(to_html(from_papers(papers, {0: "Ada", 1: "Bob"}), "t"))
    (edge,) = data["edges"]
    assert edge["kg"]["titles"] == [f"Paper number {i}" for i in range(10)]
    assert edge["kg"]["more"] == 15 and edge["kg"]["sub"] == "25 joint papers"
    node = data["nodes"][0]
    assert len(node["kg"]["titles"]) == 10 and node["kg"]["more"] == 15


def test_mixed_types_get_their_own_shapes_and_legend() -> None:
    graph = nx.Graph()
    for i, kind in enumerate(("person", "paper", "concept", "method", "dataset", "task")):
        graph.add_node(
            f"urn:x:{i}", label=f"{kind} {i}", type=kind, papers=i + 1, degree=1, iri=f"urn:x:{i}"
        )
    graph.add_edge("urn:x:0", "urn:x:1", weight=1)
    page = to_html(graph, "Mixed")
    shapes = {n["kg"]["sub"].split(" · ")[0]: n["shape"] for n in page_data(page)["nodes"]}
    assert len(set(shapes.values())) == 6
    for plural in ("people", "papers", "concepts", "methods", "datasets", "tasks"):
        assert plural.encode() in page


def institution_graph() -> nx.Graph:
    """A co-author graph coloured by institution: Lab 00 to Lab 10 with two people each,
    a hostile name with six, and two people without an institution."""
    papers = [(f"Paper {i}", [i % 30, (i + 1) % 30]) for i in range(40)]
    graph = from_papers(papers, {i: f"Person {i}" for i in range(30)})
    for node in graph.nodes:
        i = int(node[-5:])
        graph.nodes[node]["institution"] = (
            "" if i >= 28 else PAYLOADS[0] if i >= 22 else f"Lab {i // 2:02d}"
        )
    graph.graph["color_by"] = "institution"
    return graph


def test_colour_by_institution_is_deterministic_with_a_legend() -> None:
    graph = institution_graph()
    page = to_html(graph, "By institution")
    assert page == to_html(graph, "By institution")
    nodes = {n["kg"]["name"]: n for n in page_data(page)["nodes"]}
    colour = {name: n["color"]["background"] for name, n in nodes.items()}
    # the ten institutions with the most people get a colour each (a tie: by name), the
    # others share one, people without an institution are light grey
    assert {colour[f"Person {i}"] for i in range(22, 28)} == {"#1f77b4"}
    assert colour["Person 0"] == colour["Person 1"] == "#ff7f0e" != colour["Person 2"]
    assert {colour[f"Person {i}"] for i in range(18, 22)} == {"#a9b8c8"}  # Lab 09, Lab 10
    assert colour["Person 28"] == colour["Person 29"] == "#d0d5db"
    assert len({colour[f"Person {i}"] for i in range(28)}) == 11
    assert "Lab 00" in nodes["Person 0"]["kg"]["sub"]
    legend = page.decode("utf-8").split('id="kg-legend">')[1].split("</div>")[0]
    assert "people (coloured by institution)" in legend and "<h2>Institutions</h2>" in legend
    assert "&lt;img src=x onerror=&quot;window.__kgInjected=1;alert(1)&quot;&gt; (6)" in legend
    assert "Lab 00 (2)" in legend and "Lab 09" not in legend
    assert "no institution given (2)" in legend
    assert "<img" not in legend and "communities" not in legend


def test_without_colour_by_institution_the_page_is_as_before() -> None:
    graph = institution_graph()
    del graph.graph["color_by"]
    plain = institution_graph()
    del plain.graph["color_by"]
    for node in plain.nodes:
        del plain.nodes[node]["institution"]
    legend = to_html(plain, "t").decode("utf-8")
    assert "coloured by community" in legend and "Institutions" not in legend


def test_empty_graph_and_bad_arguments() -> None:
    assert b'id="kg-network"' in to_html(nx.Graph(), "Nothing")
    with pytest.raises(ValueError):
        to_html(coauthors(10), "t", max_nodes=0)


# -- in headless Chromium --------------------------------------------------------------------

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (on CI this fails instead)",
)
DRAWN = "window.kg && window.kg.drawn"
CANVAS_PIXELS = """(() => {
  const c = document.querySelector('#kg-network canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
  return n;
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    chromium = Chromium(CHROMIUM)
    yield chromium
    chromium.close()


def open_page(browser: Chromium, page: bytes, path: Path) -> float:
    path.write_bytes(page)
    seconds = browser.open(path.as_uri(), DRAWN, timeout=120)
    browser.pump(0.3)
    return seconds


def assert_offline(browser: Chromium, path: Path) -> None:
    assert browser.requests() == [path.as_uri()]
    assert browser.problems() == []


@needs_chromium
@pytest.mark.parametrize("people", [150, 2500])
def test_page_draws_offline_with_every_node(browser: Chromium, tmp_path: Path, people: int) -> None:
    path = tmp_path / "coauthors.html"
    open_page(browser, to_html(coauthors(people), "Co-authors", max_nodes=2000), path)
    assert browser.evaluate("window.kg.nodes.length") == min(people, 2000)
    assert browser.evaluate(CANVAS_PIXELS) > 5000
    assert_offline(browser, path)
    cut = browser.evaluate("(document.getElementById('kg-cut') || {}).textContent || ''")
    assert ("Showing 2,000 of 2,500 people" in cut) == (people > 2000)


@needs_chromium
def test_injected_markup_stays_text(browser: Chromium, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    open_page(browser, to_html(hostile_graph(), PAYLOADS[1] + PAYLOADS[0]), path)
    browser.pump(1.0)  # let stabilisation, timers and any stray handlers run
    assert browser.evaluate("typeof window.__kgInjected") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img, b, iframe').length") == 0
    assert browser.evaluate("document.scripts.length") == 3
    assert browser.evaluate("document.getElementById('kg-title').textContent") == (
        PAYLOADS[1] + PAYLOADS[0]
    )
    assert browser.evaluate("document.title") == PAYLOADS[1] + PAYLOADS[0]
    assert browser.evaluate("window.kg.nodes.length") == 7
    tooltip = browser.evaluate("""(() => {
      const id = window.kg.nodes.getIds()
        .find(i => window.kg.nodes.get(i).kg.name.startsWith('<img'));
      const el = window.kg.nodes.get(id).title;
      return {text: el.textContent, html: el.innerHTML, tags: el.querySelectorAll('img').length};
    })()""")
    assert tooltip["text"].startswith(PAYLOADS[0]) and tooltip["tags"] == 0
    assert "&lt;img" in tooltip["html"]
    shown = _hover_first_node(browser)
    assert "<img" in shown["text"] and shown["imgs"] == 0
    assert browser.evaluate("typeof window.__kgInjected") == "undefined"
    assert_offline(browser, path)


def _hover_first_node(browser: Chromium) -> dict[str, Any]:
    """Move the mouse onto the node named like the first payload and read vis's tooltip."""
    where = browser.evaluate("""(() => {
      const net = window.kg.network;
      const id = window.kg.nodes.getIds()
        .find(i => window.kg.nodes.get(i).kg.name.startsWith('<img'));
      const p = net.canvasToDOM(net.getPositions([id])[id]);
      const r = document.getElementById('kg-network').getBoundingClientRect();
      return {x: p.x + r.left, y: p.y + r.top};
    })()""")
    for dx in (0, 1):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": "mouseMoved", "x": where["x"] + dx, "y": where["y"]},
        )
    browser.wait_for(
        "document.querySelector('div.vis-tooltip') &&"
        " document.querySelector('div.vis-tooltip').style.visibility === 'visible'",
        timeout=10,
    )
    return dict(
        browser.evaluate("""(() => {
      const t = document.querySelector('div.vis-tooltip');
      return {text: t.textContent, imgs: t.querySelectorAll('img').length};
    })()""")
    )


@needs_chromium
def test_search_box_focuses_a_node(browser: Chromium, tmp_path: Path) -> None:
    path = tmp_path / "search.html"
    open_page(browser, to_html(coauthors(800), "Co-authors"), path)
    # count the focus calls: Enter fires "change" and "submit", and two focus calls before
    # a frame leave vis-network's first animation running, pulling the view off the node
    browser.evaluate(
        "(() => { const net = window.kg.network, focus = net.focus.bind(net);"
        " window.kgFocusCalls = 0;"
        " net.focus = (...a) => { window.kgFocusCalls += 1; return focus(...a); }; })()"
    )
    browser.evaluate("document.getElementById('kg-search').focus()")
    browser.call("Input.insertText", {"text": "person 0421"})
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent",
            {
                "type": kind,
                "key": "Enter",
                "code": "Enter",
                "windowsVirtualKeyCode": 13,
                "text": "\r",
            },
        )
    browser.wait_for("window.kg.network.getSelectedNodes().length === 1", timeout=10)
    iri = "https://w3id.org/kg/id/person/p00421"
    assert browser.evaluate("window.kg.network.getSelectedNodes()") == [iri]
    assert browser.evaluate("window.kgFocusCalls") == 1
    gap = f"""(() => {{
      const net = window.kg.network, p = net.getPositions([{json.dumps(iri)}])[{json.dumps(iri)}];
      const v = net.getViewPosition();
      return Math.hypot(p.x - v.x, p.y - v.y) * net.getScale();
    }})()"""
    # the focus animation takes 0.3 s, longer on a loaded machine: wait for its end
    with contextlib.suppress(ChromiumError):
        browser.wait_for(f"{gap} < 5", timeout=10)
    assert browser.evaluate(gap) < 5  # the node is in the middle of the view (in pixels)
    assert browser.evaluate("document.getElementById('kg-details').textContent").startswith(
        "SelectedPerson 0421"
    )
    assert browser.evaluate("document.getElementById('kg-status').textContent") == "1 match"
    assert_offline(browser, path)


@needs_chromium
def test_five_thousand_people_render_within_seconds(browser: Chromium, tmp_path: Path) -> None:
    graph = coauthors(5000)
    path = tmp_path / "big.html"
    seconds = open_page(browser, to_html(graph, "Co-authors", max_nodes=5000), path)
    assert browser.evaluate("window.kg.nodes.length") == 5000
    assert browser.evaluate(CANVAS_PIXELS) > 5000
    assert seconds < 30, seconds  # about 2 s here; generous for slow CI machines
    assert_offline(browser, path)
