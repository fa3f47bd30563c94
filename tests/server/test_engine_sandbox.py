"""The engine never reaches the network, and no query text crashes it (issue 13, 1 and 7).

A listener on 127.0.0.1 stands in for the intranet: every ``SERVICE`` spelling, through
the endpoint (GET and POST), the command line and the library, must leave it without a
single connection.  Nested-query bombs must end with an answer or one clean error.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from tests.server.conftest import fetch

ROOT = Path(__file__).resolve().parents[2]


class Listener:
    """A TCP listener on loopback that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def seen(self) -> int:
        """Connections so far, including any still waiting in the backlog."""
        self._stop.set()
        self._thread.join()
        self.sock.setblocking(False)
        while True:
            try:
                self.sock.accept()[0].close()
            except OSError:
                break
            self.connections += 1
        self.sock.close()
        return self.connections


@pytest.fixture()
def listener() -> Iterator[Listener]:
    """A loopback listener; the test asserts on ``seen()``."""
    lst = Listener()
    yield lst
    if not lst.sock._closed:  # type: ignore[attr-defined]
        lst.seen()


def ssrf_queries(port: int) -> list[str]:
    """SERVICE written every way the probe and the lexer review found."""
    url = f"http://127.0.0.1:{port}/x"
    return [
        f"SELECT * WHERE {{ BIND(1<'>' AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }} #'",
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o SERVICE SILENT <{url}> {{ ?a ?b ?c }} }}",
        f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICEr:x {{ ?a ?b ?c }} }}",
        f"PREFIX r: <{url}> SELECT * WHERE {{ FILTER(1<2)SERVICE r:x#>\n{{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ BIND(\"a\"@en<'>' AS ?x) sErViCe<{url}>{{}} }} #'",
        f"ASK {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    ]


def kg_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m kg ARGS`` in a real process, this checkout first on the path."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        timeout=120,
    )


# -- SERVICE: zero connections, a clear refusal ---------------------------------------


@pytest.mark.parametrize("index", range(8))
def test_endpoint_get_and_post_never_connect(url: str, listener: Listener, index: int) -> None:
    query = ssrf_queries(listener.port)[index]
    answers = [
        fetch(f"{url}?{urlencode({'query': query})}"),
        fetch(
            url,
            data=urlencode({"query": query}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        fetch(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    assert listener.seen() == 0
    for status, _, body in answers:
        assert status == 403, body
        assert b"SERVICE" in body


@pytest.mark.parametrize("index", range(8))
def test_library_never_connects(built: Path, listener: Listener, index: int) -> None:
    from kg.store import Refused, Store

    store = Store.open(built)
    with pytest.raises(Refused, match="SERVICE"):
        store.query(ssrf_queries(listener.port)[index])
    assert listener.seen() == 0


def test_cli_never_connects(built: Path, listener: Listener) -> None:
    for query in ssrf_queries(listener.port)[:5]:
        done = kg_cli("query", "--dir", str(built), "-", stdin=query)
        lines = done.stderr.splitlines()
        assert done.returncode != 0 and len(lines) == 1, done.stderr
        assert lines[0].startswith("kg: error: ") and "SERVICE" in lines[0]
    assert listener.seen() == 0


def test_engine_line_holds_without_the_text_check(
    built: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With kg's lexer switched off, the engine itself cannot open the connection."""
    import kg.store
    from kg.store import NETWORK_REFUSED, Refused, Store

    monkeypatch.setattr(kg.store, "refusal", lambda _text: None)
    store = Store.open(built)
    for query in ssrf_queries(listener.port):
        if "SILENT" in query:  # the engine swallows the failure: the local rows only
            result = store.query(query)
            assert isinstance(result, ox.QuerySolutions)
            assert all(row["a"] is None for row in result)
            continue
        with pytest.raises(Refused) as caught:
            result = store.query(query)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        assert str(caught.value) == NETWORK_REFUSED
    assert listener.seen() == 0


def test_engine_threads_cannot_open_any_socket() -> None:
    from kg import sandbox

    def attempt(family: int) -> str:
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError as exc:
            return exc.strerror or ""
        return "opened"

    for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
        assert sandbox.run(lambda f=family: attempt(f)) == "Network is unreachable"  # type: ignore[misc]
    assert attempt(socket.AF_INET) == "opened"  # the rest of the process is untouched


def _workers() -> list[int]:
    """The query workers this test process started (any endpoint's)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if (
                not proc.name.isdigit()
                or int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != os.getpid()
            ):
                continue
            if b"kg.querypool" in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def test_every_worker_thread_is_confined(url: str) -> None:
    """Each query worker, all its threads, runs under the seccomp filter."""
    assert fetch(f"{url}?query=ASK%7B%7D")[0] == 200
    pids = _workers()
    assert pids
    for pid in pids:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        assert len(tasks) >= 2  # the main thread, the parent watch, the engine thread
        for task in tasks:
            status = (task / "status").read_text()
            assert "\nSeccomp:\t2\n" in status, (pid, task.name)


# -- nesting bombs: an answer or one clean error, never a signal -----------------------

BOMBS = {
    "10,000 ||": "ASK { FILTER(" + "||".join(["false"] * 10_000) + ") }",
    "10,000 UNION": "SELECT (COUNT(*) AS ?n) { " + "UNION".join(["{}"] * 10_000) + " }",
    "3,000 nested {}": "ASK " + "{" * 3000 + "}" * 3000,
}
TOO_DEEP = "ASK " + "{" * 30_000 + "}" * 30_000


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_cli_answers_nesting_bombs(built: Path, name: str) -> None:
    done = kg_cli("query", "--dir", str(built), "--format", "csv", "-", stdin=BOMBS[name])
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    assert done.stdout.strip()


def test_cli_refuses_what_would_overflow(built: Path) -> None:
    done = kg_cli("query", "--dir", str(built), "-", stdin=TOO_DEEP)
    lines = done.stderr.splitlines()
    assert done.returncode != 0 and len(lines) == 1, (done.returncode, done.stderr[-500:])
    assert lines[0].startswith("kg: error: the query nests too deeply")


@pytest.fixture(scope="module")
def roomy(built: Path) -> Iterator[str]:
    """An endpoint that takes 1 MB bodies, for the bombs."""
    from kg.server import serve

    server = serve(built, timeout_s=20, max_body=1 << 20, workers=1).start()
    try:
        yield server.url
    finally:
        server.close()


def test_endpoint_answers_nesting_bombs(roomy: str) -> None:
    for name, query in BOMBS.items():
        status, _, body = fetch(
            roomy,
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
            timeout=60,
        )
        assert status == 200, (name, status, body[:300])
    status, _, body = fetch(f"{roomy}?query={quote(TOO_DEEP)}", timeout=60)
    assert status in (400, 414), body[:300]
    status, _, body = fetch(
        roomy,
        data=TOO_DEEP.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert status == 400 and b"nests too deeply" in body, body[:300]
    status, _, _ = fetch(f"{roomy}?query={quote('ASK {}')}")
    assert status == 200  # the worker is still there


def test_without_a_filter_queries_still_run_and_say_so_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a platform with no filter, the text check stands alone: warned once, never silent."""
    from kg import sandbox
    from kg.store import Store

    monkeypatch.setattr(sandbox, "_ARCH", {})
    monkeypatch.setattr(sandbox, "_warned", [])
    store = Store.in_memory()
    assert bool(store.query("ASK { }"))
    assert bool(store.query("ASK { }"))
    err = capsys.readouterr().err
    assert err.count("kg: warning: no network filter for") == 1
    assert "SERVICE is refused by the query text check alone" in err
