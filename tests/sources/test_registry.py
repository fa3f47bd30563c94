"""The reader registry: names, sniffing of every format, and a test for every reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import sources
from kg.errors import InputError, UsageError
from kg.records import Citation, Paper
from kg.sources.files import SourceFile, from_text, load
from tests.conftest import SEEDS
from tests.sources.test_external_sniffing import EXPECTED, EXTERNAL

HERE = Path(__file__).parent
GOLDEN_INPUT = HERE.parent / "data" / "golden" / "input"

#: One real file per reader (a new reader needs one here).
SAMPLES: dict[str, Path] = {
    **SEEDS,
    **{reader: EXTERNAL / name for name, reader in sorted(EXPECTED.items(), reverse=True)},
    "jsonl": GOLDEN_INPUT / "papers.jsonl",
}
#: Readers whose sample is a few lines of text.
TEXT_SAMPLES = {"csv": "title,authors,abstract\nA Title,Ann Lee; Bo Chen,An abstract.\n"}


def _sample(name: str) -> SourceFile:
    if name in TEXT_SAMPLES:
        return from_text(TEXT_SAMPLES[name], f"sample.{name}")
    return load(SAMPLES[name])


@pytest.mark.parametrize("name", list(sources.registry()))
def test_every_reader_reads_its_sample(name: str) -> None:
    source = _sample(name)
    reader, items = sources.read(source)
    assert reader.name == name
    found = [i for i in items if isinstance(i, (Paper, Citation))]
    assert found, f"{name} read nothing from its sample"


@pytest.mark.parametrize(("name", "path"), sorted(SEEDS.items()))
def test_each_seed_is_recognised_by_content(name: str, path: Path) -> None:
    assert sources.detect(load(path)).name == name


def test_renamed_file_is_still_recognised(tmp_path: Path) -> None:
    renamed = tmp_path / "papers.csv"
    renamed.write_bytes(SEEDS["paper-list"].read_bytes())
    assert sources.detect(load(renamed)).name == "paper-list"


def test_user_formats_are_recognised() -> None:
    line = json.dumps({"title": "T", "authors": ["A B"], "abstract": "x"})
    assert sources.detect(from_text(line + "\n")).name == "jsonl"
    assert sources.detect(from_text("title,authors,abstract\nT,A B,x\n")).name == "csv"


def test_unrecognised_content_names_the_file_and_the_formats() -> None:
    with pytest.raises(InputError) as err:
        sources.detect(from_text("hello world\n", "notes.txt"))
    message = str(err.value)
    assert message.startswith("notes.txt: format not recognised")
    assert all(name in message for name in sources.registry())


def test_unknown_format_lists_the_valid_ones() -> None:
    with pytest.raises(UsageError, match="unknown format 'docx'; choose one of: auto, "):
        sources.get("docx")


@pytest.mark.parametrize("name", list(sources.registry()))
def test_every_reader_has_its_own_test_module(name: str) -> None:
    module = sources.registry()[name].read.__module__.rsplit(".", 1)[-1]
    assert (HERE / f"test_{module}.py").is_file(), f"reader {name!r} has no tests"


@pytest.mark.parametrize("name", list(sources.registry()))
def test_every_reader_is_described(name: str) -> None:
    reader = sources.registry()[name]
    assert len(reader.description) > 20
    assert reader.name == name
