"""Exceptions that carry a message fit for the user.

The CLI turns any :class:`KGError` into one line on stderr and a non-zero exit; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class KGError(Exception):
    """A user-facing failure: bad input, a missing store, an unknown name."""

    exit_code = 1


class InputError(KGError):
    """An input file that cannot be read; names the file and, where it applies, the line."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class UsageError(KGError):
    """A request that cannot be carried out as asked (unknown format, bad option value)."""

    exit_code = 2


class StoreError(KGError):
    """The store is missing, locked by another build, or unreadable."""
