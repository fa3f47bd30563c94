"""`kg serve`: the graph as a read-only SPARQL 1.1 endpoint."""

from __future__ import annotations

import click

from kg.cli.common import dir_option, main


@main.command()
@dir_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 makes the endpoint reachable from other "
    "machines (it has no authentication).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--timeout",
    "timeout_s",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Time limit per query; past it the client gets 503 and the query is stopped.",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most rows (or triples) a result holds; a longer one is cut and the "
    "X-SPARQL-MaxRows header says so.",
)
@click.option(
    "--max-bytes",
    default=32 << 20,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Largest result body; a longer result is cut to fewer rows "
    "and the X-SPARQL-MaxBytes header says so.",
)
@click.option(
    "--max-body",
    default=1 << 20,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Largest request body accepted (413 beyond).",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query worker processes, i.e. queries that run at once.",
)
@click.option(
    "--memory",
    "memory_mb",
    default=1024,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="MB",
    help="Memory limit per worker process (0: none).",
)
def serve(
    out: str,
    host: str,
    port: int,
    timeout_s: float,
    max_rows: int,
    max_bytes: int,
    max_body: int,
    workers: int,
    memory_mb: int,
) -> None:
    """Serve the graph of a build as a read-only SPARQL 1.1 endpoint at /sparql.

    GET and POST (form-encoded or application/sparql-query bodies), results as JSON, XML,
    CSV or TSV (Turtle, N-Triples, RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE) by the
    Accept header or format=, a service description at GET /sparql, CORS for browsers.
    Updates and SERVICE are refused. One line per request is logged on stderr. After a
    rebuild of the directory, every answer comes from the new build: the query workers are
    replaced, no restart needed.

    Every other path of the port is the web front end: a page for every node at its IRI's
    path under the build's base IRI (/paper/..., /person/..., /concept/...), which also
    gives Turtle or JSON-LD to RDF clients. Examples:

    \b
        kg serve --dir exports --port 8000
        curl http://127.0.0.1:8000/sparql --data-urlencode \\
            'query=SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }'
        kg query --endpoint http://127.0.0.1:8000/sparql coauthors --param person=...
    """
    from kg.server import run

    run(
        out,
        host,
        port,
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_bytes=max_bytes,
        max_body=max_body,
        workers=workers,
        memory_mb=memory_mb,
    )
