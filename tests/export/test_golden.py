"""Every export format of one small build against its golden file, byte for byte.

After an intended change of an output, ``python -m tests.golden --update`` rewrites the
golden files; review their diff with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.export import formats, papers, rdf
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


def test_every_registered_format_has_a_golden_file_or_a_reason() -> None:
    assert set(golden.RDF) == {*rdf.FORMATS, "void"}
    assert set(golden.PAPERS) == set(papers.WRITERS)
    assert set(golden.NETWORKS) | set(golden.LEFT_OUT) == set(formats.EXPORTERS)
    names = set(golden.expected())
    for suffix in golden.RDF.values():
        assert f"graph.{suffix}" in names
    for suffix in golden.PAPERS.values():
        assert f"papers.{suffix}" in names
    assert {n for files in golden.NETWORKS.values() for n in files} <= names


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
