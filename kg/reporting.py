"""The build report: what was read, merged and resolved, and every warning.

It is made from a resolved corpus (:func:`report`) or, for a merge of shards, from the
saved resolution and one streamed pass over the sources (:func:`saved_report`).  The
streamed pass holds no record set: of the papers with more than one record it keeps each
record's title, abstract and year (the report lists conflicts among them), and the
titles of the papers name decisions cite; beside them, a reference per record id (to
check that every record was read) and the line numbers a file's records start on (to
number records that share one).  Both give the same report.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

from kg import __version__
from kg.builds import (
    AmbiguousPerson,
    BuildReport,
    ExtractionReport,
    NameDecisions,
    OrganizationMerge,
    PaperMerge,
    PaperSlot,
    PersonMerge,
    PersonPapers,
    SourceCounts,
    SourceWarning,
    Totals,
    UnresolvedCitation,
)
from kg.corpus import Corpus
from kg.reading import Reading, Step, check_names
from kg.records import Citation, Paper, Problem
from kg.resolve.organizations import Organizations
from kg.resolve.paperlinks import PaperCluster, Ranked, conflicts
from kg.resolve.people import PeopleResolution
from kg.resolve.resolutionfile import Saved
from kg.sources import SourceSpec


class _Counts:
    """What the report counts over the sources, one item at a time."""

    def __init__(self, resolved: Container[str]) -> None:
        self.resolved = resolved  # ids of the citations that resolved to a paper
        self.sources: list[SourceCounts] = []
        self.citations = 0
        self.unresolved: list[UnresolvedCitation] = []
        self.warnings: list[SourceWarning] = []

    def source(
        self,
        name: str,
        format: str,
        items: Iterable[Paper | Citation | Problem],
        each: Callable[[Paper], None] | None = None,
    ) -> None:
        """Count one source's ``items`` (``each`` sees every record too)."""
        papers = citations = slots = problems = 0
        decisions: Counter[str] = Counter()
        for item in items:
            if isinstance(item, Paper):
                papers += 1
                slots += len(item.authors)
                decisions[item.decision or "none"] += 1
                if each is not None:
                    each(item)
            elif isinstance(item, Citation):
                citations += 1
                if item.id not in self.resolved:
                    self.unresolved.append(
                        UnresolvedCitation(item.id, item.title, item.authors, item.url)
                    )
            else:
                problems += 1
                self.warnings.append(
                    SourceWarning(item.source.file, item.source.line, item.severity, item.message)
                )
        self.citations += citations
        self.sources.append(
            SourceCounts(
                file=name,
                format=format,
                papers=papers,
                citations=citations,
                author_slots=slots,
                decisions=dict(sorted(decisions.items())),
                warnings=problems,
            )
        )


def people_decisions(
    people: PeopleResolution, title: Callable[[str], str | None]
) -> list[NameDecisions]:
    """Per name that was weighed: its people (with their papers) and every decision.

    A slot is written ``FILE:LINE#POSITION``; a person's papers by record and the title
    of its paper (``title`` of a record id).
    """
    out = []
    for name in sorted(people.decisions):
        decisions = people.decisions[name]
        slots = sorted({ref for d in decisions for side in ("a", "b") for ref in d[side]})
        persons: dict[str, list[PaperSlot]] = {}
        for ref in slots:
            record, position = ref.rsplit("#", 1)
            key = people.person_of[(record, int(position))]
            persons.setdefault(key, []).append(PaperSlot(ref, title(record)))
        out.append(
            NameDecisions(
                name,
                tuple(PersonPapers(k, people.labels[k], tuple(v)) for k, v in persons.items()),
                tuple(decisions),
            )
        )
    return out


def _assemble(
    counts: _Counts,
    papers: int,
    records: int,
    merges: Sequence[PaperMerge],
    people: PeopleResolution,
    organizations: Organizations,
    decisions: Sequence[NameDecisions],
    conflicts: Sequence[dict[str, object]],
    triples: int,
    extraction: ExtractionReport | None,
) -> BuildReport:
    return BuildReport(
        kg_version=__version__,
        sources=tuple(counts.sources),
        totals=Totals(
            papers=papers,
            source_records=records,
            people=len(people.labels),
            organizations=len(organizations.by_key),
            citations=counts.citations,
            citations_resolved=counts.citations - len(counts.unresolved),
            triples=triples,
        ),
        merges=tuple(merges),
        people_merged=tuple(
            PersonMerge(key, tuple(people.names[key]), tuple(why))
            for key, why in sorted(people.evidence.items())
            if len(people.names[key]) > 1
        ),
        organizations_merged=tuple(
            OrganizationMerge(o.key, tuple(o.names), tuple(o.ids), tuple(o.evidence))
            for o in organizations.by_key.values()
            if len(o.names) > 1
        ),
        people_ambiguous=tuple(
            AmbiguousPerson(key, tuple(people.names[key]), why)
            for key, why in sorted(people.ambiguous.items())
        ),
        people_decisions=tuple(decisions),
        unresolved_citations=tuple(counts.unresolved),
        conflicts=tuple(conflicts),
        extraction=extraction,
        warnings=tuple(counts.warnings),
    )


def report(corpus: Corpus, triples: int, extraction: ExtractionReport | None = None) -> BuildReport:
    """The report of a resolved corpus; ``triples`` is the store's size, ``extraction``
    the report's extraction section."""
    res = corpus.papers
    counts = _Counts(res.citation_target)
    for s in corpus.sources:
        counts.source(s.name, s.format, chain(s.papers, s.citations, s.problems))
    title = {}
    for cluster in res.clusters:
        name = next((m.paper.title for m in cluster.members if m.paper.title), None)
        for member in cluster.members:
            title[member.paper.id] = name
    merges = [
        PaperMerge(c.key, tuple(c.evidence), tuple(m.paper.id for m in c.members))
        for c in res.clusters
        if len(c.members) > 1
    ]
    return _assemble(
        counts,
        len(res.clusters),
        sum(len(c.members) for c in res.clusters),
        merges,
        corpus.people,
        corpus.organizations,
        people_decisions(corpus.people, title.get),
        res.conflicts,
        triples,
        extraction,
    )


def _compared(paper: Paper) -> Paper:
    """``paper`` with only what :func:`conflicts` compares: title, abstract, year, source."""
    return Paper(source=paper.source, title=paper.title, abstract=paper.abstract, year=paper.year)


@dataclasses.dataclass(frozen=True, slots=True)
class SourceRead:
    """What a streamed pass learnt of one source file."""

    name: str
    format: str
    sha256: str


def saved_report(
    specs: Sequence[SourceSpec],
    encoding: str | None,
    saved: Saved,
    build_of: Callable[[list[str]], Mapping[str, Any]],
    extraction: ExtractionReport | None = None,
    step: Step | None = None,
) -> tuple[BuildReport, list[SourceRead]]:
    """The report of the build of ``specs`` that ``saved`` (a whole saved resolution)
    resolved, from one streamed pass over the sources, and what was read of each.

    The sources' fingerprint (``build_of`` their digests) must be the one ``saved`` was
    made for, and every record must fit it, or :class:`InputError` names the file.  The
    report's triple count is 0: the caller fills it in once the store is loaded.
    """
    check_names(specs)
    cluster_of = saved.records
    members = {key: ids for key, ids, _ in saved.papers if len(ids) > 1}
    # the records a decision names, and the other records of their papers (for titles)
    named = {
        ref.rpartition("#")[0]
        for decisions in saved.people.decisions.values()
        for d in decisions
        for ref in (*d["a"], *d["b"])
    }
    titled = {m for r in named if r in cluster_of for m in members.get(cluster_of[r], [r])}
    kept: dict[str, Ranked] = {}  # the records of papers with more than one
    titles: dict[str, str] = {}
    check = saved.checker()
    counts = _Counts(saved.citations)
    read = []
    for spec in specs:
        if step:
            step(f"reading {spec.path.name}")
        reading = Reading(spec, encoding)

        def each(paper: Paper, authority: int = reading.authority) -> None:
            check.record(paper.id, len(paper.authors))
            key = cluster_of.get(paper.id)
            if key in members:  # what conflicts compare, not the whole record
                kept[paper.id] = Ranked(_compared(paper), authority)
            if paper.id in titled and paper.title:
                titles[paper.id] = paper.title

        counts.source(reading.name, reading.format, reading, each)
        read.append(SourceRead(reading.name, reading.format, reading.sha256()))
    if step:
        step("checking the records against the saved resolution")
    organizations = check.finish(build_of([r.sha256 for r in read]))

    def title(record: str) -> str | None:
        ids = members.get(cluster_of[record], [record])
        return next((titles[m] for m in ids if m in titles), None)

    merged = [
        PaperCluster(key, tuple(kept[i] for i in ids), tuple(evidence))
        for key, ids, evidence in saved.papers
        if len(ids) > 1
    ]
    result = _assemble(
        counts,
        len(saved.papers),
        len(cluster_of),
        [PaperMerge(c.key, c.evidence, tuple(m.paper.id for m in c.members)) for c in merged],
        saved.people,
        organizations,
        people_decisions(saved.people, title),
        conflicts(merged),
        0,
        extraction,
    )
    return result, read
