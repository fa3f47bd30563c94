"""Entities found more than once made one: by a shared matching key, by most of their core
words, or (tasks) a shorter name inside a longer one.

The rules (:mod:`kg.extract.engine`) and the joining of the span model's finds with the
rules' (:mod:`kg.extract.combine`) both fold what they found this way.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.extract.tagged import Entity, TaggedPaper
from kg.extract.tokens import GENERIC_HEADS


def merge_entities(entities: Iterable[Entity], fuzzy: bool = False) -> list[Entity]:
    """Fold entities sharing a key (or, with ``fuzzy``, most of their core words)."""
    out: list[Entity] = []
    for e in entities:
        for o in out:
            if e.keys & o.keys or (fuzzy and _similar(e, o)):
                o.add(e)
                break
        else:
            out.append(e)
    return out


def _core(k: tuple[str, ...]) -> set[str]:
    return {w for w in k if w not in GENERIC_HEADS and w not in ("a", "an", "the", "of")}


def _similar(a: Entity, b: Entity) -> bool:
    for ka in a.keys:
        for kb in b.keys:
            ca, cb = _core(ka), _core(kb)
            if ca and cb and len(ca & cb) / len(ca | cb) >= 0.5:
                return True
    return False


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return 0 < n < len(big) and any(big[i : i + n] == small for i in range(len(big) - n + 1))


def fold_contained(paper: TaggedPaper, entities: list[Entity]) -> list[Entity]:
    """One task for "speech synthesis" and "high fidelity speech synthesis".

    The pair keeps the better rank; its name is the shorter form when the abstract also
    uses it on its own (the core task), else the longer.
    """
    out: list[Entity] = []
    for e in entities:
        for o in out:
            pairs = [(a, b) for a in o.keys for b in e.keys]
            if any(_contains(a, b) for a, b in pairs):
                shorter = e  # o is the longer one
            elif any(_contains(b, a) for a, b in pairs):
                shorter = o
            else:
                continue
            longer = o if shorter is e else e
            alone = paper.count(shorter.forms[0]) > paper.count(longer.forms[0])
            if shorter is e and e.span is not None and alone:
                o.forms.insert(0, e.forms[0])
                o.span = e.span
            elif shorter is o and not alone:
                o.forms.insert(0, e.forms[0])
                o.span = e.span or o.span
            o.keys |= e.keys
            break
        else:
            out.append(e)
    return out
