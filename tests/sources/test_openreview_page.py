"""The ``openreview-page`` reader on the bundled 000 seed and on small malformed pages."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.errors import InputError
from kg.records import Item, Paper, Problem
from kg.sources import openreview_page
from kg.sources.files import from_text, load

DATA = Path(kg.__file__).parent / "data/iclr"
SEED = DATA / "000_2ddc948775ec2879.txt"
OTHERS = [
    "001_be56ec5208ff5487.txt",
    "002_94cbd89857369fa4.txt",
    "003_b57b60e54dfcfc03.txt",
    "004_8b4b7c88f0a2d83f.txt",
]


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return list(openreview_page.READER.read(load(SEED)))


@pytest.fixture(scope="module")
def papers(items: list[Item]) -> dict[str, Paper]:
    return {p.ids.openreview or "": p for p in items if isinstance(p, Paper)}


def _read(text: str) -> list[Item]:
    return list(openreview_page.READER.read(from_text(text, name="x.txt")))


# --- the bundled seed -------------------------------------------------------------------------


def test_seed_counts(items: list[Item], papers: dict[str, Paper]) -> None:
    assert [i for i in items if not isinstance(i, Paper)] == []
    assert len(papers) == 48
    ps = list(papers.values())
    assert sum(len(p.authors) for p in ps) == 232
    assert all(a.email and "@" in a.email and "%" not in a.email for p in ps for a in p.authors)
    assert sum(1 for p in ps if p.keywords) == 43
    assert sum(1 for p in ps if p.tldr) == 36
    assert sum(1 for p in ps if p.urls.code) == 27
    assert all(p.abstract for p in ps)
    assert {(p.venue, p.year, p.decision) for p in ps} == {("ICLR 2020", 2020, None)}
    assert all(p.source.file == SEED.name for p in ps)


def test_first_record(papers: dict[str, Paper]) -> None:
    p = papers["HJgzt2VKPB"]
    assert p.title == "CATER: A diagnostic dataset for Compositional Actions & TEmporal Reasoning"
    assert p.source.line == 35
    assert p.urls.forum == "https://openreview.net/forum?id=HJgzt2VKPB"
    assert p.urls.pdf == "https://openreview.net/pdf?id=HJgzt2VKPB"
    assert p.urls.code == ("http://rohitgirdhar.github.io/CATER",)
    assert p.keywords == ("Video Understanding", "Temporal Reasoning")
    assert [(a.name, a.email) for a in p.authors] == [
        ("Rohit Girdhar", "rgirdhar@cs.cmu.edu"),
        ("Deva Ramanan", "deva@cs.cmu.edu"),
    ]


def test_forum_link_appended_to_the_title_line(papers: dict[str, Paper]) -> None:
    p = papers["S1efxTVYDr"]
    assert p.title == "Data-dependent Gaussian Prior Objective for Language Generation"
    assert p.source.line == 139
    assert papers["SJe5P6EYvS"].title == "Mogrifier LSTM"
    assert papers["SJe5P6EYvS"].source.line == 245
    assert papers["S1efxTVYDr"].urls.code == (
        "https://drive.google.com/file/d/1q8PqhF9eOLOHOcOCGVKXtA_OlP6qq2mn",
    )


def test_names_wrapped_inside_and_equal_contribution(papers: dict[str, Paper]) -> None:
    gendice = papers["HkxlcnVFwB"].authors
    assert [(a.written, a.name, a.equal_contribution) for a in gendice[:3]] == [
        ("Ruiyi Zhang*", "Ruiyi Zhang", True),
        ("Bo Dai*", "Bo Dai", True),
        ("Lihong Li", "Lihong Li", False),
    ]
    assert gendice[1].email == "bodai@google.com"
    speech = papers["B1elCp4KwH"].authors
    assert [a.equal_contribution for a in speech] == [True, True, False]
    mogrifier = papers["SJe5P6EYvS"].authors
    assert [(a.name, a.email) for a in mogrifier] == [
        ("Gábor Melis", "melisgl@google.com"),
        ("Tomáš Kočiský", "tkocisky@google.com"),
        ("Phil Blunsom", "pblunsom@google.com"),
    ]
    assert papers["r1gfQgSFDr"].authors[0].name == "Mikołaj Bińkowski"
    assert papers["S1efxTVYDr"].authors[3].name == "Masso Utiyama"


def test_emails_kept_as_written(papers: dict[str, Paper]) -> None:
    closer = papers["ryxdEkHtPS"].authors
    matters = papers["r1etN1rtPB"].authors
    assert [(a.name, a.email) for a in closer[:2]] == [
        ("Andrew Ilyas", "ailyas@mit.edu"),
        ("Logan Engstrom", "engstrom@mit.edu"),
    ]
    assert [(a.name, a.email) for a in matters[:2]] == [
        ("Logan Engstrom", "ailyas@mit.edu"),
        ("Andrew Ilyas", "engstrom@mit.edu"),
    ]
    assert len(closer) == len(matters) == 7
    reinke = papers["rkg6sJHYDr"].authors
    assert [a.email for a in reinke] == [
        "chris.reinke@inria.fr",
        "mayalen.etcheverry@inria.fr",
        "chris.reinke@inria.fr",
    ]
    assert reinke[2].name == "Pierre-Yves Oudeyer"


def test_abstract_continuations_are_joined(papers: dict[str, Paper]) -> None:
    reformer = papers["rkgNKkHtvB"].abstract
    assert reformer is not None
    assert reformer.startswith(
        "Large Transformer models routinely achieve state-of-the-art "
        "results on a number of tasks but training"
    )
    assert "from O($L^2$) to O($L \\log L$), where $L$ is the length of the sequence." in reformer
    assert reformer.endswith("much more memory-efficient and much faster on long sequences.")
    gantts = papers["r1gfQgSFDr"].abstract
    assert gantts is not None
    assert "has received limited attention, and autoregressive models, such as WaveNet" in gantts
    assert "Text-to-Speech. Our architecture is composed of" in gantts
    assert gantts.endswith("https://storage.googleapis.com/deepmind-media/research/abstract.wav")
    assert papers["r1gfQgSFDr"].keywords[:2] == ("texttospeech", "speechsynthesis")


def test_abstract_irregularities(papers: dict[str, Paper]) -> None:
    next_line = papers["HkxQRTNYPH"].abstract  # line 301 '*Abstract:*' alone, text on 302
    assert next_line is not None
    assert next_line.startswith("Training neural machine translation models (NMT) requires")
    leading = papers["ryxdEkHtPS"].abstract  # line 619, spaces after the colon
    assert leading is not None and leading.startswith("We study how the behavior of deep")
    for p in papers.values():  # whitespace-only and trailing-space lines leave no trace
        for text in (p.abstract, p.tldr, p.title):
            assert text is None or (text == text.strip() and "  " not in text)
    assert papers["SJxSDxrKDr"].tldr == (
        "We propose a novel combination of adversarial training and provable defenses which "
        "produces a model with state-of-the-art accuracy and certified robustness on CIFAR-10."
    )


def test_sniff_scores_only_its_own_format() -> None:
    assert openreview_page.sniff(load(SEED)) >= 80
    for name in OTHERS:
        assert openreview_page.sniff(load(DATA / name)) == 0, name
    assert openreview_page.sniff(from_text('{"title": "T", "url": "x"}\n')) == 0
    assert openreview_page.sniff(from_text("title,authors\nT,A B\n")) == 0


# --- small pages ------------------------------------------------------------------------------

HEADER = "Toggle navigation\n\n      ICLR 2020\n\nLoading\n"
FOOTER = "\n  * About OpenReview <https://openreview.net/about>\n  * FAQ\n"


def record(
    fid: str,
    title: str = "A Title",
    authors: str | None = None,
    meta: str = "ICLR 2020 Conference Blind",
    fields: str = "",
) -> str:
    if authors is None:
        authors = (
            "    Ann Lee <https://openreview.net/profile?email=ann%40x.org>, Bo\n"
            "    Li* <https://openreview.net/profile?email=bo%40y.org>\n"
        )
    return (
        "  *\n\n\n"
        f"            {title}\n"
        f"            <https://openreview.net/forum?id={fid}>\n"
        f"            <https://openreview.net/pdf?id={fid}>\n\n"
        f"{authors}"
        f"    25 Sep 2019 (modified: 11 Mar 2020) {meta}\n"
        "    Submission Readers: Everyone 9 Replies\n"
        f"    Show details <#{fid}-details-1>\n"
        f"      o *Abstract:* An abstract.\n{fields}"
        f"      o *Original Pdf:*   pdf <https://openreview.net/attachment?id={fid}>\n"
    )


def test_small_page_is_read() -> None:
    fields = (
        "      o *Keywords:* a, , B c \n      o *Code:* <https://github.com/x/y>\n"
        "      o *TL;DR:*\n              Short.\n"
    )
    (paper,) = _read(HEADER + record("abc_1-2", fields=fields) + FOOTER)
    assert isinstance(paper, Paper)
    assert paper.source.line == 9
    assert paper.title == "A Title"
    assert [(a.name, a.email, a.equal_contribution) for a in paper.authors] == [
        ("Ann Lee", "ann@x.org", False),
        ("Bo Li", "bo@y.org", True),
    ]
    assert (paper.keywords, paper.urls.code, paper.tldr) == (
        ("a", "B c"),
        ("https://github.com/x/y",),
        "Short.",
    )
    assert paper.ids.openreview == "abc_1-2"


def test_profile_id_links_give_the_person_an_openreview_id() -> None:
    authors = (
        "    Ann Lee <https://openreview.net/profile?id=%7EAnn_Lee1>, Bo\n"
        "    Li <https://openreview.net/profile?id=~Bo_Li3>, Cy Diaz\n"
        "    <https://openreview.net/profile?email=cy%40z.org>\n"
    )
    (paper,) = _read(HEADER + record("a1", authors=authors) + FOOTER)
    assert isinstance(paper, Paper)
    assert [(a.name, a.ids, a.email) for a in paper.authors] == [
        ("Ann Lee", (("openreview", "~Ann_Lee1"),), None),
        ("Bo Li", (("openreview", "~Bo_Li3"),), None),
        ("Cy Diaz", (), "cy@z.org"),
    ]


def test_venue_comes_from_the_page() -> None:
    page = HEADER.replace("ICLR 2020", "NeurIPS 2019")
    (paper,) = _read(page + record("a1", meta="NeurIPS 2019 Conference Blind") + FOOTER)
    assert isinstance(paper, Paper) and (paper.venue, paper.year) == ("NeurIPS 2019", 2019)
    (paper,) = _read(HEADER + record("a1", meta="Blind") + FOOTER)  # header block only
    assert isinstance(paper, Paper) and (paper.venue, paper.year) == ("ICLR 2020", 2020)


def test_record_without_forum_link_is_a_problem() -> None:
    broken = (
        record("zz")
        .replace("<https://openreview.net/forum?id=zz>", "")
        .replace("<https://openreview.net/pdf?id=zz>", "")
    )
    items = _read(HEADER + record("a1") + broken + record("a2") + FOOTER)
    assert [type(i).__name__ for i in items] == ["Paper", "Problem", "Paper"]
    problem = items[1]
    assert isinstance(problem, Problem)
    assert problem.source.line == 9 + 14
    assert "no forum link" in problem.message


def test_truncated_and_garbage_records_are_problems() -> None:
    garbage = "  *\n\n\n            A Title <https://openreview.net/forum?id=g1>\n\n    ???\n"
    items = _read(HEADER + garbage + record("a1") + "  *\n\n")
    kinds = [(type(i).__name__, i.source.line) for i in items]
    assert kinds == [("Paper", 9), ("Problem", 9), ("Problem", 11), ("Paper", 15), ("Problem", 26)]
    assert isinstance(items[1], Problem) and "no authors" in items[1].message
    assert isinstance(items[2], Problem) and "'???'" in items[2].message
    assert isinstance(items[4], Problem) and "empty record" in items[4].message


def test_unknown_field_is_reported() -> None:
    items = _read(HEADER + record("a1", fields="      o *Venue:* ICLR\n"))
    assert [type(i).__name__ for i in items] == ["Paper", "Problem"]
    assert items[1].source.line == 19 and "'venue'" in items[1].message  # type: ignore[union-attr]


def test_page_without_records_is_an_error() -> None:
    with pytest.raises(InputError, match="no records found"):
        _read("just some text\n<https://openreview.net/forum?id=x>\n")
