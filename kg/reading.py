"""Sources → records: reading one input file, whole (:func:`read_source`) or as a stream.

A :class:`Reading` yields a file's records, citations and problems one at a time, in the
order of the file, with what every reader shares applied: records that start on the same
line get distinct ids, an absurdly long title or abstract is cut (with a warning), and the
source's default venue and year fill what a record omits.  :func:`read_source` collects
them into a :class:`~kg.corpus.LoadedSource`; the build report of a merge counts them as
they pass (:mod:`kg.reporting`), holding none.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence

from kg import sources
from kg.corpus import LoadedSource
from kg.errors import InputError, UsageError
from kg.records import Citation, Paper, Problem
from kg.sources import SourceSpec
from kg.text import slugify

Step = Callable[[str], None]
#: Which records and citations a partial build reads, e.g. a shard's.
Wanted = Callable[[Paper | Citation], bool]
#: Longest title and abstract kept; longer ones are cut (at a word) with a warning.
MAX_TITLE = 2_000
MAX_ABSTRACT = 100_000


def _with_defaults(paper: Paper, spec: SourceSpec) -> Paper:
    """Fill the venue and year a record omits from the source's defaults."""
    venue = paper.venue or spec.venue
    year = paper.year
    if year is None and venue == spec.venue:
        year = spec.year
    if (venue, year) == (paper.venue, paper.year):
        return paper
    return dataclasses.replace(paper, venue=venue, year=year)


def _cut(text: str, limit: int) -> str:
    head = text[:limit]
    space = head.rfind(" ", limit - 200)
    return (head[:space] if space > 0 else head) + " …"


def _bounded(paper: Paper) -> tuple[Paper, list[Problem]]:
    """``paper`` with an absurdly long title or abstract cut, and a warning for each."""
    problems = []
    for name, limit in (("title", MAX_TITLE), ("abstract", MAX_ABSTRACT)):
        value = getattr(paper, name)
        if value and len(value) > limit:
            paper = dataclasses.replace(paper, **{name: _cut(value, limit)})  # type: ignore[arg-type]
            problems.append(
                Problem(paper.source, f"{name} of {len(value):,} characters cut to {limit:,}")
            )
    return paper, problems


class Reading:
    """One input file read as a stream of records, citations and problems (iterate once).

    ``wanted`` passes over the records and citations a partial build does not read (they
    are still parsed and checked); ``only``, its lines, lets a JSON-lines reader pass over
    the other lines unparsed (a shard that knows its records from a saved resolution).
    Once iterated: :attr:`cites` and :meth:`sha256`.  A file read without ``only`` that
    held no usable record or citation raises :class:`InputError` at its end; with
    ``only`` (in any format) that check is left to the saved resolution, whose
    fingerprint ties the build to the files it was made from.
    """

    def __init__(
        self,
        spec: SourceSpec,
        encoding: str | None = None,
        wanted: Wanted | None = None,
        only: Container[int] | None = None,
    ) -> None:
        self.spec = spec
        self.wanted = wanted
        self._source = sources.load(spec.path, encoding)
        self._source.only = only
        self._reader, self._items = sources.read(self._source, spec.format)
        self.name: str = self._source.name
        self.format: str = self._reader.name
        self.authority: int = self._reader.authority
        self.cites = False  # the file cites papers (true even if none is wanted)

    def __iter__(self) -> Iterator[Paper | Citation | Problem]:
        per_line: Counter[int] = Counter()  # records so far per line (~84 bytes a line)
        usable = 0
        first: Problem | None = None
        for item in self._items:
            if isinstance(item, Paper):
                # records that share a line get distinct ids, so none is ever lost
                n = per_line[item.source.line]
                per_line[item.source.line] += 1
                if n:
                    item = dataclasses.replace(
                        item, source=dataclasses.replace(item.source, item=n)
                    )
                usable += 1
                if self.wanted is not None and not self.wanted(item):
                    continue
                item, cut = _bounded(item)
                yield from cut
                yield _with_defaults(item, self.spec)
            elif isinstance(item, Citation):
                usable += 1
                self.cites = True
                if self.wanted is None or self.wanted(item):
                    yield item
            else:
                first = first or item
                yield item
        if not usable and self._source.only is None:
            detail = f" (first problem: {first})" if first else ""
            raise InputError(
                self.name, f"no paper or citation could be read as {self.format}{detail}"
            )

    def sha256(self) -> str:
        """The file's content hash."""
        return self._source.sha256()


def read_source(
    spec: SourceSpec,
    key: str,
    encoding: str | None = None,
    wanted: Wanted | None = None,
    only: Container[int] | None = None,
) -> LoadedSource:
    """Read one file completely; raises :class:`InputError` if nothing usable is in it
    (unless ``only`` is given, see :class:`Reading`).

    ``wanted`` keeps only some records and citations (a shard's, say); the file is read
    and checked all the same, but for the lines a JSON-lines reader passes over when
    ``only`` names the lines to read.
    """
    reading = Reading(spec, encoding, wanted, only)
    papers: list[Paper] = []
    citations: list[Citation] = []
    problems: list[Problem] = []
    for item in reading:
        if isinstance(item, Paper):
            papers.append(item)
        elif isinstance(item, Citation):
            citations.append(item)
        else:
            problems.append(item)
    return LoadedSource(
        reading.name,
        reading.format,
        reading.sha256(),
        key,
        reading.authority,
        tuple(papers),
        tuple(citations),
        tuple(problems),
        reading.cites,
    )


def source_keys(specs: Sequence[SourceSpec]) -> list[str]:
    """IRI keys from file names; files that share a name get their index appended."""
    base = [slugify(s.path.name) for s in specs]
    counts = Counter(base)
    return [k if counts[k] == 1 else f"{k}-{i + 1}" for i, k in enumerate(base)]


def check_names(specs: Sequence[SourceSpec]) -> None:
    """Records are known by file name and line, so two sources may not share a file name."""
    names = Counter(s.path.name for s in specs)
    for name, n in names.items():
        if n > 1:
            paths = ", ".join(str(s.path) for s in specs if s.path.name == name)
            raise UsageError(
                f"{n} sources are named {name} ({paths}); records are known "
                f"by file name and line, so rename all but one"
            )


def read_all(
    specs: Sequence[SourceSpec],
    encoding: str | None = None,
    step: Step | None = None,
    wanted: Wanted | None = None,
    lines: Mapping[str, Container[int]] | None = None,
) -> list[LoadedSource]:
    """Read every source; the first unusable file stops the build with its error.

    ``lines`` (with ``wanted``) gives per file name the only lines to read, for readers
    that can pass over the others unparsed; a file it does not name has none to read.
    """
    check_names(specs)
    loaded = []
    for spec, key in zip(specs, source_keys(specs), strict=True):
        if step:
            step(f"reading {spec.path.name}")
        only = None if lines is None else lines.get(spec.path.name, ())
        loaded.append(read_source(spec, key, encoding, wanted, only))
    return loaded


def lines_of(records: Iterable[str]) -> dict[str, set[int]]:
    """Per file name, the lines the records (ids ``FILE:LINE`` or ``FILE:LINE#ITEM``) start
    on.  An id of no such shape names no line: no source holds its record, which the check
    of the records read against the saved resolution then reports."""
    lines: dict[str, set[int]] = {}
    for record in records:
        name, _, line = record.rpartition(":")
        number = line.partition("#")[0]
        if name and number.isdigit():
            lines.setdefault(name, set()).add(int(number))
    return lines
