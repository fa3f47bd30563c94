"""Figures for the README: cross-validation, ablation, agreement, the development set.

    python -m training.evaluate cv --folds 5     # k-fold figures and the ablation
    python -m training.evaluate agreement        # the double annotation, scored
    python -m training.evaluate dev              # the shipped models on the dev set

Every figure is the gold set's own scorer (``tests/data/eval/score.py``), micro-averaged
over all records scored (for cross-validation: every fold's test records pooled).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from training import corpus

FIELDS = ("methods", "proposed", "datasets", "tasks", "keywords")
EVAL = Path(__file__).parent.parent / "tests" / "data" / "eval"


def scorer() -> Any:
    """The gold set's scorer, imported from its file."""
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_all(
    gold: Sequence[dict[str, Any]], pred: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """Per field: partial and strict precision, recall and F1."""
    score = scorer()
    by_id = {str(g["id"]): g for g in gold}
    out = {}
    for field in FIELDS:
        part = score.score(by_id, pred, field, True)
        strict = score.score(by_id, pred, field, False)
        out[field] = {
            "p": part["precision"],
            "r": part["recall"],
            "f1": part["f1"],
            "strict_f1": strict["f1"],
        }
    return out


def folds(records: list[dict[str, Any]], k: int, seed: int = 14) -> list[list[int]]:
    """``k`` disjoint index lists covering the records (shuffled with a fixed seed)."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


_NONE = {"proposed": False, "methods": False, "datasets": False, "tasks": False}
_SHIPPED = {"proposed": True, "methods": False, "datasets": True, "tasks": True}
CONFIGS: dict[str, dict[str, Any]] = {
    "rules only (--model none)": {"model": False},
    "model only": {"model": True, "role": "model", "sources": _NONE},
    "model + proposal rules": {
        "model": True,
        "role": "model-or-rules",
        "sources": {**_NONE, "proposed": True},
    },
    "model + proposal, dataset and task rules (shipped)": {
        "model": True,
        "role": "model-or-rules",
        "sources": _SHIPPED,
    },
    "shipped + used-method rules": {
        "model": True,
        "role": "model-or-rules",
        "sources": {**_SHIPPED, "methods": True},
    },
    "shipped, role by the learned weights": {"model": True, "role": "learned", "sources": _SHIPPED},
}


def predict(
    records: Sequence[dict[str, Any]],
    span_nlp: Any,
    weights: Mapping[str, Sequence[float]] | None,
    sources: dict[str, bool] | None,
    lexicon: Any = None,
    role: str | None = None,
) -> dict[str, dict[str, Any]]:
    """What extraction writes for each record, with the given model and weights."""
    from kg.extract.combine import combine
    from kg.extract.engine import assemble, rules
    from kg.extract.spans import predict as find
    from training.rankers import papers

    out = {}
    for rec, paper in papers(records, lexicon):
        rule = rules(paper)
        if span_nlp is not None:
            found = find(span_nlp, [(paper.title or "", paper.doc.text)])[0]
            rule = combine(paper, rule, found, weights, sources, role)
        out[rec["id"]] = assemble(paper, rule).as_dict()
    return out


KEEP: Path | None = Path(os.environ["KG_CV_KEEP"]) if os.environ.get("KG_CV_KEEP") else None
"""Where fold models are kept between runs (``--keep``), so that a change to the rules or
the joining is re-scored without training again."""


def _fold(
    records: list[dict[str, Any]], k: int, i: int, configs: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Train on all folds but the ``i``-th and predict it, in every configuration."""
    import spacy

    from kg.extract.lexicon import build, read_list
    from training.lexicons import names
    from training.rankers import examples, fit
    from training.train import train_spans

    test_idx = set(folds(records, k)[i])
    test = [r for j, r in enumerate(records) if j in test_idx]
    train = [r for j, r in enumerate(records) if j not in test_idx]
    print(
        f"fold {i + 1}/{k}: training on {len(train)}, testing on {len(test)}",
        file=sys.stderr,
        flush=True,
    )
    kept = KEEP / f"fold-{i + 1}-of-{k}" if KEEP else None
    if kept is not None and (kept / "meta.json").is_file():
        nlp = spacy.load(kept)  # a span model trained on these folds before
    else:
        with tempfile.TemporaryDirectory(prefix="kg-cv-") as tmp:
            trained = train_spans(train, Path(tmp) / "spans")
            nlp = spacy.load(trained)
            if kept is not None:
                shutil.copytree(trained, kept, dirs_exist_ok=True)
    # the rules' lexicons too are built from the training folds only
    lexicon = build({**names(train), "generic": read_list("generic")})
    xm, ym, xd, yd = examples(train)
    weights = {"proposed": fit(xm, ym), "new": fit(xd, yd)}
    return {
        name: predict(
            test,
            nlp if cfg["model"] else None,
            weights,
            cfg.get("sources"),
            lexicon,
            cfg.get("role"),
        )
        for name, cfg in configs.items()
    }


def cross_validate(
    records: list[dict[str, Any]],
    k: int,
    configs: Mapping[str, dict[str, Any]] = CONFIGS,
    workers: int = 2,
) -> dict[str, Any]:
    """Train on k-1 folds, predict the k-th, pool the predictions; print a table."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    preds: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in configs}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_fold, records, k, i, configs) for i in range(k)]
        for job in jobs:
            for name, p in job.result().items():
                preds[name].update(p)
    gold = corpus.as_gold(records)
    results = {name: score_all(gold, p) for name, p in preds.items()}
    print_table(results, f"{k}-fold cross-validation on {len(records)} abstracts")
    return results


def print_table(results: Mapping[str, Mapping[str, Mapping[str, float]]], title: str) -> None:
    """A markdown table of partial F1 (with P/R) per configuration and field."""
    print(f"\n{title} (partial-match F1, precision/recall)\n")
    print("| | " + " | ".join(FIELDS) + " |")
    print("|---|" + "---|" * len(FIELDS))
    for name, res in results.items():
        cells = [f"{res[f]['f1']:.3f} ({res[f]['p']:.2f}/{res[f]['r']:.2f})" for f in FIELDS]
        print(f"| {name} | " + " | ".join(cells) + " |")


def agreement() -> dict[str, Any]:
    """The second annotation of the double-annotated records scored against the first."""
    first = {r["id"]: r for r in corpus.read()}
    second = list(corpus.read(corpus.DOUBLE))
    gold = corpus.as_gold([first[r["id"]] for r in second])
    pred = {}
    for r in second:
        methods = [{"name": p["name"], "role": "proposed"} for p in r["proposed"]]
        methods += [{"name": p, "role": "used"} for p in r["used"]]
        pred[r["id"]] = {
            "methods": methods,
            "datasets": r["datasets"],
            "tasks": r["tasks"],
            "keywords": r["keywords"],
        }
    results = {"annotator B against A": score_all(gold, pred)}
    print_table(results, f"agreement of two independent annotations of {len(second)} abstracts")
    return results


def dev() -> dict[str, Any]:
    """The shipped extraction (``kg extract``'s code path) on the development gold set."""
    from kg.extract import Text, extract
    from kg.resolve.concepts import Concepts

    texts = [json.loads(x) for x in (EVAL / "texts_dev.jsonl").read_text("utf-8").splitlines()]
    gold = json.loads((EVAL / "gold_dev.json").read_text("utf-8"))
    items = [Text(t["id"], t.get("title"), t["abstract"]) for t in texts]
    acronyms = Concepts.learn(t.abstract for t in items).acronyms
    results = {}
    for name, model in (("kg (model + rules)", "auto"), ("rules only", None)):
        pred = {
            e.id: e.as_dict() for e in extract(items, model=model, warn=False, acronyms=acronyms)
        }
        results[name] = score_all(gold, pred)
    print_table(results, "development set (23 abstracts)")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("cv", "agreement", "dev"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the fold models here")
    args = parser.parse_args(argv)
    if args.keep:
        os.environ["KG_CV_KEEP"] = str(args.keep)
    if args.what == "cv":
        results = cross_validate(list(corpus.read()), args.folds)
    elif args.what == "agreement":
        results = agreement()
    else:
        results = dev()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
