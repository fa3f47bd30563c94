"""What a build is given and what it reports, as typed, frozen records.

:class:`BuildOptions` are a build's choices: those its output depends on are recorded in
``sources.json`` (:mod:`kg.manifest`), so that ``--add`` and ``--remove`` build the same
way.  :class:`BuildReport` is ``build-report.json``: what was read, merged and resolved,
and every warning.  Field names are the JSON's keys, in its order, so ``to_json()`` is the
file's content.

>>> BuildOptions(extract=False).recorded()["extract"]
False
>>> BuildOptions.from_recorded({"model": None, "stray": 1}).model is None
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.extract import AUTO
from kg.graph.vocab import DEFAULT_BASE


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How a build extracts: worker processes and the spaCy pipeline."""

    workers: int = 1
    model: str | None = AUTO


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build: the base IRI of minted nodes, whether and with which spaCy pipeline
    to extract (``model``: ``auto``, a package name, or ``None`` for rules only), the
    encoding of the sources (``None``: detected), and worker processes for extraction."""

    base_iri: str = DEFAULT_BASE
    extract: bool = True
    model: str | None = AUTO
    encoding: str | None = None
    workers: int = 1

    @property
    def extraction(self) -> ExtractOptions | None:
        """How to extract, or ``None`` when the build does not."""
        return ExtractOptions(self.workers, self.model) if self.extract else None

    def recorded(self) -> dict[str, Any]:
        """The options the output depends on, as ``sources.json`` records them (worker
        processes change nothing in the output, so they are left out)."""
        return {
            "base_iri": self.base_iri,
            "extract": self.extract,
            "model": self.model,
            "encoding": self.encoding,
        }

    @classmethod
    def from_recorded(cls, data: Mapping[str, Any]) -> BuildOptions:
        """The options ``recorded()`` wrote; a missing or mistyped one has its default."""
        default = cls()
        base_iri = data.get("base_iri")
        model = data.get("model", default.model)
        encoding = data.get("encoding")
        return cls(
            base_iri=base_iri if isinstance(base_iri, str) and base_iri else default.base_iri,
            extract=bool(data.get("extract", default.extract)),
            model=model if model is None or isinstance(model, str) else default.model,
            encoding=encoding if isinstance(encoding, str) else None,
        )


# --- the build report ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceCounts:
    """What one source file held."""

    file: str
    format: str
    papers: int
    citations: int
    author_slots: int
    decisions: dict[str, int]  # decision ("none" when absent) -> papers, sorted by decision
    warnings: int


@dataclass(frozen=True, slots=True)
class Totals:
    """The size of the build: real papers, the records they merge, people, triples."""

    papers: int
    source_records: int
    people: int
    organizations: int
    citations: int
    citations_resolved: int
    triples: int


@dataclass(frozen=True, slots=True)
class PaperMerge:
    """Records of several sources found to be one paper, and why."""

    paper: str
    evidence: tuple[str, ...]
    records: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonMerge:
    """Author slots written in different ways found to be one person, and why."""

    person: str
    names: tuple[str, ...]
    evidence: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PersonMerge:
        """A ``people_merged`` entry of ``build-report.json``."""
        return cls(str(data["person"]), tuple(data["names"]), tuple(data.get("evidence") or ()))


@dataclass(frozen=True, slots=True)
class OrganizationMerge:
    """Affiliations written in different ways found to be one organization, and why."""

    organization: str
    names: tuple[str, ...]
    ids: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AmbiguousPerson:
    """A person whose slots could be two people, and why they were kept as one."""

    person: str
    names: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class PaperSlot:
    """One author slot (``FILE:LINE#POSITION``) of a person, and the paper's title."""

    slot: str
    title: str | None


@dataclass(frozen=True, slots=True)
class PersonPapers:
    """One of the people of a weighed name, with the slots that became them."""

    person: str
    label: str
    papers: tuple[PaperSlot, ...]


@dataclass(frozen=True, slots=True)
class NameDecisions:
    """A name that had to be weighed: its people and every decision, as resolution made
    them (:mod:`kg.resolve.people`)."""

    name: str
    people: tuple[PersonPapers, ...]
    decisions: tuple[dict[str, Any], ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NameDecisions:
        """A ``people_decisions`` entry of ``build-report.json``."""
        return cls(
            str(data["name"]),
            tuple(
                PersonPapers(
                    str(p["person"]),
                    str(p["label"]),
                    tuple(PaperSlot(str(s["slot"]), s["title"]) for s in p["papers"]),
                )
                for p in data["people"]
            ),
            tuple(dict(d) for d in data["decisions"]),
        )


@dataclass(frozen=True, slots=True)
class UnresolvedCitation:
    """A citation no paper of the build matched."""

    citation: str
    title: str | None
    authors: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class ExtractionWarning:
    """What made extraction of one paper's text less sure (other than simplified markup)."""

    paper: str
    record: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExtractionSummary:
    """What extraction found in a build or in one shard, in parts shards add up (a shard's
    sidecar holds one)."""

    papers: int
    mentions: dict[str, int]  # kind -> mentions
    concepts: tuple[str, ...]  # concept keys, sorted
    warnings: tuple[ExtractionWarning, ...]

    def to_json(self) -> dict[str, Any]:
        """The summary as a shard's sidecar holds it."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExtractionSummary:
        """The summary ``to_json()`` gave."""
        return cls(
            int(data["papers"]),
            {str(k): int(v) for k, v in data["mentions"].items()},
            tuple(data["concepts"]),
            tuple(
                ExtractionWarning(w["paper"], w["record"], tuple(w["warnings"]))
                for w in data["warnings"]
            ),
        )


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """The report's extraction section: the extractor, what it found, and its warnings."""

    extractor: str
    papers: int
    mentions: dict[str, int]  # kind -> mentions, sorted by kind
    concepts: int
    acronyms_learned: int
    warnings: tuple[ExtractionWarning, ...]


@dataclass(frozen=True, slots=True)
class SourceWarning:
    """A problem a reader met in a source file."""

    file: str
    line: int
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    """``build-report.json``: what a build read, merged and resolved, and every warning."""

    kg_version: str
    sources: tuple[SourceCounts, ...]
    totals: Totals
    merges: tuple[PaperMerge, ...]
    people_merged: tuple[PersonMerge, ...]
    organizations_merged: tuple[OrganizationMerge, ...]
    people_ambiguous: tuple[AmbiguousPerson, ...]
    people_decisions: tuple[NameDecisions, ...]
    unresolved_citations: tuple[UnresolvedCitation, ...]
    conflicts: tuple[dict[str, Any], ...]  # as paper resolution states them
    extraction: ExtractionReport | None  # None: the build did not extract
    warnings: tuple[SourceWarning, ...]

    def to_json(self) -> dict[str, Any]:
        """The report as ``build-report.json`` holds it."""
        return dataclasses.asdict(self)
