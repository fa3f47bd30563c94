"""Counts that describe a built graph (what `kg stats` prints)."""

from __future__ import annotations

from typing import Any

from kg.store import Store

_COUNTS = {
    "papers": "?x a kg:Paper",
    "people": "?x a kg:Person",
    "organizations": "?x a kg:Organization",
    "authorships": "?x a kg:Authorship",
    "venues": "?x a kg:Venue",
    "concepts": "?x a kg:Concept",
    "sources": "?x a kg:Source",
    "citations": "?x a kg:Citation",
    "citations_resolved": "?x a kg:Citation ; kg:refersTo ?p",
}


def stats(store: Store) -> dict[str, Any]:
    """Counts of nodes by kind, papers by decision and venue, and the number of triples."""
    out: dict[str, Any] = {}
    for name, pattern in _COUNTS.items():
        result = store.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
        out[name] = int(next(iter(result))["n"].value)  # type: ignore[arg-type]
    out["triples"] = store.triples()
    out["quads"] = int(
        next(
            iter(
                store.query(  # type: ignore[arg-type]
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
                )
            )
        )["n"].value
    )
    decisions = store.query(
        "SELECT ?d (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision ?d } "
        "GROUP BY ?d ORDER BY DESC(?n) ?d"
    )
    out["by_decision"] = {s["d"].value: int(s["n"].value) for s in decisions}  # type: ignore[union-attr]
    venues = store.query(
        "SELECT ?v (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper ; kg:venue/rdfs:label ?v } "
        "GROUP BY ?v ORDER BY DESC(?n) ?v"
    )
    out["by_venue"] = {s["v"].value: int(s["n"].value) for s in venues}  # type: ignore[union-attr]
    return out
