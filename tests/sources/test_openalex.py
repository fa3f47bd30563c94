"""The ``openalex`` reader on one page of 50 works from the OpenAlex API."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from kg.errors import InputError
from kg.records import Affiliation, Paper, Problem, Subject
from kg.sources import openalex
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
PAGE = EXTERNAL / "openalex_works_api_page_50.json"


def _read(text: str, name: str = "works.json") -> list[Paper | Problem]:
    return list(openalex.READER.read(from_text(text, name)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    items = list(openalex.READER.read(load(PAGE)))
    assert all(isinstance(i, Paper) for i in items)
    return items  # type: ignore[return-value]


def test_50_papers_with_dois_ids_and_abstracts(papers: list[Paper]) -> None:
    assert len(papers) == 50
    assert sum(1 for p in papers if p.abstract) == 49
    assert papers[44].title == "Financing incentives for the protection of biodiversity"
    assert papers[44].abstract is None
    assert all(
        p.ids.doi and p.ids.doi == p.ids.doi.lower() and p.ids.doi.startswith("10.") for p in papers
    )
    assert papers[0].ids.doi == "10.1596/1813-9450-3630"
    assert dict(papers[0].ids.other) == {"openalex": "W1934649023"}
    assert (papers[0].year, papers[0].venue) == (2005, "World Bank policy research working paper")
    assert {p.source.line for p in papers} == {1}  # the page is one line
    assert sum(1 for p in papers if p.venue is None) == 3


def test_works_on_one_line_keep_distinct_ids() -> None:
    from kg.reading import read_source
    from kg.sources import SourceSpec

    loaded = read_source(SourceSpec(PAGE), "openalex")
    ids = [p.id for p in loaded.papers]
    assert len(set(ids)) == 50
    assert ids[:3] == [
        "openalex_works_api_page_50.json:1",
        "openalex_works_api_page_50.json:1#1",
        "openalex_works_api_page_50.json:1#2",
    ]


def test_abstract_rebuilt_from_the_inverted_index(papers: list[Paper]) -> None:
    hotspot = papers[2]
    assert hotspot.title == (
        "Integrating Agricultural Landscapes with Biodiversity Conservation "
        "in the Mesoamerican Hotspot"
    )
    assert hotspot.abstract is not None
    assert hotspot.abstract.startswith(
        "The major challenge in tropical land management is to meet the ever-growing demand for "
        "agricultural products while conserving biodiversity, providing critical ecosystem "
        "services, and maintaining rural livelihoods."
    )
    assert len(hotspot.abstract.split(" ")) == 3561
    assert dict(hotspot.ids.other) == {"openalex": "W2125576237", "pmid": "18254848"}
    assert (hotspot.venue, hotspot.year) == ("Conservation Biology", 2008)


def test_authorships_in_order_with_raw_names(papers: list[Paper]) -> None:
    authors = papers[2].authors
    assert len(authors) == 12
    assert (authors[0].written, authors[0].name) == ("CELIA A. HARVEY", "Célia A. Harvey")
    assert (authors[-2].written, authors[-2].name) == ("MICHIEL VAN BREUGEL", "Michiel van Breugel")
    assert authors[-1].name == "Mark Wishnie"
    assert papers[0].authors[0].name == "Daniel Kaufmann"


def test_concepts_and_keywords_as_subjects(papers: list[Paper]) -> None:
    subjects = papers[2].subjects
    assert subjects[0] == Subject(
        label="Biodiversity",
        scheme="openalex",
        score=0.6872636,
        id="https://openalex.org/C130217890",
    )
    assert sum(1 for s in subjects if s.scheme == "openalex") == 16
    assert [s.label for s in subjects if s.scheme == "openalex-keyword"] == [
        "Biodiversity hotspot",
        "Hotspot (geology)",
        "Agricultural biodiversity",
    ]
    assert sum(1 for p in papers for s in p.subjects if s.scheme == "openalex") == 753
    assert sum(1 for p in papers for s in p.subjects if s.scheme == "openalex-keyword") == 68


def _work(**extra: Any) -> dict[str, Any]:
    work = {
        "id": "https://openalex.org/W1",
        "doi": "https://doi.org/10.1000/ABC.Def",
        "title": "A &amp; B: <i>in vivo</i>",
        "publication_year": 2020,
        "authorships": [
            {
                "author_position": "first",
                "raw_author_name": "Lee, Ann",
                "author": {"display_name": "Ann Lee"},
            }
        ],
        "abstract_inverted_index": {"world": [1], "Hello": [0, 2]},
        "primary_location": {"source": {"display_name": "Journal X"}},
        "locations": [{"landing_page_url": "https://arxiv.org/abs/2101.00001"}],
    }
    work.update(extra)
    return work


@pytest.mark.parametrize("shape", ["single", "array", "page"])
def test_single_work_array_and_page_shapes(shape: str) -> None:
    value: Any = {
        "single": _work(),
        "array": [_work()],
        "page": {"meta": {"count": 1}, "results": [_work()]},
    }[shape]
    (paper,) = _read(json.dumps(value, indent=1))
    assert isinstance(paper, Paper)
    assert paper.title == "A & B: in vivo"
    assert paper.abstract == "Hello world Hello"
    assert paper.ids.doi == "10.1000/abc.def"
    assert paper.ids.arxiv == "2101.00001"
    assert (paper.authors[0].written, paper.authors[0].name) == ("Lee, Ann", "Ann Lee")
    assert (paper.venue, paper.year) == ("Journal X", 2020)
    assert paper.source.line == (1 if shape == "single" else 2 if shape == "array" else 6)


def test_untitled_work_and_non_object_are_problems() -> None:
    items = _read(json.dumps([_work(title=None, display_name=None), 42, _work()], indent=1))
    assert [type(i).__name__ for i in items] == ["Problem", "Problem", "Paper"]
    first, second = (i for i in items if isinstance(i, Problem))
    assert first.source.line == 2 and "has no title" in first.message
    assert "result 1 is a int" in second.message


def test_json_cut_in_half_names_file_line_and_column() -> None:
    text = PAGE.read_text(encoding="utf-8")
    with pytest.raises(InputError) as err:
        _read(text[: len(text) // 2], "page.json")
    assert str(err.value).startswith("page.json:1: not valid JSON at line 1, column ")
    assert str(err.value).endswith("(the file looks cut short)")


def test_other_json_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^x\.json:1: expected an OpenAlex work"):
        _read('{"meta": {}, "group_by": []}', "x.json")


def test_sniff_scores_the_page_and_nothing_else() -> None:
    assert openalex.sniff(load(PAGE)) >= 80
    assert openalex.sniff(from_text(json.dumps(_work()))) >= 80
    others = [p for p in EXTERNAL.iterdir() if p != PAGE]
    for path in [*SEEDS.values(), *others]:
        assert openalex.sniff(load(path)) == 0, path.name


def test_docstring_examples() -> None:
    assert doctest.testmod(openalex).failed == 0


def test_authors_keep_openalex_ids_orcids_and_institutions(papers: list[Paper]) -> None:
    authors = [a for p in papers for a in p.authors]
    assert len(authors) == 163
    assert sum(1 for a in authors if dict(a.ids).get("openalex")) == 163
    assert sum(1 for a in authors if dict(a.ids).get("orcid")) == 82
    institutions = [x for a in authors for x in a.affiliations if x.id]
    assert sum(1 for a in authors if any(x.id for x in a.affiliations)) == 96
    assert len(institutions) == 99 and all(x.id and x.id.startswith("ror:") for x in institutions)
    assert all(x.name and x.country for x in institutions)
    assert all(x.raw for x in institutions)  # every institution has its raw string
    assert sum(1 for a in authors for x in a.affiliations if not x.id) == 14  # raw strings only
    kaufmann, kraay, mastruzzi = papers[0].authors
    assert kaufmann.ids == (("openalex", "A5084264679"), ("orcid", "0000-0003-3260-0660"))
    assert kaufmann.affiliations == (
        Affiliation(
            name="Brookings Institution",
            id="ror:04aj4sh46",
            country="US",
            raw="The Brookings Institution",
        ),
    )
    assert kraay.affiliations[0].raw == "World Bank Development Research Group (DECRG)"
    assert mastruzzi.ids == (("openalex", "A5003165208"),)
    assert mastruzzi.affiliations == (Affiliation(raw="World Bank Institute"),)


def test_raw_strings_follow_their_institution_links() -> None:
    mit = {
        "id": "https://openalex.org/I63966007",
        "display_name": "MIT",
        "ror": "https://ror.org/042nb2s44",
        "country_code": "us",
    }
    lab = {"id": "https://openalex.org/I4210", "display_name": "A Lab", "ror": None}
    authorship = {
        "raw_author_name": "Ann Lee",
        "author": {"id": "https://openalex.org/A1234", "orcid": "0000-0002-1825-0098"},
        "institutions": [mit, lab],
        "raw_affiliation_strings": ["CSAIL, MIT", "A Lab and MIT", "Somewhere"],
        "affiliations": [
            {
                "raw_affiliation_string": "CSAIL, MIT",
                "institution_ids": ["https://openalex.org/I63966007"],
            },
            {
                "raw_affiliation_string": "A Lab and MIT",
                "institution_ids": ["https://openalex.org/I63966007", "https://openalex.org/I4210"],
            },
            {"raw_affiliation_string": "Somewhere", "institution_ids": []},
        ],
    }
    (paper,) = _read(json.dumps(_work(authorships=[authorship])))
    assert isinstance(paper, Paper)
    (author,) = paper.authors
    assert author.ids == (("openalex", "A1234"),)  # the ORCID's check digit is wrong
    assert author.affiliations == (
        Affiliation(name="MIT", id="ror:042nb2s44", country="US", raw="CSAIL, MIT; A Lab and MIT"),
        Affiliation(name="A Lab", id="openalex:I4210", raw="A Lab and MIT"),
        Affiliation(raw="Somewhere"),
    )
    # an older record has one raw string and no links: it is the one institution's
    del authorship["affiliations"], authorship["raw_affiliation_strings"]
    authorship.update(institutions=[mit], raw_affiliation_string="CSAIL, MIT")
    (paper,) = _read(json.dumps(_work(authorships=[authorship])))
    assert isinstance(paper, Paper)
    assert [(a.id, a.raw) for a in paper.authors[0].affiliations] == [
        ("ror:042nb2s44", "CSAIL, MIT")
    ]


def test_odd_shapes_in_authorships_are_ignored() -> None:
    odd = [
        {
            "raw_author_name": "A B",
            "author": {"id": 5, "orcid": ["x"]},
            "institutions": 7,
            "affiliations": [{"raw_affiliation_string": "X", "institution_ids": 3}, 4],
            "raw_affiliation_strings": "not a list",
        },
        {
            "raw_author_name": "C D",
            "author": [],
            "institutions": [{"id": None, "ror": 5, "display_name": {"a": 1}}, "I1"],
        },
    ]
    (paper,) = _read(json.dumps(_work(authorships=odd)))
    assert isinstance(paper, Paper)
    assert [(a.name, a.ids, a.affiliations) for a in paper.authors] == [
        ("A B", (), (Affiliation(raw="X"),)),
        ("C D", (), ()),
    ]
