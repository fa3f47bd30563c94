"""Noun phrases from part-of-speech tags, or from stop words when there are no tags.

With a trained pipeline a phrase is a run of adjectives and nouns ending in a noun
(hyphenated compounds kept whole); leading determiners and evaluative adjectives
("novel", "existing") are dropped.  Without tags (the blank fallback) a phrase is a run of
words between stop words and punctuation, as in RAKE.  Both need no parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from kg.extract.wordlists import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
_INNER_TAGS = NOUN_TAGS | {"JJ", "JJR", "JJS", "VBN", "VBG", "CD", "FW", "AFX", "HYPH", "NFP"}
_FIRST_TAGS = NOUN_TAGS | {"JJ", "JJR", "JJS", "VBN", "CD", "FW", "AFX"}

# Gerunds that name things ("learning", "sampling") may start a phrase.
NOUNY_GERUNDS = words(
    """
    learning training modeling modelling clustering sampling reasoning computing boosting
    pruning planning embedding encoding captioning parsing matching hashing labeling
    labelling pooling scheduling tracking forecasting answering inpainting denoising
    understanding programming processing filtering ranking tagging tuning fine-tuning
    ensembling batching smoothing coding detecting mixing translating segmenting
    """
)

# Words that evaluate or quantify rather than name: dropped from the start of a phrase.
WEAK_MODIFIERS = words(
    """
    new novel existing different various several many other such simple effective efficient
    significant same certain current recent previous prior typical standard popular common
    general particular specific proposed resulting given key main important strong large
    small few more most much further additional first second third last next whole entire
    original overall powerful promising challenging traditional conventional classical
    modern state-of-the-art sota better best good high low wide broad extensive rich
    competitive superior comparable improved principled unified generic own respective
    numerous multiple diverse remarkable substantial considerable great huge vast
    fundamental critical crucial essential useful successful practical realistic empirical
    theoretical experimental extensive thorough systematic careful detailed naive
    straightforward direct underlying corresponding related relevant possible potential
    likely impressive significant notable desirable appealing interesting this these that
    those its their our his her each every all any some both either well-known widely-used
    commonly-used so-called called named dubbed termed
    """
)

STOP_WORDS = words(
    """
    a an the and or but if then else of to in on at by for with from into onto over under
    via as is are was were be been being has have had do does did can could may might must
    shall should will would we our us you your they their them it its this that these those
    which who whom whose what when where why how than such not no nor so very also only just
    both either neither each every all any some many much more most other another same
    between among through during before after above below up down out off again further
    there here while because since although though whether however thus hence therefore
    moreover furthermore e.g. i.e. etc et al w.r.t w.r.t. wrt
    """
)

# Further words that end a phrase when there are no tags (the blank fallback).
BREAK_WORDS = STOP_WORDS | words(
    """
    show shows showed shown propose proposes proposed present presents introduce introduces
    using use used uses based achieve achieves demonstrate demonstrates paper work approach
    method methods new novel existing results result called named dubbed termed
    """
)


def _joined(doc: Doc, i: int) -> bool:
    """Is token ``i`` a hyphen or slash glued to both neighbours ("meta-learning")?"""
    t = doc[i]
    return (
        t.text in ("-", "/", "–")
        and 0 < i < len(doc) - 1
        and not t.whitespace_
        and not doc[i - 1].whitespace_
    )


def units(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of words, hyphenated compounds counted as one ("state-of-the-art")."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        j = i + 1
        while j + 1 < n and _joined(doc, j) and not doc[j + 1].is_space:
            j += 2
        out.append((i, j))
        i = j
    return out


def _unit_ok(doc: Doc, start: int, end: int, first: bool) -> bool:
    last = doc[end - 1]
    if last.like_url or last.like_email or last.is_space or last.is_punct:
        return False
    if end - start > 1:
        return last.tag_ in _INNER_TAGS or last.tag_ == "VBG" or last.tag_ in ("RB", "IN")
    tag = last.tag_
    if tag == "VBG":
        if first:
            return last.lower_ in NOUNY_GERUNDS
        return last.lower_ not in _VERBISH
    return tag in (_FIRST_TAGS if first else _INNER_TAGS) and tag not in ("HYPH", "NFP")


_VERBISH = words(
    """
    using including leading achieving making having being showing following yielding
    allowing resulting providing requiring enabling generating improving reducing
    outperforming exploiting leveraging combining incorporating ensuring maintaining
    obtaining performing producing capturing considering
    """
)


def _tagged_runs(doc: Doc) -> Iterator[list[tuple[int, int]]]:
    us = units(doc)
    k, n = 0, len(us)
    while k < n:
        if not _unit_ok(doc, *us[k], first=True):
            k += 1
            continue
        m = k + 1
        while m < n and _unit_ok(doc, *us[m], first=False) and not doc[us[m][0]].is_sent_start:
            m += 1
        yield us[k:m]
        k = m


def _weak(doc: Doc, unit: tuple[int, int]) -> bool:
    text = doc[unit[0] : unit[1]].text.lower()
    return (
        text in WEAK_MODIFIERS
        or text in STOP_WORDS
        or (unit[1] - unit[0] == 1 and doc[unit[0]].tag_ in ("CD", "HYPH", "NFP"))
    )


def _good_end(doc: Doc, unit: tuple[int, int]) -> bool:
    last = doc[unit[1] - 1]
    if last.lower_ in STOP_WORDS or not last.text[-1:].isalnum():
        return False
    if last.tag_ == "VBG" and last.i > 0 and doc[last.i - 1].tag_ in NOUN_TAGS:
        return last.lower_ not in _VERBISH  # "message passing", "weight sharing"
    return last.tag_ in NOUN_TAGS or _noun_like_tail(last)


def _noun_like_tail(token: Token) -> bool:
    """A token that can end a name although not tagged as a noun ("ResNet-50", "learning")."""
    return (
        token.lower_ in NOUNY_GERUNDS
        or (token.tag_ == "CD" and token.i > 0 and token.nbor(-1).tag_ in NOUN_TAGS)
        or (token.tag_ in ("JJ", "VBN", "VBG") and any(c.isupper() for c in token.text[1:]))
    )


def _is_stop_token(token: Token) -> bool:
    return (
        (token.is_punct and token.text not in ("-", "/"))
        or token.lower_ in BREAK_WORDS
        or token.like_url
        or token.is_space
        or (token.like_num and not any(c.isalpha() for c in token.text))
    )


def _stopword_runs(doc: Doc) -> Iterator[tuple[int, int]]:
    i, n = 0, len(doc)
    while i < n:
        if _is_stop_token(doc[i]) or doc[i].text in ("-", "/"):
            i += 1
            continue
        j = i + 1
        while j < n and not _is_stop_token(doc[j]) and not doc[j].is_sent_start and j - i < 6:
            j += 1
        yield i, j
        i = j


def noun_phrases(doc: Doc, max_tokens: int = 8) -> list[tuple[int, int]]:
    """Token spans ``[start, end)`` of the noun phrases of ``doc``, in order."""
    out: list[tuple[int, int]] = []
    if doc.has_annotation("TAG"):
        for run in _tagged_runs(doc):
            a, b = 0, len(run)
            while a < b and _weak(doc, run[a]):
                a += 1
            while b > a and not _good_end(doc, run[b - 1]):
                b -= 1
            if a < b:
                s, e = run[a][0], run[b - 1][1]
                while e - s > max_tokens and a < b - 1:
                    a += 1
                    s = run[a][0]
                out.append((s, e))
    else:
        for s, e in _stopword_runs(doc):
            while s < e and doc[s].lower_ in WEAK_MODIFIERS:
                s += 1
            if s < e:
                out.append((s, e))
    return [(s, e) for s, e in out if any(c.isalpha() for c in doc[s:e].text)]
