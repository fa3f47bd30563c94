"""The documented paper schema shared by the ``jsonl`` and ``csv`` readers.

One object (or row) per paper.  Keys, all optional but ``title`` or ``abstract``:

``title``, ``abstract``, ``tldr``
    strings.
``authors``
    a list of names (or of ``{"name", "email"}`` objects), or one string joined by
    ``;`` or by commas and `` and ``.  An author object may also give the person's
    identifiers (``orcid``, ``openreview``, ``openalex``, ``dblp``, ``s2``; invalid ones are
    dropped) and ``affiliations``: a list of names, or of ``{"name", "ror", "openalex",
    "country", "domain"}`` objects (``affiliation`` for one; an institution's ``openalex``
    id is its ``I...``).
``keywords``
    a list, or one string joined by ``;`` (or by commas when there is no ``;``).
``venue``, ``year``, ``decision``
    e.g. ``"ICLR 2020"``, ``2020``, ``"Poster"``; ``decision`` accepts Oral/Talk,
    Spotlight, Poster, Workshop, Reject(ed), Withdrawn/Withdraw.
``ids`` or the columns ``openreview``, ``arxiv``, ``doi``
    external identifiers in any usual spelling (``doi:10.1000/ABC`` and
    ``https://doi.org/10.1000/abc`` are one DOI; an arXiv id loses its version; a forum
    URL gives its id), normalised as every reader does (:mod:`kg.identifiers`); an invalid
    one is reported and left out.  Other keys of ``ids`` are kept as further schemes.
``url``/``forum``, ``pdf``, ``code``
    web addresses (``code`` may be a list).

Unknown keys are reported as a warning, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from kg.identifiers import PERSON_SCHEMES, forum_of_url, organization_id, paper_ids, person_ids
from kg.records import Affiliation, Author, Paper, Problem, SourceRef, Urls
from kg.text import collapse_ws

KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "abstract",
        "tldr",
        "authors",
        "keywords",
        "venue",
        "year",
        "decision",
        "ids",
        "openreview",
        "arxiv",
        "doi",
        "url",
        "forum",
        "pdf",
        "code",
    }
)

_DECISIONS = {
    "oral": "Oral",
    "talk": "Oral",
    "spotlight": "Spotlight",
    "poster": "Poster",
    "workshop": "Workshop",
    "reject": "Reject",
    "rejected": "Reject",
    "withdrawn": "Withdrawn",
    "withdraw": "Withdrawn",
    "unknown": "Unknown",
}
_PAPER_ID_NAMES = {
    "openreview": "an OpenReview forum id",
    "arxiv": "an arXiv id",
    "doi": "a DOI (10.NNNN/...)",
}
_AND = re.compile(r"\s*,?\s+and\s+|\s*&\s*")


def normalize_decision(value: str) -> str | None:
    """The record model's decision for a word as written, or ``None`` if it is not one."""
    return _DECISIONS.get(collapse_ws(value).lower())


def split_names(value: str) -> list[str]:
    """Split an author string: on ``;`` if present, else on commas and `` and ``."""
    parts = value.split(";") if ";" in value else re.split(r",", value)
    names: list[str] = []
    for part in parts:
        names.extend(p for p in _AND.split(part) if p.strip())
    return [collapse_ws(n) for n in names if collapse_ws(n)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = collapse_ws(str(value))
    return text or None


def _strings(value: Any, sep: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(sep) if sep in value else value.split(",")
        return [c for p in parts if (c := collapse_ws(p))]
    if isinstance(value, Iterable):
        return [t for p in value if (t := _text(p))]
    return [single] if (single := _text(value)) else []


def _authors(value: Any, problems: list[str]) -> tuple[Author, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(Author.from_written(n) for n in split_names(value))
    authors = []
    if not isinstance(value, list):
        problems.append(f"'authors' should be a list or a string, not {type(value).__name__}")
        return ()
    for item in value:
        if isinstance(item, Mapping):
            name = _text(item.get("name"))
            if name:
                ids = person_ids([(scheme, _text(item.get(scheme))) for scheme in PERSON_SCHEMES])
                authors.append(
                    Author.from_written(
                        name,
                        email=_text(item.get("email")),
                        ids=ids,
                        affiliations=_affiliations(item),
                    )
                )
        elif (name := _text(item)) is not None:
            authors.append(Author.from_written(name))
    return tuple(authors)


def _affiliation(value: Any) -> Affiliation | None:
    """One affiliation: a name, or an object with a name and identifiers."""
    if not isinstance(value, Mapping):
        name = _text(value)
        return Affiliation(name=name, raw=name) if name else None
    name = _text(value.get("name"))
    ident = organization_id(ror=_text(value.get("ror")), openalex=_text(value.get("openalex")))
    if not (name or ident):
        return None
    return Affiliation(
        name=name,
        id=ident,
        country=_text(value.get("country")),
        domain=_text(value.get("domain")),
        raw=name,
    )


def _affiliations(item: Mapping[str, Any]) -> tuple[Affiliation, ...]:
    given = item.get("affiliations", item.get("affiliation"))
    values = given if isinstance(given, list) else [] if given is None else [given]
    return tuple(dict.fromkeys(a for v in values if (a := _affiliation(v)) is not None))


def _year(value: Any, problems: list[str]) -> int | None:
    if value is None or value == "":
        return None
    match = re.fullmatch(r"\s*(\d{4})(?:\.0)?\s*", str(value))
    if not match:
        problems.append(f"'year' should be a 4-digit year, not {str(value)[:40]!r}")
        return None
    return int(match.group(1))


def paper_from_mapping(
    obj: Mapping[str, Any], where: SourceRef
) -> tuple[Paper | None, list[Problem]]:
    """A paper from one object of the documented schema, and the problems found in it."""
    notes: list[str] = []
    ids_in = obj.get("ids") if isinstance(obj.get("ids"), Mapping) else {}
    assert isinstance(ids_in, Mapping)
    given = {k: _text(ids_in.get(k) or obj.get(k)) for k in _PAPER_ID_NAMES}
    forum = _text(obj.get("forum") or obj.get("url"))
    other = tuple(
        sorted((str(k), str(v)) for k, v in ids_in.items() if k not in _PAPER_ID_NAMES and _text(v))
    )
    ids = paper_ids(
        openreview=given["openreview"], arxiv=given["arxiv"], doi=given["doi"], other=other
    )
    for key, value in given.items():
        if value and not getattr(ids, key):
            notes.append(f"'{key}' {value[:60]!r} is not {_PAPER_ID_NAMES[key]}; ignored")
    if not ids.openreview and forum:
        ids = dataclasses.replace(ids, openreview=forum_of_url(forum))
    decision_in = _text(obj.get("decision"))
    decision = normalize_decision(decision_in) if decision_in else None
    if decision_in and decision is None:
        notes.append(
            f"unknown decision {decision_in!r} (known: Oral, Spotlight, Poster, "
            "Workshop, Reject, Withdrawn)"
        )
    title, abstract = _text(obj.get("title")), _text(obj.get("abstract"))
    unknown = sorted(set(obj) - KNOWN_KEYS)
    if unknown:
        notes.append(f"unknown keys ignored: {', '.join(map(str, unknown))}")
    problems = [Problem(where, n) for n in notes]
    if not title and not abstract:
        problems.append(Problem(where, "record has neither a title nor an abstract; skipped"))
        return None, problems
    paper = Paper(
        source=where,
        title=title,
        authors=_authors(obj.get("authors"), notes),
        abstract=abstract,
        venue=_text(obj.get("venue")),
        year=_year(obj.get("year"), notes),
        decision=decision,
        keywords=tuple(_strings(obj.get("keywords"), ";")),
        tldr=_text(obj.get("tldr")),
        urls=Urls(
            forum=forum, pdf=_text(obj.get("pdf")), code=tuple(_strings(obj.get("code"), ";"))
        ),
        ids=ids,
    )
    problems = [Problem(where, n) for n in notes]
    return paper, problems
