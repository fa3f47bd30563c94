"""``bibtex``: a BibTeX file (a dblp, Zotero or hand-kept bibliography).

Parsed with bibtexparser 2 (``@string`` macros resolved, outer braces removed); LaTeX in
titles, abstracts and names is decoded to Unicode with pylatexenc (``{\\'{e}}`` → é,
``{-}`` → -, protective braces dropped, ``$...$`` math kept).  Every entry becomes a paper
whose line is the line of its ``@``, except a ``@proceedings`` entry that other entries
name (``crossref`` or an equal ``booktitle``): that one is their venue.  Names as
``Last, First`` or ``First Last`` both give the display form ``First von Last Jr``;
``others`` (et al.) is not a person.  A venue written ``{ICLR} 2019`` (dblp) becomes
``ICLR 2019``, an arXiv or CoRR journal ``arXiv``, anything else stays as written.  arXiv
ids come from ``eprint``, ``volume = {abs/...}``, ``journal = {arXiv preprint arXiv:...}``
and arxiv.org URLs; OpenReview forum ids from openreview.net URLs; DOIs from ``doi`` or a
doi.org URL (each normalised by :mod:`kg.identifiers`, as in every reader: an arXiv id
without its version, a DOI in lower case); the entry key is kept as the id scheme
``bibtex``.  ORCIDs come from a Web of Science ``ORCID-Numbers`` field
(``Surname, Given/0000-0002-1825-0097`` items), each given to the one author of that surname.
An entry the parser cannot read (e.g. an unbalanced brace) is a
problem naming its key and line; the other entries are still read.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from kg.errors import InputError
from kg.identifiers import arxiv, doi, forum_of_url, orcid, paper_ids
from kg.records import Author, Ids, Item, Paper, Problem, SourceRef, Urls
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.text import collapse_ws, normalize_person_name, normalize_title

if TYPE_CHECKING:
    from bibtexparser.model import Entry
    from pylatexenc.latex2text import LatexNodes2Text

_ENTRY = re.compile(
    r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^\s,{}()=\"#%']+)[ \t]*,", re.MULTILINE
)
_MACRO = re.compile(r"^[ \t]*@[ \t]*(?:string|preamble)[ \t]*[{(]", re.MULTILINE | re.IGNORECASE)
_KNOWN_TYPES = frozenset(
    {
        "article",
        "inproceedings",
        "conference",
        "proceedings",
        "book",
        "inbook",
        "incollection",
        "booklet",
        "manual",
        "misc",
        "online",
        "techreport",
        "report",
        "phdthesis",
        "mastersthesis",
        "thesis",
        "unpublished",
        "software",
        "dataset",
        "collection",
    }
)
_RAW_KEY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^\s,{}()]*)")
_LATEX_SPECIAL = re.compile(r"[\\{}$~%&]|--|``|''")
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&])")
_BRACED_ACRONYM = re.compile(r"\{([A-Z][A-Za-z0-9&+-]*[A-Z0-9])\}\s*'?((?:19|20)\d\d)\b")
_ARXIV_JOURNAL = re.compile(r"^\s*(?:arxiv|corr)\b", re.IGNORECASE)
_ARXIV_ID = r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)"
_ARXIV_VOLUME = re.compile(r"^\s*abs/" + _ARXIV_ID + r"\s*$")
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]+(?:abs/)?" + _ARXIV_ID, re.IGNORECASE)
_YEAR = re.compile(r"\b((?:1[6-9]|20)\d\d)\b")
_ESCAPED = re.compile(r"\\([_%&#$~])")
_LIST_SEP = re.compile(r"[;,]")
# Text-mode symbols pylatexenc 2.11 drops (ACL Anthology abstracts use the first two).
_TEXT_MACROS = {"textgreater": ">", "textless": "<", "textbar": "|", "S": "§"}


def sniff(source: SourceFile) -> int:
    """Certain when a line opens a BibTeX entry ``@type{key,``; likely for macros only."""
    match = _ENTRY.search(source.head)
    if match:
        return 95 if match.group(1).lower() in _KNOWN_TYPES else 70
    return 60 if _MACRO.search(source.head) else 0


@cache
def _decoder() -> LatexNodes2Text:
    """A LaTeX-to-Unicode decoder that keeps math verbatim and ``\\url`` as its address."""
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    macros = [MacroTextSpec("url", simplify_repl="%s")]
    macros += [MacroTextSpec(name, simplify_repl=text) for name, text in _TEXT_MACROS.items()]
    context.add_context_category("kg-bibtex", prepend=True, macros=macros)
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


@lru_cache(maxsize=8192)
def decode_latex(raw: str) -> str:
    """Unicode text from a BibTeX field value: accents decoded, braces dropped, ws collapsed.

    >>> decode_latex("Jan{-}Philipp Sch{\\\\'{e}}r and {BERT} -- $x^2$")
    'Jan-Philipp Schér and BERT – $x^2$'
    """
    if not _LATEX_SPECIAL.search(raw):
        return collapse_ws(raw)
    text = _BARE_SPECIAL.sub(r"\\\1", raw).replace("{`}", "‘").replace("{'}", "’")
    try:
        decoded = _decoder().latex_to_text(text)
    except Exception:  # pylatexenc is tolerant; anything left is kept as written
        decoded = raw.replace("{", "").replace("}", "")
    return collapse_ws(decoded)


@contextmanager
def _quiet_parser() -> Iterator[None]:
    """Silence bibtexparser's own log lines: every failure becomes a problem instead."""
    logger = logging.getLogger("bibtexparser")  # its modules' loggers inherit this level
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _text(entry: Entry, key: str) -> str | None:
    """A field's raw value (outer braces removed), or ``None`` if missing or empty."""
    field = entry.get(key)
    if field is None:
        return None
    value = str(field.value).strip()
    return value or None


def _line(block: Any) -> int:
    """bibtexparser counts lines from 0."""
    start = getattr(block, "start_line", None)
    return (start or 0) + 1


@dataclass(frozen=True, slots=True)
class _Venues:
    """``@proceedings`` entries that other entries refer to, by key and by title."""

    by_key: Mapping[str, str]
    by_title: Mapping[str, str]

    def of(self, entry: Entry) -> str | None:
        crossref = _text(entry, "crossref")
        if crossref and crossref.lower() in self.by_key:
            return self.by_key[crossref.lower()]
        booktitle = _text(entry, "booktitle")
        if booktitle:
            return self.by_title.get(normalize_title(decode_latex(booktitle)))
        return None

    def is_venue(self, entry: Entry) -> bool:
        return entry.entry_type.lower() == "proceedings" and entry.key.lower() in self.by_key


def _venues(entries: list[Entry]) -> _Venues:
    """The proceedings that serve as venues: named by a ``crossref`` or by a ``booktitle``."""
    crossrefs = {c.lower() for e in entries if (c := _text(e, "crossref"))}
    booktitles = {
        normalize_title(decode_latex(b))
        for e in entries
        if e.entry_type.lower() != "proceedings" and (b := _text(e, "booktitle"))
    }
    by_key: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for entry in entries:
        title = _text(entry, "title") or _text(entry, "booktitle")
        if entry.entry_type.lower() != "proceedings" or not title:
            continue
        normalized = normalize_title(decode_latex(title))
        if entry.key.lower() in crossrefs or normalized in booktitles:
            venue = short_venue(title)
            by_key[entry.key.lower()] = venue
            by_title[normalized] = venue
    return _Venues(by_key, by_title)


def short_venue(raw: str) -> str:
    """A venue name from a booktitle or journal as written.

    >>> short_venue("7th International Conference on Learning Representations, {ICLR} 2019,")
    'ICLR 2019'
    >>> short_venue("arXiv preprint arXiv:2005.00333")
    'arXiv'
    """
    match = _BRACED_ACRONYM.search(raw)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    if _ARXIV_JOURNAL.match(raw):
        return "arXiv"
    return decode_latex(raw)


def _person(raw: str, problems: list[str]) -> Author | None:
    """One author from a name as written in BibTeX; ``None`` for ``others`` (et al.)."""
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    raw = collapse_ws(raw)
    if not raw or raw.lower() == "others":
        return None
    written = decode_latex(raw)
    try:
        parts = parse_single_name_into_parts(raw)
    except InvalidNameError as exc:
        fixed = raw.strip(" ,")
        try:
            parts = parse_single_name_into_parts(fixed)
        except InvalidNameError:
            problems.append(
                f"author name {written!r} cannot be split ({exc.reason}); kept as written"
            )
            return Author.from_written(written)
        problems.append(f"author name {written!r}: {exc.reason.lower()}; read as {fixed!r}")
    display = decode_latex(" ".join([*parts.first, *parts.von, *parts.last, *parts.jr]))
    if not display:
        return None
    return Author.from_written(written, name=display if display != written else None)


def _authors(entry: Entry, problems: list[str]) -> tuple[Author, ...]:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    raw = _text(entry, "author")
    if raw is None:
        return ()
    people = (_person(name, problems) for name in split_multiple_persons_names(raw))
    return tuple(p for p in people if p is not None)


def _surname_key(name: str) -> str:
    words = normalize_person_name(name).split()
    return words[-1] if words else ""


def _with_orcids(entry: Entry, authors: tuple[Author, ...]) -> tuple[Author, ...]:
    """Authors with the ORCIDs of a Web of Science ``ORCID-Numbers`` field: each goes to the
    one author of that name, else to the one author of that surname."""
    raw = next((str(f.value) for f in entry.fields if f.key.lower() == "orcid-numbers"), None)
    if not raw:
        return authors
    found = list(authors)
    for item in re.split(r"[;\n]", raw):
        who, _, number = item.partition("/")
        canonical = orcid(number)
        if not canonical:
            continue
        last, _, given = decode_latex(who).partition(",")
        full = normalize_person_name(f"{given} {last}")
        fits = [i for i, a in enumerate(found) if a.normalized == full]
        if not fits:
            surname = _surname_key(last)
            fits = [i for i, a in enumerate(found) if surname and _surname_key(a.name) == surname]
        if len(fits) == 1:
            author = found[fits[0]]
            ids = tuple(sorted({*author.ids, ("orcid", canonical)}))
            found[fits[0]] = dataclasses.replace(author, ids=ids)
    return tuple(found)


def _arxiv(entry: Entry) -> str | None:
    eprint = _text(entry, "eprint")
    prefix = (_text(entry, "archiveprefix") or _text(entry, "eprinttype") or "arxiv").lower()
    if eprint and prefix == "arxiv" and (found := arxiv(eprint)):
        return found
    volume = _text(entry, "volume")
    if volume and (m := _ARXIV_VOLUME.match(volume)) and (found := arxiv(m.group(1))):
        return found
    for key in ("journal", "note", "howpublished"):
        value = _text(entry, key)
        if value and (m := _ARXIV_IN_TEXT.search(value)) and (found := arxiv(m.group(1))):
            return found
    return next((found for url in _urls_in(entry) if (found := arxiv(url))), None)


def _unescape(value: str | None) -> str | None:
    """An address or a DOI as written in BibTeX without its LaTeX escapes (``\\_``,
    ``\\%``): ``forum?id=Hyg\\_X2C5FX`` is the forum ``Hyg_X2C5FX``."""
    return _ESCAPED.sub(r"\1", value) if value else value


def _urls_in(entry: Entry) -> list[str]:
    """The addresses of ``url`` and of BibDesk's ``bdsk-url-N`` fields."""
    return [
        str(_unescape(str(f.value)))
        for f in entry.fields
        if f.key.lower() == "url" or f.key.lower().startswith("bdsk-url")
    ]


def _ids(entry: Entry) -> Ids:
    given = _unescape(_text(entry, "doi"))
    if given is None or doi(given) is None:
        given = next((u for u in _urls_in(entry) if doi(u)), given)
    url = _unescape(_text(entry, "url")) or ""
    return paper_ids(
        openreview=forum_of_url(url), arxiv=_arxiv(entry), doi=given, other=(("bibtex", entry.key),)
    )


def _urls(entry: Entry) -> Urls:
    url = _unescape(_text(entry, "url"))
    pdf = _unescape(_text(entry, "pdf"))
    forum = None
    if url and (forum_id := forum_of_url(url)):
        forum = f"https://openreview.net/forum?id={forum_id}"
    elif url and url.lower().split("?")[0].endswith(".pdf"):
        pdf = pdf or url
    return Urls(forum=forum, pdf=pdf)


def _year(entry: Entry, problems: list[str]) -> int | None:
    for key in ("year", "date"):
        value = _text(entry, key)
        if value is None:
            continue
        match = _YEAR.search(value)
        if match:
            return int(match.group(1))
        problems.append(f"{key} {value[:40]!r} holds no 4-digit year")
    return None


def _keywords(entry: Entry) -> tuple[str, ...]:
    raw = _text(entry, "keywords")
    if raw is None:
        return ()
    return tuple(k for part in _LIST_SEP.split(raw) if (k := decode_latex(part)))


def paper_from_entry(entry: Entry, source: SourceFile, venues: _Venues) -> Iterator[Item]:
    """The paper of one entry, after the problems found in it."""
    where = SourceRef(source.name, _line(entry))
    problems: list[str] = []
    title = decode_latex(t) if (t := _text(entry, "title")) else None
    abstract = decode_latex(a) if (a := _text(entry, "abstract")) else None
    if not title:
        problems.append(f"@{entry.entry_type} has no title; read without one")
    venue = venues.of(entry)
    if venue is None and (raw := _text(entry, "booktitle") or _text(entry, "journal")):
        venue = short_venue(raw)
    paper = Paper(
        source=where,
        title=title or None,
        authors=_with_orcids(entry, _authors(entry, problems)),
        abstract=abstract or None,
        venue=venue or None,
        year=_year(entry, problems),
        keywords=_keywords(entry),
        urls=_urls(entry),
        ids=_ids(entry),
    )
    for message in problems:
        yield Problem(where, f"entry {entry.key!r}: {message}")
    yield paper


def _failure(block: Any, source: SourceFile) -> Problem:
    """The problem for a block the parser could not read: its key, line and the reason."""
    raw = block.raw or ""
    found = _RAW_KEY.search(raw)
    what = f"entry {found.group(2)!r} (@{found.group(1)})" if found else "a block"
    error = block.error
    detail = collapse_ws(
        getattr(error, "abort_reason", None)
        or getattr(error, "message", None)
        or str(error)
        or type(error).__name__
    )
    return Problem(
        SourceRef(source.name, _line(block)),
        f"{what} could not be parsed ({detail}); check its braces and commas; entry skipped",
    )


def _finish(entry: Entry, library: Any) -> Entry:
    """Resolve macros and drop enclosing braces in a duplicate-key entry the parser set aside."""
    from bibtexparser import Library
    from bibtexparser.middlewares import (
        RemoveEnclosingMiddleware,
        ResolveStringReferencesMiddleware,
    )

    alone = Library([copy.deepcopy(s) for s in library.strings] + [copy.deepcopy(entry)])
    for middleware in (ResolveStringReferencesMiddleware(), RemoveEnclosingMiddleware()):
        alone = middleware.transform(alone)
    return alone.entries[0] if alone.entries else entry


def read_bibtex(source: SourceFile) -> Iterator[Item]:
    """Papers from the entries of a BibTeX file, in file order."""
    import bibtexparser
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        Entry,
        ImplicitComment,
        ParsingFailedBlock,
    )

    with _quiet_parser():
        library = bibtexparser.parse_string(source.text)
    blocks = [
        b.ignore_error_block if isinstance(b, ParsingFailedBlock) else b for b in library.blocks
    ]
    entries = [b for b in blocks if isinstance(b, Entry)]
    if not entries:
        failed = library.failed_blocks
        if failed:
            first = _failure(failed[0], source)
            raise InputError(
                source.name, f"no BibTeX entry could be read; {first.message}", first.source.line
            )
        raise InputError(source.name, "no BibTeX entries (@article{key, ...}) found")
    venues = _venues(entries)
    first_line: dict[str, int] = {}
    for block in library.blocks:
        where = SourceRef(source.name, _line(block))
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            entry = _finish(block.ignore_error_block, library)
            earlier = first_line.get(entry.key)
            yield Problem(
                where,
                f"entry key {entry.key!r} is used again (first at line "
                f"{earlier}); read as a separate record",
            )
            yield from paper_from_entry(entry, source, venues)
        elif isinstance(block, ParsingFailedBlock):
            if isinstance(block.ignore_error_block, Entry):
                entry = block.ignore_error_block
                yield Problem(where, f"entry {entry.key!r}: {collapse_ws(str(block.error))}")
                yield from paper_from_entry(entry, source, venues)
            else:
                yield _failure(block, source)
        elif isinstance(block, Entry):
            first_line.setdefault(block.key, where.line)
            if not venues.is_venue(block):
                yield from paper_from_entry(block, source, venues)
        elif isinstance(block, ImplicitComment) and _RAW_KEY.search(block.comment):
            yield Problem(
                where,
                "text outside any entry looks like a broken entry "
                f"({collapse_ws(block.comment)[:60]!r}); ignored",
            )


READER = Reader(
    name="bibtex",
    description="BibTeX bibliography (dblp, Zotero, hand-kept .bib): entries as papers, "
    "LaTeX accents decoded, @string macros resolved",
    sniff=sniff,
    read=read_bibtex,
    authority=75,
)
