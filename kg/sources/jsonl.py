"""``jsonl``: one JSON object per line in the documented paper schema (see ``mapping``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from kg.errors import InputError
from kg.records import Item, Problem
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.sources.jsondoc import json_lines
from kg.sources.mapping import KNOWN_KEYS, paper_from_mapping

_KEY = re.compile(r'"([A-Za-z_]+)"\s*:')


def sniff(source: SourceFile) -> int:
    """Certain when the first non-blank lines are JSON objects with paper keys."""
    lines = [ln for ln in source.head.split("\n")[:20] if ln.strip()]
    if not lines or not lines[0].lstrip().startswith("{"):
        return 0
    keys = set(_KEY.findall(lines[0]))
    if not keys & {"title", "abstract"}:
        return 0
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        return 30 if len(keys & KNOWN_KEYS) >= 2 else 0
    return 95 if len(keys & KNOWN_KEYS) >= 2 else 60


def read_jsonl(source: SourceFile) -> Iterator[Item]:
    """Papers from JSON lines; a line that is not a JSON object becomes a problem."""
    good = 0
    for entry in json_lines(source):
        if isinstance(entry, Problem):
            yield entry
            continue
        where, obj = entry
        paper, problems = paper_from_mapping(obj, where)
        yield from problems
        if paper is not None:
            good += 1
            yield paper
    if good == 0 and source.only is None:  # a shard may read none of its lines
        raise InputError(source.name, "no paper could be read from these JSON lines")


READER = Reader(
    name="jsonl",
    description="JSON lines, one paper object a line (title, authors, abstract, keywords, "
    "venue, year, decision, ids)",
    sniff=sniff,
    read=read_jsonl,
    authority=80,
)
