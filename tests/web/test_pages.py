"""The node pages over real builds: content, links, Linked Data content negotiation,
hostile labels kept inert, and a click-through in headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib

from kg.graph.vocab import DCTERMS, FOAF, KG
from kg.server import SparqlServer, serve
from kg.web.access import Graph
from kg.web.app import CSP
from tests.export.chromium import Chromium
from tests.web.conftest import get, off_site

PAPER = "/paper/V1ZHVxJ6dSS"  # DC3 (ICLR 2021): three authors, extracted concepts


class Links(HTMLParser):
    """The hrefs of a page's links and the srcs of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
        if tag == "script":
            self.scripts.append(found.get("src"))
        assert not any(k.startswith("on") for k in found), f"event handler in <{tag}>"
        assert "style" not in found, f"inline style in <{tag}>"


def links(body: bytes) -> Links:
    parser = Links()
    parser.feed(body.decode("utf-8"))
    return parser


def page(site: str, path: str) -> str:
    status, headers, body = get(site + path)
    assert status == 200, body[:500]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == CSP
    assert "accept" in headers["vary"].lower()
    parsed = links(body)
    assert all(s and s.startswith("/static/") for s in parsed.scripts)  # no inline script
    return body.decode("utf-8")


@pytest.fixture(scope="module")
def nodes(built: Path) -> dict[str, str]:
    """One site path of each page type in the bundled build."""
    g = Graph(built)

    def one(query: str) -> str:
        rows = g.select(query)
        path = g.local_path(rows[0]["x"] or "")
        assert path is not None
        return path

    return {
        "person": one("SELECT ?x WHERE { ?x foaf:name 'Priya L. Donti' }"),
        "concept": one(
            "SELECT ?x WHERE { ?p kg:proposesMethod ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) ?x "
            "LIMIT 1"
        ),
        "venue": one(
            "SELECT ?x WHERE { ?p kg:venue ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) LIMIT 1"
        ),
        "source": one("SELECT ?x WHERE { ?x a kg:BlogPost } LIMIT 1"),
        "cited": one("SELECT ?x WHERE { ?para cito:cites ?x ; kg:text ?t } ORDER BY ?x LIMIT 1"),
        "prolific": one(
            "SELECT ?x WHERE { ?p dcterms:creator ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) ?x "
            "LIMIT 1"
        ),
    }


def test_paper_page(site: str) -> None:
    html = page(site, PAPER)
    assert "<h1>DC3: A learning method for optimization with hard constraints</h1>" in html
    authors = re.findall(r'<span class="kg-author"><a href="([^"]+)">([^<]+)</a>', html)
    assert [name for _, name in authors] == ["Priya L. Donti", "David Rolnick", "J Zico Kolter"]
    assert authors[0][0] == "/person/priya-l-donti"
    assert 'href="/venue/iclr-2021">ICLR 2021</a>' in html
    assert "<dt>decision</dt><dd>Poster</dd>" in html
    assert 'href="https://openreview.net/forum?id=V1ZHVxJ6dSS" rel="noopener noreferrer"' in html
    # the extracted method at its span, with its role, kind and confidence
    assert re.search(
        r'<a class="kg-span" href="/concept/dc-3"><mark class="kg-method" '
        r'title="proposes method · DC3 · confidence [0-9.]+">DC3</mark></a>',
        html,
    )
    assert '<mark class="kg-task"' in html
    assert "<td>proposes</td>" in html and "<td>addresses</td>" in html
    # every fact with the file and line it came from
    assert "002_94cbd89857369fa4.txt:45" in html
    assert "extraction from the abstract" in html


def test_head_answers_like_get_without_the_body(site: str) -> None:
    status, headers, body = get(site + PAPER, method="HEAD")
    _, _, full = get(site + PAPER)
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(full)
    assert headers["content-security-policy"] == CSP


def test_paper_page_lists_the_blog_posts_citing_it(site: str, nodes: dict[str, str]) -> None:
    html = page(site, nodes["cited"])
    assert "<h2>Cited by blog posts</h2>" in html
    assert re.search(r'<a href="/source/[^"]+">003_b57b60e54dfcfc03.txt</a>, line \d+', html)


def test_person_page(site: str, nodes: dict[str, str]) -> None:
    html = page(site, nodes["person"])
    assert "<h1>Priya L. Donti</h1>" in html
    assert f'href="{PAPER}">DC3: A learning method' in html
    assert re.search(r'<span class="kg-badge" title="author position">author 1</span>', html)
    assert re.search(
        r'<a href="/person/david-rolnick">David Rolnick</a></td><td class="kg-num">'
        r"\d+</td>",
        html,
    )
    assert 'Priya L. Donti <span class="kg-meta">(' in html  # the name as written
    assert '<pre class="kg-why">Priya L. Donti' in html  # what kg explain person says
    assert (
        '<div class="kg-graph" data-src="/graph/coauthors?iri=https%3A%2F%2Fw3id.org%2Fkg%2Fid'
        '%2Fperson%2Fpriya-l-donti&amp;radius=1"></div>' in html
    )
    assert '<script src="/static/kg-graph.js" defer></script>' in html
    assert 'href="/concept/' in html  # the methods and tasks of their papers


def test_long_lists_are_paged_with_a_count(site: str, nodes: dict[str, str]) -> None:
    html = page(site, nodes["venue"])
    shown = re.search(r"showing 1–100 of ([\d,]+) papers", html)
    assert shown and int(shown.group(1).replace(",", "")) > 100
    assert html.count('<li><a href="/paper/') == 100
    assert 'rel="next" href="?page=2"' in html
    second = page(site, nodes["venue"] + "?page=2")
    assert "showing 101–200 of" in second
    first_papers = set(re.findall(r'<li><a href="(/paper/[^"]+)"', html))
    assert first_papers.isdisjoint(re.findall(r'<li><a href="(/paper/[^"]+)"', second))


def test_concept_page(site: str, nodes: dict[str, str]) -> None:
    html = page(site, nodes["concept"])
    assert '<p class="kg-kind">method</p>' in html
    assert "<h2>Papers that propose it</h2>" in html
    assert re.search(r'<li><a href="/paper/[^"]+">[^<]+</a>', html)
    assert 'class="kg-graph" data-src="/graph/neighborhood?iri=' in html


def test_venue_and_other_nodes(site: str, nodes: dict[str, str]) -> None:
    html = page(site, nodes["venue"])
    assert '<p class="kg-kind">venue</p>' in html and "<h1>ICLR 20" in html
    assert re.search(r'<td><a href="/person/[^"]+">[^<]+</a></td><td class="kg-num">\d+', html)
    html = page(site, PAPER + "/author/david-rolnick")  # an authorship: the generic page
    assert "kg:Authorship" in html and 'href="/person/david-rolnick"' in html
    html = page(site, nodes["source"])
    assert "kg:BlogPost" in html and "003_b57b60e54dfcfc03.txt" in html


def test_unknown_nodes_are_404_pages(site: str) -> None:
    for path in ("/paper/no-such-paper", "/person/nobody-at-all", "/concept/%3Cscript%3E"):
        status, headers, body = get(site + path)
        assert status == 404 and b"no node with this IRI" in body
        assert headers["content-security-policy"] == CSP


def test_node_routes_leave_the_other_paths_alone(site: str) -> None:
    status, _, _ = get(site + "/graph/extraction")  # a named graph: not a node page here
    assert status == 404
    status, _, body = get(site + "/sparql", accept="text/turtle")
    assert status == 200 and b"sd:Service" in body


@pytest.mark.parametrize(
    ("accept", "fmt", "ctype"),
    [
        ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
        ("application/ld+json", "json-ld", "application/ld+json"),
        ("application/n-triples", "nt", "application/n-triples"),
        ("text/turtle;q=0.9, text/html;q=0.5", "turtle", "text/turtle; charset=utf-8"),
    ],
)
def test_rdf_clients_get_a_description_of_the_node(
    site: str, accept: str, fmt: str, ctype: str
) -> None:
    status, headers, body = get(site + PAPER, accept=accept)
    assert status == 200 and headers["content-type"] == ctype
    assert "accept" in headers["vary"].lower()
    g = rdflib.Dataset()
    g.parse(data=body, format=fmt)
    paper = rdflib.URIRef("https://w3id.org/kg/id/paper/V1ZHVxJ6dSS")
    titles = {str(o) for _, _, o, _ in g.quads((paper, rdflib.URIRef(DCTERMS + "title"), None))}
    assert titles == {"DC3: A learning method for optimization with hard constraints"}
    creators = set(g.objects(paper, rdflib.URIRef(DCTERMS + "creator")))
    assert rdflib.URIRef("https://w3id.org/kg/id/person/david-rolnick") in creators
    positions = {int(o) for o in g.objects(None, rdflib.URIRef(KG + "position"))}
    assert positions == {1, 2, 3}  # its authorships are described too
    assert len(g) < 6000  # bounded


def test_format_parameter_and_person_description(site: str, nodes: dict[str, str]) -> None:
    status, headers, body = get(site + nodes["person"] + "?format=ttl")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=body, format="turtle")
    person = rdflib.URIRef("https://w3id.org/kg/id/person/priya-l-donti")
    assert str(g.value(person, rdflib.URIRef(FOAF + "name"))) == "Priya L. Donti"
    assert (None, rdflib.URIRef(DCTERMS + "creator"), person) in g  # pointing at it
    assert get(site + nodes["person"] + "?format=pdf")[0] == 400


def test_json_clients_get_json_ld(site: str) -> None:
    status, headers, body = get(site + PAPER, accept="application/json")
    assert status == 200 and headers["content-type"] == "application/ld+json"
    assert isinstance(json.loads(body), list | dict)


# -- hostile labels ---------------------------------------------------------------------

HOSTILE_ABSTRACT = (
    'We propose <script>window.__pwned=1</script>HammerNet <img src=x onerror="alert(1)"> '
    "and evaluate it on the <b>ImageNet</b> dataset for image classification."
)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Graph]]:
    """kg serve over a build of the reliability corpus's hostile titles, names and
    keywords (and a hostile venue and abstract), with extraction."""
    from kg.builds import BuildOptions
    from kg.pipeline import build
    from kg.sources import SourceSpec
    from tests.hostile.corpus import JSON_ONLY_TITLES, hostile_records

    folder = tmp_path_factory.mktemp("hostile-web")
    lines = []
    records = hostile_records()
    for i, rec in enumerate(records):
        lines.append(
            {
                "title": rec.title,
                "authors": list(rec.authors),
                "keywords": list(rec.keywords),
                "abstract": HOSTILE_ABSTRACT if i == 0 else rec.abstract,
                "openreview": rec.ident,
                "venue": '<script>alert("venue")</script> Conf 2020' if i < 3 else "ICLR 2020",
                "year": 2020,
            }
        )
    many = [f"Author{i} Surname{i % 97}" for i in range(600)]
    lines.append({"title": "A paper with six hundred authors", "authors": many, "openreview": "M1"})
    for i, title in enumerate(JSON_ONLY_TITLES):
        lines.append({"title": title, "authors": [title, "Ada Lovelace"], "openreview": f"J{i}"})
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = folder / "out"
    build([SourceSpec(source)], out=out, options=BuildOptions(workers=1))
    server: SparqlServer = serve(out, workers=1, log=None).start()
    try:
        yield server.url.removesuffix("/sparql"), Graph(out)
    finally:
        server.close()


def _hostile_paths(g: Graph) -> dict[str, str]:
    def first(query: str) -> str:
        rows = g.select(query)
        assert rows, query
        path = g.local_path(rows[0]["x"] or "")
        assert path is not None
        return path

    return {
        "paper": first("SELECT ?x WHERE { ?x dcterms:title ?t FILTER(CONTAINS(?t, '<script>')) }"),
        "person": first("SELECT ?x WHERE { ?x foaf:name ?n FILTER(CONTAINS(?n, 'Angle')) }"),
        "concept": first(
            "SELECT ?x WHERE { ?x a kg:Concept ; skos:prefLabel ?l "
            "FILTER(CONTAINS(?l, '<') || CONTAINS(?l, '\"')) } ORDER BY ?x LIMIT 1"
        ),
        "method": first("SELECT ?x WHERE { ?p kg:proposesMethod ?x } ORDER BY ?x LIMIT 1"),
        "venue": first(
            "SELECT ?x WHERE { ?x a kg:Venue ; rdfs:label ?l FILTER(CONTAINS(?l, 'script')) }"
        ),
        "source": first("SELECT ?x WHERE { ?x a kg:Source }"),
        "authorship": first("SELECT ?x WHERE { ?x a kg:Authorship } ORDER BY ?x LIMIT 1"),
    }


INERT = """(() => {
  const scripts = [...document.scripts].map(s => s.getAttribute('src'));
  const handlers = [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name));
  return {
    pwned: window.__pwned === 1,
    scripts: scripts,
    handlers: handlers,
    injected: document.querySelectorAll('main img, main b, main iframe, main object').length,
    text: document.body.innerText,
  };
})()"""


def test_a_paper_with_hundreds_of_authors(hostile_site: tuple[str, Graph]) -> None:
    base, g = hostile_site
    rows = g.select("SELECT ?x WHERE { ?x dcterms:title 'A paper with six hundred authors' }")
    status, _, body = get(base + (g.local_path(rows[0]["x"] or "") or ""))
    html = body.decode()
    assert status == 200 and "<h1>A paper with six hundred authors</h1>" in html
    names = re.findall(r'<span class="kg-author"><a href="/person/[^"]+">([^<]+)</a>', html)
    assert names[:3] == ["Author0 Surname0", "Author1 Surname1", "Author2 Surname2"]
    assert len(names) == 600 and names[-1] == "Author599 Surname17"


def test_hostile_labels_are_inert_on_every_page_type(
    hostile_site: tuple[str, Graph], browser: Chromium
) -> None:
    base, g = hostile_site
    paths = _hostile_paths(g)
    for kind, path in paths.items():
        status, headers, body = get(base + path)
        assert status == 200, (kind, body[:300])
        assert headers["content-security-policy"] == CSP
        links(body)  # no event handler or inline style made it into a tag
        browser.open(base + path)
        browser.pump(0.2)
        seen = browser.evaluate(INERT)
        assert not seen["pwned"], kind
        # only the site's own files: its static folder, and vis-network (kg.web.graphs serves
        # the copy pyvis ships)
        own = ("/static/", "/graph/vis-network.min.js")
        assert all(s and s.startswith(own) for s in seen["scripts"]), (kind, seen)
        assert seen["handlers"] == [] and seen["injected"] == 0, (kind, seen)
        dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
        assert dialogs == [], kind
        assert off_site(browser.requests()) == [], kind
    browser.open(base + paths["paper"])
    text = browser.evaluate(INERT)["text"]
    assert '<script>alert("pwned")</script> Attention <b>is</b>' in text  # shown as text
    assert "<script>window.__pwned=1</script>" in text


# -- in the browser ---------------------------------------------------------------------


def _click(browser: Chromium, selector: str) -> str:
    """Click the first link matching ``selector`` and wait for the next page; its path."""
    href = browser.evaluate(
        f"(() => {{ const a = document.querySelector({json.dumps(selector)}); "
        "if (!a) { return null; } a.click(); return a.getAttribute('href'); })()"
    )
    assert href, f"no link {selector} on {browser.evaluate('location.pathname')}"
    browser.wait_for(
        f"location.pathname === {json.dumps(href.split('?')[0])} "
        "&& document.readyState === 'complete'"
    )
    return str(href)


def test_click_from_paper_to_author_to_coauthor_to_concept(site: str, browser: Chromium) -> None:
    browser.open(site + PAPER)
    browser.events.clear()
    assert _click(browser, ".kg-author a") == "/person/priya-l-donti"
    assert browser.evaluate("document.querySelector('h1').textContent") == "Priya L. Donti"
    coauthor = _click(browser, ".kg-coauthors a")
    assert coauthor.startswith("/person/") and coauthor != "/person/priya-l-donti"
    concept = _click(browser, ".kg-topics a")
    assert concept.startswith("/concept/")
    assert browser.evaluate("document.querySelectorAll('.kg-role li a').length") > 0
    assert browser.requests(), "the clicks were not seen in the network log"
    assert off_site(browser.requests()) == []
