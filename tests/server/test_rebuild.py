"""A rebuild under a running `kg serve`, and query workers that cannot start.

Every answer after a rebuild comes from the new build (the pool notices the new ``store``
directory and replaces every worker before it answers again), the old store's files are
freed, and a worker that cannot start is retried until it can, the clients told why.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.builds import BuildOptions
from kg.pipeline import build, bundled_sources
from kg.server import SparqlServer, serve
from tests.server.conftest import SLOW, fetch

PAPERS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"


def _papers(url: str, timeout: float = 10) -> tuple[int, int | None, bytes]:
    status, _, body = fetch(f"{url}?{urlencode({'query': PAPERS})}", timeout=timeout)
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if status == 200 else None
    return status, n, body


def _workers(out: Path) -> list[int]:
    """Pids of the query workers serving ``out``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kg.querypool" in argv and str(out).encode() in argv:
            pids.append(int(proc.name))
    return pids


def _deleted_files(pids: list[int], out: Path) -> list[str]:
    """Files under ``out`` that these processes hold open although they were deleted."""
    held = []
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith(str(out)) and target.endswith(" (deleted)"):
                held.append(target)
    return held


@pytest.fixture
def rebuilt(tmp_path: Path) -> Iterator[tuple[Path, SparqlServer, int, int]]:
    """A build of one bundled source served by two workers; papers in 1 and in 3 sources."""
    sources = bundled_sources()
    out = tmp_path / "out"
    build(sources[:3], out=tmp_path / "three", options=BuildOptions(extract=False))
    build(sources[:1], out=out, options=BuildOptions(extract=False))
    from kg.store import Store

    def count(where: Path) -> int:
        rows = Store.open(where).query(PAPERS)
        return int(next(iter(rows))["n"].value)  # type: ignore[index,call-overload]

    one, three = count(out), count(tmp_path / "three")
    assert one != three
    with serve(out, timeout_s=5, workers=2, log=None).start() as server:
        yield out, server, one, three


def test_every_answer_after_a_rebuild_comes_from_the_new_build(
    rebuilt: tuple[Path, SparqlServer, int, int],
) -> None:
    out, server, one, three = rebuilt
    assert [_papers(server.url)[1] for _ in range(4)] == [one] * 4
    old = _workers(out)
    assert len(old) == 2
    build(bundled_sources()[:3], out=out, options=BuildOptions(extract=False))
    answers = [_papers(server.url) for _ in range(10)]
    assert [(s, n) for s, n, _ in answers] == [(200, three)] * 10
    # a worker replaced after an overrun opens the new build as well
    assert fetch(f"{server.url}?{urlencode({'query': SLOW})}", timeout=20)[0] == 503
    assert [_papers(server.url)[1] for _ in range(6)] == [three] * 6
    # the old workers are gone and nothing holds the old store's deleted files
    new = _workers(out)
    assert new and not set(old) & set(new)
    assert _deleted_files(new, out) == []


def test_no_answer_from_the_old_build_once_the_new_one_is_in_place(
    rebuilt: tuple[Path, SparqlServer, int, int],
) -> None:
    out, server, one, three = rebuilt
    seen: list[tuple[float, float, int, int | None]] = []
    stop = time.monotonic() + 20
    done = threading.Event()

    def client() -> None:
        for _ in range(2000):  # bounded in count and in time
            if done.is_set() or time.monotonic() > stop:
                return
            started = time.monotonic()
            status, n, _ = _papers(server.url)
            seen.append((started, time.monotonic(), status, n))

    clients = [threading.Thread(target=client) for _ in range(3)]
    for thread in clients:
        thread.start()
    time.sleep(0.3)
    build(bundled_sources()[:3], out=out, options=BuildOptions(extract=False))
    committed = time.monotonic()
    time.sleep(1.5)
    done.set()
    for thread in clients:
        thread.join(30)
    after = [(status, n) for started, _, status, n in seen if started > committed]
    assert after and set(after) == {(200, three)}
    # and never back: once one answer came from the new build, no later request saw the old
    first_new = min(end for _, end, _, n in seen if n == three)
    assert all(n == three for started, _, _, n in seen if started > first_new)
    assert {n for _, _, _, n in seen} <= {one, three}


def test_a_worker_that_cannot_start_is_retried_and_clients_are_told_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(bundled_sources()[:1], out=out, options=BuildOptions(extract=False))
    with serve(out, timeout_s=2, workers=1, log=None).start() as server:
        assert _papers(server.url)[0] == 200
        (out / "store").rename(tmp_path / "away")  # the store is moved away for a while
        for pid in _workers(out):
            os.kill(pid, 9)
        statuses = []
        for _ in range(3):
            started = time.monotonic()
            status, _, body = _papers(server.url)
            statuses.append(status)
            assert time.monotonic() - started < 2.5
            assert b"busy" not in body
        assert statuses[-1] == 503 and b"no graph here" in body, body
        (tmp_path / "away").rename(out / "store")
        deadline = time.monotonic() + 10
        while (got := _papers(server.url))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert got[0] == 200, got
