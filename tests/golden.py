"""Golden export files: every export format of one small build, kept byte for byte.

The input is ``tests/data/golden/input/`` (two JSONL records and two BibTeX entries: one
paper given by both, under two spellings of its DOI, with identifiers and affiliations).
It is built without extraction and exported in every format through the ``kg`` commands,
as a user would; ``tests/export/test_golden.py`` compares the result with
``tests/data/golden/`` byte for byte, so a change in any output is a visible diff in review.

The golden files change only through this command, after checking the diff::

    python -m tests.golden --update     # rewrite tests/data/golden/ from the current code
    python -m tests.golden              # say which files differ (exit status 1 if any)
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main as kg
from kg.export import outputs

GOLDEN = Path(__file__).parent / "data" / "golden"
INPUT = GOLDEN / "input"
UPDATE = "python -m tests.golden --update"

#: What each kind of output is named after, and the command that writes it.
STEMS = {"papers": "papers", "network": "coauthors", "rdf": "graph"}
COMMANDS = {"papers": "papers", "network": "coauthors", "rdf": "rdf"}
#: Formats with no golden file, and why (each has its own tests instead).
LEFT_OUT = {
    ("network", "html"): "the page inlines vis-network: about 700 KB for three people, far "
    "over a golden file's few KB (it is byte-deterministic: two runs on one build give "
    "one page; tests/export/test_html.py checks the page in Chromium)"
}


def formats() -> list[tuple[str, str]]:
    """Every registered output format as (kind, name)."""
    return [(kind, name) for kind, table in outputs.registry().items() for name in table]


def files(kind: str, name: str) -> list[str]:
    """The golden files of one format (a network in CSV is two files)."""
    fmt = outputs.registry()[kind][name]
    stem = STEMS[kind]
    if not fmt.extension:
        return [f"{stem}.nodes.csv", f"{stem}.edges.csv"]
    return [f"{stem}{fmt.extension}"]


def _run(args: Sequence[str]) -> None:
    result = CliRunner().invoke(kg, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"kg {' '.join(args)} failed ({result.exit_code}): {result.output}")


def build(work: Path) -> Path:
    """The golden input built (without extraction) in ``work``; returns the build."""
    out = work / "build"
    _run(["build", *(str(p) for p in sorted(INPUT.iterdir())), "--dir", str(out), "--no-extract"])
    return out


def render(work: Path) -> dict[str, bytes]:
    """Build the golden input in ``work`` and export it, through the ``kg export``
    commands, in every registered format but :data:`LEFT_OUT`: file name → bytes."""
    out = build(work)
    folder = work / "files"
    folder.mkdir()
    for kind, name in formats():
        if (kind, name) in LEFT_OUT:
            continue
        first = files(kind, name)[0]
        target = folder / (f"{STEMS[kind]}.csv" if first.endswith(".nodes.csv") else first)
        _run(["export", COMMANDS[kind], "--dir", str(out), "--format", name, "-o", str(target)])
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def expected() -> dict[str, bytes]:
    """The golden files: file name → bytes."""
    return {
        p.name: p.read_bytes()
        for p in sorted(GOLDEN.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def diff(name: str, want: bytes, got: bytes, lines: int = 40) -> str:
    """The first ``lines`` lines of a unified diff of two versions of a golden file."""
    text = difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(keepends=True),
        got.decode("utf-8", "replace").splitlines(keepends=True),
        f"golden/{name}",
        f"now/{name}",
    )
    shown = list(text)
    more = f"... {len(shown) - lines} more lines\n" if len(shown) > lines else ""
    return "".join(shown[:lines]) + more or "(the bytes differ only in line endings)\n"


def compare(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    """What differs between the rendered files and the golden ones, one message per file."""
    problems = [f"{name}: no golden file (run {UPDATE})" for name in sorted(set(got) - set(want))]
    problems += [
        f"{name}: golden file no export writes (run {UPDATE})"
        for name in sorted(set(want) - set(got))
    ]
    problems += [
        f"{name} differs:\n{diff(name, want[name], got[name])}"
        for name in sorted(set(got) & set(want))
        if got[name] != want[name]
    ]
    return problems


def update(got: dict[str, bytes]) -> list[str]:
    """Write the golden files (and remove stale ones); returns the names that changed."""
    want = expected()
    for name in sorted(set(want) - set(got)):
        (GOLDEN / name).unlink()
    for name, data in got.items():
        if want.get(name) != data:
            (GOLDEN / name).write_bytes(data)
    return sorted(n for n in set(got) | set(want) if got.get(n) != want.get(n))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.golden",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--update", action="store_true", help="rewrite tests/data/golden/ from the current code"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-golden-") as work:
        got = render(Path(work))
    if args.update:
        changed = update(got)
        print(f"{len(changed)} golden file(s) changed: {', '.join(changed) or 'none'}")
        return 0
    problems = compare(got, expected())
    for problem in problems:
        print(problem)
    print(
        f"{len(problems)} of {len(got)} golden files differ"
        if problems
        else f"all {len(got)} golden files match"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
