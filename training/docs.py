"""Corpus records as spaCy training docs: the cleaned title and abstract, joined as the
model reads them at run time (:func:`kg.extract.spans.joined`), with the annotated spans
moved onto the cleaned text."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from kg.extract.clean import Cleaned, clean
from kg.extract.spans import joined


def to_clean(cleaned: Cleaned, start: int, end: int) -> tuple[int, int] | None:
    """The cleaned ``[start, end)`` of an original span (``None`` if markup swallowed it)."""
    offsets = cleaned.offsets
    a = bisect_left(offsets, start)
    b = bisect_left(offsets, end)
    return (a, b) if a < b else None


def model_label(span: dict[str, Any]) -> str:
    """The label the model learns: a method the paper proposes is PROPOSED."""
    return "PROPOSED" if span.get("role") == "proposed" else span["label"]


def to_doc(nlp: Language, rec: dict[str, Any]) -> Doc:
    """One record as a doc whose ``ents`` are its METHOD/DATASET/TASK spans."""
    title = clean(rec["title"]) if rec.get("title") else None
    abstract = clean(rec["abstract"])
    text, at = joined(title.text if title else "", abstract.text)
    doc = nlp.make_doc(text)
    spans = []
    for s in rec["spans"]:
        cleaned, base = (title, 0) if s["field"] == "title" else (abstract, at)
        if cleaned is None:
            continue
        moved = to_clean(cleaned, s["start"], s["end"])
        if moved is None:
            continue
        a, b = moved[0] + base, moved[1] + base
        label = model_label(s)
        span = doc.char_span(a, b, label=label, alignment_mode="contract") or doc.char_span(
            a, b, label=label, alignment_mode="expand"
        )
        if span is not None and span.text.strip():
            spans.append(span)
    doc.spans["sc"] = spans  # for a span categorizer (overlaps allowed)
    doc.ents = filter_spans(spans)
    return doc


def docbin(nlp: Language, records: Iterable[dict[str, Any]]) -> DocBin:
    """Records as a :class:`DocBin` for ``spacy train``."""
    out = DocBin(store_user_data=False)
    for rec in records:
        out.add(to_doc(nlp, rec))
    return out
