"""Saved SPARQL queries: ``.rq`` files shipped in this package, listed and run safely.

Each file starts with comment lines: the first is the one-line description, then one
``# param: NAME (TYPE) help [DEFAULT]`` line per parameter.  Parameter values are bound
as RDF terms, never by pasting the user's text into the query: a person, organization,
concept, method or venue is first looked up to its IRI (with close matches suggested when it
is not in the graph), a ``kind`` picks a class, and the terms are bound to ``?NAME`` by a
``VALUES`` block that the RDF library serialises (and escapes) itself, in the scope where
the query uses the variable (inside a sub-select that alone uses it); a ``limit`` is
checked to be a whole number before it becomes the query's LIMIT.  The same text runs on
the embedded store and on any SPARQL 1.1 endpoint.

>>> sorted(registry())[:3]
['affiliations', 'cited', 'coauthors']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from kg.errors import UsageError
from kg.graph import vocab as V
from kg.queries.lookup import lookup
from kg.sparqltext import bind_values

_PARAM = re.compile(
    r"#\s*param:\s*(?P<name>[a-z_]+)\s*\((?P<type>[a-z]+)\)\s*(?P<help>[^\[]*)"
    r"(?:\[(?P<default>[^\]]*)\])?"
)
KINDS = {"concept": V.CONCEPT, "method": V.METHOD, "dataset": V.DATASET, "task": V.TASK}
TYPES = ("person", "organization", "concept", "method", "venue", "kind", "limit")
MAX_LIMIT = 100_000


class Queryable(Protocol):
    """Anything that runs SPARQL with substitutions: the embedded store or an endpoint."""

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any: ...


@dataclass(frozen=True, slots=True)
class Param:
    """A declared parameter of a saved query."""

    name: str
    type: str
    help: str
    default: str | None


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A saved query: its name, description, parameters and SPARQL text."""

    name: str
    description: str
    params: tuple[Param, ...]
    sparql: str

    def usage(self) -> str:
        """``name --param a=... [--param b=...]`` for messages and listings."""
        parts = [self.name]
        for p in self.params:
            part = f"--param {p.name}=<{p.type}>"
            parts.append(f"[{part}]" if p.default is not None else part)
        return " ".join(parts)


def _parse(name: str, text: str) -> SavedQuery:
    lines = text.splitlines()
    description = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else ""
    params = []
    for line in lines:
        if match := _PARAM.match(line):
            kind = match["type"]
            if kind not in TYPES:
                raise ValueError(f"{name}.rq: unknown parameter type {kind!r}")
            params.append(Param(match["name"], kind, match["help"].strip(), match["default"]))
    return SavedQuery(name, description, tuple(params), text)


@cache
def registry() -> dict[str, SavedQuery]:
    """Every saved query by name, sorted."""
    folder = resources.files(__name__)
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            found[name] = _parse(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


def get(name: str) -> SavedQuery:
    """The saved query ``name``; the error lists the valid names."""
    try:
        return registry()[name]
    except KeyError:
        raise UsageError(
            f"unknown saved query {name!r}; choose one of: "
            f"{', '.join(registry())} (see `kg queries`)"
        ) from None


def with_values(sparql: str, terms: dict[str, Any]) -> str:
    """Bind variables to RDF terms with VALUES blocks, each where its variable is in scope.

    The terms are written by pyoxigraph (IRIs validated, literals escaped), so no value
    can change the query's structure; see :func:`kg.sparqltext.bind_values`.
    """
    return bind_values(sparql, terms)


def bind(store: Queryable, query: SavedQuery, values: dict[str, str]) -> str:
    """The SPARQL text for running ``query`` with ``values``, every value bound as a term."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        valid = ", ".join(declared) or "none"
        raise UsageError(f"{query.name} has no parameter {unknown[0]!r} (parameters: {valid})")
    sparql, subs = query.sparql, {}  # subs: variable name -> RDF term
    for p in query.params:
        value = values.get(p.name, p.default)
        if value is None:
            raise UsageError(
                f"{query.name} needs --param {p.name}=... ({p.help}); "
                f"usage: kg query {query.usage()}"
            )
        if p.type == "limit":
            if not value.isdigit() or not 0 < int(value) <= MAX_LIMIT:
                raise UsageError(
                    f"--param {p.name} must be a whole number from 1 to {MAX_LIMIT}, not {value!r}"
                )
            sparql = f"{sparql.rstrip()}\nLIMIT {int(value)}\n"
        elif p.type == "kind":
            if value not in KINDS:
                raise UsageError(
                    f"--param {p.name} must be one of {', '.join(KINDS)}, not {value!r}"
                )
            subs[p.name] = KINDS[value]
        else:
            subs[p.name] = lookup(store, p.type, value)
    return with_values(sparql, subs)


def run(store: Queryable, name: str, values: dict[str, str] | None = None) -> Any:
    """Run the saved query ``name`` with its parameters on ``store``."""
    return store.query(bind(store, get(name), values or {}))


__all__ = ["KINDS", "Param", "SavedQuery", "bind", "get", "registry", "run", "with_values"]
