"""Every output format of ``kg export``, by kind: the one place that lists them.

Each kind has one table, in the module that writes it: the paper table
(:data:`kg.export.papers.FORMATS`), networks (:data:`kg.export.formats.EXPORTERS`) and
RDF (:data:`kg.export.rdf.FORMATS`).  ``kg export``'s ``--format`` choices and help,
``kg formats``, the README's table and the tests all read :func:`registry`; adding a
format is one entry in its kind's table.

>>> {kind: list(table)[:2] for kind, table in registry().items()}
{'papers': ['jsonl', 'csv'], 'network': ['graphml', 'gexf'], 'rdf': ['turtle', 'ntriples']}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kg.export import formats, papers, rdf


class OutputFormat(Protocol):
    """What every output format has, whatever its kind."""

    @property
    def name(self) -> str: ...

    @property
    def extension(self) -> str: ...

    @property
    def description(self) -> str: ...


#: kind -> what it is called, and the command that writes it
KINDS: dict[str, tuple[str, str]] = {
    "papers": ("paper table", "kg export papers"),
    "network": ("network", "kg export coauthors | neighborhood"),
    "rdf": ("RDF", "kg export rdf"),
}


def registry() -> dict[str, Mapping[str, OutputFormat]]:
    """Every output format by kind, then name, in the order the commands list them."""
    return {"papers": papers.FORMATS, "network": formats.EXPORTERS, "rdf": rdf.FORMATS}
