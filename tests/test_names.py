"""Every module and every public class of kg has a name that means one thing.

Two modules with one basename (``kg/extract/names.py`` beside ``kg/resolve/names.py``) or
two classes with one name in different modules read as the same thing in an import, a
traceback or a review, when they are not.  These tests list every such pair.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

#: Basenames that may repeat, and why.
SHARED_MODULE_NAMES = {
    "__init__": "the body of every package",
    "__main__": "what `python -m` runs",
    # a command group of the CLI is named after the package it drives (README: "one
    # module per command group"): one meaning, in two layers
    "extract": "kg/cli/extract.py is the `kg extract` command over the kg.extract package",
    "export": "kg/cli/export.py is the `kg export` command over the kg.export package",
}


def _modules() -> dict[str, list[str]]:
    """Each basename of a module or package of kg → where it is defined."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(KG.rglob("*.py")):
        found[path.stem].append(str(path.relative_to(KG.parent)))
    for init in sorted(KG.rglob("__init__.py")):
        if init.parent != KG:
            found[init.parent.name].append(f"{init.parent.relative_to(KG.parent)}/")
    return found


def _public_classes() -> dict[str, list[str]]:
    """Each public class name of kg → the modules (and lines) that define one."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(KG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found[node.name].append(f"{path.relative_to(KG.parent)}:{node.lineno}")
    return found


def test_no_two_modules_share_a_basename() -> None:
    twice = {
        name: places
        for name, places in _modules().items()
        if len(places) > 1 and name not in SHARED_MODULE_NAMES
    }
    assert not twice, f"module names defined twice in kg/ (rename one): {twice}"


def test_every_shared_module_name_is_still_shared() -> None:
    """An allowance nobody needs any more is taken out, so the list stays honest (the
    dunder names are Python's, allowed whether or not kg has two of them today)."""
    modules = _modules()
    unused = [
        name
        for name in SHARED_MODULE_NAMES
        if not name.startswith("__") and len(modules.get(name, ())) < 2
    ]
    assert not unused, f"SHARED_MODULE_NAMES lists names defined once: {unused}"


def test_no_two_public_classes_share_a_name() -> None:
    twice = {name: places for name, places in _public_classes().items() if len(places) > 1}
    assert not twice, f"public class names defined twice in kg/ (rename one): {twice}"


def test_the_scans_see_kg() -> None:
    """The scans read the real package: a wrong root would let the tests above pass."""
    assert "pipeline" in _modules() and "Paper" in _public_classes()
