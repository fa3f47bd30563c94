"""A whole JSON file parsed once, remembering the line where each object starts.

Shared by the readers of API dumps (``openreview-api``, ``papercopilot``, ``openalex``): the
standard parser drops positions, so objects are parsed through the pure-Python scanner with a
hook that records the offset of every ``{``.  A file that is not valid JSON (e.g. cut in half)
raises :class:`InputError` naming the file, line and column where parsing failed.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json import decoder, scanner
from typing import Any

from kg.errors import InputError
from kg.records import Problem, SourceRef
from kg.sources.files import SourceFile

_NEWLINE = re.compile("\n")
# \uXXXX escapes of surrogates that are not half of a pair: no text can hold them (they
# cannot be written as UTF-8), so they are read as U+FFFD, the replacement character.
_LONE_SURROGATE = re.compile(
    r"(?<!\\)\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def without_lone_surrogates(text: str) -> str:
    """``text`` with escapes of unpaired surrogates replaced by ``\\ufffd``.

    >>> json.loads(without_lone_surrogates('"a\\\\ud800b \\\\ud83d\\\\ude00"'))
    'a\ufffdb 😀'
    """
    if "\\u" not in text:
        return text
    return _LONE_SURROGATE.sub(r"\\ufffd", text)


@dataclass(frozen=True, slots=True)
class JsonDoc:
    """The parsed value and the 0-based offsets of its objects' opening braces."""

    value: Any
    starts: dict[int, int]
    newlines: tuple[int, ...]

    def line(self, obj: object, default: int = 1) -> int:
        """The 1-based line where the JSON object ``obj`` (a dict of ``value``) starts."""
        offset = self.starts.get(id(obj))
        if offset is None:
            return default
        return bisect_right(self.newlines, offset) + 1


class _PositionDecoder(json.JSONDecoder):
    """A decoder whose objects report their start offset to ``record``."""

    def __init__(self, record: Callable[[object, int], None]) -> None:
        super().__init__()

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[object, int]:
            obj, end = decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
            record(obj, s_and_end[1] - 1)
            return obj, end

        self.parse_object = parse_object
        self.scan_once = scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def parse(source: SourceFile) -> JsonDoc:
    """Parse the whole file; :class:`InputError` with line and column if it is not JSON."""
    starts: dict[int, int] = {}

    def record(obj: object, offset: int) -> None:
        starts[id(obj)] = offset

    text = without_lone_surrogates(source.text)
    try:
        value = _PositionDecoder(record).decode(text)
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        cut = " (the file looks cut short)" if at_end else ""
        raise InputError(
            source.name,
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg.removesuffix(' starting at')}{cut}",
            exc.lineno,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(source.name, f"not valid JSON ({exc})") from None
    newlines = tuple(m.start() for m in _NEWLINE.finditer(text))
    return JsonDoc(value, starts, newlines)


def json_lines(source: SourceFile) -> Iterator[tuple[SourceRef, dict[str, Any]] | Problem]:
    """Each non-blank line's JSON object with where it stands, or a problem for that line.

    A line that is not JSON, or JSON that is not an object, is a problem (the line is
    skipped); the other lines are still read.  The file is streamed, never held whole.
    Lines not in ``source.only`` (when set) are passed over unparsed.
    """
    only = source.only
    for number, line in enumerate(source.iter_lines(), start=1):
        if (only is not None and number not in only) or not line.strip():
            continue
        where = SourceRef(source.name, number)
        try:
            obj = json.loads(without_lone_surrogates(line))
        except json.JSONDecodeError as exc:
            reason = exc.msg.removesuffix(" starting at")
            yield Problem(where, f"not valid JSON ({reason} at column {exc.colno}); line skipped")
            continue
        except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
            yield Problem(where, f"not valid JSON ({exc}); line skipped")
            continue
        if not isinstance(obj, dict):
            yield Problem(
                where, f"expected a JSON object, found {type(obj).__name__}; line skipped"
            )
            continue
        yield where, obj
