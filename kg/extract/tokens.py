"""Token-level helpers: what a coined name looks like, and the phrase starting at a token.

Works on tagged and untagged Docs alike: without tags, phrases end at stop words.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kg.extract.chunks import (
    NOUN_TAGS,
    NOUNY_GERUNDS,
    STOP_WORDS,
    WEAK_MODIFIERS,
)
from kg.extract.wordlists import words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Heads that say "this is a method" without naming one.
GENERIC_HEADS = words(
    """
    method methods approach approaches framework frameworks algorithm algorithms model
    models technique techniques scheme schemes strategy strategies architecture
    architectures procedure procedures mechanism mechanisms module modules system systems
    network networks paradigm methodology solution solutions tool toolkit pipeline estimator
    estimators objective loss regularizer regularization layer layers variant variants
    extension extensions formulation family class
    """
)

# Heads of things a paper proposes that are not methods.
NOT_METHOD_HEADS = words(
    """
    analysis analyses study studies perspective view insight insights explanation theory
    bound bounds result results finding findings evaluation experiment experiments ablation
    ablations series set way hypothesis proof conjecture interpretation understanding
    characterization measure measures metric metrics notion concept definition question
    questions problem problems task tasks challenge phenomenon effect property properties
    condition conditions criterion guarantee guarantees comparison survey review overview
    investigation observation observations idea principle principles lens account picture
    direction directions alternative setting settings scenario scenarios case cases number
    variety range kind type example examples evidence connection connections link
    relationship
    """
)

DATASET_HEADS = words(
    """
    dataset datasets benchmark benchmarks corpus corpora suite environment environments
    testbed test-bed collection database challenge games
    """
)

_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z].*[A-Z]|\d.*[A-Za-z]|[A-Za-z].*\d")
_ROMAN = re.compile(r"^(?:I|II|III|IV|V|VI)$")


# Numbers with a unit or an ordinal ("3D", "10x", "2nd", "100K"): not names.
_QUANTITY = re.compile(
    r"^(?:\d+(?:[dD]|x|X|st|nd|rd|th|[kKmMbB]|px|ms|s|h|GB|MB)|[xX×]\d+(?:\.\d+)?)$"
)


# A name glued to a year: "Mikolov,2015", "et al.2019" (citations, not names).
_CITATION = re.compile(r"[,.]\s*(?:19|20)\d\d[a-z]?$|^[A-Z][a-z]+(?:19|20)\d\d$")


def coined(text: str) -> bool:
    """Does a word look coined: an acronym, CamelCase or letters with digits ("E2Efold")?"""
    return (
        len(text) > 1
        and any(c.isalpha() for c in text)
        and bool(_CAMEL.search(text))
        and not _ROMAN.match(text)
        and not _QUANTITY.match(text)
        and not _CITATION.search(text)
    )


def attached(doc: Doc, i: int) -> bool:
    """Is token ``i`` glued to the previous one ("GAN" "-" "TTS")?"""
    return i > 0 and not doc[i - 1].whitespace_


def is_hyphen(token: Token) -> bool:
    return (
        token.text in ("-", "/", "–")
        and not token.whitespace_
        and token.i > 0
        and (not token.doc[token.i - 1].whitespace_)
    )


def capitalised(token: Token) -> bool:
    """A word starting with a capital letter that is not the first of its sentence."""
    t = token.text
    return t[:1].isupper() and not token.is_sent_start and t.lower() not in STOP_WORDS


def name_token(token: Token) -> bool:
    """Can ``token`` be part of a name ("Kernel", "GAN", "E2Efold", "++")?"""
    t = token.text
    return coined(t) or (t[:1].isupper() and t.lower() not in STOP_WORDS) or t in ("++", "+")


def name_at(doc: Doc, i: int, max_tokens: int = 8) -> int:
    """The end of the name starting at token ``i`` (``i`` when there is none).

    A name is a run of capitalised or coined words; lower-case words glued with
    hyphens belong to it ("VHE-raster-scan-GAN", "tiny-Imagenet").
    """
    if i >= len(doc) or not name_token(doc[i]):
        return i
    j = i + 1
    while j < len(doc) and j - i < max_tokens:
        tok = doc[j]
        if is_hyphen(tok) and j + 1 < len(doc) and not tok.whitespace_:
            j += 2
            continue
        if attached(doc, j) and tok.text[:1].isalnum():
            j += 1
            continue
        if tok.text in ("++", "+") and attached(doc, j):
            j += 1
            continue
        if name_token(tok) and not tok.is_sent_start and tok.text[:1].isupper():
            j += 1
            continue
        break
    while j > i + 1 and (is_hyphen(doc[j - 1]) or _trailing_punct(doc[j - 1])):
        j -= 1
    return j


def _trailing_punct(token: Token) -> bool:
    return token.is_punct and token.text != "++"


NAMING = words("called named dubbed termed coined")
"""Words that introduce a name; a noun phrase ends before them."""


def phrase_token(token: Token) -> bool:
    """May ``token`` be inside a noun phrase?"""
    if token.is_punct and not is_hyphen(token):
        return False
    if token.lower_ in NAMING:
        return False
    if token.like_url or token.is_space:
        return False
    if token.doc.has_annotation("TAG"):
        tag = token.tag_
        if tag in NOUN_TAGS or tag in ("JJ", "JJR", "JJS", "VBN", "CD", "FW", "AFX", "HYPH"):
            return True
        if tag == "VBG":
            return token.lower_ in NOUNY_GERUNDS or (
                token.i > 0
                and token.doc[token.i - 1].tag_ in NOUN_TAGS
                and token.lower_ not in _VERBISH
            )
        return coined(token.text)
    return token.lower_ not in STOP_WORDS


_VERBISH = words(
    """
    using including leading achieving making having being showing following yielding
    allowing resulting providing requiring enabling generating improving reducing learning
    training outperforming exploiting leveraging combining incorporating ensuring
    maintaining obtaining performing producing capturing considering
    """
)


def phrase_at(doc: Doc, i: int, max_tokens: int = 8) -> tuple[int, int]:
    """The noun phrase starting at or just after token ``i``: ``(start, end)``.

    Determiners, numbers and evaluative words ("a simple yet effective") are skipped
    first; the phrase ends before the first token that cannot be in a noun phrase.
    """
    n = len(doc)
    while i < n and (
        doc[i].lower_ in WEAK_MODIFIERS
        or doc[i].lower_
        in (
            "a",
            "an",
            "the",
            "but",
            "yet",
            "and",
            "very",
            "highly",
            "two",
            "three",
            "four",
            "simple",
        )
        or (doc[i].tag_ in ("DT", "RB", "PRP$") and doc.has_annotation("TAG"))
    ):
        if i + 1 < n and is_hyphen(doc[i + 1]):
            break  # "few-shot", "state-of-the-art": part of the phrase
        i += 1
    j = i
    while j < n and j - i < max_tokens and phrase_token(doc[j]):
        if j > i and doc[j].is_sent_start:
            break
        j += 1
    while j > i and (is_hyphen(doc[j - 1]) or doc[j - 1].lower_ in STOP_WORDS):
        j -= 1
    if j < n and is_hyphen(doc[j]) and j > i:
        # a compound broken by a stop word ("state-of-the-art"): not a clean phrase end
        j = max(i, j - 1)
    return i, j


def head(doc: Doc, start: int, end: int) -> str:
    """The lower-case last word of a phrase."""
    return doc[end - 1].lower_ if end > start else ""
