"""The rules one by one, on small texts (rules only where tags do not matter)."""

from __future__ import annotations

import pytest

from kg.acronyms import find_definitions, is_acronym
from kg.extract import Text, extract, extract_one
from kg.extract.clean import clean
from kg.extract.lexicon import key_words
from kg.extract.title import analyse
from kg.resolve.concepts import Concepts, learn_acronyms
from kg.text import fold


def _one(
    abstract: str, title: str | None = None, model: str | None = "auto", spans: bool = True
) -> dict:
    return extract_one(abstract, title, model=model, spans=spans).as_dict()


def _names(result: dict, kind: str, role: str | None = None) -> list[str]:
    return [m["name"] for m in result[kind] if role is None or m.get("role") == role]


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("We use Graph Neural Networks (GNNs) here.", [("Graph Neural Networks", "GNNs")]),
        (
            "convex layerwise adversarial training (COLT) is",
            [("convex layerwise adversarial training", "COLT")],
        ),
        ("the Kronecker-Factored Lattice (KFL) model", [("Kronecker-Factored Lattice", "KFL")]),
        ("results (see Table 2) and (ii) more", []),
        ("a score (p < 0.05) was", []),
    ],
)
def test_acronym_definitions(text: str, pairs: list[tuple[str, str]]) -> None:
    assert [(d.long, d.short) for d in find_definitions(text)] == pairs


def test_acronym_spans_point_into_the_text() -> None:
    text = "We use Graph Neural Networks (GNNs) here."
    d = find_definitions(text)[0]
    assert text[d.long_start : d.long_end] == d.long and text[d.short_start : d.short_end] == "GNNs"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("GNN", True),
        ("C-SWMs", True),
        ("E2Efold", True),
        ("seq2seq", True),
        ("the", False),
        ("A", False),
        ("Table", False),
    ],
)
def test_is_acronym(word: str, expected: bool) -> None:
    assert is_acronym(word) is expected


@pytest.mark.parametrize(
    ("abstract", "name"),
    [
        ("We propose FooNet, a novel network for image classification.", "FooNet"),
        ("In this paper, we introduce a method called BarGAN that improves training.", "BarGAN"),
        (
            "We present a new algorithm for reinforcement learning called Maximum a-posteriori "
            "Policy Optimisation (MPO) based on coordinate ascent.",
            "Maximum a-posteriori Policy Optimisation",
        ),
        (
            "This paper presents an approach named Kernel Implicit Variational Inference that "
            "addresses these challenges.",
            "Kernel Implicit Variational Inference",
        ),
    ],
)
def test_proposal_cues(abstract: str, name: str) -> None:
    assert _names(_one(abstract), "methods", "proposed") == [name]


def test_established_methods_are_used_not_proposed() -> None:
    r = _one(
        "We propose FooNet, which combines an LSTM encoder with stochastic gradient "
        "descent and batch normalization."
    )
    assert _names(r, "methods", "proposed") == ["FooNet"]
    assert {"LSTM", "stochastic gradient descent", "batch normalization"} <= set(
        _names(r, "methods", "used")
    )


def test_idioms_are_not_methods() -> None:
    r = _one(
        "Variational inference has received much attention recently. We propose "
        "FooVI, a new variational method."
    )
    assert "attention" not in _names(r, "methods")


def test_metrics_are_not_methods() -> None:
    r = _one(
        "We propose FooGAN. Quality is measured with the Fréchet Inception Distance "
        "(FID) on CIFAR-10."
    )
    assert not any("Distance" in n for n in _names(r, "methods"))
    assert "CIFAR-10" in _names(r, "datasets")


def test_a_new_dataset_is_marked_new() -> None:
    r = _one(
        "We introduce FooBench, a new benchmark for visual reasoning, and evaluate ResNet-50 on it."
    )
    new = [d for d in r["datasets"] if d["new"]]
    assert [d["name"] for d in new] == ["FooBench"]


def test_title_name_and_tasks() -> None:
    info = analyse("Fair Mixup: Fairness via Interpolation")
    assert (info.name, info.tasks, info.via) == ("Fair Mixup", ["Fairness"], "Interpolation")
    assert analyse(
        "Target-Embedding Autoencoders for Supervised Representation Learning"
    ).tasks == ["Supervised Representation Learning"]


def test_tasks_fold_acronyms_and_contained_forms() -> None:
    # the task rules alone
    r = _one(
        "Neural machine translation (NMT) has achieved a lot. Machine translation "
        "systems in NMT struggle with rare words. We propose FooMT for machine "
        "translation.",
        spans=False,
    )
    tasks = [t.lower() for t in _names(r, "tasks")]
    assert tasks.count("machine translation") + tasks.count("neural machine translation") == 1, (
        tasks
    )
    assert "nmt" not in tasks


def test_keywords_spell_out_acronyms_and_skip_lone_common_words() -> None:
    r = _one(
        "Determinantal point processes (DPPs) deliver diversity. We study DPPs and "
        "their spectral sub-gradient. The study raises doubt about DPP training.",
        title="Deep Learning of Determinantal Point Processes",
    )
    keys = [k.lower() for k in _names(r, "keywords")]
    assert "determinantal point processes" in keys
    assert "dpps" not in keys and "doubt" not in keys


def test_spans_are_offsets_into_the_abstract_as_given() -> None:
    abstract = r"Using $\mathrm{KFL}$ and \textbf{FooNet}, we propose FooNet for search."
    r = _one(abstract)
    for kind in ("methods", "datasets", "tasks", "keywords"):
        for m in r[kind]:
            if m["start"] is not None:
                assert (
                    abstract[m["start"] : m["end"]]
                    .replace("\\textbf{", "")
                    .startswith(m["name"][:3])
                ), (m, abstract[m["start"] : m["end"]])


def test_clean_maps_offsets_back() -> None:
    c = clean(r"using $\mathrm{KFL}$ models and \emph{x} [a link](http://x.org) *Foo*")
    assert c.text == "using KFL models and x a link Foo"
    start = c.text.index("KFL")
    assert c.span(start, start + 3) == (15, 18)
    assert "LaTeX simplified" in c.warnings


def test_fold_and_learned_acronyms_make_one_concept() -> None:
    assert fold("Meta-Learning") == fold("meta learning") == fold("meta-learnings")
    assert fold("CIFAR10") == fold("CIFAR-10")
    c = Concepts.learn(
        [
            "We use graph neural networks (GNNs).",
            "Graph Neural Networks (GNN) are",
            "ImageNet images (ImageNet) are",
        ]
    )
    assert c.key("GNNs") == c.key("graph neural network") == c.key("Graph Neural Networks")
    assert "imagenet" not in c.acronyms  # a name, not an abbreviation


def test_remembered_concept_keys_stay_bounded_and_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.resolve import concepts

    monkeypatch.setattr(concepts, "_KEYS_KEPT", 3)
    c = Concepts.learn(["We use graph neural networks (GNNs)."])
    names = ["GNNs", "graph neural network", "Meta-Learning", "meta learning", "CIFAR10"]
    first = [c.key(n) for n in names]
    assert len(c._keys) <= 3
    assert (
        [c.key(n) for n in names]
        == first
        == [concepts.concept_key(c.acronyms.get(fold(n), fold(n))) for n in names]
    )


def test_learned_acronyms_ignore_input_order() -> None:
    pairs = [
        ("graph neural networks", "GNN"),
        ("gated neural nets", "GNN"),
        ("graph neural network", "GNNs"),
    ]
    assert (
        learn_acronyms(pairs) == learn_acronyms(reversed(pairs)) == {"gnn": "graph neural network"}
    )


def test_corpus_acronyms_type_undefined_acronyms() -> None:
    text = Text("p", None, "Our model improves QA accuracy and we propose FooQA.")
    plain = next(extract([text], warn=False))
    known = next(extract([text], warn=False, acronyms={"qa": "question answering"}))
    assert "QA" not in [m.name for m in known.methods + known.datasets]
    assert len(known.methods) <= len(plain.methods)


def test_lexicon_keys_fold_plurals() -> None:
    assert key_words("queries") == key_words("query")
    assert key_words("Graph-Neural Networks") == ("graph", "neural", "network")
