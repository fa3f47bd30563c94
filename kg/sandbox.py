"""Where the query engine runs: threads that cannot open a socket, with a deep stack.

Oxigraph follows ``SERVICE <url>`` by opening a TCP connection from the thread that
evaluates the query, and pyoxigraph offers no way to turn that off.  So kg takes the
means away instead of recognising every spelling of the request: :func:`confine` installs
a seccomp filter on the calling thread under which ``socket(2)`` (any address family) and
``io_uring_setup(2)`` fail with ``ENETUNREACH``.  A filter installed with ``prctl`` covers the
calling thread and every thread and process it starts later, and can never be removed, so
a confined thread cannot reach the network however a query is written; other threads of
the process are untouched (``kg query --endpoint`` still works).

The parser and the evaluator recurse once per nesting level (up to 4.4 KB of stack a
level, measured: ``STR(STR(...))``), so engine threads get :data:`STACK_BYTES` of stack,
and :func:`kg.sparqltext.too_deep` refuses a query that could need more, instead of
letting it overflow the stack (a segfault without a message).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import StoreError

T = TypeVar("T")

STACK_BYTES = 512 << 20
"""Stack of an engine thread: virtual, so only the pages a deep query touches are used."""

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_DENY = 0x00050000 | errno.ENETUNREACH  # SECCOMP_RET_ERRNO: "Network is unreachable"
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
# machine: (AUDIT_ARCH_*, socket, io_uring_setup, first x32 syscall or None)
_ARCH = {
    "x86_64": (0xC000003E, 41, 425, 0x40000000),
    "aarch64": (0xC00000B7, 198, 425, None),
}

_local = threading.local()
_start_lock = threading.Lock()


class SandboxError(StoreError):
    """The network filter cannot be installed here, so the engine will not run."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _program(arch: int, socket_nr: int, uring_nr: int, x32: int | None) -> bytes:
    """BPF: deny socket() and io_uring_setup(), and every foreign-ABI call; allow the rest."""
    deny, allow = _insn(_RET_K, 0, 0, _RET_DENY), _insn(_RET_K, 0, 0, _RET_ALLOW)
    checks = [_insn(_JEQ_K, 0, 0, socket_nr), _insn(_JEQ_K, 0, 0, uring_nr)]
    if x32 is not None:
        checks.insert(0, _insn(_JGE_K, 0, 0, x32))
    # each check jumps to `deny` on a match: the n-th of m checks skips m - n - 1 + 1 insns
    body = b"".join(c[:2] + bytes([len(checks) - i, 0]) + c[4:] for i, c in enumerate(checks))
    head = _insn(_LD_W_ABS, 0, 0, 4) + _insn(_JEQ_K, 1, 0, arch) + deny + _insn(_LD_W_ABS, 0, 0, 0)
    return head + body + allow + deny


def supported() -> bool:
    """Whether :func:`confine` can work on this machine (Linux on x86-64 or ARM64)."""
    return sys.platform == "linux" and platform.machine() in _ARCH


def confine() -> None:
    """Make the calling thread, and everything it starts later, unable to open sockets.

    Raises :class:`SandboxError` if the kernel refuses the filter or the platform has none.
    """
    if getattr(_local, "confined", False):
        return
    if not supported():
        raise SandboxError(f"no network filter for {sys.platform}/{platform.machine()}")
    prog = _program(*_ARCH[platform.machine()])
    filters = ctypes.create_string_buffer(prog, len(prog))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(prog) // 8, ctypes.cast(filters, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [
        ctypes.c_int,
        ctypes.c_ulong,
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_ulong,
    ]
    if (
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0
        or libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0
    ):
        err = ctypes.get_errno()
        raise SandboxError(f"cannot install the network filter: {os.strerror(err)}")
    _local.confined = True


_warned: list[str] = []
_warn_lock = threading.Lock()


def confine_or_warn() -> bool:
    """:func:`confine`, or, where that is impossible, one warning on stderr per process.

    Returns whether the calling thread is confined.
    """
    try:
        confine()
        return True
    except SandboxError as exc:
        with _warn_lock:
            if not _warned:
                _warned.append(str(exc))
                sys.stderr.write(
                    f"kg: warning: {exc}; SERVICE is refused by the query text "
                    f"check alone on this machine\n"
                )
        return False


def confined() -> bool:
    """Whether the calling thread is an engine thread (confined, with a deep stack)."""
    return bool(getattr(_local, "engine", False))


def start(
    target: Callable[[], Any], failed: Callable[[SandboxError], Any], name: str = "kg-engine"
) -> threading.Thread:
    """Start ``target`` in a new engine thread: confined first, with :data:`STACK_BYTES`.

    Where no filter can be installed (another platform, a kernel without seccomp), the
    query text check (:func:`kg.sparqltext.refusal`) is all that stands between a query
    and the network: :func:`confine_or_warn` says so once and ``target`` runs anyway,
    rather than kg refusing every query there.  ``failed`` is called only if the thread
    cannot be set up at all.
    """

    def main() -> None:
        try:
            confine_or_warn()
        except Exception as exc:  # reported to the starter, not lost
            failed(SandboxError(str(exc)))
            return
        _local.engine = True
        target()

    with _start_lock:  # stack_size is process-wide: set it only for this one thread
        old = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=main, name=name, daemon=True)
            thread.start()
        finally:
            threading.stack_size(old)
    return thread


def run(fn: Callable[[], T]) -> T:
    """``fn()`` run in an engine thread (or here, if this is one); its result or error."""
    if confined():
        return fn()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller as is
            box["error"] = exc

    def failed(exc: SandboxError) -> None:
        box["error"] = exc

    thread = start(target, failed)
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


__all__ = [
    "STACK_BYTES",
    "SandboxError",
    "confine",
    "confine_or_warn",
    "confined",
    "run",
    "start",
    "supported",
]
