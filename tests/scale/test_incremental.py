"""`kg build --add` and `--remove` give exactly the full build of the new list of sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg.builds import BuildOptions
from kg.errors import UsageError
from kg.pipeline import build, bundled_sources
from kg.sources import SourceSpec
from tests.scale.compare import COMPARED, assert_same_build, store_quads


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A build of the first three bundled sources, and a copy of what it wrote."""
    out = tmp_path_factory.mktemp("incremental")
    build(bundled_sources()[:3], out=out, options=BuildOptions(workers=2))
    copy = tmp_path_factory.mktemp("three") / "copy"
    copy.mkdir()
    for name in COMPARED:
        shutil.copy(out / name, copy / name)
    (copy / "quads.json").write_text(json.dumps(sorted(store_quads(out))))
    return out, copy


@pytest.mark.slow
def test_add_then_remove_equal_full_builds(three: tuple[Path, Path], built: Path) -> None:
    out, copy = three
    specs = bundled_sources()
    before = (out / "graph.nq").read_bytes()
    steps: list[str] = []
    build(out=out, options=BuildOptions(workers=2), add=specs[3:], step=steps.append)
    # the same graph as building all five at once (the session's bundled build)
    assert_same_build(out, built)
    # the added 425 abstracts were extracted (003 has none), and the few earlier ones whose
    # acronyms the new sources define differently; the other 787 came from the cache
    extracting = [s for s in steps if s.startswith("extracting")]
    assert extracting
    assert 425 <= int(extracting[-1].rsplit("/", 1)[1]) <= 450
    assert (out / "graph.nq").read_bytes() != before

    # removing them again (by file name, and by path) gives back the three-source build
    build(out=out, options=BuildOptions(workers=2), remove=[specs[4].path.name, specs[3].path])
    for name in COMPARED:
        assert (out / name).read_bytes() == (copy / name).read_bytes(), f"{name} differs"
    assert store_quads(out) == set(json.loads((copy / "quads.json").read_text()))
    assert [
        Path(s["path"]).name for s in json.loads((out / "sources.json").read_text())["sources"]
    ] == [s.path.name for s in specs[:3]]


def test_incremental_needs_an_earlier_build(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no earlier build"):
        build(out=tmp_path, add=bundled_sources()[:1], options=BuildOptions(extract=False))


def test_removing_an_unknown_source_names_the_real_ones(tmp_path: Path) -> None:
    build(bundled_sources()[:2], out=tmp_path, options=BuildOptions(extract=False))
    before = (tmp_path / "graph.nq").read_bytes()
    with pytest.raises(UsageError, match=r"nope\.bib: not a source .*000_"):
        build(out=tmp_path, remove=["nope.bib"], options=BuildOptions(extract=False))
    with pytest.raises(UsageError, match="already a source"):
        build(out=tmp_path, add=bundled_sources()[:1], options=BuildOptions(extract=False))
    with pytest.raises(UsageError, match="leaves no source"):
        build(
            out=tmp_path,
            remove=[s.path.name for s in bundled_sources()[:2]],
            options=BuildOptions(extract=False),
        )
    assert (tmp_path / "graph.nq").read_bytes() == before  # nothing was touched


def test_remove_and_add_in_one_build_equal_the_full_build(tmp_path: Path) -> None:
    src = tmp_path / "papers.jsonl"
    src.write_text('{"title": "Attention Is All You Need", "authors": ["A. Vaswani"]}\n')
    out = tmp_path / "out"
    build([SourceSpec(src)], out=out, options=BuildOptions(extract=False))
    src.write_text(
        '{"title": "Attention Is All You Need", "authors": ["A. Vaswani"]}\n'
        '{"title": "Deep Residual Learning", "authors": ["K. He"]}\n'
    )
    build(out=out, remove=[src.name], add=[SourceSpec(src)], options=BuildOptions(extract=False))
    full = tmp_path / "full"
    build([SourceSpec(src)], out=full, options=BuildOptions(extract=False))
    assert_same_build(out, full)


def test_the_cli_keeps_the_build_options_and_refuses_mixed_arguments(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"title": "Attention Is All You Need", "authors": ["A. Vaswani"]}\n')
    b.write_text('{"title": "Deep Residual Learning", "authors": ["K. He"]}\n')
    out = str(tmp_path / "out")

    def kg(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    assert (
        kg(
            "build", str(a), "--dir", out, "--no-extract", "--base-iri", "https://example.org/x/"
        ).exit_code
        == 0
    )
    assert kg("build", "--dir", out, "--add", str(b)).exit_code == 0
    graph = (tmp_path / "out" / "graph.nq").read_text()
    assert "https://w3id.org/kg/id/" not in graph and graph.count("https://example.org/x/") > 20
    assert "extract-cache.jsonl" not in {p.name for p in (tmp_path / "out").iterdir()}
    result = kg("build", "--dir", out, "--remove", "a.jsonl", str(b))
    assert result.exit_code != 0 and "give --add too" in result.output
    (tmp_path / "sub").mkdir()
    twin = tmp_path / "sub" / "a.jsonl"
    twin.write_text(a.read_text())
    result = kg("build", "--dir", out, "--add", str(twin))
    assert result.exit_code != 0 and "2 sources are named a.jsonl" in result.output
