"""`kg extract` streams: results come out while the input is still being read, memory does
not grow with the input, and progress shows without a terminal.

The inputs carry a large extra field per line (as real dumps do, e.g. OpenAlex records),
so that tens of megabytes of input take seconds to extract with rules only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import generate

KG = [sys.executable, "-m", "kg"]
PAD = 60_000  # bytes of an ignored field per line


def _write(path: Path, n: int, pad: int = PAD) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, obj in enumerate(generate(n, seed=11)):
            row = {
                "id": f"p{i}",
                "title": obj["title"],
                "abstract": obj.get("abstract"),
                "fulltext": "x" * pad,
            }
            out.write(json.dumps(row) + "\n")
    return path


def _read_position(pid: int, path: Path) -> int | None:
    """Where process ``pid`` is in the file ``path`` (``None``: not open)."""
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
                return int(info.split("pos:")[1].split()[0])
        except (OSError, IndexError):
            continue
    return None


def _extract(source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*KG, "extract", str(source), "--model", "none", "--workers", "1", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """Wait for ``process``; its peak resident memory (and its children's), in MB."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("stream")
    return _write(folder / "small.jsonl", 250), _write(folder / "large.jsonl", 1000)


def test_results_come_out_before_the_input_is_read_and_memory_stays_flat(
    inputs: tuple[Path, Path],
) -> None:
    small, large = inputs
    size = large.stat().st_size
    process = _extract(large)
    assert process.stdout is not None
    first = process.stdout.readline()
    assert json.loads(first)["id"] == "p0"
    position = _read_position(process.pid, large)
    assert position is not None and position < size // 2, (position, size)
    rest = process.stdout.read()
    large_mb = _peak_rss_mb(process)
    assert process.returncode == 0
    assert [json.loads(line)["id"] for line in [first, *rest.splitlines()]] == [
        f"p{i}" for i in range(1000)
    ]

    process = _extract(small)
    assert process.stdout is not None
    process.stdout.read()
    small_mb = _peak_rss_mb(process)
    assert process.returncode == 0
    # four times the input (45 MB more) costs no more memory
    assert large_mb - small_mb < 20, (small_mb, large_mb)


def test_progress_without_a_terminal_and_stdin_from_a_pipe(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", 300, pad=10)
    args = [*KG, "extract", "--model", "none", "--workers", "1", "--progress-every", "0"]
    by_file = subprocess.run([*args, str(source)], capture_output=True, timeout=120)
    assert by_file.returncode == 0, by_file.stderr
    lines = by_file.stderr.decode().splitlines()
    assert any(line.startswith(f"kg: reading {source}: ") and "MB" in line for line in lines)
    assert "kg: extracting: 300/300 (100%)" in "\n".join(lines)
    assert lines[-1] == "300 abstracts -> stdout"
    with source.open("rb") as data:
        cat = subprocess.Popen(["cat"], stdin=data, stdout=subprocess.PIPE)
        by_pipe = subprocess.run(
            [*args, "--quiet", "-"], stdin=cat.stdout, capture_output=True, timeout=120
        )
        cat.wait()
    assert by_pipe.returncode == 0 and by_pipe.stderr == b""
    assert by_pipe.stdout == by_file.stdout
