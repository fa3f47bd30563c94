import pytest

from kg.errors import InputError
from kg.records import Paper, Problem
from kg.sources import csv_table
from kg.sources.files import from_text


def _read(text: str) -> list[Paper | Problem]:
    return list(csv_table.READER.read(from_text(text, "p.csv")))  # type: ignore[arg-type]


def test_rows_become_papers_with_their_line() -> None:
    text = (
        "title,authors,abstract,keywords,year,decision,doi\n"
        'A paper,"Ann Lee; Bo Li",An abstract,"graphs; nets",2020,Poster,10.1/abc\n'
        '"Multi\nline title","X Y",,,,,\n'
    )
    first, second = _read(text)
    assert isinstance(first, Paper) and isinstance(second, Paper)
    assert [a.name for a in first.authors] == ["Ann Lee", "Bo Li"]
    assert (first.year, first.decision, first.ids.doi) == (2020, "Poster", "10.1/abc")
    assert first.keywords == ("graphs", "nets")
    assert first.source.line == 2
    assert second.title == "Multi line title"


def test_tab_and_semicolon_delimiters_are_recognised() -> None:
    for sep in ("\t", ";"):
        text = f"title{sep}authors\nT1{sep}A B\n"
        assert csv_table.sniff(from_text(text)) == 90
        (paper,) = _read(text)
        assert isinstance(paper, Paper) and paper.title == "T1"


def test_extra_cells_are_reported() -> None:
    items = _read("title,year\nT,2020,oops\n")
    assert any(isinstance(i, Problem) and "more cells" in i.message for i in items)


def test_headerless_table_is_an_error() -> None:
    with pytest.raises(InputError, match="header row"):
        _read("a,b\n1,2\n")
