"""File-system errors on the output directory: one `kg: error:` line, the old build kept.

A full disk is a real small tmpfs, a read-only one a read-only bind mount, an immutable
file `chattr +i`: these need root (CI runs as root) and skip, saying why, without it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_builddir import errors, kg, outputs, pristine, source, tree

__all__ = ["pristine", "source"]  # fixtures shared with test_builddir

#: Every command that writes into the build directory, and what it writes there.
WRITERS = {
    "build": lambda src, out: ["build", str(src), "--dir", str(out), "--no-extract"],
    "build a shard": lambda src, out: [
        "build",
        str(src),
        "--emit",
        "nquads",
        "--shard",
        "0/2",
        "--dir",
        str(out),
        "--no-extract",
    ],
    "export papers": lambda src, out: [
        "export",
        "papers",
        "--dir",
        str(out),
        "-o",
        str(out / "papers.csv"),
        "--format",
        "csv",
    ],
    "export rdf": lambda src, out: [
        "export",
        "rdf",
        "--dir",
        str(out),
        "-o",
        str(out / "all.nt"),
        "--format",
        "ntriples",
    ],
    "export coauthors": lambda src, out: ["export", "coauthors", "--dir", str(out)],
    "export coauthors csv": lambda src, out: [
        "export",
        "coauthors",
        "--dir",
        str(out),
        "--format",
        "csv",
    ],
    "export neighborhood": lambda src, out: [
        "export",
        "neighborhood",
        "deep learning",
        "--dir",
        str(out),
        "--format",
        "json",
    ],
}


def _root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (CI runs the tests as root)")


def _sh(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip(f"`{' '.join(args)}` failed here: {done.stderr.strip()}")


@contextlib.contextmanager
def _mounted(*args: str, at: Path) -> Iterator[Path]:
    at.mkdir(parents=True, exist_ok=True)
    _sh("mount", *args, str(at))
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], check=False)


def _one_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    lines = errors(result)
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def _assert_kept(out: Path, before: dict[str, str]) -> None:
    assert outputs(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".kg-") and p.name != ".kg-lock"], (
        sorted(os.listdir(out))
    )


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_full_disk(command: str, pristine: Path, source: Path, tmp_path: Path) -> None:
    _root("mounting a small tmpfs")
    with _mounted("-t", "tmpfs", "-o", "size=8m", "tmpfs", at=tmp_path / "disk") as disk:
        out = disk / "out"
        shutil.copytree(pristine, out, symlinks=True)
        before = outputs(out)
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        for size in (65536, 1):  # filled to the last byte
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
        os.close(fd)
        result = kg(*WRITERS[command](source, out))
        _one_error(result, "No space left on device", str(out))
        _assert_kept(out, before)
        (disk / "filler").unlink()
        again = kg("stats", "--dir", str(out))
        assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_read_only_directory(command: str, pristine: Path, source: Path, tmp_path: Path) -> None:
    _root("a read-only bind mount")
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    before = outputs(out)
    with _mounted("--bind", "-o", "ro", str(out), at=tmp_path / "ro") as ro:
        _sh("mount", "-o", "remount,bind,ro", str(ro))
        result = kg(*WRITERS[command](source, ro))
        _one_error(result, "Read-only file system", str(ro))
        assert kg("stats", "--dir", str(ro)).returncode == 0  # reading still works
    _assert_kept(out, before)


def test_a_pending_commit_on_a_read_only_directory(pristine: Path, tmp_path: Path) -> None:
    """A reader cannot finish the commit there: it says so, and changes nothing."""
    _root("a read-only bind mount")
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    stage = out / ".kg-staging-pending"
    stage.mkdir()
    (stage / "graph.ttl").write_text("# new\n")
    (out / ".kg-commit.json").write_text(
        '{"staging": ".kg-staging-pending", "entries": ["graph.ttl"], "trash": ".kg-old-x"}'
    )
    before = tree(out)
    with _mounted("--bind", "-o", "ro", str(out), at=tmp_path / "ro") as ro:
        _sh("mount", "-o", "remount,bind,ro", str(ro))
        for args in (["stats"], ["export", "papers"], ["query", "SELECT * WHERE {}"]):
            _one_error(
                kg(*args, "--dir", str(ro)), str(ro), "Read-only file system", "interrupted build"
            )
    assert tree(out) == before
    assert kg("stats", "--dir", str(out)).returncode == 0
    assert (out / "graph.ttl").read_text() == "# new\n"


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    _root("chattr +i")
    _sh("chattr", "+i", str(path))
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


@pytest.mark.parametrize("entry", ["void.ttl", "graph.nq", "store"])
def test_an_immutable_entry_stops_the_build_and_nothing_changes(
    entry: str, pristine: Path, source: Path, tmp_path: Path
) -> None:
    """void.ttl is committed last: every other entry was moved in, and is moved back."""
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    before = outputs(out)
    other = tmp_path / "other.jsonl"
    other.write_text('{"title": "Another build", "authors": ["Ann Lee"]}\n')
    with _immutable(out / entry):
        result = kg("build", str(other), "--dir", str(out), "--no-extract")
        _one_error(result, "Operation not permitted", str(out / entry))
        _assert_kept(out, before)
    assert kg("build", str(other), "--dir", str(out), "--no-extract").returncode == 0
    assert outputs(out) != before


def test_an_immutable_csv_file_keeps_the_pair(pristine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    args = ["export", "coauthors", "--dir", str(out), "--format", "csv"]
    assert kg(*args, "--min-papers", "2").returncode == 0
    pair = {n: (out / n).read_bytes() for n in ("coauthors.nodes.csv", "coauthors.edges.csv")}
    with _immutable(out / "coauthors.edges.csv"):
        _one_error(kg(*args), "Operation not permitted", "coauthors.edges.csv")
    assert {n: (out / n).read_bytes() for n in pair} == pair
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("coauthors")) == sorted(pair)


def test_an_immutable_export_file(pristine: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    assert kg("export", "coauthors", "--dir", str(out)).returncode == 0
    with _immutable(out / "coauthors.graphml"):
        _one_error(
            kg("export", "coauthors", "--dir", str(out), "--min-papers", "2"),
            "Operation not permitted",
            "coauthors.graphml",
        )
    assert [p.name for p in out.iterdir() if ".kg-" in p.name] == [".kg-lock"]


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_dir_under_a_file(command: str, source: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory\n")
    out = tmp_path / "file" / "out"
    result = kg(*WRITERS[command](source, out))
    _one_error(
        result, str(out), "Not a directory" if command.startswith("build") else "no graph here"
    )
    assert (tmp_path / "file").read_text() == "not a directory\n"


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_dir_that_is_a_dangling_link(command: str, source: Path, tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to(tmp_path / "gone")
    result = kg(*WRITERS[command](source, tmp_path / "out"))
    _one_error(
        result,
        str(tmp_path / "out"),
        "does not exist" if command.startswith("build") else "no graph here",
    )
    assert not (tmp_path / "gone").exists()


def test_an_output_under_a_file(pristine: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    for args in (["papers"], ["rdf"], ["coauthors"], ["coauthors", "--format", "csv"]):
        result = kg("export", *args, "--dir", str(pristine), "-o", str(tmp_path / "file" / "x.out"))
        _one_error(result, str(tmp_path / "file"), os.strerror(errno.ENOTDIR))
