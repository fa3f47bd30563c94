"""Learned decisions about a found name: is a method the paper's own, is a dataset new.

Each decision is a logistic regression over a few readable features of the name in its
paper (where it occurs, what the sentences around it say, what the cue rules found);
the weights are fitted on the annotated corpus (``python -m training.train``) and shipped
in ``data/roles.json``.  :func:`features` is shared by training and run time, so the two
always agree.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kg.extract.wordlists import words

FEATURES = (
    "bias",
    "in_title",
    "title_head",
    "rule_proposed",
    "rule_new_dataset",
    "cue_sentence",
    "our_before",
    "mentions",
    "first_position",
    "coined",
    "known",
    "defines_acronym",
    "used_cue_before",
    "long_phrase",
)

_CUE = words(
    "propose proposes proposed introduce introduces introduced present presents "
    "develop develops design designs call called dub dubbed term termed name named "
    "coin coined release releases collect collected construct constructed create "
    "created build built"
)
_OURS = words("our novel new proposed this")
_USED_CUE = words(
    "using use uses used on with via by of like as including e.g. standard "
    "existing popular prior previous conventional"
)
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}|\d")


@dataclass(frozen=True, slots=True)
class Context:
    """What the features read: the cleaned title and abstract and the sentence bounds."""

    title: str
    abstract: str
    sentences: Sequence[tuple[int, int]]


def _sentence_of(ctx: Context, at: int) -> str:
    for s, e in ctx.sentences:
        if s <= at < e:
            return ctx.abstract[s:e]
    return ""


def features(
    name: str,
    spans: Sequence[tuple[int, int]],
    ctx: Context,
    *,
    in_title: bool,
    rule_proposed: bool,
    rule_new_dataset: bool,
    known: bool,
) -> list[float]:
    """The feature vector (in :data:`FEATURES` order) of one name of a paper.

    ``spans`` are the name's mentions in the cleaned abstract.
    """
    title = ctx.title
    head = title.split(":")[0] if ":" in title else ""
    cue = our = used = 0.0
    for s, _ in spans:
        sent = _sentence_of(ctx, s).lower()
        if any(w in _CUE for w in re.findall(r"[a-z]+", sent)) and " we " in f" {sent} ":
            cue = 1.0
        before = re.findall(r"[\w.]+", ctx.abstract[max(0, s - 40) : s].lower())[-3:]
        if any(w in _OURS for w in before):
            our = 1.0
        if before and before[-1] in _USED_CUE:
            used = 1.0
    n = len(spans)
    first = spans[0][0] / max(1, len(ctx.abstract)) if spans else 1.0
    defines = (
        1.0
        if re.search(re.escape(name) + r"\s*\(", ctx.abstract)
        or re.search(r"\(\s*" + re.escape(name) + r"\s*\)", ctx.abstract)
        else 0.0
    )
    return [
        1.0,
        1.0 if in_title else 0.0,
        1.0 if head and name.lower() in head.lower() else 0.0,
        1.0 if rule_proposed else 0.0,
        1.0 if rule_new_dataset else 0.0,
        cue,
        our,
        math.log1p(n),
        first,
        1.0 if _CAMEL.search(name) else 0.0,
        1.0 if known else 0.0,
        defines,
        used,
        1.0 if len(name.split()) >= 4 else 0.0,
    ]


def probability(weights: Sequence[float], x: Sequence[float]) -> float:
    z = sum(w * v for w, v in zip(weights, x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def weights() -> Mapping[str, list[float]]:
    """The shipped weights: ``proposed`` (methods) and ``new`` (datasets); empty if absent."""
    where = resources.files("kg.extract").joinpath("data", "roles.json")
    if not where.is_file():
        return {}
    data = json.loads(where.read_text("utf-8"))
    if data.get("features") != list(FEATURES):
        return {}  # trained for another feature set: fall back to the rules
    return {k: v for k, v in data.items() if k in ("proposed", "new")}
