"""Reading an input file into text, with the checks every reader relies on.

Empty, binary and wrongly encoded files fail here with a message naming the file (and the
line of the first undecodable byte), before any reader sees them.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Container, Iterator
from pathlib import Path
from typing import BinaryIO

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


class SourceFile:
    """An input file's decoded text.  ``name`` is what messages and the graph call it.

    A regular file is checked whole when it is loaded (encoding, NULs, emptiness) but its
    text is not kept: :attr:`text` reads it again on first use (and keeps it), while
    :meth:`iter_lines` streams it a line at a time.  The JSON-lines readers only stream, so
    a large corpus is never held as one string and a list of its lines (1.3 GB at 1M papers).
    """

    __slots__ = ("_encoding", "_head", "_sha256", "_text", "name", "only", "path")

    def __init__(
        self,
        path: Path,
        name: str,
        text: str | None = None,
        *,
        head: str | None = None,
        encoding: str | None = None,
        sha256: str | None = None,
    ) -> None:
        if text is None and (head is None or encoding is None):
            raise ValueError("a source without its text needs its head and encoding")
        self.path = path
        self.name = name
        self._text = text
        self._head = head
        self._encoding = encoding
        self._sha256 = sha256
        #: the only lines a partial build reads (a shard's records): readers that parse a
        #: line at a time (JSON lines) pass over the others unparsed and unchecked
        self.only: Container[int] | None = None

    def __repr__(self) -> str:
        return f"SourceFile({str(self.path)!r}, {self.name!r})"

    @property
    def text(self) -> str:
        """The whole text, universal newlines (read from the file on first use)."""
        if self._text is None:
            try:
                with open(self.path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise InputError(
                    str(self.path), f"cannot be read ({exc.strerror or exc})"
                ) from None
            self._text = decode(data, self.name, self._encoding)
        return self._text

    @property
    def head(self) -> str:
        """The first 64 KiB of text: what format sniffing looks at."""
        return self._head if self._head is not None else self.text[:65536]

    def lines(self) -> list[str]:
        """The text split into lines (no line ends); line ``n`` is ``lines()[n - 1]``."""
        return self.text.split("\n")

    def iter_lines(self) -> Iterator[str]:
        """The lines of :meth:`lines` one at a time, streamed from the file when its text
        is not held."""
        if self._text is not None:
            text, start = self._text, 0
            while (end := text.find("\n", start)) >= 0:
                yield text[start:end]
                start = end + 1
            yield text[start:]
            return
        line = "\n"  # an empty file is one empty line, as "".split("\n") is
        try:
            with open(self.path, encoding=self._encoding, newline=None) as handle:
                for line in handle:
                    yield line[:-1] if line.endswith("\n") else line
        except (OSError, UnicodeError) as exc:  # it changed or went since it was checked
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError(
                self.name, f"cannot be read again ({why}); did it change during the build?"
            ) from None
        if line.endswith("\n"):
            yield ""

    def sha256(self) -> str:
        """The SHA-256 of the text in UTF-8 (hex)."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return self._sha256


def _refuse_binary(data: bytes, name: str) -> None:
    """InputError if the first bytes are a known binary format, or NULs in UTF-8 text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(name, f"this is {what}, not a text file kg can read")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:8192]:
        raise InputError(name, "binary data (NUL bytes), not a text file kg can read")


def _guess_encoding(head: bytes) -> str:
    """A BOM picks UTF-8 or UTF-16; otherwise UTF-8."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return "utf-8"


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode file bytes to text with universal newlines.

    Without an explicit ``encoding``: a BOM picks UTF-8 or UTF-16, otherwise strict UTF-8.
    Raises :class:`InputError` for empty, binary or undecodable data.
    """
    if not data.strip():
        raise InputError(name, "the file is empty")
    if encoding is None:
        _refuse_binary(data, name)
        encoding = _guess_encoding(data)
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
    """Read and check a file; raises :class:`InputError` naming the file on any failure.

    A regular file is checked a block at a time and streamed again by whoever reads it; a
    pipe is read whole, since it cannot be read twice.
    """
    p = Path(path)
    name = p.name
    try:
        return _load(p, name, encoding)
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a file") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def _load(p: Path, name: str, encoding: str | None) -> SourceFile:
    """The checked file; a device is refused, and binary data is refused from its head.

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
        if stat.S_ISREG(mode):
            checked = _check(handle, head, p, name, encoding)
            if checked is not None:
                return checked
            handle.seek(0)  # something is wrong: decode() names it as it always has
            head = b""
        data = head + handle.read()
    return SourceFile(p, name, decode(data, name, encoding))


#: Bytes read at a time when a file is checked without keeping it.
_BLOCK = 1 << 20


def _check(
    handle: BinaryIO, head: bytes, p: Path, name: str, encoding: str | None
) -> SourceFile | None:
    """The file, checked a block at a time, with its head and hash but not its text;
    ``None`` if :func:`decode` would refuse it (empty, undecodable, NUL characters).

    Its text is what :func:`decode` gives: the same decoder, and ``\\r\\n`` and ``\\r`` made
    ``\\n`` with a ``\\r`` at the end of a block held back until the next.
    """
    codec = encoding or _guess_encoding(head)
    try:
        decoder = codecs.getincrementaldecoder(codec)()
    except LookupError:
        return None
    digest = hashlib.sha256()
    start: list[str] = []
    started = 0
    blank = True
    held = ""
    block = head
    while True:
        if blank and block.strip():
            blank = False
        try:
            text = held + decoder.decode(block, final=not block)
        except UnicodeError:  # e.g. "UTF-16 stream does not start with BOM"
            return None
        held = ""
        if block and text.endswith("\r"):
            text, held = text[:-1], "\r"
        if "\x00" in text:
            return None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        digest.update(text.encode("utf-8"))
        if started < 65536:
            start.append(text)
            started += len(text)
        if not block:
            break
        block = handle.read(_BLOCK)
    if blank:
        return None
    return SourceFile(
        p,
        name,
        head="".join(start)[:65536],
        encoding=codec,
        sha256=digest.hexdigest(),
    )


def from_text(text: str, name: str = "<text>") -> SourceFile:
    """A source made from a string (tests, stdin, notebooks)."""
    return SourceFile(path=Path(name), name=name, text=text.replace("\r\n", "\n"))
