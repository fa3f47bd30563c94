"""Extraction worker processes that never outlive the process that started them.

A killed ``kg build`` used to leave its pool workers running: forked workers are
reparented when their parent dies, wait forever for work, and keep every file descriptor
the parent had, the build directory's lock among them, so no later build could start.
Here:

* workers are started with ``spawn`` (a fresh interpreter, ``exec``), so they inherit
  no descriptor the parent opened close-on-exec, which Python does by default (PEP 446):
  the build lock stays with the build;
* each worker asks the kernel to SIGKILL it when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, Linux), checks that the parent did not die before that
  took effect, and also watches the pipe its parent holds open, so it exits however the
  parent ends, SIGKILL included (and on systems without ``prctl``);
* workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent handles it);
* while the pool runs, SIGTERM raises :class:`Terminated` in the parent (and SIGINT
  KeyboardInterrupt), after killing the workers, so that it unwinds (temporary files
  removed) and exits at once;
* leaving the pool by an exception kills the workers at once instead of waiting for the
  batches in flight.

``PR_SET_PDEATHSIG`` fires when the *thread* that started a worker ends: start and use a
pool from one thread (workers start in the thread that submits work to them, and their
replacements in the pool's own thread, which lives as long as the pool).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from kg.errors import KGError

_PR_SET_PDEATHSIG = 1
START_METHOD = "spawn"
"""A fresh interpreter per worker: no inherited descriptors, no forked threads or locks."""


class Terminated(KGError):
    """The process was sent SIGTERM while it had work in flight."""

    exit_code = 128 + signal.SIGTERM

    def __init__(self) -> None:
        super().__init__("terminated by SIGTERM; the work in progress was dropped")


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` instead of killing at once.

    Both it and SIGINT (KeyboardInterrupt) first kill the workers of every live pool,
    wherever the exception then lands.  Only in the main thread, and only for a signal
    that has Python's default action (a caller's own handler is left alone); the old
    actions come back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        for executor in list(_LIVE):  # wherever the exception lands, no worker goes on
            _signal_workers(executor)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated()

    defaults: dict[int, Any] = {
        signal.SIGTERM: signal.SIG_DFL,
        signal.SIGINT: signal.default_int_handler,
    }
    taken = [sig for sig, default in defaults.items() if signal.getsignal(sig) is default]
    for sig in taken:
        signal.signal(sig, terminate)
    try:
        yield
    finally:
        for sig in taken:
            signal.signal(sig, defaults[sig])


def _die_with_parent(parent_pid: int) -> None:
    """Make this process exit when ``parent_pid`` (its parent) does, however it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the watcher still works
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the kernel was told
        os._exit(1)
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])  # ready when the parent's end closes
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def _init(parent_pid: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    _die_with_parent(parent_pid)
    initializer(*initargs)


_LIVE: set[ProcessPoolExecutor] = set()
"""The pools of this process that have not been shut down."""


def _workers(pool: ProcessPoolExecutor) -> list[Any]:
    # ProcessPoolExecutor has no public way to stop running work before Python 3.14
    # (kill_workers); its process table has kept this name since 3.3
    return list((getattr(pool, "_processes", None) or {}).values())


def _signal_workers(pool: ProcessPoolExecutor) -> None:
    """SIGKILL every worker of ``pool``; takes no lock (safe in a signal handler)."""
    for process in _workers(pool):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.kill(process.pid, signal.SIGKILL)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (SIGKILL) and drop the work not yet started."""
    processes = _workers(pool)
    _signal_workers(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # reap them, so that none lingers as a zombie
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(5)


@contextlib.contextmanager
def pool(
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...] = (),
    tasks_per_worker: int | None = None,
) -> Iterator[ProcessPoolExecutor]:
    """A process pool of ``workers`` that die with this process (see the module doc).

    With ``tasks_per_worker``, a worker is replaced by a fresh one after that many tasks
    (what a worker caches, such as spaCy's vocabulary, cannot grow without bound).

    Leaving the block normally waits for the work submitted; leaving it by an exception
    (:class:`Terminated` on SIGTERM, KeyboardInterrupt, an error, a consumer that stops
    early) kills the workers.
    """
    executor = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_init,
        initargs=(os.getpid(), initializer, initargs),
        max_tasks_per_child=tasks_per_worker,
    )
    _LIVE.add(executor)
    try:
        with sigterm_raises():
            try:
                yield executor
            except BaseException:
                _kill(executor)
                raise
            executor.shutdown(wait=True)
    finally:
        _LIVE.discard(executor)
