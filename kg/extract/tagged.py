"""A paper as the rules see it while it is extracted, and the entities found in it.

:class:`TaggedPaper` holds a paper's tagged title and abstract, the indexes the rules search and
the acronyms the abstract defines; :class:`Entity` is one thing the rules found, with every
form it was written in.  The rules (:mod:`kg.extract.engine`), the keyword ranking
(:mod:`kg.extract.keywords`) and the joining of the span model's finds with the rules'
(:mod:`kg.extract.combine`) all read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.acronyms import Definition, find_definitions
from kg.extract.clean import Cleaned
from kg.extract.lexicon import Lexicon, TextIndex, key_words

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(slots=True)
class Entity:
    """Forms of one thing found in a paper, with the best evidence for it."""

    forms: list[str]
    keys: set[tuple[str, ...]]
    confidence: float
    rule: str
    span: tuple[int, int] | None = None
    new: bool | None = None
    score: float = 0.0
    order: int = 0

    def add(self, other: Entity) -> None:
        for form in other.forms:
            if form not in self.forms:
                self.forms.append(form)
        self.keys |= other.keys
        self.confidence = max(self.confidence, other.confidence)
        self.score = max(self.score, other.score)
        if self.span is None or (other.span is not None and other.span[0] < self.span[0]):
            self.span = other.span
        self.order = min(self.order, other.order)
        if other.new:
            self.new = True


@dataclass(slots=True)
class TaggedPaper:
    """Everything the rules know about one paper while it is being extracted."""

    id: str
    title: str | None
    title_doc: Doc | None
    doc: Doc
    cleaned: Cleaned
    lexicon: Lexicon
    corpus_acronyms: Mapping[str, str] = field(default_factory=dict)
    raw: str = ""
    """The abstract as given (names written with LaTeX are reported as written)."""
    index: TextIndex = field(init=False)
    title_index: TextIndex | None = field(init=False)
    defs: list[Definition] = field(init=False)
    alias: dict[tuple[str, ...], tuple[str, ...]] = field(init=False)
    title_keys: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.index = TextIndex(self.doc)
        self.title_index = TextIndex(self.title_doc) if self.title_doc is not None else None
        self.defs = find_definitions(self.doc.text)
        self.alias = {}
        for d in self.defs:
            long_key, short_key = key_words(d.long), key_words(d.singular_short)
            self.alias.setdefault(short_key, long_key)
        self.title_keys = set(key_words(self.title or ""))

    def canonical(self, k: tuple[str, ...]) -> tuple[str, ...]:
        """The key with defined acronyms spelled out ("deep RL" -> deep reinforcement learning)."""
        if k in self.alias:
            return self.alias[k]
        if len(k) > 1 and any((w,) in self.alias for w in k):
            return tuple(x for w in k for x in self.alias.get((w,), (w,)))
        return k

    def spelled_out(self, form: str) -> str:
        """The long form of a defined acronym ("RL" -> "reinforcement learning"), else ``form``."""
        k = key_words(form)
        for d in self.defs:
            if k in (key_words(d.short), key_words(d.singular_short)):
                return d.long
        return form

    def count(self, form: str) -> int:
        return len(self.index.find(key_words(form)))

    def first(self, form: str) -> tuple[int, int] | None:
        spans = self.index.find(key_words(form))
        return spans[0] if spans else None

    def entity(
        self,
        text: str,
        confidence: float,
        rule: str,
        span: tuple[int, int] | None = None,
        order: int = 0,
    ) -> Entity:
        k = key_words(text)
        keys = {k, self.canonical(k)}
        for d in self.defs:
            if k in (key_words(d.long), key_words(d.singular_short), key_words(d.short)):
                keys |= {key_words(d.long), key_words(d.singular_short)}
        return Entity([text], keys, confidence, rule, span, order=order)
