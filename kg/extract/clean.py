"""Abstract text as the rules see it: markup removed, offsets kept.

LaTeX (``$\\mathrm{KFL}$``, ``\\emph{x}``), markdown escapes (``\\$``, ``\\_``), HTML tags
and URLs are simplified into plain words; :class:`Cleaned` maps every character of the
clean text back to its offset in the original, so mentions keep spans into the abstract
as given.

>>> c = clean("using $\\\\mathrm{KFL}$ models")
>>> c.text, c.span(6, 9)
('using KFL models', (15, 18))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.wordlists import words

MAX_CHARS = 20_000
"""Longer abstracts are cut (at a sentence end if one is near) and a warning is given."""

_URL = r"(?P<url>(?:https?://|www\.)[^\s)\]]+)"
_MATH = r"(?P<math>\\?\$(?P<mbody>[^$\n]{1,300}?)\\?\$)"
_ESC = r"\\(?P<esc>[$_*#%&{}\[\]~^])"
_ARGCMD = (
    r"\\(?:textbf|textit|textsc|texttt|textrm|text|emph|underline|mathrm|mathbf|mathit|"
    r"mathsf|mathcal|mathbb|mathtt|operatorname|boldsymbol|bm)\{(?P<arg>[^{}]*)\}"
)
_DROPCMD = r"(?P<drop>\\(?:cite[a-z]*|ref|eqref|autoref|label|footnote|url)\*?\{[^{}]*\})"
_CMD = r"(?P<cmd>\\[A-Za-z]+\*?)"
_BRACE = r"(?P<brace>[{}])"
_TAG = r"(?P<tag></?[A-Za-z][A-Za-z0-9]{0,9}(?:\s[^<>]{0,80})?/?>)"
_MD = r"(?P<md>\*\*|\*(?=\w)|(?<=\w)\*|`+)"
_LINK = r"\[(?P<ltext>[^\]\n]{1,200})\]\((?P<lurl>[^)\s]{0,500})\)"

_MARKUP = re.compile(
    "|".join((_LINK, _URL, _MATH, _ESC, _ARGCMD, _DROPCMD, _CMD, _BRACE, _TAG, _MD))
)
_MATH_INNER = re.compile(r"\\[A-Za-z]+\*?|[{}^_\\]")
_MATH_WORDY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-+ ]{0,14}$")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENT_END = re.compile(r"[.!?]\s")

# Frequent English function words: a text with few of them is not English prose.
_ENGLISH = words(
    """
    the of and to in a is that for we with on are this as by be an our which from it can
    these their at or has have not its such than more both show using use based into how new
    also they between when while over only two each other most one
    """
)

_KIND = {
    "url": "URLs",
    "math": "LaTeX",
    "drop": "LaTeX",
    "arg": "LaTeX",
    "cmd": "LaTeX",
    "brace": "LaTeX",
    "esc": "markdown escapes",
    "tag": "HTML tags",
    "md": "markdown",
    "lurl": "markdown",
}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Plain text plus the original offset of each of its characters."""

    text: str
    offsets: tuple[int, ...]
    original_length: int
    warnings: tuple[str, ...] = ()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` of the clean ``[start, end)`` (``end > start``)."""
        if not self.offsets:
            return (0, 0)
        return (self.offsets[start], self.offsets[max(start, end - 1)] + 1)


class _Builder:
    """Accumulates clean text with a per-character map to original offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def keep(self, source: str, start: int, end: int) -> None:
        self.parts.append(source[start:end])
        self.offsets.extend(range(start, end))

    def insert(self, text: str, at: int) -> None:
        self.parts.append(text)
        self.offsets.extend([at] * len(text))


def _math(builder: _Builder, source: str, start: int, end: int) -> None:
    """Keep a formula's letters when it is a short name (``$k$``, ``\\mathrm{KFL}``)."""
    pos = start
    kept: list[tuple[int, int]] = []
    for m in _MATH_INNER.finditer(source, start, end):
        if m.start() > pos:
            kept.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        kept.append((pos, end))
    text = "".join(source[a:b] for a, b in kept).strip()
    if not _MATH_WORDY.match(text):
        builder.insert("x", start)  # a formula: one placeholder word keeps the sentence whole
        return
    for a, b in kept:
        builder.keep(source, a, b)


def _english_like(text: str) -> bool:
    words = _WORD.findall(text)
    if len(words) < 12:
        return True
    latin = sum(1 for w in words if w.isascii())
    if latin < 0.6 * len(words):
        return False
    share = sum(1 for w in words if w.lower() in _ENGLISH) / len(words)
    return share >= 0.12


def _cut(text: str) -> str:
    """The first :data:`MAX_CHARS` characters, ending at a sentence end when one is near."""
    head = text[:MAX_CHARS]
    ends = [m.end() for m in _SENT_END.finditer(head, MAX_CHARS - 2000)]
    return head[: ends[-1]] if ends else head


def clean(text: str | None) -> Cleaned:
    """Simplify markup in ``text`` and say what was done in ``warnings``."""
    if text is None or not text.strip():
        return Cleaned("", (), len(text or ""), ("no abstract",))
    warnings: list[str] = []
    source = text
    if len(source) > MAX_CHARS:
        source = _cut(source)
        warnings.append(f"abstract of {len(text):,} characters cut to {len(source):,}")
    builder = _Builder()
    kinds: set[str] = set()
    pos = 0
    for m in _MARKUP.finditer(source):
        builder.keep(source, pos, m.start())
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "mbody":
            kind = "math"
        if kind != "url":
            kinds.add(_KIND.get(kind, "markup"))
        if kind == "math":
            if source[m.start()] == "\\":
                kinds.add("markdown escapes")
            _math(builder, source, m.start("mbody"), m.end("mbody"))
        elif kind == "esc":
            builder.keep(source, m.start("esc"), m.end("esc"))
        elif kind == "arg":
            builder.keep(source, m.start("arg"), m.end("arg"))
        elif kind == "lurl":
            builder.keep(source, m.start("ltext"), m.end("ltext"))
    builder.keep(source, pos, len(source))
    clean_text = "".join(builder.parts)
    warnings.extend(f"{kind} simplified" for kind in sorted(kinds))
    if not _english_like(clean_text):
        warnings.append("the abstract does not look like English; few entities are found")
    return Cleaned(clean_text, tuple(builder.offsets), len(text), tuple(warnings))
