"""Reading an input file into text, with the checks every reader relies on.

Empty, binary and wrongly encoded files fail here with a message naming the file (and the
line of the first undecodable byte), before any reader sees them.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

_MAGIC = {
    b"\x1f\x8b": "gzip data",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"BZh": "bzip2 data",
    b"\xfd7zXZ": "xz data",
    b"\x7fELF": "an executable",
}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An input file's decoded text.  ``name`` is what messages and the graph call it."""

    path: Path
    name: str
    text: str

    @property
    def head(self) -> str:
        """The first 64 KiB of text: what format sniffing looks at."""
        return self.text[:65536]

    def lines(self) -> list[str]:
        """The text split into lines (no line ends); line ``n`` is ``lines()[n - 1]``."""
        return self.text.split("\n")


def _refuse_binary(data: bytes, name: str) -> None:
    """InputError if the first bytes are a known binary format, or NULs in UTF-8 text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(name, f"this is {what}, not a text file kg can read")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:8192]:
        raise InputError(name, "binary data (NUL bytes), not a text file kg can read")


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode file bytes to text with universal newlines.

    Without an explicit ``encoding``: a BOM picks UTF-8 or UTF-16, otherwise strict UTF-8.
    Raises :class:`InputError` for empty, binary or undecodable data.
    """
    if not data.strip():
        raise InputError(name, "the file is empty")
    if encoding is None:
        _refuse_binary(data, name)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(name, f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            name,
            f"not valid {encoding} (byte 0x{data[exc.start]:02x}); "
            "if the file is Latin-1, try --encoding latin-1",
            line,
        ) from None
    if "\x00" in text:
        raise InputError(name, "binary data (NUL characters), not a text file kg can read")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load(path: str | Path, encoding: str | None = None) -> SourceFile:
    """Read and decode a file; raises :class:`InputError` naming the file on any failure."""
    p = Path(path)
    name = p.name
    try:
        data = _read(p, name, encoding)
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a file") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    return SourceFile(path=p, name=name, text=decode(data, name, encoding))


def _read(p: Path, name: str, encoding: str | None) -> bytes:
    """The file's bytes; a device is refused, and binary data is refused from its head.

    A pipe (``<(cmd)``, ``/dev/stdin``) is read as a file; a character device such as
    ``/dev/zero`` or a terminal never ends, so it is refused before any byte is read.
    """
    with open(p, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise InputError(str(p), "is a device, not a file kg can read")
        head = handle.read(65536)
        if encoding is None:
            _refuse_binary(head, name)  # before reading the rest, which may never end
        return head + handle.read()


def from_text(text: str, name: str = "<text>") -> SourceFile:
    """A source made from a string (tests, stdin, notebooks)."""
    return SourceFile(path=Path(name), name=name, text=text.replace("\r\n", "\n"))
