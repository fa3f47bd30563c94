"""The ontology and shapes parse, and every term the code writes is declared."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF

from kg.graph import vocab as V
from kg.validate import ontology_file


def _graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ontology_file(name), format="turtle")


def test_every_kg_term_in_vocab_is_declared_in_the_ontology() -> None:
    onto = _graph("kg.ttl")
    declared = {str(s) for s in onto.subjects(RDF.type, None)}
    used = {
        t.value for t in vars(V).values() if hasattr(t, "value") and str(t.value).startswith(V.KG)
    }
    assert used, "vocab defines kg: terms"
    assert sorted(used - declared) == []


def test_classes_are_aligned_with_established_vocabularies() -> None:
    onto = _graph("kg.ttl")
    parents = {str(o) for o in onto.objects(rdflib.URIRef(V.PAPER.value), rdflib.RDFS.subClassOf)}
    assert "https://schema.org/ScholarlyArticle" in parents
    assert "http://purl.org/spar/fabio/ResearchPaper" in parents
    assert (rdflib.URIRef(V.PERSON.value), rdflib.RDFS.subClassOf, rdflib.FOAF.Person) in onto
    assert (rdflib.URIRef(V.CONCEPT.value), rdflib.RDFS.subClassOf, rdflib.SKOS.Concept) in onto
    assert len(list(onto.subjects(RDF.type, OWL.Class))) >= 12


def test_shapes_target_declared_classes() -> None:
    onto, shapes = _graph("kg.ttl"), _graph("shapes.ttl")
    sh = rdflib.Namespace(V.SH)
    targets = set(shapes.objects(None, sh.targetClass))
    assert len(targets) >= 8
    assert all((t, RDF.type, OWL.Class) in onto for t in targets)
