"""The embedded store behind one seam: open a built directory, run SPARQL on it.

Queries see the union of all named graphs as their default graph, so a query needs no
``GRAPH`` clause and gives the same answers as on the Turtle export loaded elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError, UsageError
from kg.graph.vocab import PREFIXES
from kg.outdir import JOURNAL, LOCK, recover

STORE_DIR = "store"

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def _settle(out: Path) -> None:
    """Finish an interrupted commit if no build is running, so readers see one build."""
    if not (out / JOURNAL).exists():
        return
    import fcntl

    with open(out / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        recover(out)


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
        """An in-memory store holding ``quads`` (tests, notebooks)."""
        store = ox.Store()
        store.extend(quads)
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
                use_default_graph_as_union=True,
                prefixes=PREFIXES,
                substitutions=subs or None,
            )
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None

    def __len__(self) -> int:
        return len(self._store)
