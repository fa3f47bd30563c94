"""Background word statistics: how many abstracts of a corpus use each word.

Keyphrase ranking weighs a phrase by how specific its words are (inverse document
frequency).  The bundled table ``data/df.tsv`` is computed from the abstracts of the
bundled and training corpora, the held-out abstracts left out; regenerate it with
``python -m training.lexicons``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from kg.extract.lexicon import key_words

MIN_DF = 2
"""Words in fewer abstracts than this are left out of the table (they count as rare)."""


@dataclass(frozen=True, slots=True)
class WordStats:
    """Document frequencies of folded words over ``documents`` abstracts."""

    documents: int
    df: dict[str, int]

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency of a folded word, in (0, log(N+1)]."""
        return math.log((self.documents + 1) / (self.df.get(word, 0) + 1)) + 0.0

    def specificity(self, word: str) -> float:
        """:meth:`idf` scaled to [0, 1]: 1 for a word no abstract uses, near 0 for "the"."""
        top = math.log(self.documents + 1)
        return self.idf(word) / top if top > 0 else 1.0


def count(abstracts: Iterable[str]) -> WordStats:
    """Word document frequencies of ``abstracts``."""
    df: Counter[str] = Counter()
    n = 0
    for text in abstracts:
        n += 1
        df.update(set(key_words(text)))
    return WordStats(n, dict(df))


def write(stats: WordStats, path: Path) -> None:
    """The table as TSV: a ``#documents`` line, then ``word<TAB>df`` by word."""
    lines = [f"#documents\t{stats.documents}"]
    lines += [f"{w}\t{c}" for w, c in sorted(stats.df.items()) if c >= MIN_DF]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def parse(text: str) -> WordStats:
    """Read a table written by :func:`write`."""
    documents = 0
    df: dict[str, int] = {}
    for line in text.splitlines():
        word, _, value = line.partition("\t")
        if word == "#documents":
            documents = int(value)
        elif word and value:
            df[word] = int(value)
    return WordStats(documents, df)


@cache
def default() -> WordStats:
    """The bundled table."""
    return parse(resources.files("kg.extract").joinpath("data", "df.tsv").read_text("utf-8"))
