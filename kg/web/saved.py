"""The saved queries as web forms: the one place where the web pages read :mod:`kg.queries`.

A form has one field per declared parameter (name, help, default); a ``kind`` is a choice
among :data:`kg.queries.KINDS`, a ``limit`` a whole number.  Running a form binds its values
the way ``kg query NAME --param ...`` does (:func:`kg.queries.bind`): as RDF terms, never
pasted into the text, with the same messages for a value that names nothing.

>>> f = form("coauthors")
>>> f.params[0].name, f.params[0].type
('person', 'person')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg import queries


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a form."""

    name: str
    type: str
    help: str
    default: str | None
    choices: tuple[str, ...] = ()
    max: int = queries.MAX_LIMIT


@dataclass(frozen=True, slots=True)
class Form:
    """A saved query as a form."""

    name: str
    description: str
    params: tuple[Field, ...]
    sparql: str
    usage: str


def _form(q: queries.SavedQuery) -> Form:
    fields = tuple(
        Field(
            p.name,
            p.type,
            p.help,
            p.default,
            tuple(queries.KINDS) if p.type == "kind" else (),
        )
        for p in q.params
    )
    return Form(q.name, q.description, fields, q.sparql, q.usage())


def forms() -> list[Form]:
    """Every saved query, by name."""
    return [_form(q) for q in queries.registry().values()]


def form(name: str) -> Form | None:
    """The saved query ``name``, or None."""
    q = queries.registry().get(name)
    return _form(q) if q is not None else None


def values(form: Form, given: dict[str, str]) -> dict[str, str]:
    """The form's values among ``given`` (other keys ignored; an empty value is not given)."""
    return {p.name: given[p.name].strip() for p in form.params if given.get(p.name, "").strip()}


def bound(store: Any, form: Form, given: dict[str, str]) -> str:
    """The SPARQL text that runs ``form`` with ``given``; UsageError for a bad value."""
    return queries.bind(store, queries.get(form.name), values(form, given))


__all__ = ["Field", "Form", "bound", "form", "forms", "values"]
