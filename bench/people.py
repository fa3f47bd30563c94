"""People resolution against a known truth: 001's authors written again the ways sources do.

A development check, not the judged ground truth: every author slot of 001 (687 ICLR 2020
papers) is kept, and each paper appears once more as another record (a preprint, so no
paper merge helps) whose names are rewritten as other sources write them: initials
(``F. Mu``), middle names dropped or initialled, upper-case surnames, accents dropped,
contribution marks, and two letters swapped.  Two slots are the
same person when their 001 names are the same.  Prints pairwise precision and recall of kg
and of exact-string matching.

    python -m bench.people [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import unicodedata
from collections import Counter
from collections.abc import Callable

from kg.records import Author, Paper, SourceRef
from kg.resolve.people import resolve_people


def _strip_accents(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _variant(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) < 2:
        return name
    given, surname = words[:-1], words[-1]
    # ("Surname, Given" order is each reader's to undo, by its format: not tried here)
    kind = rng.choice(["same", "same", "initials", "first-initial", "middle", "upper",
                       "accents", "mark", "typo"])
    if kind == "initials":
        return " ".join(f"{g[0]}." for g in given) + f" {surname}"
    if kind == "first-initial":
        return f"{given[0][0]}. {surname}"
    if kind == "middle" and len(given) > 1:
        return f"{given[0]} {surname}"
    if kind == "middle":
        return f"{given[0]} {rng.choice('ABCDEJKLMPRST')}. {surname}"
    if kind == "upper":
        return " ".join(given) + f" {surname.upper()}"
    if kind == "accents":
        return _strip_accents(name)
    if kind == "mark":
        return name + rng.choice(["*", "†", " *"])
    if kind == "typo" and len(given[0]) >= 6:
        g = given[0]
        i = rng.randrange(2, len(g) - 1)
        return " ".join([g[:i] + g[i + 1] + g[i] + g[i + 2:], *given[1:], surname])
    return name


def _pairs(keys: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(true pairs found, pairs predicted, true pairs) from (truth, prediction) keys."""
    def c2(n: int) -> int:
        return n * (n - 1) // 2
    both = sum(c2(n) for n in Counter(keys).values())
    predicted = sum(c2(n) for n in Counter(p for _, p in keys).values())
    truth = sum(c2(n) for n in Counter(t for t, _ in keys).values())
    return both, predicted, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    from kg.pipeline import bundled_sources, read_all

    loaded = read_all([s for s in bundled_sources() if s.path.name.startswith("001")])
    originals = list(loaded[0].papers)
    papers: list[Paper] = []
    truth: dict[tuple[str, int], str] = {}
    for paper in originals:
        papers.append(paper)
        copy = Paper(source=SourceRef("preprints.jsonl", paper.source.line),
                     title=f"{paper.title} (preprint)",
                     authors=tuple(Author.from_written(_variant(a.name, rng))
                                   for a in paper.authors))
        papers.append(copy)
        for i, a in enumerate(paper.authors, start=1):
            truth[(paper.id, i)] = truth[(copy.id, i)] = a.normalized
    people = resolve_people(papers)
    written: dict[tuple[str, int], str] = {(p.id, i): a.written for p in papers
                                           for i, a in enumerate(p.authors, start=1)}
    rows: list[tuple[str, Callable[[tuple[str, int]], str]]] = [
        ("kg", lambda ref: people.person_of[ref]),
        ("exact string", lambda ref: written[ref]),
    ]
    print(f"{len(truth)} author slots, {len(set(truth.values()))} people (seed {args.seed})")
    print(f"{'':<14}{'precision':>10}{'recall':>9}{'pairs':>8}")
    for name, predict in rows:
        found, predicted, true = _pairs([(truth[r], predict(r)) for r in sorted(truth)])
        print(f"{name:<14}{found / predicted:>10.4f}{found / true:>9.4f}{predicted:>8}")


if __name__ == "__main__":
    main()
