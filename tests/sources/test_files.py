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
        (gzip.compress(b"hello", mtime=0), "gzip data"),
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


def test_a_device_is_refused_before_it_is_read() -> None:
    """/dev/zero never ends: reading it whole used to hang kg build forever."""
    with pytest.raises(InputError, match="is a device"):
        load("/dev/zero")


def test_binary_data_is_refused_from_the_head_of_an_endless_pipe(tmp_path: Path) -> None:
    """A pipe that yields NULs forever is refused from its first block, not read to the end."""
    import os
    import threading

    fifo = tmp_path / "endless.jsonl"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        try:
            with open(fifo, "wb") as pipe:
                while not stop.is_set():
                    pipe.write(b"\x00" * 65536)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        with pytest.raises(InputError, match="binary data"):
            load(fifo)
    finally:
        stop.set()
        writer.join(5)


def test_a_pipe_of_text_is_read_like_a_file(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "list.jsonl"
    os.mkfifo(fifo)
    data = '{"title": "Piped"}\n' * 10000  # more than one 64 KiB block

    def feed() -> None:
        with open(fifo, "w") as pipe:
            pipe.write(data)

    threading.Thread(target=feed, daemon=True).start()
    assert load(fifo).text == data


@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
@pytest.mark.parametrize("pad", [0, 65534, 65535])
@pytest.mark.parametrize(
    ("tail", "encoding"),
    [
        ('{"a": 1}\r\n{"b": "é€😀"}\r\rlast', "utf-8"),
        ("one\r\ntwo\n", "utf-8-sig"),
        ("Schölkopf\r\n😀\n", "utf-16"),
        ("x\r", "utf-8"),
    ],
)
def test_a_streamed_file_reads_as_its_whole_text(
    tail: str, encoding: str, pad: int, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked a block at a time (a CR at a block's end held back) and streamed line by
    line, a file gives the head, lines and hash its whole decoded text would, whatever
    falls on the edge of its first 64 KiB."""
    import hashlib

    from kg.sources import files

    monkeypatch.setattr(files, "_BLOCK", block)
    data = ("p" * (pad // 2 if encoding == "utf-16" else pad) + tail).encode(encoding)
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    text = decode(data, "f.jsonl")
    source = load(path)
    assert source.head == text[:65536]
    assert list(source.iter_lines()) == text.split("\n")
    assert source.sha256() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert source.text == text


def test_a_file_that_changes_after_its_check_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"title": "A"}\n{"title": "B"}\n', encoding="utf-8")
    source = load(path)
    path.write_bytes(b'{"title": "A"}\n\xff\xfe\n')  # no longer UTF-8
    with pytest.raises(InputError, match=r"^a\.jsonl: cannot be read again \(.utf-8. codec"):
        list(source.iter_lines())
    path.unlink()
    with pytest.raises(InputError, match=r"^a\.jsonl: cannot be read again \(No such file"):
        list(source.iter_lines())
