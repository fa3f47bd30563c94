"""`kg build`: read sources and write the store and exports."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import dir_option, main, say
from kg.graph.vocab import DEFAULT_BASE, Minter

if TYPE_CHECKING:
    from kg.builds import BuildOptions, BuildReport
    from kg.sources import SourceSpec


def _format_choices() -> list[str]:
    from kg import sources

    return ["auto", *sources.registry()]


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(_format_choices()),
    help="Input format of every SOURCE; `auto` recognises each file by its content.",
)
@dir_option
@click.option(
    "--base-iri",
    default=None,
    help=f"Base under which paper, person and concept IRIs are minted [default: "
    f"{DEFAULT_BASE}, or for --add/--remove the build's own].",
)
@click.option(
    "--venue", default=None, help="Venue for records that do not name one, e.g. 'ICLR 2020'."
)
@click.option("--year", default=None, type=int, help="Year for records that do not give one.")
@click.option(
    "--encoding",
    default=None,
    help="Text encoding of the sources (default: UTF-8, or as a BOM says).",
)
@click.option(
    "--extract/--no-extract",
    default=None,
    help="Extract methods, datasets, tasks and keywords from abstracts; "
    "--no-extract builds the bibliographic graph only [default: extract, or for "
    "--add/--remove as the build did].",
)
@click.option(
    "--workers",
    default=0,
    type=click.IntRange(0, 64),
    help="Worker processes for extraction, and for resolving people with --emit resolution"
    " (0: one per core, at most 4).",
)
@click.option(
    "--model",
    default=None,
    help="spaCy pipeline for extraction: auto, a package name, or 'none' (rules "
    "only) [default: auto, or for --add/--remove as the build did].",
)
@click.option(
    "--add",
    "add",
    is_flag=True,
    help="Add SOURCES to the build already in DIR: the same graph as a full build "
    "of all its sources, but only new texts are extracted and the store is "
    "updated, not reloaded.",
)
@click.option(
    "--remove",
    "remove",
    multiple=True,
    metavar="FILE",
    help="Drop a source (its path, or its file name) from the build in DIR, and "
    "everything that depended on it only. Repeatable; combines with --add.",
)
@click.option(
    "--emit",
    "emit_format",
    type=click.Choice(["nquads", "resolution"]),
    default=None,
    help="nquads, with --shard: write only this shard's statements as N-Quads into DIR "
    "(no store, no exports). resolution: resolve papers and people once into "
    "DIR/resolution.json.gz, which the shards and the merge in DIR then read instead of "
    "each resolving all SOURCES again.",
)
@click.option(
    "--shard", default=None, metavar="I/N", help="With --emit: which shard to write (0 <= I < N)."
)
@click.option(
    "--from-shards",
    "from_shards",
    default=None,
    metavar="SHARDS",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build DIR from the shards in SHARDS (written by --emit nquads --shard) "
    "of the same SOURCES.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: run --shards N shards on Dask distributed, then merge them.",
)
@click.option(
    "--shards",
    "n_shards",
    default=4,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Shards for --engine dask.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler for --engine dask (default: a local cluster of 2 processes).",
)
def build(
    sources: tuple[Path, ...],
    fmt: str,
    out: str,
    base_iri: str | None,
    venue: str | None,
    year: int | None,
    encoding: str | None,
    extract: bool | None,
    workers: int,
    model: str | None,
    add: bool,
    remove: tuple[str, ...],
    emit_format: str | None,
    shard: str | None,
    from_shards: Path | None,
    engine: str,
    n_shards: int,
    scheduler: str | None,
) -> None:
    """Build the knowledge graph from SOURCES (default: the bundled ICLR corpus).

    Writes DIR/store (the embedded store), DIR/graph.ttl, DIR/graph.nq (one named graph
    per source), DIR/papers.jsonl and DIR/build-report.json. The previous build in DIR
    stays untouched until the new one is complete.

    \b
    Incremental:  kg build --add new.jsonl        kg build --remove old.bib
    Sharded:      kg build SOURCES --emit resolution --dir shards   (optional, once)
                  kg build SOURCES --emit nquads --shard 0/4 --dir shards   (each I)
                  kg build SOURCES --from-shards shards --dir exports
    Distributed:  kg build SOURCES --engine dask --shards 8 [--scheduler tcp://host:8786]
    """
    from kg import manifest
    from kg.builds import BuildOptions
    from kg.errors import UsageError
    from kg.extract import FallbackWarning, default_workers
    from kg.pipeline import EXTRACT_UNITS, STEPS_PER_BUILD, bundled_sources
    from kg.pipeline import build as run
    from kg.sources import SourceSpec

    if (emit_format == "nquads") != (shard is not None):
        raise UsageError("--emit nquads and --shard I/N go together")
    if emit_format == "resolution" and (add or remove or from_shards or engine != "local"):
        raise UsageError("--emit resolution writes DIR/resolution.json.gz for shards only")
    if add and not sources:
        raise UsageError("--add needs the SOURCES to add")
    if remove and sources and not add:
        raise UsageError("SOURCES with --remove: give --add too to add them, or leave them out")
    if (add or remove) and (shard or from_shards or engine != "local"):
        raise UsageError(
            "--add/--remove change a built DIR; they do not combine with shards or --engine"
        )
    given = [SourceSpec(p, fmt, venue, year) for p in sources]
    specs = given or bundled_sources()
    # --add/--remove keep the options the build was made with, unless given again
    kept = (manifest.options(Path(out)) if add or remove else None) or BuildOptions()
    options = BuildOptions(
        base_iri=base_iri or kept.base_iri,
        extract=extract if extract is not None else kept.extract,
        model=kept.model if model is None else None if model.lower() == "none" else model,
        encoding=encoding or kept.encoding,
        workers=workers or default_workers(),
    )
    Minter(options.base_iri)  # a bad --base-iri fails before any work, on every path below
    if emit_format == "resolution":
        from kg.bounded import pooled
        from kg.shards import write_resolution

        with _writing(out):
            path = write_resolution(
                specs,
                out,
                options.encoding,
                run=pooled(options.workers),  # the people's parts, on --workers processes
                step=lambda label: click.echo(f"kg: {label}", err=True),
            )
        click.echo(f"resolution -> {path}", err=True)
        return
    if shard is not None:
        with _writing(out):
            _emit_shard(specs, shard, out, dataclasses.replace(options, workers=1))
        return
    if engine == "dask":
        from kg.outdir import check_replaceable

        check_replaceable(Path(out), [s.path for s in specs])  # before the distributed run
        with _writing(out):
            _run_dask(specs, n_shards, out, scheduler, dataclasses.replace(options, workers=1))
        from_shards = Path(out) / "shards"
    extracting = options.extract and not from_shards
    total = len(specs) + STEPS_PER_BUILD + (EXTRACT_UNITS if extracting else 0)
    if from_shards is not None:
        from kg.shards import RESOLUTION

        total += (from_shards / RESOLUTION).is_file()  # a step of its own: reading it
    with click.progressbar(
        length=total, label="building", file=sys.stderr, show_pos=True, item_show_func=lambda s: s
    ) as bar:

        def step(label: str) -> None:
            bar.update(1, label)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FallbackWarning)
            if from_shards is not None:
                from kg.shards import build_from_shards

                result = build_from_shards(
                    specs, from_shards, out, options.base_iri, options.encoding, step
                )
                if engine == "dask":  # the merged build holds all of it
                    shutil.rmtree(from_shards, ignore_errors=True)
            else:
                result = run(
                    None if add or remove else specs,
                    out=out,
                    options=options,
                    step=step,
                    add=given if add else (),
                    remove=remove,
                )
    for w in caught:
        if issubclass(w.category, FallbackWarning):
            say(f"kg: warning: {w.message}")
    _summary(result, out)


@contextlib.contextmanager
def _writing(out: str) -> Iterator[None]:
    """A file-system error while writing ``out`` as one clean error line."""
    from kg.errors import StoreError
    from kg.outdir import describe, make_directory

    make_directory(Path(out))
    try:
        yield
    except OSError as exc:
        raise StoreError(f"{describe(exc, out)} (writing {out})") from None


def _emit_shard(specs: list[SourceSpec], shard: str, out: str, options: BuildOptions) -> None:
    from kg.shards import emit_shard, parse

    index, count = parse(shard)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = emit_shard(
            specs,
            index,
            count,
            out,
            options,
            step=lambda label: click.echo(f"kg: {label}", err=True),
        )
    click.echo(f"shard {index}/{count} -> {path}", err=True)


def _run_dask(
    specs: list[SourceSpec], count: int, out: str, scheduler: str | None, options: BuildOptions
) -> None:
    from kg.distributed import run_shards

    folder = Path(out) / "shards"
    # reading each source and resolving (in parts on the cluster), then the shards
    with click.progressbar(
        length=len(specs) + 2 + count,  # each source read, papers and people resolved, shards
        label=f"shards on dask ({scheduler or 'local'})",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda s: s,
    ) as bar:
        run_shards(
            specs,
            count,
            folder,
            scheduler=scheduler,
            options=options,
            progress=lambda path: bar.update(1, path.name),
            step=lambda label: bar.update(1, label),
        )


def _summary(result: BuildReport, out: str) -> None:
    t = result.totals
    ex = result.extraction
    if ex:
        m = ex.mentions
        click.echo(
            f"extracted {m.get('proposed', 0)} proposed and {m.get('used', 0)} used "
            f"methods, {m.get('datasets', 0)} datasets, {m.get('tasks', 0)} tasks, "
            f"{m.get('keywords', 0)} keywords from {ex.papers} abstracts "
            f"({ex.concepts} concepts)",
            err=True,
        )
    click.echo(
        f"{t.papers} papers from {t.source_records} records in {len(result.sources)} "
        f"sources, {t.people} people, {t.citations_resolved}/{t.citations} citations "
        f"resolved, {t.triples} triples, {len(result.warnings)} warnings -> {out}/",
        err=True,
    )
