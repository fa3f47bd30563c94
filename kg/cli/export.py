"""`kg export ...`: the paper table and other exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.common import dir_option, main, named_output, write_output, write_stream
from kg.errors import KGError
from kg.export import outputs


@main.group()
def export() -> None:
    """Export tables and networks from the graph."""


def _format_option(kind: str, default: str) -> Any:
    """``--format``: the choices and their help read from the kind's one table."""
    table = outputs.registry()[kind]
    return click.option(
        "--format",
        "fmt",
        default=default,
        show_default=True,
        type=click.Choice(list(table)),
        help="; ".join(f"{f.name}: {f.description}" for f in table.values()) + ".",
    )


@export.command()
@dir_option
@_format_option("papers", "jsonl")
@click.option("-o", "--output", default="-", help="File to write ('-' for stdout).")
def papers(out: str, fmt: str, output: str) -> None:
    """The cleaned paper table: one line per real paper with its authors and sources."""
    from kg.export.papers import FORMATS
    from kg.store import Store

    write_output(FORMATS[fmt].render(Store.open(out)), output)


def _network_options(func: Any) -> Any:
    func = _format_option("network", "graphml")(func)
    return click.option(
        "-o", "--output", default=None, help="File to write (default: DIR/NAME.EXT)."
    )(func)


def _color_choices() -> list[str]:
    from kg.export.networks import COLOR_BY

    return list(COLOR_BY)


def _write_network(
    graph: Any, fmt: str, output: str | None, out: str, name: str, title: str
) -> None:
    from kg.export.formats import EXPORTERS, write

    stream = False
    if output is not None:
        output, stream = named_output(output)
    if stream:
        assert output is not None
        if not EXPORTERS[fmt].extension:
            raise KGError(f"{output}: the {fmt} export writes two files; name a file, not a stream")
        write_stream(output, EXPORTERS[fmt].render(graph, title)[""])
        click.echo(
            f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
            err=True,
        )
        return
    target = output or str(Path(out) / f"{name}{EXPORTERS[fmt].extension or '.csv'}")
    for path in write(graph, fmt, target, title):
        click.echo(
            f"wrote {path} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)",
            err=True,
        )


@export.command()
@dir_option
@click.option("--person", default=None, help="Only this person's network (a name or IRI).")
@click.option(
    "--hops",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10),
    help="With --person: how many co-author steps away to go.",
)
@click.option(
    "--min-papers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Leave out people with fewer papers.",
)
@click.option(
    "--min-weight",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Leave out ties with fewer joint papers, then the people left without ties.",
)
@click.option(
    "--color-by",
    default="community",
    show_default=True,
    type=click.Choice(_color_choices()),
    help="institution: give each person an 'institution' attribute (the organization "
    "on most of their papers) and colour the HTML page by it.",
)
@_network_options
def coauthors(
    out: str,
    person: str | None,
    hops: int,
    min_papers: int,
    min_weight: int,
    color_by: str,
    fmt: str,
    output: str | None,
) -> None:
    """The co-author network: people linked by their joint papers (edge weight)."""
    from kg.export.networks import coauthor_graph
    from kg.store import Store

    graph = coauthor_graph(
        Store.open(out),
        person=person,
        hops=hops if person else None,
        min_papers=min_papers,
        min_weight=min_weight,
        color_by=color_by,
    )
    title = f"Co-authors of {person}" if person else "Co-author network"
    _write_network(graph, fmt, output, out, "coauthors", title)


@export.command()
@click.argument("term")
@dir_option
@click.option(
    "--hops",
    default=1,
    show_default=True,
    type=click.IntRange(1, 5),
    help="How many co-occurrence steps away to go.",
)
@click.option(
    "--kind",
    default="concept",
    show_default=True,
    type=click.Choice(["concept", "method", "dataset", "task"]),
    help="What TERM names.",
)
@click.option("--papers", is_flag=True, help="Add the papers behind the concepts.")
@click.option("--people", is_flag=True, help="Add the papers and their authors.")
@click.option(
    "--min-weight",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Leave out links with fewer joint papers, then the concepts left without links.",
)
@click.option(
    "--include-noise",
    is_flag=True,
    help="Keep the concepts left out as noise by default (generic words, fragments, "
    "weak keywords; see the README).",
)
@_network_options
def neighborhood(
    term: str,
    out: str,
    hops: int,
    kind: str,
    papers: bool,
    people: bool,
    min_weight: int,
    include_noise: bool,
    fmt: str,
    output: str | None,
) -> None:
    """A concept's neighbourhood: the concepts that occur with TERM in the same papers."""
    from kg.export.networks import neighborhood as ego
    from kg.store import Store

    graph = ego(
        Store.open(out),
        term,
        hops=hops,
        kind=kind,
        papers=papers,
        people=people,
        min_weight=min_weight,
        include_noise=include_noise,
    )
    _write_network(graph, fmt, output, out, "neighborhood", f"Around {term}")


@export.command()
@dir_option
@_format_option("rdf", "turtle")
@click.option("-o", "--output", default="-", help="File to write ('-' for stdout).")
def rdf(out: str, fmt: str, output: str) -> None:
    """The graph as RDF for other triple stores (Oxigraph, Virtuoso, Jena, QLever)."""
    from kg.export import rdf as rdf_export
    from kg.store import Store

    write_output(rdf_export.render(Store.open(out), fmt), output)
