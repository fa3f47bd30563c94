"""Import annotation batches into the corpus.

An annotation batch is a folder with the ``sample.json`` an annotator was given (records
``{n, src, title?, abstract}``) and the ``ann_*.json`` files they wrote in the guide's
output format.  ``python -m training.annotations OUT.jsonl BATCH_DIR...`` joins them into
corpus records with spans (:func:`training.corpus.write`); held-out abstracts are skipped
and any record that fails the guide's checks stops the import with its batch and number.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from training.corpus import text_hash, write

KEYS = ("proposed", "used", "datasets", "tasks", "keywords")


def check(rec: dict[str, Any], sample: dict[str, Any], where: str) -> None:
    """Raise ValueError unless every span name is copied exactly from the text."""
    text = (sample.get("title") or "") + "\n" + sample["abstract"]
    names = [p["name"] for p in rec["proposed"]]
    names += [a for p in rec["proposed"] for a in p["aliases"]]
    names += rec["used"] + [d["name"] for d in rec["datasets"]] + rec["tasks"]
    for name in names:
        if name not in text:
            raise ValueError(f"{where}: {name!r} is not in the title or abstract")


def batch(folder: Path, annotator: str) -> Iterator[dict[str, Any]]:
    """The annotated records of one batch, in sample order."""
    sample = {r["n"]: r for r in json.loads((folder / "sample.json").read_text("utf-8"))}
    done: dict[int, dict[str, Any]] = {}
    for f in sorted(folder.glob("ann_*.json")):
        for rec in json.loads(f.read_text("utf-8")):
            check(rec, sample[rec["n"]], f"{f}: n={rec['n']}")
            done[rec["n"]] = rec
    for n in sorted(done):
        s, a = sample[n], done[n]
        yield {
            "id": "t" + text_hash(s["abstract"])[:10],
            "src": s["src"],
            "annotator": annotator,
            "title": s.get("title"),
            "abstract": s["abstract"],
            **{k: a[k] for k in KEYS},
        }


def main(argv: list[str]) -> None:
    out, *folders = argv
    # each batch was annotated by one annotator, known by the batch's folder name
    records = [r for f in folders for r in batch(Path(f), Path(f).name)]
    n = write(records, Path(out))
    print(f"{out}: {n} records", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
