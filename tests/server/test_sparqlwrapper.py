"""The endpoint as a client no one here wrote sees it: SPARQLWrapper (pinned 2.0.0)."""

from __future__ import annotations

from typing import Any

import pytest
from SPARQLWrapper import CSV, GET, JSON, POST, POSTDIRECTLY, TURTLE, XML
from SPARQLWrapper import SPARQLWrapper as Client
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.server.conftest import ORALS

ORAL_TITLES = (
    'SELECT ?p (SAMPLE(?t) AS ?title) WHERE { ?p kg:decision "Oral" ; dcterms:title ?t }'
    " GROUP BY ?p ORDER BY ?p"
)


def _answer(url: str, query: str, fmt: str, method: str = GET) -> Any:
    """What SPARQLWrapper makes of the answer (dict, DOM, rdflib graph or bytes)."""
    return _client(url, query, fmt, method).query().convert()


def _client(url: str, query: str, fmt: str, method: str = GET) -> Client:
    client = Client(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setTimeout(10)
    return client


@pytest.mark.parametrize("method", [GET, POST])
def test_select_json(url: str, method: str) -> None:
    data = _answer(url, ORALS, JSON, method)
    assert data["head"]["vars"] == ["n"]
    assert data["results"]["bindings"][0]["n"]["value"] == "48"


def test_select_json_direct_post(url: str) -> None:
    client = _client(url, ORAL_TITLES, JSON, POST)
    client.setRequestMethod(POSTDIRECTLY)
    rows: Any = client.query().convert()
    rows = rows["results"]["bindings"]
    assert len(rows) == 48
    assert all(r["p"]["type"] == "uri" and r["title"]["type"] == "literal" for r in rows)


@pytest.mark.parametrize("method", [GET, POST])
def test_select_xml(url: str, method: str) -> None:
    doc = _answer(url, ORAL_TITLES, XML, method)
    results = doc.getElementsByTagName("result")
    assert len(results) == 48
    assert {b.getAttribute("name") for b in doc.getElementsByTagName("binding")} == {"p", "title"}


def test_select_same_rows_in_json_and_xml(url: str) -> None:
    rows = _answer(url, ORAL_TITLES, JSON)["results"]["bindings"]
    doc = _answer(url, ORAL_TITLES, XML)
    uris = [u.firstChild.data for u in doc.getElementsByTagName("uri")]
    assert uris == [r["p"]["value"] for r in rows]


def test_ask(url: str) -> None:
    assert _answer(url, 'ASK { ?p kg:decision "Oral" }', JSON)["boolean"]
    assert not _answer(url, 'ASK { ?p kg:decision "Nope" }', JSON)["boolean"]


def test_csv(url: str) -> None:
    body = _answer(url, ORALS, CSV)
    assert body.decode().splitlines() == ["n", "48"]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_construct_rdfxml_into_rdflib(url: str) -> None:
    query = 'CONSTRUCT { ?p kg:decision "Oral" } WHERE { ?p kg:decision "Oral" }'
    graph = _answer(url, query, XML)  # SPARQLWrapper parses it with rdflib
    assert len(graph) == 48


@pytest.mark.parametrize("method", [GET, POST])
def test_construct_turtle(url: str, method: str) -> None:
    import rdflib

    query = 'CONSTRUCT { ?p kg:decision "Oral" } WHERE { ?p kg:decision "Oral" }'
    body = _answer(url, query, TURTLE, method)
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(graph) == 48


def test_bad_query_raises_query_bad_formed(url: str) -> None:
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error"):
        _client(url, "SELECT ?x WHERE { ?x", JSON).query()
