"""``openalex``: works from the OpenAlex API as JSON.

Accepted shapes: one work, a ``/works`` page ``{"meta": ..., "results": [...]}``, or a JSON
array of works.  Authors follow ``authorships`` in order, written as ``raw_author_name``
with OpenAlex's ``display_name`` as the name, with the author's OpenAlex id and ORCID.  Each
of an authorship's ``institutions`` is an affiliation (its ROR id, else its OpenAlex id, its
name and country), written as the ``raw_affiliation_strings`` that ``affiliations`` link to
it (older records: the one raw string when there is one institution); a raw string linked
to no institution is kept as written, with no institution.  The abstract is rebuilt from
``abstract_inverted_index`` (each word put at its positions; HTML entities decoded).
``concepts`` become subjects of the scheme ``openalex`` with their score and id, ``keywords``
subjects of the scheme ``openalex-keyword``.  The DOI (bare, in lower case) and the arXiv
id of an arxiv.org landing page are normalised by :mod:`kg.identifiers`, the
work id (``W...``) as the id scheme ``openalex``, PMIDs as ``pmid``; the year is
``publication_year`` and the venue ``primary_location.source.display_name``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any

from kg.errors import InputError
from kg.identifiers import arxiv, openalex_institution, organization_id, paper_ids, person_ids
from kg.records import Affiliation, Author, Ids, Item, Paper, Problem, SourceRef, Subject, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import parse
from kg.text import collapse_ws, strip_tags

_WORK_ID = re.compile(r'"id"\s*:\s*"https://openalex\.org/W\d+"')
_WORK_KEYS = re.compile(r'"(authorships|abstract_inverted_index|publication_year)"\s*:')
_ID_TAIL = re.compile(r"([A-Z]\d+)$")
_MARKUP = re.compile(r"</?(?:scp|sc|mml:\w+|inf|sub|sup|i|b|em|strong|p|jats:\w+)\b[^>]*>")


def sniff(source: SourceFile) -> int:
    """Certain when the head holds an OpenAlex work id next to work fields."""
    head = source.head.lstrip()
    if not head.startswith(("{", "[")) or not _WORK_ID.search(head):
        return 0
    return 99 if _WORK_KEYS.search(head) else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _clean(raw: Any) -> str | None:
    """Text with HTML entities and inline markup removed and white space collapsed."""
    if raw is None or isinstance(raw, (dict, list)):
        return None
    return collapse_ws(_MARKUP.sub("", strip_tags(html.unescape(str(raw))))) or None


def rebuild_abstract(index: Any) -> str | None:
    """The abstract from an inverted index ``{word: [positions]}``.

    >>> rebuild_abstract({"world": [1], "Hello": [0], "again": [3], "and": [2]})
    'Hello world and again'
    """
    if not isinstance(index, Mapping) or not index:
        return None
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                placed[position] = str(word)
    return _clean(" ".join(placed[i] for i in sorted(placed)))


def _short_id(value: Any) -> str | None:
    """``W1934649023`` from ``https://openalex.org/W1934649023``."""
    match = _ID_TAIL.search(str(value)) if value else None
    return match.group(1) if match else None


def _strings(value: Any) -> list[str]:
    return [t for v in value if (t := _clean(v))] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _raw_by_institution(authorship: Mapping[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    """The raw affiliation strings linked to each institution id, and those linked to none."""
    linked: dict[str, list[str]] = {}
    alone: list[str] = []
    for item in _list(authorship.get("affiliations")):
        if not isinstance(item, Mapping) or not (raw := _clean(item.get("raw_affiliation_string"))):
            continue
        targets = [
            i for x in _list(item.get("institution_ids")) if (i := openalex_institution(str(x)))
        ]
        for target in targets:
            linked.setdefault(target, []).append(raw)
        if not targets:
            alone.append(raw)
    return linked, alone


def _affiliations(authorship: Mapping[str, Any]) -> tuple[Affiliation, ...]:
    institutions = [i for i in _list(authorship.get("institutions")) if isinstance(i, Mapping)]
    raws = _strings(authorship.get("raw_affiliation_strings")) or _strings(
        [authorship.get("raw_affiliation_string")]
    )
    if isinstance(authorship.get("affiliations"), list):
        linked, alone = _raw_by_institution(authorship)
    else:  # older records: a raw string belongs to the institution only when both are one
        linked = {}
        if len(institutions) == 1 and len(raws) == 1:
            linked = {openalex_institution(str(institutions[0].get("id") or "")) or "": raws}
        alone = [] if linked else raws
    found = []
    for inst in institutions:
        own = openalex_institution(str(inst.get("id") or ""))
        ident = organization_id(ror=str(inst.get("ror") or ""), openalex=own)
        name = _clean(inst.get("display_name"))
        if not (ident or name):
            continue
        country = _clean(inst.get("country_code"))
        written = linked.get(own or "", [])
        found.append(
            Affiliation(
                name=name,
                id=ident,
                country=country.upper() if country else None,
                raw="; ".join(dict.fromkeys(written)) or None,
            )
        )
    found += [Affiliation(raw=raw) for raw in dict.fromkeys(alone)]
    return tuple(dict.fromkeys(found))


def _authors(work: Mapping[str, Any]) -> tuple[Author, ...]:
    authors = []
    for authorship in work.get("authorships") or []:
        if not isinstance(authorship, Mapping):
            continue
        person = _mapping(authorship.get("author"))
        raw = _clean(authorship.get("raw_author_name"))
        name = _clean(person.get("display_name"))
        if raw or name:
            ids = person_ids(
                [("openalex", _clean(person.get("id"))), ("orcid", _clean(person.get("orcid")))]
            )
            authors.append(
                Author.from_written(
                    raw or name or "", name=name, ids=ids, affiliations=_affiliations(authorship)
                )
            )
    return tuple(authors)


def _subjects(work: Mapping[str, Any]) -> tuple[Subject, ...]:
    subjects = []
    for key, scheme in (("concepts", "openalex"), ("keywords", "openalex-keyword")):
        for item in work.get(key) or []:
            if not isinstance(item, Mapping) or not (label := _clean(item.get("display_name"))):
                continue
            score = item.get("score")
            subjects.append(
                Subject(
                    label=label,
                    scheme=scheme,
                    score=float(score) if isinstance(score, (int, float)) else None,
                    id=str(item["id"]) if item.get("id") else None,
                )
            )
    return tuple(subjects)


def _ids(work: Mapping[str, Any]) -> Ids:
    ids = _mapping(work.get("ids"))
    other = [("openalex", w)] if (w := _short_id(work.get("id") or ids.get("openalex"))) else []
    if ids.get("pmid") and (pmid := re.search(r"(\d+)$", str(ids["pmid"]))):
        other.append(("pmid", pmid.group(1)))
    urls = (
        location.get("landing_page_url")
        for location in _list(work.get("locations"))
        if isinstance(location, Mapping)
    )
    found = next((a for url in urls if isinstance(url, str) and (a := arxiv(url))), None)
    given = work.get("doi") or ids.get("doi")
    return paper_ids(
        arxiv=found, doi=given if isinstance(given, str) else None, other=tuple(sorted(other))
    )


def _venue(work: Mapping[str, Any]) -> str | None:
    source = _mapping(_mapping(work.get("primary_location")).get("source"))
    return _clean(source.get("display_name"))


def _pdf(work: Mapping[str, Any]) -> str | None:
    for key in ("primary_location", "best_oa_location"):
        location = work.get(key)
        if isinstance(location, Mapping) and location.get("pdf_url"):
            return str(location["pdf_url"])
    return None


def paper_from_work(work: Mapping[str, Any], where: SourceRef) -> Iterator[Item]:
    """The paper of one work, after the problems found in it."""
    title = _clean(work.get("title")) or _clean(work.get("display_name"))
    if not title:
        yield Problem(where, f"work {_short_id(work.get('id'))!r} has no title; skipped")
        return
    year = work.get("publication_year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 0 < year < 10_000
    ):
        yield Problem(where, f"publication_year {year!r} is not a year; ignored")
        year = None
    yield Paper(
        source=where,
        title=title,
        authors=_authors(work),
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        venue=_venue(work),
        year=year,
        urls=Urls(pdf=_pdf(work)),
        ids=_ids(work),
        subjects=_subjects(work),
    )


def _works(value: Any) -> list[Any] | None:
    """The works of a page, an array or a single work; ``None`` for anything else."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("results"), list):
        return value["results"]
    if isinstance(value, Mapping) and ("authorships" in value or "publication_year" in value):
        return [value]
    return None


def read_openalex(source: SourceFile) -> Iterator[Item]:
    """Papers from the works, in file order."""
    doc = parse(source)
    works = _works(doc.value)
    if works is None:
        raise InputError(
            source.name,
            'expected an OpenAlex work, a {"results": [...]} page or an array of works',
            1,
        )
    for index, work in enumerate(works):
        if not isinstance(work, Mapping):
            yield Problem(
                SourceRef(source.name, 1),
                f"result {index} is a {type(work).__name__}, not a work object; ignored",
            )
            continue
        yield from paper_from_work(work, SourceRef(source.name, doc.line(work)))


READER = Reader(
    name="openalex",
    description="OpenAlex works as JSON (an API page, an array or one work): authorships, "
    "concepts, abstracts rebuilt from the inverted index",
    sniff=sniff,
    read=read_openalex,
    authority=65,
)
