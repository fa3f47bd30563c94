"""From what a user types (a name, a label or an IRI) to the node it means.

Lookups go through ``kg:normalizedName``, which the build writes for every person (each
way their name was written), organization, concept and venue, so a lookup is one indexed
pattern, not a scan.  Only when nothing matches are all labels read, to suggest close
matches.  A person may also be given by ORCID, an organization by ROR id.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import pyoxigraph as ox

from kg import identifiers
from kg.errors import UsageError
from kg.resolve.organizations import normalize_name
from kg.sparqltext import bind_values
from kg.text import fold, normalize_person_name, normalize_title

_CLASSES = {
    "person": "kg:Person",
    "concept": "kg:Concept",
    "method": "kg:Method",
    "venue": "kg:Venue",
    "organization": "kg:Organization",
}
_LABELS = {
    "person": "skos:prefLabel",
    "concept": "skos:prefLabel",
    "method": "skos:prefLabel",
    "venue": "rdfs:label",
    "organization": "skos:prefLabel",
}
#: identifiers a node of a kind may be given by: (scheme, property, accepted prefixes)
_BY_ID = {
    "person": ("orcid", "kg:orcid", ("https://orcid.org/", "orcid:")),
    "organization": ("ror", "kg:ror", ("https://ror.org/", "ror:")),
}
_ID_SHAPES = {
    "orcid": re.compile(r"^\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx]$"),
    "ror": re.compile(r"^0[a-z0-9]{6}\d{2}$"),
}


def normalized(kind: str, text: str) -> str:
    """The ``kg:normalizedName`` form of ``text`` for a node of ``kind``."""
    if kind == "person":
        return normalize_person_name(text)
    if kind == "venue":
        return normalize_title(text)
    if kind == "organization":
        return normalize_name(text)
    return fold(text)


def _identifier(kind: str, value: str) -> tuple[str, str] | None:
    """``(property, canonical id)`` when ``value`` is an identifier of a ``kind`` node:
    an ORCID or a ROR id, bare, prefixed (``ror:``) or as its https address."""
    if kind not in _BY_ID:
        return None
    scheme, prop, prefixes = _BY_ID[kind]
    text = value.strip()
    bare = next((text[len(p) :] for p in prefixes if text.lower().startswith(p)), None)
    if bare is None and not _ID_SHAPES[scheme].match(text):
        return None
    canonical = identifiers.normalize(scheme, bare if bare is not None else text)
    if canonical is None:
        raise UsageError(f"{value!r} is not a valid {scheme.upper()} id")
    return prop, canonical


def lookup(store: Any, kind: str, value: str) -> ox.NamedNode:
    """The IRI of the ``kind`` node that ``value`` names; a clear error if none or several."""
    cls = _CLASSES[kind]
    if found := _identifier(kind, value):
        prop, canonical = found
        rows = list(
            store.query(
                bind_values(
                    f"SELECT DISTINCT ?x WHERE {{ ?x a {cls} ; {prop} ?id }} ORDER BY ?x",
                    {"id": ox.Literal(canonical)},
                )
            )
        )
        if len(rows) == 1:
            return rows[0]["x"]  # type: ignore[no-any-return]
        if len(rows) > 1:
            iris = ", ".join(f"<{r['x'].value}>" for r in rows[:5])
            raise UsageError(
                f"{value!r} is the id of {len(rows)} {kind}s: {iris}; pass one IRI instead"
            )
        raise UsageError(f"no {kind} with the id {canonical} in the graph")
    if value.startswith(("http://", "https://", "urn:")):
        try:
            node = ox.NamedNode(value)
        except ValueError:
            raise UsageError(f"{value!r} is not a valid IRI") from None
        if not bool(store.query(bind_values(f"ASK WHERE {{ ?x a {cls} }}", {"x": node}))):
            raise UsageError(f"no {kind} <{value}> in the graph")
        return node
    key = normalized(kind, value)
    rows = list(
        store.query(
            bind_values(
                f"SELECT DISTINCT ?x WHERE {{ ?x a {cls} ; kg:normalizedName ?key }} ORDER BY ?x",
                {"key": ox.Literal(key)},
            )
        )
    )
    if len(rows) == 1:
        return rows[0]["x"]  # type: ignore[no-any-return]
    if len(rows) > 1:
        iris = ", ".join(f"<{r['x'].value}>" for r in rows[:5])
        raise UsageError(f"{value!r} names {len(rows)} {kind}s: {iris}; pass one IRI instead")
    raise UsageError(f"no {kind} {value!r} in the graph{_suggest(store, kind, key)}")


def _suggest(store: Any, kind: str, key: str) -> str:
    labels: dict[str, str] = {}
    for row in store.query(
        f"SELECT ?key ?label WHERE {{ ?x a {_CLASSES[kind]} ; "
        f"kg:normalizedName ?key ; {_LABELS[kind]} ?label }}"
    ):
        labels.setdefault(row["key"].value, row["label"].value)
    close = difflib.get_close_matches(key, list(labels), n=5, cutoff=0.75)
    if not close:
        return ""
    return "; did you mean: " + ", ".join(sorted({labels[c] for c in close})) + "?"
