"""A query's answer as the editor's pages show it: a table of cells, a yes/no, or an error.

The answer comes as the endpoint sends it (SPARQL 1.1 results JSON, or N-Triples for a
graph), so a page shows what ``/sparql`` would answer.  Cells hold text, never markup: the
templates escape them.  An IRI cell links to the build's page for it when the IRI is under
the build's base IRI, to itself when it is an ``http(s)`` IRI elsewhere, and to nothing
otherwise (a ``javascript:`` IRI is valid RDF and stays text).

>>> t = table({"head": {"vars": ["x"]}, "results": {"bindings": [
...     {"x": {"type": "uri", "value": "https://w3id.org/kg/id/paper/1"}}]}},
...     local=lambda iri: "/paper/1" if iri.endswith("/1") else None)
>>> t.rows[0][0].href, t.rows[0][0].local
('/paper/1', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.web.vocabulary import prefixed

_POSITION = re.compile(r"\bat line (\d+), column (\d+)")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MAX_TEXT = 2000  # characters of a literal shown in a cell; the downloads hold all of it


@dataclass(frozen=True, slots=True)
class Cell:
    """One value: its text, where it links (if anywhere), and a note (language, datatype)."""

    text: str
    kind: str  # "iri", "literal", "bnode" or "triple"
    href: str | None = None
    local: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under named columns; ``truncated`` when the endpoint cut the rows."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    """An error the endpoint reported, with the line and column it gives (if any)."""

    message: str
    status: int
    line: int | None = None
    column: int | None = None


def failure(message: str, status: int = 400) -> Failure:
    """A Failure, with the position read from a syntax error's ``at line L, column C``."""
    found = _POSITION.search(message)
    if found:
        return Failure(message, status, int(found[1]), int(found[2]))
    return Failure(message, status)


def cell(term: dict[str, Any], local: Callable[[str], str | None]) -> Cell:
    """A cell from one SPARQL JSON term."""
    kind, value = term.get("type"), str(term.get("value", ""))
    if kind == "uri":
        name = prefixed(value)
        text = value if name.startswith("<") else name
        path = local(value)
        if path is not None:
            return Cell(text, "iri", path, True)
        href = value if value.startswith(("http://", "https://")) else None
        return Cell(text, "iri", href)
    if kind == "bnode":
        return Cell(f"_:{value}", "bnode")
    if kind == "triple":
        parts = term.get("value") or {}
        inner = " ".join(
            cell(parts[k], local).text for k in ("subject", "predicate", "object") if k in parts
        )
        return Cell(f"<< {inner} >>", "triple")
    note = ""
    if len(value) > MAX_TEXT:
        value, note = value[:MAX_TEXT] + "…", f"({len(value) - MAX_TEXT} more characters) "
    if "xml:lang" in term:
        note += f"@{term['xml:lang']}"
    elif term.get("datatype") not in (None, _XSD_STRING):
        note += prefixed(str(term["datatype"]))
    return Cell(value, "literal", note=note.strip())


def table(
    doc: dict[str, Any], local: Callable[[str], str | None], truncated: bool = False
) -> Table:
    """A Table from a SPARQL results JSON document (a SELECT's)."""
    columns = tuple(str(v) for v in doc.get("head", {}).get("vars", []))
    rows = tuple(
        tuple(cell(b[c], local) if c in b else None for c in columns)
        for b in doc.get("results", {}).get("bindings", [])
    )
    return Table(columns, rows, truncated)


def triples(ntriples: bytes, local: Callable[[str], str | None], truncated: bool = False) -> Table:
    """A Table of subject, predicate and object from a graph result in N-Triples."""
    from kg.querypool import term_json

    rows = tuple(
        tuple(cell(term_json(t), local) for t in (q.subject, q.predicate, q.object))
        for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    )
    return Table(("subject", "predicate", "object"), rows, truncated)


__all__ = ["Cell", "Failure", "Table", "cell", "failure", "table", "triples"]
