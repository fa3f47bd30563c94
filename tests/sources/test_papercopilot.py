"""The ``papercopilot`` reader on the first 500 ICLR 2018 records of a Paper Copilot list."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.records import Affiliation, Paper, Problem
from kg.sources import papercopilot
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
LIST = EXTERNAL / "papercopilot_iclr2018_first500.json"


def _read(text: str, name: str = "list.json") -> list[Paper | Problem]:
    return list(papercopilot.READER.read(from_text(text, name)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def items() -> list[Paper | Problem]:
    return list(papercopilot.READER.read(load(LIST)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def by_id(items: list[Paper | Problem]) -> dict[str, Paper]:
    return {p.ids.openreview or "": p for p in items if isinstance(p, Paper)}


@pytest.fixture(scope="module")
def raw() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(LIST.read_text(encoding="utf-8"))
    return data


def test_500_papers_no_problem_and_decisions_from_status(items: list[Paper | Problem]) -> None:
    papers = [i for i in items if isinstance(i, Paper)]
    assert len(papers) == 500 and len(items) == 500
    assert Counter(p.decision for p in papers) == {
        "Reject": 235,
        "Poster": 165,
        "Workshop": 42,
        "Withdrawn": 37,
        "Oral": 18,
        "Unknown": 3,
    }
    assert {(p.venue, p.year) for p in papers} == {("ICLR 2018", 2018)}
    assert len({p.ids.openreview for p in papers}) == 500


def test_anonymous_authors_are_not_people(
    items: list[Paper | Problem], raw: list[dict[str, Any]]
) -> None:
    slots = [name for record in raw for name in record["author"].split(";")]
    assert slots.count("Anonymous") == 7
    papers = [i for i in items if isinstance(i, Paper)]
    assert sum(1 for p in papers if not p.authors) == 7
    assert sum(len(p.authors) for p in papers) == len(slots) - 7
    assert not any(a.name == "Anonymous" for p in papers for a in p.authors)


def test_first_record_emails_keep_their_slots(by_id: dict[str, Paper]) -> None:
    paper = by_id["B11bwYgfM"]
    assert paper.source.line == 2
    assert paper.title == (
        "Robust Task Clustering for Deep and Diverse Multi-Task and Few-Shot Learning"
    )
    assert [(a.name, a.email) for a in paper.authors[:4]] == [
        ("Mo Yu", None),
        ("Xiaoxiao Guo", "xiaoxiao.guo@ibm.com"),
        ("Jinfeng Yi", "jinfengyi.ustc@gmail.com"),
        ("Shiyu Chang", None),
    ]
    assert len(paper.authors) == 8
    assert paper.keywords == (
        "task clustering",
        "matrix completion",
        "multi-task learning",
        "few-shot learning",
    )
    assert paper.decision == "Withdrawn"
    assert paper.ratings == (4.0, 5.0, 5.0)
    assert paper.urls.forum == "https://openreview.net/forum?id=B11bwYgfM"


def test_poster_record_with_code_and_accent(by_id: dict[str, Paper]) -> None:
    paper = by_id["B12Js_yRb"]
    assert paper.source.line == 41
    assert [a.name for a in paper.authors] == ["Yan Zhang", "Jonathon Hare", "Adam Prügel-Bennett"]
    assert paper.authors[2].email == "apb@ecs.soton.ac.uk"
    assert paper.decision == "Poster"
    assert paper.urls.code == ("https://github.com/Cyanogenoid/vqa-counting",)
    assert paper.urls.pdf == "https://openreview.net/pdf?id=B12Js_yRb"
    assert paper.keywords == ("visual question answering", "vqa", "counting")


def test_active_status_is_unknown(by_id: dict[str, Paper]) -> None:
    paper = by_id["B12QlQWRW"]
    assert paper.decision == "Unknown"
    assert paper.authors == ()


def test_empty_keyword_slots_are_dropped_and_bad_status_is_a_problem() -> None:
    records = [
        {
            "id": "a1",
            "title": "T",
            "status": "Spotlight",
            "author": "A B;C D",
            "authorids": ";c@d.org",
            "keywords": "x;;y;",
            "site": "https://iclr.cc/virtual/2020/poster/1",
        },
        {"id": "a2", "title": "U", "status": "Pending", "author": "E F"},
        {"id": "a3", "status": "Reject", "author": "G H"},
        "not a record",
    ]
    items = _read(json.dumps(records, indent=2))
    assert [type(i).__name__ for i in items] == ["Paper", "Problem", "Paper", "Problem", "Problem"]
    first = items[0]
    assert isinstance(first, Paper)
    assert first.keywords == ("x", "y")
    assert [(a.name, a.email) for a in first.authors] == [("A B", None), ("C D", "c@d.org")]
    assert (first.venue, first.year, first.decision) == ("ICLR 2020", 2020, "Spotlight")
    second = items[2]
    assert isinstance(second, Paper) and second.venue == "ICLR 2020"  # the file's venue
    status, untitled, stray = (i for i in items if isinstance(i, Problem))
    assert status.source.line == 11 and "unknown status 'Pending'" in status.message
    assert untitled.source.line == 17 and "no title" in untitled.message
    assert "array item 3 is a str, not a paper object" in stray.message


def test_json_cut_in_half_names_file_and_line() -> None:
    text = LIST.read_text(encoding="utf-8")
    half = text[: len(text) // 2]
    with pytest.raises(InputError) as err:
        _read(half, "cut.json")
    line = half.count("\n") + 1
    assert str(err.value).startswith(f"cut.json:{line}: not valid JSON at line {line}, column ")
    assert str(err.value).endswith("(the file looks cut short)")


def test_an_object_instead_of_an_array_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^o\.json:1: expected a JSON array"):
        _read('{"status": "Poster"}', "o.json")


def test_sniff_scores_the_list_and_nothing_else() -> None:
    assert papercopilot.sniff(load(LIST)) >= 80
    others = [p for p in EXTERNAL.iterdir() if p != LIST]
    for path in [*SEEDS.values(), *others]:
        assert papercopilot.sniff(load(path)) == 0, path.name


# -- person identifiers and affiliations (newer lists, e.g. CoRL 2023) --------------------------


def _corl_like(**fields: str) -> list[Paper | Problem]:
    record = {
        "id": "c1",
        "title": "Robots",
        "status": "Poster",
        "author": "Ann Lee;Bo Chen;Cy Diaz;Anonymous;Dee Ek",
        "authorids": "~Ann_Lee1;bo@x.org;~Cy_Diaz2;;~Dee_Ek1",
        **fields,
    }
    return _read(json.dumps([record], indent=1))


def _authors_of(items: list[Paper | Problem]) -> dict[str, Any]:
    (paper,) = items
    assert isinstance(paper, Paper)
    return {a.name: a for a in paper.authors}


def test_profile_ids_orcid_dblp_and_affiliations_keep_their_slots() -> None:
    people = _authors_of(
        _corl_like(
            orcid=";;0000-0002-1825-0097;;0000-0002-1825-0098",  # the last has a bad check digit
            dblp="129/2382;;https://dblp.org/pid/12/34.html;;",
            aff="University of Pennsylvania;;School of Engineering, UPenn+Google;;NVIDIA",
            aff_domain="upenn.edu;;seas.upenn.edu+google.com;;nvidia.com",
            aff_unique_norm="University of Pennsylvania;Google;NVIDIA",
            aff_unique_url="https://www.upenn.edu;https://www.google.com;",
            aff_unique_index="0;0+1;2",  # one entry per non-empty aff slot
            aff_country_unique="United States;Unknown",
            aff_country_unique_index="0;0+0;1",
        )
    )
    assert "Anonymous" not in people
    ann, bo, cy, dee = (people[n] for n in ("Ann Lee", "Bo Chen", "Cy Diaz", "Dee Ek"))
    assert ann.ids == (("dblp", "129/2382"), ("openreview", "~Ann_Lee1"))
    assert (bo.ids, bo.email, bo.affiliations) == ((), "bo@x.org", ())
    assert cy.ids == (
        ("dblp", "12/34"),
        ("openreview", "~Cy_Diaz2"),
        ("orcid", "0000-0002-1825-0097"),
    )
    assert dee.ids == (("openreview", "~Dee_Ek1"),)
    assert ann.affiliations == (
        Affiliation(
            name="University of Pennsylvania",
            country="United States",
            domain="upenn.edu",
            raw="University of Pennsylvania",
        ),
    )
    assert cy.affiliations == (
        Affiliation(
            name="University of Pennsylvania",
            country="United States",
            domain="upenn.edu",
            raw="School of Engineering, UPenn",
        ),
        Affiliation(name="Google", country="United States", domain="google.com", raw="Google"),
    )
    # an unknown country is none; an institution without a URL keeps its mail domain
    assert dee.affiliations == (Affiliation(name="NVIDIA", domain="nvidia.com", raw="NVIDIA"),)


def test_profile_fields_follow_or_profile_when_it_is_in_another_order() -> None:
    """CoRL 2023 lists Trevor Darrell and Jitendra Malik swapped in or_profile (Malik under
    his own id, Darrell under another): their dblp ids and affiliations are swapped too."""
    people = _authors_of(
        _read(
            json.dumps(
                [
                    {
                        "id": "c2",
                        "title": "T",
                        "status": "Poster",
                        "author": "Ilija Radosavovic;Trevor Darrell;Jitendra Malik",
                        "authorids": "~Ilija_Radosavovic1;~Trevor_Darrell2;~Jitendra_Malik2",
                        "or_profile": "~Ilija_Radosavovic1;~Jitendra_Malik2;~trevor_darrell1",
                        "dblp": "211/6740;58/2944;d/TrevorDarrell",
                        "aff": "UC Berkeley;Berkeley EECS;EECS Department",
                    }
                ]
            )
        )
    )
    assert people["Trevor Darrell"].ids == (
        ("dblp", "d/TrevorDarrell"),
        ("openreview", "~Trevor_Darrell2"),
    )
    assert people["Jitendra Malik"].ids == (("dblp", "58/2944"), ("openreview", "~Jitendra_Malik2"))
    assert [a.raw for a in people["Jitendra Malik"].affiliations] == ["Berkeley EECS"]
    # without unique lists, the affiliation as written is its name
    assert people["Trevor Darrell"].affiliations == (
        Affiliation(name="EECS Department", raw="EECS Department"),
    )


def test_profile_slots_that_fit_no_author_are_not_used() -> None:
    people = _authors_of(
        _read(
            json.dumps(
                [
                    {
                        "id": "c3",
                        "title": "T",
                        "status": "Poster",
                        "author": "Chun Zhang;Debing Zhang;Ann Lee",
                        "authorids": "~Chun_Zhang4;~Debing_Zhang4;~Ann_Lee1",
                        "or_profile": "~Ann_Lee1;~chun_zhang3;~Zhang_Debing1",
                        "aff": "Ann's Lab;Lab C;Lab D",
                    }
                ]
            )
        )
    )
    assert [a.raw for a in people["Ann Lee"].affiliations] == ["Ann's Lab"]
    assert people["Chun Zhang"].affiliations == people["Debing Zhang"].affiliations == ()


def test_index_lists_slot_by_slot_and_ones_that_fit_no_alignment() -> None:
    people = _authors_of(
        _corl_like(
            aff="Queen Mary University of London;University College London;;;Department of CS",
            aff_unique_norm="Queen Mary University of London;University College London;;"
            "Unknown Institution",
            aff_unique_index="0;1;2;2;3",  # slot by slot, empty slots included
            aff_country_unique="United Kingdom;",
            aff_country_unique_index="0;0",
        )
    )  # 2 entries for 3 non-empty slots: not used
    assert [(a.name, a.country) for a in people["Ann Lee"].affiliations] == [
        ("Queen Mary University of London", None)
    ]
    assert people["Cy Diaz"].affiliations == ()
    assert people["Dee Ek"].affiliations == (Affiliation(raw="Department of CS"),)


def test_the_iclr_2018_list_has_emails_but_no_identifiers_or_affiliations(
    items: list[Paper | Problem],
) -> None:
    authors = [a for p in items if isinstance(p, Paper) for a in p.authors]
    assert sum(1 for a in authors if a.email) > 900
    assert not any(a.ids or a.affiliations for a in authors)


_SLOTS = st.lists(
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "2",
            "0+1",
            "²",
            "~A_B1",
            "x@y.org",
            "Lab",
            "U+V",
            "Unknown",
            "0000-0002-1825-0097",
            "12/34",
        ]
    ),
    max_size=6,
).map(";".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            key: _SLOTS
            for key in (
                "authorids",
                "or_profile",
                "orcid",
                "dblp",
                "aff",
                "aff_domain",
                "aff_unique_norm",
                "aff_unique_index",
                "aff_unique_url",
                "aff_country_unique",
                "aff_country_unique_index",
            )
        },
    ),
    st.integers(1, 5),
)
def test_any_slot_lists_give_each_author_at_most_their_own_slot(
    fields: dict[str, str], authors: int
) -> None:
    names = [f"Person {chr(65 + i)}" for i in range(authors)]
    items = _read(
        json.dumps(
            [{"id": "h1", "title": "T", "status": "Poster", "author": ";".join(names), **fields}]
        )
    )
    (paper,) = items
    assert isinstance(paper, Paper) and [a.name for a in paper.authors] == names
    aff = fields.get("aff", "").split(";")
    # a slot's own text, or one of its "+"-joined parts (a "+" that is part of a name,
    # such as "0+1" with no index list to split it by, keeps the slot whole)
    allowed = {s.strip() for s in aff} | {p.strip() for s in aff for p in s.split("+")}
    for author in paper.authors:
        assert all(a.raw and a.raw in allowed for a in author.affiliations)
