"""One normaliser per identifier scheme of people and institutions.

Readers pass what a source wrote (a bare id, a URL, a ``mailto:``) through
:func:`normalize`; everything downstream (resolution, the graph, lookups) only ever sees
the canonical form, or nothing when the value is not a valid identifier of that scheme.

>>> normalize("orcid", "https://orcid.org/0000-0002-1825-0097")
'0000-0002-1825-0097'
>>> normalize("orcid", "0000-0002-1825-0098") is None  # wrong check digit
True
>>> normalize("openreview", "~Bibit_Bianchini1"), normalize("openreview", "a@b.edu")
('~Bibit_Bianchini1', None)
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ORCID = re.compile(r"(?:orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])\s*$", re.I)
_OPENALEX = re.compile(r"(?:openalex\.org/)?([AI]\d{4,12})\s*$", re.I)
_OPENREVIEW = re.compile(r"(?:openreview\.net/profile\?id=)?(~[^\W\d_][\w.'-]*?\d+)\s*$")
_DBLP = re.compile(r"(?:dblp\.org/pid/|dblp\.uni-trier\.de/pid/)?([a-z0-9]{1,8}/[A-Za-z0-9_-]{1,40}"
                   r"(?:-\d+)?)(?:\.html)?\s*$")
_ROR = re.compile(r"(?:ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})\s*$", re.I)
_S2 = re.compile(r"(?:semanticscholar\.org/author/(?:[^/]+/)?)?(\d{1,12})\s*$")
_EMAIL = re.compile(r"(?:mailto:)?([^\s@<>;,]+@[^\s@<>;,]+\.[A-Za-z]{2,})\s*$", re.I)


def orcid(value: str) -> str | None:
    """``0000-0002-1825-0097`` from any common spelling, if its check digit holds."""
    match = _ORCID.search(value.strip())
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def openalex(value: str) -> str | None:
    """An OpenAlex author or institution id, ``A5023888391`` / ``I136199984``."""
    match = _OPENALEX.search(value.strip())
    return match.group(1).upper() if match else None


def openreview(value: str) -> str | None:
    """An OpenReview profile id, ``~First_Last1``; an email (an unclaimed slot) is not one."""
    match = _OPENREVIEW.search(value.strip())
    return match.group(1) if match else None


def dblp(value: str) -> str | None:
    """A dblp person id, ``129/2382`` or ``g/JaneDoe``."""
    match = _DBLP.search(value.strip())
    return match.group(1) if match else None


def ror(value: str) -> str | None:
    """A ROR institution id, ``05x2bcf33``."""
    match = _ROR.search(value.strip())
    return match.group(1).lower() if match else None


def semantic_scholar(value: str) -> str | None:
    """A Semantic Scholar author id (digits)."""
    match = _S2.search(value.strip())
    return match.group(1) if match else None


def email(value: str) -> str | None:
    """An email address with its domain in lower case (the local part is kept as written)."""
    match = _EMAIL.search(value.strip())
    if not match:
        return None
    local, domain = match.group(1).rsplit("@", 1)
    return f"{local}@{domain.lower().rstrip('.')}"


#: Every scheme a person identifier may have, with its normaliser.
PERSON_SCHEMES: dict[str, Callable[[str], str | None]] = {
    "orcid": orcid, "openreview": openreview, "openalex": openalex, "dblp": dblp,
    "s2": semantic_scholar,
}

#: Every scheme an institution identifier may have, with its normaliser.
ORGANIZATION_SCHEMES: dict[str, Callable[[str], str | None]] = {"ror": ror, "openalex": openalex}

_ALL: dict[str, Callable[[str], str | None]] = {**PERSON_SCHEMES, "ror": ror, "email": email}


def normalize(scheme: str, value: str | None) -> str | None:
    """The canonical form of ``value`` as an identifier of ``scheme``, or ``None``."""
    if not value:
        return None
    try:
        return _ALL[scheme](value)
    except KeyError:
        raise ValueError(f"unknown identifier scheme {scheme!r}") from None


def person_ids(pairs: list[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The valid ``(scheme, value)`` pairs among ``pairs``, canonical, sorted, once each."""
    out = set()
    for scheme, value in pairs:
        canonical = normalize(scheme, value)
        if canonical:
            out.add((scheme, canonical))
    return tuple(sorted(out))
