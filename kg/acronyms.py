"""Acronym definitions: "graph neural networks (GNNs)" links a long form and its acronym.

The long form is found by matching the acronym's letters right to left in the words
before the parenthesis, the first letter at a word start (after Schwartz and Hearst,
2003).  Works on plain text, so it needs no trained pipeline: extraction reports one entity
for both forms, and resolution learns which long form a corpus means by an acronym.

>>> [(d.long, d.short) for d in find_definitions("We use Graph Neural Networks (GNNs) here.")]
[('Graph Neural Networks', 'GNNs')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# "(" SHORT ")" or "(" SHORT ";" / "," more ")": a short form of 2-12 characters.
_PAREN = re.compile(r"\((?P<short>[^\s()\[\],;]{2,12})(?P<tail>[,;][^()]{0,60})?\)")
_WORDS_BEFORE = re.compile(r"[^\s]+")
_STOP_AT = re.compile(r"[.;:!?()\[\]]\s|[()\[\]]|,\s|\b(?:e\.g|i\.e)\b")
_HAS_LETTER_CAP_OR_DIGIT = re.compile(r"[A-Z]|(?=.*\d)(?=.*[a-z])")
_LEADING_NOISE = re.compile(
    r"^(?:(?:the|a|an|our|we|of|and|or|for|to|in|on|with|by|use|using|called|named|"
    r"this|these|that|new|novel|so-called)\s+)+",
    re.IGNORECASE,
)
_PLURAL = re.compile(r"(?<=[A-Z0-9])s$")


@dataclass(frozen=True, slots=True)
class Definition:
    """One definition: character spans of both forms in the text searched."""

    long: str
    short: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int

    @property
    def singular_short(self) -> str:
        """The acronym without a plural ``s`` ("GNNs" -> "GNN")."""
        return _PLURAL.sub("", self.short)


def is_acronym(word: str) -> bool:
    """Does ``word`` look like an acronym or a coined name ("GNN", "C-SWMs", "seq2seq")?"""
    if len(word) < 2 or len(word) > 15 or not word[0].isalnum():
        return False
    if not any(c.isalpha() for c in word):
        return False
    return bool(_HAS_LETTER_CAP_OR_DIGIT.search(word[1:] if word[0].isupper() else word)) and (
        sum(c.isupper() for c in word) >= 2 or any(c.isdigit() for c in word)
    )


def _long_form(short: str, text: str) -> int | None:
    """Where in ``text`` the long form of ``short`` starts, or ``None``.

    Every letter and digit of ``short`` must occur in ``text`` in order; its first
    character at the start of a word.
    """
    chars = [c.lower() for c in _PLURAL.sub("", short) if c.isalnum()]
    if len(chars) < 2:
        return None
    pos = len(text) - 1
    for i in range(len(chars) - 1, -1, -1):
        c = chars[i]
        while pos >= 0:
            here = text[pos].lower()
            at_word_start = pos == 0 or not text[pos - 1].isalnum()
            if here == c and (i > 0 or at_word_start):
                break
            pos -= 1
        if pos < 0:
            return None
        pos -= 1
    start = pos + 1
    # the first letter must begin a word of the long form
    return start if start == 0 or not text[start - 1].isalnum() else None


def find_definitions(text: str) -> list[Definition]:
    """Every "long form (SHORT)" definition in ``text``, in order."""
    found: list[Definition] = []
    for m in _PAREN.finditer(text):
        short = m.group("short").strip()
        if not is_acronym(short[:-1] if short.endswith("s") else short):
            continue
        left_end = m.start()
        while left_end > 0 and text[left_end - 1] == " ":
            left_end -= 1
        window_start = max(0, left_end - 160)
        window = text[window_start:left_end]
        stops = list(_STOP_AT.finditer(window))
        if stops:
            window_start += stops[-1].end()
            window = text[window_start:left_end]
        words = _WORDS_BEFORE.findall(window)
        n_letters = sum(c.isalnum() for c in _PLURAL.sub("", short))
        max_words = min(n_letters + 5, n_letters * 2)
        if len(words) > max_words:
            cut = len(window)
            for _ in range(max_words):
                cut = window.rfind(" ", 0, cut)
            window_start += cut + 1
            window = text[window_start:left_end]
        start = _long_form(short, window)
        if start is None:
            continue
        long = window[start:]
        noise = _LEADING_NOISE.match(long)
        if noise:
            start += noise.end()
            long = window[start:]
        too_short = len(long) <= len(short) or " " not in long.strip()
        if (too_short and "-" not in long) or long.lower() == short.lower():
            continue
        if _long_form(short, long) is None:
            continue
        found.append(
            Definition(
                long=long,
                short=short,
                long_start=window_start + start,
                long_end=left_end,
                short_start=m.start("short"),
                short_end=m.start("short") + len(short),
            )
        )
    return found


def pair_counts(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Acronym (singular) -> its most frequent long form, from (long, short) pairs."""
    counts: dict[str, Counter[str]] = {}
    for long, short in pairs:
        counts.setdefault(_PLURAL.sub("", short), Counter())[long] += 1
    return {short: c.most_common(1)[0][0] for short, c in sorted(counts.items())}
