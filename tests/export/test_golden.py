"""Every export format of one small build against its golden file, byte for byte.

After an intended change of an output, ``python -m tests.golden --update`` rewrites the
golden files; review their diff with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.export import formats, networks, papers, rdf
from kg.store import Store
from tests import golden


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return golden.render(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", sorted(golden.expected()))
def test_export_matches_its_golden_file(rendered: dict[str, bytes], name: str) -> None:
    want = golden.expected()[name]
    assert name in rendered, f"no export writes {name} any more (run {golden.UPDATE})"
    if rendered[name] != want:
        pytest.fail(
            f"{name} differs from tests/data/golden/{name}; if the change is "
            f"intended, run {golden.UPDATE} and review the diff:\n"
            f"{golden.diff(name, want, rendered[name])}",
            pytrace=False,
        )


def test_every_export_has_a_golden_file_and_every_golden_file_an_export(
    rendered: dict[str, bytes],
) -> None:
    assert sorted(rendered) == sorted(golden.expected()), f"run {golden.UPDATE}"


@pytest.mark.parametrize(("kind", "name"), golden.formats())
def test_every_registered_format_has_a_golden_file_or_a_reason(kind: str, name: str) -> None:
    if (kind, name) in golden.LEFT_OUT:
        assert len(golden.LEFT_OUT[kind, name]) > 40
    else:
        assert set(golden.files(kind, name)) <= set(golden.expected()), f"run {golden.UPDATE}"


def test_every_reason_to_leave_a_format_out_names_a_registered_one() -> None:
    assert set(golden.LEFT_OUT) <= set(golden.formats())


@pytest.fixture(scope="module")
def golden_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open(golden.build(tmp_path_factory.mktemp("golden-build")))


def _render(store: Store, kind: str, name: str) -> dict[str, bytes]:
    """One format's output through its registry entry: golden file name → bytes."""
    if kind == "papers":
        return {golden.files(kind, name)[0]: papers.FORMATS[name].render(store)}
    if kind == "rdf":
        return {golden.files(kind, name)[0]: rdf.render(store, name)}
    graph = networks.coauthor_graph(store)
    parts = formats.EXPORTERS[name].render(graph, "Co-author network")
    return {
        f"coauthors{suffix or formats.EXPORTERS[name].extension}": b for suffix, b in parts.items()
    }


@pytest.mark.parametrize(("kind", "name"), golden.formats())
def test_every_output_format_renders_its_golden_bytes(
    golden_store: Store, kind: str, name: str
) -> None:
    got = _render(golden_store, kind, name)
    assert got == _render(golden_store, kind, name)  # deterministic
    assert all(got.values())
    if (kind, name) in golden.LEFT_OUT:
        [page] = got.values()  # the HTML page: the people are on it
        assert page.startswith(b"<!DOCTYPE html>") and b"Ann Lee" in page
        return
    assert sorted(got) == sorted(golden.files(kind, name))
    want = golden.expected()
    assert {n: want[n] for n in got} == got


def test_golden_files_stay_small() -> None:
    sizes = {p.name: p.stat().st_size for p in golden.GOLDEN.iterdir() if p.is_file()}
    assert max(sizes.values()) < 25_000, sizes


def test_the_check_command_says_which_files_differ(
    tmp_path: Path, rendered: dict[str, bytes]
) -> None:
    changed = {**rendered, "graph.nt": rendered["graph.nt"] + b"<a:b> <a:c> <a:d> .\n"}
    del changed["papers.csv"]
    problems = golden.compare(changed, golden.expected())
    assert [p.split("\n")[0] for p in problems] == [
        f"papers.csv: golden file no export writes (run {golden.UPDATE})",
        "graph.nt differs:",
    ]
    assert "+<a:b> <a:c> <a:d> .\n" in problems[1]
