"""Train the extraction models from the annotated corpus and install them in ``kg/``.

    python -m training.train             # train on the whole corpus, install the models
    python -m training.train --folds 5   # k-fold cross-validation figures instead

In order: the rules' lexicons and word statistics (:mod:`training.lexicons`), the span
model with ``spacy train`` from ``training/config.cfg`` (its dev corpus, which picks the
best checkpoint, is the development gold set), the role weights (:mod:`training.rankers`)
and the keyword ranking (:mod:`training.keywords`), both small logistic regressions.
Everything runs on CPU from what ``make`` installs; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from training import corpus

HERE = Path(__file__).parent
CONFIG = HERE / "config.cfg"
EVAL = HERE.parent / "tests" / "data" / "eval"
TARGET = HERE.parent / "kg" / "extract" / "data"


def dev_records() -> list[dict[str, Any]]:
    """The development gold set as corpus records (with spans)."""
    texts = {}
    for line in (EVAL / "texts_dev.jsonl").read_text("utf-8").splitlines():
        t = json.loads(line)
        texts[t["id"]] = t
    out = []
    for g in json.loads((EVAL / "gold_dev.json").read_text("utf-8")):
        t = texts[g["id"]]
        rec = {**g, "title": t.get("title"), "abstract": t["abstract"]}
        rec["spans"] = [s.as_dict() for s in corpus.find_spans(rec)]
        out.append(rec)
    return out


def train_spans(records: list[dict[str, Any]], out: Path, config: Path = CONFIG) -> Path:
    """Train the span model on ``records``; returns the trained pipeline's folder."""
    import spacy
    from spacy.cli.train import train

    from training.docs import docbin

    nlp = spacy.blank("en")
    with tempfile.TemporaryDirectory(prefix="kg-train-") as tmp:
        work = Path(tmp)
        docbin(nlp, records).to_disk(work / "train.spacy")
        docbin(nlp, dev_records()).to_disk(work / "dev.spacy")
        train(
            config,
            work / "output",
            overrides={
                "paths.train": str(work / "train.spacy"),
                "paths.dev": str(work / "dev.spacy"),
            },
            use_gpu=-1,
        )
        best = work / "output" / "model-best"
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(best, out)
    return out


def install(model_dir: Path, target: Path = TARGET / "spans") -> None:
    """Copy a trained span model into the package (replacing the old one whole)."""
    tmp = target.with_name(target.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(model_dir, tmp)
    meta = json.loads((tmp / "meta.json").read_text("utf-8"))
    meta.update(
        {
            "name": "kg_spans",
            "version": "1.0.0",
            "description": "kg's METHOD/DATASET/TASK span model (training/)",
            "license": "MIT",
            "author": "kg",
        }
    )
    meta.pop("performance", None)
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    old = target.with_name(target.name + ".old")
    if target.exists():
        target.replace(old)
    tmp.replace(target)
    if old.exists():
        shutil.rmtree(old)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate with K folds")
    args = parser.parse_args(argv)
    records = list(corpus.read())
    print(f"{len(records)} annotated abstracts", file=sys.stderr)
    if args.folds:
        from training.evaluate import cross_validate

        cross_validate(records, args.folds)
        return
    from training import keywords, lexicons, rankers

    t0 = time.perf_counter()
    lexicons.main()  # the role features read the lexicons, so they come first
    with tempfile.TemporaryDirectory(prefix="kg-model-") as tmp:
        install(train_spans(records, Path(tmp) / "spans"))
    data = rankers.train_roles(records)
    print(f"role weights: {data['examples']} examples (all, positive)", file=sys.stderr)
    keywords.train()  # the keyword features read the span model's output
    print(f"trained in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
