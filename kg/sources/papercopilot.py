"""``papercopilot``: a Paper Copilot paper list (``paperlists``: a JSON array of flat objects).

Multi-valued fields are ``;``-joined strings whose empty slots keep positions: ``author``
and ``authorids``/``email`` are aligned slot by slot (an email is kept where its slot holds
an ``@``), ``keywords`` drop their empty slots, ``rating`` gives the review scores.
``status`` is the decision (``Withdraw`` → Withdrawn; ``Active``, a submission still
without a decision, → Unknown).  ``Anonymous`` authors (withdrawn or undecided
submissions) are not people and are left out.  The forum id is ``id`` (or the
``openreview`` forum URL); venue and year come from the record's own ``iclr.cc/virtual/2018``
site or ``ICLR.cc/2018/Conference`` group, else from the file's most common one: a
Paper Copilot list covers one conference year.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from kg.errors import InputError
from kg.records import Author, Ids, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import parse
from kg.sources.mapping import normalize_decision
from kg.text import collapse_ws

_KEY = re.compile(r'"(status|author|authorids|site|track|gs_citation|rating_avg|aff)"\s*:')
_SITE = re.compile(r"https?://(?:www\.)?([a-z]+)\.cc/virtual/((?:19|20)\d\d)/", re.IGNORECASE)
_GROUP = re.compile(r"\b([A-Za-z]+)\.cc/((?:19|20)\d\d)/Conference\b")
_FORUM = re.compile(r"openreview\.net/forum\?id=([A-Za-z0-9_-]+)")
_CODE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^\s)\]\"']+")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_STATUS = {"active": "Unknown"}
_NOT_A_PERSON = frozenset({"anonymous"})


def sniff(source: SourceFile) -> int:
    """Certain when the head is a JSON array of objects with Paper Copilot's keys."""
    head = source.head.lstrip()
    if not head.startswith("["):
        return 0
    keys = set(_KEY.findall(head[:20000]))
    return 97 if {"status", "author"} <= keys and len(keys) >= 4 else 0


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    raw = obj.get(key)
    if raw is None or isinstance(raw, (dict, list)):
        return None
    return collapse_ws(str(raw)) or None


def _slots(obj: Mapping[str, Any], key: str) -> list[str]:
    """The ``;``-separated slots of a field, empty ones kept in place."""
    raw = obj.get(key)
    return [collapse_ws(s) for s in raw.split(";")] if isinstance(raw, str) and raw else []


def _authors(obj: Mapping[str, Any]) -> tuple[Author, ...]:
    names = _slots(obj, "author")
    ids, emails = _slots(obj, "authorids"), _slots(obj, "email")
    authors = []
    for i, name in enumerate(names):
        if not name or name.lower() in _NOT_A_PERSON:
            continue
        email = next((s[i] for s in (ids, emails) if i < len(s) and "@" in s[i]), None)
        authors.append(Author.from_written(name, email=email))
    return tuple(authors)


def venue_of(obj: Mapping[str, Any]) -> tuple[str, int] | None:
    """The conference and year a record names itself, from its site or author group."""
    for key in ("site", "authorids", "bibtex", "pdf"):
        raw = obj.get(key)
        if not isinstance(raw, str):
            continue
        match = _SITE.search(raw) or _GROUP.search(raw)
        if match:
            return match.group(1).upper(), int(match.group(2))
    return None


def _decision(obj: Mapping[str, Any], problems: list[str]) -> str | None:
    status = _text(obj, "status")
    if status is None:
        return None
    decision = _STATUS.get(status.lower()) or normalize_decision(status)
    if decision is None:
        problems.append(f"unknown status {status!r} (known: Oral, Spotlight, Poster, Workshop, "
                        "Reject, Withdraw, Active)")
    return decision


def _ratings(obj: Mapping[str, Any]) -> tuple[float, ...]:
    return tuple(float(s) for s in _slots(obj, "rating") if _NUMBER.match(s))


def _urls(obj: Mapping[str, Any], forum_id: str | None) -> Urls:
    forum = _text(obj, "openreview") or _text(obj, "site")
    if not (forum and _FORUM.search(forum)):
        forum = f"https://openreview.net/forum?id={forum_id}" if forum_id else None
    code = tuple(dict.fromkeys(_CODE.findall(_text(obj, "github") or "")))
    return Urls(forum=forum, pdf=_text(obj, "pdf"), code=code)


def _paper(obj: Mapping[str, Any], where: SourceRef,
           default: tuple[str, int] | None) -> Iterator[Item]:
    problems: list[str] = []
    title = _text(obj, "title")
    if not title:
        yield Problem(where, "record has no title; skipped")
        return
    forum_id = _text(obj, "id")
    if forum_id is None and (m := _FORUM.search(_text(obj, "site") or "")):
        forum_id = m.group(1)
    venue = venue_of(obj) or default
    paper = Paper(
        source=where,
        title=title,
        authors=_authors(obj),
        abstract=_text(obj, "abstract"),
        venue=f"{venue[0]} {venue[1]}" if venue else None,
        year=venue[1] if venue else None,
        decision=_decision(obj, problems),
        keywords=tuple(k for k in _slots(obj, "keywords") if k),
        tldr=_text(obj, "tldr"),
        urls=_urls(obj, forum_id),
        ids=Ids(openreview=forum_id),
        ratings=_ratings(obj),
    )
    for message in problems:
        yield Problem(where, message)
    yield paper


def read_papercopilot(source: SourceFile) -> Iterator[Item]:
    """Papers from the objects of the array, in file order."""
    doc = parse(source)
    if not isinstance(doc.value, list):
        raise InputError(source.name, "expected a JSON array of paper objects", 1)
    records = [r for r in doc.value if isinstance(r, Mapping)]
    venues = Counter(v for r in records if (v := venue_of(r)))
    default = venues.most_common(1)[0][0] if venues else None
    for index, record in enumerate(doc.value):
        if not isinstance(record, Mapping):
            yield Problem(SourceRef(source.name, 1), f"array item {index} is a "
                          f"{type(record).__name__}, not a paper object; ignored")
            continue
        yield from _paper(record, SourceRef(source.name, doc.line(record)), default)


READER = Reader(
    name="papercopilot",
    description="Paper Copilot paper list (JSON array of flat objects with status, "
    ";-joined authors, emails and keywords)",
    sniff=sniff,
    read=read_papercopilot,
    authority=70,
)
