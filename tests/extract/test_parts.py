"""The parts of extraction (kg.extract.parts): each names real modules and has its tests."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from kg.extract.parts import PARTS

ROOT = Path(__file__).parent.parent.parent

#: The tests of each part (a new part needs its tests here); their modules must use one
#: of the part's modules.
TESTS: dict[str, tuple[str, ...]] = {
    "clean": ("tests/extract/test_rules.py::test_clean_maps_offsets_back",),
    "tagger": ("tests/extract/test_quality.py::test_a_trained_pipeline_is_installed",),
    "span-model": (
        "tests/extract/test_training.py::test_the_shipped_models_load_offline_and_are_small",
    ),
    "cue-rules": (
        "tests/extract/test_rules.py::test_proposal_cues",
        "tests/extract/test_rules.py::test_title_name_and_tasks",
    ),
    "acronyms": ("tests/extract/test_rules.py::test_acronym_definitions",),
    "lexicons": ("tests/extract/test_rules.py::test_lexicon_keys_fold_plurals",),
    "joining": (
        "tests/extract/test_parts.py::test_joining_makes_the_models_proposal_the_papers_own",
    ),
    "keywords": (
        "tests/extract/test_training.py::test_the_shipped_models_load_offline_and_are_small",
        "tests/extract/test_rules.py::test_keywords_spell_out_acronyms_and_skip_lone_common_words",
    ),
}


def _used_modules(path: Path) -> set[str]:
    """The kg modules a test file imports (``from kg.x import y`` gives kg.x and kg.x.y)."""
    used: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            used.add(node.module)
            used.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            used.update(alias.name for alias in node.names)
    return used


@pytest.mark.parametrize("name", list(PARTS))
def test_every_part_is_tested(name: str) -> None:
    part = PARTS[name]
    assert TESTS.get(name), f"part {name!r} needs its tests in TESTS"
    used: set[str] = set()
    for node in TESTS[name]:
        file, _, function = node.partition("::")
        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        test = getattr(module, function, None)
        assert inspect.isfunction(test), f"{node} is not a test function"
        used |= _used_modules(ROOT / file)
    assert set(part.modules) & used, f"the tests of {name} use none of {part.modules}"


@pytest.mark.parametrize("name", list(PARTS))
def test_every_part_names_modules_that_exist(name: str) -> None:
    part = PARTS[name]
    assert len(part.description) > 30 and part.name == name
    for module in part.modules:
        assert importlib.import_module(module).__doc__, f"{module} needs a docstring"


def test_every_module_of_extraction_is_a_part_or_a_helper() -> None:
    import kg.extract

    named = {m for p in PARTS.values() for m in p.modules}
    helpers = {"cache", "components", "model", "parts", "tagged", "texts", "wordlists", "workers"}
    modules = {p.stem for p in Path(kg.extract.__file__).parent.glob("*.py")} - {"__init__"}
    assert modules - helpers == {m.rsplit(".", 1)[-1] for m in named if m.startswith("kg.extract")}


def test_joining_makes_the_models_proposal_the_papers_own() -> None:
    from kg.extract import _pipeline
    from kg.extract.clean import clean
    from kg.extract.combine import MAX_PROPOSED, combine
    from kg.extract.engine import rules
    from kg.extract.lexicon import default
    from kg.extract.spans import Found
    from kg.extract.tagged import TaggedPaper

    text = "Our model BarNet is trained like BazNet and evaluated on CIFAR-10."
    nlp = _pipeline("auto", warn=False).nlp
    paper = TaggedPaper("p", None, None, nlp(clean(text).text), clean(text), default(), {}, text)
    rule = rules(paper)
    assert not rule.proposed  # no cue: the rules take both names for used methods
    assert [e.forms[0] for e in rule.used] == ["BarNet", "BazNet"]
    at = text.index
    found = [Found("PROPOSED", "abstract", at(n), at(n) + 6, n) for n in ("BarNet", "BazNet")]
    joined = combine(paper, rule, found)
    # the model's proposals, at most MAX_PROPOSED of them the paper's own (the first of equals)
    assert MAX_PROPOSED == 1
    assert [(e.forms[0], e.rule) for e in joined.proposed] == [("BarNet", "model")]
    assert [(e.forms[0], e.rule) for e in joined.used] == [("BazNet", "model")]
    assert [e.forms[0] for e in joined.datasets] == ["CIFAR-10"]  # the rules' dataset kept
    assert joined.datasets[0].new is False
