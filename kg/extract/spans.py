"""The trained span model: method (proposed or used), dataset and task mentions.

The model is a spaCy NER component with its own token-to-vector layer, trained with
``spacy train`` on the annotated corpus in ``training/`` (``make model``) and shipped in
``data/spans``.  It reads the cleaned title and abstract joined by :data:`SEP`, as it was
trained, so that a name the title gives is found with the abstract as context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

SEP = "\n\n"
"""Between the title and the abstract in the text the model reads."""

LABELS = ("PROPOSED", "METHOD", "DATASET", "TASK")
"""PROPOSED is a method the paper introduces, METHOD any other."""


@dataclass(frozen=True, slots=True)
class Found:
    """One predicted mention: ``field`` is ``"title"`` or ``"abstract"``, offsets are into
    that field's cleaned text."""

    label: str
    field: str
    start: int
    end: int
    text: str


def joined(title: str, abstract: str) -> tuple[str, int]:
    """The text the model reads and where the abstract starts in it."""
    if not title:
        return abstract, 0
    return title + SEP + abstract, len(title) + len(SEP)


def split(label: str, start: int, end: int, text: str, at: int) -> Found | None:
    """A span of the joined text as a :class:`Found` of its field (``None`` if it crosses)."""
    if at and start < at - len(SEP) and end <= at - len(SEP):
        return Found(label, "title", start, end, text[start:end])
    if start >= at:
        return Found(label, "abstract", start - at, end - at, text[start:end])
    return None


def path() -> str:
    """Where the shipped model is."""
    return str(resources.files("kg.extract").joinpath("data", "spans"))


@cache
def model() -> Language | None:
    """The shipped model, loaded once per process (``None`` if it is not installed)."""
    import spacy

    where = resources.files("kg.extract").joinpath("data", "spans")
    if not where.joinpath("meta.json").is_file():
        return None
    return spacy.load(str(where))


def predict(
    nlp: Language, pairs: Sequence[tuple[str, str]], batch_size: int = 64
) -> list[list[Found]]:
    """The mentions in each (cleaned title, cleaned abstract) pair."""
    texts = [joined(t, a) for t, a in pairs]
    out: list[list[Found]] = []
    for (text, at), doc in zip(
        texts, nlp.pipe((t for t, _ in texts), batch_size=batch_size), strict=True
    ):
        found = []
        for ent in _spans(nlp, doc):
            f = split(ent.label_, ent.start_char, ent.end_char, text, at)
            if f is not None:
                found.append(f)
        out.append(found)
    return out


def _spans(nlp: Language, doc: Doc) -> list[Span]:
    """The model's spans: a span categorizer's best non-overlapping ones, else the NER's."""
    if "spancat" not in nlp.pipe_names:
        return list(doc.ents)
    group = doc.spans.get("sc")
    if group is None or not len(group):
        return []
    scores = group.attrs.get("scores")
    ranked = sorted(
        range(len(group)),
        key=lambda i: (-float(scores[i].max()) if scores is not None else 0.0, group[i].start),
    )
    chosen: list[Span] = []
    taken: set[int] = set()
    for i in ranked:
        span = group[i]
        if taken.isdisjoint(range(span.start, span.end)):
            chosen.append(span)
            taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)
