"""`kg query` and `kg queries`: run SPARQL, or a saved query, against the store."""

from __future__ import annotations

import re
import sys
from typing import BinaryIO, TextIO

import click

from kg.cli.common import DEFAULT_DIR, dir_option, main
from kg.resultformats import FORMATS, FORMS

_FORMAT_HELP = "; ".join(
    f"{label}: {', '.join(n for n, f in FORMATS.items() if f.form == form)}"
    for form, label in FORMS.items()
)

_SPARQL_START = re.compile(r"^\s*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE|#)", re.IGNORECASE)


def _params(values: tuple[str, ...]) -> dict[str, str]:
    from kg.errors import UsageError

    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {item!r}")
        out[key.strip()] = value
    return out


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "path",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from FILE ('-' for stdin).",
)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter of a saved query (repeat for several); see `kg queries`.",
)
@dir_option
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(list(FORMATS)),
    help=f"{_FORMAT_HELP} (table gives Turtle); `kg formats` describes each.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.File("wb"),
    help="Write the results to a file ('-' for stdout).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Query this SPARQL 1.1 endpoint (e.g. one `kg serve` runs) instead of --dir.",
)
def query(
    sparql: str | None,
    path: TextIO | None,
    params: tuple[str, ...],
    out: str,
    fmt: str,
    output: BinaryIO,
    endpoint: str | None,
) -> None:
    """Run SPARQL, or a saved query by NAME, over all graphs of the build.

    SPARQL is the query text (or '-' for stdin); a single word names a saved query
    (`kg queries` lists them), whose parameters are given with --param KEY=VALUE and
    bound as RDF terms, never pasted into the query text. The usual prefixes (kg, rdf,
    rdfs, dcterms, foaf, skos, prov, schema, ...) are predefined. Examples:

    \b
        kg query 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'
        kg query coauthors --param person="Zico Kolter" --format csv
    """
    from kg import queries
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
        raise UsageError(
            "give a query as an argument, a saved query's name, -f FILE, or '-' for stdin"
        )
    from kg.remote import RemoteStore

    store = RemoteStore(endpoint) if endpoint else Store.open(out)
    if path is None and sparql != "-" and not _SPARQL_START.match(text) and "{" not in text:
        result = queries.run(store, text.strip(), _params(params))
    else:
        if params:
            raise UsageError("--param goes with a saved query's name, not with SPARQL text")
        result = store.query(text)
    output.write(render(result, fmt))


@main.command("queries")
@dir_option(help="The build the listed commands query (shown in them unless the default).")
def list_queries(out: str) -> None:
    """List the saved queries with their parameters (run one with `kg query NAME`).

    With --dir DIR, each listed command queries DIR, ready to copy.
    """
    import shlex

    from kg import queries

    where = "" if out == DEFAULT_DIR else f" --dir {shlex.quote(out)}"
    for q in queries.registry().values():
        click.echo(f"{q.name}: {q.description}")
        click.echo(f"    kg query {q.usage()}{where}")
        for p in q.params:
            default = f" (default: {p.default})" if p.default is not None else ""
            click.echo(f"      {p.name}: {p.help}{default}")
