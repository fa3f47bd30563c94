"""`/search` over HTTP (JSON and HTML, hostile queries escaped) and in Chromium: typing
into the header's box and clicking a result."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from kg.searchindex import MAX_LIMIT
from tests.web import conftest

BASE = "https://w3id.org/kg/id/"


def get(site: str, path: str, accept: str = "text/html") -> tuple[int, dict[str, str], str]:
    """Status, headers (lower-cased names) and text of ``GET site + path``."""
    status, headers, body = conftest.get(site + path, accept)
    return status, headers, body.decode("utf-8")


def search_json(site: str, **params: Any) -> dict[str, Any]:
    status, headers, body = get(
        site, "/search?" + urllib.parse.urlencode(params, doseq=True), "application/json"
    )
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)  # type: ignore[no-any-return]


def test_json_by_accept_and_by_format(site: str) -> None:
    body = search_json(site, q="zico kolter")
    assert body["query"] == "zico kolter"
    first = body["hits"][0]
    assert first == {
        "iri": BASE + "person/j-zico-kolter",
        "path": "/person/j-zico-kolter",
        "kind": "person",
        "label": "J. Zico Kolter",
        "detail": first["detail"],
    }
    status, _, text = get(site, "/search?q=zico+kolter&format=json")
    assert status == 200 and json.loads(text) == body


def test_kinds_and_a_bounded_limit(site: str) -> None:
    hits = search_json(site, q="learning", kind=["concept", "venue"], limit=5)["hits"]
    assert len(hits) == 5 and {h["kind"] for h in hits} <= {"concept", "venue"}
    assert len(search_json(site, q="learning", limit=10**6)["hits"]) == MAX_LIMIT
    assert len(search_json(site, q="learning", limit=-3)["hits"]) == 1
    assert len(search_json(site, q="learning", limit="many")["hits"]) == 20
    status, _, text = get(site, "/search?q=x&kind=people&format=json")
    assert status == 400 and "unknown kind 'people'" in json.loads(text)["error"]


def test_html_ranks_hits_with_badges_and_links(site: str) -> None:
    status, headers, html = get(site, "/search?q=gcn")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "content-security-policy" in headers
    first = html.index('class="search-hit"')
    assert 'class="kg-badge badge-concept">concept<' in html[first:]
    assert 'href="/concept/graph-convolutional-network"' in html[first:]
    status, _, html = get(site, "/search?q=zzqxv+wombatish")
    assert status == 200 and "No results for <q>zzqxv wombatish</q>" in html


@pytest.mark.parametrize(
    "q",
    [
        '<script>alert("x")</script>',
        '"><img src=x onerror=alert(1)>',
        "kolter' OR 1=1 --",
        "NEAR(a b) title: {x} ^y *",
        "\x00\x01 kolter",
        "é" * 5000,
    ],
)
def test_a_hostile_query_is_echoed_escaped_and_finds_only_words(site: str, q: str) -> None:
    status, _, html = get(site, "/search?" + urllib.parse.urlencode({"q": q}))
    assert status == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    if "<" in q:
        assert "&lt;" in html
    body = search_json(site, q=q)
    assert body["query"] == q[: len(body["query"])]


def test_chromium_types_in_the_header_and_clicks_a_result(site: str, browser: Any) -> None:
    browser.open(site + "/search")
    box = "document.querySelector(\"header input[name='q']\")"
    browser.evaluate(f"{box}.focus()")
    browser.call("Input.insertText", {"text": "zico kolt"})
    # the type-ahead suggests the person as the words are typed
    browser.wait_for("document.querySelector('.search-suggest a')", timeout=20)
    assert (
        browser.evaluate(
            "document.querySelector('.search-suggest a .search-suggest-label').textContent"
        )
        == "J. Zico Kolter"
    )
    # Enter submits the box: the results page, then a real click on the first result
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
    browser.wait_for("location.pathname === '/search' && document.querySelector('.search-hit a')")
    assert browser.evaluate("new URLSearchParams(location.search).get('q')") == "zico kolt"
    missing = [
        e["params"]["response"]["url"]
        for e in browser.events
        if e.get("method") == "Network.responseReceived"
        and e["params"]["response"]["status"] >= 400
    ]
    # the type-ahead and the results page ran clean, the site's icon included
    assert missing == []
    assert browser.problems() == []
    box_ = browser.evaluate(
        "(() => { const r = document.querySelector('.search-hit a').getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": box_[0], "y": box_[1], "button": "left", "clickCount": 1},
        )
    # the link leads to the person's page
    browser.wait_for(
        "location.pathname === '/person/j-zico-kolter' && document.readyState === 'complete'",
        timeout=30,
    )
    assert "Zico Kolter" in browser.evaluate("document.querySelector('h1').textContent")
    assert conftest.off_site(browser.requests()) == []


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kg serve`` over a build of the reliability corpus's hostile titles, names and
    keywords (no extraction)."""
    from kg.builds import BuildOptions
    from kg.pipeline import build
    from kg.server import serve
    from kg.sources import SourceSpec
    from tests.hostile.corpus import KEYWORDS, NAMES, TITLES

    folder = tmp_path_factory.mktemp("hostile-search")
    lines = [
        json.dumps(
            {
                "title": t,
                "authors": [NAMES[i % len(NAMES)], NAMES[(i + 3) % len(NAMES)]],
                "keywords": list(KEYWORDS),
                "venue": "<b>Conf</b> 2024",
            }
        )
        for i, t in enumerate(TITLES)
    ]
    (folder / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build(
        [SourceSpec(folder / "hostile.jsonl")],
        out=folder / "out",
        options=BuildOptions(extract=False),
    )
    server = serve(folder / "out", workers=1).start()
    try:
        yield server.url.removesuffix("/sparql")
    finally:
        server.close()


@pytest.mark.parametrize(
    "q", ["attention", "script alert", "img onerror", "quotes", "hammer", "angle", "jose", "conf"]
)
def test_hostile_labels_are_inert_in_results(hostile_site: str, q: str) -> None:
    hits = search_json(hostile_site, q=q)["hits"]
    assert hits, q
    _, _, html = get(hostile_site, "/search?" + urllib.parse.urlencode({"q": q}))
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
    for hit in hits:  # every label is on the page, escaped
        escaped = hit["label"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped.replace('"', "&#34;").replace("'", "&#39;") in html, hit["label"]
