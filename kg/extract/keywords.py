"""Keyphrases: noun phrases of the title and abstract ranked by how central they are.

A phrase scores by how often the abstract uses it, how specific its words are against
the background corpus (:mod:`kg.extract.stats`), whether the title has it, and whether
it names the paper's method or task.  Phrases with the same key are one; a phrase that
only ever occurs inside a longer chosen one adds nothing and is skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.extract import stats
from kg.extract.chunks import noun_phrases
from kg.extract.lexicon import key_words
from kg.extract.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from kg.extract.engine import Entity, Paper

MAX_KEYWORDS = 6
_YEAR = re.compile(r"(?:19|20)\d\d")
_MAX_WORDS = 5


@dataclass(slots=True)
class _Phrase:
    text: str
    key: tuple[str, ...]
    span: tuple[int, int] | None
    in_title: bool = False
    bonus: float = 0.0
    first: int = 10**9


def _phrases(doc: Doc) -> list[tuple[str, tuple[int, int]]]:
    out = []
    for s, e in noun_phrases(doc):
        span = doc[s:e]
        if e - s <= _MAX_WORDS + 2 and len(span.text) >= 3:
            out.append((span.text, (span.start_char, span.end_char)))
    return out


def _specificity(key: tuple[str, ...], table: stats.WordStats) -> float:
    """The mean specificity of a phrase's content words."""
    values = [table.specificity(w) for w in key if len(w) > 1]
    return sum(values) / len(values) if values else 0.0


def rank(paper: Paper, methods: list[Mention], tasks: list[Entity]) -> list[Mention]:
    """The best :data:`MAX_KEYWORDS` keyphrases of a paper, best first."""
    table = stats.default()
    generic = paper.lexicon.keys.get("generic", set())
    found: dict[tuple[str, ...], _Phrase] = {}

    def add(text: str, span: tuple[int, int] | None, in_title: bool = False,
            bonus: float = 0.0) -> None:
        key = paper.canonical(key_words(text))  # an acronym joins its long form
        if not key or key in generic or len(key) > _MAX_WORDS:
            return
        p = found.get(key)
        if p is None:
            p = found[key] = _Phrase(text, key, span)
        if span is not None and span[0] < p.first:
            p.first, p.span = span[0], span
            if not in_title and p.in_title and not p.bonus:
                p.text = text  # prefer the abstract's spelling over title case
        p.in_title = p.in_title or in_title
        p.bonus = max(p.bonus, bonus)

    # the names the rules found come first, so their spelling is the one shown
    for m in methods:
        add(paper.spelled_out(m.name), paper.first(m.name),
            bonus=1.5 if m.role == "proposed" else 0.6)
    for t in tasks:
        add(paper.spelled_out(t.forms[0]), paper.first(t.forms[0]), bonus=1.0)
    for text, span in _phrases(paper.doc):
        if not _YEAR.search(text):  # "Mikolov, 2015": a citation, not a phrase
            add(text, span)
    if paper.title_doc is not None:
        for text, _ in _phrases(paper.title_doc):
            add(text, paper.first(text), in_title=True)

    length = max(1, len(paper.doc.text))
    scored = []
    for p in found.values():
        tf = paper.count(p.text)
        if tf == 0 and not p.in_title and not p.bonus:
            continue
        spec = _specificity(p.key, table)
        if spec < 0.25 and not p.bonus:
            continue  # common words only: "the results", "a model"
        if len(p.key) == 1 and not p.bonus and not (
            (tf >= 2 and spec >= 0.5) or (p.in_title and tf >= 1 and spec >= 0.4)
        ):
            continue  # a lone word said once ("doubt", "conflict") indexes nothing
        early = 0.5 * (1 - p.first / length) if p.first < length else 0.0
        words_bonus = 0.3 if 2 <= len(p.key) <= 3 else 0.0
        score = spec * (1 + math.log1p(tf)) + (1.2 if p.in_title else 0) + p.bonus
        scored.append((score + early + words_bonus, p))
    scored.sort(key=lambda sp: (-sp[0], sp[1].first, sp[1].text))

    chosen: list[tuple[float, _Phrase]] = []
    for score, p in scored:
        if any(_inside(p, q, paper) for _, q in chosen):
            continue
        chosen.append((score, p))
        if len(chosen) == MAX_KEYWORDS:
            break
    top = chosen[0][0] if chosen else 1.0
    out = []
    for score, p in chosen:
        start = end = None
        if p.span is not None and paper.cleaned.offsets:
            start, end = paper.cleaned.span(*p.span)
        out.append(Mention(p.text, start=start, end=end,
                           confidence=round(max(0.05, min(1.0, score / top * 0.8)), 3)))
    return out


def _inside(p: _Phrase, q: _Phrase, paper: Paper) -> bool:
    """Does ``p`` occur only as part of ``q`` (as many times as ``q`` does)?"""
    n = len(p.key)
    if n >= len(q.key):
        return False
    if not any(q.key[i : i + n] == p.key for i in range(len(q.key) - n + 1)):
        return False
    return paper.count(p.text) <= paper.count(q.text)
