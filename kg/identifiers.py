"""One normaliser per identifier scheme: of papers, of people and of institutions.

Readers pass what a source wrote (a bare id, a prefixed id, a URL, a ``mailto:``) through
:func:`normalize` or :func:`paper_ids`; everything downstream (resolution, the graph,
lookups) only ever sees the canonical form, or nothing when the value is not a valid
identifier of that scheme.  A normaliser takes one identifier in any of its usual
spellings (surrounding white space, a URL, a scheme prefix, another letter case) and never
raises; finding an identifier inside free text is the reader's job.

Schemes, their canonical forms and what else each accepts:

- ``doi``: ``10.1000/abc``, in lower case; ``doi:`` and doi.org addresses.
- ``arxiv``: ``2101.00001`` or ``hep-th/9901001``, without a version (paper resolution
  keys on the paper, not on one of its versions); ``arXiv:`` and abs/pdf addresses.
- ``openreview_forum``: a paper's forum id, ``B1xsqj09Fm``; forum and pdf addresses.
- ``openreview``: a person's profile id, ``~First_Last1``; profile addresses.
- ``orcid``: ``0000-0002-1825-0097``, check digit verified; addresses, no hyphens.
- ``openalex``: a person's ``A5023888391``; ``openalex_institution``: ``I136199984``.
- ``dblp``: ``129/2382``; ``s2``: a Semantic Scholar author's digits; addresses.
- ``ror``: ``05x2bcf33``, check digits verified; ``ror:`` and addresses.
- ``email``: ``Ann@cmu.edu``, the domain in lower case; ``mailto:``.

The OpenReview profile of a person keeps the scheme name ``openreview`` (the name people's
identifiers have in records, in the input schema and in the graph); a paper's forum id is
``openreview_forum`` here and :attr:`kg.records.Ids.openreview` in a record.

>>> normalize("orcid", "https://orcid.org/0000-0002-1825-0097")
'0000-0002-1825-0097'
>>> normalize("orcid", "0000-0002-1825-0098") is None  # wrong check digit
True
>>> normalize("openreview", "~Bibit_Bianchini1"), normalize("openreview", "a@b.edu")
('~Bibit_Bianchini1', None)
>>> normalize("doi", "https://doi.org/10.1000/ABC"), normalize("doi", "doi:10.1000/abc")
('10.1000/abc', '10.1000/abc')
>>> normalize("arxiv", "https://arxiv.org/pdf/2101.00001v2.pdf")
'2101.00001'
>>> normalize("arxiv", "arXiv:math.GT/0309136")
'math/0309136'
>>> normalize("openreview_forum", "https://openreview.net/forum?id=B1xsqj09Fm&noteId=x")
'B1xsqj09Fm'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote

from kg.records import Ids

_WEB = r"(?:https?://)?(?:www\.)?"

_ORCID = re.compile(
    rf"(?:{_WEB}orcid\.org/|orcid:\s*)?(\d{{4}})[-\s]?(\d{{4}})[-\s]?(\d{{4}})"
    r"[-\s]?(\d{3}[\dX])",
    re.I,
)
_OPENALEX = re.compile(
    rf"(?:{_WEB}(?:api\.)?openalex\.org/(?:(?:authors|institutions)/)?)?"
    r"([AI]\d{4,12})",
    re.I,
)
_OPENREVIEW_PROFILE = re.compile(
    rf"(?:{_WEB}openreview\.net/profile\?id=)?"
    r"(~[^\W\d_][\w.'-]*?\d+)"
)
_DBLP = re.compile(
    rf"(?:{_WEB}dblp\.(?:org|uni-trier\.de)/pid/)?"
    r"(\d{1,4}/\d{1,8}(?:-\d{1,3})?|[a-z]/[A-Z][A-Za-z0-9_'-]{0,60})(?:\.html)?"
)
_ROR = re.compile(rf"(?:{_WEB}ror\.org/|ror:\s*)?(0[a-hj-km-np-tv-z0-9]{{6}}\d{{2}})", re.I)
_S2 = re.compile(
    rf"(?:{_WEB}(?:api\.)?semanticscholar\.org/(?:graph/v1/)?author/(?:[^/\s]+/)?)?"
    r"(\d{1,12})",
    re.I,
)
_EMAIL = re.compile(r"(?:mailto:)?([^\s@<>;,:]+@[^\s@<>;,:/]+\.[A-Za-z]{2,})", re.I)

_DOI_PREFIX = re.compile(
    rf"(?:{_WEB}(?:dx\.)?doi\.org/|doi\s*:\s*|doi\s+|info:doi/|urn:doi:)", re.I
)
_DOI = re.compile(r"10\.\d{1,9}(?:\.\d+)*/\S+")
_ARXIV_URL = re.compile(
    rf"{_WEB}(?:export\.)?arxiv\.org/(?:abs|pdf|html)/([^?#\s]+?)"
    r"(?:\.pdf)?/?(?:[?#]\S*)?",
    re.I,
)
_ARXIV_PREFIX = re.compile(r"arxiv\s*:\s*", re.I)
_ARXIV_NEW = re.compile(r"(\d\d)(\d\d)\.(\d{4,5})(?:v\d+)?(?:\s*\[[\w.-]+\])?")
_ARXIV_OLD = re.compile(
    r"([a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(\d\d)(\d\d)(\d{3})(?:v\d+)?"
    r"(?:\s*\[[\w.-]+\])?",
    re.I,
)
_FORUM_URL = re.compile(
    rf"{_WEB}(?:api2?\.)?openreview\.net/(?:forum|pdf|attachment)/?\?(\S*)", re.I
)
_FORUM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

#: Crockford's base-32 digits, in order: ROR ids are written in them.
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _full(pattern: re.Pattern[str], value: str) -> re.Match[str] | None:
    return pattern.fullmatch(value.strip())


def doi(value: str) -> str | None:
    """A DOI in lower case (DOIs ignore case), from ``10.x/y``, ``doi:10.x/y`` or a
    doi.org address (percent-escapes decoded); sentence punctuation at the end is dropped.

    >>> doi("DOI: 10.18653/v1/P16-1001."), doi("see 10.1000/x") is None
    ('10.18653/v1/p16-1001', True)
    """
    text = value.strip()
    if prefix := _DOI_PREFIX.match(text):
        text = text[prefix.end() :]
        if "doi.org" in prefix.group(0).lower():
            text = unquote(text)
    text = text.strip().rstrip(".,;")
    return text.lower() if _DOI.fullmatch(text) else None


def arxiv(value: str) -> str | None:
    """An arXiv id without its version: ``2101.00001`` (new style, from April 2007) or
    ``hep-th/9901001`` (old style, archive in lower case, subject class dropped), from the
    bare id, ``arXiv:ID`` (a trailing ``[cs.LG]`` allowed) or an abs/pdf address.

    >>> arxiv("arXiv:1706.03762v5 [cs.CL]"), arxiv("HEP-TH/9901001v2"), arxiv("2101.0001")
    ('1706.03762', 'hep-th/9901001', None)
    """
    text = value.strip()
    if url := _ARXIV_URL.fullmatch(text):
        text = url.group(1)
    elif prefix := _ARXIV_PREFIX.match(text):
        text = text[prefix.end() :]
    if new := _ARXIV_NEW.fullmatch(text):
        yymm = int(new.group(1) + new.group(2))
        digits = 5 if yymm >= 1501 else 4
        if yymm < 704 or not 1 <= int(new.group(2)) <= 12 or len(new.group(3)) != digits:
            return None
        return f"{new.group(1)}{new.group(2)}.{new.group(3)}"
    if old := _ARXIV_OLD.fullmatch(text):
        archive, yy, mm, number = old.groups()
        if not (int(yy) >= 91 or yy <= "07") or not 1 <= int(mm) <= 12:
            return None
        return f"{archive.lower()}/{yy}{mm}{number}"
    return None


def openreview_forum(value: str) -> str | None:
    """A paper's OpenReview forum id, bare or from a forum/pdf address (its ``id=``).

    >>> openreview_forum("https://openreview.net/pdf?id=rJxbJeHFPS"), openreview_forum("~A_B1")
    ('rJxbJeHFPS', None)
    """
    text = value.strip()
    if _FORUM_URL.fullmatch(text):
        return forum_of_url(text)
    return text if _FORUM_ID.fullmatch(text) else None


def forum_of_url(url: str) -> str | None:
    """The forum id an openreview.net forum or pdf address names (its ``id=``); ``None``
    for anything else, a bare id included: what readers use on a field that holds an
    address.

    >>> forum_of_url("https://openreview.net/forum?noteId=x&id=abc-1#r"), forum_of_url("abc")
    ('abc-1', None)
    """
    match = _FORUM_URL.fullmatch(url.strip())
    if not match:
        return None
    given = parse_qs(match.group(1).split("#", 1)[0]).get("id")
    return given[0] if given and _FORUM_ID.fullmatch(given[0]) else None


def orcid(value: str) -> str | None:
    """``0000-0002-1825-0097`` from any common spelling, if its check digit holds
    (ISO 7064 MOD 11-2)."""
    match = _full(_ORCID, value)
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _openalex(value: str, kind: str) -> str | None:
    match = _full(_OPENALEX, value)
    found = match.group(1).upper() if match else None
    return found if found and found[0] == kind else None


def openalex(value: str) -> str | None:
    """An OpenAlex author id, ``A5023888391`` (an institution's ``I...`` is not one)."""
    return _openalex(value, "A")


def openalex_institution(value: str) -> str | None:
    """An OpenAlex institution id, ``I136199984`` (an author's ``A...`` is not one)."""
    return _openalex(value, "I")


def openreview_profile(value: str) -> str | None:
    """An OpenReview profile id, ``~First_Last1``; an email (an unclaimed slot) is not one."""
    text = value.strip()
    if text.lower().startswith(("http", "openreview")):
        text = unquote(text)
    match = _full(_OPENREVIEW_PROFILE, text)
    return match.group(1) if match else None


def dblp(value: str) -> str | None:
    """A dblp person id: ``129/2382`` (``-1`` for a homonym) or ``g/JaneDoe``."""
    match = _full(_DBLP, value)
    return match.group(1) if match else None


def ror(value: str) -> str | None:
    """A ROR institution id, ``05x2bcf33``, if its two check digits hold: ISO 7064
    MOD 97-10 over the base-32 value of the six characters after the leading 0.

    >>> ror("https://ror.org/05X2BCF33"), ror("05x2bcf34")
    ('05x2bcf33', None)
    """
    match = _full(_ROR, value)
    if not match:
        return None
    canonical = match.group(1).lower()
    number = 0
    for char in canonical[1:7]:
        number = number * 32 + _CROCKFORD.index(char)
    return canonical if 98 - number * 100 % 97 == int(canonical[7:]) else None


def semantic_scholar(value: str) -> str | None:
    """A Semantic Scholar author id (digits)."""
    match = _full(_S2, value)
    return match.group(1) if match else None


def email(value: str) -> str | None:
    """An email address with its domain in lower case (the local part is kept as written)."""
    match = _full(_EMAIL, value)
    if not match:
        return None
    local, domain = match.group(1).rsplit("@", 1)
    return f"{local}@{domain.lower().rstrip('.')}"


#: Every scheme a paper identifier may have, with its normaliser (the fields of ``Ids``).
PAPER_SCHEMES: dict[str, Callable[[str], str | None]] = {
    "openreview_forum": openreview_forum,
    "arxiv": arxiv,
    "doi": doi,
}

#: Every scheme a person identifier may have, with its normaliser.
PERSON_SCHEMES: dict[str, Callable[[str], str | None]] = {
    "orcid": orcid,
    "openreview": openreview_profile,
    "openalex": openalex,
    "dblp": dblp,
    "s2": semantic_scholar,
}

#: The schemes of an institution's ``scheme:value`` id (``Affiliation.id``), by the name
#: the id is written with, with their normalisers; the first that holds is the id.
ORGANIZATION_SCHEMES: dict[str, Callable[[str], str | None]] = {
    "ror": ror,
    "openalex": openalex_institution,
}

_ALL: dict[str, Callable[[str], str | None]] = {
    **PAPER_SCHEMES,
    **PERSON_SCHEMES,
    "ror": ror,
    "openalex_institution": openalex_institution,
    "email": email,
}

#: Every scheme :func:`normalize` knows.
SCHEMES = tuple(sorted(_ALL))


def normalize(scheme: str, value: str | None) -> str | None:
    """The canonical form of ``value`` as an identifier of ``scheme``, or ``None``."""
    try:
        normalizer = _ALL[scheme]
    except KeyError:
        raise ValueError(
            f"unknown identifier scheme {scheme!r}; known: {', '.join(SCHEMES)}"
        ) from None
    if not value or not isinstance(value, str):
        return None
    return normalizer(value)


def person_ids(pairs: list[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The valid ``(scheme, value)`` pairs among ``pairs``, canonical, sorted, once each."""
    out = set()
    for scheme, value in pairs:
        canonical = normalize(scheme, value)
        if canonical:
            out.add((scheme, canonical))
    return tuple(sorted(out))


def organization_id(**given: str | None) -> str | None:
    """An institution's canonical ``scheme:value`` id from the ids a source gives for it,
    by scheme name (:data:`ORGANIZATION_SCHEMES`, ROR first): invalid ones are skipped.

    >>> organization_id(ror="https://ror.org/05x2bcf33", openalex="I136199984")
    'ror:05x2bcf33'
    >>> organization_id(ror="05x2bcf34", openalex="https://openalex.org/A5023888391") is None
    True
    """
    unknown = set(given) - set(ORGANIZATION_SCHEMES)
    if unknown:
        raise ValueError(
            f"unknown institution id scheme(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(ORGANIZATION_SCHEMES)}"
        )
    for scheme, normalizer in ORGANIZATION_SCHEMES.items():
        value = given.get(scheme)
        if value and (canonical := normalizer(value)):
            return f"{scheme}:{canonical}"
    return None


def paper_ids(
    *,
    openreview: str | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
    other: tuple[tuple[str, str], ...] = (),
) -> Ids:
    """A paper's :class:`~kg.records.Ids` with each identifier normalised (an invalid one
    is left out): how every reader builds them, so one paper gets one key whatever the
    input format.

    >>> paper_ids(doi="https://doi.org/10.1000/ABC", arxiv="arXiv:2101.00001v3")
    Ids(openreview=None, arxiv='2101.00001', doi='10.1000/abc', other=())
    """
    return Ids(
        openreview=normalize("openreview_forum", openreview),
        arxiv=normalize("arxiv", arxiv),
        doi=normalize("doi", doi),
        other=other,
    )
