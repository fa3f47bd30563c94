"""The home page, the query editor and the saved-query forms, driven in headless Chromium
over a real server on the bundled build: typing and running a query, a syntax error, a
saved query with a parameter, the downloads, hostile values, and no request leaving."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode, urljoin
from urllib.request import urlopen

import pyoxigraph as ox

from kg.graph.vocab import DEFAULT_BASE
from tests.hostile.corpus import TITLES
from tests.web.conftest import off_site

RESULTS = "document.querySelector('#kg-results')"
ERROR = "document.querySelector('#kg-query-error')"
EDITOR_READY = "window.kgEditor !== undefined && document.readyState === 'complete'"


def _get(url: str) -> tuple[int, str, bytes]:
    with urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def _page(site: str, path: str) -> str:
    return _get(urljoin(site, path))[2].decode("utf-8")


def _stays_home(browser: Any, site: str) -> None:
    """Every request the page made went to the site itself, and nothing complained: no
    exception, no console error, no Content-Security-Policy violation (Chromium logs one
    as an error), not even for the site's icon."""
    assert off_site(browser.requests()) == []
    complaints = [
        e
        for e in browser.events
        if (
            e.get("method") == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
        or e.get("method") in ("Runtime.exceptionThrown", "Page.javascriptDialogOpening")
        or (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"].get("type") in ("error", "warning")
        )
    ]
    assert complaints == []


def _click(browser: Any, selector: str) -> None:
    """A real mouse click in the middle of the element."""
    box = browser.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
        )


def _type_query(browser: Any, text: str) -> None:
    """Replace the editor's text by typing ``text`` into it."""
    browser.evaluate("kgEditor.focus(); kgEditor.execCommand('selectAll'); 1")
    browser.call("Input.insertText", {"text": text})
    typed = browser.evaluate("kgEditor.getValue()")  # the editor indents new lines itself
    assert typed.split()[-len(text.split()) :] == text.split(), typed


def test_home_opens_on_search_then_the_editor_and_saved_queries(site: str, browser: Any) -> None:
    browser.open(urljoin(site, "/"), EDITOR_READY)
    browser.pump(0.5)  # the vocabulary arrives
    search = browser.evaluate(
        "(() => { const q = document.querySelector('main input[name=q]');"
        " return q && [q.form.getAttribute('action'), q.getBoundingClientRect().top]; })()"
    )
    editor_top = browser.evaluate(
        "document.querySelector('.kg-editor').getBoundingClientRect().top"
    )
    assert search[0] == "/search" and search[1] < editor_top
    assert browser.evaluate("document.querySelector('.kg-editor .CodeMirror') !== null")
    assert "SELECT ?venue" in browser.evaluate("kgEditor.getValue()")
    saved = browser.evaluate(
        "Array.from(document.querySelectorAll('.kg-saved-list a')).map(a => a.getAttribute('href'))"
    )
    assert "/query/coauthors" in saved and len(saved) >= 8
    _stays_home(browser, site)


def test_completion_offers_kg_terms_from_the_site(site: str, browser: Any) -> None:
    browser.open(urljoin(site, "/query"), EDITOR_READY)
    _type_query(browser, "SELECT * WHERE { ?p a kg:Pa")
    browser.evaluate("kgEditor.autocomplete(); 1")
    browser.wait_for("document.querySelector('.CodeMirror-hint')", timeout=10)
    hints = browser.evaluate(
        "Array.from(document.querySelectorAll('.CodeMirror-hint')).map(e => e.textContent)"
    )
    assert "kg:Paper" in hints
    assert any(u.endswith("/vocabulary.json") for u in browser.requests())
    _stays_home(browser, site)


def test_a_typed_query_runs_into_a_table_linking_to_local_pages(site: str, browser: Any) -> None:
    browser.open(urljoin(site, "/query"), EDITOR_READY)
    _type_query(
        browser,
        "SELECT ?paper ?title WHERE {\n?paper a kg:Paper ; rdfs:label ?title .\n}\n"
        "ORDER BY ?title\nLIMIT 5",
    )
    _click(browser, ".kg-run")
    browser.wait_for(RESULTS, timeout=30)
    assert browser.evaluate("kgEditor.getValue()").startswith("SELECT ?paper")
    heads = browser.evaluate(
        "Array.from(document.querySelectorAll('#kg-results th')).map(e => e.textContent)"
    )
    assert heads == ["paper", "title"]
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('#kg-results td a.kg-local'))"
        ".map(a => [a.href, a.textContent])"
    )
    assert len(links) == 5
    for href, iri in links:  # each paper's IRI links to its path under the base IRI
        assert iri.startswith(DEFAULT_BASE)
        assert href == f"{site}/{iri.removeprefix(DEFAULT_BASE)}"
    status, ctype, _ = _get(links[0][0])  # and that is the paper's page
    assert status == 200 and ctype.startswith("text/html")
    _stays_home(browser, site)


def test_a_syntax_error_shows_its_line_and_column(site: str, browser: Any) -> None:
    browser.open(urljoin(site, "/query"), EDITOR_READY)
    _type_query(browser, "SELECT * WHERE {\n?s ?p ?o\nFILTER(?s = ) }")
    browser.evaluate("kgEditor.focus(); 1")
    for kind in ("rawKeyDown", "keyUp"):  # Ctrl-Enter runs it
        browser.call(
            "Input.dispatchKeyEvent",
            {
                "type": kind,
                "key": "Enter",
                "code": "Enter",
                "windowsVirtualKeyCode": 13,
                "modifiers": 2,
            },
        )
    browser.wait_for(ERROR, timeout=30)
    browser.wait_for(EDITOR_READY)
    text = browser.evaluate(f"{ERROR}.innerText")
    found = re.search(r"at line (\d+), column (\d+)", text)
    assert found and found[1] == "3", text
    marked = browser.evaluate("Array.from(document.querySelectorAll('.kg-error-line')).length")
    assert marked == 1
    assert browser.evaluate("kgEditor.getCursor().line") == 2
    _stays_home(browser, site)


def test_a_saved_query_form_runs_with_its_parameter(site: str, browser: Any) -> None:
    browser.open(urljoin(site, "/query/neighborhood"))
    labels = browser.evaluate(
        "Array.from(document.querySelectorAll('.kg-saved-form label')).map(e => e.textContent)"
    )
    assert labels == ["concept", "limit"]
    assert browser.evaluate("document.querySelector('#kg-param-limit').value") == "25"
    browser.evaluate("document.querySelector('#kg-param-concept').focus(); 1")
    browser.call("Input.insertText", {"text": "reinforcement learning"})
    _click(browser, ".kg-run")
    browser.wait_for(RESULTS, timeout=30)
    rows = browser.evaluate("document.querySelectorAll('#kg-results tbody tr').length")
    assert 0 < rows <= 25
    assert browser.evaluate("document.querySelectorAll('#kg-results td a.kg-local').length") == rows
    assert "concept=reinforcement+learning" in browser.evaluate("location.search")
    _stays_home(browser, site)


def test_a_saved_query_value_that_names_nothing_says_so(site: str) -> None:
    body = _page(site, "/query/coauthors?" + urlencode({"person": "Nobody Whatsoever", "run": "1"}))
    assert "no person &#39;Nobody Whatsoever&#39; in the graph" in body
    assert 'id="kg-results"' not in body


def test_downloads_answer_with_the_right_media_types(site: str) -> None:
    query = "SELECT ?paper WHERE { ?paper a kg:Paper } LIMIT 3"
    body = _page(site, "/query?" + urlencode({"query": query, "run": "1"}))
    hrefs = dict(re.findall(r'data-format="(\w+)" href="([^"]+)"', body))
    assert set(hrefs) == {"csv", "json"}
    wanted = {"csv": "text/csv", "json": "application/sparql-results+json"}
    for fmt, href in hrefs.items():
        status, ctype, data = _get(urljoin(site, html.unescape(href)))
        assert status == 200 and ctype.split(";")[0] == wanted[fmt], (fmt, ctype)
        assert data
    graph = _page(
        site,
        "/query?" + urlencode({"query": "CONSTRUCT WHERE { ?p a kg:Paper } LIMIT 2", "run": "1"}),
    )
    assert re.findall(r'data-format="(\w+)"', graph) == ["turtle", "ntriples", "json"]


def test_hostile_values_and_queries_stay_text(site: str, browser: Any) -> None:
    literal = TITLES[0]  # <script>, <img onerror> ...
    query = (
        "SELECT ?x ?y WHERE { VALUES (?x ?y) { "
        f"({ox.Literal(literal)} <javascript:alert(1)>) }} }}"
        "\n# </textarea><script>alert(2)</script>"
    )
    browser.open(urljoin(site, "/query?" + urlencode({"query": query, "run": "1"})), EDITOR_READY)
    browser.wait_for(RESULTS, timeout=30)
    cells = browser.evaluate(
        "Array.from(document.querySelectorAll('#kg-results td')).map(e => e.textContent)"
    )
    assert cells == [literal, "javascript:alert(1)"]
    assert (
        browser.evaluate(
            "document.querySelectorAll('#kg-results table a, #kg-results table img,"
            " main script').length"
        )
        == 0
    )
    assert browser.evaluate("kgEditor.getValue()") == query
    _stays_home(browser, site)


def test_the_vocabulary_is_served_as_json(site: str) -> None:
    status, ctype, data = _get(urljoin(site, "/vocabulary.json"))
    assert status == 200 and ctype.startswith("application/json")
    assert b'"kg:Paper"' in data


def test_hostile_form_values_are_echoed_as_text(site: str) -> None:
    for value in TITLES[:2]:
        body = _page(site, "/query/coauthors?" + urlencode({"person": value, "run": "1"}))
        assert "<script>alert" not in body and "<img src=x" not in body
        echoed = re.search(r'id="kg-param-person"[^>]* value="([^"]*)"', body)
        assert echoed and html.unescape(echoed[1]) == value
