"""The annotated training corpus: records, their entity spans, and the held-out guard.

``training/corpus/annotations.jsonl`` holds one hand-annotated abstract a line, in the
gold set's format (``proposed``, ``used``, ``datasets``, ``tasks``, ``keywords``, see
``tests/data/eval/GUIDE.md``) plus its text, where it came from, and ``spans``: every
occurrence of every annotated name in the title and abstract, as character offsets.
``double.jsonl`` holds a second, independent annotation of 60 of them.

No record may be one of the held-out abstracts that judge the project
(``tests/data/eval/heldout_abstracts.sha1``); :func:`load` refuses them, so nothing built
from the corpus (the model, the lexicons, word statistics) can learn from one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORPUS = HERE / "corpus" / "annotations.jsonl"
DOUBLE = HERE / "corpus" / "double.jsonl"
HELDOUT = HERE.parent / "tests" / "data" / "eval" / "heldout_abstracts.sha1"

LABELS = ("METHOD", "DATASET", "TASK")
"""The span labels the model learns; a method's role is a separate decision."""

_WORDCHAR = re.compile(r"\w")


def text_hash(abstract: str) -> str:
    """The held-out list's key: SHA-1 of the first 200 of the abstract's folded [a-z0-9]."""
    folded = re.sub(r"[^a-z0-9]", "", abstract.lower())[:200]
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


@cache
def heldout() -> frozenset[str]:
    """The hashes of the held-out abstracts."""
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


def is_heldout(abstract: str | None) -> bool:
    """Is ``abstract`` one of the held-out abstracts (never to be learned from)?"""
    return bool(abstract) and text_hash(abstract or "") in heldout()


@dataclass(frozen=True, slots=True)
class Span:
    """One mention: ``field`` is ``"title"`` or ``"abstract"``; ``role`` for methods
    (``proposed``/``used``), ``new`` for datasets."""

    field: str
    start: int
    end: int
    label: str
    role: str | None = None
    new: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "label": self.label,
        }
        if self.role is not None:
            out["role"] = self.role
        if self.new is not None:
            out["new"] = self.new
        return out


def _names(rec: dict[str, Any]) -> list[tuple[str, str, str | None, bool | None]]:
    """(surface form, label, role, new) of every annotated name, most specific first."""
    out: list[tuple[str, str, str | None, bool | None]] = []
    for p in rec.get("proposed", []):
        for form in (p["name"], *p.get("aliases", [])):
            out.append((form, "METHOD", "proposed", None))
    for d in rec.get("datasets", []):
        out.append((d["name"], "DATASET", None, bool(d.get("new"))))
    for form in rec.get("used", []):
        out.append((form, "METHOD", "used", None))
    for form in rec.get("tasks", []):
        out.append((form, "TASK", None, None))
    return out


def _occurrences(text: str, form: str) -> Iterator[tuple[int, int]]:
    """Where ``form`` occurs in ``text`` as whole words, ignoring case."""
    if not form.strip():
        return
    low, needle = text.lower(), form.lower()
    at = low.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = at > 0 and _WORDCHAR.match(text[at - 1]) and _WORDCHAR.match(text[at])
        after = end < len(text) and _WORDCHAR.match(text[end]) and _WORDCHAR.match(text[end - 1])
        if not before and not after:
            yield at, end
        at = low.find(needle, at + 1)


def find_spans(rec: dict[str, Any]) -> list[Span]:
    """Every occurrence of every annotated name, longest first where two overlap.

    A form found both as a proposed method and as something else keeps the first kind
    :func:`_names` lists (proposed, then datasets, used methods, tasks).
    """
    candidates: list[tuple[int, int, Span]] = []
    for order, (form, label, role, new) in enumerate(_names(rec)):
        for field in ("title", "abstract"):
            text = rec.get(field) or ""
            for start, end in _occurrences(text, form):
                candidates.append(
                    (order, -(end - start), Span(field, start, end, label, role, new))
                )
    chosen: list[Span] = []
    for _, _, span in sorted(candidates, key=lambda c: (c[1], c[0], c[2].field, c[2].start)):
        if any(s.field == span.field and s.start < span.end and span.start < s.end for s in chosen):
            continue
        chosen.append(span)
    return sorted(chosen, key=lambda s: (s.field != "title", s.start))


class HeldOutError(ValueError):
    """A corpus record is one of the held-out abstracts."""


def read(path: Path = CORPUS) -> Iterator[dict[str, Any]]:
    """The records of a corpus file; :class:`HeldOutError` on a held-out abstract."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if is_heldout(rec.get("abstract")):
                raise HeldOutError(f"{path}:{n}: record {rec.get('id')} is a held-out abstract")
            yield rec


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write records (with fresh spans) as JSON lines, skipping held-out abstracts."""
    n = 0
    lines = []
    for rec in records:
        if is_heldout(rec.get("abstract")):
            continue
        rec = {**rec, "spans": [s.as_dict() for s in find_spans(rec)]}
        lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=False))
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return n


def as_gold(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records in the form the gold set's scorer reads."""
    keys = ("id", "proposed", "used", "datasets", "tasks", "keywords")
    return [{k: r[k] for k in keys} for r in records]
