"""The input of ``kg extract``: JSON lines of ``{"id", "title"?, "abstract"}``.

>>> texts, problems = parse_lines(['{"id": "a", "abstract": "x"}', 'oops'], "in.jsonl",
...                               skip_bad=True)
>>> [t.id for t in texts], [str(p) for p in problems]
(['a'], ['in.jsonl:2: not a JSON object (Expecting value at column 1)'])
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

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


def parse_lines(lines: Iterable[str], name: str,
                skip_bad: bool = False) -> tuple[list[Text], list[Problem]]:
    """Every text of ``lines``; a bad line raises :class:`InputError` unless ``skip_bad``.

    A line without ``"id"`` gets ``"line-N"``; one without an abstract is kept (it yields
    no entities) with a problem noted.
    """
    texts: list[Text] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            id_, title, abstract = parse_line(line)
        except ValueError as exc:
            if not skip_bad:
                raise InputError(name, f"{exc} (use --skip-bad to skip such lines)",
                                 number) from None
            problems.append(_problem(name, number, str(exc)))
            continue
        if not (abstract or "").strip():
            problems.append(_problem(name, number, "no abstract: nothing to extract"))
        texts.append(Text(id_ or f"line-{number}", title, abstract))
    return texts, problems
