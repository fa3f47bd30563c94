"""One node per idea: fold the surface forms of keywords and concepts into one key.

Case, accents, hyphens and spaces, and a plural last word fold together
(:func:`kg.text.fold`): ``Meta-Learning``, ``meta learning`` and ``meta-learnings`` are one
concept.

>>> concept_key("Graph Neural Networks") == concept_key("graph neural network")
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from kg.acronyms import find_definitions
from kg.text import fold, slugify


def concept_key(text: str) -> str:
    """The IRI key of the concept a surface form names."""
    return slugify(fold(text), max_len=80)


#: surface forms whose keys :meth:`Concepts.key` remembers (about 30 MB at most)
_KEYS_KEPT = 200_000


class Concepts:
    """Concept keys with acronyms folded into their long forms, learned from a corpus.

    ``acronyms`` maps a folded acronym (``gnn``) to the folded long form the corpus most
    often defines it as (``graph neural network``), so "GNNs" and "Graph Neural Networks"
    are one concept everywhere, author keywords included.  It is fixed once made: keys
    are remembered per surface form.

    >>> c = Concepts.learn(["We use graph neural networks (GNNs) here."])
    >>> c.key("GNN") == c.key("Graph Neural Network")
    True
    """

    def __init__(self, acronyms: dict[str, str] | None = None) -> None:
        self.acronyms = dict(acronyms or {})
        self._keys: dict[str, str] = {}  # surface form -> key: keywords repeat a lot

    @classmethod
    def learn(cls, abstracts: Iterable[str | None]) -> Concepts:
        """Learn acronym definitions ("long form (ACR)") from ``abstracts``."""
        pairs = ((d.long, d.short) for text in abstracts if text for d in find_definitions(text))
        return cls(learn_acronyms(pairs))

    def folded(self, text: str) -> str:
        """The folded form of ``text``, an acronym replaced by its long form."""
        f = fold(text)
        return self.acronyms.get(f, f)

    def key(self, text: str) -> str:
        """The IRI key of the concept ``text`` names."""
        if (key := self._keys.get(text)) is None:
            if len(self._keys) >= _KEYS_KEPT:
                self._keys.clear()  # bounded: a vocabulary, not a corpus, is kept
            key = self._keys[text] = slugify(self.folded(text), max_len=80)
        return key


def learn_acronyms(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Folded acronym -> its most often defined folded long form (ties: the first in order).

    Deterministic and independent of the order of ``pairs``.
    """
    counts: dict[str, Counter[str]] = {}
    for long, short in pairs:
        if not _capitals(short):
            continue  # "ImageNet", "seq2seq": names, not abbreviations of what precedes
        s, lf = fold(short), fold(long)
        if s and lf and s != lf and " " in lf:
            counts.setdefault(s, Counter())[lf] += 1
    return {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for s, c in sorted(counts.items())}


def _capitals(short: str) -> bool:
    """Is ``short`` mostly capitals ("GNNs", "C-SWM", "MoCo" is not)?"""
    letters = [c for c in short.removesuffix("s") if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)
