"""The kg command line: thin click commands over the library API.

Each command parses its options, calls one library function and prints.  A
:class:`~kg.errors.KGError` becomes one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

# Importing each command module registers its commands on the root group.
from kg.cli import build as _build  # noqa: F401
from kg.cli import export as _export  # noqa: F401
from kg.cli import extract as _extract  # noqa: F401
from kg.cli import info as _info  # noqa: F401
from kg.cli import query as _query  # noqa: F401
from kg.cli import serve as _serve  # noqa: F401
from kg.cli.common import main

__all__ = ["main"]
