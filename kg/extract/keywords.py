"""Keyphrases: noun phrases of the title and abstract ranked by how central they are.

A phrase scores by how often the abstract uses it, how specific its words are against
the background corpus (:mod:`kg.extract.wordstats`), whether the title has it, and whether
it names the paper's method or task.  Phrases with the same key are one; a phrase that
only ever occurs inside a longer chosen one adds nothing and is skipped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from kg.extract import wordstats
from kg.extract.chunks import noun_phrases
from kg.extract.lexicon import key_words
from kg.extract.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from kg.extract.tagged import Entity, TaggedPaper

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
    kinds: list[str] = field(default_factory=list)


def _phrases(doc: Doc) -> list[tuple[str, tuple[int, int]]]:
    out = []
    for s, e in noun_phrases(doc):
        span = doc[s:e]
        if e - s <= _MAX_WORDS + 2 and len(span.text) >= 3:
            out.append((span.text, (span.start_char, span.end_char)))
    return out


def _specificity(key: tuple[str, ...], table: wordstats.WordStats) -> float:
    """The mean specificity of a phrase's content words."""
    values = [table.specificity(w) for w in key if len(w) > 1]
    return sum(values) / len(values) if values else 0.0


FEATURES = (
    "bias",
    "specificity",
    "frequency",
    "in_title",
    "early",
    "one_word",
    "two_words",
    "three_words",
    "long",
    "proposed",
    "method",
    "task",
    "capitals",
    "heuristic",
    "prior",
    "prior_only",
    "generic",
)
"""What the learned ranking reads of a candidate phrase (see :func:`candidates`)."""

PRIOR_MIN = 2
"""A phrase authors chose this many times in the prior table is a candidate for any paper
whose title and abstract have all its words ("deep learning" for a paper on deep nets)."""


@cache
def weights() -> list[float] | None:
    """The shipped ranking weights (``data/keywords.json``); ``None`` if absent."""
    where = resources.files("kg.extract").joinpath("data", "keywords.json")
    if not where.is_file():
        return None
    data = json.loads(where.read_text("utf-8"))
    return data["weights"] if data.get("features") == list(FEATURES) else None


@cache
def prior() -> dict[tuple[str, ...], Prior]:
    """How many papers' authors chose each folded phrase as a keyword
    (``data/keyphrases.tsv``, made by ``python -m training.keywords train``)."""
    where = resources.files("kg.extract").joinpath("data", "keyphrases.tsv")
    if not where.is_file():
        return {}
    out = {}
    for line in where.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            phrase, n, form = line.split("\t")
            out[tuple(phrase.split())] = Prior(int(n), form)
    return out


@dataclass(frozen=True, slots=True)
class Prior:
    """How many papers' authors chose a phrase, and the spelling they used most."""

    papers: int
    form: str


@dataclass(slots=True)
class KeyphraseCandidate:
    """A keyphrase candidate of one paper with its features and score."""

    phrase: _Phrase
    x: list[float]
    score: float


def candidates(
    paper: TaggedPaper,
    methods: list[Mention],
    tasks: list[Entity],
    learned: list[float] | None = None,
    chosen: Mapping[tuple[str, ...], Prior] | None = None,
) -> list[KeyphraseCandidate]:
    """Every keyphrase candidate of a paper, best first (by ``learned`` weights, else by
    the hand-set score); ``chosen`` is the prior table (the shipped one by default)."""
    table = wordstats.default()
    generic = paper.lexicon.keys.get("generic", set())
    priors = prior() if chosen is None else chosen
    found: dict[tuple[str, ...], _Phrase] = {}

    def add(
        text: str,
        span: tuple[int, int] | None,
        in_title: bool = False,
        bonus: float = 0.0,
        kind: str = "",
    ) -> None:
        key = paper.canonical(key_words(text))  # an acronym joins its long form
        if not key or len(key) > _MAX_WORDS or (learned is None and key in generic):
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
        if kind and kind not in p.kinds:
            p.kinds.append(kind)

    # the names found come first, so their spelling is the one shown
    for m in methods:
        add(
            paper.spelled_out(m.name),
            paper.first(m.name),
            bonus=1.5 if m.role == "proposed" else 0.6,
            kind="proposed" if m.role == "proposed" else "method",
        )
    for t in tasks:
        add(paper.spelled_out(t.forms[0]), paper.first(t.forms[0]), bonus=1.0, kind="task")
    for text, span in _phrases(paper.doc):
        if not _YEAR.search(text):  # "Mikolov, 2015": a citation, not a phrase
            add(text, span)
    if paper.title_doc is not None:
        for text, _ in _phrases(paper.title_doc):
            add(text, paper.first(text), in_title=True)
    if learned is not None:
        have = {w for k in found for w in k} | set(key_words(paper.doc.text))
        have |= set(paper.title_keys)
        for key, pr in priors.items():
            if pr.papers >= PRIOR_MIN and key not in found and all(w in have for w in key):
                found[key] = _Phrase(pr.form, key, None, kinds=["prior"])

    length = max(1, len(paper.doc.text))
    out = []
    for p in found.values():
        tf = paper.count(p.text)
        only = p.kinds == ["prior"]
        if tf == 0 and not p.in_title and not p.bonus and not only:
            continue
        spec = _specificity(p.key, table)
        early = 0.5 * (1 - p.first / length) if p.first < length else 0.0
        heuristic = _heuristic(p, tf, spec, early)
        known = p.key in priors and priors[p.key].papers >= PRIOR_MIN
        if heuristic is None and (learned is None or not known):
            continue  # common words, or a lone word said once, that authors seldom choose
        n = len(p.key)
        x = [
            1.0,
            spec,
            math.log1p(tf),
            1.0 if p.in_title else 0.0,
            early,
            1.0 if n == 1 else 0.0,
            1.0 if n == 2 else 0.0,
            1.0 if n == 3 else 0.0,
            1.0 if n >= 4 else 0.0,
            1.0 if "proposed" in p.kinds else 0.0,
            1.0 if "method" in p.kinds else 0.0,
            1.0 if "task" in p.kinds else 0.0,
            1.0 if any(c.isupper() for c in p.text[1:]) else 0.0,
            heuristic if heuristic is not None else -1.0,
            math.log1p(priors[p.key].papers if p.key in priors else 0),
            1.0 if only else 0.0,
            1.0 if p.key in generic else 0.0,
        ]
        score = (
            sum(w * v for w, v in zip(learned, x, strict=True))
            if learned is not None
            else heuristic or 0.0
        )
        out.append(KeyphraseCandidate(p, x, score))
    out.sort(key=lambda c: (-c.score, c.phrase.first, c.phrase.text))
    return out


def _heuristic(p: _Phrase, tf: int, spec: float, early: float) -> float | None:
    """The hand-set score of a phrase (``None``: not a keyphrase at all)."""
    if spec < 0.25 and not p.bonus:
        return None  # common words only: "the results", "a model"
    if (
        len(p.key) == 1
        and not p.bonus
        and not ((tf >= 2 and spec >= 0.5) or (p.in_title and tf >= 1 and spec >= 0.4))
    ):
        return None  # a lone word said once ("doubt", "conflict") indexes nothing
    words_bonus = 0.3 if 2 <= len(p.key) <= 3 else 0.0
    return spec * (1 + math.log1p(tf)) + (1.2 if p.in_title else 0) + p.bonus + early + words_bonus


def rank(
    paper: TaggedPaper,
    methods: list[Mention],
    tasks: list[Entity],
    limit: int = MAX_KEYWORDS,
    learned: list[float] | bool | None = True,
    priors: Mapping[tuple[str, ...], Prior] | None = None,
) -> list[Mention]:
    """The best ``limit`` keyphrases of a paper, best first (``learned``: the shipped
    weights if ``True``, given weights, or ``None`` for the hand-set score; ``priors``:
    the shipped prior table unless given)."""
    w = weights() if learned is True else (learned or None)
    chosen: list[KeyphraseCandidate] = []
    for c in candidates(paper, methods, tasks, w, priors):
        if any(_inside(c.phrase, q.phrase, paper) for q in chosen):
            continue
        chosen.append(c)
        if len(chosen) == limit:
            break
    out = []
    for rank_, c in enumerate(chosen):
        p = c.phrase
        start = end = None
        if p.span is not None and paper.cleaned.offsets:
            start, end = paper.cleaned.span(*p.span)
        confidence = (
            1 / (1 + math.exp(-c.score))
            if w is not None
            else max(0.05, min(1.0, c.score / chosen[0].score * 0.8))
        )
        out.append(
            Mention(
                p.text,
                start=start,
                end=end,
                confidence=round(max(0.05, min(1.0, confidence)) - rank_ * 1e-3, 3),
            )
        )
    return out


def _inside(p: _Phrase, q: _Phrase, paper: TaggedPaper) -> bool:
    """Does ``p`` occur only as part of ``q`` (as many times as ``q`` does)?"""
    n = len(p.key)
    if n >= len(q.key):
        return False
    if not any(q.key[i : i + n] == p.key for i in range(len(q.key) - n + 1)):
        return False
    return paper.count(p.text) <= paper.count(q.text)
