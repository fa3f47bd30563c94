"""Keyphrases against the keywords authors chose: kg, YAKE and TF-IDF side by side, and
the learned ranking's weights (``kg/extract/data/keywords.json``).

    python -m training.keywords table      # F1@5 and F1@10 on both sets
    python -m training.keywords train      # fit the ranking on the Paper Copilot set

Sets: the Paper Copilot ICLR 2018 papers with an abstract and author keywords, and the
orals of seed 000 (ICLR 2020) that print keywords; held-out abstracts are left out of
both.  A predicted phrase matches an author keyword when one folded phrase contains the
other as whole words; each keyword is matched at most once.  F1@k is averaged over papers.
The kg figure on the Paper Copilot set is 5-fold cross-validated (the ranking is fitted
on the other four folds); the seed 000 set is never trained on.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.extract.wordlists import words
from training import corpus

ROOT = Path(__file__).parent.parent
COPILOT = ROOT / "tests" / "data" / "external" / "papercopilot_iclr2018_first500.json"
TARGET = ROOT / "kg" / "extract" / "data" / "keywords.json"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str | None
    abstract: str
    keywords: tuple[str, ...]


def load(which: str) -> list[Item]:
    """``copilot`` or ``orals``: papers with an abstract and keywords, held-out ones left out."""
    from kg.pipeline import bundled_sources, read_all
    from kg.sources import SourceSpec

    if which == "copilot":
        specs = [SourceSpec(COPILOT)]
    else:
        specs = [s for s in bundled_sources() if s.path.name.startswith("000_")]
    out = []
    for source in read_all(specs):
        for p in source.papers:
            if p.abstract and p.keywords and not corpus.is_heldout(p.abstract):
                out.append(Item(p.id, p.title, p.abstract, tuple(p.keywords)))
    return out


def fold_words(text: str) -> tuple[str, ...]:
    from kg.extract.lexicon import key_word

    return tuple(key_word(w) for w in _WORD.findall(text.lower()))


def contains(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Is ``b`` a run of whole words of ``a``?"""
    n = len(b)
    return 0 < n <= len(a) and any(a[i : i + n] == b for i in range(len(a) - n + 1))


def matches(pred: str, gold: str) -> bool:
    p, g = fold_words(pred), fold_words(gold)
    return bool(p and g) and (contains(p, g) or contains(g, p))


def f1_at(preds: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int) -> float:
    """Mean over papers of F1 between the top ``k`` predictions and the author keywords."""
    total = 0.0
    for pred, gold in zip(preds, golds, strict=True):
        top = list(dict.fromkeys(pred))[:k]
        used: set[int] = set()
        tp = 0
        for p in top:
            for i, g in enumerate(gold):
                if i not in used and matches(p, g):
                    used.add(i)
                    tp += 1
                    break
        prec = tp / len(top) if top else 0.0
        rec = tp / len(gold) if gold else 0.0
        total += 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return total / len(golds) if golds else 0.0


def _text(item: Item) -> str:
    return f"{item.title}. {item.abstract}" if item.title else item.abstract


def yake_phrases(items: Sequence[Item], k: int = 10) -> list[list[str]]:
    """YAKE's top ``k`` phrases (its defaults for English, up to 3 words)."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=k)
    return [[p for p, _ in extractor.extract_keywords(_text(i))] for i in items]


_STOP = words("""
a an the of and or to in for on with by from as at is are be we our this that these
those which it its their using use used based via into than such can also new show paper
propose proposed method approach model models results over under between both while when
where how what not more most only other each two one has have been not
""")


def tfidf_phrases(items: Sequence[Item], k: int = 10) -> list[list[str]]:
    """Word n-grams (1-3, no stop word at either end) by tf * idf over the kg word table."""
    from kg.extract import wordstats

    table = wordstats.default()
    out = []
    for item in items:
        words = _WORD.findall(_text(item).lower())
        counts: dict[tuple[str, ...], int] = {}
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                gram = tuple(words[i : i + n])
                if gram[0] in _STOP or gram[-1] in _STOP or any(w.isdigit() for w in gram):
                    continue
                counts[gram] = counts.get(gram, 0) + 1
        scored = [
            (c * sum(table.idf(w) for w in g) / len(g) * (1 + 0.5 * (len(g) - 1)), g)
            for g, c in counts.items()
        ]
        scored.sort(key=lambda s: (-s[0], s[1]))
        out.append([" ".join(g) for _, g in scored[:k]])
    return out


def _papers(items: Sequence[Item]) -> Iterable[tuple[Item, Any, Any, Any]]:
    """Each item with its paper, method mentions and task entities as kg extracts them."""
    from kg.extract.combine import combine
    from kg.extract.engine import method_mentions, rules
    from kg.extract.spans import model
    from kg.extract.spans import predict as find
    from training.rankers import papers

    span_nlp = model()
    records = [{"id": i.id, "title": i.title, "abstract": i.abstract} for i in items]
    for item, (_, paper) in zip(items, papers(records), strict=True):
        rule = rules(paper)
        if span_nlp is not None:
            rule = combine(paper, rule, find(span_nlp, [(paper.title or "", paper.doc.text)])[0])
        yield item, paper, method_mentions(paper, rule), rule.tasks


def prepared(items: Sequence[Item]) -> list[tuple[Item, Any, Any, Any]]:
    return list(_papers(items))


def priors(items: Iterable[Item]) -> dict[tuple[str, ...], Any]:
    """The prior table of some papers: per folded keyword, how many chose it, and the
    spelling used most."""
    from kg.extract.keywords import Prior
    from kg.extract.lexicon import key_words

    counts: dict[tuple[str, ...], Counter[str]] = {}
    for item in items:
        for k in dict.fromkeys(item.keywords):
            key = key_words(k)
            if key:
                counts.setdefault(key, Counter())[k.strip()] += 1
    return {
        key: Prior(sum(c.values()), max(sorted(c), key=lambda f: c[f])) for key, c in counts.items()
    }


def kg_phrases(
    prep: Sequence[tuple[Item, Any, Any, Any]], learned: Any, k: int = 10, table: Any = None
) -> list[list[str]]:
    from kg.extract.keywords import rank

    return [
        [m.name for m in rank(paper, methods, tasks, limit=k, learned=learned, priors=table)]
        for _, paper, methods, tasks in prep
    ]


def examples(
    prep: Sequence[tuple[Item, Any, Any, Any]], table: Any
) -> tuple[list[list[float]], list[int]]:
    """Candidate feature vectors, labelled by whether they match an author keyword.

    A paper's own keywords are taken out of the prior table it is seen with, as they
    would be missing for a paper never seen."""
    from kg.extract.keywords import FEATURES, Prior, candidates
    from kg.extract.lexicon import key_words

    xs: list[list[float]] = []
    ys: list[int] = []
    for item, paper, methods, tasks in prep:
        own = {key_words(k) for k in item.keywords}
        mine = {key: (Prior(p.papers - 1, p.form) if key in own else p) for key, p in table.items()}
        for c in candidates(paper, methods, tasks, [0.0] * len(FEATURES), mine):
            xs.append(c.x)
            ys.append(int(any(matches(c.phrase.text, g) for g in item.keywords)))
    return xs, ys


def fit(prep: Sequence[tuple[Item, Any, Any, Any]]) -> tuple[list[float], Any]:
    """The ranking weights and the prior table fitted on ``prep``."""
    from training.rankers import fit as logistic

    table = priors(p[0] for p in prep)
    xs, ys = examples(prep, table)
    return logistic(xs, ys, l2=1.0), table


def cross_validated(prep: Sequence[tuple[Item, Any, Any, Any]], folds: int = 5) -> list[list[str]]:
    """kg's phrases for every item, each from weights and priors fitted without its fold."""
    out: dict[int, list[str]] = {}
    for f in range(folds):
        train = [p for i, p in enumerate(prep) if i % folds != f]
        test = [(i, p) for i, p in enumerate(prep) if i % folds == f]
        w, table = fit(train)
        for (i, _), phrases in zip(
            test, kg_phrases([p for _, p in test], w, 10, table), strict=True
        ):
            out[i] = phrases
    return [out[i] for i in range(len(prep))]


def table() -> dict[str, Any]:
    results: dict[str, Any] = {}
    copilot = prepared(load("copilot"))
    orals = prepared(load("orals"))
    weights, table = fit(copilot)
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for name, prep in (("copilot", copilot), ("orals", orals)):
        items = [p[0] for p in prep]
        golds = [list(i.keywords) for i in items]
        systems: dict[str, list[list[str]]] = {
            "YAKE 0.7.3": yake_phrases(items),
            "TF-IDF (n-grams 1-3)": tfidf_phrases(items),
            "kg, hand-set ranking": kg_phrases(prep, None),
        }
        if name == "copilot":
            systems["kg, learned ranking (5-fold CV)"] = cross_validated(prep)
        else:
            systems["kg, learned ranking (fitted on Paper Copilot)"] = kg_phrases(
                prep, weights, 10, table
            )
        for sys_name, preds in systems.items():
            rows.setdefault(sys_name, {})[name] = (f1_at(preds, golds, 5), f1_at(preds, golds, 10))
        results[name] = len(items)
    print(
        f"\nAuthor keywords: Paper Copilot ICLR 2018 ({results['copilot']} papers), "
        f"seed 000 orals ({results['orals']} papers); partial match, F1@5 / F1@10\n"
    )
    print("| | Paper Copilot F1@5 | F1@10 | seed 000 orals F1@5 | F1@10 |")
    print("|---|---|---|---|---|")
    for sys_name, r in rows.items():
        cp, orl = r.get("copilot", (math.nan,) * 2), r.get("orals", (math.nan,) * 2)
        print(f"| {sys_name} | {cp[0]:.3f} | {cp[1]:.3f} | {orl[0]:.3f} | {orl[1]:.3f} |")
    results["rows"] = rows
    return results


def train(target: Path = TARGET) -> list[float]:
    """Fit the ranking and its prior table on the Paper Copilot set; write both."""
    from kg.extract.keywords import FEATURES, prior, weights

    w, table = fit(prepared(load("copilot")))
    data = {
        "features": list(FEATURES),
        "weights": w,
        "fitted_on": "Paper Copilot ICLR 2018 abstracts with author keywords",
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    lines = [
        "# folded author keyword, papers whose authors chose it, spelling used most "
        "(python -m training.keywords train)"
    ]
    lines += [
        f"{' '.join(k)}\t{p.papers}\t{p.form}"
        for k, p in sorted(table.items())
        if p.papers >= 2 and "\t" not in p.form
    ]
    prior_file = target.with_name("keyphrases.tsv")
    tmp = prior_file.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(prior_file)
    weights.cache_clear()
    prior.cache_clear()
    return w


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("table", "train"))
    args = parser.parse_args(argv)
    if args.what == "table":
        table()
    else:
        print(train(), file=sys.stderr)


if __name__ == "__main__":
    main()
