"""Fit the role weights (:mod:`kg.extract.roles`) on the annotated corpus.

Training examples come from the same code that runs at extraction time
(:func:`kg.extract.combine.candidates`), fed the annotated spans instead of the model's,
so a feature means the same in training and in use.  A method is a positive example of
``proposed`` when one of its forms is a name or alias the annotators gave as proposed; a
dataset is a positive example of ``new`` when they marked it new.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kg.extract import roles
from kg.extract.clean import clean
from kg.extract.engine import rules
from kg.extract.lexicon import Lexicon
from kg.extract.lexicon import default as default_lexicon
from kg.extract.nlp import load
from kg.extract.spans import Found
from kg.extract.tagged import Entity, TaggedPaper
from training.docs import to_clean

TARGET = Path(__file__).parent.parent / "kg" / "extract" / "data" / "roles.json"


def papers(
    records: Iterable[dict[str, Any]], lexicon: Lexicon | None = None
) -> Iterator[tuple[dict[str, Any], TaggedPaper]]:
    """Each record with the :class:`TaggedPaper` extraction would build for it (with the
    bundled lexicon unless another is given)."""
    loaded = load(warn=False)
    lexicon = lexicon or default_lexicon()
    for rec in records:
        c = clean(rec["abstract"])
        title = clean(rec["title"]).text if rec.get("title") else ""
        doc = loaded.nlp(c.text)
        tdoc = loaded.nlp(title) if title else None
        yield rec, TaggedPaper(rec["id"], title or None, tdoc, doc, c, lexicon, {}, rec["abstract"])


def gold_found(rec: dict[str, Any]) -> list[Found]:
    """The annotated spans as if the model had found them (cleaned offsets)."""
    out = []
    cleaned = {"abstract": clean(rec["abstract"])}
    if rec.get("title"):
        cleaned["title"] = clean(rec["title"])
    for s in rec["spans"]:
        c = cleaned.get(s["field"])
        if c is None:
            continue
        moved = to_clean(c, s["start"], s["end"])
        if moved is not None:
            out.append(Found(s["label"], s["field"], *moved, c.text[moved[0] : moved[1]]))
    return out


def _matches(e: Entity, gold: list[list[str]]) -> bool:
    """Does one of the entity's forms match a gold entity as the scorer matches them?"""
    from training.evaluate import scorer

    match = scorer().match
    return any(match(f, forms, True) for f in e.forms for forms in gold)


FOLDS = 5


def examples(
    records: list[dict[str, Any]],
) -> tuple[list[list[float]], list[int], list[list[float]], list[int]]:
    """Feature vectors and labels for ``proposed`` and for ``new``.

    The rules' lexicon a record is seen with is built from the other folds' annotations
    only: with its own names in the lexicon, every annotated method would look "known",
    which is never so on new text.
    """
    from kg.extract.lexicon import build, read_list
    from training.lexicons import names

    xm: list[list[float]] = []
    ym: list[int] = []
    xd: list[list[float]] = []
    yd: list[int] = []
    for f in range(FOLDS):
        rest = [r for i, r in enumerate(records) if i % FOLDS != f]
        lexicon = build({**names(rest), "generic": read_list("generic")})
        a, b, c, d = _examples([r for i, r in enumerate(records) if i % FOLDS == f], lexicon)
        xm += a
        ym += b
        xd += c
        yd += d
    return xm, ym, xd, yd


def _examples(
    records: list[dict[str, Any]], lexicon: Lexicon
) -> tuple[list[list[float]], list[int], list[list[float]], list[int]]:
    from kg.extract.combine import candidates

    xm: list[list[float]] = []
    ym: list[int] = []
    xd: list[list[float]] = []
    yd: list[int] = []
    for rec, paper in papers(records, lexicon):
        proposed = [[p["name"], *p["aliases"]] for p in rec["proposed"]]
        new = [[d["name"]] for d in rec["datasets"] if d.get("new")]
        methods, datasets, _ = candidates(paper, rules(paper), gold_found(rec))
        for c in methods:
            xm.append(c.x)
            ym.append(int(_matches(c.entity, proposed)))
        for c in datasets:
            xd.append(c.x)
            yd.append(int(_matches(c.entity, new)))
    return xm, ym, xd, yd


def fit(x: list[list[float]], y: list[int], l2: float = 1.0, steps: int = 50) -> list[float]:
    """L2-regularised logistic regression by Newton's method (the bias is not shrunk)."""
    a = np.asarray(x, dtype=float)
    t = np.asarray(y, dtype=float)
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -30, 30)))
        grad = a.T @ (p - t) + reg * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(reg + 1e-6)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return [round(float(v), 6) for v in w]


def train_roles(records: list[dict[str, Any]], target: Path = TARGET) -> dict[str, Any]:
    """Fit and write ``roles.json``; returns what was written."""
    xm, ym, xd, yd = examples(records)
    data = {
        "features": list(roles.FEATURES),
        "proposed": fit(xm, ym),
        "new": fit(xd, yd),
        "examples": {"proposed": [len(ym), sum(ym)], "new": [len(yd), sum(yd)]},
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    roles.weights.cache_clear()
    return data
