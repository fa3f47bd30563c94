"""Just enough of SPARQL's lexical grammar to work on query text without parsing it.

kg refuses ``SERVICE`` (the engine would fetch any URL a query names) with a clear
message, and updates on the endpoint; a query that nests too deeply for the engine's
stack is refused before it can crash it; a remote query needs its parameters bound as
text and kg's prefixes declared.  All of that needs only to tell code from string
literals, IRIs and comments, and to follow the brackets, which is what this lexer does,
the way Oxigraph's parser reads the text (:func:`tokens`).  The refusal of ``SERVICE``
here is the second line: the engine runs where it cannot open a socket at all.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    | (?P<var>[?$]\w+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<name>(?:\w[\w.\-\u00B7]*)?:(?:[\w.\-:%\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%])*
             | \w+)
    | (?P<punct>[{}()\[\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_IRI = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_VARNAME = re.compile(r"\w+")
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_CLAUSES = ("SELECT", "BY", "HAVING")  # a "(" after these, until the next brace, is an expression
MAX_DEPTH = 40_000
"""The deepest query (see :func:`too_deep`) the engine is given: its threads have 512 MB
of stack and one level took at most 4.4 KB in every construct measured, so 175 MB."""


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit: kind (ws, comment, string, iri, var, lang, name, punct, other) and span.

    ``depth`` is the nesting the engine's recursion will see at this token (see
    :func:`too_deep`).
    """

    kind: str
    text: str
    start: int
    end: int
    depth: int = 0

    @property
    def keyword(self) -> str | None:
        """The upper-cased word if this is a bare word (a keyword or ``a``), else None."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None

    @property
    def operand(self) -> bool:
        """Whether an expression can end with this token (so a ``<`` after it compares)."""
        if self.kind in ("var", "string", "iri", "lang") or self.text in (")", "]"):
            return True
        word = self.keyword
        return self.kind == "name" and (
            word is None or word[0].isdigit() or word in ("TRUE", "FALSE")
        )


def _flat(tok: Token, context: str) -> bool:
    """A token that adds no recursion where it stands.

    In expressions, terms and separators are flat; in VALUES blocks everything is; in
    patterns (groups, blank nodes, collections) nothing is: the parser and the planner
    recurse once per triple pattern and collection item.
    """
    if context in ("values", "row"):
        return True
    if context in ("expr", "top"):
        return tok.operand or tok.text in (",", ";", ".") or tok.keyword == "A"
    return False


def _opens(context: str, clause: bool, prev: Token | None, before: Token | None) -> str:
    """What a ``(`` holds, from where it stands: ``expr`` or ``coll`` (terms)."""
    if prev is not None and prev.text == "<" and before is not None and before.text == "<":
        return "coll"  # <<( s p o )>>
    if context in ("expr", "top") or clause:
        return "expr"
    if prev is not None and (
        prev.keyword not in (None, "A")
        or (prev.kind in ("name", "iri") and before is not None and before.keyword == "FILTER")
    ):
        return "expr"  # FILTER(, BIND(, STR(, FILTER ex:f(
    return "coll"  # an RDF collection or a VALUES row


def tokens(text: str) -> list[Token]:
    """Every token of ``text``, in order, covering it completely, as Oxigraph reads them.

    Oxigraph parses without a separate lexer, so whether ``<`` opens an IRI depends on
    where it stands: after an operand inside an expression it is the less-than operator
    (``1<'>'`` compares 1 with a string), anywhere else it opens an IRI when the IRIREF
    grammar matches up to a ``>``.  So this lexer follows the brackets: a ``(`` opens an
    expression after a keyword or function name, in a SELECT, GROUP BY, ORDER BY or
    HAVING clause, and inside another expression; otherwise (RDF collections, VALUES
    rows, ``<<( )>>`` triple terms) it holds terms.
    """
    out: list[Token] = []
    stack: list[list[Any]] = []  # [context, nesting units at that level]
    clause = False
    values_list = False  # after VALUES, in its (?a ?b) list: its { holds rows of terms
    pos, end = 0, len(text)
    prev: Token | None = None
    before: Token | None = None  # the code token before prev
    total = 0  # the sum of the units on the stack
    while pos < end:
        context = stack[-1][0] if stack else "top"
        match = None
        if text[pos] == "<" and not (context == "expr" and prev is not None and prev.operand):
            match = _IRI.match(text, pos)
        kind = "iri"
        if match is None:
            match = _TOKEN.match(text, pos)
            assert match is not None  # (?P<other>.) matches any character
            kind = match.lastgroup or "other"
        tok = Token(kind, match.group(), pos, match.end())
        pos = match.end()
        if kind not in ("ws", "comment"):
            if kind == "punct" and tok.text in "{[(":
                if tok.text == "{":
                    new, clause = ("values" if values_list else "group"), False
                    values_list = False
                elif context in ("values", "row"):
                    new = "row"
                elif tok.text == "[":
                    new = "bnode"
                else:
                    new = _opens(context, clause, prev, before)
                if stack and tok.text != "(":  # a group or a blank node chains at its level
                    stack[-1][1] += 1
                    total += 1
                stack.append([new, 1])
                total += 1
            elif kind == "punct":
                values_list = values_list and tok.text == ")"
                if stack:
                    total -= stack.pop()[1]
                clause = clause and tok.text != "}"
            else:
                clause = clause or tok.keyword in _CLAUSES
                values_list = tok.keyword == "VALUES" or (values_list and tok.kind == "var")
                if stack and not _flat(tok, context):
                    stack[-1][1] += 1
                    total += 1
            tok = Token(tok.kind, tok.text, tok.start, tok.end, total)
            before, prev = prev, tok
        out.append(tok)
    return out


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

    ``SERVICE`` is refused where Oxigraph reads it as the keyword: a bare word, or a name
    that starts with it (``SERVICEex:x``) where a pattern starts and a ``{`` follows;
    never in a string, an IRI or a comment.  A backslash outside strings, IRIs and
    prefixed names, which the grammar has no use for, is refused too.  This is the second
    line: the engine runs where it cannot open a socket (:mod:`kg.sandbox`).
    """
    toks = code(text)
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "name" else ""
        if tok.keyword == "SERVICE" or (
            word.startswith("SERVICE")
            and i + 1 < len(toks)
            and toks[i + 1].text == "{"
            and (i == 0 or toks[i - 1].text in ("{", "}", ".", ")"))
        ):
            return "SERVICE is not allowed: kg's store never fetches other URLs"
        if tok.kind == "other" and tok.text == "\\":
            return f"unexpected backslash at character {tok.start + 1}"
    return None


def too_deep(text: str) -> str | None:
    """Why ``text`` nests too deeply for the engine to parse and evaluate, or None.

    The parser and the evaluator recurse once per bracket and once per operator or
    pattern in a chain (``a || b || ...``, ``{} UNION {} ...``), so the depth counted here
    is, over the brackets open at any point, one per bracket plus one per operator,
    keyword, group or blank node at its level; terms, VALUES rows and lists cost nothing.
    """
    depth = max((t.depth for t in tokens(text)), default=0)
    if depth > MAX_DEPTH:
        return (
            f"the query nests too deeply for the engine ({depth} levels of brackets and "
            f"chained operators; at most {MAX_DEPTH})"
        )
    return None


def declared_prefixes(text: str) -> set[str]:
    """The prefix names ``text`` declares itself."""
    toks = code(text)
    return {
        toks[i + 1].text[:-1]
        for i, t in enumerate(toks[:-1])
        if t.keyword == "PREFIX" and toks[i + 1].text.endswith(":")
    }


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
        if (
            not toks
            or toks[0].kind != "string"
            or any(t.kind in ("string", "comment", "punct", "ws") for t in toks[1:])
        ):
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


def _braces(toks: list[Token]) -> dict[int, int]:
    """Each ``{``'s index -> the index of the ``}`` that closes it, in one pass."""
    pairs: dict[int, int] = {}
    open_: list[int] = []
    for j, tok in enumerate(toks):
        if tok.kind == "punct" and tok.text == "{":
            open_.append(j)
        elif tok.kind == "punct" and tok.text == "}":
            if not open_:
                raise UsageError("the query's braces are not balanced")
            pairs[open_.pop()] = j
    if open_:
        raise UsageError("the query's braces are not balanced")
    return pairs


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
    """``text`` with ``terms`` bound by VALUES blocks, each in its variable's scope.

    Each term is written in N-Triples syntax (IRIs checked, literals escaped), so no value
    can change the query's structure.  A variable is bound where the WHERE pattern sees it;
    one that only a sub-select uses and does not project is bound inside that sub-select
    (see :func:`_scope`), so the sub-select is evaluated for that value only.  A group that
    is a sub-select is wrapped in a group first; a short ``CONSTRUCT WHERE`` is rewritten to
    the long form.
    """
    if not terms:
        return text
    values_block(terms)  # checks every name and term before anything is placed
    toks = code(text)
    closing = _braces(toks)
    i = _after_prologue(toks)
    form = toks[i].keyword if i < len(toks) else None
    if form not in FORMS:
        raise UsageError("substitutions need a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    start = i + 1
    if form == "CONSTRUCT":
        if start < len(toks) and toks[start].text == "{" and toks[start].kind == "punct":
            start = closing[start] + 1
        else:  # CONSTRUCT WHERE { T }  ->  CONSTRUCT { T } WHERE { VALUES ... T }
            g = _next_group(toks, start)
            if g is not None:
                inner = text[toks[g].end : toks[closing[g]].start]
                rest = text[toks[i].end :]
                return bind_values(f"{text[: toks[i].end]} {{{inner}}}{rest}", terms)
    g = _next_group(toks, start)
    if g is None:
        raise UsageError("substitutions need a query with a WHERE pattern")
    places: dict[int, dict[str, object]] = {}
    for name, term in terms.items():
        places.setdefault(_scope(toks, closing, g, name), {})[name] = term
    edits: list[tuple[int, str]] = []  # (offset in text, what goes there)
    for at, bound in places.items():
        block = values_block(bound)
        close = closing[at]
        if at + 1 < close and toks[at + 1].keyword == "SELECT":  # { VALUES ... { SELECT } }
            edits += [(toks[at].end, f" {block} {{"), (toks[close].start, "} ")]
        else:
            edits.append((toks[at].end, f" {block} "))
    out = text
    for offset, insert in sorted(edits, reverse=True):  # from the end: earlier offsets hold
        out = out[:offset] + insert + out[offset:]
    return out


def _scope(toks: list[Token], closing: Mapping[int, int], group: int, name: str) -> int:
    """Index of the ``{`` of the group where ``?name`` is to be bound, from ``group`` down.

    The group itself when the variable occurs there outside sub-selects or a sub-select
    there projects it (by name or ``*``); otherwise the WHERE group of the first
    sub-select that uses it, looked into the same way.  A variable no sub-select hides
    stays in ``group``: binding it there joins, as a substitution would.
    """
    uses = [k for k, t in enumerate(toks) if t.kind == "var" and t.text[1:] == name]
    while True:
        inner: int | None = None
        j, close = group + 1, closing[group]
        while j < close:
            tok = toks[j]
            if tok.kind == "punct" and tok.text == "{" and toks[j + 1].keyword == "SELECT":
                end = closing[j]
                where = _next_group(toks, j + 2)
                if where is None or where > end:
                    return group
                if _projects(toks[j + 2 : where], name):
                    return group
                first = bisect.bisect_left(uses, j + 2)  # a use between SELECT and its }
                if inner is None and first < len(uses) and uses[first] < end:
                    inner = where
                j = end + 1
                continue
            if tok.kind == "var" and tok.text[1:] == name:
                return group
            j += 1
        if inner is None:
            return group
        group = inner


def _projects(head: list[Token], name: str) -> bool:
    """Whether a sub-select's projection ``head`` (``SELECT`` ... ``WHERE``) exposes
    ``?name``: by ``*`` or by name, not inside an expression."""
    depth = 0
    for t in head:
        if t.kind == "punct" and t.text in "()":
            depth += 1 if t.text == "(" else -1
        elif depth == 0 and (t.text == "*" or (t.kind == "var" and t.text[1:] == name)):
            return True
    return False


__all__ = [
    "FORMS",
    "MAX_DEPTH",
    "Token",
    "bind_values",
    "code",
    "declared_prefixes",
    "query_form",
    "refusal",
    "term_text",
    "tokens",
    "too_deep",
    "values_block",
    "with_prefixes",
]
