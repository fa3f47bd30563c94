"""The parts of extraction, in the order a text meets them: the one list of them.

``kg extract --help``, the README's table of parts and the tests read :data:`PARTS`;
each part names the modules that are it, so a test can check that every part is
tested.  Nothing here imports spaCy or loads a model.

>>> list(PARTS)[:3]
['clean', 'tagger', 'span-model']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Part:
    """A part of extraction: its name, the modules that implement it, what it does."""

    name: str
    modules: tuple[str, ...]
    description: str


PARTS: dict[str, Part] = {
    p.name: p
    for p in (
        Part(
            "clean",
            ("kg.extract.clean",),
            "LaTeX, markdown and HTML simplified before reading, offsets kept",
        ),
        Part(
            "tagger",
            ("kg.extract.nlp", "kg.extract.chunks"),
            "en_core_web_sm's tagger; its tags give noun phrases for the rules and keywords",
        ),
        Part(
            "span-model",
            ("kg.extract.spans",),
            "a trained span categorizer: PROPOSED methods, other METHODs, DATASETs, TASKs",
        ),
        Part(
            "cue-rules",
            ("kg.extract.cues", "kg.extract.title", "kg.extract.tokens", "kg.extract.engine"),
            "'we propose X', 'X, a novel ...', 'called X', 'Name: subtitle' titles",
        ),
        Part(
            "acronyms",
            ("kg.acronyms",),
            "'graph neural networks (GNNs)' links both forms into one entity",
        ),
        Part(
            "lexicons",
            ("kg.extract.lexicon",),
            "datasets and tasks the annotators named, matched with case and plural folding",
        ),
        Part(
            "joining",
            ("kg.extract.combine", "kg.extract.merging", "kg.extract.roles"),
            "the model's spans plus the rules the ablation keeps; a learned 'new dataset'",
        ),
        Part(
            "keywords",
            ("kg.extract.keywords", "kg.extract.wordstats"),
            "candidate phrases ranked by a regression fitted to authors' own keywords",
        ),
    )
}


def describe() -> str:
    """The parts as lines of ``name: description`` (for help texts)."""
    return "\n".join(f"{p.name}: {p.description}" for p in PARTS.values())
