"""`kg query`: run SPARQL against the store."""

from __future__ import annotations

import sys
from typing import BinaryIO, TextIO

import click

from kg.cli import dir_option, main
from kg.results import FORMATS


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "path", type=click.File("r", encoding="utf-8"),
              help="Read the query from FILE ('-' for stdin).")
@dir_option
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(FORMATS),
              help="json/xml/csv/tsv: SPARQL 1.1 results formats; table: for reading; "
              "turtle/ntriples: for CONSTRUCT and DESCRIBE.")
@click.option("-o", "--output", default="-", type=click.File("wb"),
              help="Write the results to a file ('-' for stdout).")
def query(sparql: str | None, path: TextIO | None, out: str, fmt: str,
          output: BinaryIO) -> None:
    """Run a SPARQL query over all graphs of the build.

    The usual prefixes (kg, rdf, rdfs, dcterms, foaf, skos, prov, schema, ...) are
    predefined. Example:

        kg query 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'
    """
    from kg.errors import UsageError
    from kg.results import render
    from kg.store import Store

    if path is not None:
        text = path.read()
    elif sparql == "-":
        text = sys.stdin.read()
    elif sparql:
        text = sparql
    else:
        raise UsageError("give a query as an argument, with -f FILE, or '-' for stdin")
    output.write(render(Store.open(out).query(text), fmt))
