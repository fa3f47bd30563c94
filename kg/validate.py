"""SHACL validation of a built graph against ``ontology/shapes.ttl``."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox

from kg.store import Store


@dataclass(frozen=True, slots=True)
class Validation:
    """The outcome: whether the graph conforms, and the report as text."""

    conforms: bool
    violations: int
    text: str


def ontology_file(name: str) -> str:
    """The text of a file of the shipped ontology (``kg.ttl`` or ``shapes.ttl``)."""
    return (resources.files("kg") / "ontology" / name).read_text(encoding="utf-8")


def validate(store: Store) -> Validation:
    """Validate the union of the store's graphs; the ontology informs class hierarchy."""
    import pyshacl
    import rdflib

    # the default graph read directly: a CONSTRUCT would copy the graph once more
    triples = (q.triple for q in store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    data = rdflib.Graph()
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    shapes = rdflib.Graph().parse(data=ontology_file("shapes.ttl"), format="turtle")
    ontology = rdflib.Graph().parse(data=ontology_file("kg.ttl"), format="turtle")
    conforms, report_graph, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = sum(1 for _ in report_graph.subjects(rdflib.RDF.type, sh.ValidationResult))
    return Validation(bool(conforms), violations, str(text))
