"""What a title says: "Name: subtitle" names a method (or a dataset), "... for TASK".

>>> t = analyse("Fair Mixup: Fairness via Interpolation")
>>> t.name, t.tasks
('Fair Mixup', ['Fairness'])
>>> analyse("Target-Embedding Autoencoders for Supervised Representation Learning").tasks
['Supervised Representation Learning']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract.tokens import DATASET_HEADS, coined
from kg.extract.wordlists import words

_COLON = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
_LINK = re.compile(r"\s+(via|through|using|with|by|from)\s+", re.IGNORECASE)
_FOR = re.compile(r"\s+(?:for|in|towards?)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w'+-]+")

# Last words of phrases that name a task or problem.
TASK_HEADS = words(
    """
    learning control optimization optimisation synthesis modeling modelling generation
    classification recognition detection translation prediction forecasting estimation
    segmentation reasoning understanding search planning retrieval answering compression
    adaptation generalization generalisation navigation exploration captioning parsing
    summarization summarisation completion discovery imputation clustering tracking
    alignment labeling labelling tagging matching verification attack attacks defense
    defence robustness fairness privacy interpretability explainability inference
    induction identification localization reconstruction manipulation transfer editing
    execution repair design regression embedding representation representations
    """
)

_NOT_NAME = words(
    """
    a an the is are be can do does to on of in at by with what why how when which who we
    you i my our your their its towards toward beyond about into from than not no meets
    meet reveals matters helps makes works learns beats fools goes revisited
    """
)
_LEADING = words("on towards toward a an the")


@dataclass(slots=True)
class TitleInfo:
    """The parts of a title the rules use."""

    name: str | None = None
    name_is_dataset: bool = False
    via: str | None = None
    tasks: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def name_like(text: str) -> bool:
    """Can a title prefix be a name: short, no function words ("My Body is a Cage": no)."""
    ws = _words(text)
    if not ws or len(ws) > 5:
        return False
    if any(w.lower() in _NOT_NAME for w in ws):
        return False
    return (
        len(ws) <= 2 or all(w[:1].isupper() or coined(w) for w in ws) or any(coined(w) for w in ws)
    )


def task_like(text: str) -> bool:
    """Does a phrase end in a task word ("... Representation Learning")?"""
    ws = _words(text)
    if not ws or len(ws) > 6:
        return False
    if any(w.lower() in _NOT_NAME - {"of", "and"} for w in ws):
        return False
    return ws[-1].lower() in TASK_HEADS or ws[-1].lower().rstrip("s") in TASK_HEADS


def _strip(text: str) -> str:
    ws = text.split()
    while ws and ws[0].lower() in _LEADING:
        ws = ws[1:]
    return " ".join(ws).strip(" .,;:?!")


def analyse(title: str | None) -> TitleInfo:
    """Split a title into a name, a method it goes "via", and tasks."""
    info = TitleInfo()
    if not title or not title.strip():
        return info
    title = " ".join(title.split())
    head, sub = title, ""
    parts = _COLON.split(title, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        head, sub = parts
        if name_like(head):
            info.name = head.strip()
            sub_words = [w.lower() for w in _words(sub)]
            info.name_is_dataset = any(w in DATASET_HEADS for w in sub_words[:6])
    for segment in (sub, head) if sub else (head,):
        if not segment or segment == info.name:
            continue
        left, *rest = _LINK.split(segment, maxsplit=1)
        if rest:
            via = _strip(rest[-1])
            if via and info.via is None:
                info.via = via
        pieces = _FOR.split(left)
        for piece in (pieces[-1], pieces[0]) if len(pieces) > 1 else (pieces[0],):
            piece = _strip(piece)
            if piece and task_like(piece) and piece not in info.tasks:
                info.tasks.append(piece)
    return info
