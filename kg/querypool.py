"""SPARQL queries run in worker processes, so that one that runs too long can be stopped.

pyoxigraph cannot interrupt a query from Python: ``ORDER BY`` or ``COUNT`` over a large
cross product computes inside one call that never comes back to the interpreter.  A
thread running it could only be abandoned, still burning a CPU and holding its memory,
and a few such queries would starve everyone.  So each query runs in one of a fixed
number of worker processes that each open the store read-only:

* a worker checks the time limit between rows, and stops reading at the row limit, so a
  query whose rows stream (most of them) ends cleanly and the worker is reused;
* when a query overruns inside one call, the pool kills its worker (SIGKILL) and starts a
  fresh one in the background; the client is told at once;
* each worker can be capped in memory (``RLIMIT_DATA``): a query that needs more dies
  alone instead of exhausting the machine.

The price is a pipe round trip per query (well under a millisecond) and a process per
worker; a client waits for a free worker, but never past its own time limit.

Wire format in both directions: ``>IQ`` (JSON length, body length), JSON, body.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

_HEAD = struct.Struct(">IQ")
GRACE_S = 0.25  # how long past the limit a worker may take to report an overrun itself
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SELECT_FORMATS = ("json", "xml", "csv", "tsv")
T = TypeVar("T")
Meta = dict[str, Any]


class Busy(Exception):
    """No worker became free before the request's time limit."""


class Overrun(Exception):
    """The query ran past its time limit and its worker was stopped."""


class WorkerLost(Exception):
    """The worker died during the query (out of memory, a crash)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"worker exited with {code}")
        self.code = code


# -- framing --------------------------------------------------------------------------


def frame(meta: Meta, body: bytes = b"") -> bytes:
    """One message: header, JSON metadata, body."""
    data = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    return _HEAD.pack(len(data), len(body)) + data + body


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def read_frame(fd: int, deadline: float | None = None) -> tuple[Meta, bytes]:
    """The next message on ``fd``; TimeoutError past ``deadline``, EOFError if closed."""
    size, length = _HEAD.unpack(_read_exact(fd, _HEAD.size, deadline))
    meta = json.loads(_read_exact(fd, size, deadline))
    return meta, _read_exact(fd, length, deadline)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# -- the worker side ------------------------------------------------------------------


class _Late(Exception):
    pass


def _take(items: Iterable[T], limit: int, deadline: float) -> tuple[list[T], bool]:
    """Up to ``limit`` items, and whether there were more; _Late past ``deadline``."""
    out: list[T] = []
    for item in items:
        if len(out) == limit:
            return out, True
        out.append(item)
        if time.monotonic() > deadline:
            raise _Late
    return out, False


def term_json(term: Any) -> dict[str, Any]:
    """An RDF term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(names: list[str], rows: list[ox.QuerySolution]) -> bytes:
    """SELECT rows as an application/sparql-results+json document."""
    bindings = [{n: term_json(row[n]) for n in names if row[n] is not None} for row in rows]
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _ok(fmt: str, body: bytes, rows: int, truncated: bool = False) -> tuple[Meta, bytes]:
    return {"status": 200, "format": fmt, "rows": rows, "truncated": truncated}, body


def render_result(result: Any, job: Meta, deadline: float) -> tuple[Meta, bytes]:
    """Serialise a result as the job asks, stopping at its row limit and time limit."""
    from kg.graph.vocab import PREFIXES
    from kg.results import render

    limit = int(job["max_rows"])
    if isinstance(result, ox.QueryTriples):
        fmt = job.get("graph")
        if fmt is None:
            return {"status": 406, "kind": "graph"}, b""
        triples, cut = _take(result, limit, deadline)
        body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES) or b""
        return _ok(fmt, body, len(triples), cut)
    fmt = job.get("select")
    if fmt is None:
        return {"status": 406, "kind": "select"}, b""
    if isinstance(result, ox.QueryBoolean):
        return _ok(fmt, render(result, fmt), 1)
    names = [v.value for v in result.variables]
    rows, cut = _take(result, limit, deadline)
    body = solutions_json(names, rows)
    if fmt != "json":
        body = render(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), fmt)
    return _ok(fmt, body, len(rows), cut)


def answer(store: Any, job: Meta) -> tuple[Meta, bytes]:
    """Run one job on ``store``: the reply's metadata and body.

    A refused query (``SERVICE``, which the engine could not follow anyway) is 403.
    """
    from kg.errors import UsageError
    from kg.store import Refused, engine_error

    deadline = time.monotonic() + float(job["timeout"])
    try:
        return render_result(store.query(job["query"]), job, deadline)
    except Refused as exc:
        return {"status": 403, "message": str(exc)}, b""
    except UsageError as exc:
        return {"status": 400, "message": str(exc)}, b""
    except _Late:
        return {"status": 503, "overrun": True}, b""
    except OSError as exc:
        if isinstance(refused := engine_error(exc), Refused):
            return {"status": 403, "message": str(refused)}, b""
        return {"status": 500, "message": f"the store failed: {exc}"}, b""
    except (RuntimeError, ValueError, TypeError) as exc:
        return {"status": 400, "message": f"the query failed: {exc}"}, b""


def _watch_parent() -> None:
    """Exit when the parent process goes away, even in the middle of a query."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        import resource

        limit = megabytes << 20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def worker_main(store_dir: str, megabytes: int) -> int:
    """The worker loop: open the store, then answer jobs on stdin until it closes.

    The process is confined before it starts any thread (:func:`kg.sandbox.confine`), so
    no thread of it can open a socket; jobs run in an engine thread with a deep stack,
    which the memory limit allows for on top of ``megabytes``.
    """
    from kg import sandbox
    from kg.errors import KGError
    from kg.store import Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    out = os.dup(1)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the replies
    try:
        sandbox.confine()
    except sandbox.SandboxError as exc:
        write_all(out, frame({"ready": False, "message": str(exc)}))
        return 1
    _watch_parent()
    if megabytes > 0:
        _limit_memory(megabytes + (sandbox.STACK_BYTES >> 20))
    try:
        store = Store.open(store_dir)
    except KGError as exc:
        write_all(out, frame({"ready": False, "message": str(exc)}))
        return 1
    write_all(out, frame({"ready": True}))
    codes: list[int] = []

    def loop() -> None:
        while True:
            try:
                job, _ = read_frame(0)
            except EOFError:
                codes.append(0)
                return
            meta, body = answer(store, job)
            write_all(out, frame(meta, body))

    sandbox.start(loop, lambda exc: codes.append(1)).join()
    return codes[0] if codes else 1


# -- the server side ------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The environment for a worker: kg importable, no Rust backtraces on stderr."""
    import kg

    env = dict(os.environ)
    root = str(Path(kg.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["RUST_BACKTRACE"] = "0"
    return env


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, store_dir: Path, megabytes: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.querypool", str(store_dir), str(megabytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_env())
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()

    def wait_ready(self, timeout_s: float) -> None:
        """Wait for the worker to open the store; StoreError if it cannot."""
        from kg.errors import StoreError

        try:
            meta, _ = read_frame(self._out, time.monotonic() + timeout_s)
        except (TimeoutError, EOFError):
            self.kill()
            raise StoreError("a query worker did not start") from None
        if not meta.get("ready"):
            self.kill()
            raise StoreError(str(meta.get("message", "a query worker did not start")))

    def ask(self, job: Meta, deadline: float) -> tuple[Meta, bytes]:
        """Send a job and wait for its reply until ``deadline``."""
        write_all(self._in, frame(job))
        return read_frame(self._out, deadline)

    def signal(self) -> None:
        """Kill the process without waiting for it."""
        if self.proc.poll() is None:
            self.proc.kill()

    def kill(self) -> int | None:
        """Stop the process and close its pipes; its exit code."""
        self.signal()
        code = self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        return code


class QueryPool:
    """A fixed number of worker processes over one store; ``run`` answers one job."""

    def __init__(self, store_dir: str | Path, size: int = 2, megabytes: int = 1024,
                 log: Callable[[str], None] | None = None, startup_s: float = 60.0) -> None:
        self.store_dir = Path(store_dir).resolve()
        self.size = size
        self.megabytes = megabytes
        self._log = log or (lambda _line: None)
        self._startup_s = startup_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        workers = [_Worker(self.store_dir, megabytes) for _ in range(size)]
        try:
            for w in workers:
                w.wait_ready(startup_s)
        except Exception:
            for w in workers:
                w.kill()
            raise
        for w in workers:
            self._live.add(w)
            self._idle.put(w)

    def free(self) -> int:
        """How many workers are idle right now."""
        return self._idle.qsize()

    def run(self, job: Meta, deadline: float) -> tuple[Meta, bytes]:
        """Run ``job`` on a free worker, all before ``deadline`` (a ``time.monotonic``).

        Raises Busy if no worker frees up in time, Overrun if the query is still running
        at the deadline (its worker is replaced), WorkerLost if the worker died.
        """
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise Busy from None
        job = {**job, "timeout": max(0.0, deadline - time.monotonic())}
        try:
            meta, body = worker.ask(job, deadline + GRACE_S)
        except TimeoutError:
            self._replace(worker)
            raise Overrun from None
        except (EOFError, OSError):
            raise WorkerLost(self._replace(worker)) from None
        self._idle.put(worker)
        return meta, body

    def _replace(self, worker: _Worker) -> int | None:
        code = worker.kill()
        with self._lock:
            self._live.discard(worker)
            if self._closed:
                return code
        threading.Thread(target=self._respawn, daemon=True).start()
        return code

    def _respawn(self) -> None:
        try:
            worker = _Worker(self.store_dir, self.megabytes)
            worker.wait_ready(self._startup_s)
        except Exception as exc:  # keep serving with one worker fewer; say why
            self._log(f"kg: a query worker could not be restarted: {exc}")
            return
        with self._lock:
            if not self._closed:
                self._live.add(worker)
                self._idle.put(worker)
                return
        worker.kill()

    def close(self) -> None:
        """Stop every worker; a query still running is answered as lost."""
        with self._lock:
            self._closed = True
            workers = list(self._live)
            self._live.clear()
        for w in workers:  # a busy worker's pipes are closed by the thread waiting on it
            w.signal()
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1], int(sys.argv[2])))
