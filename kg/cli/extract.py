"""`kg extract`: methods, datasets, tasks and keywords of abstracts, as JSON lines."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click

from kg.cli import emit, main


def _read(input_path: str) -> tuple[str, list[str]]:
    from kg.errors import InputError

    if input_path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        name = input_path
        try:
            data = Path(input_path).read_bytes()
        except OSError as exc:
            raise InputError(name, f"cannot read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(name, "not UTF-8 text", line) from None
    return name, text.splitlines()


@main.command()
@click.argument("input_path", metavar="[INPUT.jsonl|-]", default="-")
@click.option("-o", "--output", default="-", show_default=True,
              help="File to write ('-' for stdout); written whole or not at all.")
@click.option("--skip-bad", is_flag=True,
              help="Skip malformed lines with a warning instead of stopping.")
@click.option("--workers", default=0, type=click.IntRange(0, 64),
              help="Worker processes (0: one per core, at most 4).")
@click.option("--model", default="auto", show_default=True,
              help="spaCy pipeline to use: auto (the first installed English one), a "
              "package name, or 'none' for rules only.")
@click.option("--quiet", is_flag=True, help="No progress bar or warnings on stderr.")
def extract(input_path: str, output: str, skip_bad: bool, workers: int, model: str,
            quiet: bool) -> None:
    """Extract methods, datasets, tasks and keywords from abstracts.

    Reads JSON lines of {"id", "title", "abstract"} (stdin by default) and writes one line
    per input line: {"id", "methods": [{"name", "role", "start", "end", "confidence"}],
    "datasets": [{"name", "new", ...}], "tasks": [...], "keywords": [...]}, spans being
    character offsets into the abstract. A malformed line stops with its line number
    unless --skip-bad is given.
    """
    from kg.extract import default_workers
    from kg.extract import extract as run
    from kg.extract.pipeline import FallbackWarning
    from kg.extract.texts import parse_lines
    from kg.resolve.concepts import Concepts

    name, lines = _read(input_path)
    texts, problems = parse_lines(lines, name, skip_bad)
    if not quiet:
        for p in problems:
            click.echo(f"kg: warning: {p}", err=True)
    chosen = None if model.lower() == "none" else model
    n_workers = workers or default_workers()
    if len(texts) < 200:
        n_workers = 1  # starting processes costs more than it saves
    out_lines: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FallbackWarning)
        with click.progressbar(length=len(texts), label="extracting", file=sys.stderr,
                               show_pos=True, hidden=quiet or not texts) as bar:
            acronyms = Concepts.learn(t.abstract for t in texts).acronyms
            for result in run(texts, model=chosen, workers=n_workers, warn=True,
                              progress=bar.update, acronyms=acronyms):
                out_lines.append(json.dumps(result.as_dict(), ensure_ascii=False))
    if not quiet:
        for w in caught:
            if issubclass(w.category, FallbackWarning):
                click.echo(f"kg: warning: {w.message}", err=True)
    emit("".join(line + "\n" for line in out_lines).encode("utf-8"), output)
    if not quiet:
        noun = "abstract" if len(texts) == 1 else "abstracts"
        click.echo(f"{len(texts)} {noun} -> {output if output != '-' else 'stdout'}"
                   + (f", {len(problems)} warnings" if problems else ""), err=True)
