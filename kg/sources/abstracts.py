"""``abstracts``: bare abstracts separated by blank lines, some preceded by a numbered title.

A record is one run of non-empty lines.  A run that is a single line ``N. Title`` shorter
than 150 characters is a title; it belongs to the next run, and ``N`` is the 1-based number
of that abstract in the file (checked).  Numbered lines inside a longer run are list items
of the abstract.  Within a run, a line ending in a hyphen after a letter or digit is joined to
the next without a space, keeping the hyphen (``multi-``/``document`` → ``multi-document``);
every other line break becomes one space.  Venue and year are not in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import InputError
from kg.records import Item, Paper, Problem, SourceRef
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.text import collapse_ws

_TITLE = re.compile(r"^(\d+)\. (.+)$")
_MAX_TITLE_CHARS = 150
_MIN_ABSTRACT_WORDS = 8
_JOIN_HYPHEN = re.compile(r"[^\W_]-$")

# Sniffing: prose paragraphs, and nothing that marks one of the structured formats.
_BLANK_SPLIT = re.compile(r"\n[ \t]*\n")
_STRUCTURE = re.compile(
    r"^(?:#|[-*+] |\{|\[|<|[ \t]{2,}\S)|abstract@|<https?://|^\w[\w ]*(?:,\w[\w ]*){2,}$",
    re.MULTILINE,
)
_URL = re.compile(r"https?://")
_SENTENCE = re.compile(r"[a-z)\]][.!?] [A-Z]")


def _runs(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-empty lines with the 1-based number of their first line."""
    run: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not run:
                start = number
            run.append(line)
        elif run:
            yield start, run
            run = []
    if run:
        yield start, run


def join_lines(lines: list[str]) -> str:
    """One paragraph from hard-wrapped lines: a word hyphen joins without a space."""
    parts: list[str] = []
    for line in lines:
        part = line.strip()
        # only the end of the text so far decides: no rescan of a growing string
        if parts and not _JOIN_HYPHEN.search(parts[-1][-2:]):
            parts.append(" ")
        parts.append(part)
    return collapse_ws("".join(parts))


def _title(run: list[str]) -> tuple[int, str] | None:
    """``(N, title)`` when the run is a numbered title line, else ``None``."""
    if len(run) != 1 or len(run[0].strip()) >= _MAX_TITLE_CHARS:
        return None
    m = _TITLE.match(run[0].strip())
    return (int(m.group(1)), collapse_ws(m.group(2))) if m else None


def read_abstracts(source: SourceFile) -> Iterator[Item]:
    """Papers with an abstract (and a title where one precedes it), in file order."""
    count = 0
    pending: tuple[int, int, str] | None = None  # (line, N, title) waiting for its abstract
    for start, run in _runs(source.lines()):
        numbered = _title(run)
        if numbered is not None:
            if pending is not None:
                yield _orphan(source, pending, "another numbered title follows it")
            pending = (start, *numbered)
            continue
        abstract = join_lines(run)
        if len(abstract.split()) < _MIN_ABSTRACT_WORDS:
            yield Problem(
                SourceRef(source.name, start),
                f"paragraph of {len(abstract.split())} words is too short to be an abstract "
                f"(expected a paragraph of prose or a line 'N. Title'): {abstract[:60]!r}",
            )
            continue
        count += 1
        line, title = start, None
        if pending is not None:
            line, number, title = pending
            pending = None
            if number != count:
                yield Problem(
                    SourceRef(source.name, line),
                    f"title numbered {number} precedes abstract number {count} of this file; "
                    "an abstract may be missing, split or merged before it",
                )
        yield Paper(source=SourceRef(source.name, line), title=title, abstract=abstract)
    if pending is not None:
        yield _orphan(source, pending, "the file ends")
    if count == 0:
        raise InputError(source.name, "no abstract found (expected paragraphs of prose)")


def _orphan(source: SourceFile, pending: tuple[int, int, str], why: str) -> Problem:
    """A problem for a numbered title with no abstract after it."""
    line, number, title = pending
    return Problem(
        SourceRef(source.name, line),
        f"numbered title {number}. {title!r} has no abstract: {why}",
    )


def sniff(source: SourceFile) -> int:
    """A modest score for blank-line-separated prose paragraphs with no structure at all.

    This is the weakest of the signals (any prose looks like this), so it never competes
    with a format that has markers of its own.
    """
    head = source.head
    if _STRUCTURE.search(head):
        return 0
    paragraphs = [p for p in _BLANK_SPLIT.split(head) if p.strip()]
    if len(paragraphs) < 3:
        return 0
    lines = [ln for ln in head.split("\n") if ln.strip()]
    if sum(1 for ln in lines if _URL.search(ln)) > len(lines) / 20:
        return 0
    prose = [p for p in paragraphs if len(p) >= 150 and _SENTENCE.search(p)]
    return 30 if len(prose) >= 0.8 * len(paragraphs) else 0


READER = Reader(
    name="abstracts",
    description="Bare abstracts separated by blank lines, some preceded by a numbered "
    "title line 'N. Title'",
    sniff=sniff,
    read=read_abstracts,
    authority=10,
)
