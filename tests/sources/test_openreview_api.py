"""The ``openreview-api`` reader: a v1 crawler dump, v2 notes, API answers and bad input."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import pytest

from kg.errors import InputError
from kg.records import Paper, Problem
from kg.sources import openreview_api
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
SAMPLE = EXTERNAL / "openreview_api_v1_forum_nips2018_workshop_sample.json"


def _read(text: str, name: str = "notes.json") -> list[Paper | Problem]:
    return list(openreview_api.READER.read(from_text(text, name)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sample() -> list[Paper | Problem]:
    return list(openreview_api.READER.read(load(SAMPLE)))  # type: ignore[arg-type]


def test_sample_gives_two_papers_and_no_problem(sample: list[Paper | Problem]) -> None:
    assert [type(i).__name__ for i in sample] == ["Paper", "Paper"]
    dropout, pruning = sample
    assert isinstance(dropout, Paper) and isinstance(pruning, Paper)
    assert (dropout.title, dropout.source.line) == ("Targeted Dropout", 6)
    assert (pruning.title, pruning.source.line) == ("Rethinking the Value of Network Pruning", 607)
    assert dropout.ids.openreview == "HkghWScuoQ"
    assert pruning.urls.forum == "https://openreview.net/forum?id=r1eLk2mKiX"
    assert pruning.urls.pdf == (
        "https://openreview.net/pdf/dad7038fa745bf15afe2a9f5692a5c51a5433084.pdf"
    )


def test_sample_authors_emails_and_keywords(sample: list[Paper | Problem]) -> None:
    dropout, pruning = sample
    assert isinstance(dropout, Paper) and isinstance(pruning, Paper)
    assert [(a.name, a.email) for a in dropout.authors] == [
        ("Aidan N. Gomez", "aidan@for.ai"),
        ("Ivan Zhang", "ivan@for.ai"),
        ("Kevin Swersky", "kswersky@google.com"),
        ("Yarin Gal", "yarin@cs.ox.ac.uk"),
        ("Geoffrey E. Hinton", "geoffhinton@google.com"),
    ]
    assert not any(a.ids for a in (*dropout.authors, *pruning.authors))  # emails only
    assert dropout.keywords == ()
    assert pruning.keywords == (
        "Network Pruning",
        "Network Compression",
        "Architecture Search",
        "Training from Scratch",
    )
    assert pruning.tldr is not None and pruning.tldr.startswith("In network pruning, fine-tuning")


def test_sample_decisions_ratings_and_venue_from_replies(sample: list[Paper | Problem]) -> None:
    dropout, pruning = sample
    assert isinstance(dropout, Paper) and isinstance(pruning, Paper)
    # "accept" at a workshop: the paper was accepted to the workshop.
    assert (dropout.decision, pruning.decision) == ("Workshop", "Workshop")
    assert dropout.ratings == (4.0,)
    assert pruning.ratings == (4.0, 4.0, 4.0)
    assert (dropout.venue, dropout.year) == ("NIPS 2018 Workshop CDNNRIA", 2018)


def _v2(note_id: str, **content: Any) -> dict[str, Any]:
    return {
        "id": note_id,
        "forum": note_id,
        "invitations": ["ICLR.cc/2024/Conference/-/Submission"],
        "domain": "ICLR.cc/2024/Conference",
        "content": {k: {"value": v} for k, v in content.items()},
    }


def _reply(forum: str, note_id: str, invitation: str, **content: Any) -> dict[str, Any]:
    return {
        "id": note_id,
        "forum": forum,
        "replyto": forum,
        "invitations": [invitation],
        "content": {k: {"value": v} for k, v in content.items()},
    }


def test_v2_notes_with_replies() -> None:
    notes = [
        _v2(
            "abc123",
            title="A  Title",
            authors=["Ann Lee", "Bo Chen"],
            authorids=["~Ann_Lee1", "bo@x.org"],
            keywords=["graphs", "rdf"],
            abstract="An\nabstract.",
            venueid="ICLR.cc/2024/Conference",
            pdf="/pdf/abc.pdf",
        ),
        _reply(
            "abc123",
            "d1",
            "ICLR.cc/2024/Conference/Submission1/-/Decision",
            decision="Accept (spotlight)",
            title="Paper Decision",
        ),
        _reply(
            "abc123",
            "r1",
            "ICLR.cc/2024/Conference/Submission1/-/Official_Review",
            rating="8: accept, good paper",
            confidence=4,
        ),
        _reply("abc123", "r2", "ICLR.cc/2024/Conference/Submission1/-/Official_Review", rating=6),
        _reply(
            "abc123",
            "c1",
            "ICLR.cc/2024/Conference/Submission1/-/Official_Comment",
            comment="Thanks",
        ),
    ]
    (paper,) = _read(json.dumps({"notes": notes}))
    assert isinstance(paper, Paper)
    assert paper.title == "A Title"
    assert [(a.name, a.email) for a in paper.authors] == [
        ("Ann Lee", None),
        ("Bo Chen", "bo@x.org"),
    ]
    assert [a.ids for a in paper.authors] == [(("openreview", "~Ann_Lee1"),), ()]
    assert paper.abstract == "An abstract."
    assert paper.keywords == ("graphs", "rdf")
    assert (paper.venue, paper.year, paper.decision) == ("ICLR 2024", 2024, "Spotlight")
    assert paper.ratings == (8.0, 6.0)
    assert paper.urls.pdf == "https://openreview.net/pdf/abc.pdf"


@pytest.mark.parametrize(
    ("venue", "decision"),
    [
        ("ICLR 2024 oral", "Oral"),
        ("ICLR 2024 poster", "Poster"),
        ("ICLR 2023 notable top 25%", "Spotlight"),
        ("Submitted to ICLR 2024", None),
        ("ICLR 2024 Conference Withdrawn Submission", "Withdrawn"),
    ],
)
def test_v2_decision_from_the_venue_field(venue: str, decision: str | None) -> None:
    (paper,) = _read(json.dumps([_v2("x1", title="T", venue=venue)]))
    assert isinstance(paper, Paper)
    assert paper.decision == decision


def test_v1_list_with_decisions_and_an_unknown_one() -> None:
    def v1(note_id: str) -> dict[str, Any]:
        return {
            "id": note_id,
            "forum": note_id,
            "replyto": None,
            "invitation": "ICLR.cc/2019/Conference/-/Blind_Submission",
            "content": {"title": f"Paper {note_id}", "authors": ["A B"], "authorids": ["a@b.c"]},
        }

    def decision(forum: str, text: str) -> dict[str, Any]:
        return {
            "id": "d" + forum,
            "forum": forum,
            "replyto": forum,
            "invitation": "ICLR.cc/2019/Conference/-/Paper1/Meta_Review",
            "content": {"recommendation": text, "confidence": "5: certain"},
        }

    notes = [
        v1("p1"),
        v1("p2"),
        v1("p3"),
        decision("p1", "Accept (Poster)"),
        decision("p2", "Reject"),
        decision("p3", "Maybe next year"),
    ]
    items = _read(json.dumps(notes, indent=1))
    papers = [i for i in items if isinstance(i, Paper)]
    assert [(p.decision, p.venue) for p in papers] == [
        ("Poster", "ICLR 2019"),
        ("Reject", "ICLR 2019"),
        (None, "ICLR 2019"),
    ]
    assert papers[0].authors[0].email == "a@b.c"
    assert papers[0].ratings == ()


def test_withdrawn_and_desk_rejected_submission_invitations() -> None:
    notes = [
        {
            "id": i,
            "forum": i,
            "invitation": f"ICLR.cc/2020/Conference/-/{kind}",
            "content": {"title": f"Paper {i}"},
        }
        for i, kind in (
            ("w", "Withdrawn_Submission"),
            ("d", "Desk_Rejected_Submission"),
            ("b", "Blind_Submission"),
        )
    ]
    papers = _read(json.dumps(notes))
    assert [(p.title, p.decision) for p in papers if isinstance(p, Paper)] == [
        ("Paper w", "Withdrawn"),
        ("Paper d", "Reject"),
        ("Paper b", None),
    ]


def test_plain_accept_at_a_conference_is_a_poster() -> None:
    assert openreview_api.decision_of("Accept", workshop=False) == "Poster"
    assert openreview_api.decision_of("accept", workshop=True) == "Workshop"
    assert openreview_api.decision_of("Invite to Workshop Track", workshop=False) == "Workshop"
    assert openreview_api.decision_of("Accept (Oral)", workshop=False) == "Oral"


def test_stray_objects_and_orphan_replies_are_problems_with_lines() -> None:
    notes = [
        {
            "id": "p1",
            "invitation": "X.cc/2020/Conference/-/Submission",
            "content": {"title": "Kept"},
        },
        {"something": "else"},
        {
            "id": "r9",
            "forum": "gone",
            "replyto": "gone",
            "invitation": "X.cc/2020/Conference/-/Official_Review",
            "content": {"rating": "3: reject"},
        },
    ]
    items = _read(json.dumps(notes, indent=1))
    assert [type(i).__name__ for i in items] == ["Paper", "Problem", "Problem"]
    stray, orphan = (i for i in items if isinstance(i, Problem))
    assert stray.source.line == 9 and "not an OpenReview note" in stray.message
    assert orphan.source.line == 12 and "'gone'" in orphan.message
    paper = items[0]
    assert isinstance(paper, Paper) and (paper.venue, paper.year) == ("X 2020", 2020)


def test_json_cut_in_half_names_file_line_and_column() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    half = text[: len(text) // 2]
    last = half.count("\n") + 1
    assert last == 1446
    with pytest.raises(InputError) as err:
        _read(half, "cut.json")
    assert str(err.value) == (
        "cut.json:1446: not valid JSON at line 1446, column 39: "
        "Unterminated string (the file looks cut short)"
    )
    with pytest.raises(
        InputError,
        match=r"^cut\.json:3: not valid JSON at line 3, column 1: "
        r"Expecting .*cut short",
    ):
        _read('[\n  {"id": "a", "content": {"title": "T"}},\n', "cut.json")


def test_no_submission_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^n\.json: no OpenReview submission note"):
        _read('{"notes": []}', "n.json")


def test_sniff_scores_notes_and_nothing_else() -> None:
    assert openreview_api.sniff(load(SAMPLE)) >= 80
    assert openreview_api.sniff(from_text(json.dumps([_v2("a", title="T")]))) >= 80
    others = [p for p in EXTERNAL.iterdir() if p != SAMPLE]
    for path in [*SEEDS.values(), *others]:
        assert openreview_api.sniff(load(path)) == 0, path.name


def test_docstring_examples() -> None:
    assert doctest.testmod(openreview_api).failed == 0
