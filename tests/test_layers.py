"""The arrows between kg's modules point one way.

`make lint` runs `lint-imports` on the contracts in pyproject.toml (``[tool.importlinter]``);
these tests make the same checks part of any pytest run, so that a cycle or an arrow
pointing up fails where it was written.  Imports inside functions count.  The contracts
miss one kind of cycle, a package's ``__init__`` importing its own module that imports it
back; :func:`test_no_import_cycles` finds every cycle between two modules.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def _cycles(graph: grimp.ImportGraph) -> set[tuple[str, ...]]:
    """Every import cycle between two or more modules, once each, from its least module."""
    found = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(
                importer=imported, imported=importer, as_packages=False
            )
            if back:
                cycle = (importer, *back[:-1])
                start = cycle.index(min(cycle))
                found.add(cycle[start:] + cycle[:start])
    return found


def test_no_import_cycles() -> None:
    cycles = _cycles(grimp.build_graph("kg", cache_dir=None))
    shown = "\n".join(" -> ".join((*c, c[0])) for c in sorted(cycles))
    assert not cycles, f"import cycles in kg (move what both sides need below both):\n{shown}"


def test_a_cycle_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == {("p.a", "p.b", "p.c")}


def test_the_layer_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out
