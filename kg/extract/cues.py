"""What the authors say they contribute: "we propose X", "called X", "X, a novel ...".

Every rule reads tokens only (tags help where present), so it runs on a blank pipeline
too.  Returns candidates for proposed methods and for datasets the paper introduces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.extract.chunks import NOUN_TAGS, NOUNY_GERUNDS
from kg.extract.tokens import (
    DATASET_HEADS,
    GENERIC_HEADS,
    NAMING,
    NOT_METHOD_HEADS,
    coined,
    name_at,
    phrase_at,
)
from kg.extract.wordlists import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from kg.extract.lexicon import Lexicon

PROPOSE = words(
    """
    propose proposes introduce introduces introducing present presents develop develops
    devise devises design designs formulate formulates offer offers describe describes
    construct constructs build builds create creates release releases contribute
    """
)
DATASET_VERBS = words("construct constructs build builds create creates release releases collect")
_SUBJECT_NOUNS = words("paper work article note study submission")
_QUOTES = words("\" ' “ ” ‘ ’ `")
_CLAUSE_STOP = words(", ; : . ( ) that which where while whereby and but who")
_ORDINALS = words("first second third latter former other last final")


@dataclass(frozen=True, slots=True)
class CuePhrase:
    """A phrase a cue rule picked: text and character span in the clean text."""

    text: str
    start: int
    end: int
    rule: str
    confidence: float


def cue_phrase(doc: Doc, start: int, end: int, rule: str, confidence: float) -> CuePhrase:
    """A :class:`CuePhrase` for tokens ``[start, end)`` of ``doc``."""
    span = doc[start:end]
    text, stop = span.text, span.end_char
    while len(text) > 1 and text[-1] in ".,;:":  # "X." as one token at a sentence end
        text, stop = text[:-1], stop - 1
    return CuePhrase(text, span.start_char, stop, rule, confidence)


@dataclass(slots=True)
class Cues:
    """The phrases the cue rules found."""

    proposed: list[CuePhrase] = field(default_factory=list)
    new_datasets: list[CuePhrase] = field(default_factory=list)


def _has_subject(sent: Span, verb_i: int) -> bool:
    """Do the authors speak before ``verb_i`` ("we", "this paper", "here")?"""
    for tok in sent:
        if tok.i >= verb_i:
            return False
        low = tok.lower_
        if low in ("we", "here"):
            return True
        if low in ("this", "our") and tok.i + 1 < verb_i and tok.nbor().lower_ in _SUBJECT_NOUNS:
            return True
    return False


def _skip_quotes(doc: Doc, i: int) -> int:
    while i < len(doc) and doc[i].text in _QUOTES:
        i += 1
    return i


def _clause_end(doc: Doc, i: int, limit: int = 14) -> int:
    """The end of a clause starting at ``i`` (before punctuation or a relative pronoun)."""
    j = i
    while j < len(doc) and j - i < limit and doc[j].lower_ not in _CLAUSE_STOP | NAMING:
        if j > i and doc[j].is_sent_start:
            break
        j += 1
    while j > i and (
        doc[j - 1].lower_ in ("of", "for", "to", "in", "on", "with", "the", "a")
        or not doc[j - 1].text[-1:].isalnum()
    ):
        j -= 1
    return j


def _appositive_head(doc: Doc, i: int) -> str | None:
    """After a name at ``i``: ", a novel dataset ..." -> "dataset" (the head noun)."""
    if i + 1 >= len(doc) or doc[i].text != "," or doc[i + 1].lower_ not in ("a", "an", "the"):
        return None
    a, b = phrase_at(doc, i + 1)
    return doc[b - 1].lower_ if b > a else None


def _novel_after(doc: Doc, i: int) -> bool:
    """Is the name at ``i`` followed by ", a novel ..." / ", a new ..."?"""
    return (
        i + 2 < len(doc)
        and doc[i].text == ","
        and doc[i + 1].lower_ in ("a", "an")
        and doc[i + 2].lower_ in ("novel", "new")
    )


def _name_or_phrase(doc: Doc, i: int) -> tuple[int, int]:
    """A coined name at ``i``, else the noun phrase there."""
    e = name_at(doc, i)
    if e > i:
        return i, e
    return phrase_at(doc, i)


def _modifier_after_paren(doc: Doc, i: int) -> bool:
    """Does the phrase go on after the parenthesis at ``i`` ("(RL) based", "(GNN)-style")?"""
    j = i + 1
    while j < len(doc) and j - i < 8 and doc[j].text != ")":
        j += 1
    return j + 1 < len(doc) and (
        doc[j + 1].lower_ in ("based", "driven", "guided", "style")
        or (doc[j + 1].text == "-" and not doc[j].whitespace_)
    )


def _object(doc: Doc, verb: int, lexicon: Lexicon, cues: Cues) -> None:
    """What a proposal verb introduces."""
    j = _skip_quotes(doc, verb + 1)
    if j < len(doc) and doc[j].lower_ == "forward":  # put forward
        j += 1
    if j >= len(doc) or doc[j].lower_ in ("to", "that", "how", "whether", "why", "what"):
        return
    name_end = name_at(doc, j)
    if name_end > j and doc[j].lower_ not in ("a", "an", "the"):
        text = doc[j:name_end].text
        kind = _appositive_head(doc, name_end)
        if kind in DATASET_HEADS or doc[verb].lower_ in DATASET_VERBS:
            cues.new_datasets.append(cue_phrase(doc, j, name_end, "introduce-name", 0.85))
        elif not lexicon.has(text, "methods") and not lexicon.has(text, "datasets"):
            cues.proposed.append(cue_phrase(doc, j, name_end, "propose-name", 0.9))
        return
    a, b = phrase_at(doc, j)
    if b <= a:
        return
    head = doc[b - 1].lower_
    if head in NOT_METHOD_HEADS or doc[a].lower_ in NOT_METHOD_HEADS:
        return
    after = doc[b].lower_ if b < len(doc) else ""
    if head in DATASET_HEADS:
        if after in (",", "(") or after in NAMING:
            return  # the name follows: the naming rule or acronym definitions take it
        cues.new_datasets.append(cue_phrase(doc, a, b, "introduce-dataset", 0.6))
        return
    if b < len(doc) and (
        after in NAMING or (after == "," and b + 1 < len(doc) and doc[b + 1].lower_ in NAMING)
    ):
        return  # "a model, called X": the naming rule takes X
    if b - a == 1 and head in GENERIC_HEADS:
        if after in ("to", "for", "that", "which") and b + 1 < len(doc):
            end = _clause_end(doc, b + 1)
            if end < len(doc) and doc[end].lower_ in NAMING:
                return  # "an algorithm for X called Y": the naming rule takes Y
            if end - a >= 3:
                cues.proposed.append(cue_phrase(doc, a, end, "propose-clause", 0.35))
        return
    if b - a == 1 and not coined(doc[a].text) and not doc[a].text[:1].isupper():
        return  # "we propose changes": one plain word names no method
    if (
        doc.has_annotation("TAG")
        and doc[b - 1].tag_ not in NOUN_TAGS
        and not coined(doc[b - 1].text)
        and doc[b - 1].lower_ not in NOUNY_GERUNDS
    ):
        return  # "two interpretable and ...": the phrase stopped before its noun
    if after == "(" and _modifier_after_paren(doc, b):
        return  # "a reinforcement learning (RL) based model": RL modifies what follows
    confidence = 0.8 if _novel_after(doc, b) or after == "(" else 0.55
    if lexicon.has(doc[a:b].text, "methods") or lexicon.has(doc[a:b].text, "generic"):
        return
    cues.proposed.append(cue_phrase(doc, a, b, "propose-phrase", confidence))


def _defined_end(doc: Doc, i: int, long_forms: Mapping[int, int]) -> int | None:
    """The token end of an acronym's long form starting at token ``i``, if one does."""
    end_char = long_forms.get(doc[i].idx)
    if end_char is None:
        return None
    j = i
    while j < len(doc) and doc[j].idx < end_char:
        j += 1
    return j


def _named(
    doc: Doc, k: int, lexicon: Lexicon, cues: Cues, proposal: bool, long_forms: Mapping[int, int]
) -> None:
    """What follows "called" / "named" / "dubbed" / "termed"."""
    # what is being named: the phrase before ("a phenomenon called X" is not a method)
    p = k - 1
    while p >= 0 and doc[p].text in (",", "is", "are", "was"):
        p -= 1
    prev_head = doc[p].lower_ if p >= 0 else ""
    if prev_head in NOT_METHOD_HEADS and prev_head not in ("variant", "extension"):
        return
    i = _skip_quotes(doc, k + 1)
    if i >= len(doc):
        return
    defined = _defined_end(doc, i, long_forms)
    s, e = (i, defined) if defined else _name_or_phrase(doc, i)
    if e <= s or doc[s].is_punct:
        return
    text = doc[s:e].text
    if prev_head in DATASET_HEADS:
        cues.new_datasets.append(cue_phrase(doc, s, e, "named-dataset", 0.8 if proposal else 0.5))
    elif not lexicon.has(text, "methods") and not lexicon.has(text, "generic"):
        if not (proposal or prev_head in GENERIC_HEADS or any(coined(t.text) for t in doc[s:e])):
            return  # "molecules, also referred to as the chromatin": a term, not a method
        confidence = 0.85 if proposal or prev_head in GENERIC_HEADS else 0.6
        cues.proposed.append(cue_phrase(doc, s, e, "named", confidence))


def _ordinal(doc: Doc, i: int, lexicon: Lexicon, cues: Cues) -> None:
    """ "The second method, differentiable quantization, ..." """
    if i + 3 >= len(doc) or doc[i + 1].lower_ not in GENERIC_HEADS or doc[i + 2].text != ",":
        return
    s, e = _name_or_phrase(doc, i + 3)
    if e > s and e < len(doc) and doc[e].text == "," and not lexicon.has(doc[s:e].text, "methods"):
        cues.proposed.append(cue_phrase(doc, s, e, "ordinal", 0.6))


def find(doc: Doc, lexicon: Lexicon, long_forms: Mapping[int, int] | None = None) -> Cues:
    """All proposal and new-dataset cues of ``doc``.

    ``long_forms`` maps the start of each acronym long form the text defines to its end
    (characters), so that "called Maximum a-posteriori Policy Optimisation (MPO)" names
    all of it.
    """
    long_forms = long_forms or {}
    cues = Cues()
    for sent in doc.sents:
        proposal = False
        for tok in sent:
            low = tok.lower_
            if low in PROPOSE and _has_subject(sent, tok.i):
                proposal = True
                _object(doc, tok.i, lexicon, cues)
            elif low in NAMING or (low == "call" and tok.i > 0 and tok.nbor(-1).lower_ == "we"):
                k = tok.i
                if (
                    low == "call"
                    and k + 1 < len(doc)
                    and doc[k + 1].lower_ in ("it", "this", "them", "these", "our", "the")
                ):
                    k += 1
                    limit = min(len(doc), k + 4)
                    while k + 1 < limit and not _name_start(doc[k + 1]):
                        k += 1
                _named(doc, k, lexicon, cues, proposal, long_forms)
            elif (
                low in ("referred", "refer")
                and tok.i + 2 < len(doc)
                and (doc[tok.i + 1].lower_ == "to" and doc[tok.i + 2].lower_ == "as")
            ):
                _named(doc, tok.i + 2, lexicon, cues, proposal, long_forms)
            elif low in _ORDINALS and tok.i > 0 and tok.nbor(-1).lower_ == "the":
                _ordinal(doc, tok.i, lexicon, cues)
    return cues


def _name_start(token: Token) -> bool:
    return coined(token.text) or token.text[:1].isupper() or token.text in _QUOTES
