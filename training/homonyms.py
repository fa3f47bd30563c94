"""Fit the weights that tell apart people who share a name (``kg/resolve/data/homonyms.json``).

Examples are pairs of slots of one written-out name in the truth lists of
``bench/data/people`` (Paper Copilot lists whose OpenReview profile ids say who is who),
with the ids hidden: label 1 when both slots have the same profile id.  Every venue
family is resolved on its own, every year of it together, once with its affiliations
and once without (a source without affiliations must be weighed right too).  Abstracts
whose hash is held out (``training.corpus.heldout``) are dropped before any example is made.

    python -m training.homonyms          # fit and write the weights
    python -m training.homonyms cv       # leave one venue family out: honest figures
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from bench.people import evaluate, families, load
from kg.records import Paper
from kg.resolve import homonyms
from kg.resolve.homonyms import FEATURES, Profile, features, name_stats
from kg.resolve.people import _Context, coauthor_keys, occurrences
from training.corpus import heldout, text_hash
from training.rankers import fit

TARGET = Path(homonyms.__file__).resolve().parent / "data" / "homonyms.json"
#: Slots of one name beyond this many are sampled (pairs grow quadratically).
MAX_BLOCK = 60
L2 = 1.0


def _without_heldout(papers: list[Paper]) -> list[Paper]:
    banned = heldout()
    return [
        p
        if not p.abstract or text_hash(p.abstract) not in banned
        else dataclasses.replace(p, abstract=None)
        for p in papers
    ]


def examples(paths: Sequence[Path]) -> tuple[list[list[float]], list[int]]:
    """Pair features and labels of the slots that share a name, in ``paths`` together."""
    x: list[list[float]] = []
    y: list[int] = []
    for affiliations in (True, False):
        papers: list[Paper] = []
        truth: dict[tuple[str, int], str] = {}
        for path in paths:
            more, known = load(path, affiliations)
            papers += _without_heldout(more)
            truth.update(known)
        occs = occurrences(papers, {})
        ctx = _Context(occs, coauthor_keys(occs))
        blocks = defaultdict(list)
        for occ in occs:
            if occ.parsed.words:
                blocks[occ.parsed.key].append(occ)
        stats = name_stats()
        for key in sorted(blocks):
            block = blocks[key]
            if len(block) < 2:
                continue
            labelled = [o for o in block if o.ref in truth]
            sample = labelled[:: max(1, len(labelled) // MAX_BLOCK)]
            profiles = [(o, Profile.of([ctx.slot(o)])) for o in sample]
            for (oa, a), (ob, b) in combinations(profiles, 2):
                x.append(features(a, b, oa.parsed, len(block), stats))
                y.append(int(truth[oa.ref] == truth[ob.ref]))
    return x, y


#: Evidence that may argue against one person; every other evidence weight is kept >= 0.
MAY_BE_NEGATIVE = frozenset({"org_conflict"})


def fit_monotone(x: list[list[float]], y: list[int]) -> list[float]:
    """Fit, then drop each evidence feature whose weight came out negative, and refit.

    More shared co-authors or a closer topic never argue *against* one person; a negative
    weight there is the noise of a small sample, and it would also forbid the shortcut
    that joins the slots of a rare name without comparing them
    (:func:`kg.resolve.homonyms.without_evidence`).
    """
    dropped: set[int] = set()
    while True:
        rows = [[0.0 if i in dropped else v for i, v in enumerate(row)] for row in x]
        w = fit(rows, y, l2=L2)
        bad = [
            i
            for i, (name, v) in enumerate(zip(FEATURES, w, strict=True))
            if v < 0 and name not in homonyms._NAME_FEATURES and name not in MAY_BE_NEGATIVE
        ]
        if not bad:
            return [0.0 if i in dropped else v for i, v in enumerate(w)]
        dropped |= set(bad)


def train(paths: Sequence[Path], target: Path = TARGET) -> dict[str, object]:
    """Fit on ``paths`` and write the weights through a temporary file."""
    x, y = examples(paths)
    shared = FEATURES.index("any_coauthor")
    parts = {}
    for part, keep in (("shared", True), ("apart", False)):
        xs = [row for row in x if bool(row[shared]) == keep]
        ys = [label for row, label in zip(x, y, strict=True) if bool(row[shared]) == keep]
        parts[part] = (fit_monotone(xs, ys), [len(ys), sum(ys)])
    data = {
        "features": list(FEATURES),
        "shared": parts["shared"][0],
        "apart": parts["apart"][0],
        "examples": {k: v[1] for k, v in parts.items()},
        "trained_on": sorted(p.name for p in paths),
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    homonyms.reload()
    return data


def cross_validate(evidence: str = "affiliations", each: bool = False) -> None:
    """Leave one venue family out: fit on the others, resolve it, score it.

    With ``each``, every list (one venue, one year) of the family is resolved and scored
    alone, as a build of one conference year would be.
    """
    fams = families()
    original = TARGET.read_bytes() if TARGET.exists() else None
    rows = []
    try:
        for held, paths in fams.items():
            train([p for f, ps in fams.items() if f != held for p in ps])
            for label, part in (
                [(p.name.split(".")[0], [p]) for p in paths] if each else [(held, paths)]
            ):
                kg, base, _ = evaluate(part, affiliations=evidence == "affiliations")
                rows.append((label, kg, base))
                print(
                    f"{label:<11} names {kg['shared_names']:>4.0f}  kg P {kg['precision']:.3f} "
                    f"R {kg['recall']:.3f} macro {kg['macro_f1']:.3f}  | string P "
                    f"{base['precision']:.3f} macro {base['macro_f1']:.3f}",
                    flush=True,
                )
    finally:
        if original is not None:
            TARGET.write_bytes(original)
            homonyms.reload()
    n = sum(kg["shared_names"] for _, kg, _ in rows)
    for label, pairs in (("kg", [r[1] for r in rows]), ("name string", [r[2] for r in rows])):
        print(
            f"{label}: mean over {len(rows)} of pairwise precision "
            f"{sum(s['precision'] for s in pairs) / len(rows):.3f}, recall "
            f"{sum(s['recall'] for s in pairs) / len(rows):.3f}"
        )
    for label, scored in (("kg", [r[1] for r in rows]), ("name string", [r[2] for r in rows])):
        macro = sum(s["macro_f1"] * s["shared_names"] for s in scored) / n
        print(f"{label}: macro F1 over {n:.0f} shared names {macro:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=["train", "cv"], default="train")
    parser.add_argument("--evidence", choices=["names", "affiliations"], default="affiliations")
    parser.add_argument(
        "--each", action="store_true", help="cv: score every list (one venue, one year) on its own"
    )
    args = parser.parse_args()
    if args.what == "cv":
        cross_validate(args.evidence, args.each)
        return
    data = train([p for ps in families().values() for p in ps])
    print(json.dumps({k: data[k] for k in ("examples", "shared", "apart")}))


if __name__ == "__main__":
    main()
