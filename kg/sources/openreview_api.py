"""``openreview-api``: notes from the OpenReview API as JSON.

Accepted shapes: one note, a list of notes, an API answer ``{"notes": [...]}``, and a
crawler dump nesting ``venue`` → ``submissions`` → ``revisions`` and reply ``notes``.  Both
API versions are read: v1 content fields are plain values (``content.title`` is a string),
v2 wrap them (``content.title.value``).  A submission (a note with content and no
``replyto``) becomes a paper: title, authors with ``authorids`` in order (an email, or an
OpenReview profile id ``~First_Last1`` kept as the person's identifier), abstract, keywords,
TL;DR, forum id and PDF.  Its reply notes (also ``details.replies`` /
``details.directReplies``) give the decision and the numeric review ratings
(``"7: Good paper, accept"`` → 7.0); comments are discussion, not metadata.  Venue and year
come from the group in ``venueid``, ``domain`` or the invitation
(``NIPS.cc/2018/Workshop/CDNNRIA`` → ``NIPS 2018 Workshop CDNNRIA``).  A plain ``Accept``
is ``Workshop`` at a workshop and ``Poster`` at a conference (the default presentation of
accepted papers where a venue has no tiers).  Revisions are older copies and are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kg.errors import InputError
from kg.identifiers import paper_ids, person_ids
from kg.records import Author, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import JsonDoc, parse
from kg.text import collapse_ws

_INVITATION = re.compile(r'"invitations?"\s*:')
_CONTENT = re.compile(r'"content"\s*:\s*\{')
_RATING = re.compile(r"^\s*(-?\d+(?:\.\d+)?)")
_YEAR_SEGMENT = re.compile(r"^(?:19|20)\d\d$")
_DOMAIN_SUFFIX = re.compile(r"\.(?:cc|org|com|net|io|edu)$")
_RATING_KEYS = ("rating", "recommendation", "overall_rating", "final_rating")
_TLDR_KEYS = ("TL;DR", "TLDR", "tldr", "one-sentence_summary")
_DECISION_WORDS = (
    ("withdraw", "Withdrawn"),
    ("reject", "Reject"),
    ("oral", "Oral"),
    ("talk", "Oral"),
    ("top 5%", "Oral"),
    ("top-5%", "Oral"),
    ("spotlight", "Spotlight"),
    ("top 25%", "Spotlight"),
    ("top-25%", "Spotlight"),
    ("poster", "Poster"),
    ("workshop", "Workshop"),
)
_BASE = "https://openreview.net"


def sniff(source: SourceFile) -> int:
    """Certain when the head holds notes: an ``invitation`` and a ``content`` object."""
    head = source.head.lstrip()
    if not head.startswith(("{", "[")):
        return 0
    return 97 if _INVITATION.search(head) and _CONTENT.search(head) else 0


def value(field: Any) -> Any:
    """A content field's value in either API version (v2 wraps it in ``{"value": ...}``)."""
    if isinstance(field, Mapping) and "value" in field:
        return field["value"]
    return field


def _text(field: Any) -> str | None:
    raw = value(field)
    if raw is None or isinstance(raw, (dict, list)):
        return None
    return collapse_ws(str(raw)) or None


def _strings(field: Any) -> list[str]:
    raw = value(field)
    if isinstance(raw, str):
        raw = raw.split(";") if ";" in raw else raw.split(",")
    if not isinstance(raw, list):
        return []
    return [t for item in raw if (t := _text(item))]


def venue_of_group(group: str) -> tuple[str | None, int | None]:
    """Venue name and year from a group id.

    >>> venue_of_group("NIPS.cc/2018/Workshop/CDNNRIA/-/Blind_Submission")
    ('NIPS 2018 Workshop CDNNRIA', 2018)
    >>> venue_of_group("ICLR.cc/2024/Conference")
    ('ICLR 2024', 2024)
    """
    parts = group.split("/-/")[0].split("/")
    for i, part in enumerate(parts):
        if i and _YEAR_SEGMENT.match(part):
            org = _DOMAIN_SUFFIX.sub("", parts[i - 1])
            name = f"{org} {part}"
            rest = parts[i + 1 :]
            if len(rest) >= 2 and rest[0] == "Workshop":
                name += f" Workshop {rest[1]}"
            return name, int(part)
    return None, None


def is_workshop(group: str) -> bool:
    """Whether a group id or venue names a workshop."""
    return "workshop" in group.lower()


def decision_of(text: str, workshop: bool) -> str | None:
    """The record model's decision for an OpenReview decision text, or ``None``.

    >>> decision_of("Accept (Poster)", False), decision_of("accept", True)
    ('Poster', 'Workshop')
    """
    lower = collapse_ws(text).lower()
    for word, decision in _DECISION_WORDS:
        if word in lower:
            return decision
    if "accept" in lower:
        return "Workshop" if workshop else "Poster"
    return None


def rating_of(field: Any) -> float | None:
    """A review score from ``"7: Good paper, accept"``, ``7`` or ``{"value": 7}``."""
    raw = value(field)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    match = _RATING.match(str(raw)) if isinstance(raw, str) else None
    return float(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class _Found:
    """A note and the venue group it was found under (the crawler's ``venue``/``year``)."""

    note: Mapping[str, Any]
    group: str | None


def _walk(node: Any, group: str | None, out: list[_Found], problems: list[Any]) -> None:
    """Collect every note in file order, whatever the nesting."""
    if isinstance(node, list):
        for item in node:
            _walk(item, group, out, problems)
        return
    if not isinstance(node, Mapping):
        problems.append(node)
        return
    if isinstance(node.get("content"), Mapping):
        out.append(_Found(node, group))
        details = node.get("details")
        for key in ("replies", "directReplies"):
            if isinstance(details, Mapping) and isinstance(details.get(key), list):
                _walk(details[key], group, out, problems)
        if isinstance(node.get("notes"), list):
            _walk(node["notes"], group, out, problems)
        return
    if isinstance(node.get("venue"), str) and node.get("year") is not None:
        group = f"{node['venue']}/{node['year']}"
    containers = [k for k in ("submissions", "notes", "results") if isinstance(node.get(k), list)]
    if not containers:
        problems.append(node)
    for key in containers:
        _walk(node[key], group, out, problems)


def _is_submission(note: Mapping[str, Any]) -> bool:
    forum = note.get("forum")
    return not note.get("replyto") and (forum is None or forum == note.get("id"))


def _invitations(note: Mapping[str, Any]) -> list[str]:
    """The note's invitation ids (v2 lists them, v1 has one); what is not a string is ignored."""
    raw = note.get("invitations") or note.get("invitation")
    items = raw if isinstance(raw, list) else [raw]
    return [i for i in items if isinstance(i, str)]


def _group(found: _Found) -> str:
    note = found.note
    content = note.get("content") or {}
    for candidate in (
        _text(content.get("venueid")),
        note.get("domain"),
        *_invitations(note),
        found.group,
    ):
        if isinstance(candidate, str) and venue_of_group(candidate)[0]:
            return candidate
    return found.group or ""


@dataclass(slots=True)
class _Replies:
    """What the reply notes of one forum say."""

    decision: str | None = None
    decision_text: str | None = None
    ratings: tuple[float, ...] = ()


def _replies(notes: list[_Found]) -> dict[str, _Replies]:
    by_forum: dict[str, _Replies] = {}
    for found in notes:
        note = found.note
        forum = note.get("forum")
        if _is_submission(note) or not isinstance(forum, str):
            continue
        content = note.get("content") or {}
        replies = by_forum.setdefault(forum, _Replies())
        workshop = is_workshop(_group(found))
        invitation = " ".join(_invitations(note))
        decision_text = _text(content.get("decision"))
        if decision_text is None and invitation.endswith("Withdrawn_Submission"):
            decision_text = "Withdrawn"
        if decision_text:
            replies.decision_text = decision_text
            replies.decision = decision_of(decision_text, workshop)
        for key in _RATING_KEYS:
            if key in content:
                score = rating_of(content[key])
                if score is not None:
                    replies.ratings = (*replies.ratings, score)
                    break
                text = _text(content[key])
                if text and replies.decision_text is None:  # a meta-review's recommendation
                    replies.decision = decision_of(text, workshop)
                    replies.decision_text = text if replies.decision else None
    return by_forum


def _authors(content: Mapping[str, Any]) -> tuple[Author, ...]:
    names = _strings(content.get("authors"))
    ids = value(content.get("authorids"))
    ids = ids if isinstance(ids, list) else []
    authors = []
    for i, name in enumerate(names):
        given = ids[i] if i < len(ids) and isinstance(ids[i], str) else None
        email = given if given and "@" in given else None
        authors.append(
            Author.from_written(name, email=email, ids=person_ids([("openreview", given)]))
        )
    return tuple(authors)


def _pdf(content: Mapping[str, Any]) -> str | None:
    pdf = _text(content.get("pdf"))
    if pdf and pdf.startswith("/"):
        return _BASE + pdf
    return pdf


def _own_decision(note: Mapping[str, Any], group: str) -> str | None:
    """A decision the submission note itself states, when no reply gives one."""
    venue_text = _text(note["content"].get("venue"))  # v2: "ICLR 2024 poster", "Submitted to"
    if venue_text and not venue_text.lower().startswith("submitted to"):
        return decision_of(venue_text, is_workshop(group))
    invitation = " ".join(_invitations(note))
    if "Withdrawn_Submission" in invitation:  # v1 files these under their own invitations
        return "Withdrawn"
    return "Reject" if "Desk_Rejected_Submission" in invitation else None


def _paper(
    found: _Found, doc: JsonDoc, source: SourceFile, replies: Mapping[str, _Replies]
) -> Iterator[Item]:
    note = found.note
    content = note["content"]
    where = SourceRef(source.name, doc.line(note))
    forum = note.get("forum") or note.get("id")
    title = _text(content.get("title"))
    if not title:
        yield Problem(where, f"submission {forum!r} has no title; skipped")
        return
    group = _group(found)
    venue, year = venue_of_group(group)
    said = replies.get(forum) if isinstance(forum, str) else None
    decision = said.decision if said else None
    if said and said.decision_text and decision is None:
        yield Problem(
            where,
            f"unknown decision {said.decision_text!r} for {forum!r} (known: "
            "Oral, Spotlight, Poster, Workshop, Reject, Withdrawn)",
        )
    if decision is None:
        decision = _own_decision(note, group)
    tldr = next((t for k in _TLDR_KEYS if (t := _text(content.get(k)))), None)
    yield Paper(
        source=where,
        title=title,
        authors=_authors(content),
        abstract=_text(content.get("abstract")),
        venue=venue,
        year=year,
        decision=decision,
        keywords=tuple(_strings(content.get("keywords"))),
        tldr=tldr,
        urls=Urls(
            forum=f"{_BASE}/forum?id={forum}" if isinstance(forum, str) else None, pdf=_pdf(content)
        ),
        ids=paper_ids(openreview=forum if isinstance(forum, str) else None),
        ratings=said.ratings if said else (),
    )


def _orphans(
    found: list[_Found], forums: set[str], doc: JsonDoc, source: SourceFile
) -> Iterator[Problem]:
    """One problem per forum whose replies are in the file but whose submission is not."""
    seen: set[str] = set()
    for f in found:
        forum = f.note.get("forum")
        if _is_submission(f.note) or not isinstance(forum, str) or forum in forums | seen:
            continue
        seen.add(forum)
        yield Problem(
            SourceRef(source.name, doc.line(f.note)),
            f"reply notes for forum {forum!r}, whose submission is not in the file; ignored",
        )


def read_notes(source: SourceFile) -> Iterator[Item]:
    """Papers from the submission notes, with decisions and ratings from their replies."""
    doc = parse(source)
    found: list[_Found] = []
    strays: list[Any] = []
    _walk(doc.value, None, found, strays)
    submissions = [f for f in found if _is_submission(f.note)]
    if not submissions:
        raise InputError(
            source.name,
            "no OpenReview submission note (a note with 'content' and no 'replyto') found",
        )
    forums = {str(f.note.get("forum") or f.note.get("id")) for f in submissions}
    replies = _replies(found)
    items: list[Item] = [
        Problem(
            SourceRef(source.name, doc.line(stray)),
            f"not an OpenReview note (no 'content' object): {str(stray)[:60]!r}; ignored",
        )
        for stray in strays
    ]
    items.extend(_orphans(found, forums, doc, source))
    for sub in submissions:
        items.extend(_paper(sub, doc, source, replies))
    yield from sorted(items, key=lambda item: item.source.line)


READER = Reader(
    name="openreview-api",
    description='OpenReview API notes as JSON (v1 or v2; a list, {"notes": [...]} or a '
    "crawler dump), with decisions and ratings from reply notes",
    sniff=sniff,
    read=read_notes,
    authority=85,
)
