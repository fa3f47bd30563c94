"""The graph as RDF files for other triple stores, and its VoID description.

Quads and triples are sorted before writing, so the same graph gives the same bytes.
Turtle and N-Triples hold the union of all named graphs; N-Quads and TriG keep them.
:data:`FORMATS` is the one table of ``kg export rdf --format``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import UsageError
from kg.graph import vocab as V


@dataclass(frozen=True, slots=True)
class RdfExport:
    """A format of ``kg export rdf``: an RDF syntax (``named``: it keeps the named graphs),
    or, with no syntax, the VoID description of the graph."""

    name: str
    extension: str
    description: str
    syntax: ox.RdfFormat | None
    named: bool = False


FORMATS: dict[str, RdfExport] = {
    f.name: f
    for f in (
        RdfExport("turtle", ".ttl", "Turtle, all graphs merged", ox.RdfFormat.TURTLE),
        RdfExport("ntriples", ".nt", "N-Triples, all graphs merged", ox.RdfFormat.N_TRIPLES),
        RdfExport(
            "nquads", ".nq", "N-Quads, one named graph per source", ox.RdfFormat.N_QUADS, True
        ),
        RdfExport("trig", ".trig", "TriG, one named graph per source", ox.RdfFormat.TRIG, True),
        RdfExport(
            "jsonld", ".jsonld", "JSON-LD, one named graph per source", ox.RdfFormat.JSON_LD, True
        ),
        RdfExport(
            "void",
            ".void.ttl",
            "the VoID description (counts of triples and of papers, people, concepts)",
            None,
        ),
    )
}
#: The RDF syntaxes among :data:`FORMATS` (all but the VoID description).
SERIALISATIONS = {n: f for n, f in FORMATS.items() if f.syntax is not None}


def sorted_quads(quads: Any) -> list[ox.Quad]:
    """Distinct quads in a stable order."""
    unique = {str(q): q for q in quads}
    return [unique[k] for k in sorted(unique)]


def union_triples(quads: Any) -> list[ox.Triple]:
    """The distinct triples of all graphs, in a stable order."""
    unique: dict[str, ox.Triple] = {}
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        unique.setdefault(str(t), t)
    return [unique[k] for k in sorted(unique)]


def serialize(quads: Any, fmt: str) -> bytes:
    """The quads in ``fmt`` (turtle, ntriples, nquads, trig, jsonld)."""
    if fmt not in SERIALISATIONS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of: {', '.join(SERIALISATIONS)}")
    rdf_format, named = SERIALISATIONS[fmt].syntax, SERIALISATIONS[fmt].named
    assert rdf_format is not None
    items: list[Any] = sorted_quads(quads) if named else union_triples(quads)
    prefixes = V.PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if prefixes:
        return ox.serialize(items, format=rdf_format, prefixes=prefixes) or b""
    return ox.serialize(items, format=rdf_format) or b""


def export(store: Any, fmt: str) -> bytes:
    """The whole store in ``fmt``: the named graphs, or their merge (the default graph)."""
    if fmt in SERIALISATIONS and SERIALISATIONS[fmt].named:
        quads = (
            q
            for q in store.raw.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        )
    else:
        quads = store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return serialize(quads, fmt)


def render(store: Any, fmt: str) -> bytes:
    """What ``kg export rdf --format fmt`` writes: the store in an RDF syntax, or its
    VoID description."""
    if fmt == "void":
        return void(store, base_of(store))
    return export(store, fmt)


def base_of(store: Any) -> str:
    """The base IRI a build used, read back from its source nodes."""
    for row in store.query("SELECT ?s WHERE { ?s a kg:Source } ORDER BY ?s LIMIT 1"):
        iri = row["s"].value
        return iri[: iri.rindex("/source/") + 1]
    return V.DEFAULT_BASE


_COUNT = "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}"


def void(store: Any, base: str, dump: str = "graph.ttl", triples: int | None = None) -> bytes:
    """A VoID description: triples, and entities per class (papers, people, organizations,
    concepts...).

    ``triples`` is the store's size when the caller knows it.
    """
    dataset = ox.NamedNode(base.rstrip("/") + "/dataset")
    vo = V.VOID
    if triples is None:
        triples = store.triples()
    out = [
        ox.Triple(dataset, V.TYPE, ox.NamedNode(vo + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(vo + "triples"), _int(triples)),
        ox.Triple(dataset, ox.NamedNode(vo + "vocabulary"), ox.NamedNode(V.KG)),
        ox.Triple(
            dataset, ox.NamedNode(vo + "dataDump"), ox.NamedNode(base.rstrip("/") + "/" + dump)
        ),
        ox.Triple(
            dataset,
            ox.NamedNode(V.DCTERMS + "title"),
            ox.Literal("kg knowledge graph of research literature"),
        ),
    ]
    for cls in (
        V.PAPER,
        V.PERSON,
        V.ORGANIZATION,
        V.CONCEPT,
        V.METHOD,
        V.DATASET,
        V.TASK,
        V.VENUE,
        V.CITATION,
        V.SOURCE,
    ):
        n = int(next(iter(store.query(_COUNT.format(cls=f"<{cls.value}>"))))["n"].value)
        part = ox.NamedNode(f"{dataset.value}/class/{cls.value.rsplit('#', 1)[-1]}")
        out += [
            ox.Triple(dataset, ox.NamedNode(vo + "classPartition"), part),
            ox.Triple(part, ox.NamedNode(vo + "class"), cls),
            ox.Triple(part, ox.NamedNode(vo + "entities"), _int(n)),
        ]
    return (
        ox.serialize(
            sorted(out, key=str),
            format=ox.RdfFormat.TURTLE,
            prefixes={"void": vo, "kg": V.KG, "dcterms": V.DCTERMS},
        )
        or b""
    )


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(V.XSD + "integer"))
