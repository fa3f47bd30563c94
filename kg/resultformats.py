"""The formats a SPARQL result can be written in: one table for every reader of it.

``kg query --format``, the endpoint's content negotiation and ``format=`` names
(:mod:`kg.server`), its worker processes (:mod:`kg.querypool`) and the renderer
(:mod:`kg.results`) all read :data:`FORMATS`; there is no second table.  A format fits
either SELECT and ASK results (``select``) or CONSTRUCT and DESCRIBE results (``graph``).

>>> [f.name for f in FORMATS.values() if f.form == "graph"]
['turtle', 'ntriples', 'rdfxml', 'jsonld']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

Form = Literal["select", "graph"]
#: the query forms each form of result comes from, as messages name them
FORMS: dict[str, str] = {"select": "SELECT/ASK", "graph": "CONSTRUCT/DESCRIBE"}


@dataclass(frozen=True, slots=True)
class ResultFormat:
    """A result format: what it fits, how it is written and how clients ask for it.

    ``media_types``: the first is sent as Content-Type, the others are aliases a client
    may ask for (none: the format is for a terminal, not served).  ``aliases``: other
    ``format=`` names of the endpoint.  ``w3c``: its name under
    ``http://www.w3.org/ns/formats/`` for the service description.  ``syntax``: the
    pyoxigraph format that writes it (None: kg writes it itself).
    """

    name: str
    form: Form
    description: str
    extension: str
    media_types: tuple[str, ...]
    aliases: tuple[str, ...]
    w3c: str | None
    syntax: ox.QueryResultsFormat | ox.RdfFormat | None


_R, _G = ox.QueryResultsFormat, ox.RdfFormat

FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat(
            "table", "select", "a plain-text table for reading", ".txt", (), (), None, None
        ),
        ResultFormat(
            "json",
            "select",
            "SPARQL 1.1 results JSON",
            ".srj",
            ("application/sparql-results+json", "application/json"),
            (),
            "SPARQL_Results_JSON",
            _R.JSON,
        ),
        ResultFormat(
            "xml",
            "select",
            "SPARQL 1.1 results XML",
            ".srx",
            ("application/sparql-results+xml", "application/xml", "text/xml"),
            (),
            "SPARQL_Results_XML",
            _R.XML,
        ),
        ResultFormat(
            "csv",
            "select",
            "SPARQL 1.1 results CSV, values without markup",
            ".csv",
            ("text/csv",),
            (),
            "SPARQL_Results_CSV",
            _R.CSV,
        ),
        ResultFormat(
            "tsv",
            "select",
            "SPARQL 1.1 results TSV, terms as in Turtle",
            ".tsv",
            ("text/tab-separated-values",),
            (),
            "SPARQL_Results_TSV",
            _R.TSV,
        ),
        ResultFormat(
            "turtle",
            "graph",
            "Turtle, with kg's prefixes",
            ".ttl",
            ("text/turtle", "application/x-turtle", "application/turtle"),
            ("ttl", "n3"),
            "Turtle",
            _G.TURTLE,
        ),
        ResultFormat(
            "ntriples",
            "graph",
            "N-Triples",
            ".nt",
            ("application/n-triples", "text/plain"),
            ("nt",),
            "N-Triples",
            _G.N_TRIPLES,
        ),
        ResultFormat(
            "rdfxml",
            "graph",
            "RDF/XML",
            ".rdf",
            ("application/rdf+xml",),
            ("rdf", "rdf+xml", "xml"),
            "RDF_XML",
            _G.RDF_XML,
        ),
        ResultFormat(
            "jsonld",
            "graph",
            "JSON-LD",
            ".jsonld",
            ("application/ld+json",),
            ("json-ld", "json"),
            "JSON-LD",
            _G.JSON_LD,
        ),
    )
}


def of_form(form: Form) -> dict[str, ResultFormat]:
    """The formats that fit ``form``, in the table's order."""
    return {n: f for n, f in FORMATS.items() if f.form == form}


def rdf_syntax(name: str) -> ox.RdfFormat:
    """The pyoxigraph syntax of the graph format ``name``."""
    syntax = FORMATS[name].syntax
    assert isinstance(syntax, ox.RdfFormat), f"{name} is not a graph format"
    return syntax
