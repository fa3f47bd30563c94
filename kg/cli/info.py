"""`kg formats`, `kg stats`, `kg validate`, `kg explain`: what kg reads and what a build holds."""

from __future__ import annotations

import json

import click

from kg.cli.common import dir_option, main


@main.command()
@dir_option(help="Accepted as by every command; the formats are the same for every build.")
def formats(out: str) -> None:
    """List the formats kg reads and writes: inputs (`kg build --format`), exports
    (`kg export ... --format`) and query results (`kg query --format`)."""
    from kg import sources
    from kg.export import outputs
    from kg.resultformats import FORMATS, FORMS

    tables: list[tuple[str, dict[str, str]]] = [
        (
            "input formats (kg build --format)",
            {n: r.description for n, r in sources.registry().items()},
        ),
        *(
            (
                f"{outputs.KINDS[kind][0]} formats ({outputs.KINDS[kind][1]} --format)",
                {n: f.description for n, f in table.items()},
            )
            for kind, table in outputs.registry().items()
        ),
        (
            "query result formats (kg query --format)",
            {n: f"{f.description} ({FORMS[f.form]})" for n, f in FORMATS.items()},
        ),
    ]
    for i, (title, rows) in enumerate(tables):
        click.echo(f"{chr(10) if i else ''}{title}:")
        width = max(len(n) for n in rows)
        for name, text in rows.items():
            click.echo(f"  {name.ljust(width)}  {text}")


@main.command()
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(out: str, as_json: bool) -> None:
    """Counts of papers, people, concepts, citations and triples in the graph."""
    from kg.stats import stats as compute
    from kg.store import Store
    from kg.text import terminal_safe

    result = compute(Store.open(out))
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for key, value in result.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for k, v in value.items():  # venue and decision names come from the sources
                click.echo(terminal_safe(f"  {k}: {v}", keep_newlines=False))
        else:
            click.echo(f"{key}: {value}")


@main.command()
@dir_option
@click.option("--report", "show", is_flag=True, help="Print the full SHACL report.")
def validate(out: str, show: bool) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl); exit 1 on violations."""
    from kg.store import Store
    from kg.validate import validate as run

    result = run(Store.open(out))
    if show or not result.conforms:
        click.echo(result.text)
    if not result.conforms:
        click.echo(f"kg: {result.violations} SHACL violations", err=True)
        raise SystemExit(1)
    click.echo("the graph conforms to the shapes", err=True)


@main.group()
def explain() -> None:
    """Why a build resolved something the way it did (from DIR/build-report.json)."""


@explain.command("person")
@dir_option
@click.argument("name")
def explain_person(out: str, name: str) -> None:
    """Who the people named NAME are in the build, and why they were joined or kept apart.

    Lists each person of that name with their papers, then every decision: slots joined
    by a shared identifier or email, joined or kept apart by the model (its probability,
    what a join needs, and the evidence: shared co-authors, co-authors' co-authors, topic
    similarity, institutions, years, how common the name is).
    """
    from kg.explain import person
    from kg.text import terminal_safe

    for line in person(out, name):
        click.echo(terminal_safe(line, keep_newlines=False))
