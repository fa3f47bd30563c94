"""SPARQL results in the standard formats (JSON, XML, CSV, TSV) and as a readable table.

SELECT and ASK results use the SPARQL 1.1 results formats; CONSTRUCT and DESCRIBE give
Turtle, N-Triples, RDF/XML or JSON-LD.  The formats are those of
:data:`kg.resultformats.FORMATS`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pyoxigraph as ox

from kg.errors import UsageError
from kg.graph.vocab import PREFIXES
from kg.resultformats import FORMATS, of_form, rdf_syntax
from kg.text import terminal_safe

SELECT_FORMATS = of_form("select")
GRAPH_FORMATS = of_form("graph")


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def table(result: ox.QuerySolutions, max_width: int = 60) -> str:
    """A plain-text table with one header row; long cells are cut with an ellipsis.

    Control characters in cells are shown escaped: the table is for a terminal.
    """
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = []
        for name in names:
            text = terminal_safe(_cell(solution[name]).replace("\n", " "))
            row.append(text if len(text) <= max_width else text[: max_width - 1] + "…")
        rows.append(row)
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def sparql_csv(result: ox.QuerySolutions) -> bytes:
    """SPARQL 1.1 CSV results: RFC 4180 with CRLF line ends, values without markup."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [v.value for v in result.variables]
    writer.writerow(names)
    for solution in result:
        writer.writerow([_csv_value(solution[n]) for n in names])
    return buffer.getvalue().encode("utf-8")


def render(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> bytes:
    """Serialise a query result in ``fmt``; the error lists the formats that fit the query."""
    if isinstance(result, ox.QueryTriples):
        if fmt in ("table", "turtle"):
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise UsageError(
                f"a CONSTRUCT/DESCRIBE result can be written as "
                f"{', '.join(GRAPH_FORMATS)}, not {fmt!r}"
            )
        return ox.serialize(list(result), format=rdf_syntax(fmt), prefixes=PREFIXES) or b""
    if fmt not in SELECT_FORMATS:
        raise UsageError(
            f"a SELECT/ASK result can be written as {', '.join(SELECT_FORMATS)}, not {fmt!r}"
        )
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        return table(result).encode("utf-8")
    if fmt == "csv" and isinstance(result, ox.QuerySolutions):
        return sparql_csv(result)
    syntax = SELECT_FORMATS[fmt].syntax
    assert isinstance(syntax, ox.QueryResultsFormat)
    data = result.serialize(format=syntax)
    return data if data is not None else b""


__all__ = ["FORMATS", "GRAPH_FORMATS", "SELECT_FORMATS", "render", "sparql_csv", "table"]
