"""``arxiv-metadata``: the arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot``).

JSON lines, one paper a line: ``id``, ``title``, ``authors`` (a LaTeX string),
``authors_parsed`` (``[last, first, suffix, ...]``, accents already resolved), ``abstract``,
``categories`` (space-separated), ``doi``, ``journal-ref``, ``versions``.  Names come from
``authors_parsed`` as ``First Last Suffix`` (any LaTeX left in them decoded); titles and
abstracts are hard-wrapped and get their white space collapsed (LaTeX math is kept).
An ``authors_parsed`` entry's fourth item, where the
submitter gave one, is the author's affiliation as written (``Oxford``), kept without an
institution; footnote numbers (``1 and 2``) are not affiliations.  Categories become
subjects of the scheme ``arxiv``; the year is the first version's, else
the id's; the venue is the ``journal-ref`` where there is one.  A line that is not a JSON
object is a problem with its line; the other lines are still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from kg.errors import InputError
from kg.identifiers import doi, paper_ids
from kg.records import Affiliation, Author, Item, Paper, Problem, SourceRef, Subject
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import json_lines
from kg.text import collapse_ws

_KEYS = re.compile(r'"(authors_parsed|categories|id|title|versions|journal-ref)"\s*:')
_NEW_ID = re.compile(r"^(\d\d)(\d\d)\.\d{4,5}(?:v\d+)?$")
_OLD_ID = re.compile(r"^[a-z][a-z-]*(?:\.[A-Z]{2})?/(\d\d)(\d\d)\d{3}(?:v\d+)?$")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_SPACED_HYPHEN = re.compile(r"\s+-(?=\w)")
_FOOTNOTES = re.compile(r"^[\d\s,;&*]*(?:and[\d\s,;&*]+)*$")


def sniff(source: SourceFile) -> int:
    """Certain when the first line is a JSON object with ``authors_parsed`` and ``categories``.

    Scores above the generic ``jsonl`` reader, which also accepts these lines.
    """
    first = next((ln for ln in source.head.split("\n", 20)[:20] if ln.strip()), "")
    if not first.lstrip().startswith("{"):
        return 0
    keys = set(_KEYS.findall(first))
    return 98 if {"authors_parsed", "categories"} <= keys else 0


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    raw = obj.get(key)
    if raw is None or isinstance(raw, (dict, list)):
        return None
    return collapse_ws(str(raw)) or None


def _decode(text: str) -> str:
    """Any LaTeX left in a name part, as Unicode (the snapshot mostly resolves it already)."""
    if "\\" not in text and "{" not in text:
        return text
    from kg.sources.bibtex import decode_latex

    return decode_latex(text)


def _author(parts: Any) -> Author | None:
    """``[last, first, suffix, affiliation...]`` → ``First Last Suffix``."""
    if not isinstance(parts, list) or not parts:
        return None
    padded = [str(p) if p else "" for p in parts[:3]] + ["", ""]
    last, first, suffix = (_decode(collapse_ws(p)) for p in padded[:3])
    first = _SPACED_HYPHEN.sub("-", first)  # "C. -P." is how the parser writes "C.-P."
    name = collapse_ws(f"{first} {last} {suffix}")
    written = [_decode(t) for p in parts[3:] if isinstance(p, str) and (t := collapse_ws(p))]
    affiliations = tuple(
        Affiliation(raw=w) for w in dict.fromkeys(written) if not _FOOTNOTES.match(w)
    )
    return Author.from_written(name, affiliations=affiliations) if name else None


def _authors(obj: Mapping[str, Any], problems: list[str]) -> tuple[Author, ...]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = [a for p in parsed if (a := _author(p)) is not None]
        return tuple(authors)
    if _text(obj, "authors"):
        problems.append("no 'authors_parsed'; the 'authors' string is not split")
    return ()


def year_of(obj: Mapping[str, Any]) -> int | None:
    """The year of the first version, else the year the arXiv id encodes."""
    versions = obj.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], Mapping):
        created = str(versions[0].get("created") or "")
        try:
            return parsedate_to_datetime(created).year
        except (TypeError, ValueError, IndexError):
            if match := _YEAR.search(created):
                return int(match.group(1))
    arxiv = _text(obj, "id") or ""
    match = _NEW_ID.match(arxiv) or _OLD_ID.match(arxiv)
    if match:
        yy = int(match.group(1))
        return 1900 + yy if yy >= 91 else 2000 + yy
    return None


def _subjects(obj: Mapping[str, Any]) -> tuple[Subject, ...]:
    raw = _text(obj, "categories") or ""
    return tuple(Subject(label=c, scheme="arxiv") for c in dict.fromkeys(raw.split()))


def _doi(obj: Mapping[str, Any]) -> str | None:
    """The first DOI of the field: some hold several, separated by white space."""
    return next((d for part in (_text(obj, "doi") or "").split() if (d := doi(part))), None)


def paper_from_line(obj: Mapping[str, Any], where: SourceRef) -> Iterator[Item]:
    """The paper of one snapshot line, after the problems found in it."""
    problems: list[str] = []
    title = _text(obj, "title")
    if not title:
        yield Problem(where, "line has no title; skipped")
        return
    paper = Paper(
        source=where,
        title=title,
        authors=_authors(obj, problems),
        abstract=_text(obj, "abstract"),
        venue=_text(obj, "journal-ref"),
        year=year_of(obj),
        ids=paper_ids(arxiv=_text(obj, "id"), doi=_doi(obj)),
        subjects=_subjects(obj),
    )
    for message in problems:
        yield Problem(where, message)
    yield paper


def read_arxiv(source: SourceFile) -> Iterator[Item]:
    """Papers from the snapshot lines; a line that is not a JSON object is a problem."""
    good = 0
    for entry in json_lines(source):
        if isinstance(entry, Problem):
            yield entry
            continue
        where, obj = entry
        for item in paper_from_line(obj, where):
            good += isinstance(item, Paper)
            yield item
    if good == 0 and source.only is None:  # a shard may read none of its lines
        raise InputError(source.name, "no paper could be read from these arXiv metadata lines")


READER = Reader(
    name="arxiv-metadata",
    description="arXiv metadata snapshot (Kaggle JSON lines with authors_parsed and categories)",
    sniff=sniff,
    read=read_arxiv,
    authority=65,
)
