"""Person names taken apart: given names (words or initials) and a surname.

>>> parse("J. Zico Kolter")
Name(given=('j', 'zico'), surname='kolter')
>>> parse("Ruud J.G. van Sloun")
Name(given=('ruud', 'j', 'g'), surname='van sloun')
>>> compatible(parse("Timothy P. Lillicrap"), parse("Timothy Lillicrap"))
'strong'
>>> compatible(parse("F. Mu"), parse("Fangzhou Mu"))
'initials'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.text import ascii_fold

_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "du",
        "le",
        "la",
        "ter",
        "ten",
        "el",
        "al",
        "bin",
        "ibn",
    }
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PAREN = re.compile(r"\([^)]*\)")
_UMLAUT = re.compile(r"([aou])e")
_SEPARATORS = re.compile(r"[\s,]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class Name:
    """A parsed name: lower-case ASCII given tokens (an initial is one letter) and surname."""

    given: tuple[str, ...]
    surname: str

    @property
    def key(self) -> str:
        """The full matching key: every token, in order."""
        return " ".join((*self.given, self.surname))

    @property
    def words(self) -> tuple[str, ...]:
        """Given names written out (not initials)."""
        return tuple(g for g in self.given if len(g) > 1)

    @property
    def first_initial(self) -> str:
        return self.given[0][0] if self.given else ""


def _tokens(name: str) -> list[str]:
    text = ascii_fold(_PAREN.sub(" ", name)).lower()
    tokens: list[str] = []
    for raw in _SEPARATORS.split(text):
        # "J.G." -> j, g ; "Wei-Ning" -> weining ; "D.W.." -> d, w
        parts = [p for p in raw.split(".") if p]
        if len(parts) > 1 or raw.endswith("."):
            tokens.extend(_NOT_ALNUM.sub("", p) for p in parts)
        else:
            tokens.append(_NOT_ALNUM.sub("", raw))
    return [t for t in tokens if t]


@lru_cache(maxsize=1 << 18)
def parse(name: str) -> Name:
    """Split a display name into given tokens and surname (particles join the surname)."""
    tokens = [t for t in _tokens(name) if t not in _SUFFIXES] or _tokens(name)
    if not tokens:
        return Name((), "")
    if len(tokens) == 1:
        return Name((), tokens[0])
    surname = [tokens[-1]]
    rest = tokens[:-1]
    while len(rest) > 1 and rest[-1] in _PARTICLES:
        surname.insert(0, rest.pop())
    # an all-initials given part written together ("YM") is a run of initials
    given: list[str] = []
    for token in rest:
        if len(token) <= 3 and token.isalpha() and _all_initials(token, name):
            given.extend(token)
        else:
            given.append(token)
    return Name(tuple(given), " ".join(surname))


def _all_initials(token: str, original: str) -> bool:
    """``LK`` in ``Daniel LK Yamins``: an upper-case run of initials in a mixed-case name."""
    letters = [c for c in original if c.isalpha()]
    if len(token) < 2 or all(c.isupper() for c in letters):
        return False
    return bool(re.search(rf"\b{re.escape(token.upper())}\b", ascii_fold(original)))


def umlaut_folded(text: str) -> str:
    """``joern`` and ``jorn`` agree: German transliteration folded away."""
    return _UMLAUT.sub(r"\1", text)


def _token_match(a: str, b: str) -> str | None:
    """How two given tokens agree: ``word`` (same word), ``initial`` or ``None``."""
    if len(a) > 1 and len(b) > 1:
        if a == b or umlaut_folded(a) == umlaut_folded(b):
            return "word"
        return None
    return "initial" if a[0] == b[0] else None


def compatible(a: Name, b: Name) -> str | None:
    """Whether two names can be one person: ``strong``, ``initials`` or ``None``.

    Surnames must agree.  ``strong``: a given name is written out in both and agrees,
    and no token contradicts another (``Timothy P. Lillicrap`` / ``Timothy Lillicrap``,
    ``J. Zico Kolter`` / ``Zico Kolter``).  ``initials``: they agree only through
    initials (``F. Mu`` / ``Fangzhou Mu``), which needs more evidence to link.
    """
    if not a.surname or (
        a.surname != b.surname and umlaut_folded(a.surname) != umlaut_folded(b.surname)
    ):
        return None
    if not a.given or not b.given:
        return "initials" if a.given or b.given else "strong"
    if len(a.words) + len(b.words) > 2 and "".join(a.given) == "".join(b.given):
        return "strong"  # "Wei-Ning" / "Wei Ning"
    best: str | None = None
    for offset_a in range(len(a.given)):
        for offset_b in range(len(b.given)):
            # skip leading initials only ("J. Zico" ~ "Zico")
            if any(len(t) > 1 for t in a.given[:offset_a]) or any(
                len(t) > 1 for t in b.given[:offset_b]
            ):
                continue
            if offset_a and offset_b:
                continue
            result = _align(a.given[offset_a:], b.given[offset_b:])
            if result == "strong":
                return "strong"
            if result and offset_a == 0 and offset_b == 0:
                best = result
    return best


def _align(x: tuple[str, ...], y: tuple[str, ...]) -> str | None:
    first = _token_match(x[0], y[0])
    if first is None:
        return None
    # middle tokens: each present on both sides must agree; absent ones are fine
    for s, t in zip(x[1:], y[1:], strict=False):
        if _token_match(s, t) is None:
            return None
    return "strong" if first == "word" else "initials"


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one inserted, deleted or changed letter,
    or by two neighbouring letters swapped (the commonest typo: "Xiotng" for "Xitong").

    >>> edit_distance_at_most_one("Masao", "Masso"), edit_distance_at_most_one("Xitong", "Xiotng")
    (True, True)
    """
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        ):
            return True
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            edits += 1
            if edits > 1:
                return False
            if len(a) == len(b):
                i += 1
            j += 1
        else:
            i += 1
            j += 1
    return edits + (len(b) - j) <= 1
