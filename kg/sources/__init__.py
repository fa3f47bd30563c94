"""Input readers: one module per format, all listed in one registry.

Every reader module defines ``READER``, a :class:`Reader` with a name, a one-line
description, a content sniffer and a ``read`` generator.  The CLI's ``--format`` choices,
``kg formats``, ``--format auto`` and the tests all read :func:`registry`; there is no
second table.

>>> sorted(registry())[:3]
['abstracts', 'arxiv-metadata', 'bibtex']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.records import Item
from kg.sources.files import SourceFile, from_text, load

__all__ = [
    "Reader",
    "SourceFile",
    "SourceSpec",
    "detect",
    "from_text",
    "get",
    "load",
    "read",
    "registry",
]


@dataclass(frozen=True, slots=True)
class Reader:
    """A registered input format.

    ``sniff`` scores a file by its content (0: not this format; 100: certain), looking at
    ``source.head`` only.  ``read`` yields papers, citations and problems in file order.
    ``authority`` ranks formats when sources disagree on a field (higher wins).
    """

    name: str
    description: str
    sniff: Callable[[SourceFile], int]
    read: Callable[[SourceFile], Iterator[Item]]
    authority: int = 50


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """An input file, its format (``auto`` to sniff) and defaults for what it omits."""

    path: Path
    format: str = "auto"
    venue: str | None = None
    year: int | None = None


# Module names under kg.sources; each defines READER.  Order is the order of `kg formats`.
_MODULES = (
    "openreview_page",
    "paper_list",
    "dataset_viewer",
    "blog_citations",
    "abstracts",
    "jsonl",
    "csv_table",
    "bibtex",
    "openreview_api",
    "papercopilot",
    "arxiv_metadata",
    "openalex",
)


@cache
def registry() -> dict[str, Reader]:
    """All readers by name, in a stable order."""
    readers: dict[str, Reader] = {}
    for module in _MODULES:
        reader: Reader = importlib.import_module(f"kg.sources.{module}").READER
        readers[reader.name] = reader
    return readers


def get(name: str) -> Reader:
    """The reader called ``name``; the error lists the valid names."""
    try:
        return registry()[name]
    except KeyError:
        valid = ", ".join(["auto", *registry()])
        raise UsageError(f"unknown format {name!r}; choose one of: {valid}") from None


def detect(source: SourceFile) -> Reader:
    """The reader whose sniffer scores the file highest; an error if none recognises it."""
    scores = sorted(((r.sniff(source), r.name) for r in registry().values()), reverse=True)
    best, name = scores[0]
    if best <= 0:
        valid = ", ".join(registry())
        raise InputError(
            source.name,
            f"format not recognised (known formats: {valid}); name one with --format",
        )
    return registry()[name]


def read(source: SourceFile, format: str = "auto") -> tuple[Reader, Iterator[Item]]:
    """The reader for ``source`` (detected when ``format`` is ``auto``) and its items."""
    reader = detect(source) if format == "auto" else get(format)
    return reader, reader.read(source)
