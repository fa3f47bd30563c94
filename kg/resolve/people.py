"""One node per real person: the key of the person behind every author slot.

This first resolver keys people by their normalised name (accents, case, punctuation,
contribution marks and parenthesised nicknames folded away), so ``Jiashi FENG`` and
``Jiashi Feng``, ``Bernhard Schölkopf`` and ``Bernhard Scholkopf`` are one person.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from kg.records import Author, Paper
from kg.text import normalize_person_name, slugify


@dataclass(slots=True)
class PeopleResolution:
    """The person key of every author slot, and one display label per person."""

    person_of: dict[tuple[str, int], str]  # (record id, 1-based position) -> person key
    labels: dict[str, str]
    names: dict[str, list[str]]  # person key -> distinct display names seen


def name_key(name: str) -> str:
    """The matching key of a display name (nicknames in parentheses dropped)."""
    return normalize_person_name(re.sub(r"\([^)]*\)", " ", name))


def _label_quality(name: str) -> tuple[int, int, int, str]:
    """Prefer names with mixed case, then with accents kept, then the longest."""
    mixed = int(name != name.lower() and name != name.upper())
    accents = int(any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", name)))
    return (mixed, accents, len(name), name)


def resolve_people(papers: Sequence[Paper]) -> PeopleResolution:
    """Key every author slot of ``papers``; deterministic and order-independent."""
    person_of: dict[tuple[str, int], str] = {}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for paper in papers:
        for position, author in enumerate(paper.authors, start=1):
            key = person_key(author)
            person_of[(paper.id, position)] = key
            seen[key][author.name] += 1
    labels = {k: max(c, key=lambda n: (_label_quality(n), c[n])) for k, c in seen.items()}
    names = {k: sorted(c) for k, c in seen.items()}
    return PeopleResolution(person_of, labels, names)


def person_key(author: Author) -> str:
    """The IRI key of the person behind one author slot."""
    return slugify(name_key(author.name), max_len=80)
