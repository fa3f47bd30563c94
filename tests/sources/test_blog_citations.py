"""The ``blog-citations`` reader on the bundled blog post (003) and on small made-up posts."""

from __future__ import annotations

from collections import Counter

import pytest

from kg.errors import InputError
from kg.records import Citation, Ids, Item, Problem
from kg.sources import blog_citations
from kg.sources.files import from_text, load
from tests.conftest import SEEDS

BLOG = SEEDS["blog-citations"]


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return list(blog_citations.READER.read(load(BLOG)))


@pytest.fixture(scope="module")
def cites(items: list[Item]) -> list[Citation]:
    return [i for i in items if isinstance(i, Citation)]


def _on(cites: list[Citation], line: int) -> list[Citation]:
    return [c for c in cites if c.source.line == line]


def _read(text: str) -> list[Item]:
    return list(blog_citations.READER.read(from_text(text, "x.txt")))


def test_counts(items: list[Item], cites: list[Citation]) -> None:
    assert len(cites) == 171
    assert [i for i in items if isinstance(i, Problem)] == []
    per_line = Counter(c.source.line for c in cites)
    assert len(per_line) == 125
    assert Counter(per_line.values()) == {1: 96, 2: 18, 3: 6, 4: 4, 5: 1}
    assert per_line[419] == 5
    assert [c.index for c in _on(cites, 419)] == [0, 1, 2, 3, 4]
    assert all(c.source.file == BLOG.name for c in cites)


def test_primary_url_kinds(cites: list[Citation]) -> None:
    def kind(url: str | None) -> str:
        if url is None:
            return "none"
        return next(
            k
            for k in ("openreview.net/forum?id=", "arxiv.org/abs/", "iclr.cc/virtual_2020/poster_")
            if k in url
        )

    assert Counter(kind(c.url) for c in cites) == {
        "openreview.net/forum?id=": 131,
        "arxiv.org/abs/": 34,
        "iclr.cc/virtual_2020/poster_": 5,
        "none": 1,
    }
    assert sum(1 for c in cites if c.ids.openreview) == 136
    assert sum(1 for c in cites if c.ids.arxiv) == 34


def test_consecutive_citations_split_at_the_url(cites: list[Citation]) -> None:
    first, second = _on(cites, 89)
    assert (first.title, first.authors, first.url) == (
        "Mathematical Reasoning in Latent Space",
        "D. Lee et al.",
        "https://openreview.net/forum?id=Ske31kBtPr",
    )
    assert first.ids == Ids(openreview="Ske31kBtPr")
    assert second.title == (
        "Learning Heuristics for Quantified Boolean Formulas through Reinforcement Learning"
    )
    assert (second.authors, second.ids.openreview) == ("G. Lederman et al.", "BJluxREKDB")
    assert second.id == f"{BLOG.name}:89#1"


def test_misplaced_link_goes_to_meta_dropout(cites: list[Citation]) -> None:
    got = [(c.title, c.authors, c.ids.openreview or c.ids.arxiv) for c in _on(cites, 115)]
    assert got == [
        (
            "Learning to Balance: Bayesian Meta-Learning for Imbalanced and Out-of-distribution "
            "Tasks",
            "H.B. Lee et al.",
            "rkeZIJBYvr",
        ),
        (
            "Meta Dropout: Learning to Perturb Latent Features for Generalization",
            "H.B. Lee et al.",
            "BJgd81SYwr",
        ),
        (
            "Empirical Bayes Transductive Meta-Learning with Synthetic Gradients",
            "S.X. Hu et al.",
            "Hkg-xgrYvH",
        ),
        (
            "Rapid Learning or Feature Reuse? Towards Understanding the Effectiveness of MAML",
            "A. Raghu et al.",
            "1909.09157",
        ),
    ]
    assert all(c.extra_urls == () for c in _on(cites, 115))


def test_five_citations_on_line_419(cites: list[Citation]) -> None:
    assert [(c.title, c.authors) for c in _on(cites, 419)] == [
        ("Accelerating SGD with momentum for over-parameterized learning", "C. Liu and M. Belkin"),
        ("On the Variance of the Adaptive Learning Rate and Beyond", "L. Liu et al."),
        (
            "Towards Better Understanding of Adaptive Gradient Algorithms in Generative "
            "Adversarial Nets",
            "M. Liu et al.",
        ),
        ("Variance Reduction With Sparse Gradients", "M. Elibol et al."),
        (
            "Coherent Gradients: An Approach to Understanding Generalization in Gradient "
            "Descent-based Optimization",
            "S. Chatterjee",
        ),
    ]
    assert _on(cites, 419)[0].ids == Ids(arxiv="1810.13395")


def test_trailing_free_text_is_kept_out(cites: list[Citation]) -> None:
    (backpack,) = _on(cites, 447)
    assert backpack.title == "BackPACK: Packing more into Backprop"
    assert backpack.authors == "F. Dangel et al."
    assert backpack.url == "https://openreview.net/forum?id=BJlrF24twB"
    assert backpack.extra_urls == ()
    assert all("pip install" not in (c.title or "") for c in cites)


def test_citation_without_url(cites: list[Citation]) -> None:
    (song,) = _on(cites, 589)
    assert (song.title, song.authors, song.url, song.ids) == (
        "Overlearning Reveals Sensitive Attributes",
        "C. Song, and V. Shmatikov",
        None,
        Ids(),
    )


@pytest.mark.parametrize(
    ("line", "index", "title", "authors"),
    [
        (105, 3, "Continual learning with hypernetworks", "J. von Oswald et al."),
        (165, 1, "Building Deep, Equivariant Capsule Networks", "S. Venkatraman et al."),
        (
            165,
            3,
            "Co-Attentive Equivariant Neural Networks: Focusing Equivariance On "
            "Transformations Co-Occurring in Data",
            "D.W.. Romero and M. Hoogendoorn",
        ),
        (365, 0, "Adversarial Lipschitz Regularization", "D.Terjék"),
        (
            285,
            2,
            "Triple Wins: Boosting Accuracy, Robustness and Efficiency Together by "
            "Enabling Input-Adaptive Inference",
            "T.K. Hu",
        ),
        (
            545,
            0,
            'Deep 3D Pan via adaptive "t-shaped" convolutions with global and local '
            "adaptive dilations",
            "J.L.G. Bello and M. Kim",
        ),
        (67, 0, "Differentiation of Blackbox Combinatorial Solvers", "M.V. Pogančić et al."),
        (
            53,
            0,
            "Oblique Decision Trees from Derivatives of ReLU Networks",
            "G.H. Lee and T.S. Jaakkola",
        ),
        (305, 0, "Gradient L^1 Regularization for Quantization Robustness", "M. Alizadeh et al."),
    ],
)
def test_irregular_authors_and_titles(
    cites: list[Citation], line: int, index: int, title: str, authors: str
) -> None:
    cite = _on(cites, line)[index]
    assert (cite.title, cite.authors, cite.index) == (title, authors, index)


def test_iclr_poster_pages_give_openreview_ids(cites: list[Citation]) -> None:
    posters = {c.source.line: c.ids for c in cites if c.url and "iclr.cc" in c.url}
    assert posters == {
        239: Ids(openreview="rylb3eBtwr"),
        339: Ids(openreview="Byl5NREFDr"),
        369: Ids(openreview="S1lxKlSKPH"),
        459: Ids(openreview="ByeMPlHKPH"),
        517: Ids(openreview="SJlh8CEYDB"),
    }


def test_extra_urls(cites: list[Citation]) -> None:
    extras = {(c.source.line, c.index): c.extra_urls for c in cites if c.extra_urls}
    assert extras == {
        (157, 0): (
            "https://slideslive.com/38923089/contributed-talk-1-metalearning-with-warped"
            "-gradient-descent",
        ),
        (439, 0): ("https://github.com/google/neural-tangents",),
        (443, 0): ("https://magenta.tensorflow.org/ddsp",),
        (455, 0): ("https://huggingface.co/transformers/model_doc/reformer.html",),
        (573, 0): ("https://automated-discovery.github.io/",),
    }
    (tangents, arora) = _on(cites, 439)
    assert tangents.url == "https://openreview.net/forum?id=SklD9yrFPS"
    assert arora.ids == Ids(arxiv="1910.01663")


def test_urls_that_are_not_citations(items: list[Item]) -> None:
    lines = {i.source.line for i in items}
    assert not lines & {111, 627, 631, 633}
    assert min(lines) == 31
    assert max(lines) == 613


def test_paragraph_context(cites: list[Citation]) -> None:
    assert all(c.paragraph_line == c.source.line - 2 for c in cites)
    first = _on(cites, 31)[0]
    assert first.paragraph is not None
    assert first.paragraph.startswith("In a standard neural net, one could replace concatenation")
    meta = _on(cites, 115)
    assert {c.paragraph_line for c in meta} == {113}
    assert meta[1].paragraph is not None
    assert meta[1].paragraph.startswith("Many small improvements or variants were proposed")
    song = _on(cites, 589)[0]
    assert song.paragraph is not None
    assert song.paragraph.startswith("Sensitive attributes can be censored")


def test_sniff_scores_only_the_blog() -> None:
    for name, path in SEEDS.items():
        score = blog_citations.sniff(load(path))
        assert score >= 80 if name == "blog-citations" else score == 0, name
    assert blog_citations.sniff(from_text("title,authors,abstract\nT,A B,x\n")) == 0
    assert blog_citations.sniff(from_text('{"title": "T", "authors": ["A B"]}\n')) == 0


def test_reader_is_registered() -> None:
    assert blog_citations.READER.name == "blog-citations"
    assert blog_citations.READER.authority == 20


def test_made_up_post() -> None:
    text = "\n".join(
        [
            "Some prose about graphs, with C. Finn's course mentioned in passing.",
            "",
            "https://example.org/course/",
            "",
            "Graph Nets A. Smith et al. https://arxiv.org/abs/2001.01234v3 "
            "https://openreview.net/forum?id=abc-DEF_1",
            "",
            "Second Paper B.C. de Vries and D. Ng https://github.com/x/y",
        ]
    )
    cites = _read(text)
    assert all(isinstance(c, Citation) for c in cites)
    first, second = cites
    assert isinstance(first, Citation) and isinstance(second, Citation)
    # A second paper link at the end of a line stays with its citation.
    assert first.url == "https://arxiv.org/abs/2001.01234v3"
    assert first.extra_urls == ("https://openreview.net/forum?id=abc-DEF_1",)
    assert first.ids == Ids(openreview="abc-DEF_1", arxiv="2001.01234")
    assert (first.paragraph_line, first.source.line) == (1, 5)
    assert (second.title, second.authors) == ("Second Paper", "B.C. de Vries and D. Ng")
    assert second.url == "https://github.com/x/y"
    assert second.ids == Ids()
    # The previous citation line is not prose: the context is still line 1.
    assert second.paragraph_line == 1


def _problems(items: list[Item]) -> list[tuple[int, str]]:
    return [(p.source.line, p.message) for p in items if isinstance(p, Problem)]


def test_lines_that_cannot_be_split_are_problems() -> None:
    text = "\n".join(
        [
            "Prose.",
            "",
            "Good Title A. Smith https://openreview.net/forum?id=a1 Orphan text without authors "
            "https://openreview.net/forum?id=b2",
            "",
            "A. Nobody et al. https://openreview.net/forum?id=c3",
            "",
            "Title X. Ray https://arxiv.org/abs/1901.00001 Dangling Title Y. Zed and more words",
            "",
            "Fine Title Q. Bee https://openreview.net/forum?id=d4",
        ]
    )
    items = _read(text)
    problems = _problems(items)
    assert [line for line, _ in problems] == [3, 5, 7]
    assert "no author abbreviation in 'Orphan text without authors'" in problems[0][1]
    assert "without a title" in problems[1][1]
    assert "text after the authors: 'and more words'" in problems[2][1]
    (fine,) = [i for i in items if isinstance(i, Citation)]
    assert (fine.title, fine.source.line, fine.paragraph_line) == ("Fine Title", 9, 1)


def test_prose_is_never_a_citation() -> None:
    text = "\n\n".join(
        [
            "See https://example.org/x and https://openreview.net/forum?id=zz for more.",
            "Thanks to J. Smith for the help.",
            "https://example.org/",
            "Title A. Author https://arxiv.org/abs/1901.00001",
        ]
    )
    (cite,) = _read(text)
    assert isinstance(cite, Citation)
    assert (cite.source.line, cite.paragraph_line) == (7, 3)
    assert cite.paragraph == "Thanks to J. Smith for the help."


def test_a_post_without_citations_is_an_error() -> None:
    with pytest.raises(InputError, match="no citation found"):
        _read("Just prose, https://example.org/ and nothing cited.\n\nMore prose.\n")
