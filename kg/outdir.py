"""Crash-safe output directories.

A build writes everything into a hidden staging directory inside the output directory.
Only when it is complete does it write a commit journal (atomically) listing the entries
to move into place, move them, and delete the journal.  Whoever opens the directory next
finishes an interrupted commit from the journal (roll forward) and removes stale staging
directories, so a reader always sees either the old build or the new one, never a mix.
A lock file keeps two builds from writing the same directory at once.

Build directories are copied and downloaded, so nothing in one is trusted: a journal is
acted on only if it names kg's own entries (:data:`ENTRIES`) and a staging and a trash
directory of kg's own pattern inside the directory, all checked before anything moves;
entries are moved by name (a rename never follows a symbolic link) and debris is removed
only when it is a real directory of kg's pattern, while the lock is held.  A failure
during a live commit moves everything back, so the old build survives it.

Single files (exports) are written to a temporary file, locked while its writer lives,
and renamed over the target; temporary files of killed writers, and the pair of a
multi-file export interrupted between its renames, are dealt with by the next write into
the same directory (:func:`tidy`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from kg.errors import StoreError, UsageError

JOURNAL = ".kg-commit.json"
LOCK = ".kg-lock"
STAGING_PREFIX = ".kg-staging-"
TRASH_PREFIX = ".kg-old-"
STORE = "store"

#: Every entry a build commits; a journal naming anything else was not written by kg.
ENTRIES = frozenset(
    {
        STORE,
        "graph.ttl",
        "graph.nq",
        "papers.jsonl",
        "void.ttl",
        "build-report.json",
        "sources.json",
        "extract-cache.jsonl",
        "search.sqlite",
    }
)
#: Suffixes of the files kg writes as one group (the CSV network export's pair).
GROUP_SUFFIXES = (".nodes.csv", ".edges.csv")

_STAGING = re.compile(r"\.kg-staging-[a-z0-9_]+")
_TRASH = re.compile(r"\.kg-old-[a-z0-9_]+")
_DEBRIS = re.compile(r"\.kg-(?:staging|old)-[a-z0-9_]+")
_TEMP = re.compile(r"\.(?P<name>.+)\.kg-[0-9a-f]{8}\.(?:tmp|old)")
_GROUP = re.compile(r"\.kg-files-[0-9a-f]{8}\.json")
_JOURNAL_LIMIT = 64 * 1024


class CommitError(StoreError):
    """A commit that could not be finished or undone: its journal is left for recovery."""


def describe(exc: OSError, where: Path | str) -> str:
    """``exc`` as one line that names the path and the cause."""
    path = exc.filename if exc.filename is not None else where
    cause = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    if exc.strerror is None and len(cause) > 300:
        cause = cause[:300] + "..."
    return f"{path}: {cause}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _is_dir(path: Path) -> bool:
    """A real directory (not a symbolic link to one)."""
    st = _lstat(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


# ---------------------------------------------------------------- single files


def _temp(parent: Path, name: str) -> tuple[int, Path]:
    """An open, locked, empty file of kg's pattern for ``parent/name``'s new content.

    It is locked at once, and a cleaner (:func:`tidy`) removes only unlocked ones, so a
    live writer's file is never taken; if a cleaner took it in the instant before the
    lock, that is noticed and another name tried.
    """
    while True:
        tmp = parent / f".{name}.kg-{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
            )
        except FileExistsError:
            continue
        fcntl.flock(fd, fcntl.LOCK_EX)
        st = _lstat(tmp)
        if st is not None and st.st_ino == os.fstat(fd).st_ino:
            return fd, tmp
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _written(parent: Path, name: str, data: bytes) -> tuple[int, Path]:
    """``data`` in a locked temporary file beside ``parent/name``: its fd and name."""
    fd, tmp = _temp(parent, name)
    try:
        _write_all(fd, data)
        return fd, tmp
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        os.close(fd)
        raise


def _folder(path: Path) -> None:
    """Create ``path`` as a directory if needed (a file there: ``ENOTDIR``)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None


def temp_beside(path: Path) -> tuple[int, Path]:
    """An open, locked temporary file for ``path``'s new content, for a writer that streams.

    The writer renames it over ``path`` when done (``os.replace``); if it is killed first,
    the next write into the folder removes it (:func:`tidy`), as for every kg export.
    """
    _folder(path.parent)
    tidy(path.parent)
    return _temp(path.parent, path.name)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it either keeps its old content or has all of the new."""
    _folder(path.parent)
    _put(path, data)


@contextlib.contextmanager
def atomic_stream(path: Path) -> Iterator[BinaryIO]:
    """A binary file to stream ``path``'s new content into: a locked temporary file,
    renamed over ``path`` when the block ends without error and removed when it fails, so
    ``path`` keeps its old content or has all of the new.  For content too large to hold
    in memory at once (:func:`atomic_write_bytes` otherwise)."""
    _folder(path.parent)
    fd, tmp = _temp(path.parent, path.name)
    try:
        with open(os.dup(fd), "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    _fsync_dir(path.parent)


def write_export(path: Path, data: bytes) -> None:
    """:func:`atomic_write_bytes` for a file the user asked for, in a folder of theirs:
    what killed writers left there is cleaned first (:func:`tidy`).  Builds write into
    staging directories of their own and skip that listing."""
    _folder(path.parent)
    tidy(path.parent)
    _put(path, data)


def _put(path: Path, data: bytes) -> None:
    with atomic_stream(path) as out:
        out.write(data)


def atomic_write_files(files: Mapping[Path, bytes]) -> None:
    """Write files of one directory so that all keep their old content or all have the new.

    Each is written completely first; then, under a journal, the old ones are moved
    aside and the new ones moved in.  A failure moves the old ones back; a killed
    process leaves the journal, and the next write into the directory finishes the
    renames (:func:`tidy`).  Only names ending in :data:`GROUP_SUFFIXES` are written so.
    """
    paths = list(files)
    parent = paths[0].parent
    if any(p.parent != parent for p in paths) or not all(
        p.name.endswith(GROUP_SUFFIXES) for p in paths
    ):
        raise ValueError(f"not one group of kg's multi-file exports: {paths}")
    _folder(parent)
    tidy(parent)
    held: list[int] = []
    temps: list[Path] = []
    try:
        for path, data in files.items():
            fd, tmp = _written(parent, path.name, data)
            held.append(fd)
            temps.append(tmp)
        with _directory_lock(parent):
            token = secrets.token_hex(4)
            moves = [
                (tmp, parent / p.name, parent / f".{p.name}.kg-{token}.old")
                for tmp, p in zip(temps, paths, strict=True)
            ]
            journal = parent / f".kg-files-{token}.json"
            plan = {"files": [[m[0].name, m[1].name, m[2].name] for m in moves]}
            _put(journal, json.dumps(plan).encode("utf-8"))
            try:
                _move(parent, moves)
            except BaseException:
                journal.unlink(missing_ok=True)
                raise
            _fsync_dir(parent)
            for _, _, old in moves:
                old.unlink(missing_ok=True)
            journal.unlink()
            _fsync_dir(parent)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for fd in held:
            os.close(fd)


@contextlib.contextmanager
def _directory_lock(parent: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on the directory itself while a group of files changes;
    BlockingIOError at once if another holds it and not ``wait``."""
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def _move(parent: Path, moves: list[tuple[Path, Path, Path]]) -> None:
    """For each (new, target, aside): the target aside, the new one in; undone on failure."""
    done: list[tuple[Path, Path, Path, bool]] = []
    try:
        for new, target, aside in moves:
            had = _lstat(target) is not None
            if had:
                os.rename(target, aside)
            done.append((new, target, aside, had))
            os.rename(new, target)
    except BaseException:
        for new, target, aside, had in reversed(done):
            if _lstat(new) is None and _lstat(target) is not None:
                os.rename(target, new)
            if had:
                os.rename(aside, target)
        raise


def tidy(parent: Path) -> None:
    """Finish the multi-file writes killed processes left in ``parent``, and remove
    their temporary files; never follows a symbolic link, never waits for a live writer."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    if not any(_GROUP.fullmatch(n) or _TEMP.fullmatch(n) for n in names):
        return
    with contextlib.suppress(OSError), _directory_lock(parent, wait=False):  # busy: later
        # under the lock, every journal is a dead writer's, and no live writer has
        # moved an old file aside
        left = [n for n in names if _GROUP.fullmatch(n) and not _finish_group(parent, n)]
        if left:
            return  # their files stay until the journals can be finished
        for name in os.listdir(parent):
            if _TEMP.fullmatch(name):
                _remove_if_stale(parent / name)


def _finish_group(parent: Path, name: str) -> bool:
    """Finish the group write journalled in ``parent/name``; False if it is not kg's."""
    journal = parent / name
    moves = []
    try:
        plan = _read_journal(journal)
        for new, target, aside in plan["files"]:  # type: ignore[index]
            for n in (new, aside):
                m = _TEMP.fullmatch(n)
                if not m or m["name"] != target:
                    raise ValueError(n)
            if {"/", "\0"} & set(new + target + aside) or not target.endswith(GROUP_SUFFIXES):
                raise ValueError(target)
            moves.append((parent / new, parent / target, parent / aside))
    except (KeyError, TypeError, ValueError):
        return False  # not a journal kg wrote: leave it alone
    for new, target, aside in moves:
        st = _lstat(new)
        if st is None:
            continue  # already moved in
        if not stat.S_ISREG(st.st_mode):
            return False
        if _lstat(target) is not None:
            os.rename(target, aside)
        os.rename(new, target)
    _fsync_dir(parent)
    for _, _, aside in moves:
        if (st := _lstat(aside)) is not None and stat.S_ISREG(st.st_mode):
            aside.unlink()
    journal.unlink()
    return True


def _remove_if_stale(path: Path) -> None:
    """Remove a temporary file of kg's pattern if no live writer holds its lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its writer is alive
        now = _lstat(path)
        if now is not None and now.st_ino == st.st_ino and now.st_dev == st.st_dev:
            path.unlink()
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- build directories


def _read_journal(path: Path) -> object:
    """The JSON in ``path`` if it is a small regular file (never through a link)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ValueError(f"cannot be opened ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > _JOURNAL_LIMIT:
            raise ValueError(f"{st.st_size:,} bytes")
        data = os.read(fd, _JOURNAL_LIMIT + 1)
    finally:
        os.close(fd)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("not JSON") from None


def _plan(out: Path) -> tuple[Path, list[str], str]:
    """The commit the journal in ``out`` describes, checked; ValueError says what is wrong.

    Only the names count: staging and trash are always taken inside ``out``.
    """
    plan = _read_journal(out / JOURNAL)
    if not isinstance(plan, dict) or set(plan) != {"staging", "entries", "trash"}:
        raise ValueError("not an object of staging, entries and trash")
    staging, entries, trash = plan["staging"], plan["entries"], plan["trash"]
    if not isinstance(staging, str) or not _STAGING.fullmatch(Path(staging).name):
        raise ValueError("staging is not a name of kg's pattern")
    if not isinstance(trash, str) or not _TRASH.fullmatch(trash):
        raise ValueError("trash is not a name of kg's pattern")
    if (
        not isinstance(entries, list)
        or not entries
        or not all(isinstance(e, str) and e in ENTRIES for e in entries)
        or len(set(entries)) != len(entries)
    ):
        raise ValueError("entries are not names of kg's outputs")
    stage = out / Path(staging).name
    if (st := _lstat(stage)) is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise ValueError("staging is not a directory")
        for name in entries:
            if (e := _lstat(stage / name)) is not None and not (
                stat.S_ISDIR(e.st_mode) if name == STORE else stat.S_ISREG(e.st_mode)
            ):
                kind = "directory" if name == STORE else "file"
                raise ValueError(f"staged {name} is not a {kind}")
    if (st := _lstat(out / trash)) is not None and not stat.S_ISDIR(st.st_mode):
        raise ValueError("trash is not a directory")
    return stage, entries, trash


def recover(out: Path, strict: bool = False) -> None:
    """Finish an interrupted commit and remove debris of interrupted builds.

    Call with the lock held.  A journal kg did not write (see :func:`_plan`) raises
    :class:`StoreError` if ``strict``; else (a build, which replaces every entry anyway)
    it is discarded.  Nothing outside ``out`` is ever touched.
    """
    journal = out / JOURNAL
    if _lstat(journal) is not None:
        try:
            stage, entries, trash = _plan(out)
        except ValueError as why:
            if strict:
                raise StoreError(
                    f"{journal}: not a commit journal kg wrote ({why}); the directory "
                    f"may not hold a kg build: rebuild it with `kg build --dir {out}`, or "
                    f"remove the file if you trust the rest"
                ) from None
            if _is_dir(journal):
                raise StoreError(f"{journal}: a directory, not kg's journal; remove it") from None
            journal.unlink()
        else:
            _apply(out, stage, entries, trash)
            journal.unlink()
            _fsync_dir(out)
    remove_debris(out)


def remove_debris(out: Path) -> None:
    """Remove staging and trash directories of kg's pattern, and temporary files of killed
    writers (a journal's), with the lock held."""
    tidy(out)
    try:
        names = os.listdir(out)
    except OSError:
        return
    for name in names:
        if _DEBRIS.fullmatch(name) and _is_dir(out / name):
            shutil.rmtree(out / name, ignore_errors=True)  # it never follows links


def _apply(out: Path, staging: Path, entries: list[str], trash: str) -> None:
    """Move every staged entry into place; safe to run again after a crash.

    Each old entry (a symbolic link included, as a link) goes into the trash directory
    before the new one comes in, so that a failure can put everything back.
    """
    trash_dir = out / trash
    moves = []
    for name in entries:
        new = staging / name
        if _lstat(new) is None:
            continue  # already moved
        if not _is_dir(trash_dir):
            trash_dir.mkdir()
        moves.append((new, out / name, trash_dir / name))
    _move(out, moves)
    _fsync_dir(out)


def _open_lock(out: Path) -> int:
    """Open ``out``'s lock file without following a link; only a regular file will do."""
    path = out / LOCK
    try:
        fd = os.open(
            path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666
        )
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(
                f"{path}: a symbolic link, not kg's lock file; kg does not follow it (remove it)"
            ) from None
        raise StoreError(f"{describe(exc, path)} (cannot open the build lock)") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreError(f"{path}: not a regular file, so not kg's lock file (remove it)")
    return fd


def _check_links(out: Path) -> None:
    """Refuse, before anything changes, a build directory whose entries are links."""
    for name in sorted(ENTRIES):
        if (st := _lstat(out / name)) is not None and stat.S_ISLNK(st.st_mode):
            raise StoreError(
                f"{out / name}: a symbolic link; a build replaces its outputs as a whole and "
                f"does not write through links. To keep the build on another disk, build "
                f"there (--dir on that disk) and link the whole directory instead"
            )


def check_replaceable(out: Path, inputs: Iterable[Path]) -> None:
    """Refuse, before anything is written, a build that would replace files it must not.

    A build replaces :data:`ENTRIES` in ``out`` as a whole.  That must never take an input
    of the same build (``kg build papers.jsonl --dir .`` would replace the user's
    ``papers.jsonl`` with the paper table), nor files of those names in a directory that
    holds no kg build (no ``build-report.json``): they are somebody else's.
    """
    present = sorted(name for name in ENTRIES if _lstat(out / name) is not None)
    for given in inputs:
        for name in present:
            target = out / name
            with contextlib.suppress(OSError):
                inside = name == STORE and given.resolve().is_relative_to(target.resolve())
                if inside or os.path.samefile(given, target):
                    raise UsageError(
                        f"{given}: is the {name} a build writes in {out}, and the build "
                        f"would replace it; move it, or build into another --dir"
                    )
    if present and _lstat(out / "build-report.json") is None:
        raise UsageError(
            f"{out}: holds {', '.join(present)}, which kg did not write (no build-report.json "
            f"there); a build would replace them, so build into a new or empty --dir"
        )


def make_directory(out: Path) -> None:
    """Create ``out`` if needed; one clear error if it cannot be."""
    if out.is_symlink() and not out.exists():
        raise StoreError(
            f"{out}: a symbolic link to {os.readlink(out)}, which does not "
            f"exist; create that directory or give another --dir"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"{out}: exists and is not a directory") from None
    except OSError as exc:
        raise StoreError(f"{describe(exc, out)} (cannot create the build directory)") from None


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the directory's build lock; fail at once if another build holds it.

    Also finishes an interrupted commit, removes debris, refuses linked entries, and
    turns a file-system error inside the block into one :class:`StoreError` line.
    """
    make_directory(out)
    fd = _open_lock(out)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{out}: another kg build is writing this directory; wait for it to finish"
            ) from None
        try:
            recover(out)
            _check_links(out)
            yield
        except OSError as exc:
            raise StoreError(
                f"{describe(exc, out)}; the build in {out} was left as it was"
            ) from None
    finally:
        os.close(fd)


def settle(out: Path) -> None:
    """For readers: finish an interrupted commit and remove debris, if no build runs.

    A pending commit that cannot be finished here (the directory is read-only, or the
    journal is not kg's) is one :class:`StoreError`; debris that cannot be removed is left.
    """
    pending = _lstat(out / JOURNAL) is not None
    try:
        debris = any(_DEBRIS.fullmatch(n) for n in os.listdir(out))
    except OSError:
        debris = False
    if not pending and not debris:
        return
    try:
        fd = _open_lock(out)
    except StoreError as exc:
        if pending:
            raise StoreError(
                f"{out}: the commit of an interrupted build is pending and "
                f"cannot be finished here ({exc}); run `kg build --dir {out}` "
                f"where it can write"
            ) from None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a build runs: the journal and the debris are its own
            _wait_for_commit(out)
            return
        try:
            recover(out, strict=True)
        except OSError as exc:
            raise StoreError(
                f"{out}: an interrupted build's commit cannot be finished "
                f"here ({describe(exc, out)}); run `kg build --dir {out}` "
                f"where it can write"
            ) from None
    finally:
        os.close(fd)


#: Longest a reader waits for a running build's commit (renames and syncs) to end.
COMMIT_WAIT = 10.0


def _wait_for_commit(out: Path) -> None:
    """Wait while a live build is committing, so that a reader sees the new build whole
    rather than an entry between its old and new version."""
    deadline = time.monotonic() + COMMIT_WAIT
    while _lstat(out / JOURNAL) is not None and time.monotonic() < deadline:
        time.sleep(0.02)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh staging directory inside ``out``; removed if the block fails (unless a
    commit journal still needs it)."""
    path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        yield path
    except BaseException:
        if _lstat(out / JOURNAL) is None:
            shutil.rmtree(path, ignore_errors=True)
        raise


def commit(out: Path, stage: Path) -> None:
    """Move everything in ``stage`` into ``out`` as one step that survives a crash.

    A failure while alive (an immutable file, a full disk) puts the old entries back
    and removes the journal, so ``out`` holds the old build; if even that fails, the
    journal stays and :class:`CommitError` says so.
    """
    entries = sorted(p.name for p in stage.iterdir())
    unknown = set(entries) - ENTRIES
    if unknown:
        raise ValueError(f"not entries kg commits: {sorted(unknown)}")
    for name in entries:
        _fsync_tree(stage / name)
    trash = TRASH_PREFIX + stage.name[len(STAGING_PREFIX) :]
    plan = {"staging": stage.name, "entries": entries, "trash": trash}
    atomic_write_bytes(out / JOURNAL, json.dumps(plan).encode("utf-8"))
    try:
        _apply(out, stage, entries, trash)
    except OSError as exc:
        try:
            _undo(out, stage, entries, trash)
        except OSError:
            raise CommitError(
                f"{describe(exc, out)}; the commit of the new build stopped "
                f"half-way and could not be undone: the next kg command "
                f"in {out} finishes it"
            ) from None
        raise
    (out / JOURNAL).unlink()
    shutil.rmtree(out / trash, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)


def _undo(out: Path, stage: Path, entries: list[str], trash: str) -> None:
    """After a failed :func:`_apply` that put back what it could: the journal goes."""
    for name in entries:
        if _lstat(out / trash / name) is not None:
            raise OSError(errno.EIO, "an old entry is still aside", str(out / trash / name))
    (out / JOURNAL).unlink()
    _fsync_dir(out)
    shutil.rmtree(out / trash, ignore_errors=True)


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
