"""The root command group and what every command module shares: ``--dir``, messages on
stderr and writing a command's output where the user asked.

The command modules (:mod:`kg.cli.build`, :mod:`kg.cli.export`, ...) register their
commands on :func:`main`; :mod:`kg.cli` imports them all.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.errors import KGError


class _Group(click.Group):
    """A group that turns user-facing errors into one clean line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as exc:
            say(f"kg: error: {exc}")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("kg: interrupted; nothing was changed", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: turn a research field's literature into a knowledge graph you can query.

    Start with `kg build` (the bundled ICLR corpus, or your own files), then `kg stats`,
    `kg query` and `kg export`. Every command reads and writes the directory given by
    --dir (default: exports/).
    """


def say(line: str) -> None:
    """Print a message on stderr with any control characters from the data escaped."""
    from kg.text import terminal_safe

    click.echo(terminal_safe(line), err=True)


DEFAULT_DIR = "exports"


def dir_option(
    func: Any = None, *, help: str = "Directory a build writes and commands read."
) -> Any:
    """The --dir option every command shares (all but `kg extract`, which reads and writes
    JSON lines): ``@dir_option``, or ``@dir_option(help=...)`` where DIR serves otherwise."""
    option = click.option(
        "--dir",
        "out",
        default=DEFAULT_DIR,
        show_default=True,
        type=click.Path(file_okay=False),
        help=help,
    )
    return option if func is None else option(func)


def named_output(output: str) -> tuple[str, bool]:
    """Where to write for a ``-o`` path the user named, and whether it is a stream.

    ``/dev/null``, ``/dev/stdout``, a terminal or a named pipe exists and is not a regular
    file: an atomic write would rename a new file over it (as root, replacing
    ``/dev/null`` itself), so it is written in place (a stream); a block device or a
    socket is refused.  A link the user names is written through, so the link stays a
    link.  Only for paths the user gave: kg's own default paths inside a build directory
    are always replaced, never written through.
    """
    import stat

    try:
        mode = os.stat(output).st_mode  # follows links: /dev/stdout -> /proc/self/fd/1
    except OSError:
        return output, False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return output, True
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise KGError(f"{output}: a device or socket, not a file kg can write to")
    return (os.path.realpath(output) if os.path.islink(output) else output), False


def write_stream(output: str, data: bytes) -> None:
    """Write ``data`` into the existing stream ``output`` (see :func:`named_output`)."""
    try:
        with open(output, "ab") as handle:  # never truncates or creates: it exists
            handle.write(data)
    except BrokenPipeError:
        raise  # the reader went away, as with `-o -`: no message
    except OSError as exc:
        raise KGError(f"{output}: cannot write ({exc.strerror or exc})") from None


def write_output(data: bytes, output: str) -> None:
    """Write ``data`` to stdout (``-``), into a stream, or atomically to the file ``output``."""
    from kg.outdir import write_export

    if output == "-":
        sys.stdout.buffer.write(data)
        return
    output, stream = named_output(output)
    if stream:
        write_stream(output, data)
        return
    try:
        write_export(Path(output), data)
    except OSError as exc:
        raise KGError(f"{output}: cannot write ({exc.strerror or exc})") from None
