"""The ``dataset-viewer`` reader on the bundled 002 seed and on small malformed dumps."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.errors import InputError
from kg.records import Item, Paper, Problem
from kg.sources import dataset_viewer
from kg.sources.files import from_text, load

DATA = Path(kg.__file__).parent / "data/iclr"
SEED = DATA / "002_94cbd89857369fa4.txt"
OTHERS = [
    "000_2ddc948775ec2879.txt",
    "001_be56ec5208ff5487.txt",
    "003_b57b60e54dfcfc03.txt",
    "004_8b4b7c88f0a2d83f.txt",
]


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return list(dataset_viewer.READER.read(load(SEED)))


@pytest.fixture(scope="module")
def papers(items: list[Item]) -> list[Paper]:
    return [p for p in items if isinstance(p, Paper)]


def _read(text: str) -> list[Item]:
    return list(dataset_viewer.READER.read(from_text(text, name="x.txt")))


def _by_line(papers: list[Paper], line: int) -> Paper:
    (paper,) = [p for p in papers if p.source.line == line]
    return paper


# --- the bundled seed -------------------------------------------------------------------------


def test_header_is_parsed() -> None:
    header = dataset_viewer.parse_header(load(SEED).lines())
    assert header.columns == dataset_viewer.COLUMNS
    assert header.end == 27


def test_seed_counts(items: list[Item], papers: list[Paper]) -> None:
    assert len(items) == len(papers) == 100
    assert [p.source.line for p in papers] == [28 + 7 * k for k in range(100)]
    assert {(p.venue, p.year, p.decision) for p in papers} == {("ICLR 2021", 2021, "Poster")}
    assert all(p.abstract and p.title and p.authors for p in papers)
    assert all(
        p.urls.forum == f"https://openreview.net/forum?id={p.ids.openreview}" for p in papers
    )
    assert all(p.urls.pdf and p.urls.pdf.startswith("https://openreview.net/pdf/") for p in papers)
    assert all(p.keywords == () and p.tldr is None and p.urls.code == () for p in papers)


def test_first_record(papers: list[Paper]) -> None:
    p = papers[0]
    assert p.title == "A Critique of Self-Expressive Deep Subspace Clustering"
    assert [a.name for a in p.authors] == ["Benjamin David Haeffele", "Chong You", "Rene Vidal"]
    assert p.ids.openreview == "FOyuZ26emy"
    assert p.urls.pdf == "https://openreview.net/pdf/b695594106c11bb76d5334e21cd6ae28728ec857.pdf"
    assert p.abstract is not None and p.abstract.startswith("Subspace clustering is an ")


def test_author_spellings_are_kept(papers: list[Paper]) -> None:
    names = {a.name for p in papers for a in p.authors}
    assert {
        "richard socher",
        "trevor darrell",
        "lemao liu",
        "XINJIE FAN",
        "J Zico Kolter",
        "Kilian Q Weinberger",
        "Núria Armengol Urpí",
        "Alihan Hüyük",
    } <= names
    assert _by_line(papers, 35).authors[0].name == "Alihan Hüyük"
    assert "richard socher" in [a.written for a in _by_line(papers, 539).authors]
    assert _by_line(papers, 112).authors[0].written == "XINJIE FAN"
    assert "Núria Armengol Urpí" in [a.name for a in _by_line(papers, 133).authors]
    assert [a.name for a in _by_line(papers, 455).authors].count("J Zico Kolter") == 1
    assert _by_line(papers, 35).authors[3].name == "Mihaela van der Schaar"
    fan = [a for p in papers for a in p.authors if a.name == "XINJIE FAN"]
    assert fan[0].normalized == "xinjie fan"
    assert all(a.name == a.name.strip() and "," not in a.name for p in papers for a in p.authors)


def test_short_id_and_latex_title(papers: list[Paper]) -> None:
    short = [p for p in papers if p.ids.openreview == "ct8_a9h1M"]
    assert [p.source.line for p in short] == [112]
    assert sorted({len(p.ids.openreview or "") for p in papers}) == [9, 10, 11]
    va_red = _by_line(papers, 532)
    assert va_red.title == "VA-RED$^2$: Video Adaptive Redundancy Reduction"


def test_sniff_scores_only_its_own_format() -> None:
    assert dataset_viewer.sniff(load(SEED)) >= 80
    for name in OTHERS:
        assert dataset_viewer.sniff(load(DATA / name)) == 0, name
    assert dataset_viewer.sniff(from_text('{"title": "T", "authors": ["A B"]}\n')) == 0
    assert dataset_viewer.sniff(from_text("title,authors,abstract\nT,A B,x\n")) == 0


# --- small dumps ------------------------------------------------------------------------------

HEADER = (
    "title\nstringlengths\n5\n99\nurl\nstringlengths\n41\n43\ndetail_url\nstringlengths\n"
    "41\n43\nauthors\nstringlengths\n9\n347\ntags\nstringclasses\n2 values\nabstract\n"
    "stringlengths\n457\n2.38k\npdf\nstringlengths\n71\n71\n"
)


def rec(
    fid: str, title: str = "A Title", url: str | None = None, tags: str = "ICLR 2021,Poster"
) -> str:
    url = url or f"https://openreview.net/forum?id={fid}"
    return (
        f"{title}\n{url}\n{url}\nAnn Lee,bo li*\n{tags}\nAn  abstract.\n"
        f"https://openreview.net/pdf/{fid}.pdf\n"
    )


def test_small_dump_is_read() -> None:
    (paper,) = _read(HEADER + rec("abc_-1", tags="ICLR 2022,Oral").rstrip("\n"))
    assert isinstance(paper, Paper)
    assert paper.source.line == 28
    assert [(a.name, a.equal_contribution) for a in paper.authors] == [
        ("Ann Lee", False),
        ("bo li", True),
    ]
    assert (paper.venue, paper.year, paper.decision) == ("ICLR 2022", 2022, "Oral")
    assert paper.abstract == "An abstract."
    assert paper.urls.pdf == "https://openreview.net/pdf/abc_-1.pdf"


def test_other_header_stats_and_extra_columns() -> None:
    header = (
        "title\nstringlengths\n1\n2\nyear\nint64\n2,020\n2,021\nurl\nstringlengths\n1\n2\n"
        "detail_url\nstringlengths\n1\n2\nauthors\nstringlengths\n1\n2\ntags\n"
        "stringclasses\n7 values\nabstract\nstringlengths\n1\n2\npdf\nstringlengths\n1\n2\n"
    )
    body = (
        "T\n2021\nhttps://openreview.net/forum?id=x1\nhttps://openreview.net/forum?id=x1\n"
        "A B\nICLR 2021,Poster\nabs\nhttps://openreview.net/pdf/x.pdf\n"
    )
    (paper,) = _read(header + body)
    assert isinstance(paper, Paper)
    assert (paper.source.line, paper.title, paper.ids.openreview) == (32, "T", "x1")


def test_non_forum_url_is_a_problem() -> None:
    items = _read(HEADER + rec("a1") + rec("a2", url="https://example.org/p/2") + rec("a3"))
    assert [(type(i).__name__, i.source.line) for i in items] == [
        ("Paper", 28),
        ("Problem", 35),
        ("Paper", 42),
    ]
    assert isinstance(items[1], Problem)
    assert "line 36" in items[1].message and "not an OpenReview forum url" in items[1].message


def test_missing_line_in_the_middle_resynchronises() -> None:
    broken = "\n".join(ln for ln in rec("a2").split("\n") if ln != "An  abstract.")
    items = _read(HEADER + rec("a1") + broken + rec("a3"))
    assert [(type(i).__name__, i.source.line) for i in items] == [
        ("Paper", 28),
        ("Problem", 35),
        ("Paper", 41),
    ]
    assert isinstance(items[1], Problem) and "lines 35-40" in items[1].message
    assert isinstance(items[2], Paper) and items[2].ids.openreview == "a3"


def test_truncated_file_is_a_problem() -> None:
    truncated = "\n".join(rec("a2").split("\n")[:4])
    items = _read(HEADER + rec("a1") + truncated)
    assert [(type(i).__name__, i.source.line) for i in items] == [("Paper", 28), ("Problem", 35)]
    assert isinstance(items[1], Problem)
    assert "truncated" in items[1].message and "4 of its 7" in items[1].message


def test_unknown_decision_is_reported() -> None:
    items = _read(HEADER + rec("a1", tags="ICLR 2021,Maybe"))
    paper, problem = items
    assert isinstance(paper, Paper) and paper.decision is None and paper.year == 2021
    assert isinstance(problem, Problem) and "'Maybe'" in problem.message


def test_missing_columns_are_an_error() -> None:
    header = "title\nstringlengths\n1\n2\nurl\nstringlengths\n1\n2\n"
    with pytest.raises(InputError, match="missing detail_url, authors, tags, abstract, pdf"):
        _read(header + "T\nhttps://openreview.net/forum?id=x\n")
    with pytest.raises(InputError, match=r"columns found: none"):
        _read("just\nsome text\n")
