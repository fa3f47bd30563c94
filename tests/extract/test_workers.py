"""A killed `kg build` or `kg extract` leaves no worker behind, and the next build runs.

Each run gets a unique environment variable, which every process it starts inherits; the
processes still carrying it after the kill are the survivors (wherever they were
reparented to).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import generate
from kg.outdir import LOCK

KG = [sys.executable, "-m", "kg"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 papers with abstracts: extraction in 2 workers takes several seconds."""
    path = tmp_path_factory.mktemp("workers") / "papers.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, obj in enumerate(generate(300, seed=5)):
            out.write(json.dumps({"id": f"p{n}", **obj}) + "\n")
    return path


def _tagged(tag: str) -> list[int]:
    """Processes whose environment carries ``tag``."""
    needle = f"KG_TEST_RUN={tag}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if needle in environ.split(b"\0"):
                found.append(int(entry))
    return found


def _holds(pid: int, path: Path) -> bool:
    """Does process ``pid`` have ``path`` open?"""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


@pytest.fixture
def tag() -> Iterator[str]:
    value = uuid.uuid4().hex
    yield value
    for pid in _tagged(value):  # whatever a failed test left behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _foreground() -> None:
    """Give the child Ctrl-C's default action, as a shell does for a foreground command.

    A test run started in the background (CI, ``make test &``) inherits SIGINT ignored,
    and a command started with SIGINT ignored rightly keeps ignoring it.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str], tag: str, stderr: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*KG, *args],
        stdout=subprocess.DEVNULL,
        stderr=stderr.open("wb"),
        env={**os.environ, "KG_TEST_RUN": tag},
        preexec_fn=_foreground,
    )


def _kill_while_extracting(
    process: subprocess.Popen[bytes], tag: str, sig: int, lock: Path | None
) -> None:
    """Wait for the workers, check they do not hold ``lock``, then send ``sig``."""
    deadline = time.monotonic() + 60
    while len(_tagged(tag)) < 3:  # the command and at least two processes it started
        assert process.poll() is None, "finished before its workers started"
        assert time.monotonic() < deadline, "no worker processes started"
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are loading the pipeline or extracting
    assert process.poll() is None, "finished before the kill"
    if lock is not None:
        children = [pid for pid in _tagged(tag) if pid != process.pid]
        assert children and not [pid for pid in children if _holds(pid, lock)]
    process.send_signal(sig)
    process.wait(30)


def _no_survivor(tag: str) -> None:
    deadline = time.monotonic() + 5
    while _tagged(tag):
        assert time.monotonic() < deadline, f"alive 5 s after the kill: {_tagged(tag)}"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["KILL", "TERM", "INT"]
)
def test_a_killed_build_leaves_no_worker_and_the_next_build_runs(
    corpus: Path, tmp_path: Path, tag: str, sig: int
) -> None:
    out = tmp_path / "out"
    err = tmp_path / "stderr"
    build = _start(["build", str(corpus), "--dir", str(out), "--workers", "2"], tag, err)
    _kill_while_extracting(build, tag, sig, out / LOCK)
    _no_survivor(tag)
    with (out / LOCK).open("a") as handle:  # free at once
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(handle, fcntl.LOCK_UN)
    if sig == signal.SIGTERM:  # stopped its workers, unwound, said so in one line
        assert build.returncode == 128 + signal.SIGTERM
        lines = err.read_text().splitlines()
        assert "Traceback" not in err.read_text()
        assert [line for line in lines if line.startswith("kg: ")] == [
            "kg: error: terminated by SIGTERM; the work in progress was dropped"
        ]
    if sig == signal.SIGINT:  # Ctrl-C: the workers ignore it, the build stops them
        assert build.returncode == 130
        assert err.read_text().splitlines()[-1] == "kg: interrupted; nothing was changed"
    again = subprocess.run(
        [*KG, "build", str(corpus), "--dir", str(out), "--no-extract"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert (out / "papers.jsonl").read_text().count("\n") == 300


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_a_killed_extract_leaves_no_worker(
    corpus: Path, tmp_path: Path, tag: str, sig: int
) -> None:
    result = tmp_path / "result.jsonl"
    err = tmp_path / "stderr"
    extract = _start(["extract", str(corpus), "-o", str(result), "--workers", "2"], tag, err)
    _kill_while_extracting(extract, tag, sig, None)
    _no_survivor(tag)
    if sig == signal.SIGTERM:  # no half output, no temporary file, one line
        assert extract.returncode == 128 + signal.SIGTERM
        assert sorted(p.name for p in tmp_path.iterdir()) == ["stderr"]
        assert "Traceback" not in err.read_text()
        assert err.read_text().splitlines()[-1].startswith("kg: error: terminated by SIGTERM")


def test_replaced_workers_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are replaced every WORKER_BATCHES batches; nothing is lost or reordered."""
    import kg.extract
    from kg.extract import Text, extract

    texts = [
        Text(f"t{i}", None, f"We propose Net{i}, evaluated on CIFAR-10 and MNIST.")
        for i in range(3 * kg.extract.BATCH)
    ]
    expected = [e.as_dict() for e in extract(texts, model=None, warn=False)]
    monkeypatch.setattr(kg.extract, "WORKER_BATCHES", 1)
    got = [e.as_dict() for e in extract(texts, model=None, workers=2, warn=False)]
    assert got == expected
