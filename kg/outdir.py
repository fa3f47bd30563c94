"""Crash-safe output directories.

A build writes everything into a hidden staging directory inside the output directory.
Only when it is complete does it write a commit journal (atomically) listing the entries
to move into place, move them, and delete the journal.  Whoever opens the directory next
finishes an interrupted commit from the journal (roll forward) and removes stale staging
directories, so a reader always sees either the old build or the new one, never a mix.
A lock file keeps two builds from writing the same directory at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import StoreError

JOURNAL = ".kg-commit.json"
LOCK = ".kg-lock"
STAGING_PREFIX = ".kg-staging-"
TRASH_PREFIX = ".kg-old-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it either keeps its old content or has all of the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def recover(out: Path) -> None:
    """Finish an interrupted commit and remove debris of interrupted builds."""
    journal = out / JOURNAL
    if journal.exists():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:
            plan = None  # the journal is written atomically; a bad one was never complete
        if plan:
            _apply(out, Path(plan["staging"]), plan["entries"], plan["trash"])
        journal.unlink(missing_ok=True)
    for child in out.iterdir() if out.is_dir() else ():
        if child.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
            shutil.rmtree(child, ignore_errors=True)


def _apply(out: Path, staging: Path, entries: list[str], trash: str) -> None:
    """Move every staged entry into place; safe to run again after a crash."""
    trash_dir = out / trash
    for name in entries:
        new = staging / name
        if not new.exists():
            continue  # already moved
        target = out / name
        if target.is_dir() and not target.is_symlink():
            trash_dir.mkdir(exist_ok=True)
            os.replace(target, trash_dir / name)
        os.replace(new, target)
    _fsync_dir(out)


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the directory's build lock; fail at once if another build holds it."""
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{out}: another kg build is writing this directory; wait for it to finish"
            ) from None
        recover(out)
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh staging directory inside ``out``; removed if the block fails."""
    path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        yield path
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise


def commit(out: Path, stage: Path) -> None:
    """Move everything in ``stage`` into ``out`` as one step that survives a crash."""
    entries = sorted(p.name for p in stage.iterdir())
    for name in entries:
        _fsync_tree(stage / name)
    trash = TRASH_PREFIX + stage.name[len(STAGING_PREFIX):]
    plan = {"staging": str(stage), "entries": entries, "trash": trash}
    atomic_write_bytes(out / JOURNAL, json.dumps(plan).encode("utf-8"))
    _apply(out, stage, entries, trash)
    (out / JOURNAL).unlink()
    shutil.rmtree(out / trash, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    if path.is_file():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        return
    for child in path.rglob("*"):
        if child.is_file():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(path)
