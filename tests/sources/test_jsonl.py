import json

import pytest

from kg.errors import InputError
from kg.records import Affiliation, Paper, Problem
from kg.sources import jsonl
from kg.sources.files import from_text


def _read(text: str) -> list[Paper | Problem]:
    return list(jsonl.READER.read(from_text(text, "p.jsonl")))  # type: ignore[arg-type]


def test_documented_schema_is_read() -> None:
    line = json.dumps(
        {
            "title": "Attention Is All You Need",
            "authors": [{"name": "Ashish Vaswani", "email": "a@x.org"}, "Noam Shazeer*"],
            "abstract": "The  dominant\nsequence models.",
            "keywords": "transformer; attention",
            "venue": "NeurIPS 2017",
            "year": "2017",
            "decision": "Talk",
            "ids": {"arxiv": "1706.03762", "dblp": "conf/nips/VaswaniSPUJGKP17"},
            "url": "https://openreview.net/forum?id=abc_12-x",
            "code": ["https://github.com/x/y"],
        }
    )
    (paper,) = _read(line)
    assert isinstance(paper, Paper)
    assert paper.title == "Attention Is All You Need"
    assert [a.name for a in paper.authors] == ["Ashish Vaswani", "Noam Shazeer"]
    assert paper.authors[0].email == "a@x.org"
    assert paper.authors[1].equal_contribution
    assert paper.abstract == "The dominant sequence models."
    assert paper.keywords == ("transformer", "attention")
    assert (paper.venue, paper.year, paper.decision) == ("NeurIPS 2017", 2017, "Oral")
    assert paper.ids.arxiv == "1706.03762"
    assert paper.ids.openreview == "abc_12-x"
    assert paper.ids.other == (("dblp", "conf/nips/VaswaniSPUJGKP17"),)
    assert paper.urls.code == ("https://github.com/x/y",)
    assert paper.source.line == 1


def test_author_objects_keep_identifiers_and_affiliations() -> None:
    line = json.dumps(
        {
            "title": "T",
            "authors": [
                {
                    "name": "Ann Lee",
                    "orcid": "https://orcid.org/0000-0002-1825-0097",
                    "openreview": "~Ann_Lee1",
                    "dblp": "not a dblp id!",
                    "s2": "1741101",
                    "affiliations": [
                        "MIT",
                        {
                            "name": "Google",
                            "ror": "https://ror.org/00njsd438",
                            "country": "US",
                            "domain": "google.com",
                        },
                        {"openalex": "A123"},
                        {},
                    ],
                },
                {"name": "Bo Chen", "affiliation": {"openalex": "https://openalex.org/I4210"}},
                "Cy Diaz",
            ],
        }
    )
    (paper,) = _read(line)
    assert isinstance(paper, Paper)
    ann, bo, cy = paper.authors
    assert ann.ids == (
        ("openreview", "~Ann_Lee1"),
        ("orcid", "0000-0002-1825-0097"),
        ("s2", "1741101"),
    )
    assert ann.affiliations == (
        Affiliation(name="MIT", raw="MIT"),
        Affiliation(
            name="Google", id="ror:00njsd438", country="US", domain="google.com", raw="Google"
        ),
    )  # an author's OpenAlex id is no institution's
    assert bo.affiliations == (Affiliation(id="openalex:I4210"),)
    assert (cy.ids, cy.affiliations) == ((), ())


@pytest.mark.parametrize(
    ("authors", "names"),
    [
        ("A One, B Two and C Three", ["A One", "B Two", "C Three"]),
        ("A One; B Two", ["A One", "B Two"]),
        ("A One and B Two", ["A One", "B Two"]),
    ],
)
def test_author_strings_are_split(authors: str, names: list[str]) -> None:
    (paper,) = _read(json.dumps({"title": "T", "authors": authors}))
    assert isinstance(paper, Paper)
    assert [a.name for a in paper.authors] == names


def test_bad_lines_become_problems_with_their_line() -> None:
    text = "\n".join(
        [
            json.dumps({"title": "Good paper"}),
            "{not json",
            "[1, 2]",
            json.dumps({"authors": ["Nobody"]}),
            json.dumps({"title": "Odd", "decision": "maybe", "year": "soon", "colour": "red"}),
        ]
    )
    items = _read(text)
    problems = [(p.source.line, p.message) for p in items if isinstance(p, Problem)]
    assert [line for line, _ in problems] == [2, 3, 4, 5, 5, 5]
    assert "not valid JSON" in problems[0][1]
    assert "expected a JSON object" in problems[1][1]
    assert "neither a title nor an abstract" in problems[2][1]
    messages = " | ".join(m for _, m in problems[3:])
    assert "unknown decision 'maybe'" in messages
    assert "'year' should be a 4-digit year" in messages
    assert "unknown keys ignored: colour" in messages
    assert [p.title for p in items if isinstance(p, Paper)] == ["Good paper", "Odd"]


def test_nothing_readable_is_an_error() -> None:
    with pytest.raises(InputError, match="no paper could be read"):
        _read("{bad\n{worse")
