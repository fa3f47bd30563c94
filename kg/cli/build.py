"""`kg build`: read sources and write the store and exports."""

from __future__ import annotations

import sys
import warnings
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
@click.option("--extract/--no-extract", default=True, show_default=True,
              help="Extract methods, datasets, tasks and keywords from abstracts; "
              "--no-extract builds the bibliographic graph only.")
@click.option("--workers", default=0, type=click.IntRange(0, 64),
              help="Extraction worker processes (0: one per core, at most 4).")
@click.option("--model", default="auto", show_default=True,
              help="spaCy pipeline for extraction: auto, a package name, or 'none' (rules "
              "only).")
def build(sources: tuple[Path, ...], fmt: str, out: str, base_iri: str, venue: str | None,
          year: int | None, encoding: str | None, extract: bool, workers: int,
          model: str) -> None:
    """Build the knowledge graph from SOURCES (default: the bundled ICLR corpus).

    Writes DIR/store (the embedded store), DIR/graph.ttl, DIR/graph.nq (one named graph
    per source), DIR/papers.jsonl and DIR/build-report.json. The previous build in DIR
    stays untouched until the new one is complete.
    """
    from kg.extract import FallbackWarning, default_workers
    from kg.pipeline import EXTRACT_UNITS, STEPS_PER_BUILD, SourceSpec, bundled_sources
    from kg.pipeline import build as run

    specs = ([SourceSpec(p, fmt, venue, year) for p in sources] if sources
             else bundled_sources())
    total = len(specs) + STEPS_PER_BUILD + (EXTRACT_UNITS if extract else 0)
    with click.progressbar(length=total, label="building", file=sys.stderr,
                           show_pos=True, item_show_func=lambda s: s) as bar:
        def step(label: str) -> None:
            bar.update(1, label)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FallbackWarning)
            result = run(specs, out=out, base_iri=base_iri, encoding=encoding, step=step,
                         extract=extract, workers=workers or default_workers(),
                         model=None if model.lower() == "none" else model)
    for w in caught:
        if issubclass(w.category, FallbackWarning):
            click.echo(f"kg: warning: {w.message}", err=True)
    t = result["totals"]
    ex = result.get("extraction")
    if ex:
        m = ex["mentions"]
        click.echo(f"extracted {m.get('proposed', 0)} proposed and {m.get('used', 0)} used "
                   f"methods, {m.get('datasets', 0)} datasets, {m.get('tasks', 0)} tasks, "
                   f"{m.get('keywords', 0)} keywords from {ex['papers']} abstracts "
                   f"({ex['concepts']} concepts)", err=True)
    click.echo(
        f"{t['papers']} papers from {t['source_records']} records in {len(result['sources'])} "
        f"sources, {t['people']} people, {t['citations_resolved']}/{t['citations']} citations "
        f"resolved, {t['triples']} triples, {len(result['warnings'])} warnings -> {out}/",
        err=True,
    )
