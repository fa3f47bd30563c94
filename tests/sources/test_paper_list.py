"""The ``paper-list`` reader on the bundled 001 seed and on small malformed lists."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

import kg
from kg.errors import InputError
from kg.records import Item, Paper, Problem
from kg.sources import paper_list
from kg.sources.files import from_text, load

DATA = Path(kg.__file__).parent / "data" / "iclr"
SEED = DATA / "001_be56ec5208ff5487.txt"
OTHERS = [
    "000_2ddc948775ec2879.txt",
    "002_94cbd89857369fa4.txt",
    "003_b57b60e54dfcfc03.txt",
    "004_8b4b7c88f0a2d83f.txt",
]


@cache
def _seed_items() -> tuple[Item, ...]:
    return tuple(paper_list.READER.read(load(SEED)))


@cache
def _papers() -> dict[int, Paper]:
    """The seed's papers by record line (heading line, or author line when headless)."""
    return {p.source.line: p for p in _seed_items() if isinstance(p, Paper)}


def _read(text: str) -> list[Item]:
    return list(paper_list.READER.read(from_text(text, "x.txt")))


# --- the bundled seed -------------------------------------------------------------------------


def test_seed_counts() -> None:
    items = _seed_items()
    papers = [p for p in items if isinstance(p, Paper)]
    assert [p for p in items if isinstance(p, Problem)] == []
    assert len(papers) == 687
    assert len(_papers()) == 687  # one record per line
    assert Counter(p.decision for p in papers) == {"Poster": 531, "Spotlight": 108, "Oral": 48}
    assert sum(1 for p in papers if p.title) == 684
    assert all(p.abstract for p in papers)
    assert all(p.authors for p in papers)
    assert {(p.venue, p.year) for p in papers} == {(None, None)}
    assert all(p.source.file == SEED.name for p in papers)
    assert [p.source.line for p in papers] == sorted(p.source.line for p in papers)


def test_seed_author_slots() -> None:
    # The file has 3,045 comma-separated author items; line 1694 holds two people in one
    # item ("Reinhard Heckel and Mahdi Soltanolkotabi"), which the reader splits.
    assert sum(len(p.authors) for p in _papers().values()) == 3046
    assert all(a.name and " and " not in a.name for p in _papers().values() for a in p.authors)


def test_headless_records_start_at_their_author_line() -> None:
    headless = [p for p in _papers().values() if p.title is None]
    assert [p.source.line for p in headless] == [487, 1491, 2339]
    badia, qu, welleck = headless
    assert badia.authors[0].name == "Adrià Puigdomènech Badia"  # bare line with a leading space
    assert len(badia.authors) == 11
    assert badia.decision == "Poster"
    assert badia.abstract is not None and badia.abstract.startswith("We propose a reinforcement")
    assert (qu.authors[0].name, qu.decision) == ("Qing Qu", "Oral")
    assert welleck.authors[-1].name == "Jason Weston"
    assert welleck.abstract is not None
    assert welleck.abstract.startswith("Neural text generation is a key tool")


def test_first_record() -> None:
    first = _papers()[1]
    assert first.title == "Pay Attention to Features, Transfer Learn Faster CNNs"
    assert [a.name for a in first.authors] == [
        "Kafeng Wang",
        "Xitong Gao",
        "Yiren Zhao",
        "Xingjian Li",
        "Dejing Dou",
        "Cheng-Zhong Xu",
    ]
    assert first.decision == "Poster"
    assert first.abstract is not None
    assert first.abstract.startswith("Deep convolutional neural networks are now widely")


def test_no_abstract_keeps_markup_escapes_or_print_artifacts() -> None:
    for paper in _papers().values():
        assert paper.abstract is not None
        for bad in ("11/1/22, 6:40 PM", "\\$", "\\_", "\\%", "\\*", "<u>", "</u>", "  "):
            assert bad not in paper.abstract, (paper.source.line, bad)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (6, "Geom-GCN: Geometric Graph Convolutional Networks"),  # bold
        (57, "Understanding Generalization in Recurrent Neural Networks"),  # underline
        (577, "Demystifying Inter-Class Disentanglement"),  # bold + underline
        (
            31,
            "BREAKING CERTIFIED DEFENSES: SEMANTIC ADVERSARIAL EXAMPLES WITH SPOOFED "
            "ROBUSTNESS CERTIFICATES",
        ),  # ALL CAPS stays
        (2487, "LEARNED STEP SIZE QUANTIZATION"),  # bold ALL CAPS
        (1860, "MEMO: A Deep Network for Flexible Combination of Episodic Memories"),
        (2038, "DD-PPO: Learning Near-Perfect PointGoal Navigators from 2.5 Billion Frames"),
        (164, "DiffTaichi: Differentiable Programming for Physical Simulation"),  # </u></u>
        (
            3524,
            "Automatically Discovering and Learning New Visual Categories with Ranking Statistics",
        ),  # stray </del>
        (705, "Gradient $\\ell_1$ Regularization for Quantization Robustness"),
        (1050, "Provable robustness against all adversarial $1_p$-perturbations for $p\\geq 1$"),
        (
            1441,
            "Understanding 14-based Dictionary Learning: Interpretation, Stability, and Robustness",
        ),
    ],
)
def test_titles_are_cleaned(line: int, title: str) -> None:
    assert _papers()[line].title == title


def test_titles_keep_no_markup() -> None:
    for paper in _papers().values():
        if paper.title is not None:
            assert not any(bad in paper.title for bad in ("**", "<", ">", "\\$", "\\_", "#"))


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        # the abstract line 100 ends "Differentiable"; the paragraph on line 102 continues it
        (97, "are desirable. Differentiable quantization with straight-through gradients"),
        # "- " bullet items after the abstract line (884-887), bullets dropped
        (880, "and also the corresponding finite nets. On CIFAR-10 with 10-640 training"),
        (880, "beats ResNet-34 by 1% 3%. On VOC07 testbed for few-shot image"),
        # nested bullet (1562)
        (1558, "rigorous theory proofing their learning capabilities. Here we introduce the first"),
        # 2-space-indented hard-wrapped lines (1792-1797)
        (1788, "a 2.9 point improvement with no additional training. We also show"),
        # a print artifact inside the continuation (1529)
        (1524, "obfuscated by good results on a single domain."),
        # bullets and a paragraph after them (2394-2396); LaTeX quotes kept
        (2389, "the recently-proposed ``MixMatch semi-supervised"),
        (2389, "of ground-truth labels. Augmentation anchoring} feeds multiple"),
        (2389, "policy while the model is being trained. Our new algorithm, dubbed ReMixMatch"),
        # the record under <u>open-review(Poster)</u> (2164) and its continuation paragraph
        (2161, "a collection of classical geometric algorithms, which are converted"),
    ],
)
def test_continuation_lines_join_the_previous_abstract(line: int, fragment: str) -> None:
    assert fragment in (_papers()[line].abstract or "")


def test_continuations_do_not_leak_into_the_next_record() -> None:
    papers = _papers()
    nxt = papers[104]  # the heading after 100/102
    assert nxt.title == "PROGRESSIVE LEARNING AND DISENTANGLEMENT OF HIERARCHICAL REPRESENTATIONS"
    assert nxt.abstract is not None and "quantization" not in nxt.abstract
    assert (papers[880].abstract or "").endswith(
        "NTK's efficacy may trace to lower variance of output."
    )
    assert (papers[1788].abstract or "").endswith(
        "nearest neighbor search is an effective approach for language modeling in the long tail."
    )


def test_abstract_escapes_are_undone_and_latex_kept() -> None:
    papers = _papers()
    assert "certain $\\ell_p$-bounded" in (papers[31].abstract or "")  # line 34
    assert "1024*1024" in (papers[1667].abstract or "")  # line 1670
    assert (papers[3503].abstract or "").startswith("This paper studies learning")
    assert "InfoGraph*" in (papers[3503].abstract or "")  # line 3507
    assert (papers[42].abstract or "").endswith("top-1 accuracy of $65.19% for ImageNe")  # cut
    # "\\$" (over-escaped dollar) is "$" in the original abstract (compare 000)
    assert "by a factor of $O(\\kappa L)$, where $\\kappa$ denotes" in (papers[1719].abstract or "")
    assert "rate of \\mathcal{O}(\\frac{1}{T})$ for strongly" in (papers[3233].abstract or "")


def test_decisions_and_bullet_forms() -> None:
    papers = _papers()
    bare = papers[36]  # bare author line 38, blank line, bare abstract line 40
    assert bare.title == "An Exponential Learning Rate Schedule for Deep Learning"
    assert [a.name for a in bare.authors] == ["Zhiyuan Li", "Sanjeev Arora"]
    assert bare.decision == "Spotlight"
    assert (bare.abstract or "").startswith("Intriguing empirical evidence")
    for line, first in ((2161, "Zachary Teed"), (2470, "Arantxa Casanova")):  # <u>open-review</u>
        assert (papers[line].decision, papers[line].authors[0].name) == ("Poster", first)
    koopman = papers[2228]  # "• " author line 2230, artifact 2232, abstract line 2234
    assert koopman.title == "Learning Compositional Koopman Operators for Model-Based Control"
    assert [a.name for a in koopman.authors] == [
        "Yunzhu Li",
        "Hao He",
        "Jiajun Wu",
        "Dina Katabi",
        "Antonio Torralba",
    ]
    assert koopman.decision == "Spotlight"
    assert (koopman.abstract or "").startswith("Finding an embedding space")
    assert papers[988].title == "Reformer: The Efficient Transformer"
    assert papers[988].decision == "Oral"  # written "Talk"


def test_author_irregularities() -> None:
    papers = _papers()
    lower = papers[1598].authors  # line 1600, all lowercase, kept as written
    assert [a.name for a in lower] == [
        "da Xu",
        "chuanwei ruan",
        "evren korpeoglu",
        "sushant kumar",
        "kannan achan",
    ]
    assert [a.name for a in papers[1692].authors] == ["Reinhard Heckel", "Mahdi Soltanolkotabi"]
    daggers = papers[1240].authors  # line 1242, <sup>†</sup>
    assert [(a.written, a.name, a.equal_contribution) for a in daggers[-2:]] == [
        ("Yi Wu†", "Yi Wu", True),
        ("Xiaolong Wang†", "Xiaolong Wang", True),
    ]
    assert not daggers[0].equal_contribution
    star = papers[715].authors[-2]  # line 717 "Robert Stanforth\*"
    assert (star.written, star.name, star.equal_contribution) == (
        "Robert Stanforth*",
        "Robert Stanforth",
        True,
    )
    assert papers[715].authors[1].name == "Krishnamurthy (Dj) Dvijotham"
    assert [a.name for a in papers[1309].authors] == ["Tie XU", "Omri Barak"]
    assert [a.name for a in papers[1365].authors] == ["M Arbel", "A Gretton", "W Li", "G Montufar"]


@pytest.mark.parametrize("line", [899, 3083])  # author lines 901 and 3085
def test_reversed_author_line(line: int) -> None:
    authors = _papers()[line].authors
    assert [(a.written, a.name) for a in authors] == [
        ("Asano YM.", "Y. M. Asano"),
        ("Rupprecht C.", "C. Rupprecht"),
        ("Vedaldi A.", "A. Vedaldi"),
    ]
    assert authors[0].normalized == "y m asano"


def test_reversed_form_needs_every_item() -> None:
    (paper,) = _read("# T\n\n- Asano YM., John Smith\n- abstract@open-review(Poster): x")
    assert isinstance(paper, Paper)
    assert [a.name for a in paper.authors] == ["Asano YM.", "John Smith"]


# --- sniffing ---------------------------------------------------------------------------------


def test_sniff_seed() -> None:
    assert paper_list.sniff(load(SEED)) >= 80


@pytest.mark.parametrize("name", OTHERS)
def test_sniff_other_seeds(name: str) -> None:
    assert paper_list.sniff(load(DATA / name)) == 0


@pytest.mark.parametrize(
    "text",
    [
        '{"title": "T", "authors": ["A B"], "abstract": "x"}\n',
        "title,authors,abstract\nT,A B,x\n",
        "# Heading\n\n- a list\n- abstract: not ours\n",
    ],
)
def test_sniff_other_formats(text: str) -> None:
    assert paper_list.sniff(from_text(text)) == 0


# --- malformed input --------------------------------------------------------------------------


def test_abstract_line_without_author_line() -> None:
    text = "# Lonely\n\n- abstract@open-review(Poster): Text.\n"
    problem, paper = _read(text)
    assert isinstance(problem, Problem) and problem.source.line == 3
    assert "no author line" in problem.message
    assert isinstance(paper, Paper)
    assert (paper.source.line, paper.title, paper.authors) == (1, "Lonely", ())


def test_abstract_line_with_nothing_before_it() -> None:
    text = (
        "# A\n\n- Ann Lee\n- abstract@open-review(Poster): One.\n"
        "- abstract@open-review(Talk): Two.\n"
    )
    first, problem = _read(text)
    assert isinstance(first, Paper) and first.abstract == "One."
    assert isinstance(problem, Problem) and problem.source.line == 5
    assert "neither a title heading nor an author line" in problem.message


def test_truncated_record_and_unknown_decision() -> None:
    text = "\n".join(
        [
            "intro text",
            "# First",
            "",
            "- A One, B Two",
            "- abstract@open-review(Maybe): First \\$x\\_1\\$ abstract",
            "",
            "# Truncated",
            "",
            "- C Three",
            "",
            "# Last",
            "",
            "- D Four",
            "- abstract@open-review(Talk): Last abstract",
            "tail paragraph",
            "## Cut off",
        ]
    )
    items = _read(text)
    found = [(type(i).__name__, i.source.line) for i in items]
    assert found == [
        ("Problem", 1),
        ("Problem", 5),
        ("Paper", 2),
        ("Problem", 7),
        ("Paper", 11),
        ("Problem", 16),
    ]
    problems = [i for i in items if isinstance(i, Problem)]
    assert "before the first record" in problems[0].message
    assert "unknown decision 'Maybe'" in problems[1].message
    assert "heading with no abstract line" in problems[2].message
    assert "heading with no abstract line" in problems[3].message
    first, last = (i for i in items if isinstance(i, Paper))
    assert (first.title, first.decision, first.abstract) == ("First", None, "First $x_1$ abstract")
    assert [a.name for a in first.authors] == ["A One", "B Two"]
    assert (last.title, last.decision) == ("Last", "Oral")
    assert last.abstract == "Last abstract tail paragraph"


def test_stray_text_between_title_and_authors() -> None:
    text = "# T\n\nstray words\n\n- A One\n- abstract@open-review(Poster): x"
    problem, paper = _read(text)
    assert isinstance(problem, Problem) and problem.source.line == 3
    assert "between the title heading and the author line" in problem.message
    assert isinstance(paper, Paper) and [a.name for a in paper.authors] == ["A One"]


def test_author_list_forms() -> None:
    text = "# T\n• A One, B Two, and C Three\n• abstract@open-review(Spotlight): "
    (paper,) = _read(text)
    assert isinstance(paper, Paper)
    assert [a.name for a in paper.authors] == ["A One", "B Two", "C Three"]
    assert (paper.abstract, paper.decision) == (None, "Spotlight")


def test_headings_without_abstract_lines_are_not_a_paper_list() -> None:
    with pytest.raises(InputError, match="no 'abstract@open-review"):
        _read("# One\n\n- A B\n\n# Two\n\n- C D\n")


def test_title_markup_is_removed_but_math_kept() -> None:
    text = (
        "### **<u>Big</u></del>** \\$x\\_1\\$ <br/>and $p<q$ <span>nets</span>\n\n"
        "- A One\n- abstract@open-review(Poster): Uses $a<b$ and <del>x</del>\\{1\\}."
    )
    (paper,) = _read(text)
    assert isinstance(paper, Paper)
    assert paper.title == "Big $x_1$ and $p<q$ nets"
    assert paper.abstract == "Uses $a<b$ and x{1}."
