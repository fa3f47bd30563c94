"""RDF exports: every format parses elsewhere, and other stores give the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg import queries
from kg.cli import main
from kg.export import rdf
from kg.graph.vocab import PREFIXES
from kg.store import Store
from tests.queries.test_saved import CALLS, METHOD_CALLS, METHODS, methods_store

RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}


@pytest.fixture(scope="module")
def bundled_graph(built: Path) -> rdflib.Graph:
    """The bundled build's Turtle export as rdflib reads it, parsed once for the tests
    below (about 10 s each time); they only read it."""
    return rdflib.Graph().parse(built / "graph.ttl", format="turtle")


@pytest.fixture(scope="module")
def bundled_triples(bundled_graph: rdflib.Graph) -> set[tuple[Any, Any, Any]]:
    """The triples of the bundled build's Turtle export as rdflib reads them."""
    return set(bundled_graph)


#: The exports that are the build's own files, byte for byte.
BUILD_FILES = {"turtle": "graph.ttl", "nquads": "graph.nq"}


@pytest.mark.parametrize("fmt", list(rdf.SERIALISATIONS))
def test_every_format_parses_in_rdflib_with_the_same_triples(
    built: Path, fmt: str, bundled_triples: set[tuple[Any, Any, Any]]
) -> None:
    data = rdf.export(Store.open(built), fmt)
    if fmt in BUILD_FILES:  # stable bytes: the build wrote the same by another path
        assert data == (built / BUILD_FILES[fmt]).read_bytes()
    else:
        assert data == rdf.export(Store.open(built), fmt)  # stable bytes
    if fmt == "turtle":
        return  # graph.ttl is what rdflib read for bundled_triples, from the store below
    if rdf.SERIALISATIONS[fmt].named:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=RDFLIB_FORMATS[fmt])
        triples = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    else:  # the default graph as the store holds it
        triples = set(rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt]))
    assert triples == bundled_triples


def test_void_counts_papers_people_and_triples(
    built: Path, bundled_triples: set[tuple[Any, Any, Any]]
) -> None:
    g = rdflib.Graph().parse(built / "void.ttl", format="turtle")
    void = rdflib.Namespace(PREFIXES["void"])
    entities = {
        str(g.value(part, void["class"])).rsplit("#", 1)[-1]: int(g.value(part, void.entities))  # type: ignore[arg-type]
        for part in g.objects(None, void.classPartition)
    }
    assert entities["Paper"] == 687 + 100 + 425
    assert entities["Citation"] == 171
    assert entities["Organization"] == 0  # the bundled lists name no institution
    (triples,) = list(g.objects(None, void.triples))
    assert int(triples) == len(bundled_triples)


def test_void_counts_organizations(affiliated: Path) -> None:
    g = rdflib.Graph().parse(affiliated / "void.ttl", format="turtle")
    void = rdflib.Namespace(PREFIXES["void"])
    entities = {
        str(g.value(part, void["class"])).rsplit("#", 1)[-1]: int(g.value(part, void.entities))  # type: ignore[arg-type]
        for part in g.objects(None, void.classPartition)
    }
    assert (entities["Organization"], entities["Person"], entities["Paper"]) == (5, 5, 5)


def _canonical(rows: Any, names: list[str]) -> list[tuple[str, ...]]:
    out = []
    for row in rows:
        values = []
        for n in names:
            term = row[n]
            values.append("" if term is None else str(getattr(term, "value", term)))
        out.append(tuple(values))
    return sorted(out)


@pytest.fixture(scope="module")
def other_stores(built: Path, bundled_graph: rdflib.Graph) -> tuple[ox.Store, rdflib.Graph]:
    """A fresh Oxigraph store and rdflib, each loaded from the Turtle export (rdflib's is
    the parse the format tests use: SPARQL queries leave it as it is)."""
    fresh = ox.Store()
    fresh.load((built / "graph.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    return fresh, bundled_graph


def _same_everywhere(
    store: Any,
    turtle: bytes,
    name: str,
    params: dict[str, str],
    other: tuple[ox.Store, rdflib.Graph] | None = None,
) -> None:
    sparql = queries.bind(store, queries.get(name), params)
    mine = store.query(sparql)
    names = [v.value for v in mine.variables]
    expected = _canonical(mine, names)
    if other is None:
        fresh = ox.Store()
        fresh.load(turtle, format=ox.RdfFormat.TURTLE)
        other = (fresh, rdflib.Graph().parse(data=turtle, format="turtle"))
    fresh, graph = other
    prolog = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    assert _canonical(fresh.query(prolog + sparql), names) == expected
    answer = graph.query(prolog + sparql)
    rows = [{n: r[n] for n in names} for r in answer]
    assert _canonical(rows, names) == expected


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"proposers"}))
def test_saved_queries_answer_the_same_in_other_stores(
    built: Path, name: str, other_stores: Any
) -> None:
    _same_everywhere(Store.open(built), b"", name, CALLS[name], other_stores)


@pytest.mark.parametrize("name", sorted(METHOD_CALLS))
def test_method_queries_answer_the_same_in_other_stores(name: str) -> None:
    _same_everywhere(methods_store(), METHODS.read_bytes(), name, METHOD_CALLS[name])


def test_export_rdf_command(
    built: Path, tmp_path: Path, bundled_triples: set[tuple[Any, Any, Any]]
) -> None:
    out = tmp_path / "g.nt"
    result = CliRunner().invoke(
        main, ["export", "rdf", "--dir", str(built), "--format", "ntriples", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == len(bundled_triples)
