"""Readable network views: the noise rule, the focus, link weights, minimum weights and
labels that fit (unit tests on the bytes, the bundled build, and Chromium)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import html, labels, networks, noise
from kg.export.html import FOCUS_COLOUR, edge_width, to_html, vis_data
from kg.store import Store
from tests.export.chromium import Chromium, find_chromium
from tests.export.graphs import coauthors
from tests.export.test_html import PAYLOADS, hostile_graph, page_data

GNN = "graph neural networks"
CONCEPT = "https://w3id.org/kg/id/concept/"
KOLTER = "https://w3id.org/kg/id/person/j-zico-kolter"


# -- the noise rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "why"),
    [
        (noise.Facts("Neural Networks", "method"), "a generic term"),
        (noise.Facts("deep learning", "task", author_keyword=True), "a generic term"),
        (noise.Facts("columns", "concept"), "a generic term"),
        (noise.Facts("Panels", "dataset"), "a generic term"),
        (noise.Facts("rating", "concept", confidence=0.9), "a generic term"),
        (noise.Facts("k", "method"), "not a name"),
        (noise.Facts("v1.1", "dataset"), "not a name"),
        (noise.Facts("-dimensional control", "task"), "not a name"),
        (noise.Facts("3-", "dataset"), "not a name"),
        (noise.Facts("graph", "concept", confidence=0.9), "a common word used only as a keyword"),
        (noise.Facts("Latent", "concept"), "a common word used only as a keyword"),
        (
            noise.Facts("years several adversarial attacks", "concept", confidence=0.17),
            "a keyword extracted with low confidence",
        ),
    ],
)
def test_noise_rule_says_why(facts: noise.Facts, why: str) -> None:
    assert noise.reason(facts) == why


@pytest.mark.parametrize(
    "facts",
    [
        noise.Facts("graph neural networks", "method"),
        noise.Facts("M4", "dataset"),  # one letter, but a name
        noise.Facts("graph", "method"),  # a common word, but a method
        noise.Facts("graph", "concept", author_keyword=True),  # an author's keyword
        noise.Facts("privacy", "concept", confidence=0.4),  # a rare word
        noise.Facts("temporal graphs", "concept", confidence=0.48),
        noise.Facts("fixed point networks", "concept", confidence=None),  # no statement
    ],
)
def test_noise_rule_keeps_names(facts: noise.Facts) -> None:
    assert noise.reason(facts) is None


def test_noise_facts_and_values_refuse_what_is_not_an_iri(built: Path) -> None:
    store = Store.open(built)
    with pytest.raises(Exception, match="not an IRI"):
        noise.facts(store, ["https://x.org/a> } DROP ALL { <b"])
    assert noise.facts(store, []) == {}
    found = noise.noise(store, [CONCEPT + "graph", CONCEPT + "graph-neural-network"])
    assert found == {CONCEPT + "graph": "a common word used only as a keyword"}


# -- the neighbourhood: noise, minimum weight, focus -----------------------------------------


def test_neighborhood_leaves_noise_out_unless_asked(built: Path) -> None:
    store = Store.open(built)
    g = networks.neighborhood(store, GNN)
    focus = g.graph["focus"]
    assert focus == CONCEPT + "graph-neural-network" and focus in g
    assert noise.noise(store, [n for n in g if n != focus]) == {}
    assert g.graph["noise"] > 0
    noisy = networks.neighborhood(store, GNN, include_noise=True)
    left_out = noise.noise(store, list(noisy))
    assert CONCEPT + "graph" in left_out and CONCEPT + "graph" not in g
    assert "noise" not in noisy.graph
    assert g.number_of_nodes() <= 200 and noisy.number_of_nodes() <= 200


def test_neighborhood_keeps_the_strongest_ties_of_the_focus(built: Path) -> None:
    g = networks.neighborhood(Store.open(built), GNN, limit=30)
    focus = g.graph["focus"]
    assert g.number_of_nodes() == 30 and g.graph["cut"] > 30
    full = networks.neighborhood(Store.open(built), GNN)
    kept = sorted(full[focus][n]["weight"] for n in g if n != focus)
    dropped = [full[focus][n]["weight"] for n in full if n not in g]
    assert min(kept) >= max(dropped)


def test_min_weight_drops_weak_links_then_the_nodes_left_alone(built: Path) -> None:
    store = Store.open(built)
    g = networks.neighborhood(store, GNN, min_weight=2)
    focus = g.graph["focus"]
    assert g.number_of_edges() > 0
    assert all(w >= 2 for _, _, w in g.edges(data="weight"))
    assert all(g.degree(n) > 0 for n in g if n != focus)
    full = networks.neighborhood(store, GNN)
    assert g.number_of_nodes() < full.number_of_nodes() and set(g) <= set(full)
    assert all(full.edges[e]["weight"] == g.edges[e]["weight"] for e in g.edges)
    strong_among = {(a, b) for a, b, w in full.edges(data="weight") if w >= 2 and a in g and b in g}
    assert all(g.has_edge(a, b) for a, b in strong_among)
    assert all(full[focus][n]["weight"] >= 2 for n in g if n != focus)
    alone = networks.neighborhood(store, GNN, min_weight=10_000)
    assert list(alone) == [focus]


def test_the_neighbourhood_matches_the_whole_concept_graph(built: Path) -> None:
    """Read around the focus, the ego network has the weights of the whole graph."""
    store = Store.open(built)
    g = networks.neighborhood(store, GNN, include_noise=True, limit=10_000)
    whole = networks.concept_graph(store)
    ego = nx.ego_graph(whole, g.graph["focus"], radius=1)
    assert set(g) == set(ego)
    assert {e: w for e, w in nx.get_edge_attributes(g, "weight").items()} == {
        e: ego.edges[e]["weight"] for e in g.edges
    }
    assert g.number_of_edges() == ego.number_of_edges()


def test_coauthor_ego_network_has_the_person_as_focus(built: Path) -> None:
    store = Store.open(built)
    g = networks.coauthor_graph(store, person="Zico Kolter", hops=1)
    assert g.graph["focus"] == KOLTER
    whole = networks.coauthor_graph(store)
    assert "focus" not in whole.graph
    assert set(g) == set(nx.ego_graph(whole, KOLTER, radius=1))
    strong = networks.coauthor_graph(store, min_weight=2)
    assert all(strong.degree(n) > 0 or whole.degree(n) == 0 for n in strong)
    assert any(whole.degree(n) > 0 and n not in strong for n in whole)
    capped = networks.coauthor_neighborhood(store, KOLTER, hops=2, limit=10)
    assert capped.number_of_nodes() == 10 and KOLTER in capped


# -- the page: focus, weights, labels --------------------------------------------------------


def _focused(people: int = 300) -> nx.Graph:
    g = coauthors(people)
    g.graph["focus"] = "https://w3id.org/kg/id/person/p00007"
    return g


def test_focus_is_marked_fixed_at_the_centre_and_in_the_legend() -> None:
    g = _focused()
    data = vis_data(g)
    (focus,) = [n for n in data["nodes"] if n["id"] == data["focus"]]
    assert (focus["x"], focus["y"]) == (0.0, 0.0) and focus["fixed"] is True
    assert focus["color"]["background"] == FOCUS_COLOUR
    assert all(n["color"]["background"] != FOCUS_COLOUR for n in data["nodes"] if n != focus)
    assert focus["size"] >= html.FOCUS_SIZE and focus["borderWidth"] > 1
    assert focus["kg"]["sub"].startswith("the focus")
    assert "Person 0007 (the focus)" in data["legend"]
    # even when a large graph is cut, the focus stays
    small = vis_data(g, max_nodes=5)
    assert small["focus"] in {n["id"] for n in small["nodes"]}


def test_no_focus_no_marking() -> None:
    data = vis_data(coauthors(100))
    assert data["focus"] is None
    assert not any(n["color"]["background"] == FOCUS_COLOUR for n in data["nodes"])


def test_link_width_grows_with_weight_and_the_weight_is_in_the_tooltip() -> None:
    widths = [edge_width(w) for w in (1, 2, 3, 8, 100, 10_000)]
    assert widths == sorted(widths) and widths[0] == 1 and widths[-1] == 8
    data = vis_data(_focused())
    for e in data["edges"]:
        assert e["width"] == edge_width(e["kg"]["weight"])
        w = e["kg"]["weight"]
        assert e["kg"]["sub"] == f"{w:,} joint paper{'s' if w != 1 else ''}"
    assert len({e["width"] for e in data["edges"]}) > 1


def _boxes(data: dict, scale: float) -> list[tuple[float, float, float, float]]:
    """The label boxes drawn at ``scale`` (canvas units), as labels.py estimates them."""
    out = []
    for n in data["nodes"]:
        f = n["font"]["size"]
        if f * scale >= html.LABEL_MIN_PX - 1:
            half = labels.width(n["label"]) * f / 2
            top = n["y"] + n["size"] + 4
            out.append((n["x"] - half, top, n["x"] + half, top + f))
    return out


def _meet(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("people", [40, 400])
def test_labels_never_overlap_at_any_zoom_and_the_focus_is_readable(people: int) -> None:
    data = vis_data(_focused(people))
    for scale in (0.3, 1.0, 3.0, 10.0):
        boxes = _boxes(data, scale)
        assert not any(_meet(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    sizes = {n["id"]: n["font"]["size"] for n in data["nodes"]}
    assert sizes[data["focus"]] == max(sizes.values())
    assert len([s for s in sizes.values() if s > 0]) > 10


def test_label_sizes_on_random_positions() -> None:
    rng = random.Random(4)
    pos = {i: (rng.uniform(-300, 300), rng.uniform(-300, 300)) for i in range(300)}
    text = {i: "x" * rng.randint(1, 30) for i in pos}
    got = labels.sizes(pos, dict.fromkeys(pos, 6.0), list(pos), dict.fromkeys(pos, 20.0), text)
    assert got[0] == 20.0 and all(0 <= s <= 20 for s in got.values())
    boxes = [
        labels._box(pos[i][0], pos[i][1] + 6 + labels.GAP, labels.width(text[i]) * s / 2, s)
        for i, s in got.items()
        if s > 0
    ]
    assert not any(_meet(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_cut_and_noise_are_said_in_the_header(built: Path) -> None:
    g = networks.neighborhood(Store.open(built), GNN, limit=50)
    data = vis_data(g)
    assert data["cut"].startswith("The 50 nodes with the strongest ties of ")
    assert f"{g.graph['noise']:,} noise terms" in data["cut"]
    assert data["focus"] == CONCEPT + "graph-neural-network"


# -- the command line --------------------------------------------------------------------------


def test_export_neighborhood_options(built: Path, tmp_path: Path) -> None:
    def run(*extra: str) -> dict:
        out = tmp_path / "n.json"
        result = CliRunner().invoke(
            main,
            [
                "export",
                "neighborhood",
                GNN,
                "--dir",
                str(built),
                "--format",
                "json",
                "-o",
                str(out),
                *extra,
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return dict(json.loads(out.read_text(encoding="utf-8")))

    plain, noisy, strong = run(), run("--include-noise"), run("--min-weight", "2")
    labels_of = {d["label"] for d in noisy["nodes"]} - {d["label"] for d in plain["nodes"]}
    assert "graph" in labels_of
    assert all(link["weight"] >= 2 for link in strong["links"])
    assert len(strong["nodes"]) < len(plain["nodes"])
    bad = CliRunner().invoke(main, ["export", "neighborhood", GNN, "--min-weight", "0"])
    assert bad.exit_code == 2


# -- in headless Chromium ----------------------------------------------------------------------

CHROMIUM = find_chromium()
OVERLAPS = """(() => {
  const net = window.kg.network, scale = net.getScale(), boxes = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const id of window.kg.nodes.getIds()) {
    const n = net.body.nodes[id], f = n.labelModule.fontOptions.size;
    if (!n.options.label || f * scale < n.options.scaling.label.drawThreshold - 1) continue;
    ctx.font = f + 'px ' + n.labelModule.fontOptions.face;
    const w = ctx.measureText(n.options.label).width, top = n.y + n.options.size + 4;
    boxes.push([n.x - w / 2, top, n.x + w / 2, top + f]);
  }
  let hits = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) hits++;
  }
  return {shown: boxes.length, hits: hits};
})()"""
FOCUS_ON_SCREEN = """(() => {
  const net = window.kg.network, id = window.kg.focus;
  const p = net.canvasToDOM(net.getPositions([id])[id]);
  const box = document.getElementById('kg-network').getBoundingClientRect();
  const label = net.body.nodes[id].labelModule;
  return {dx: p.x - box.width / 2, dy: p.y - box.height / 2,
          px: label.fontOptions.size * net.getScale(), drawn: label.visible()};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    chromium = Chromium(CHROMIUM, size=(1400, 900))
    yield chromium
    chromium.close()


def _open(browser: Chromium, page: bytes, path: Path) -> None:
    path.write_bytes(page)
    browser.open(path.as_uri(), "window.kg && window.kg.drawn", timeout=120)
    browser.pump(0.3)
    assert browser.requests() == [path.as_uri()] and browser.problems() == []


def test_neighbourhood_page_is_centred_on_the_focus_with_labels_that_fit(
    built: Path, browser: Chromium, tmp_path: Path
) -> None:
    g = networks.neighborhood(Store.open(built), GNN)
    _open(browser, to_html(g, "Around"), tmp_path / "n.html")
    where = browser.evaluate(FOCUS_ON_SCREEN)
    assert abs(where["dx"]) < 2 and abs(where["dy"]) < 2
    assert where["drawn"] and html.LABEL_MIN_PX <= where["px"] <= html.LABEL_MAX_PX + 0.5
    shown = []
    for wheel in (0, -8, -8, 30, 30):  # in, in, out, out (as a mouse wheel does)
        for _ in range(abs(wheel)):
            _wheel(browser, -100 if wheel < 0 else 100)
        browser.pump(0.4)  # labels are refitted 150 ms after the zoom settles
        found = browser.evaluate(OVERLAPS)
        assert found["hits"] == 0, (wheel, found)
        shown.append(found["shown"])
        where = browser.evaluate(FOCUS_ON_SCREEN)
        assert where["drawn"] and where["px"] <= html.LABEL_MAX_PX + 0.5  # capped, never gone
        assert where["px"] >= html.LABEL_MIN_PX - 1
    assert shown[0] >= 20 and shown[2] > shown[1] > shown[0] > shown[4]


def _wheel(browser: Chromium, delta: int) -> None:
    """Turn the mouse wheel over the middle of the network (negative: zoom in)."""
    start = browser.evaluate("window.kg.network.getScale()")
    browser.call(
        "Input.dispatchMouseEvent",
        {"type": "mouseWheel", "x": 700, "y": 500, "deltaX": 0, "deltaY": delta},
    )
    browser.wait_for(f"window.kg.network.getScale() !== {start}", timeout=10)


def test_hostile_focus_stays_text(browser: Chromium, tmp_path: Path) -> None:
    g = hostile_graph()
    g.graph["focus"] = next(n for n in g if g.nodes[n]["label"] == PAYLOADS[0])
    page = to_html(g, "Hostile")
    legend = page.decode("utf-8").split('id="kg-legend">')[1].split("</div>")[0]
    assert "&lt;img src=x" in legend and "(the focus)" in legend and "<img" not in legend
    assert page_data(page)["focus"] == g.graph["focus"]
    _open(browser, page, tmp_path / "h.html")
    assert browser.evaluate("typeof window.__kgInjected") == "undefined"
    assert browser.evaluate("document.querySelectorAll('img, b, iframe').length") == 0
    assert browser.evaluate(FOCUS_ON_SCREEN)["drawn"]
