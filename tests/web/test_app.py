"""The web application on kg serve's port: hand-off, headers, errors, static files."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.server import SparqlServer
from kg.web.access import Graph, QueryFailed, bind
from kg.web.app import CSP, create_app
from tests.web.conftest import get


def test_every_response_carries_the_security_headers(site: str) -> None:
    for path in ("/static/kg.css", "/no/such/page"):
        _, headers, _ = get(site + path)
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_static_files_are_served_with_a_long_cache(site: str) -> None:
    status, headers, body = get(site + "/static/kg.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert b".kg-header" in body
    assert "max-age=604800" in headers["cache-control"]
    status, headers, body = get(site + "/static/kg.css", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_unknown_paths_get_a_404_page_for_browsers_and_text_for_others(site: str) -> None:
    status, headers, body = get(site + "/no/such/page")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert b'href="/static/kg.css"' in body and b'action="/search"' in body
    assert b"nothing here; the SPARQL endpoint" not in body
    status, headers, body = get(site + "/no/such/page", accept="text/plain")
    assert status == 404 and headers["content-type"].startswith("text/plain")
    assert b"<" not in body


def test_the_endpoint_is_untouched(site: str) -> None:
    query = quote("SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }")
    status, headers, body = get(
        f"{site}/sparql?query={query}", accept="application/sparql-results+json"
    )
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
    assert "content-security-policy" not in headers
    assert headers["access-control-allow-origin"] == "*"


def test_requests_to_the_site_are_logged_like_the_endpoints(
    site: str, site_log: io.StringIO
) -> None:
    get(site + "/static/kg.css?logged")
    deadline = time.monotonic() + 5
    while "GET /static/kg.css 200" not in site_log.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "GET /static/kg.css 200" in site_log.getvalue()


def test_bindings_are_terms_never_text() -> None:
    query = "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t }"
    bound = bind(query, {"p": "https://example.org/paper/x"})
    assert "VALUES (?p) { (<https://example.org/paper/x>) }" in bound
    with pytest.raises(ValueError):
        bind(query, {"p": "https://example.org/x> } ?s ?p ?o { <x"})
    with pytest.raises(ValueError):
        bind(query, {"p} ?s": "https://example.org/x"})


def test_graph_selects_with_bindings_and_maps_iris_to_paths(built: Path) -> None:
    graph = Graph(built)
    papers = graph.select("SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p LIMIT 1")
    iri = papers[0]["p"]
    assert iri is not None and iri.startswith(graph.base_iri)
    rows = graph.select("SELECT ?t WHERE { ?p dcterms:title ?t }", p=iri)
    assert len(rows) == 1 and rows[0]["t"]
    path = graph.local_path(iri)
    assert path is not None and path.startswith("/paper/") and graph.iri(path) == iri
    assert graph.local_path("https://elsewhere.org/paper/x") is None


def test_a_page_query_that_fails_is_a_clear_error(built: Path, site_server: SparqlServer) -> None:
    graph = Graph(built, pool=site_server.pool, timeout_s=0.5)
    with pytest.raises(QueryFailed) as failed:  # stopped inside one engine call: the pool
        graph.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert failed.value.status == 503 and "time limit" in str(failed.value)
    in_process = Graph(built, timeout_s=0.05, max_rows=10**9)
    with pytest.raises(QueryFailed) as failed:  # stopped between rows: in this process
        in_process.select("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert failed.value.status == 503
    with pytest.raises(QueryFailed) as failed:
        graph.select("SELECT ?x WHERE { ?x ?y }")
    assert failed.value.status == 500


def test_the_application_answers_a_failing_view_with_a_page_not_a_traceback(
    built: Path,
) -> None:
    app = create_app(built)

    @app.route("/boom")
    def boom() -> str:
        raise QueryFailed(503, "a query of this page ran past the time limit (1 s)")

    status_page = app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert status_page.status_code == 503 and b"time limit" in status_page.data
    assert b"Traceback" not in status_page.data
    assert status_page.headers["Retry-After"] == "1"
