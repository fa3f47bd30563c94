"""What the reading stage hands on: every source with its records, and the resolutions.

>>> from kg.records import SourceRef, Problem
>>> s = LoadedSource("a.jsonl", "jsonl", "00", "a-jsonl", 80, (), (), ())
>>> s.key
'a-jsonl'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.model import Extraction
from kg.records import Citation, Paper, Problem, SourceRef
from kg.resolve.concepts import Concepts
from kg.resolve.organizations import Organizations
from kg.resolve.paperlinks import PaperResolution
from kg.resolve.people import PeopleResolution


@dataclass(frozen=True, slots=True)
class LoadedSource:
    """One input file after reading: its name, format, content hash and what it held.

    ``key`` is the source's IRI key (unique within a build); ``authority`` the reader's.
    """

    name: str
    format: str
    sha256: str
    key: str
    authority: int
    papers: tuple[Paper, ...]
    citations: tuple[Citation, ...]
    problems: tuple[Problem, ...]
    #: the file cites papers (true even where a shard kept none of its citations)
    cites: bool = False


@dataclass(frozen=True, slots=True)
class Corpus:
    """All sources of a build and the resolution of their papers, people and organizations."""

    sources: tuple[LoadedSource, ...]
    papers: PaperResolution
    people: PeopleResolution
    concepts: Concepts = field(default_factory=Concepts)
    organizations: Organizations = field(default_factory=Organizations)
    extracted: dict[str, Extracted] = field(default_factory=dict)  # by paper cluster key


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found in a paper, and the source record whose text it read."""

    extraction: Extraction
    record: SourceRef
