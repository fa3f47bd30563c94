"""``papercopilot``: a Paper Copilot paper list (``paperlists``: a JSON array of flat objects).

Multi-valued fields are ``;``-joined strings whose empty slots keep positions: ``author``
and ``authorids``/``email`` are aligned slot by slot (an email is kept where its slot holds
an ``@``, an OpenReview profile id where it starts with ``~``), ``keywords`` drop their
empty slots, ``rating`` gives the review scores.

The fields Paper Copilot takes from authors' profiles (``orcid``, ``dblp``, ``aff``,
``aff_domain`` and the ``aff_*`` lists) follow ``or_profile``, which in some lists is the
authors in another order, some under another profile id (CoRL 2021-2024: about one slot in
ten).  A profile slot belongs to the author whose ``authorids`` entry it equals, else to the
one author left whose surname its id holds (or the only one left); a slot matched to no
author is not used.  ``aff`` is the affiliation as written (several in one slot are joined
with ``+`` in newer lists), ``aff_domain`` its mail domain; ``aff_unique_norm`` (with
``aff_unique_url``) and ``aff_country_unique`` name each distinct institution and country
once, and their ``*_index`` lists point into them, one entry per slot or one per non-empty
``aff`` slot (both occur).  An index list whose length fits neither is not used: the slot
keeps its affiliation as written, with no normalised name or country.  ``Unknown
Institution`` and ``Unknown`` are not names.

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
from kg.identifiers import forum_of_url, normalize, paper_ids, person_ids
from kg.records import Affiliation, Author, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import parse
from kg.sources.mapping import normalize_decision
from kg.text import ascii_fold, collapse_ws

_KEY = re.compile(r'"(status|author|authorids|site|track|gs_citation|rating_avg|aff)"\s*:')
_SITE = re.compile(r"https?://(?:www\.)?([a-z]+)\.cc/virtual/((?:19|20)\d\d)/", re.IGNORECASE)
_GROUP = re.compile(r"\b([A-Za-z]+)\.cc/((?:19|20)\d\d)/Conference\b")
_CODE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^\s)\]\"']+")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_STATUS = {"active": "Unknown"}
_NOT_A_PERSON = frozenset({"anonymous"})
_NO_VALUE = frozenset({"", "unknown", "unknown institution"})
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)
_PROFILE_DIGITS = re.compile(r"\d+$")
#: the profile fields holding a person identifier per slot, and their scheme
_PROFILE_IDS = (("orcid", "orcid"), ("dblp", "dblp"))


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


def _slot(values: list[str], i: int) -> str:
    return values[i] if i < len(values) else ""


def _aligned(index: list[str], aff: list[str]) -> list[list[str]] | None:
    """The ``+``-parts of an ``*_index`` list per ``aff`` slot, or ``None`` if it fits neither
    alignment (one entry per slot, or one per non-empty slot)."""
    filled = [i for i, a in enumerate(aff) if a]
    if not index or len(index) not in (len(aff), len(filled)):
        return None
    positions = range(len(aff)) if len(index) == len(aff) else filled
    out: list[list[str]] = [[] for _ in aff]
    for position, entry in zip(positions, index, strict=True):
        out[position] = [p.strip() for p in entry.split("+")]
    return out


def _pick(values: list[str], index: list[str], j: int) -> str | None:
    """``values[index[j]]`` when the index is a number pointing into the list."""
    raw = index[j] if j < len(index) else ""
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= len(values):
        return None
    value = values[int(raw)]
    return None if value.lower() in _NO_VALUE else value


def _host(url: str | None) -> str | None:
    match = _HOST.match(url.strip()) if url else None
    return match.group(1).lower() if match else None


def _affiliations(obj: Mapping[str, Any]) -> list[tuple[Affiliation, ...]]:
    """The affiliations of every author slot, in slot order (empty where none is given)."""
    aff = _slots(obj, "aff")
    if not any(aff):
        return []
    domains = _slots(obj, "aff_domain")
    names, urls = _slots(obj, "aff_unique_norm"), _slots(obj, "aff_unique_url")
    countries = _slots(obj, "aff_country_unique")
    unique = _aligned(_slots(obj, "aff_unique_index"), aff)
    country = _aligned(_slots(obj, "aff_country_unique_index"), aff)
    out: list[tuple[Affiliation, ...]] = []
    for i, written in enumerate(aff):
        if not written:
            out.append(())
            continue
        slot_unique = unique[i] if unique else []
        slot_domains = _slot(domains, i).split("+")
        parts = written.split("+")
        if len(parts) > 1 and len(parts) not in (len(slot_unique), len(slot_domains)):
            parts = [written]  # a "+" that is part of a name
        found = []
        for j, part in enumerate(p.strip() for p in parts):
            name = _pick(names, slot_unique, j) if unique else part
            domain = _host(_pick(urls, slot_unique, j)) if unique else None
            if domain is None and len(slot_domains) == len(parts):
                domain = slot_domains[j].strip().lower() or None
            where = _pick(countries, country[i], j) if country else None
            found.append(
                Affiliation(name=name or None, country=where, domain=domain, raw=part or None)
            )
        out.append(tuple(dict.fromkeys(a for a in found if a.raw)))
    return out


def _surname(name: str) -> str:
    words = ascii_fold(name).lower().replace("-", " ").split()
    return words[-1] if words else ""


def _profile_slots(obj: Mapping[str, Any], names: list[str]) -> list[int | None]:
    """For each author slot, the ``or_profile`` slot holding that author's profile fields."""
    ids, profiles = _slots(obj, "authorids"), _slots(obj, "or_profile")
    if not any(profiles) or profiles == ids[: len(profiles)]:
        return list(range(len(names)))
    slot_of: dict[int, int] = {}
    for i, wanted in enumerate(ids[: len(names)]):
        if wanted and profiles.count(wanted) == 1 and ids.count(wanted) == 1:
            slot_of[i] = profiles.index(wanted)
    authors = [i for i in range(len(names)) if i not in slot_of]
    left = [k for k in range(len(profiles)) if k not in slot_of.values()]
    if len(authors) == 1 and len(left) == 1:
        slot_of[authors[0]] = left[0]
    else:
        words = {
            k: ascii_fold(_PROFILE_DIGITS.sub("", profiles[k]))
            .lower()
            .replace("-", "_")
            .strip("~")
            .split("_")
            for k in left
        }
        surnames = {i: _surname(names[i]) for i in authors}
        for i in authors:
            fits = [k for k in left if surnames[i] and surnames[i] in words[k]]
            if len(fits) == 1 and sum(surnames[j] in words[fits[0]] for j in authors) == 1:
                slot_of[i] = fits[0]
    return [slot_of.get(i) for i in range(len(names))]


def _authors(obj: Mapping[str, Any]) -> tuple[Author, ...]:
    names = _slots(obj, "author")
    ids, emails = _slots(obj, "authorids"), _slots(obj, "email")
    profile = {key: _slots(obj, key) for key, _ in _PROFILE_IDS}
    affiliations = _affiliations(obj)
    slots = _profile_slots(obj, names)
    authors = []
    for i, name in enumerate(names):
        if not name or name.lower() in _NOT_A_PERSON:
            continue
        email = next((s[i] for s in (ids, emails) if i < len(s) and "@" in s[i]), None)
        k = slots[i]
        pairs: list[tuple[str, str | None]] = [("openreview", _slot(ids, i))]
        if k is not None:
            pairs += [(scheme, _slot(profile[key], k)) for key, scheme in _PROFILE_IDS]
        authors.append(
            Author.from_written(
                name,
                email=email,
                ids=person_ids(pairs),
                affiliations=affiliations[k] if k is not None and k < len(affiliations) else (),
            )
        )
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
        problems.append(
            f"unknown status {status!r} (known: Oral, Spotlight, Poster, Workshop, "
            "Reject, Withdraw, Active)"
        )
    return decision


def _ratings(obj: Mapping[str, Any]) -> tuple[float, ...]:
    return tuple(float(s) for s in _slots(obj, "rating") if _NUMBER.match(s))


def _urls(obj: Mapping[str, Any], forum_id: str | None) -> Urls:
    forum = _text(obj, "openreview") or _text(obj, "site")
    if not (forum and forum_of_url(forum)):
        forum = f"https://openreview.net/forum?id={forum_id}" if forum_id else None
    code = tuple(dict.fromkeys(_CODE.findall(_text(obj, "github") or "")))
    return Urls(forum=forum, pdf=_text(obj, "pdf"), code=code)


def _paper(
    obj: Mapping[str, Any], where: SourceRef, default: tuple[str, int] | None
) -> Iterator[Item]:
    problems: list[str] = []
    title = _text(obj, "title")
    if not title:
        yield Problem(where, "record has no title; skipped")
        return
    forum_id = normalize("openreview_forum", _text(obj, "id")) or forum_of_url(
        _text(obj, "site") or ""
    )
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
        ids=paper_ids(openreview=forum_id),
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
            yield Problem(
                SourceRef(source.name, 1),
                f"array item {index} is a {type(record).__name__}, not a paper object; ignored",
            )
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
