"""One node per idea: fold the surface forms of keywords and concepts into one key.

Case, accents, hyphens and spaces, and a plural last word fold together:
``Meta-Learning``, ``meta learning`` and ``meta-learnings`` are one concept.

>>> concept_key("Graph Neural Networks") == concept_key("graph neural network")
True
"""

from __future__ import annotations

import re

from kg.text import ascii_fold, slugify

_INVARIANT = frozenset({"series", "species", "analysis", "gas", "bias", "lens", "news",
                        "physics", "mathematics", "dynamics", "robotics", "statistics",
                        "genomics", "semantics", "kinematics", "economics", "graphics"})


def singular(word: str) -> str:
    """A light English singular for the last word of a phrase; unknown forms pass through."""
    if len(word) <= 3 or word in _INVARIANT or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def fold(text: str) -> str:
    """The folded form of a surface form: lower case, ASCII, words joined by single spaces."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(text).lower())
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def concept_key(text: str) -> str:
    """The IRI key of the concept a surface form names."""
    return slugify(fold(text), max_len=80)
