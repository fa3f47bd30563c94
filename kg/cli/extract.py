"""`kg extract`: methods, datasets, tasks and keywords of abstracts, as JSON lines.

The input is streamed twice, one line at a time: a first quick pass checks every line and
learns the acronyms the whole input defines (what a build learns from its corpus, so both
extract alike); the second extracts, writing each result as soon as it and those before
it are done.  Memory does not grow with the input.  An input that is not a regular file
(a pipe) is copied to an unnamed temporary file during the first pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

import click

from kg.cli.common import main, say
from kg.errors import KGError
from kg.extract.parts import describe

PROGRESS_EVERY_S = 10.0
"""Without a terminal, a progress line this often on stderr."""


@contextlib.contextmanager
def _input(input_path: str) -> Iterator[tuple[str, BinaryIO, int | None]]:
    """The input's name, a binary stream and its size (``None``: not a regular file, such
    as a pipe, which is then read once and spooled)."""
    from kg.errors import InputError

    if input_path == "-":
        stream = sys.stdin.buffer
        name = "<stdin>"
    else:
        name = input_path
        try:
            stream = open(input_path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(name, f"cannot read ({exc.strerror or exc})") from None
    try:
        try:
            info = os.fstat(stream.fileno())
            regular = stat.S_ISREG(info.st_mode) and stream.seekable()
            size = info.st_size - stream.tell() if regular else None
        except (OSError, ValueError):  # a stream without a descriptor (tests, notebooks)
            size = None
        yield name, stream, size
    finally:
        if input_path != "-":
            stream.close()


@contextlib.contextmanager
def _progress(
    label: str,
    total: int | None,
    quiet: bool,
    every: float,
    unit: Callable[[int], str] = "{:,}".format,
) -> Iterator[Callable[[int], None]]:
    """A function to call with the units done: a bar on a terminal, else a line on stderr
    every ``every`` seconds (nothing when ``quiet``)."""
    if quiet:
        yield lambda n: None
        return
    if total and sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update
        return
    done = 0
    start = last = time.monotonic()

    def update(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last < every:
            return
        last = now
        of = f"/{unit(total)} ({100 * done // total}%)" if total else ""
        rate = done / max(now - start, 1e-9)
        click.echo(f"kg: {label}: {unit(done)}{of}, {unit(int(rate))}/s", err=True)

    yield update


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


class _Output:
    """Lines written to stdout as they come, or to a temporary file next to ``path`` that
    replaces it only when :meth:`commit` is called (removed if it never is)."""

    def __init__(self, path: str) -> None:
        from kg.cli.common import named_output
        from kg.outdir import temp_beside

        self.tmp: str | None = None
        self.handle: IO[bytes]
        if path == "-":
            self.path = path
            self.handle = sys.stdout.buffer
            return
        self.path, stream = named_output(path)
        try:
            if stream:  # /dev/null, a pipe: written into, never renamed over
                self.handle = open(self.path, "ab")  # noqa: SIM115 - closed by commit/discard
                return
            fd, tmp = temp_beside(Path(self.path))
        except OSError as exc:
            raise KGError(f"{path}: cannot write ({exc.strerror or exc})") from None
        self.tmp = str(tmp)
        self.handle = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            if self.tmp is None:
                raise
            raise KGError(f"{self.path}: cannot write ({exc.strerror or exc})") from None

    def flush(self) -> None:
        if self.tmp is None:
            self.handle.flush()

    def commit(self) -> None:
        if self.tmp is None:
            self.handle.flush()
            return
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            raise KGError(f"{self.path}: cannot write ({exc.strerror or exc})") from None
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            self.handle.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)
            self.tmp = None


def _json_line(obj: object) -> bytes:
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: keep it escaped
        return (json.dumps(obj) + "\n").encode("ascii")


@main.command(epilog="\b\nThe parts of extraction, in the order a text meets them:\n" + describe())
@click.argument("input_path", metavar="[INPUT.jsonl|-]", default="-")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="File to write ('-' for stdout, line by line); a file is written whole or not at all.",
)
@click.option(
    "--skip-bad", is_flag=True, help="Skip malformed lines with a warning instead of stopping."
)
@click.option(
    "--workers",
    default=0,
    type=click.IntRange(0, 64),
    help="Worker processes (0: one per core, at most 4).",
)
@click.option(
    "--model",
    default="auto",
    show_default=True,
    help="spaCy pipeline to use: auto (the first installed English one), a "
    "package name, or 'none' for rules only.",
)
@click.option("--quiet", is_flag=True, help="No progress or warnings on stderr.")
@click.option(
    "--progress-every",
    default=PROGRESS_EVERY_S,
    type=click.FloatRange(0),
    hidden=True,
    help="Seconds between progress lines when stderr is no terminal.",
)
def extract(
    input_path: str,
    output: str,
    skip_bad: bool,
    workers: int,
    model: str,
    quiet: bool,
    progress_every: float,
) -> None:
    """Extract methods, datasets, tasks and keywords from abstracts.

    Reads JSON lines of {"id", "title", "abstract"} (stdin by default) and writes one line
    per input line: {"id", "methods": [{"name", "role", "start", "end", "confidence"}],
    "datasets": [{"name", "new", ...}], "tasks": [...], "keywords": [...]}, spans being
    character offsets into the abstract. A malformed line stops with its line number
    unless --skip-bad is given. Results are written in input order as they are done; the
    input is read twice (first for the acronyms it defines), never held in memory.
    """
    from kg.extract import workers as pools

    with pools.sigterm_raises(), _input(input_path) as (name, stream, size):
        _run(name, stream, size, output, skip_bad, workers, model, quiet, progress_every)


def _run(
    name: str,
    stream: BinaryIO,
    size: int | None,
    output: str,
    skip_bad: bool,
    workers: int,
    model: str,
    quiet: bool,
    every: float,
) -> None:
    from kg.extract import default_workers
    from kg.extract import extract as run
    from kg.extract.nlp import FallbackWarning
    from kg.extract.texts import iter_texts, read_lines
    from kg.records import Problem
    from kg.resolve.concepts import Concepts

    problems = counted = lines = 0

    def warn(p: Problem) -> None:
        nonlocal problems
        problems += 1
        if not quiet:
            say(f"kg: warning: {p}")

    with contextlib.ExitStack() as stack:
        sink = _Output(output)  # an output that cannot be written fails before any work
        stack.callback(sink.discard)
        # pass 1: check every line, count the texts, learn the acronyms; spool a pipe
        spool = (
            None
            if size is not None
            else stack.enter_context(tempfile.TemporaryFile(prefix="kg-extract-"))
        )
        reading: BinaryIO | IO[bytes] = stream if spool is None else spool
        start = reading.tell()

        def numbered(read: Callable[[int], None]) -> Iterator[tuple[int, str | None]]:
            nonlocal lines
            position = start
            for number, line in read_lines(_Tee(stream, spool), name):
                lines = number
                read(reading.tell() - position)
                position = reading.tell()
                yield number, line

        def abstracts(read: Callable[[int], None]) -> Iterator[str | None]:
            nonlocal counted
            for text in iter_texts(numbered(read), name, skip_bad, warn):
                counted += 1
                yield text.abstract

        with _progress(f"reading {name}", size, quiet, every, _megabytes) as read:
            acronyms = Concepts.learn(abstracts(read)).acronyms
        reading.seek(start)

        # pass 2: extract, writing results in input order as they come
        chosen = None if model.lower() == "none" else model
        n_workers = workers or default_workers()
        if counted < 200:
            n_workers = 1  # starting processes costs more than it saves
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always", FallbackWarning)
        texts = iter_texts(read_lines(reading, name, limit=lines), name, skip_bad=True)
        with _progress("extracting", counted, quiet, every) as done:
            last_flush = time.monotonic()
            results = stack.enter_context(
                contextlib.closing(  # workers stop on any error
                    run(
                        texts,
                        model=chosen,
                        workers=n_workers,
                        warn=True,
                        progress=done,
                        acronyms=acronyms,
                    )
                )
            )
            for result in results:
                sink.write(_json_line(result.as_dict()))
                if time.monotonic() - last_flush > 0.5:
                    sink.flush()  # a reader of stdout sees results as they come
                    last_flush = time.monotonic()
        sink.commit()
    if not quiet:
        for w in caught:
            if issubclass(w.category, FallbackWarning):
                say(f"kg: warning: {w.message}")
        noun = "abstract" if counted == 1 else "abstracts"
        click.echo(
            f"{counted} {noun} -> {output if output != '-' else 'stdout'}"
            + (f", {problems} warnings" if problems else ""),
            err=True,
        )


class _Tee:
    """A binary stream whose lines are also copied to ``spool`` (if any) as they are read."""

    def __init__(self, stream: BinaryIO, spool: IO[bytes] | None) -> None:
        self.stream = stream
        self.spool = spool

    def readline(self, limit: int = -1) -> bytes:
        data = self.stream.readline(limit)
        if self.spool is not None and data:
            self.spool.write(data)
        return data
