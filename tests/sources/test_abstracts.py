"""The ``abstracts`` reader on the bundled abstracts (004) and on small made-up files."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.records import Item, Paper, Problem
from kg.sources import abstracts
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

FILE = SEEDS["abstracts"]
PROSE = "We study a problem of some importance and show that it can be solved well."


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return list(abstracts.READER.read(load(FILE)))


@pytest.fixture(scope="module")
def papers(items: list[Item]) -> list[Paper]:
    return [i for i in items if isinstance(i, Paper)]


def _at(papers: list[Paper], line: int) -> Paper:
    (paper,) = [p for p in papers if p.source.line == line]
    return paper


def _read(text: str) -> list[Item]:
    return list(abstracts.READER.read(from_text(text, "x.txt")))


def test_counts(items: list[Item], papers: list[Paper]) -> None:
    assert len(papers) == 425
    assert [i for i in items if isinstance(i, Problem)] == []
    assert all(p.abstract for p in papers)
    assert all(p.authors == () and p.venue is None and p.year is None for p in papers)
    assert all(p.source.file == FILE.name for p in papers)


def test_numbered_titles(papers: list[Paper]) -> None:
    titled = [(papers.index(p) + 1, p.source.line, p.title) for p in papers if p.title]
    assert len(titled) == 14
    assert [line for _, line, _ in titled] == [
        24,
        157,
        247,
        318,
        322,
        532,
        765,
        826,
        958,
        1101,
        1120,
        1143,
        1209,
        1269,
    ]
    assert titled[0] == (11, 24, "Spherical CNNs")
    assert titled[-1] == (424, 1269, "Adversarial Spheres")
    assert titled[4] == (120, 322, "Sobolev GAN")
    spheres = papers[423]
    assert spheres.abstract is not None
    assert spheres.abstract.startswith("State of the art computer vision models")


def test_record_line_is_the_first_line_of_the_run(papers: list[Paper]) -> None:
    assert [p.source.line for p in papers[:4]] == [1, 3, 5, 7]
    assert papers[-1].source.line == 1273


@pytest.mark.parametrize(
    ("line", "joined"),
    [
        (83, "as a multi-document summarization"),
        (83, "typical encoder-decoder architectures"),
        (424, "two scale-invariant atomic operations"),
        (424, "of the Divide-and-Conquer Network"),
        (513, "input-output exam-ples is a challenging problem"),
        (513, "extensively hand-engineered or"),
    ],
)
def test_hyphen_line_ends_join_without_space(papers: list[Paper], line: int, joined: str) -> None:
    abstract = _at(papers, line).abstract
    assert abstract is not None
    assert joined in abstract


def test_other_line_breaks_become_one_space(papers: list[Paper]) -> None:
    many = _at(papers, 974)
    assert many.abstract is not None and "\n" not in many.abstract
    assert many.abstract.startswith("A recent line of work has studied the statistical")
    assert len([p for p in papers if 974 <= p.source.line <= 983]) == 1
    list_items = _at(papers, 119).abstract
    assert list_items is not None
    assert "to have the following properties: 1. All local minima of $G$" in list_items
    assert "samples. With these properties" in list_items
    crossgrad = _at(papers, 163).abstract
    assert crossgrad is not None and " (1) domain-guided perturbation" in crossgrad
    assert all(p.source.line not in (121, 122, 123, 164, 165) for p in papers)
    assert ". This “inference network” outputs" in (_at(papers, 312).abstract or "")


def test_content_kept_as_written(papers: list[Paper]) -> None:
    ligatures = _at(papers, 487).abstract
    assert ligatures is not None and ligatures.count("ﬁ") == 6 and "deﬁned" in ligatures
    assert (_at(papers, 1133).abstract or "").startswith(r"\emph{Tensor train (TT) decomposition}")
    rotnet = _at(papers, 882).abstract or ""
    assert rotnet.endswith(" https://github.com/gidariss/FeatureLearningRotNet")


def test_shortest_and_longest(papers: list[Paper]) -> None:
    lengths = [len(p.abstract or "") for p in papers]
    # FORMATS.md counts from 1 ("index 35"); this is the 35th abstract, index 34 from 0.
    assert (min(lengths), lengths.index(min(lengths))) == (227, 34)
    assert (max(lengths), lengths.index(max(lengths))) == (2216, 167)


def test_sniff_is_modest_and_only_for_abstracts() -> None:
    for name, path in SEEDS.items():
        score = abstracts.sniff(load(path))
        assert score == 30 if name == "abstracts" else score == 0, name
    assert abstracts.sniff(from_text("title,authors,abstract\nT,A B,x\n")) == 0
    assert abstracts.sniff(from_text('{"title": "T", "authors": ["A B"]}\n')) == 0
    assert abstracts.sniff(from_text("hello world\n")) == 0


def test_reader_is_registered() -> None:
    assert abstracts.READER.name == "abstracts"
    assert abstracts.READER.authority == 10


def test_title_number_must_match_the_abstract_count() -> None:
    text = "\n\n".join([PROSE, "3. Wrong Number", PROSE + " Two.", "3. Right Number", PROSE])
    items = _read(text)
    assert [(type(i).__name__, i.source.line) for i in items] == [
        ("Paper", 1),
        ("Problem", 3),
        ("Paper", 3),
        ("Paper", 7),
    ]
    problem = items[1]
    assert isinstance(problem, Problem)
    assert "title numbered 3 precedes abstract number 2" in problem.message
    titles = [i.title for i in items if isinstance(i, Paper)]
    assert titles == [None, "Wrong Number", "Right Number"]


def test_truncated_and_garbage_records_are_problems() -> None:
    text = "\n\n".join(
        [
            "1. Lost Title",
            "1. Real Title",
            PROSE,
            "@@ garbage",
            PROSE + "\nwrapped multi-\nline",
            "9. End",
        ]
    )
    items = _read(text)
    assert [(type(i).__name__, i.source.line) for i in items] == [
        ("Problem", 1),
        ("Paper", 3),
        ("Problem", 7),
        ("Paper", 9),
        ("Problem", 13),
    ]
    messages = [i.message for i in items if isinstance(i, Problem)]
    assert "numbered title 1. 'Lost Title' has no abstract: another numbered title" in messages[0]
    assert "too short to be an abstract" in messages[1]
    assert "numbered title 9. 'End' has no abstract: the file ends" in messages[2]
    last = items[3]
    assert isinstance(last, Paper) and last.title is None
    assert last.abstract == PROSE + " wrapped multi-line"


def test_hyphen_after_space_is_a_dash() -> None:
    (paper,) = _read(PROSE + " -\nnext part")
    assert isinstance(paper, Paper) and paper.abstract == PROSE + " - next part"


def test_no_abstract_at_all_is_an_error() -> None:
    with pytest.raises(InputError, match="no abstract found"):
        _read("1. Only A Title\n\n2. And Another")
