"""``csv``: a table with a header row in the documented paper schema (see ``mapping``).

Commas, semicolons and tabs are recognised as delimiters from the header line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from kg.errors import InputError
from kg.records import Item, Problem, SourceRef
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.mapping import KNOWN_KEYS, paper_from_mapping

_DELIMITERS = (",", "\t", ";")
#: The largest cell read (Python's csv default, 128 KiB, is less than the author list of
#: a paper with thousands of authors).
MAX_CELL = 64 * 1024 * 1024


def _header(source: SourceFile) -> tuple[str, list[str]] | None:
    first = source.head.split("\n", 1)[0]
    for delimiter in _DELIMITERS:
        columns = [c.strip().strip('"').lower() for c in first.split(delimiter)]
        if len(columns) >= 2 and "title" in columns and len(set(columns) & KNOWN_KEYS) >= 2:
            return delimiter, columns
    return None


def sniff(source: SourceFile) -> int:
    """Certain when the first line is a header naming ``title`` and another schema column."""
    return 90 if _header(source) else 0


def read_csv(source: SourceFile) -> Iterator[Item]:
    """Papers from the rows of the table; an empty cell is a missing value."""
    header = _header(source)
    if header is None:
        raise InputError(source.name, "expected a header row naming a 'title' column", 1)
    delimiter, _ = header
    old_limit = csv.field_size_limit(MAX_CELL)
    try:
        yield from _rows(source, delimiter)
    finally:
        csv.field_size_limit(old_limit)


def _rows(source: SourceFile, delimiter: str) -> Iterator[Item]:
    reader = csv.DictReader(io.StringIO(source.text, newline=""), delimiter=delimiter)
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
    good = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(source.name, f"malformed CSV ({exc})", reader.line_num) from None
        where = SourceRef(source.name, reader.line_num)
        if None in row:
            yield Problem(where, "more cells than header columns; extra cells ignored")
            row.pop(None)
        values = {k: v for k, v in row.items() if v not in (None, "")}
        paper, problems = paper_from_mapping(values, where)
        yield from problems
        if paper is not None:
            good += 1
            yield paper
    if good == 0:
        raise InputError(source.name, "no paper could be read from this table")


READER = Reader(
    name="csv",
    description="CSV/TSV table with a header row (title, authors, abstract, keywords, venue, "
    "year, decision, openreview, arxiv, doi)",
    sniff=sniff,
    read=read_csv,
    authority=80,
)
