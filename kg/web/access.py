"""What the web pages read: SELECT and CONSTRUCT queries over the build, bound safely.

Queries go through the server's :class:`kg.querypool.QueryPool` when there is one, so a
page's queries obey the same time limit as the endpoint's and a slow one is stopped; with
no pool (a test, a script) they run on the store in this process, through the same code
(:func:`kg.querypool.answer`).

Values are bound with a ``VALUES`` block that is serialised from RDF terms, never by
pasting text into the query: ``graph().select("SELECT ?t WHERE { ?p dcterms:title ?t }",
p=iri)`` runs ``SELECT ?t WHERE { VALUES (?p) { (<iri>) } ?p dcterms:title ?t }``.  A
``str`` is bound as an IRI (and must be a valid one); pass a :class:`pyoxigraph.Literal`
for a literal.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.graph.vocab import DEFAULT_BASE, PREFIXES
from kg.querypool import Busy, Overrun, QueryPool, Unavailable, WorkerLost, answer

Binding = str | ox.NamedNode | ox.Literal
Row = dict[str, str | None]
LABELS = (
    ("http://www.w3.org/2000/01/rdf-schema#", "label"),
    ("http://www.w3.org/2004/02/skos/core#", "prefLabel"),
    ("http://xmlns.com/foaf/0.1/", "name"),
    ("http://purl.org/dc/terms/", "title"),
)
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class QueryFailed(KGError):
    """A page's query could not be answered: ``status`` is 503 (busy, too slow, no
    worker) or 500 (the query itself failed, which is a bug in the page)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def term(value: Binding) -> str:
    """A value as SPARQL term syntax; ValueError for a ``str`` that is not a valid IRI.

    >>> term("https://w3id.org/kg/id/paper/x"), term(ox.Literal('say "hi"'))
    ('<https://w3id.org/kg/id/paper/x>', '"say \\\\"hi\\\\""')
    """
    if isinstance(value, str):
        value = ox.NamedNode(value)
    return str(value)


def bind(query: str, bindings: Mapping[str, Binding]) -> str:
    """``query`` with ``bindings`` as a VALUES block opening its first group pattern.

    The queries are the pages' own (trusted) text; the values are anyone's, so they are
    written as RDF terms by pyoxigraph, which escapes literals and rejects a malformed IRI.
    """
    if not bindings:
        return query
    for name in bindings:
        if not name.isidentifier():
            raise ValueError(f"not a variable name: {name!r}")
    names = " ".join(f"?{n}" for n in bindings)
    values = " ".join(term(v) for v in bindings.values())
    return opening(query, f"VALUES ({names}) {{ ({values}) }}")


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def opening(query: str, block: str) -> str:
    """``query`` with ``block`` first in its WHERE group (or its first group, for a
    query written without the keyword)."""
    found = _WHERE.search(query)
    at = found.end() if found else query.index("{") + 1
    return f"{query[:at]} {block} {query[at:]}"


def values(name: str, iris: list[str]) -> str:
    """A VALUES block binding ``?name`` to each IRI in turn (ValueError for a bad one)."""
    if not name.isidentifier():
        raise ValueError(f"not a variable name: {name!r}")
    return f"VALUES ?{name} {{ {' '.join(term(i) for i in iris)} }}"


class Graph:
    """The build the site shows: its base IRI and its queries.

    >>> g = Graph(Path("exports"), base_iri="https://w3id.org/kg/id/")
    >>> g.local_path("https://w3id.org/kg/id/person/ada"), g.iri("/person/ada")
    ('/person/ada', 'https://w3id.org/kg/id/person/ada')
    """

    def __init__(
        self,
        store_dir: str | Path,
        *,
        pool: QueryPool | None = None,
        base_iri: str | None = None,
        timeout_s: float = 10.0,
        max_rows: int = 10_000,
    ) -> None:
        from kg import manifest

        self.store_dir = Path(store_dir)
        self.pool = pool
        recorded = manifest.options(self.store_dir)
        base = base_iri or (recorded.base_iri if recorded else None) or DEFAULT_BASE
        self.base_iri = str(base) if str(base).endswith(("/", "#")) else f"{base}/"
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._store: Any = None
        self._store_lock = threading.Lock()

    # -- IRIs and paths ------------------------------------------------------------

    def local_path(self, iri: str) -> str | None:
        """The site path of an IRI under the base (``/person/ada``); None for others."""
        if iri.startswith(self.base_iri) and len(iri) > len(self.base_iri):
            return "/" + iri[len(self.base_iri) :]
        return None

    def iri(self, path: str) -> str:
        """The IRI a site path stands for (the inverse of :meth:`local_path`)."""
        return self.base_iri + path.lstrip("/")

    # -- queries -------------------------------------------------------------------

    def select(self, query: str, **bindings: Binding) -> list[Row]:
        """The rows of a SELECT query (the kg prefixes are declared): each variable's
        value as a string, or None where it is unbound."""
        body = self._run(bind(query, bindings), select="json", graph=None)[1]
        doc = json.loads(body)
        names = doc["head"]["vars"]
        return [
            {n: (b[n]["value"] if n in b else None) for n in names}
            for b in doc["results"]["bindings"]
        ]

    def select_each(self, query: str, name: str, iris: list[str]) -> list[Row]:
        """The rows of a SELECT query run once with ``?name`` bound to each IRI."""
        if not iris:
            return []
        return self.select(opening(query, values(name, iris)))

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The display label of each IRI that has one: its rdfs:label, else skos:prefLabel,
        foaf:name or dcterms:title (the least of several)."""
        rows = self.select_each(
            "SELECT ?x ?p ?l WHERE { "
            + " UNION ".join(
                f"{{ ?x <{ns}{name}> ?l BIND(<{ns}{name}> AS ?p) }}" for ns, name in LABELS
            )
            + " }",
            "x",
            sorted(set(iris)),
        )
        rank = {ns + name: i for i, (ns, name) in enumerate(LABELS)}
        best: dict[str, tuple[int, str]] = {}
        for r in rows:
            x, p, label = r["x"] or "", r["p"] or "", r["l"] or ""
            key = (rank.get(p, len(rank)), label)
            if label and (x not in best or key < best[x]):
                best[x] = key
        return {x: label for x, (_, label) in best.items()}

    def construct(self, query: str, fmt: str, **bindings: Binding) -> bytes:
        """A CONSTRUCT or DESCRIBE query's graph, serialised as ``fmt`` (a name of
        :data:`kg.querypool.GRAPH_FORMATS`: turtle, ntriples, rdfxml, jsonld)."""
        return self._run(bind(query, bindings), select=None, graph=fmt)[1]

    def _run(self, query: str, select: str | None, graph: str | None) -> tuple[Any, bytes]:
        job: dict[str, Any] = {"query": PROLOGUE + query, "select": select, "graph": graph}
        job["max_rows"] = self.max_rows
        try:
            meta, body = self.submit(job)
        except Busy:
            raise QueryFailed(
                503, "the server is busy: no query worker came free in time"
            ) from None
        except (Overrun, TimeoutError):
            raise QueryFailed(
                503, f"a query of this page ran past the time limit ({self.timeout_s:g} s)"
            ) from None
        except Unavailable as exc:
            raise QueryFailed(503, f"the store is not available: {exc}") from None
        except WorkerLost:
            raise QueryFailed(503, "a query of this page stopped its worker") from None
        if int(meta["status"]) != 200:
            raise QueryFailed(500, f"a query of this page failed: {meta.get('message', '')}")
        return meta, body

    def submit(self, job: dict[str, Any], max_bytes: int | None = None) -> tuple[Any, bytes]:
        """The endpoint's reply (metadata, body) to ``job``, a :mod:`kg.querypool` job: in
        the server's workers when there are any, else in this process with the workers' own
        code, within ``timeout_s``.  Raises what the pool raises (``Busy``, ``Overrun``,
        ``Unavailable``, ``WorkerLost``), ``Overrun`` also for a query that stopped itself
        at the time limit."""
        if self.pool is not None:
            deadline = time.monotonic() + self.timeout_s
            meta, body = self.pool.run(job, deadline, max_bytes)
        else:
            meta, body = answer(self._local(), {**job, "timeout": self.timeout_s})
        if meta.get("overrun"):
            raise Overrun
        return meta, body

    def _local(self) -> Any:
        """The store opened in this process (no pool), opened once."""
        with self._store_lock:
            if self._store is None:
                from kg.store import Store

                self._store = Store.open(self.store_dir)
            return self._store


def graph() -> Graph:
    """The Graph of the running application (inside a request)."""
    from flask import current_app

    found: Graph = current_app.extensions["kg"]
    return found


__all__ = ["Graph", "QueryFailed", "bind", "graph", "opening", "term", "values"]
