"""``openreview-page``: an OpenReview venue page saved as text (a browser's text rendering).

The page has a header (navigation and the venue block, e.g. ``ICLR 2020``), then one record
per paper, each starting at a line that is exactly ``  *``, then a footer from the line
``  * About OpenReview``.  A record holds, in order: the title block (wrapped, with the forum
link ``<https://openreview.net/forum?id=ID>`` on its own line or appended to the last title
line, then the pdf link), the author block (``Name <…/profile?email=LOCAL%40DOMAIN>`` or
``Name <…/profile?id=~First_Last1>`` items joined by commas and re-wrapped, even inside
names; the email or the profile id is kept), two meta lines
(``25 Sep 2019 (modified: …) ICLR 2020 Conference Blind`` / ``Submission Readers: …``), a
``Show details`` / ``Hide details`` toggle and field bullets ``o *Name:* value``, whose value
may continue on the following lines.  The page does not say which tab (decision) it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from kg.errors import InputError
from kg.identifiers import paper_ids, person_ids
from kg.records import Author, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.text import collapse_ws

_RECORD = re.compile(r"^  \*\s*$")
_FOOTER = re.compile(r"^  \* About OpenReview")
_FORUM = re.compile(r"<?https?://openreview\.net/forum\?id=([\w-]+)>?")
_PDF = re.compile(r"<?https?://openreview\.net/pdf\?id=([\w-]+)>?")
_PROFILE = re.compile(r"<https?://openreview\.net/profile\?(email|id)=([^<>\s]*)>")
_OUTSIDE_LINK_COMMA = re.compile(r",(?![^<>]*>)")
_DATE = re.compile(r"^\s*\d{1,2} [A-Z][a-z]{2} (?:19|20)\d\d\b")
_TOGGLE = re.compile(r"^\s*(?:Show|Hide) details\b")
_FIELD = re.compile(r"^\s*o \*([^*]+?):\*(.*)$")
_URL = re.compile(r"https?://[^\s<>]+")
_LETTER = re.compile(r"[^\W\d_]")
_VENUE_WORDS = r"[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)* (?:19|20)\d\d"
_HEADER_VENUE = re.compile(rf"^\s*({_VENUE_WORDS})\s*$")
_META_VENUE = re.compile(rf"({_VENUE_WORDS}) Conference\b")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")

# Sniffing signals (on the head only).
_SNIFF_FORUM = re.compile(r"<https://openreview\.net/forum\?id=[\w-]+>")
_SNIFF_SIGNALS = (
    re.compile(r"^  \*$", re.MULTILINE),
    re.compile(r"<https://openreview\.net/profile\?(?:email|id)="),
    re.compile(r"^\s+o \*(?:Abstract|Keywords|TL;DR):\*", re.MULTILINE),
    re.compile(r"^\s*(?:Show|Hide) details <#", re.MULTILINE),
)


def sniff(source: SourceFile) -> int:
    """High when the head has bracketed forum links plus record markers, profile links or
    field bullets of a rendered OpenReview page."""
    head = source.head
    if not _SNIFF_FORUM.search(head):
        return 0
    found = sum(1 for signal in _SNIFF_SIGNALS if signal.search(head))
    return 0 if found == 0 else min(100, 60 + 10 * found)


@dataclass(slots=True)
class _RecordDraft:
    """The parts of one record gathered while walking its lines."""

    title_line: int = 0
    title: str = ""
    forum_id: str | None = None
    pdf_id: str | None = None
    authors: list[Author] = field(default_factory=list)
    venue: str | None = None
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _note(draft: _RecordDraft, where: SourceRef, message: str) -> None:
    draft.problems.append(Problem(where, message))


def _header_venue(lines: Sequence[str]) -> str | None:
    """The venue named on its own line in the page header, e.g. ``ICLR 2020``."""
    for line in lines:
        if match := _HEADER_VENUE.match(line):
            return collapse_ws(match.group(1))
    return None


def _split_records(lines: Sequence[str]) -> tuple[int, list[tuple[int, int]]]:
    """The header's end and the (first, end) 0-based line ranges of the records."""
    end = next((i for i, ln in enumerate(lines) if _FOOTER.match(ln)), len(lines))
    marks = [i for i in range(end) if _RECORD.match(lines[i])]
    if not marks:
        return end, []
    return marks[0], list(zip(marks, [*marks[1:], end], strict=True))


def _take_title(lines: Sequence[str], i: int, end: int, draft: _RecordDraft) -> int:
    """Read the title block starting at ``lines[i]``; return the index after it."""
    first = i
    parts: list[str] = []
    while i < end and lines[i].strip():
        line = lines[i]
        if i > first and (_PROFILE.search(line) or _DATE.match(line) or _FIELD.match(line)):
            break
        parts.append(line)
        i += 1
        if _PDF.search(line):
            break
    text = " ".join(parts)
    if forum := _FORUM.search(text):
        draft.forum_id = forum.group(1)
    if pdf := _PDF.search(text):
        draft.pdf_id = pdf.group(1)
    draft.title = collapse_ws(_PDF.sub(" ", _FORUM.sub(" ", text)))
    draft.title_line = first + 1
    return i


def _parse_authors(text: str, where: SourceRef, draft: _RecordDraft) -> None:
    """Authors from the joined author block: comma-separated ``Name <profile link>`` items."""
    for item in _OUTSIDE_LINK_COMMA.split(text):
        if not item.strip():
            continue
        link = _PROFILE.search(item)
        name = collapse_ws(_PROFILE.sub(" ", item))
        if not _LETTER.search(name) or "<" in name or ">" in name:
            _note(
                draft,
                where,
                f"author item {collapse_ws(item)[:80]!r} is not "
                "'Name <https://openreview.net/profile?...>'; skipped",
            )
            continue
        email = None
        ids: tuple[tuple[str, str], ...] = ()
        if link and link.group(1) == "email":
            email = unquote(link.group(2)).strip() or None
        elif link:
            ids = person_ids([("openreview", unquote(link.group(2)))])
        draft.authors.append(Author.from_written(name, email=email, ids=ids))


def _take_authors(
    lines: Sequence[str], i: int, end: int, draft: _RecordDraft, source: SourceFile
) -> int:
    """Read the author block (up to the date line); return the index after it."""
    first = i
    block: list[str] = []
    while i < end and not (
        _DATE.match(lines[i]) or _TOGGLE.match(lines[i]) or _FIELD.match(lines[i])
    ):
        block.append(lines[i])
        i += 1
    text = " ".join(block)
    if text.strip():
        where = SourceRef(
            source.name, first + 1 + next(n for n, ln in enumerate(block) if ln.strip())
        )
        _parse_authors(text, where, draft)
    return i


def _take_meta(
    lines: Sequence[str], i: int, end: int, draft: _RecordDraft, source: SourceFile
) -> int:
    """Read the meta lines, the toggle and any stray text before the first field bullet."""
    meta: list[str] = []
    while i < end and not _FIELD.match(lines[i]):
        line = lines[i]
        if _TOGGLE.match(line) or not line.strip():
            pass
        elif meta or _DATE.match(line):
            meta.append(line)
        else:
            _note(
                draft,
                SourceRef(source.name, i + 1),
                f"unexpected text {collapse_ws(line)[:60]!r} before the field bullets; ignored",
            )
        i += 1
    if venue := _META_VENUE.search(collapse_ws(" ".join(meta))):
        draft.venue = venue.group(1)
    return i


def _take_fields(
    lines: Sequence[str], i: int, end: int, draft: _RecordDraft, source: SourceFile
) -> None:
    """Read the field bullets; continuation lines join the value of the bullet above."""
    name, line_no, parts = "", 0, []
    for j in range(i, end + 1):
        match = _FIELD.match(lines[j]) if j < end else None
        if j < end and not match:
            parts.append(lines[j])
            continue
        if name:
            key = collapse_ws(name).lower()
            if key in draft.fields:
                _note(
                    draft,
                    SourceRef(source.name, line_no),
                    f"field {name!r} given twice; the first is kept",
                )
            else:
                draft.fields[key] = (line_no, collapse_ws(" ".join(parts)))
        if match:
            name, line_no, parts = match.group(1), j + 1, [match.group(2)]


def _paper(draft: _RecordDraft, source: SourceFile, page_venue: str | None) -> Paper:
    """The paper a complete draft describes; field problems are added to the draft."""
    where = SourceRef(source.name, draft.title_line)
    values = dict(draft.fields)
    keywords: tuple[str, ...] = ()
    if "keywords" in values:
        keywords = tuple(k for p in values.pop("keywords")[1].split(",") if (k := p.strip()))
    code: tuple[str, ...] = ()
    if "code" in values:
        code_line, code_text = values.pop("code")
        code = tuple(u.rstrip(".,;)") for u in _URL.findall(code_text))
        if code_text and not code:
            _note(
                draft,
                SourceRef(source.name, code_line),
                f"Code value {code_text[:60]!r} holds no URL; ignored",
            )
    abstract = values.pop("abstract", (0, ""))[1] or None
    tldr = values.pop("tl;dr", (0, ""))[1] or None
    values.pop("original pdf", None)
    for key, (line_no, _) in values.items():
        _note(draft, SourceRef(source.name, line_no), f"field {key!r} is not read; ignored")
    ids = paper_ids(openreview=draft.forum_id or draft.pdf_id)
    paper_id = ids.openreview
    if draft.forum_id and draft.pdf_id and draft.forum_id != draft.pdf_id:
        _note(
            draft,
            where,
            f"forum id {draft.forum_id} and pdf id {draft.pdf_id} differ; the forum id is used",
        )
    venue = draft.venue or page_venue
    year = _YEAR.search(venue) if venue else None
    return Paper(
        source=where,
        title=draft.title or None,
        authors=tuple(draft.authors),
        abstract=abstract,
        venue=venue,
        year=int(year.group(1)) if year else None,
        decision=None,
        keywords=keywords,
        tldr=tldr,
        urls=Urls(
            forum=f"https://openreview.net/forum?id={paper_id}" if paper_id else None,
            pdf=f"https://openreview.net/pdf?id={draft.pdf_id or paper_id}" if paper_id else None,
            code=code,
        ),
        ids=ids,
    )


def _read_record(
    lines: Sequence[str], first: int, end: int, source: SourceFile, page_venue: str | None
) -> Iterator[Item]:
    """The paper (and problems) of the record whose marker is ``lines[first]``."""
    draft = _RecordDraft()
    i = first + 1
    while i < end and not lines[i].strip():
        i += 1
    if i == end:
        yield Problem(
            SourceRef(source.name, first + 1),
            "empty record (a '  *' line with "
            "nothing after it); expected a title, authors and field bullets",
        )
        return
    i = _take_title(lines, i, end, draft)
    if draft.forum_id is None and draft.pdf_id is None:
        yield Problem(
            SourceRef(source.name, draft.title_line),
            f"record has no forum link after its title {draft.title[:60]!r}; expected "
            "'<https://openreview.net/forum?id=ID>'; record skipped",
        )
        return
    if not draft.title:
        yield Problem(
            SourceRef(source.name, draft.title_line),
            f"record {draft.forum_id or draft.pdf_id} has no title; record skipped",
        )
        return
    i = _take_authors(lines, i, end, draft, source)
    i = _take_meta(lines, i, end, draft, source)
    _take_fields(lines, i, end, draft, source)
    paper = _paper(draft, source, page_venue)
    if not paper.authors:
        _note(draft, paper.source, "record has no authors")
    yield paper
    yield from sorted(draft.problems, key=lambda p: p.source.line)


def read(source: SourceFile) -> Iterator[Item]:
    """Papers from a saved OpenReview venue page, in page order."""
    lines = source.lines()
    header_end, records = _split_records(lines)
    if not records:
        raise InputError(
            source.name,
            "no records found: expected lines that are exactly '  *' "
            "each followed by a title and '<https://openreview.net/forum?id=ID>'",
        )
    page_venue = _header_venue(lines[:header_end])
    for first, end in records:
        yield from _read_record(lines, first, end, source, page_venue)


READER = Reader(
    name="openreview-page",
    description="OpenReview venue page saved as text (forum links, profile emails, "
    "Keywords/TL;DR/Abstract/Code bullets)",
    sniff=sniff,
    read=read,
    authority=90,
)
