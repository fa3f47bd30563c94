"""Text normalisation shared by readers, resolution and IRI minting.

Pure functions over strings; no I/O.

>>> normalize_title("**<u>DiffTaichi: Differentiable</u></u>** Programming")
'difftaichi differentiable programming'
>>> normalize_person_name("Bernhard Schölkopf")
'bernhard scholkopf'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Only known inline tags, and attributes only in name=value form, so that LaTeX such as
# "$a<b$ and <del>" is never mistaken for a tag.
_TAG = re.compile(
    r"</?(?:u|del|ins|sup|sub|b|i|em|strong|span|a|br|code|font|mark|s|small"
    r"|strike|tt|big)(?:\s+[^<>$=]+=[^<>$]*)?\s*/?>",
    re.IGNORECASE,
)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$%&|~<>])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WS = re.compile(r"\s+")
_MARKS = "*†‡§¶#∗⋆"
# Characters with no NFKD decomposition that matching should still fold.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "ð": "d",
        "þ": "th",
    }
)


def collapse_ws(text: str) -> str:
    """Every run of white space becomes one space; ends are stripped."""
    return _WS.sub(" ", text).strip()


def strip_tags(text: str) -> str:
    """Remove the inline HTML tags that list files use for emphasis (``<u>``, ``</del>``...)."""
    return _TAG.sub("", text)


def unescape_markdown(text: str) -> str:
    """Undo markdown backslash escapes: ``\\$`` → ``$``, ``\\_`` → ``_``, ``\\*`` → ``*``."""
    return _MD_ESCAPE.sub(r"\1", text)


def strip_emphasis(text: str) -> str:
    """Remove markdown bold/italic markers around words (``**MEMO:**`` → ``MEMO:``)."""
    return re.sub(r"(\*\*|__)", "", text)


def ascii_fold(text: str) -> str:
    """Drop accents and fold letters without a decomposition (``Łukasz`` → ``Lukasz``)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_title(title: str) -> str:
    """The key that links titles across sources.

    Markup and escapes are removed, accents dropped, case folded and every run of
    characters outside ``[a-z0-9]`` becomes one space.
    """
    text = unescape_markdown(strip_emphasis(strip_tags(title)))
    return _NON_ALNUM.sub(" ", ascii_fold(text).lower()).strip()


def clean_person_name(written: str) -> tuple[str, bool]:
    """A display name from a name as written, and whether it carried a contribution mark.

    >>> clean_person_name("Robert Stanforth\\\\*")
    ('Robert Stanforth', True)
    >>> clean_person_name("Yi Wu<sup>†</sup>")
    ('Yi Wu', True)
    """
    text = unescape_markdown(strip_tags(written))
    marked = any(m in text for m in _MARKS)
    text = text.translate({ord(m): " " for m in _MARKS})
    text = unicodedata.normalize("NFC", collapse_ws(text)).strip(" ,;")
    return text, marked


def normalize_person_name(name: str) -> str:
    """A matching key for a person's name: accents dropped, lower case, punctuation as spaces.

    Hyphens and apostrophes inside names are kept as spaces so that ``Wei-Ning`` and
    ``Wei Ning`` agree.
    """
    folded = ascii_fold(name).lower()
    return _NON_ALNUM.sub(" ", folded).strip()


_INVARIANT = frozenset(
    {
        "series",
        "species",
        "analysis",
        "gas",
        "bias",
        "lens",
        "news",
        "physics",
        "mathematics",
        "dynamics",
        "robotics",
        "statistics",
        "genomics",
        "semantics",
        "kinematics",
        "economics",
        "graphics",
    }
)


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
    """The folded form of a keyword's or concept's surface form: lower case, ASCII, words
    joined by single spaces, the last word singular.

    Letters and digits are split apart, so "CIFAR10" and "CIFAR-10" fold together.

    >>> fold("Meta-Learnings") == fold("meta learning")
    True
    """
    words = re.findall(r"[a-z]+|[0-9]+", ascii_fold(text).lower())
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def slugify(text: str, max_len: int = 60) -> str:
    """An IRI-safe slug: ASCII letters, digits and hyphens only, never empty."""
    slug = _NON_ALNUM.sub("-", ascii_fold(text).lower()).strip("-")[:max_len].strip("-")
    return slug or "x"


def short_hash(*parts: str, length: int = 16) -> str:
    """A stable hexadecimal digest of the parts (SHA-256, truncated)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


# C0 and C1 controls (terminal escape sequences start with ESC, CSI or OSC) and the bidi
# controls that reorder what a terminal shows (the "Trojan Source" characters).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, keep_newlines: bool = True) -> str:
    r"""``text`` with every control character shown as an escape, for printing to a terminal.

    Labels and titles come from untrusted files; printed raw, ``ESC ] 0 ; ... BEL`` would
    set the terminal's title and ``ESC [ 2 J`` clear its screen.  Tabs stay; newlines stay
    unless ``keep_newlines`` is false.

    >>> terminal_safe("Evil \x1b]0;PWNED\x07 title")
    'Evil \\x1b]0;PWNED\\x07 title'
    """
    out = _UNSAFE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )
    return out if keep_newlines else out.replace("\n", "\\n")
