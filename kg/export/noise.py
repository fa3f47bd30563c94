"""Which concepts are noise in a view: the one rule the network exports and the web's graphs share.

A concept is left out of views (unless asked for with ``--include-noise``) when it is

1. **generic**: its label, folded as the extractor folds names (case, hyphens, a plural
   ``s``), is one of the extractor's generic terms (``kg/extract/data/generic.txt``:
   "model", "neural networks", "deep learning", "optimization", "dataset"...) or one of
   :data:`VIEW_WORDS`, the words of page layout, reviewing and evaluation ("table",
   "column", "panel", "rating", "baseline"...);
2. **not a name**: a single character, no letter at all, a version number ("v1.1"), or a
   fragment cut at a hyphen ("-dimensional control", "3-");
3. **a weak keyword**: only a keyword (no method, dataset or task class, and no author gave
   it as a keyword), and either one word used in at least :data:`COMMON_SHARE` of the
   background abstracts (``kg/extract/data/df.tsv``: "graph", "theory", "latent",
   "embedding") or extracted with a confidence below :data:`MIN_CONFIDENCE` at best
   ("years several adversarial attacks", "intriguing role").

On the bundled build this leaves out 349 of 5,956 concepts (rule 1: 16, rule 2: 14,
rule 3: 56 common words and 263 weak phrases); methods, datasets and tasks are left out only
by rules 1 and 2.

>>> reason(Facts("graph", "concept"))
'a common word used only as a keyword'
>>> reason(Facts("graph neural networks", "method")) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyoxigraph import NamedNode

from kg.errors import UsageError
from kg.extract.lexicon import key, read_list
from kg.extract.wordstats import default as background

VIEW_WORDS = [
    "table",
    "figure",
    "column",
    "row",
    "panel",
    "page",
    "section",
    "appendix",
    "caption",
    "plot",
    "chart",
    "legend",
    "rating",
    "score",
    "review",
    "reviewer",
    "comment",
    "submission",
    "paper",
    "author",
    "evaluation",
    "experiment",
    "metric",
    "baseline",
    "comparison",
    "ablation",
    "study",
    "setting",
    "example",
    "suite",
    "collection",
]
"""Words of layout, reviewing and evaluation that name no method, dataset or task."""
COMMON_SHARE = 0.02
"""A one-word keyword used in at least this share of the background abstracts is common."""
MIN_CONFIDENCE = 0.2
"""A keyword never extracted with at least this confidence is a weak phrase."""

_VERSION = re.compile(r"v?\d+(\.\d+)*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rule looks at: the label, the kind (``concept`` for a plain keyword),
    whether an author gave it as a keyword, and its best extraction confidence."""

    label: str
    kind: str
    author_keyword: bool = False
    confidence: float | None = None


@cache
def _generic() -> frozenset[str]:
    return frozenset(key(w) for w in [*read_list("generic"), *VIEW_WORDS])


def reason(facts: Facts) -> str | None:
    """Why a concept is noise in a view, or ``None`` if it is not."""
    label = " ".join(facts.label.split())
    folded = key(label)
    if folded in _generic():
        return "a generic term"
    if (
        len(label) < 2
        or not any(c.isalpha() for c in label)
        or _VERSION.fullmatch(label)
        or label[0] in "-–/."
        or label[-1] in "-–/"
    ):
        return "not a name"
    if facts.kind != "concept" or facts.author_keyword:
        return None
    words = folded.split()
    stats = background()
    if len(words) == 1 and stats.df.get(words[0], 0) >= COMMON_SHARE * stats.documents:
        return "a common word used only as a keyword"
    if facts.confidence is not None and facts.confidence < MIN_CONFIDENCE:
        return "a keyword extracted with low confidence"
    return None


_FACTS = """SELECT ?c ?l ?t ?a WHERE {
  %s
  ?c skos:prefLabel ?l .
  OPTIONAL { ?c a ?t VALUES ?t { kg:Method kg:Dataset kg:Task } }
  BIND(EXISTS { ?paper kg:authorKeyword ?c } AS ?a)
}"""
_CONFIDENCE = """SELECT ?c (MAX(?conf) AS ?m) WHERE {
  %s
  ?st rdf:object ?c ; kg:confidence ?conf .
} GROUP BY ?c"""
_KINDS = ("method", "dataset", "task")


def values(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES ?var { <iri> ... }`` block; each IRI checked, so none can change the query."""
    try:
        terms = " ".join(str(NamedNode(i)) for i in iris)
    except ValueError as exc:
        raise UsageError(f"not an IRI: {exc}") from None
    return f"VALUES ?{var} {{ {terms} }}"


def facts(store: Any, iris: Iterable[str] | None = None) -> dict[str, Facts]:
    """The facts of every concept (or of ``iris``), read from the store.

    The confidence is read only for the plain keywords whose label the rule does not
    already settle (the one fact that costs a scan of the statements).
    """
    if iris is None:
        scope = "?c a kg:Concept ."
    else:
        wanted = sorted(set(iris))
        if not wanted:
            return {}
        scope = values("c", wanted)
    labels: dict[str, str] = {}
    kinds: dict[str, set[str]] = {}
    author: dict[str, bool] = {}
    for s in store.query(_FACTS % scope):
        c = s["c"].value
        labels.setdefault(c, s["l"].value)
        kinds.setdefault(c, set())
        if s["t"] is not None:
            kinds[c].add(s["t"].value.rsplit("#", 1)[-1].lower())
        author[c] = author.get(c, False) or s["a"].value == "true"
    out = {
        c: Facts(
            label=labels[c],
            kind=min(kinds[c], key=_KINDS.index) if kinds[c] else "concept",
            author_keyword=author[c],
        )
        for c in sorted(labels)
    }
    open_ = [
        c
        for c, f in out.items()
        if f.kind == "concept" and not f.author_keyword and reason(f) is None
    ]
    if open_:
        for s in store.query(_CONFIDENCE % values("c", open_)):
            c = s["c"].value
            out[c] = Facts(out[c].label, "concept", False, float(s["m"].value))
    return out


def noise(store: Any, iris: Iterable[str] | None = None) -> dict[str, str]:
    """The concepts (of ``iris``, else all) that are noise in a view, with the reason."""
    out = {}
    for iri, f in facts(store, iris).items():
        why = reason(f)
        if why is not None:
            out[iri] = why
    return out
