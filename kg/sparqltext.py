"""Just enough of SPARQL's lexical grammar to work on query text without parsing it.

The endpoint must refuse ``SERVICE`` (the store would fetch any URL a client names) and
updates; a remote query needs its parameters bound as text and kg's prefixes declared.
All of that needs only to tell code from string literals, IRIs and comments, which is
what this lexer does.  Where it is unsure it errs towards code: an unterminated string
is lexed as code, and a backslash outside a string, IRI or prefixed name is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import UsageError

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '''(?:[^'\\]|\\.|'(?!''))*'''
               | "(?:[^"\\\r\n]|\\.)*"
               | '(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$]\w+)
    | (?P<name>(?:\w[\w.\-\u00B7]*)?:(?:[\w.\-:%\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%])*
             | \w+)
    | (?P<punct>[{}()])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_VARNAME = re.compile(r"\w+")
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit: kind (ws, comment, string, iri, var, name, punct, other) and span."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased word if this is a bare word (a keyword or ``a``), else None."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None


def tokens(text: str) -> list[Token]:
    """Every token of ``text``, in order, covering it completely."""
    return [Token(m.lastgroup or "other", m.group(), m.start(), m.end())
            for m in _TOKEN.finditer(text)]


def code(text: str) -> list[Token]:
    """The tokens that matter to the parser: no whitespace, no comments."""
    return [t for t in tokens(text) if t.kind not in ("ws", "comment")]


def _after_prologue(toks: list[Token]) -> int:
    """Index of the first token after ``BASE <iri>`` and ``PREFIX p: <iri>`` declarations."""
    i = 0
    while i < len(toks):
        word = toks[i].keyword
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            break
    return i


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; UPDATE for an update; None if unrecognisable."""
    toks = code(text)
    i = _after_prologue(toks)
    word = toks[i].keyword if i < len(toks) else None
    if word in FORMS:
        return word
    if word in UPDATES:
        return "UPDATE"
    return None


def refusal(text: str) -> str | None:
    """Why a public endpoint should not run ``text``, or None if it may.

    ``SERVICE`` is refused wherever it is code (comments included, to err on the safe
    side), and so is a backslash outside strings, IRIs and prefixed names, which the
    grammar has no use for.
    """
    for tok in tokens(text):
        if tok.keyword == "SERVICE" or (
                tok.kind == "comment" and re.search(r"\bservice\b", tok.text, re.IGNORECASE)):
            return "SERVICE is not allowed on this endpoint (it would fetch other URLs)"
        if tok.kind == "other" and tok.text == "\\":
            return f"unexpected backslash at character {tok.start + 1}"
    return None


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares itself."""
    toks = code(text)
    return {toks[i + 1].text[:-1] for i, t in enumerate(toks[:-1])
            if t.keyword == "PREFIX" and toks[i + 1].text.endswith(":")}


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """``text`` with one first line declaring the ``prefixes`` it uses but does not declare."""
    used = {t.text.split(":", 1)[0] for t in code(text) if t.kind == "name" and ":" in t.text}
    missing = sorted((used & set(prefixes)) - declared_prefixes(text))
    if not missing:
        return text
    line = " ".join(f"PREFIX {p}: <{prefixes[p]}>" for p in missing)
    return f"{line}\n{text}"


def term_text(term: object) -> str:
    """An IRI or literal in N-Triples syntax, checked to be exactly one closed token."""
    if isinstance(term, ox.NamedNode):
        text = f"<{term.value}>"
        if [t.kind for t in tokens(text)] != ["iri"]:
            raise UsageError(f"{term.value!r} cannot be written as an IRI")
        return text
    if isinstance(term, ox.Literal):
        text = str(term)  # pyoxigraph escapes quotes, backslashes and line breaks
        toks = tokens(text)
        if not toks or toks[0].kind != "string" or any(
                t.kind in ("string", "comment", "punct", "ws") for t in toks[1:]):
            raise UsageError(f"{term.value!r} cannot be written as a literal")
        return text
    raise UsageError(f"only IRIs and literals can be bound to a variable, not {term!r}")


def values_block(terms: Mapping[str, object]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` binding each variable name to its term."""
    names = sorted(terms)
    for name in names:
        if not _VARNAME.fullmatch(name):
            raise UsageError(f"{name!r} is not a SPARQL variable name")
    cells = " ".join(term_text(terms[n]) for n in names)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({cells}) }}"


def _closing(toks: list[Token], i: int) -> int:
    """Index of the ``}`` that closes the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "{" and toks[j].kind == "punct":
            depth += 1
        elif toks[j].text == "}" and toks[j].kind == "punct":
            depth -= 1
            if depth == 0:
                return j
    raise UsageError("the query's braces are not balanced")


def _next_group(toks: list[Token], i: int) -> int | None:
    """Index of the first ``{`` at or after ``i`` that is not inside parentheses."""
    parens = 0
    for j in range(i, len(toks)):
        if toks[j].kind != "punct":
            continue
        if toks[j].text == "(":
            parens += 1
        elif toks[j].text == ")":
            parens -= 1
        elif toks[j].text == "{" and parens <= 0:
            return j
    return None


def bind_values(text: str, terms: Mapping[str, object]) -> str:
    """``text`` with ``terms`` bound by a VALUES block opening its WHERE pattern.

    Each term is written in N-Triples syntax (IRIs checked, literals escaped), so no value
    can change the query's structure.  A WHERE pattern that is a sub-select is wrapped in
    a group first; a short ``CONSTRUCT WHERE`` is rewritten to the long form.
    """
    if not terms:
        return text
    block = values_block(terms)
    toks = code(text)
    i = _after_prologue(toks)
    form = toks[i].keyword if i < len(toks) else None
    if form not in FORMS:
        raise UsageError("substitutions need a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    prefix = ""
    start = i + 1
    if form == "CONSTRUCT":
        if start < len(toks) and toks[start].text == "{" and toks[start].kind == "punct":
            start = _closing(toks, start) + 1
        else:  # CONSTRUCT WHERE { T }  ->  CONSTRUCT { T } WHERE { VALUES ... T }
            g = _next_group(toks, start)
            if g is not None:
                inner = text[toks[g].end:toks[_closing(toks, g)].start]
                prefix = f" {{{inner}}}"
    g = _next_group(toks, start)
    if g is None:
        raise UsageError("substitutions need a query with a WHERE pattern")
    close = _closing(toks, g)
    head = text[:toks[i].end] + prefix + text[toks[i].end:toks[g].end]
    if g + 1 < close and toks[g + 1].keyword == "SELECT":
        body = text[toks[g].end:toks[close].start]
        return f"{head} {block} {{{body}}} {text[toks[close].start:]}"
    return f"{head} {block} {text[toks[g].end:]}"


__all__ = ["FORMS", "Token", "bind_values", "code", "declared_prefixes", "query_form",
           "refusal", "term_text", "tokens", "values_block", "with_prefixes"]
