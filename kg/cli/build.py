"""`kg build`: read sources and write the store and exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli import dir_option, main
from kg.graph.vocab import DEFAULT_BASE


def _format_choices() -> list[str]:
    from kg import sources

    return ["auto", *sources.registry()]


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(_format_choices()),
              help="Input format of every SOURCE; `auto` recognises each file by its content.")
@dir_option
@click.option("--base-iri", default=DEFAULT_BASE, show_default=True,
              help="Base under which paper, person and concept IRIs are minted.")
@click.option("--venue", default=None, help="Venue for records that do not name one, "
              "e.g. 'ICLR 2020'.")
@click.option("--year", default=None, type=int, help="Year for records that do not give one.")
@click.option("--encoding", default=None,
              help="Text encoding of the sources (default: UTF-8, or as a BOM says).")
def build(sources: tuple[Path, ...], fmt: str, out: str, base_iri: str, venue: str | None,
          year: int | None, encoding: str | None) -> None:
    """Build the knowledge graph from SOURCES (default: the bundled ICLR corpus).

    Writes DIR/store (the embedded store), DIR/graph.ttl, DIR/graph.nq (one named graph
    per source), DIR/papers.jsonl and DIR/build-report.json. The previous build in DIR
    stays untouched until the new one is complete.
    """
    from kg.pipeline import STEPS_PER_BUILD, SourceSpec, bundled_sources
    from kg.pipeline import build as run

    specs = ([SourceSpec(p, fmt, venue, year) for p in sources] if sources
             else bundled_sources())
    total = len(specs) + STEPS_PER_BUILD
    with click.progressbar(length=total, label="building", file=sys.stderr,
                           show_pos=True, item_show_func=lambda s: s) as bar:
        def step(label: str) -> None:
            bar.update(1, label)

        result = run(specs, out=out, base_iri=base_iri, encoding=encoding, step=step)
    t = result["totals"]
    click.echo(
        f"{t['papers']} papers from {t['source_records']} records in {len(result['sources'])} "
        f"sources, {t['people']} people, {t['citations_resolved']}/{t['citations']} citations "
        f"resolved, {t['triples']} triples, {len(result['warnings'])} warnings -> {out}/",
        err=True,
    )
