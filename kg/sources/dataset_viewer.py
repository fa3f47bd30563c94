"""``dataset-viewer``: a Hugging Face dataset-viewer page copied as text.

The dump starts with the column list: each column name is followed by its type line
(``stringlengths``, ``stringclasses``, ``int64``, …) and that type's statistics lines
(``19`` / ``143``, ``3 values``, ``2.38k``).  Then every record takes exactly one line per
column, in column order, with no blank lines between records.  The columns this reader needs
are ``title``, ``url``, ``detail_url``, ``authors`` (comma-joined, no spaces), ``tags``
(``ICLR 2021,Poster``: the venue, then the decision), ``abstract`` and ``pdf``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kg.errors import InputError
from kg.identifiers import forum_of_url, paper_ids
from kg.records import Author, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.mapping import normalize_decision
from kg.text import collapse_ws

COLUMNS = ("title", "url", "detail_url", "authors", "tags", "abstract", "pdf")

_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_TYPE = re.compile(
    r"^(?:large_)?(?:string|u?int|float|bool|null|dict|list|sequence|timestamp|date|time"
    r"|duration|binary|image|audio|video|classlabel|struct|decimal|array|json)"
    r"[\w\[\]]*(?: \(\w+\))?$"
)
_STAT = re.compile(r"^-?\d[\d.,]*[kKMBT]?%?(?: (?:values|classes))?$")
_URL = re.compile(r"^https?://\S+$")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_HEAD_LINES = 400


@dataclass(frozen=True, slots=True)
class Header:
    """The column names in order and the 0-based index of the first record line."""

    columns: tuple[str, ...]
    end: int


def _stat_count(kind: str) -> int:
    """How many statistics lines the viewer prints after a type line."""
    if kind.endswith("classes") or kind == "bool":
        return 1
    if kind in ("null", "dict", "struct", "json"):
        return 0
    return 2


def parse_header(lines: Sequence[str]) -> Header:
    """Read the column list: ``name``, a type line, then up to that type's statistics lines."""
    columns: list[str] = []
    i = 0
    while i + 1 < len(lines) and _NAME.match(lines[i]) and _TYPE.match(lines[i + 1]):
        columns.append(lines[i])
        kind = lines[i + 1]
        i += 2
        for _ in range(_stat_count(kind)):
            if i < len(lines) and _STAT.match(lines[i].strip()):
                i += 1
    return Header(tuple(columns), i)


def sniff(source: SourceFile) -> int:
    """Certain when the head opens with a typed column list holding the expected columns."""
    header = parse_header(source.head.split("\n")[:_HEAD_LINES])
    if not header.columns:
        return 0
    if set(COLUMNS) <= set(header.columns):
        return 95
    return 40 if "title" in header.columns else 10


def _is_url(value: str) -> bool:
    return bool(_URL.match(value.strip()))


def _fits(lines: Sequence[str], p: int, index: dict[str, int], width: int) -> bool:
    """Whether ``lines[p:p + width]`` look like one record: URLs exactly where expected."""
    if p + width > len(lines):
        return False
    value = {name: lines[p + k].strip() for name, k in index.items()}
    return (
        bool(value["title"])
        and not _is_url(value["title"])
        and _is_url(value["url"])
        and _is_url(value["detail_url"])
        and (not value["pdf"] or _is_url(value["pdf"]))
        and not _is_url(value["authors"])
        and not _is_url(value["tags"])
    )


def _paper(values: dict[str, str], where: SourceRef, url_line: int) -> Iterator[Item]:
    """The paper of one well-formed record, or a problem when its url is not a forum url."""
    forum = forum_of_url(values["url"])
    if not forum:
        yield Problem(
            where,
            f"line {url_line}: url {values['url'][:80]!r} is not an OpenReview "
            "forum url (https://openreview.net/forum?id=ID); record skipped",
        )
        return
    problems: list[Problem] = []
    if values["detail_url"] != values["url"]:
        problems.append(
            Problem(
                where, f"detail_url {values['detail_url'][:80]!r} differs from url; url is used"
            )
        )
    tags = [t.strip() for t in values["tags"].split(",")]
    venue = tags[0] or None
    decision = normalize_decision(tags[1]) if len(tags) > 1 and tags[1] else None
    if len(tags) > 1 and tags[1] and decision is None:
        problems.append(
            Problem(
                where,
                f"unknown decision {tags[1]!r} in tags "
                f"{values['tags']!r}; expected 'VENUE,DECISION'",
            )
        )
    year = _YEAR.search(venue) if venue else None
    authors = tuple(Author.from_written(n) for n in values["authors"].split(",") if n.strip())
    yield Paper(
        source=where,
        title=collapse_ws(values["title"]) or None,
        authors=authors,
        abstract=collapse_ws(values["abstract"]) or None,
        venue=venue,
        year=int(year.group(1)) if year else None,
        decision=decision,
        urls=Urls(forum=values["url"], pdf=values["pdf"] or None),
        ids=paper_ids(openreview=forum),
    )
    yield from problems


def _garbage(source: SourceFile, lines: Sequence[str], p: int, q: int, width: int) -> Problem:
    """A problem for ``lines[p:q]``, which do not form a record."""
    where = SourceRef(source.name, p + 1)
    expected = f"expected {width} lines a record ({', '.join(COLUMNS)} …)"
    if q == len(lines) and q - p < width:
        return Problem(
            where,
            f"record truncated: only {q - p} of its {width} lines are present; {expected}; skipped",
        )
    return Problem(
        where,
        f"lines {p + 1}-{q} do not form a record (URLs not on the url/pdf "
        f"lines); {expected}; skipped",
    )


def read(source: SourceFile) -> Iterator[Item]:
    """Papers from a dataset-viewer dump, in file order."""
    lines = source.lines()
    header = parse_header(lines)
    missing = [c for c in COLUMNS if c not in header.columns]
    if missing:
        found = ", ".join(header.columns) or "none"
        raise InputError(
            source.name,
            f"not a dataset-viewer dump with the columns "
            f"{', '.join(COLUMNS)}: missing {', '.join(missing)} "
            f"(columns found: {found})",
            1,
        )
    width = len(header.columns)
    index = {name: header.columns.index(name) for name in COLUMNS}
    while len(lines) > header.end and not lines[-1].strip():
        lines = lines[:-1]  # a final newline (or trailing blank lines) ends the dump
    p = header.end
    while p < len(lines):
        if _fits(lines, p, index, width):
            values = {name: lines[p + k].strip() for name, k in index.items()}
            yield from _paper(values, SourceRef(source.name, p + 1), p + index["url"] + 1)
            p += width
            continue
        q = next((r for r in range(p + 1, len(lines)) if _fits(lines, r, index, width)), len(lines))
        yield _garbage(source, lines, p, q, width)
        p = q


READER = Reader(
    name="dataset-viewer",
    description="Hugging Face dataset-viewer text dump (7 lines a record: title, url, "
    "detail_url, authors, tags, abstract, pdf)",
    sniff=sniff,
    read=read,
    authority=70,
)
