"""Result formats: every registered one writes its results, and every reader of the table
(the renderer, the endpoint, ``kg query``) sees the same formats."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import querypool, server
from kg.cli import main
from kg.resultformats import FORMATS, of_form
from kg.results import render

TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PAPER = ox.NamedNode("https://w3id.org/kg/id/paper/p1")
SELECT = "SELECT ?p ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t }"
CONSTRUCT = f"CONSTRUCT {{ ?p <{TITLE.value}> ?t }} WHERE {{ ?p <{TITLE.value}> ?t }}"

#: What each format's output of the one-row result holds (a new format needs a line here).
EXPECTED: dict[str, bytes] = {
    "table": b'<https://w3id.org/kg/id/paper/p1>  Fold "Towels"\n(1 row)\n',
    "json": b'"xml:lang":"en"',
    "xml": b'<literal xml:lang="en">Fold &quot;Towels&quot;</literal>',
    "csv": b'p,t\r\nhttps://w3id.org/kg/id/paper/p1,"Fold ""Towels"""\r\n',
    "tsv": b'?p\t?t\n<https://w3id.org/kg/id/paper/p1>\t"Fold \\"Towels\\""@en\n',
    "turtle": b'<https://w3id.org/kg/id/paper/p1> dcterms:title "Fold \\"Towels\\""@en .\n',
    "ntriples": b'<https://w3id.org/kg/id/paper/p1> <http://purl.org/dc/terms/title> "Fold',
    "rdfxml": b'<dcterms:title xml:lang="en">Fold &quot;Towels&quot;</dcterms:title>',
    "jsonld": b'"@language":"en","@value":"Fold \\"Towels\\""',
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st = ox.Store()
    st.add(ox.Quad(PAPER, TITLE, ox.Literal('Fold "Towels"', language="en")))
    return st


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_result_format_writes_its_result(store: ox.Store, name: str) -> None:
    fmt = FORMATS[name]
    data = render(store.query(SELECT if fmt.form == "select" else CONSTRUCT), name)
    assert EXPECTED[name] in data
    if name == "csv":  # lossy by design: values without markup
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert rows == [["p", "t"], [PAPER.value, 'Fold "Towels"']]
    elif isinstance(fmt.syntax, ox.QueryResultsFormat):
        back = ox.parse_query_results(data, format=fmt.syntax)
        assert isinstance(back, ox.QuerySolutions)
        assert [(s["p"], s["t"]) for s in back] == [
            (PAPER, ox.Literal('Fold "Towels"', language="en"))
        ]
    elif isinstance(fmt.syntax, ox.RdfFormat):
        assert [(t.subject, t.predicate, t.object) for t in ox.parse(data, format=fmt.syntax)] == [
            (PAPER, TITLE, ox.Literal('Fold "Towels"', language="en"))
        ]
    else:
        assert fmt.name == "table" and not fmt.media_types  # for a terminal, never served


def test_every_format_has_an_expectation() -> None:
    assert list(EXPECTED) == list(FORMATS)


@pytest.mark.parametrize("name", list(of_form("select")))
def test_ask_results_in_every_select_format(store: ox.Store, name: str) -> None:
    data = render(store.query("ASK { ?s ?p ?o }"), name)
    if name == "table":
        assert data == b"true\n"
    elif name == "json":
        assert json.loads(data) == {"head": {}, "boolean": True}
    else:
        assert b"true" in data


def test_a_result_in_a_format_of_the_other_form_names_the_fitting_ones(store: ox.Store) -> None:
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="written as turtle, ntriples, rdfxml, jsonld, not 'csv'"):
        render(store.query(CONSTRUCT), "csv")
    with pytest.raises(UsageError, match="written as table, json, xml, csv, tsv, not 'jsonld'"):
        render(store.query(SELECT), "jsonld")


def test_the_endpoint_serves_the_formats_with_media_types_under_the_same_names() -> None:
    served = [n for n, f in FORMATS.items() if f.media_types]
    assert [*server.SELECT_TYPES, *server.GRAPH_TYPES] == served
    assert list(querypool.GRAPH_FORMATS) == list(server.GRAPH_TYPES)
    assert tuple(server.SELECT_TYPES) == querypool.SELECT_FORMATS
    assert len(server.RESULT_FORMATS) == len(served)


def test_the_endpoint_format_names_are_as_they_were() -> None:
    # format= and output= values: the table's names and aliases, and its media types
    names = {k: v for k, v in server.FORMAT_NAMES.items() if "/" not in k}
    assert names == {
        "json": ("json", "jsonld"),
        "xml": ("xml", "rdfxml"),
        "csv": ("csv", None),
        "tsv": ("tsv", None),
        "turtle": (None, "turtle"),
        "ttl": (None, "turtle"),
        "n3": (None, "turtle"),
        "ntriples": (None, "ntriples"),
        "nt": (None, "ntriples"),
        "rdf": (None, "rdfxml"),
        "rdfxml": (None, "rdfxml"),
        "rdf+xml": (None, "rdfxml"),
        "jsonld": (None, "jsonld"),
        "json-ld": (None, "jsonld"),
    }
    types = {k: v for k, v in server.FORMAT_NAMES.items() if "/" in k}
    assert types["application/sparql-results+json"] == ("json", None)
    assert types["text/plain"] == (None, "ntriples")
    assert len(types) == sum(len(f.media_types) for f in FORMATS.values())


def test_kg_query_offers_every_format() -> None:
    result = CliRunner().invoke(main, ["query", "--help"])
    assert f"[{'|'.join(FORMATS)}]" in result.output.replace("\n", "").replace(" ", "")
