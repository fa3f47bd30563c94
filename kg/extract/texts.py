"""The input of ``kg extract``: JSON lines of ``{"id", "title"?, "abstract"}``.

>>> texts, problems = parse_lines(['{"id": "a", "abstract": "x"}', 'oops'], "in.jsonl",
...                               skip_bad=True)
>>> [t.id for t in texts], [str(p) for p in problems]
(['a'], ['in.jsonl:2: not a JSON object (Expecting value at column 1)'])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from kg.errors import InputError
from kg.extract import Text
from kg.records import Problem, SourceRef

MAX_LINE = 5_000_000
"""Longer lines are refused: no abstract is 5 MB."""


def _problem(name: str, number: int, message: str) -> Problem:
    return Problem(SourceRef(name, number), message)


def _string(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f'"{key}" must be a string, not {type(value).__name__}')


def parse_line(line: str) -> tuple[str | None, str | None, str | None]:
    """``(id, title, abstract)`` of one line; raises ``ValueError`` saying what is wrong."""
    if len(line) > MAX_LINE:
        raise ValueError(f"line of {len(line):,} characters (at most {MAX_LINE:,})")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON object ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not a JSON object (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise ValueError(f"not a JSON object (a {type(obj).__name__})")
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, str | int):
        raise ValueError(f'"id" must be a string or a number, not {type(raw_id).__name__}')
    abstract = _string(obj, "abstract")
    title = _string(obj, "title")
    return (None if raw_id is None else str(raw_id)), title, abstract


MAX_LINE_BYTES = 4 * MAX_LINE
"""A line is read at most this far (a character takes at most 4 bytes in UTF-8)."""


class Lines(Protocol):
    """What :func:`read_lines` reads from: a binary file, or anything with its readline."""

    def readline(self, size: int = -1, /) -> bytes: ...


def read_lines(
    stream: Lines,
    name: str,
    limit: int | None = None,
) -> Iterator[tuple[int, str | None]]:
    """Numbered lines of a UTF-8 byte stream, one at a time (``None``: a line too long).

    A BOM at the start is dropped and ``\\r\\n`` counts as ``\\n``; bytes that are not
    UTF-8 raise :class:`InputError` naming the line.  At most ``limit`` lines are read.
    Memory holds one line, of at most :data:`MAX_LINE_BYTES`.
    """
    number = 0
    while limit is None or number < limit:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of it, bounded
                raw = stream.readline(MAX_LINE_BYTES + 1)
            yield number, None
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise InputError(name, "not UTF-8 text", number) from None
        yield number, line.rstrip("\r\n")


def iter_texts(
    lines: Iterable[tuple[int, str | None]],
    name: str,
    skip_bad: bool = False,
    problem: Callable[[Problem], None] | None = None,
) -> Iterator[Text]:
    """The texts of numbered ``lines``, lazily; a bad line raises :class:`InputError`
    unless ``skip_bad``, when it goes to ``problem`` and is skipped.

    A line without ``"id"`` gets ``"line-N"``; one without an abstract is kept (it yields
    no entities) with a problem noted.
    """
    for number, line in lines:
        if line is not None and not line.strip():
            continue
        try:
            if line is None:
                raise ValueError(f"line of more than {MAX_LINE_BYTES:,} bytes")
            id_, title, abstract = parse_line(line)
        except ValueError as exc:
            if not skip_bad:
                raise InputError(
                    name, f"{exc} (use --skip-bad to skip such lines)", number
                ) from None
            if problem:
                problem(_problem(name, number, str(exc)))
            continue
        if problem and not (abstract or "").strip():
            problem(_problem(name, number, "no abstract: nothing to extract"))
        yield Text(id_ or f"line-{number}", title, abstract)


def parse_lines(
    lines: Iterable[str], name: str, skip_bad: bool = False
) -> tuple[list[Text], list[Problem]]:
    """Every text of ``lines``; a bad line raises :class:`InputError` unless ``skip_bad``.

    A line without ``"id"`` gets ``"line-N"``; one without an abstract is kept (it yields
    no entities) with a problem noted.
    """
    problems: list[Problem] = []
    texts = list(iter_texts(enumerate(lines, start=1), name, skip_bad, problems.append))
    return texts, problems
