import json
import os
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.outdir import (
    JOURNAL,
    _apply,
    atomic_stream,
    atomic_write_bytes,
    commit,
    locked,
    recover,
    staging,
)


def _stage(out: Path, version: str) -> Path:
    with staging(out) as stage:
        (stage / "graph.ttl").write_text(version)
        (stage / "store").mkdir()
        (stage / "store" / "data").write_text(version)
    return stage


def test_commit_replaces_files_and_directories(tmp_path: Path) -> None:
    commit(tmp_path, _stage(tmp_path, "old"))
    commit(tmp_path, _stage(tmp_path, "new"))
    assert (tmp_path / "graph.ttl").read_text() == "new"
    assert (tmp_path / "store" / "data").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]


def test_interrupted_commit_is_rolled_forward(tmp_path: Path) -> None:
    commit(tmp_path, _stage(tmp_path, "old"))
    stage = _stage(tmp_path, "new")
    plan = {"staging": str(stage), "entries": ["graph.ttl", "store"], "trash": ".kg-old-x"}
    atomic_write_bytes(tmp_path / JOURNAL, json.dumps(plan).encode())
    # the crash came after the first entry was moved
    _apply(tmp_path, stage, ["graph.ttl"], ".kg-old-x")
    recover(tmp_path)
    assert (tmp_path / "graph.ttl").read_text() == "new"
    assert (tmp_path / "store" / "data").read_text() == "new"
    assert not (tmp_path / JOURNAL).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]


def test_staging_debris_without_journal_is_discarded(tmp_path: Path) -> None:
    commit(tmp_path, _stage(tmp_path, "old"))
    _stage(tmp_path, "half-written")  # a build killed before its commit
    recover(tmp_path)
    assert (tmp_path / "graph.ttl").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]


def test_failed_block_removes_its_staging(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), staging(tmp_path) as stage:
        (stage / "x").write_text("x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_second_build_fails_fast(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(StoreError, match="another kg build"), locked(tmp_path):
        pass


def test_atomic_write_keeps_umask_permissions(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "f.json", b"{}")
    mode = (tmp_path / "f.json").stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_streamed_write_replaces_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "papers.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_stream(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers.jsonl"]  # no temporary left
    with atomic_stream(target) as out:
        for i in range(3):
            out.write(b"row %d\n" % i)
        assert target.read_bytes() == b"old\n"  # nothing shows before the end
    assert target.read_bytes() == b"row 0\nrow 1\nrow 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers.jsonl"]
