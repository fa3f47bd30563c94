"""`kg serve` as a user runs it: prints the URL, answers, stops on Ctrl-C leaving nothing."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.server.conftest import ORALS, fetch


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(p) for p in text.split()}
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (
        Path(f"/proc/{pid}/stat").exists() and ") Z " not in Path(f"/proc/{pid}/stat").read_text()
    )


def _read_url(proc: subprocess.Popen[str], timeout: float = 15) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        if select.select([proc.stderr], [], [], 0.1)[0]:
            line = proc.stderr.readline()
            seen += line
            if match := re.search(r"http://127\.0\.0\.1:\d+/sparql", line):
                return match.group()
        if proc.poll() is not None:
            break
    raise AssertionError(f"no URL on stderr: {seen!r}")


def test_kg_serve_end_to_end(built: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--dir",
            str(built),
            "--port",
            "0",
            "--timeout",
            "2",
            "--max-rows",
            "7",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _read_url(proc)
        workers = _children(proc.pid)
        status, _, body = fetch(f"{url}?{urlencode({'query': ORALS})}")
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "48"
        _, headers, _ = fetch(f"{url}?{urlencode({'query': 'SELECT * { ?s ?p ?o }'})}")
        assert headers["X-SPARQL-MaxRows"] == "7"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert re.search(r"GET /sparql 200 [\d.]+ms rows=1", err) and "kg: stopped" in err
    assert "Traceback" not in err
    if Path("/proc").exists():
        assert len(workers) == 2
        assert not any(_alive(pid) for pid in workers)


def test_kg_serve_follows_a_rebuild_with_kg_build(tmp_path: Path) -> None:
    from kg.pipeline import bundled_sources

    sources = [str(s.path) for s in bundled_sources()]
    kg = [sys.executable, "-c", "from kg.cli import main; main()"]
    out = str(tmp_path / "out")
    subprocess.run(
        [*kg, "build", sources[0], "--dir", out, "--no-extract"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    proc = subprocess.Popen(
        [*kg, "serve", "--dir", out, "--port", "0", "--max-bytes", "3000"],
        stderr=subprocess.PIPE,
        text=True,
    )
    query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
    try:
        url = _read_url(proc)
        target = f"{url}?{urlencode({'query': query})}"
        before = json.loads(fetch(target)[2])["results"]["bindings"][0]["n"]["value"]
        subprocess.run(
            [*kg, "build", *sources[:2], "--dir", out, "--no-extract"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        answers = [
            json.loads(fetch(target)[2])["results"]["bindings"][0]["n"]["value"] for _ in range(5)
        ]
        _, headers, body = fetch(f"{url}?{urlencode({'query': 'SELECT * { ?s ?p ?o }'})}")
        assert headers["X-SPARQL-MaxBytes"] == "3000" and len(body) <= 3000
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(set(answers)) == 1 and answers[0] != before
    assert "the build changed; query workers restart on the new one" in err


def test_kg_serve_on_a_missing_build(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--dir",
            str(tmp_path / "none"),
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "no graph here" in result.stderr and "Traceback" not in result.stderr
