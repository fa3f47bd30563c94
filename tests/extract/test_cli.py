"""`kg extract` end to end: JSON lines in, JSON lines out, bad lines named."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from tests.conftest import drain_fifo

GOOD = {
    "id": "a",
    "title": "FooNet: Fast Nets",
    "abstract": "We propose FooNet, a novel "
    "network for image classification, and evaluate it on CIFAR-10 with ResNet-50.",
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_extract_writes_one_line_per_input(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.jsonl",
        [json.dumps(GOOD), json.dumps({"id": 7, "abstract": "We study GANs."})],
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(src), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "7"]
    first = rows[0]
    assert [m["name"] for m in first["methods"] if m["role"] == "proposed"] == ["FooNet"]
    assert "CIFAR-10" in [d["name"] for d in first["datasets"]]
    for m in first["methods"]:
        assert set(m) == {"name", "role", "start", "end", "confidence"}
        if m["start"] is not None:  # None: named in the title only
            assert GOOD["abstract"][m["start"] : m["end"]] == m["name"]


def test_stdin_to_stdout() -> None:
    result = CliRunner().invoke(main, ["extract", "--quiet"], input=json.dumps(GOOD) + "\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "a"


def test_a_malformed_line_is_an_error_naming_it(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [json.dumps(GOOD), "{not json", json.dumps(GOOD)])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{src}:2: not a JSON object" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written


def test_skip_bad_processes_the_other_lines(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(GOOD),
            "[1, 2]",
            '{"abstract": 5}',
            json.dumps({"title": "no abstract"}),
            json.dumps(GOOD | {"id": "b"}),
        ],
    )
    result = CliRunner().invoke(main, ["extract", str(src), "--skip-bad"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["a", "line-4", "b"]
    assert ":2: not a JSON object (a list)" in result.stderr
    assert ':3: "abstract" must be a string' in result.stderr
    assert ":4: no abstract" in result.stderr


def test_not_utf8_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"id": "a"}\n{"id": "caf\xe9"}\n')
    result = CliRunner().invoke(main, ["extract", str(bad)])
    assert result.exit_code == 1 and f"{bad}:2: not UTF-8" in result.stderr
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1 and "cannot read" in result.stderr


def test_an_unknown_model_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        main, ["extract", "--model", "en_nothing"], input=json.dumps(GOOD) + "\n"
    )
    assert result.exit_code == 2 and "not installed" in result.stderr


def test_rules_only_warns(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--model", "none"], input=json.dumps(GOOD) + "\n")
    assert result.exit_code == 0
    assert "rules only" in result.stderr
    assert "no trained pipeline: rules only" in json.loads(result.stdout)["warnings"]


def test_output_into_a_named_pipe_is_written_into(tmp_path: Path) -> None:
    """Like the exports: `-o /dev/null` or a pipe is a stream, never renamed over."""
    import os
    import stat

    src = _write(tmp_path / "in.jsonl", [json.dumps(GOOD)])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = drain_fifo(fifo)
    result = CliRunner().invoke(
        main, ["extract", str(src), "-o", str(fifo), "--quiet", "--model", "none", "--workers", "1"]
    )
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got["data"])["id"] == "a"


def test_a_dead_writers_temporary_file_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """A `kill -9` leaves the output's temporary file; the next write into the folder
    removes it (no writer holds its lock), and never a live writer's."""
    import fcntl
    import os

    src = _write(tmp_path / "in.jsonl", [json.dumps(GOOD)])
    dead = tmp_path / ".out.jsonl.kg-0badbeef.tmp"
    dead.write_bytes(b"half a line")
    live = tmp_path / ".other.jsonl.kg-0000cafe.tmp"
    live.write_bytes(b"being written")
    with open(live, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as its writer holds it
        result = CliRunner().invoke(
            main,
            [
                "extract",
                str(src),
                "-o",
                str(tmp_path / "out.jsonl"),
                "--quiet",
                "--model",
                "none",
                "--workers",
                "1",
            ],
        )
        assert result.exit_code == 0, result.output
        assert not dead.exists() and live.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["in.jsonl", "out.jsonl", live.name])
