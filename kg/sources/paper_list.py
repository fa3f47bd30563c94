"""``paper-list``: a markdown list of accepted papers.

Each record is a ``#`` heading (the title), an author line and an abstract line::

    ## **Geom-GCN: Geometric Graph Convolutional Networks**

    - Hongbin Pei, Bingzhe Wei, Kevin Chen-Chuan Chang, Yu Lei, Bo Yang
    - abstract@open-review(Spotlight): Message-passing neural networks ...

Records are anchored on the abstract lines, not on the headings: the author line is the
last non-blank line before the abstract line, the title the nearest heading before that
(some records have none).  Any other text between one abstract line and the next record's
heading continues the earlier abstract.  Browser print headers (``11/1/22, 6:40 PM``) are
dropped wherever they occur.

The file names neither venue nor year, so papers carry ``venue=None`` and ``year=None``.
A file with no abstract line at all is not this format and raises :class:`InputError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import InputError
from kg.records import Author, Item, Paper, Problem, SourceRef
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.text import collapse_ws, strip_emphasis, strip_tags, unescape_markdown

_ABSTRACT = re.compile(
    r"^\s*(?:[-•*]\s+)?abstract@(?:<u>)?open-review\((?P<decision>[^)]*)\)(?:</u>)?:"
    r"\s?(?P<text>.*)$"
)
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<title>.*?)\s*#*\s*$")
_ARTIFACT = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2,4}, \d{1,2}:\d{2}\s*[AP]M\s*$")
_BULLET = re.compile(r"^\s*(?:[-•*]\s+)+")
_OVER_ESCAPED = re.compile(r"\\+([$_])")
_AND = re.compile(r"\s+and\s+")
_LEADING_AND = re.compile(r"^and\s+")
_REVERSED = re.compile(
    r"^(?P<surname>[^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*)*) "
    r"(?P<initials>[A-Z]{1,4})\.$"
)
_SNIFF = re.compile(r"^\s*(?:[-•*]\s+)?abstract@(?:<u>)?open-review\(\w+\)", re.MULTILINE)

#: The file's decision words, mapped onto :data:`kg.records.DECISIONS`.
_DECISIONS = {"poster": "Poster", "spotlight": "Spotlight", "talk": "Oral", "oral": "Oral"}


@dataclass(frozen=True, slots=True)
class _Gap:
    """The content lines between two abstract lines, classified (0-based line indices).

    ``continuation`` precedes the first heading and continues the earlier abstract;
    ``heading`` and ``author`` belong to the next record; ``strays`` are the other lines
    from the first heading on.
    """

    continuation: list[int]
    heading: int | None
    author: int | None
    strays: list[int]


def sniff(source: SourceFile) -> int:
    """Certain when the head has several ``abstract@open-review(...)`` lines."""
    hits = len(_SNIFF.findall(source.head))
    return 95 if hits >= 3 else 70 if hits else 0


def clean_title(raw: str) -> str | None:
    """A heading's text without tags, bold markers and markdown escapes."""
    text = unescape_markdown(strip_emphasis(strip_tags(raw)))
    return collapse_ws(text) or None


def clean_abstract(raw: str) -> str:
    """Abstract text without tags and markdown escapes; LaTeX is kept.

    A run of backslashes before ``$`` or ``_`` is an over-escaped character: the file has
    ``\\\\$`` where the original abstract has ``$``.
    """
    text = _OVER_ESCAPED.sub(r"\1", strip_tags(raw))
    return collapse_ws(unescape_markdown(text))


def _reversed_name(item: str) -> str | None:
    """``"Y. M. Asano"`` for ``"Asano YM."``; ``None`` when the item is not of that form."""
    match = _REVERSED.match(item)
    if match is None:
        return None
    initials = " ".join(f"{c}." for c in match["initials"])
    return f"{initials} {match['surname']}"


def parse_authors(line: str) -> tuple[Author, ...]:
    """The people on an author line, in order.

    Items are separated by commas; ``A and B`` inside one item is two people.  A line whose
    every item is ``Surname INITIALS.`` is in reversed form and gets ``Initials Surname``
    display names (the written form is kept).
    """
    text = collapse_ws(unescape_markdown(strip_tags(_BULLET.sub("", line))))
    items: list[str] = []
    for part in text.split(","):
        part = _LEADING_AND.sub("", part.strip())
        items.extend(p.strip() for p in _AND.split(part) if p.strip())
    flipped = [_reversed_name(item) for item in items]
    if items and all(flipped):
        return tuple(Author.from_written(w, name=n) for w, n in zip(items, flipped, strict=True))
    return tuple(Author.from_written(item) for item in items)


def _classify(lines: list[str], start: int, end: int, anchored: bool = True) -> _Gap:
    """Sort the content lines in ``[start, end)``; ``anchored``: an abstract line follows."""
    content = [i for i in range(start, end) if lines[i].strip() and not _ARTIFACT.match(lines[i])]
    author = None
    if anchored and content and not _HEADING.match(lines[content[-1]]):
        author = content.pop()
    headings = [i for i in content if _HEADING.match(lines[i])]
    heading = headings[-1] if anchored and headings else None
    first = headings[0] if headings else end
    continuation = [i for i in content if i < first]
    strays = [i for i in content if i >= first and i != heading]
    return _Gap(continuation, heading, author, strays)


def _stray_problems(file: str, lines: list[str], gap: _Gap) -> Iterator[Problem]:
    """A problem for each heading that starts no record and each line between title and
    author; text under such a heading is part of the skipped record."""
    for i in gap.strays:
        if _HEADING.match(lines[i]):
            message = (
                "heading with no abstract line after it; record skipped (expected an "
                "author line and an 'abstract@open-review(...)' line)"
            )
        elif gap.heading is not None and i > gap.heading:
            message = "unexpected text between the title heading and the author line; ignored"
        else:
            continue
        yield Problem(SourceRef(file, i + 1), message)


def read_paper_list(source: SourceFile) -> Iterator[Item]:
    """Papers of a markdown paper list, in file order; see the module docstring."""
    lines = source.lines()
    anchors = [(i, m) for i, line in enumerate(lines) if (m := _ABSTRACT.match(line))]
    if not anchors:
        raise InputError(
            source.name, "no 'abstract@open-review(...)' line found; this is not a paper list"
        )
    starts = [-1] + [i for i, _ in anchors]
    gaps = [_classify(lines, starts[k] + 1, i) for k, (i, _) in enumerate(anchors)]
    gaps.append(_classify(lines, anchors[-1][0] + 1, len(lines), anchored=False))
    if gaps[0].continuation:
        yield Problem(
            SourceRef(source.name, gaps[0].continuation[0] + 1),
            "text before the first record; ignored",
        )
    for k, (index, match) in enumerate(anchors):
        yield from _stray_problems(source.name, lines, gaps[k])
        yield from _record(source.name, lines, gaps[k], index, match, gaps[k + 1].continuation)
    yield from _stray_problems(source.name, lines, gaps[-1])


def _record(
    file: str,
    lines: list[str],
    gap: _Gap,
    index: int,
    match: re.Match[str],
    continuation: list[int],
) -> Iterator[Item]:
    """The paper anchored on the abstract line at ``index``, after any problems with it."""
    start = gap.heading if gap.heading is not None else gap.author
    if start is None:
        yield Problem(
            SourceRef(file, index + 1),
            "abstract line with neither a title heading nor an author line before "
            "it; record skipped",
        )
        return
    if gap.author is None:
        yield Problem(
            SourceRef(file, index + 1),
            "abstract line with no author line before it (expected '- Name, Name' "
            "between the title heading and the abstract line); authors left empty",
        )
    word = collapse_ws(match["decision"])
    decision = _DECISIONS.get(word.lower())
    if decision is None:
        yield Problem(
            SourceRef(file, index + 1),
            f"unknown decision {word!r} (expected Poster, Spotlight or Talk); decision left empty",
        )
    heading = _HEADING.match(lines[gap.heading]) if gap.heading is not None else None
    raw = " ".join([match["text"], *(_BULLET.sub("", lines[i]) for i in continuation)])
    yield Paper(
        source=SourceRef(file, start + 1),
        title=clean_title(heading["title"]) if heading else None,
        authors=parse_authors(lines[gap.author]) if gap.author is not None else (),
        abstract=clean_abstract(raw) or None,
        decision=decision,
    )


READER = Reader(
    name="paper-list",
    description="Markdown list of accepted papers: '# Title', author line, "
    "'abstract@open-review(Poster|Spotlight|Talk): ...'",
    sniff=sniff,
    read=read_paper_list,
    authority=60,
)
