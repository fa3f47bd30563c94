"""The embedded graphs on the real site: the JSON routes, and the widget on real pages in
headless Chromium (drawn, the focus centred, the slider, no request leaving 127.0.0.1)."""

from __future__ import annotations

import json
from urllib.parse import quote

from kg.export import views
from tests.export.chromium import Chromium
from tests.web.conftest import get, off_site

CONCEPT = "https://w3id.org/kg/id/concept/"
GNN = CONCEPT + "graph-neural-network"
KOLTER = "https://w3id.org/kg/id/person/j-zico-kolter"


def graph_json(site: str, route: str, iri: str, **params: object) -> tuple[int, dict]:
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    status, headers, body = get(
        f"{site}/graph/{route}?iri={quote(iri, safe='')}{extra}", accept="application/json"
    )
    if status == 200:
        assert headers["content-type"].startswith("application/json")
        assert "default-src 'self'" in headers["content-security-policy"]
        return status, dict(json.loads(body))
    return status, {}


def test_neighborhood_route_is_bounded_marked_and_without_noise(site: str) -> None:
    status, data = graph_json(site, "neighborhood", GNN)
    assert status == 200 and data["focus"] == GNN
    assert len(data["nodes"]) == views.CAP and data["capped"] is True
    assert data["total"] > views.CAP and len(data["edges"]) <= views.LINK_CAP
    ids = {n["id"] for n in data["nodes"]}
    assert CONCEPT + "graph" not in ids and CONCEPT + "neural-network" not in ids
    assert all(e["kg"]["weight"] >= 1 and e["width"] >= 1 for e in data["edges"])
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id[GNN]["kg"]["href"] == "/concept/graph-neural-network"
    assert (by_id[GNN]["x"], by_id[GNN]["y"]) == (0.0, 0.0)
    status, strong = graph_json(site, "neighborhood", GNN, min_weight=3)
    assert status == 200 and all(e["kg"]["weight"] >= 3 for e in strong["edges"])
    assert len(strong["nodes"]) < len(data["nodes"])


def test_coauthors_route_reaches_one_or_two_steps(site: str) -> None:
    _, one = graph_json(site, "coauthors", KOLTER, radius=1)
    _, two = graph_json(site, "coauthors", KOLTER, radius=2)
    assert one["focus"] == KOLTER and len(one["nodes"]) < len(two["nodes"]) <= views.CAP
    assert one["capped"] is False


def test_bad_requests_are_refused_clearly(site: str) -> None:
    assert graph_json(site, "coauthors", GNN)[0] == 404  # not a person
    assert graph_json(site, "neighborhood", KOLTER)[0] == 404  # not a concept
    assert graph_json(site, "neighborhood", GNN, radius=3)[0] == 400
    assert graph_json(site, "neighborhood", GNN, min_weight="x")[0] == 400
    assert graph_json(site, "neighborhood", "a> } <b")[0] == 400
    status, _headers, body = get(f"{site}/graph/neighborhood", accept="text/plain")
    assert status == 400 and b"iri" in body


def test_vis_network_is_served_from_the_site(site: str) -> None:
    status, headers, body = get(f"{site}/graph/vis-network.min.js", accept="*/*")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"vis-network" in body[:400] and b"Apache" in body[:2000]
    status, headers, _ = get(f"{site}/graph/vis-network.css", accept="text/css")
    assert status == 200 and headers["content-type"].startswith("text/css")


def clean(browser: Chromium) -> None:
    """No request left 127.0.0.1, every answer was a success (the site's icon included),
    and the page logged no error or exception."""
    assert off_site(browser.requests()) == []
    failed = [
        (e["params"]["response"]["status"], e["params"]["response"]["url"])
        for e in browser.events
        if e.get("method") == "Network.responseReceived"
        and e["params"]["response"]["status"] >= 400
    ]
    assert failed == []
    assert browser.problems() == []


DIV = "document.querySelector('div.kg-graph')"
DRAWN = f"{DIV} && {DIV}.getAttribute('data-drawn') === '1'"


def test_person_page_draws_the_coauthor_network(site: str, browser: Chromium) -> None:
    browser.open(f"{site}/person/j-zico-kolter", DRAWN, timeout=60)
    browser.pump(0.3)
    clean(browser)
    got = browser.evaluate(f"""(() => {{
      const g = {DIV}.kgGraph, net = g.network;
      const p = net.canvasToDOM(net.getPositions([g.focus])[g.focus]);
      const box = {DIV}.querySelector('.kg-graph-canvas').getBoundingClientRect();
      return {{dx: p.x - box.width / 2, dy: p.y - box.height / 2, focus: g.focus,
               nodes: g.nodeView.length}};
    }})()""")
    assert got["focus"] == KOLTER and got["nodes"] > 5
    assert abs(got["dx"]) < 2 and abs(got["dy"]) < 2


def test_concept_page_slider_changes_the_links_shown(site: str, browser: Chromium) -> None:
    browser.open(f"{site}/concept/graph-neural-network", DRAWN, timeout=60)
    before = int(browser.evaluate(f"{DIV}.getAttribute('data-links')"))
    browser.evaluate(f"{DIV}.querySelector('input[type=range]').focus()")
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "ArrowRight", "code": "ArrowRight", "windowsVirtualKeyCode": 39},
        )
    browser.wait_for(f"{DIV}.getAttribute('data-links') !== '{before}'", timeout=10)
    after = int(browser.evaluate(f"{DIV}.getAttribute('data-links')"))
    assert 0 < after < before
    clean(browser)
