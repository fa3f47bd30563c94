"""The embedded store behind one seam: open a built directory, run SPARQL on it.

Every statement is stored in the named graph of its source, for provenance, and once more
in the default graph, which is the merge of them all: a set, as RDF means it.  Queries
run on that default graph, so they need no ``GRAPH`` clause, count each fact once (a
paper typed by two sources is one paper) and give the same answers as the Turtle export
loaded into any other store; ``GRAPH ?g { ... }`` still reaches the sources.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pyoxigraph as ox

from kg import sandbox
from kg.errors import KGError, StoreError, UsageError
from kg.graph.vocab import PREFIXES
from kg.outdir import settle
from kg.sparqltext import refusal, too_deep

STORE_DIR = "store"

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


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
        settle(out)  # finish an interrupted commit first: readers see one whole build
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
        """Run a SPARQL query over the union of all graphs, never reaching the network.

        ``substitutions`` binds variables to RDF terms (never by editing the query text).
        Raises :class:`UsageError` with the parser's message for a bad query or for one
        nested too deeply to evaluate, and :class:`Refused` for ``SERVICE``.  The
        engine runs in a confined thread (:mod:`kg.sandbox`): a ``SERVICE`` that the text
        check missed fails there without a request.  SELECT rows stream from that thread
        through a pipe; a CONSTRUCT or DESCRIBE graph is collected there.
        """
        if why := refusal(sparql):
            raise Refused(why)
        if why := too_deep(sparql):
            raise UsageError(why)
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}

        def evaluate() -> Result:
            try:
                return self._store.query(sparql, prefixes=PREFIXES, substitutions=subs or None)
            except SyntaxError as exc:
                raise UsageError(syntax_message(sparql, str(exc))) from None
            except OSError as exc:
                raise engine_error(exc) from None

        if sandbox.confined():
            return evaluate()
        return _confined(evaluate)

    def triples(self) -> int:
        """The number of distinct statements (the default graph's size)."""
        solutions = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(solutions)["n"].value)  # type: ignore[union-attr]


class Refused(UsageError):
    """A query kg will not run: it would make the store fetch another URL (SERVICE)."""


NETWORK_REFUSED = (
    "the query tried to reach the network (SERVICE); kg's store never makes network requests"
)


def engine_error(exc: OSError) -> Exception:
    """The engine's OSError as kg reports it: a blocked network request is a refusal."""
    if exc.errno == errno.ENETUNREACH or "(os error 101)" in str(exc):
        return Refused(NETWORK_REFUSED)
    return exc


class _Pipe(io.RawIOBase):
    """The read end of a pipe an engine thread writes results into; its error at EOF."""

    def __init__(self, fd: int, box: dict[str, BaseException]) -> None:
        self._fd = fd
        self._box = box

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = os.readv(self._fd, [buffer])
        if n == 0 and "error" in self._box:
            raise self._box["error"]
        return n

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def _confined(evaluate: Callable[[], Result]) -> Result:
    """Run ``evaluate`` in an engine thread; SELECT rows stream from there as JSON."""
    box: dict[str, Any] = {}
    started = threading.Event()
    read, write = os.pipe()

    def target() -> None:
        sink: BinaryIO | None = None
        try:
            result = evaluate()
            if isinstance(result, ox.QuerySolutions):
                box["kind"] = "select"
                started.set()
                sink = out = open(write, "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115
                result.serialize(out, format=ox.QueryResultsFormat.JSON)
                out.flush()
            elif isinstance(result, ox.QueryTriples):
                graph = ox.Store()
                graph.extend(ox.Quad(t.subject, t.predicate, t.object) for t in result)
                box["value"] = graph
            else:
                box["value"] = result
        except BrokenPipeError:  # the reader went away: nobody wants the rest
            pass
        except KGError as exc:
            box["error"] = exc
        except OSError as exc:
            refused = engine_error(exc)
            box["error"] = (
                refused if isinstance(refused, Refused) else StoreError(f"the store failed: {exc}")
            )
        except Exception as exc:  # an evaluation error, reported as the worker reports it
            box["error"] = UsageError(f"the query failed: {exc}")
        except BaseException as exc:  # reported to the reader or the caller as it is
            box["error"] = exc
        finally:  # the error is in the box before the reader can see the end of the pipe
            started.set()
            if sink is not None:
                with contextlib.suppress(OSError):
                    sink.close()  # flushed now, or never: the descriptor is closed next
            os.close(write)

    def failed(exc: sandbox.SandboxError) -> None:
        box["error"] = exc
        started.set()
        os.close(write)

    sandbox.start(target, failed, "kg-query")
    started.wait()
    if box.get("kind") == "select":
        return ox.parse_query_results(
            cast(IO[bytes], _Pipe(read, box)), format=ox.QueryResultsFormat.JSON
        )
    os.close(read)
    if "error" in box:
        raise box["error"]
    value = box["value"]
    if isinstance(value, ox.Store):  # a fixed query over the collected graph
        return value.query("CONSTRUCT WHERE { ?s ?p ?o }")
    return value  # type: ignore[no-any-return]


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
