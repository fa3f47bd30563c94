"""What the query editor completes: kg's prefixes and the classes and properties of its data.

The terms are the ontology's (``ontology/kg.ttl``: every ``owl:Class`` and every kind of
property, with its English label and comment) and the terms of other vocabularies that
kg writes (:mod:`kg.graph.vocab`: ``rdfs:label``, ``dcterms:title``, ...).  The editor reads
them from ``/vocabulary.json`` instead of asking a service on the network.

>>> terms = vocabulary()
>>> terms["prefixes"]["kg"]
'https://w3id.org/kg/ns#'
>>> next(t for t in terms["classes"] if t["name"] == "kg:Paper")["label"]
'Paper'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pyoxigraph as ox

from kg.graph import vocab as V

_CLASS_TYPES = (V.OWL + "Class", V.RDFS + "Class")
_PROPERTY_TYPES = (
    V.OWL + "ObjectProperty",
    V.OWL + "DatatypeProperty",
    V.OWL + "AnnotationProperty",
    V.RDF + "Property",
)


def prefixed(iri: str) -> str:
    """``iri`` as a prefixed name with kg's prefixes, or ``<iri>`` if none fits."""
    for prefix, namespace in sorted(V.PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _english(store: ox.Store, subject: ox.NamedNode, predicate: str) -> str:
    texts = sorted(
        (q.object.language != "en", q.object.value)
        for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)
        if isinstance(q.object, ox.Literal)
    )
    return texts[0][1] if texts else ""


def _ontology() -> ox.Store:
    store = ox.Store()
    text = (resources.files("kg") / "ontology" / "kg.ttl").read_bytes()
    store.load(text, format=ox.RdfFormat.TURTLE)
    return store


@cache
def vocabulary() -> dict[str, Any]:
    """``{"prefixes": {prefix: namespace}, "classes": [term], "properties": [term]}``,
    each term ``{"iri", "name", "label", "comment"}``, sorted by IRI."""
    store = _ontology()
    kinds: dict[str, str] = {}
    for kind, types in (("classes", _CLASS_TYPES), ("properties", _PROPERTY_TYPES)):
        for type_ in types:
            for quad in store.quads_for_pattern(None, V.TYPE, ox.NamedNode(type_)):
                if isinstance(quad.subject, ox.NamedNode):
                    kinds.setdefault(quad.subject.value, kind)
    for value in vars(V).values():  # the terms of other vocabularies that kg writes
        if isinstance(value, ox.NamedNode) and value.value not in kinds:
            local = value.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            kinds[value.value] = "classes" if local[:1].isupper() else "properties"
    out: dict[str, Any] = {"prefixes": dict(V.PREFIXES), "classes": [], "properties": []}
    for iri in sorted(kinds):
        node = ox.NamedNode(iri)
        out[kinds[iri]].append(
            {
                "iri": iri,
                "name": prefixed(iri),
                "label": _english(store, node, V.RDFS + "label"),
                "comment": _english(store, node, V.RDFS + "comment"),
            }
        )
    return out


@cache
def vocabulary_json() -> bytes:
    """:func:`vocabulary` as compact UTF-8 JSON, the body of ``/vocabulary.json``."""
    return json.dumps(vocabulary(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = ["prefixed", "vocabulary", "vocabulary_json"]
