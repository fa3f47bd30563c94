"""Crash safety: SIGKILL during a build never costs the previous build, and builds don't mix."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import generate
from kg.pipeline import OUTPUTS
from kg.store import Store

KG = [sys.executable, "-m", "kg"]


def _kg(*args: str) -> subprocess.Popen[bytes]:
    # extraction is not what these tests are about: without it a build of 4,000 papers
    # takes seconds, so the kills land in every stage of the build and its commit
    return subprocess.Popen(
        [*KG, *args, "--no-extract"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "papers.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for obj in generate(4000, seed=3):
            out.write(json.dumps(obj) + "\n")
    return path


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_sigkill_at_any_point_leaves_the_previous_build_intact(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"title": "The previous build", "authors": ["Ann Lee"]}) + "\n")
    assert _kg("build", str(small), "--dir", str(out)).wait(60) == 0
    before, expected = _snapshot(out), 1
    started = time.monotonic()
    assert _kg("build", str(corpus), "--dir", str(tmp_path / "timing")).wait(300) == 0
    full = time.monotonic() - started
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.9, 0.97):
        process = _kg("build", str(corpus), "--dir", str(out))
        time.sleep(full * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        # whoever opens the directory next sees one complete build, old or new
        count = Store.open(out).query("SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }")
        papers = int(next(iter(count))["n"].value)  # type: ignore[call-overload,index]
        now = _snapshot(out)
        if now == before:
            assert papers == expected, fraction
        else:  # the kill came after the commit began: the new build is complete
            assert papers == 4000, fraction
            assert json.loads(now["build-report.json"])["totals"]["papers"] == 4000
            before, expected = now, 4000
        debris = [
            p.name
            for p in out.iterdir()
            if p.name.startswith(".kg-") and p.name not in (".kg-lock",)
        ]
        visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert visible == sorted([*OUTPUTS, "store"]), (fraction, visible, debris)
    assert _kg("build", str(small), "--dir", str(out)).wait(120) == 0
    assert _snapshot(out)["papers.jsonl"].count(b"\n") == 1
    assert not [p for p in out.iterdir() if p.name.startswith((".kg-staging", ".kg-old"))]


def test_a_second_build_into_the_same_directory_fails_fast(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _kg("build", str(corpus), "--dir", str(out))
    time.sleep(1.0)  # the first build holds the lock once it starts writing
    deadline = time.monotonic() + 60
    while first.poll() is None and not (out / ".kg-lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    second = _kg("build", str(corpus), "--dir", str(out))
    _, err = second.communicate(timeout=120)
    if first.poll() is None:
        assert second.returncode != 0
        assert b"another kg build is writing this directory" in err
        assert b"Traceback" not in err
        assert time.monotonic() - started < 30
    assert first.wait(300) == 0
    assert json.loads((out / "build-report.json").read_text())["totals"]["papers"] == 4000
