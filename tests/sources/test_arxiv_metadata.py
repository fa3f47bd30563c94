"""The ``arxiv-metadata`` reader on the first 200 lines of the arXiv metadata snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import sources
from kg.errors import InputError
from kg.records import Paper, Problem, Subject
from kg.sources import arxiv_metadata, jsonl
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
SNAPSHOT = EXTERNAL / "arxiv_kaggle_snapshot_head200.jsonl"


def _read(text: str, name: str = "a.jsonl") -> list[Paper | Problem]:
    return list(arxiv_metadata.READER.read(from_text(text, name)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    items = list(arxiv_metadata.READER.read(load(SNAPSHOT)))
    assert all(isinstance(i, Paper) for i in items)
    return items  # type: ignore[return-value]


def test_200_papers_with_ids_lines_and_years(papers: list[Paper]) -> None:
    assert len(papers) == 200
    assert [p.source.line for p in papers] == list(range(1, 201))
    assert papers[0].ids.arxiv == "0704.0001"
    assert papers[199].ids.arxiv == "0704.0200"
    assert {p.year for p in papers} == {2007}
    assert sum(1 for p in papers if p.ids.doi) == 117
    assert sum(1 for p in papers if p.venue) == 109


def test_first_line_fields(papers: list[Paper]) -> None:
    first = papers[0]
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )  # hard-wrapped in the file
    assert first.abstract is not None
    assert first.abstract.startswith(
        "A fully differential calculation in perturbative "
        "quantum chromodynamics is presented for the production"
    )
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert [a.name for a in first.authors] == [
        "C. Balázs",
        "E. L. Berger",
        "P. M. Nadolsky",
        "C.-P. Yuan",
    ]
    assert first.ids.doi == "10.1103/physrevd.76.013009"
    assert first.venue == "Phys.Rev.D76:013009,2007"
    assert first.subjects == (Subject(label="hep-ph", scheme="arxiv"),)


def test_categories_math_and_missing_journal(papers: list[Paper]) -> None:
    second = papers[1]
    assert [s.label for s in second.subjects] == ["math.CO", "cs.CG"]
    assert {s.scheme for s in second.subjects} == {"arxiv"}
    assert second.venue is None
    assert second.abstract is not None and "the $(k,\\ell)$-pebble game" in second.abstract


def test_accents_and_suffixes_from_authors_parsed(papers: list[Paper]) -> None:
    assert papers[8].authors[5].name == "Neal J. Evans II"
    assert papers[48].authors[0].name == "Mikkel Øbro"  # authors: Mikkel {\O}bro
    assert [a.name for a in papers[61].authors][:2] == ["Rastislav Šrámek", "Broňa Brejová"]
    assert papers[61].authors[0].normalized == "rastislav sramek"


def test_affiliations_as_written_without_footnote_numbers(papers: list[Paper]) -> None:
    written = [x.raw for p in papers for a in p.authors for x in a.affiliations]
    assert len(written) == 40 and "Oxford" in written and "Serpukhov, IHEP" in written
    assert not any(x.name or x.id for p in papers for a in p.authors for x in a.affiliations)
    (paper,) = _read(
        json.dumps(
            {
                "id": "0704.0001",
                "title": "T",
                "categories": "hep-ph",
                "authors_parsed": [
                    ["Mishchenko", "A. S.", "", "1 and 2"],
                    ["Lee", "Ann", "", "MIT", ""],
                ],
            }
        )
    )
    assert isinstance(paper, Paper)
    assert [[x.raw for x in a.affiliations] for a in paper.authors] == [[], ["MIT"]]


def test_leftover_latex_in_parsed_names_is_decoded_and_year_falls_back_to_the_id() -> None:
    line = json.dumps(
        {
            "id": "hep-th/9901001",
            "title": "Old  style",
            "authors_parsed": [['Sch{\\"o}n', "J\\'{e}r\\^ome", ""]],
            "categories": "hep-th",
            "versions": [],
        }
    )
    (paper,) = _read(line)
    assert isinstance(paper, Paper)
    assert paper.authors[0].name == "Jérôme Schön"
    assert paper.year == 1999
    (new,) = _read(
        json.dumps(
            {
                "id": "2105.01234",
                "title": "New",
                "categories": "cs.LG",
                "authors_parsed": [["Lee", "Ann", ""]],
            }
        )
    )
    assert isinstance(new, Paper) and new.year == 2021


def test_bad_lines_are_problems_and_the_rest_is_read() -> None:
    good = SNAPSHOT.read_text(encoding="utf-8").split("\n")[:2]
    text = "\n".join(
        [
            good[0],
            '{"id": "0704.9999", "title": "cut',
            "[1, 2]",
            json.dumps({"id": "x", "categories": "cs.AI", "authors_parsed": []}),
            good[1],
        ]
    )
    items = _read(text, "snap.jsonl")
    assert [type(i).__name__ for i in items] == ["Paper", "Problem", "Problem", "Problem", "Paper"]
    assert [
        (i.source.line, i.message.split(" (")[0].split(";")[0])
        for i in items
        if isinstance(i, Problem)
    ] == [
        (2, "not valid JSON"),
        (3, "expected a JSON object, found list"),
        (4, "line has no title"),
    ]
    bad_json = items[1]
    assert isinstance(bad_json, Problem) and bad_json.source.file == "snap.jsonl"
    assert bad_json.message == ("not valid JSON (Unterminated string at column 30); line skipped")


def test_no_readable_line_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^bad\.jsonl: no paper could be read"):
        _read("{oops\n", "bad.jsonl")


def test_sniff_beats_the_generic_jsonl_reader() -> None:
    snapshot = load(SNAPSHOT)
    assert arxiv_metadata.sniff(snapshot) == 98
    assert jsonl.sniff(snapshot) < arxiv_metadata.sniff(snapshot)
    assert sources.detect(snapshot).name == "arxiv-metadata"
    plain = from_text(json.dumps({"title": "T", "authors": ["A B"], "abstract": "x"}) + "\n")
    assert arxiv_metadata.sniff(plain) == 0
    others = [p for p in EXTERNAL.iterdir() if p != SNAPSHOT]
    for path in [*SEEDS.values(), *others]:
        assert arxiv_metadata.sniff(load(path)) == 0, path.name
