"""The embedded store behind one seam: open a built directory, run SPARQL on it.

Every statement is stored in the named graph of its source, for provenance, and once more
in the default graph, which is the merge of them all: a set, as RDF means it.  Queries
run on that default graph, so they need no ``GRAPH`` clause, count each fact once (a
paper typed by two sources is one paper) and give the same answers as the Turtle export
loaded into any other store; ``GRAPH ?g { ... }`` still reaches the sources.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError, UsageError
from kg.graph.vocab import PREFIXES
from kg.outdir import settle

STORE_DIR = "store"

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def _settle(out: Path) -> None:
    """Finish an interrupted commit if no build is running, so readers see one build.

    Only a journal kg wrote is acted on (else one clear error), only inside ``out``
    (:func:`kg.outdir.settle`): a commit half done has already replaced part of the old
    build, so the new one is the only whole build left to read.
    """
    settle(out)


class Store:
    """A read-only view of the graph a build wrote to ``DIR/store``.

    >>> # Store.open("exports").query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    """

    def __init__(self, store: ox.Store, path: Path | None = None) -> None:
        self._store = store
        self.path = path

    @classmethod
    def open(cls, out: str | Path) -> Store:
        """Open the store of the build in ``out``; a clear error if there is none."""
        out = Path(out)
        _settle(out)
        path = out / STORE_DIR
        if not path.is_dir():
            raise StoreError(f"{out}: no graph here; run `kg build --dir {out}` first")
        try:
            return cls(ox.Store.read_only(str(path)), path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the store ({exc})") from None

    @classmethod
    def in_memory(cls, quads: Any = ()) -> Store:
        """An in-memory store holding ``quads`` and their merge as the default graph."""
        store = ox.Store()
        store.extend(with_union(list(quads)))
        return cls(store)

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Result:
        """Run a SPARQL query over the union of all graphs.

        ``substitutions`` binds variables to RDF terms (never by editing the query text).
        Raises :class:`UsageError` with the parser's message for a bad query.
        """
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                substitutions=subs or None,
            )
        except SyntaxError as exc:
            raise UsageError(syntax_message(sparql, str(exc))) from None

    def triples(self) -> int:
        """The number of distinct statements (the default graph's size)."""
        solutions = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(solutions)["n"].value)  # type: ignore[union-attr]


def syntax_message(sparql: str, error: str) -> str:
    """The parser's message cut to one line, and the query line with a caret under the spot.

    >>> print(syntax_message("SELECT * WHERE { ?s ?p }", "error at 1:23: expected ..."))
    SPARQL syntax error at line 1, column 23: expected ...
      SELECT * WHERE { ?s ?p }
                            ^
    """
    match = re.search(r"at (\d+):(\d+):?\s*(.*)", error.splitlines()[0] if error else "")
    if not match:
        return f"SPARQL syntax error: {error.splitlines()[0][:200] if error else ''}"
    line, column, rest = int(match[1]), int(match[2]), match[3]
    if len(rest) > 160:
        rest = rest[:160] + "..."
    lines = sparql.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    caret = f"\n  {text}\n  {' ' * max(column - 1, 0)}^" if text else ""
    return f"SPARQL syntax error at line {line}, column {column}: {rest}{caret}"


def with_union(quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` followed by their distinct triples in the default graph."""
    seen: dict[str, ox.Quad] = {}
    for q in quads:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            t = ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            seen.setdefault(str(t), t)
    return [*quads, *seen.values()]
