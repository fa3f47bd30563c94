"""Curated lexicons of established methods, datasets and tasks, and a matcher over tokens.

The lists live in ``kg/extract/data/*.txt``, one surface form a line (``#`` starts a
comment).  Matching folds case, hyphens and a plural ``s``, so "Graph Neural Networks",
"graph neural network" and "graph-neural-networks" are one entry.  A single-word entry
written with capitals ("Adam", "GLUE") only matches a capitalised word.

>>> key_words("Graph-Neural Networks")
('graph', 'neural', 'network')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

KINDS = ("methods", "datasets", "tasks", "generic")
MAX_WORDS = 8

_SPLIT = re.compile(r"[^\w+]+")
_PART = re.compile(r"[\w+]+")
_JOINERS = frozenset({"-", "/", "–", "‑"})


def key_word(word: str) -> str:
    """The matching form of one word: NFKC, lower case, without a plural ``s``."""
    w = unicodedata.normalize("NFKC", word).lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"  # "queries", "strategies"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


def key_words(text: str) -> tuple[str, ...]:
    """The matching key of a phrase: its words, folded."""
    return tuple(key_word(w) for w in _SPLIT.split(text) if w)


def key(text: str) -> str:
    """The matching key of a phrase as one string."""
    return " ".join(key_words(text))


@dataclass(frozen=True, slots=True)
class Entry:
    """A lexicon entry: its kind, the form written in the list, and case sensitivity."""

    kind: str
    form: str
    cased: bool


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon entry found in a text: character span and token span."""

    entry: Entry
    start: int
    end: int
    token_start: int
    token_end: int


def read_list(name: str) -> list[str]:
    """The non-comment lines of ``data/NAME.txt``."""
    text = resources.files("kg.extract").joinpath("data", f"{name}.txt").read_text("utf-8")
    out = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


class Lexicon:
    """Phrases by key, with the kinds they belong to."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[tuple[str, ...], list[Entry]] = {}
        self.keys: dict[str, set[tuple[str, ...]]] = {}
        for entry in entries:
            words = key_words(entry.form)
            if words:
                self.entries.setdefault(words, []).append(entry)
                self.keys.setdefault(entry.kind, set()).add(words)
        self.max_words = max((len(k) for k in self.entries), default=1)

    def kinds(self, text: str) -> set[str]:
        """The kinds a phrase belongs to (empty when unknown)."""
        return {e.kind for e in self.entries.get(key_words(text), ())}

    def has(self, text: str, kind: str) -> bool:
        """Is ``text`` an entry of ``kind``?"""
        return kind in self.kinds(text)

    def match(self, doc: Doc, index: TextIndex | None = None) -> list[Match]:
        """Longest matches left to right over the words of ``doc``."""
        words = (index or TextIndex(doc)).words
        out: list[Match] = []
        i = 0
        while i < len(words):
            best = None
            if words[i] is not None:
                for n in range(min(self.max_words, len(words) - i), 0, -1):
                    span = words[i : i + n]
                    if any(w is None for w in span):
                        continue
                    found = self.entries.get(tuple(w[0] for w in span if w is not None))
                    if not found:
                        continue
                    first, last = span[0], span[-1]
                    assert first is not None and last is not None
                    text = doc.text[first[1] : last[2]]
                    hits = [e for e in found if _case_ok(e, text)]
                    if hits:
                        best = (n, hits, first, last)
                        break
            if best is None:
                i += 1
                continue
            n, hits, first, last = best
            for entry in hits:
                out.append(Match(entry, first[1], last[2], first[3], last[3] + 1))
            i += n
        return out


def _case_ok(entry: Entry, text: str) -> bool:
    return not entry.cased or text == entry.form or any(c.isupper() for c in text)


_Word = tuple[str, int, int, int] | None


def _words(doc: Doc) -> Iterator[_Word]:
    """The folded words of ``doc`` with character and token offsets; ``None`` is a barrier.

    A hyphen or slash inside a word ("meta-learning") is skipped, so it matches "meta
    learning"; other punctuation and sentence ends break matches.
    """
    for token in doc:
        text = token.text
        if token.is_sent_start and token.i > 0:
            yield None
        if (
            text in _JOINERS
            and not token.whitespace_
            and token.i > 0
            and (not doc[token.i - 1].whitespace_)
        ):
            continue
        if token.is_punct or token.is_space or not any(c.isalnum() for c in text):
            yield None
            continue
        for part in _PART.finditer(text):
            yield (
                key_word(part.group()),
                token.idx + part.start(),
                token.idx + part.end(),
                token.i,
            )


class TextIndex:
    """The folded words of a Doc, to find phrases in it by key."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.words: list[_Word] = list(_words(doc))

    def find(self, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """Character spans of every occurrence of the phrase key ``words``."""
        n = len(words)
        out: list[tuple[int, int]] = []
        if not n:
            return out
        ws = self.words
        for i in range(len(ws) - n + 1):
            w = ws[i]
            if w is None or w[0] != words[0]:
                continue
            span = ws[i : i + n]
            if all(x is not None and x[0] == k for x, k in zip(span, words, strict=True)):
                last = span[-1]
                assert last is not None
                out.append((w[1], last[2]))
        return out


def build(lists: Mapping[str, Iterable[str]]) -> Lexicon:
    """A lexicon of the given forms per kind."""
    entries: list[Entry] = []
    for kind, forms in lists.items():
        for form in forms:
            cased = " " not in form and any(c.isupper() for c in form)
            entries.append(Entry(kind, form, cased))
    return Lexicon(entries)


@cache
def default() -> Lexicon:
    """The bundled lexicon (read once per process)."""
    return build({kind: read_list(kind) for kind in KINDS})
