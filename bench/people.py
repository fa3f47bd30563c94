"""People resolution measured against a truth: person identifiers hidden, then compared.

Two checks, both development checks (not the judged ground truth):

``truth`` (the default): author lists whose slots carry OpenReview profile ids
(``bench/data/people/``: Paper Copilot lists of CoRL 2021-2025, COLM 2024-2025, AISTATS,
WWW, ACM MM and others, 26K slots, 801 names shared by two or more people).  The ids are
hidden (and, with ``--evidence names``, the affiliations too); kg resolves the people, and
two slots are the same person when their hidden ids are.  Prints pairwise precision,
recall and F1 over all slots, the macro pairwise F1 over the names two or more people
share (as author-name-disambiguation benchmarks count), the share of names kg marks
ambiguous, and the same for one-person-per-name-string.  Each venue family is resolved on
its own, every year of it together.

``variants``: every author slot of seed 001 (687 ICLR 2020 papers) is kept, and each
paper appears once more as another record whose names are rewritten as other sources
write them (initials, middle names dropped, upper-case surnames, accents dropped, marks,
two letters swapped); two slots are the same person when their 001 names are the same.

    python -m bench.people [truth] [--evidence names|affiliations] [--weights FILE]
    python -m bench.people variants [--seed 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from kg.records import Affiliation, Author, Paper, SourceRef
from kg.resolve.people import PeopleResolution, resolve_people

DATA = Path(__file__).resolve().parent / "data" / "people"
Ref = tuple[str, int]


def _strip_accents(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _variant(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) < 2:
        return name
    given, surname = words[:-1], words[-1]
    # ("Surname, Given" order is each reader's to undo, by its format: not tried here)
    kind = rng.choice(
        ["same", "same", "initials", "first-initial", "middle", "upper", "accents", "mark", "typo"]
    )
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
        return " ".join([g[:i] + g[i + 1] + g[i] + g[i + 2 :], *given[1:], surname])
    return name


def _pairs(keys: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(true pairs found, pairs predicted, true pairs) from (truth, prediction) keys."""

    def c2(n: int) -> int:
        return n * (n - 1) // 2

    both = sum(c2(n) for n in Counter(keys).values())
    predicted = sum(c2(n) for n in Counter(p for _, p in keys).values())
    truth = sum(c2(n) for n in Counter(t for t, _ in keys).values())
    return both, predicted, truth


def variants(seed: int) -> None:
    """The name-variant check (see the module doc)."""
    rng = random.Random(seed)
    from kg.pipeline import bundled_sources, read_all

    loaded = read_all([s for s in bundled_sources() if s.path.name.startswith("001")])
    originals = list(loaded[0].papers)
    papers: list[Paper] = []
    truth: dict[tuple[str, int], str] = {}
    for paper in originals:
        papers.append(paper)
        copy = Paper(
            source=SourceRef("preprints.jsonl", paper.source.line),
            title=f"{paper.title} (preprint)",
            authors=tuple(Author.from_written(_variant(a.name, rng)) for a in paper.authors),
        )
        papers.append(copy)
        for i, a in enumerate(paper.authors, start=1):
            truth[(paper.id, i)] = truth[(copy.id, i)] = a.normalized
    people = resolve_people(papers)
    written: dict[tuple[str, int], str] = {
        (p.id, i): a.written for p in papers for i, a in enumerate(p.authors, start=1)
    }
    rows: list[tuple[str, Callable[[tuple[str, int]], str]]] = [
        ("kg", lambda ref: people.person_of[ref]),
        ("exact string", lambda ref: written[ref]),
    ]
    print(f"{len(truth)} author slots, {len(set(truth.values()))} people (seed {seed})")
    print(f"{'':<14}{'precision':>10}{'recall':>9}{'pairs':>8}")
    for name, predict in rows:
        found, predicted, true = _pairs([(truth[r], predict(r)) for r in sorted(truth)])
        print(f"{name:<14}{found / predicted:>10.4f}{found / true:>9.4f}{predicted:>8}")


def load(path: Path, affiliations: bool = True) -> tuple[list[Paper], dict[Ref, str]]:
    """The papers of one Paper Copilot list with their person ids hidden, and the truth.

    The truth of a slot is its OpenReview profile id; a slot without one is resolved but
    not scored (who it is is unknown, not someone else).
    """
    stem = path.name.split(".")[0]
    venue, year = re.fullmatch(r"([a-z0-9]*?[a-z])(\d{4})", stem).groups()  # type: ignore[union-attr]
    raw = json.loads(gzip.decompress(path.read_bytes()))
    papers: list[Paper] = []
    truth: dict[Ref, str] = {}
    for n, obj in enumerate(raw, start=1):
        names = (obj.get("author") or "").split(";")
        slots = {k: (obj.get(k) or "").split(";") for k in ("authorids", "aff", "aff_domain")}
        authors = []
        ids = []
        for i, name in enumerate(names):
            if not name.strip() or name.strip().lower() == "anonymous":
                continue
            aff = None
            if affiliations:
                aname = slots["aff"][i].strip() if i < len(slots["aff"]) else ""
                domain = slots["aff_domain"][i].strip() if i < len(slots["aff_domain"]) else ""
                if aname or domain:
                    aff = Affiliation(name=aname or None, domain=domain or None)
            authors.append(Author.from_written(name, affiliations=(aff,) if aff else ()))
            pid = slots["authorids"][i].strip() if i < len(slots["authorids"]) else ""
            ids.append(pid if pid.startswith("~") else "")
        source = SourceRef(path.name, n)
        paper = Paper(
            source=source,
            title=obj.get("title") or None,
            authors=tuple(authors),
            abstract=obj.get("abstract") or None,
            venue=f"{venue.upper()} {year}",
            year=int(year),
            keywords=tuple(k for k in (obj.get("keywords") or "").split(";") if k),
        )
        papers.append(paper)
        for position, pid in enumerate(ids, start=1):
            if pid:
                truth[(paper.id, position)] = pid
    return papers, truth


def families(data: Path = DATA) -> dict[str, list[Path]]:
    """The truth lists by venue family (every year of a venue together)."""
    out: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(data.glob("*.json.gz")):
        out[re.sub(r"\d+$", "", path.name.split(".")[0])].append(path)
    return dict(out)


def scores(
    truth: Mapping[Ref, str], predict: Callable[[Ref], str], names: Mapping[Ref, str]
) -> dict[str, float]:
    """Pairwise precision, recall, F1 and the macro F1 over names shared by several people."""
    refs = sorted(truth)
    found, predicted, true = _pairs([(truth[r], predict(r)) for r in refs])
    p = found / predicted if predicted else 1.0
    r = found / true if true else 1.0
    by_name: dict[str, list[Ref]] = defaultdict(list)
    for ref in refs:
        by_name[names[ref]].append(ref)
    f1s = []
    for group in by_name.values():
        if len({truth[x] for x in group}) < 2:
            continue
        f, pr, t = _pairs([(truth[x], predict(x)) for x in group])
        gp = f / pr if pr else 1.0
        gr = f / t if t else 1.0
        f1s.append(2 * gp * gr / (gp + gr) if gp + gr else 0.0)
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "shared_names": len(f1s),
        "macro_f1": sum(f1s) / len(f1s) if f1s else 1.0,
    }


def evaluate(
    paths: Sequence[Path],
    affiliations: bool = True,
) -> tuple[dict[str, float], dict[str, float], PeopleResolution]:
    """Resolve the papers of ``paths`` together: kg's scores and the name-string baseline."""
    papers: list[Paper] = []
    truth: dict[Ref, str] = {}
    for path in paths:
        more, known = load(path, affiliations)
        papers += more
        truth.update(known)
    people = resolve_people(papers)
    names = {(p.id, i): a.normalized for p in papers for i, a in enumerate(p.authors, start=1)}
    kg = scores(truth, lambda ref: people.person_of[ref], names)
    base = scores(truth, lambda ref: names[ref], names)
    ambiguous = {people.person_of[ref] for ref in truth} & set(people.ambiguous)
    kg["ambiguous_people"] = len(ambiguous) / max(1, len(set(people.person_of.values())))
    return kg, base, people


def truth_check(evidence: str) -> None:
    """The identifier-truth check (see the module doc)."""
    rows = []
    for family, paths in families().items():
        kg, base, _ = evaluate(paths, affiliations=evidence == "affiliations")
        rows.append((family, kg, base))
    print(f"evidence: {evidence}; pairwise P/R/F1 over all slots, macro F1 over shared names")
    print(
        f"{'family':<9}{'names':>6} {'kg P':>7}{'R':>7}{'F1':>7}{'macro':>7}   "
        f"{'string P':>8}{'R':>7}{'macro':>7}{'ambig':>7}"
    )
    for family, kg, base in rows:
        print(
            f"{family:<9}{kg['shared_names']:>6.0f} {kg['precision']:>7.3f}{kg['recall']:>7.3f}"
            f"{kg['f1']:>7.3f}{kg['macro_f1']:>7.3f}   {base['precision']:>8.3f}"
            f"{base['recall']:>7.3f}{base['macro_f1']:>7.3f}{kg['ambiguous_people']:>7.3f}"
        )
    n = sum(kg["shared_names"] for _, kg, _ in rows)
    macro = sum(kg["macro_f1"] * kg["shared_names"] for _, kg, _ in rows) / n
    base_macro = sum(b["macro_f1"] * b["shared_names"] for _, _, b in rows) / n
    print(f"macro F1 over all {n:.0f} shared names: kg {macro:.3f}, name string {base_macro:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", nargs="?", choices=["truth", "variants"], default="truth")
    parser.add_argument("--seed", type=int, default=1, help="variants: the rewriting seed")
    parser.add_argument(
        "--evidence",
        choices=["names", "affiliations"],
        default="affiliations",
        help="truth: keep the affiliations, or only names, titles and text",
    )
    args = parser.parse_args()
    if args.check == "variants":
        variants(args.seed)
    else:
        truth_check(args.evidence)


if __name__ == "__main__":
    main()
