"""`kg export ...`: the paper table and other exports."""

from __future__ import annotations

import sys

import click

from kg.cli import dir_option, main


@main.group()
def export() -> None:
    """Export tables and networks from the graph."""


@export.command()
@dir_option
@click.option("--format", "fmt", default="jsonl", show_default=True,
              type=click.Choice(["jsonl", "csv"]), help="JSON lines, or a flat CSV table.")
@click.option("-o", "--output", default="-", help="File to write ('-' for stdout).")
def papers(out: str, fmt: str, output: str) -> None:
    """The cleaned paper table: one line per real paper with its authors and sources."""
    from pathlib import Path

    from kg.export.papers import WRITERS
    from kg.outdir import atomic_write_bytes
    from kg.store import Store

    data = WRITERS[fmt](Store.open(out))
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        try:
            atomic_write_bytes(Path(output), data)
        except OSError as exc:
            from kg.errors import KGError

            raise KGError(f"{output}: cannot write ({exc.strerror or exc})") from None
