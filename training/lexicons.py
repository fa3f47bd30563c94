"""Rebuild the rules' lexicons and word statistics from text we may learn from.

    python -m training.lexicons

- ``methods.txt``, ``datasets.txt``, ``tasks.txt``: the names the annotators gave in the
  training corpus (established methods, existing datasets, tasks), each under the kind it
  was given most often; long phrases only when two or more abstracts name them.
- ``df.tsv``: word document frequencies over the abstracts of the bundled corpus and the
  training corpus, held-out abstracts left out.

``generic.txt`` (the guide's list of words that are never a name) is written by hand.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from training import corpus

DATA = Path(__file__).parent.parent / "kg" / "extract" / "data"

HEADERS = {
    "methods": "Established methods, models, architectures, algorithms and techniques",
    "datasets": "Named datasets, benchmarks and environments",
    "tasks": "Tasks and problems",
}
MAX_WORDS = 5


def names(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per kind, the surface forms to list (sorted, one per folded key)."""
    from kg.extract.lexicon import key_words, read_list

    generic = {key_words(g) for g in read_list("generic")}
    kinds: dict[tuple[str, ...], Counter[str]] = {}
    forms: dict[tuple[str, ...], Counter[str]] = {}
    docs: Counter[tuple[str, ...]] = Counter()
    for rec in records:
        seen: set[tuple[str, ...]] = set()
        pairs = [(u, "methods") for u in rec["used"]]
        pairs += [(d["name"], "datasets") for d in rec["datasets"] if not d.get("new")]
        pairs += [(t, "tasks") for t in rec["tasks"]]
        for form, kind in pairs:
            form = " ".join(form.split())
            key = key_words(form)
            if (
                not key
                or key in generic
                or len(key) > MAX_WORDS
                or "$" in form
                or "\\" in form
                or not any(c.isalpha() for c in form)
            ):
                continue
            kinds.setdefault(key, Counter())[kind] += 1
            forms.setdefault(key, Counter())[form] += 1
            if key not in seen:
                seen.add(key)
                docs[key] += 1
    out: dict[str, list[str]] = {k: [] for k in HEADERS}
    for key, counts in kinds.items():
        if len(key) >= 4 and docs[key] < 2:
            continue
        kind = max(sorted(counts), key=lambda k: counts[k])
        form = max(sorted(forms[key]), key=lambda f: (forms[key][f], f.islower()))
        out[kind].append(form)
    return {k: sorted(v, key=lambda f: (f.lower(), f)) for k, v in out.items()}


def write_lists(records: list[dict[str, Any]], data: Path = DATA) -> dict[str, int]:
    sizes = {}
    for kind, forms in names(records).items():
        head = (
            f"# {HEADERS[kind]}, as the annotators of training/corpus named them (built "
            "by\n# python -m training.lexicons; held-out abstracts are never read). One "
            'surface form a line;\n# case, hyphens and a plural "s" fold. A single word '
            "in capitals only matches a capitalised word.\n"
        )
        target = data / f"{kind}.txt"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(head + "\n".join(forms) + "\n", encoding="utf-8")
        tmp.replace(target)
        sizes[kind] = len(forms)
    return sizes


def abstracts() -> list[str]:
    """Every abstract of the bundled and training corpora but the held-out ones."""
    from kg.pipeline import bundled_sources, read_all

    texts = {p.abstract for s in read_all(bundled_sources()) for p in s.papers if p.abstract}
    texts |= {r["abstract"] for r in corpus.read()}
    return sorted(t for t in texts if not corpus.is_heldout(t))


def write_stats(data: Path = DATA) -> int:
    from kg.extract import wordstats

    table = wordstats.count(abstracts())
    target = data / "df.tsv"
    tmp = target.with_suffix(".tmp")
    wordstats.write(table, tmp)
    tmp.replace(target)
    return table.documents


def main() -> None:
    records = list(corpus.read())
    sizes = write_lists(records)
    n = write_stats()
    print(f"lexicons: {sizes}; df.tsv: {n} abstracts", file=sys.stderr)


if __name__ == "__main__":
    main()
