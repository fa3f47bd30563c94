import gzip
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources.files import decode, load


def test_utf8_with_crlf_is_normalised() -> None:
    assert decode(b"a\r\nb\rc", "x.txt") == "a\nb\nc"


def test_utf16_with_bom_is_decoded() -> None:
    assert decode("Schölkopf\n".encode("utf-16"), "x.txt") == "Schölkopf\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (gzip.compress(b"hello"), "gzip data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        (b"abc\x00def", "binary data"),
    ],
)
def test_unusable_bytes_name_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        decode(data, "bad.txt")
    assert str(err.value).startswith("bad.txt: ")
    assert message in str(err.value)


def test_latin1_names_the_line_and_suggests_the_encoding() -> None:
    data = "line one\nline two\nSch\xf6lkopf\n".encode("latin-1")
    with pytest.raises(InputError) as err:
        decode(data, "names.txt")
    assert str(err.value).startswith("names.txt:3: not valid utf-8 (byte 0xf6)")
    assert "--encoding latin-1" in str(err.value)
    assert decode(data, "names.txt", "latin-1").endswith("Schölkopf\n")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        load(tmp_path)
