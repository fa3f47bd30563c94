"""The SPARQL 1.1 Protocol over a real socket with urllib: methods, negotiation, refusals."""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
import time
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from tests.server.conftest import MAX_BODY, ORALS, fetch

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


def _get(url: str, query: str, accept: str | None = None, **params: str) -> tuple:
    headers = {"Accept": accept} if accept else {}
    return fetch(f"{url}?{urlencode({'query': query, **params})}", headers=headers)


def _count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_get_with_query_param(url: str) -> None:
    status, headers, body = _get(url, ORALS)
    assert status == 200
    assert headers.get_content_type() == "application/sparql-results+json"
    assert _count(body) == 48


def test_post_form_encoded(url: str) -> None:
    status, _, body = fetch(url, urlencode({"query": ORALS}).encode(), FORM)
    assert status == 200 and _count(body) == 48


def test_post_direct_body(url: str) -> None:
    status, _, body = fetch(url, ORALS.encode(), DIRECT)
    assert status == 200 and _count(body) == 48


def test_ask(url: str) -> None:
    status, _, body = _get(url, 'ASK { ?p kg:decision "Oral" }')
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "ctype"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*;q=0.9, application/json;q=0.1", "text/csv"),
        ("text/html, */*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_content_negotiation_for_select(url: str, accept: str | None, ctype: str) -> None:
    status, headers, _ = _get(url, ORALS, accept)
    assert status == 200
    assert headers.get_content_type() == ctype
    assert headers["Vary"] == "Accept"


def test_format_param_overrides_accept(url: str) -> None:
    status, headers, body = _get(url, ORALS, "application/sparql-results+json", format="csv")
    assert status == 200 and headers.get_content_type() == "text/csv"
    assert body == b"n\r\n48\r\n"
    status, headers, _ = _get(url, ORALS, None, format="application/sparql-results+xml")
    assert headers.get_content_type() == "application/sparql-results+xml"


def test_unknown_format_and_unacceptable_type(url: str) -> None:
    status, _, body = _get(url, ORALS, format="pdf")
    assert status == 400 and b"unknown format 'pdf'" in body
    status, _, body = _get(url, ORALS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_csv_and_tsv_bodies(url: str) -> None:
    query = (
        'SELECT ?p ?title WHERE { ?p kg:decision "Oral" ; dcterms:title ?title } '
        "ORDER BY ?p LIMIT 3"
    )
    _, _, body = _get(url, query, "text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["p", "title"] and len(rows) == 4
    assert rows[1][0].startswith("https://w3id.org/kg/id/paper/")
    _, headers, body = _get(url, query, "text/tab-separated-values")
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "?p\t?title" and len(lines) == 4
    assert lines[1].startswith("<https://w3id.org/kg/id/paper/")
    assert headers.get_content_charset() == "utf-8"


@pytest.mark.parametrize(
    ("accept", "ctype", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        (None, "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_negotiation(url: str, accept: str | None, ctype: str, fmt: ox.RdfFormat) -> None:
    query = 'CONSTRUCT { ?p kg:decision "Oral" } WHERE { ?p kg:decision "Oral" }'
    status, headers, body = _get(url, query, accept)
    assert status == 200 and headers.get_content_type() == ctype
    triples = {(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}
    assert len(triples) == 48


def test_describe(url: str) -> None:
    status, _, body = _get(
        url, 'DESCRIBE ?p WHERE { ?p kg:decision "Oral" } LIMIT 1', "application/n-triples"
    )
    assert status == 200 and body.count(b"\n") > 3


def test_cors_on_answers_errors_and_preflight(url: str) -> None:
    _, headers, _ = _get(url, ORALS)
    assert headers["Access-Control-Allow-Origin"] == "*"
    _, headers, _ = _get(url, "SELECT * {")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = fetch(
        url,
        method="OPTIONS",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


def test_service_description_is_turtle(url: str) -> None:
    status, headers, body = fetch(url)
    assert status == 200 and headers.get_content_type() == "text/turtle"
    sd = "http://www.w3.org/ns/sparql-service-description#"
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)
    result = store.query(f"SELECT ?e {{ ?s a <{sd}Service> ; <{sd}endpoint> ?e }}")
    assert isinstance(result, ox.QuerySolutions)
    endpoints = [r["e"] for r in result]
    assert endpoints == [ox.NamedNode(url)]
    assert bool(
        store.query(
            f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Query> ; "
            f"<{sd}feature> <{sd}UnionDefaultGraph> }}"
        )
    )
    _, headers, body = fetch(url, headers={"Accept": "application/n-triples"})
    assert headers.get_content_type() == "application/n-triples"
    assert list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize(
    "request_",
    [
        ("GET", {"update": "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }"}, None),
        ("POST-form", {"update": "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }"}, None),
        (
            "POST",
            "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }",
            "application/sparql-update",
        ),
        ("GET", {"query": "INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }"}, None),
        ("GET", {"query": "PREFIX x: <http://a/> DELETE WHERE { ?s ?p ?o }"}, None),
    ],
)
def test_updates_are_refused(url: str, request_: tuple) -> None:
    kind, payload, ctype = request_
    if kind == "GET":
        status, _, body = fetch(f"{url}?{urlencode(payload)}")
    elif kind == "POST-form":
        status, _, body = fetch(url, urlencode(payload).encode(), FORM)
    else:
        status, _, body = fetch(url, payload.encode(), {"Content-Type": ctype})
    assert status == 403 and b"read-only" in body
    _, _, body = _get(url, "SELECT (COUNT(*) AS ?n) { <http://a/b> ?p ?o }")
    assert _count(body) == 0


def test_service_is_refused_and_fetches_nothing(url: str) -> None:
    hits: list[str] = []

    class Trap(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_error(500)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    trap = http.server.HTTPServer(("127.0.0.1", 0), Trap)
    thread = threading.Thread(target=trap.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        target = f"http://127.0.0.1:{trap.server_port}/sparql"
        for query in (
            f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"select * {{ service silent <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * {{ BIND(<{target}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        ):
            status, _, body = _get(url, query)
            assert status == 403 and b"SERVICE" in body
    finally:
        trap.shutdown()
        trap.server_close()
    assert hits == []


def test_bad_query_gives_400_with_the_parsers_message(url: str) -> None:
    status, headers, body = _get(url, "SELECT ?x WHERE { ?x kg:decision }")
    assert status == 400
    assert headers.get_content_type() == "text/plain"
    assert re.match(rb"SPARQL syntax error at line 1, column \d+: expected", body)
    assert body.rstrip().endswith(b"^")  # the query line with a caret under the spot
    status, _, body = fetch(url, b"SELECT", DIRECT)
    assert status == 400 and b"at line 1, column" in body


def test_body_over_the_limit_is_413(url: str) -> None:
    query = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_BODY).encode()
    status, headers, body = fetch(url, query, DIRECT)
    assert status == 413 and str(MAX_BODY) in body.decode()
    assert headers["Connection"] == "close"
    status, _, _ = fetch(url, ORALS.encode(), DIRECT)
    assert status == 200


@pytest.mark.parametrize(
    ("target", "data", "headers", "status"),
    [
        ("/sparql/", None, {}, 404),
        ("/sparql", b"query=ASK{}", {"Content-Type": "text/plain"}, 415),
        ("/sparql", b"", FORM, 400),
        ("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400),
        ("/sparql?query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa%2F", None, {}, 400),
        ("/sparql?query=ASK%7B%7D", b"ASK {}", DIRECT, 400),
    ],
)
def test_other_bad_requests(
    url: str, target: str, data: bytes | None, headers: dict[str, str], status: int
) -> None:
    base = url.rsplit("/", 1)[0]
    assert fetch(base + target, data, headers)[0] == status


def test_non_ascii_query_text(url: str) -> None:
    query = 'SELECT ?x WHERE { BIND("Zoë 🦉 ت" AS ?x) }'
    status, _, body = fetch(f"{url}?query={quote(query)}")
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "Zoë 🦉 ت"


def test_one_log_line_per_request(url: str, server_log: io.StringIO) -> None:
    marker = "SELECT ?logged WHERE { }"
    # earlier tests' last lines are written just after their answers: let them arrive
    before = -1
    while before != len(server_log.getvalue().splitlines()):
        before = len(server_log.getvalue().splitlines())
        time.sleep(0.3)
    fetch(url, marker.encode(), DIRECT)
    fetch(url + "?query=" + quote("SELECT {"))
    deadline = time.monotonic() + 5  # the line is written just after the answer is sent
    while len(server_log.getvalue().splitlines()) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = server_log.getvalue().splitlines()[before:]
    assert len(lines) == 2
    assert re.fullmatch(r"POST /sparql 200 \d+\.\dms rows=1", lines[0])
    assert re.fullmatch(r"GET /sparql 400 \d+\.\dms", lines[1])
