"""The typed record model that every stage shares.

Readers turn input files into these frozen records; resolution, graph building and the
exports consume them.  Nothing here knows about RDF or about any input format.

>>> a = Author.from_written("Jiashi FENG*")
>>> (a.name, a.equal_contribution)
('Jiashi FENG', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.text import clean_person_name, normalize_person_name


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: the input file's name and the 1-based line it starts on.

    ``item`` tells apart records that start on the same line (a one-line JSON document
    holding many works): the second is item 1, and so on.
    """

    file: str
    line: int
    item: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" + (f"#{self.item}" if self.item else "")


@dataclass(frozen=True, slots=True)
class Affiliation:
    """An institution an author gave for one paper (true of that paper, not forever).

    ``name`` is the institution as a source names it, ``id`` a canonical ``scheme:value``
    (``ror:05x2bcf33``, ``openalex:I136199984``), ``country`` an ISO 3166-1 alpha-2 code
    or a country name as given, ``domain`` a web or mail domain a source gives for it, and
    ``raw`` the affiliation string exactly as written (department, city and all).
    """

    name: str | None = None
    id: str | None = None
    country: str | None = None
    domain: str | None = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """One author slot of a paper, in order.

    ``written`` is the name exactly as the source spelled it (markup removed), ``name`` the
    display form (contribution marks and stray punctuation removed), ``normalized`` the
    matching key (Unicode folded, accents dropped, lower case).  ``ids`` are the person's
    identifiers the source gives (ORCID, OpenReview profile, OpenAlex, dblp, Semantic
    Scholar) and ``affiliations`` the institutions given for this paper.
    """

    written: str
    name: str
    normalized: str
    email: str | None = None
    equal_contribution: bool = False
    ids: tuple[tuple[str, str], ...] = ()
    affiliations: tuple[Affiliation, ...] = ()

    @classmethod
    def from_written(
        cls,
        written: str,
        email: str | None = None,
        name: str | None = None,
        ids: tuple[tuple[str, str], ...] = (),
        affiliations: tuple[Affiliation, ...] = (),
    ) -> Author:
        """Build an author from a name as written, e.g. ``"Bo Dai*"`` or ``"Yi Wu†"``.

        ``name`` overrides the display form where the reader knows better, e.g. ``"Y. M.
        Asano"`` for the reversed ``"Asano YM."``.  ``ids`` are canonical ``(scheme,
        value)`` person identifiers (:mod:`kg.identifiers`), sorted.
        """
        cleaned, marked = clean_person_name(written if name is None else name)
        if name is not None:
            marked = marked or clean_person_name(written)[1]
        name = cleaned
        return cls(
            written=written.strip(),
            name=name,
            normalized=normalize_person_name(name),
            email=email,
            equal_contribution=marked,
            ids=ids,
            affiliations=affiliations,
        )


@dataclass(frozen=True, slots=True)
class Ids:
    """External identifiers.  ``other`` holds further schemes as sorted (scheme, value) pairs."""

    openreview: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    other: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, str]:
        """The identifiers that are set, by scheme name."""
        out = {
            k: v
            for k, v in (("openreview", self.openreview), ("arxiv", self.arxiv), ("doi", self.doi))
            if v
        }
        out.update(dict(self.other))
        return out


@dataclass(frozen=True, slots=True)
class Urls:
    """Web addresses of a paper: its forum page, its PDF and its code."""

    forum: str | None = None
    pdf: str | None = None
    code: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject a source assigns to a paper (an arXiv category, an OpenAlex concept).

    ``scheme`` names the classification (``"arxiv"``, ``"openalex"``); ``score`` is the
    source's confidence where it gives one.
    """

    label: str
    scheme: str | None = None
    score: float | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as one source describes it.

    ``title`` may be missing (some list entries have none); ``decision`` is one of
    :data:`DECISIONS` or ``None``.  ``keywords`` are the authors' own; ``subjects`` are
    classifications a source assigns; ``ratings`` are review scores where a source has them.
    """

    source: SourceRef
    title: str | None
    authors: tuple[Author, ...] = ()
    abstract: str | None = None
    venue: str | None = None
    year: int | None = None
    decision: str | None = None
    keywords: tuple[str, ...] = ()
    tldr: str | None = None
    urls: Urls = field(default_factory=Urls)
    ids: Ids = field(default_factory=Ids)
    subjects: tuple[Subject, ...] = ()
    ratings: tuple[float, ...] = ()

    @property
    def id(self) -> str:
        """A stable id of this source record: ``FILE:LINE``."""
        return str(self.source)


@dataclass(frozen=True, slots=True)
class Citation:
    """A paper cited by a text (a blog post), as the text cites it.

    ``authors`` is the abbreviation as written (``"D. Lee et al."``); ``paragraph`` is the
    prose paragraph the citation belongs to and ``paragraph_line`` its line.
    """

    source: SourceRef
    title: str | None
    authors: str
    url: str | None
    ids: Ids = field(default_factory=Ids)
    extra_urls: tuple[str, ...] = ()
    paragraph: str | None = None
    paragraph_line: int | None = None
    index: int = 0

    @property
    def id(self) -> str:
        """A stable id of this citation: ``FILE:LINE#N``, N its 0-based order on the line."""
        return f"{self.source}#{self.index}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader could not make sense of: kept for the build report, never dropped."""

    source: SourceRef
    message: str
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


Record = Paper | Citation
Item = Paper | Citation | Problem

#: Decisions the record model knows; readers map their own words onto these.
DECISIONS = ("Oral", "Spotlight", "Poster", "Workshop", "Reject", "Withdrawn", "Unknown")
