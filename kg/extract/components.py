"""kg's own spaCy components (imported only when a pipeline is built)."""

from __future__ import annotations

from spacy.language import Language


def add_to(nlp: Language) -> None:
    """Add the sentencizer and kg's components to ``nlp``."""
    nlp.add_pipe("sentencizer", first=True)
