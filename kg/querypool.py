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
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.resultformats import of_form, rdf_syntax

_HEAD = struct.Struct(">IQ")
GRACE_S = 0.25  # how long past the limit a worker may take to report an overrun itself
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: the formats served (those with a media type; kg.resultformats is the one table)
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    name: rdf_syntax(name) for name, f in of_form("graph").items() if f.media_types
}
SELECT_FORMATS = tuple(name for name, f in of_form("select").items() if f.media_types)
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
        view = view[os.write(fd, view) :]


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
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
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
    sandbox.confine_or_warn()
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


def store_identity(out: Path) -> tuple[int, int] | None:
    """Which ``store`` directory ``out`` holds now (device, inode); None if it has none.

    A build writes a fresh store in a staging directory and renames it into place
    (:mod:`kg.outdir`), so a new build is a new inode, whatever its contents.
    """
    from kg.store import STORE_DIR

    try:
        st = os.stat(out / STORE_DIR)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Unavailable(Exception):
    """No worker can answer, and waiting will not help this request; says why."""


class _Worker:
    """One worker process and its pipes, and the store it opened (``ident``)."""

    def __init__(self, store_dir: Path, megabytes: int) -> None:
        self.ident = store_identity(store_dir)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.querypool", str(store_dir), str(megabytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_env(),
        )
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

    def ask(self, job: Meta, deadline: float, max_bytes: int | None = None) -> tuple[Meta, bytes]:
        """Send a job and wait for its reply until ``deadline``.

        A reply body longer than ``max_bytes`` is read and dropped (the worker stays in
        step); the metadata then holds its size as ``oversize``.
        """
        write_all(self._in, frame(job))
        size, length = _HEAD.unpack(_read_exact(self._out, _HEAD.size, deadline))
        meta = json.loads(_read_exact(self._out, size, deadline))
        if max_bytes is None or length <= max_bytes:
            return meta, _read_exact(self._out, length, deadline)
        left = length
        while left:
            left -= len(_read_exact(self._out, min(left, 1 << 20), deadline))
        return {**meta, "oversize": length}, b""

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


class _Waiter:
    """A request waiting for a worker: handed one in arrival order, or woken to look again."""

    __slots__ = ("event", "worker")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class QueryPool:
    """A fixed number of worker processes over one build; ``run`` answers one job.

    The pool follows the build: before taking a worker, and every ``watch_s`` in the
    background, it looks at which ``store`` directory the build directory holds.  Once a
    rebuild has put a new one in place, no worker that opened the old one answers again:
    idle ones are stopped at once, busy ones when their query ends, and new ones start on
    the new build (requests wait for them, within their time limit).  The old store's
    files are freed with the last worker that held them open.

    A worker that dies or overruns is replaced; a worker that cannot start is retried
    with backoff (0.25 s doubling to 5 s) for as long as it takes, and meanwhile a request
    that finds no worker is told why (:class:`Unavailable`) instead of waiting.  Waiting
    requests are handed free workers in the order they came.
    """

    BACKOFF_S = (0.25, 5.0)

    def __init__(
        self,
        store_dir: str | Path,
        size: int = 2,
        megabytes: int = 1024,
        log: Callable[[str], None] | None = None,
        startup_s: float = 60.0,
        watch_s: float = 1.0,
    ) -> None:
        self.store_dir = Path(store_dir).resolve()
        self.size = size
        self.megabytes = megabytes
        self._log = log or (lambda _line: None)
        self._startup_s = startup_s
        self._watch_s = watch_s
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the keeper's
        self._idle: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()
        self._live: set[_Worker] = set()  # ready: idle or answering
        self._starting: set[_Worker] = set()
        self._ident = store_identity(self.store_dir)
        self._problem: str | None = None  # why the last start failed, until one succeeds
        self._retry_at = 0.0
        self._backoff = 0.0
        self._closed = False
        workers, problem = self._start(size)
        if problem is not None or len(workers) < size:
            for w in workers:
                w.kill()
            from kg.errors import StoreError

            raise StoreError(problem or "the build changed while the query workers started")
        self._live.update(workers)
        self._idle.extend(workers)
        self._keeper = threading.Thread(target=self._keep, name="kg-querypool", daemon=True)
        self._keeper.start()

    def free(self) -> int:
        """How many workers are idle right now."""
        with self._lock:
            return len(self._idle)

    def run(self, job: Meta, deadline: float, max_bytes: int | None = None) -> tuple[Meta, bytes]:
        """Run ``job`` on a free worker, all before ``deadline`` (a ``time.monotonic``).

        Raises Busy if no worker frees up in time, Unavailable if none can start (or the
        pool is closed), Overrun if the query is still running at the deadline (its
        worker is replaced), WorkerLost if the worker died.  A reply body longer than
        ``max_bytes`` comes back empty, its size in ``meta["oversize"]``.
        """
        worker = self._take(deadline)
        job = {**job, "timeout": max(0.0, deadline - time.monotonic())}
        try:
            meta, body = worker.ask(job, deadline + GRACE_S, max_bytes)
        except TimeoutError:
            self._retire(worker)
            raise Overrun from None
        except (EOFError, OSError, ValueError):
            raise WorkerLost(self._retire(worker)) from None
        self._give_back(worker)
        return meta, body

    # -- taking and giving back (all under self._lock but for process calls) --------

    def _take(self, deadline: float) -> _Worker:
        self._follow()
        waiter = _Waiter()
        stale: list[_Worker] = []
        try:
            with self._lock:
                self._check_open()
                while self._idle:  # nobody waits while a current worker is idle
                    worker = self._idle.pop()
                    if worker.ident == self._ident:
                        return worker
                    self._live.discard(worker)  # opened a build since replaced
                    stale.append(worker)
                self._check_startable(waiter)
                self._waiters.append(waiter)
            while True:
                waiter.event.wait(max(0.0, deadline - time.monotonic()))
                with self._lock:
                    waiter.event.clear()
                    handed, waiter.worker = waiter.worker, None
                    if handed is not None:
                        if handed.ident == self._ident and not self._closed:
                            return handed
                        self._live.discard(handed)
                        stale.append(handed)
                        self._waiters.appendleft(waiter)  # it keeps its place
                    self._check_open(waiter)
                    self._check_startable(waiter)
                    if time.monotonic() >= deadline:
                        self._leave(waiter)
                        if not self._current():
                            raise Unavailable(
                                "the graph was rebuilt and the query workers "
                                "are starting on the new build; try again"
                            )
                        raise Busy
        finally:
            if stale:
                self._stop(stale)

    def _current(self) -> bool:
        return any(w.ident == self._ident for w in self._live)

    def _leave(self, waiter: _Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)

    def _check_open(self, waiter: _Waiter | None = None) -> None:
        if self._closed:
            if waiter is not None:
                self._leave(waiter)
            raise Unavailable("the server is stopping")

    def _check_startable(self, waiter: _Waiter) -> None:
        if self._problem is not None and not self._current():
            self._leave(waiter)
            raise Unavailable(f"no query worker can start: {self._problem}")

    def _offer(self, worker: _Worker) -> None:
        """A free current worker: to the request waiting longest, else idle."""
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter.worker = worker
            waiter.event.set()
        else:
            self._idle.append(worker)

    def _wake_all(self) -> None:
        """Let every waiting request look again (the pool's state changed)."""
        for waiter in self._waiters:
            waiter.event.set()
        self._wake.notify_all()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.ident == self._ident and not self._closed:
                self._offer(worker)
                return
        self._retire(worker)

    def _retire(self, worker: _Worker) -> int | None:
        """Stop a worker; the keeper starts another."""
        code = worker.kill()
        with self._lock:
            self._live.discard(worker)
            self._wake_all()
        return code

    def _stop(self, workers: list[_Worker]) -> None:
        for w in workers:
            w.kill()
        with self._lock:
            self._wake_all()

    # -- following the build -------------------------------------------------------

    def _follow(self) -> None:
        """Notice a rebuild: from now on only workers on the new store answer."""
        if store_identity(self.store_dir) == self._ident:
            return  # the common case, without the lock: requests do not queue on a stat
        with self._lock:  # looked at again under the lock, so the pool never goes back a build
            ident = store_identity(self.store_dir)
            if ident == self._ident:
                return
            self._ident = ident
            stale = [w for w in self._idle if w.ident != ident]
            self._idle = [w for w in self._idle if w.ident == ident]
            self._live.difference_update(stale)
            self._problem, self._retry_at, self._backoff = None, 0.0, 0.0
            self._wake_all()
        self._log("kg: the build changed; query workers restart on the new one")
        self._stop(stale)

    def _start(self, n: int) -> tuple[list[_Worker], str | None]:
        """Start ``n`` workers at once; those that came up on the build they were started
        on, and why one could not start (None if none failed)."""
        problem = None
        workers: list[_Worker] = []
        try:
            for _ in range(n):
                workers.append(_Worker(self.store_dir, self.megabytes))
        except OSError as exc:
            problem = f"cannot start a process: {exc}"
        with self._lock:
            self._starting.update(workers)
        ready = []
        for w in workers:
            try:
                w.wait_ready(self._startup_s)
            except Exception as exc:
                problem = str(exc)
                continue
            if store_identity(self.store_dir) == w.ident:
                ready.append(w)
            else:  # the build changed while it started: it may hold either; start again
                w.kill()
        with self._lock:
            self._starting.difference_update(workers)
        return ready, problem

    def _keep(self) -> None:
        """The keeper thread: follow the build, keep ``size`` workers, retry with backoff."""
        while True:
            self._follow()
            with self._lock:
                if self._closed:
                    return
                missing = self.size - len(self._live)
                wait = self._retry_at - time.monotonic()
                if missing <= 0 or wait > 0:
                    self._wake.wait(min(self._watch_s, wait) if missing > 0 else self._watch_s)
                    continue
            workers, problem = self._start(missing)
            with self._lock:
                if self._closed:
                    stale = workers
                else:
                    stale = [w for w in workers if w.ident != self._ident]
                    for w in workers:
                        if w.ident == self._ident:
                            self._live.add(w)
                            self._offer(w)
                    if problem is None:
                        self._problem, self._backoff = None, 0.0
                    else:
                        low, high = self.BACKOFF_S
                        self._backoff = min(high, max(low, 2 * self._backoff))
                        self._retry_at = time.monotonic() + self._backoff
                        if problem != self._problem:
                            self._log(
                                f"kg: a query worker could not start: {problem}; "
                                "retrying until it can"
                            )
                        self._problem = problem
                        self._wake_all()
            for w in stale:
                w.kill()

    def close(self) -> None:
        """Stop every worker; a query still running is answered as lost."""
        with self._lock:
            self._closed = True
            busy = list(self._live | self._starting)
            idle, self._idle = self._idle, []
            self._live.clear()
            self._wake_all()
        for w in busy:  # a busy worker's pipes are closed by the thread waiting on it
            w.signal()
        for w in idle:
            w.kill()
        self._keeper.join(1.0)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1], int(sys.argv[2])))
