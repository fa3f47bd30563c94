"""Shards written anywhere, in any order, merge into the single-process build."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from kg.builds import BuildOptions
from kg.errors import InputError, UsageError
from kg.pipeline import bundled_sources
from kg.shards import (
    RESOLUTION,
    build_from_shards,
    emit_shard,
    parse,
    shard_of,
    write_resolution,
)
from tests.scale.compare import assert_same_build


@pytest.fixture(scope="module")
def shards(bundled_shards: Path) -> Path:
    return bundled_shards


@pytest.mark.slow
def test_three_shards_merge_into_the_single_process_build(shards: Path, built: Path) -> None:
    assert_same_build(shards / "merged", built)
    # and the shards with the merge's labels are the whole graph, for bulk loaders
    lines = b"".join(
        sorted({x for p in shards.glob("*.nq") for x in p.read_bytes().splitlines(keepends=True)})
    )
    assert lines == (built / "graph.nq").read_bytes()


@pytest.mark.slow
def test_the_shards_are_the_graph_but_the_concept_labels_and_counts(
    shards: Path, built: Path
) -> None:
    lines: set[bytes] = set()
    sizes = []
    for index in range(3):
        part = (shards / f"shard-{index}-of-3.nq").read_bytes().splitlines()
        assert part == sorted(set(part))  # each shard is sorted, like graph.nq
        sizes.append(len(part))
        lines.update(part)
    graph = set((built / "graph.nq").read_bytes().splitlines())
    assert lines <= graph
    missing = graph - lines
    assert missing and all(
        b"/graph/resolution>" in x and b"/concept/" in x.split()[0] for x in missing
    )
    assert min(sizes) > 0.2 * max(sizes)  # shards share the work


def test_a_shard_is_the_same_bytes_whoever_writes_it(shards: Path, tmp_path: Path) -> None:
    """... a Dask worker reading the clusters resolved in parts on the cluster, or this
    process resolving everything itself."""
    assert (shards / RESOLUTION).is_file()
    emit_shard(bundled_sources(), 1, 3, tmp_path, BuildOptions(extract=True))
    assert not (tmp_path / RESOLUTION).exists()
    for suffix in (".nq", ".json"):
        name = f"shard-1-of-3{suffix}"
        assert (tmp_path / name).read_bytes() == (shards / name).read_bytes()


def test_a_shard_without_citations_of_a_blog_still_says_it_is_one(tmp_path: Path) -> None:
    """A shard reading its share keeps none of the blog's one citation, yet writes that
    the source is a blog post, as the shard that read everything does."""
    from kg.sources import SourceSpec

    (tmp_path / "papers.md").write_text(
        "".join(
            f"## {title}\n\n- {names}\n- abstract@open-review(Poster): We study {title}.\n\n"
            for title, names in [
                (
                    "Pay Attention to Features, Transfer Learn Faster CNNs",
                    "Kafeng Wang, Xitong Gao",
                ),
                ("Multiplicative Interactions and Where to Find Them", "Siddhant Jayakumar"),
                ("Gradients as Features for Deep Representation Learning", "Fangzhou Mu, Yin Li"),
                ("Monotonic Multihead Attention", "Xutai Ma, Juan Miguel Pino"),
            ]
        )
    )
    (tmp_path / "blog.txt").write_text(
        "Some prose about multiplication in networks.\n\n"
        "Multiplicative Interactions and Where to Find Them S.M. Jayakumar et al. "
        "https://openreview.net/forum?id=rylnK6VtDH\n"
    )
    specs = [
        SourceSpec(tmp_path / "papers.md", "paper-list", venue="ICLR 2020", year=2020),
        SourceSpec(tmp_path / "blog.txt", "blog-citations"),
    ]
    write_resolution(specs, tmp_path / "saved")
    for folder in ("saved", "alone"):
        for index in range(2):
            emit_shard(specs, index, 2, tmp_path / folder, BuildOptions(extract=False))
    for index in range(2):
        for suffix in (".nq", ".json"):
            name = f"shard-{index}-of-2{suffix}"
            assert (tmp_path / "saved" / name).read_bytes() == (
                tmp_path / "alone" / name
            ).read_bytes()
    blog = [p for p in (tmp_path / "saved").glob("*.nq") if b"BlogPost" in p.read_bytes()]
    cites = [p for p in (tmp_path / "saved").glob("*.nq") if b"/cite/0>" in p.read_bytes()]
    assert len(blog) == 2 and len(cites) == 1  # the shard without the citation says it too


def test_a_resolution_of_other_sources_is_refused(tmp_path: Path) -> None:
    from tests.conftest import affiliation_sources

    write_resolution(affiliation_sources(), tmp_path)
    with pytest.raises(InputError, match=f"{RESOLUTION}: made from other sources"):
        emit_shard(bundled_sources(), 0, 2, tmp_path, BuildOptions(extract=False))
    assert not list(tmp_path.glob("shard-*"))


def test_an_incomplete_or_mixed_set_is_refused(shards: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in (
        "shard-0-of-3.nq",
        "shard-0-of-3.json",
        "shard-2-of-3.nq",  # no 1
        "shard-2-of-3.json",
    ):
        shutil.copy(shards / name, partial / name)
    with pytest.raises(UsageError, match="shards 1/3 are missing"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    shutil.copy(shards / "shard-1-of-3.json", partial / "shard-1-of-3.json")
    with pytest.raises(UsageError, match=r"shard-1-of-3\.nq is missing"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    shutil.copy(shards / "shard-1-of-3.nq", partial / "shard-1-of-3.nq")
    (partial / "shard-0-of-2.json").write_text("{}")
    (partial / "shard-0-of-2.nq").write_text("")
    with pytest.raises(UsageError, match="not a shard sidecar"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    shutil.copy(shards / "shard-0-of-3.json", partial / "shard-0-of-2.json")
    with pytest.raises(UsageError, match="not the file its sidecar describes"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    shutil.copy(shards / "shard-0-of-3.nq", partial / "shard-0-of-2.nq")
    with pytest.raises(UsageError, match="different splits"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    for leftover in partial.glob("shard-0-of-2.*"):
        leftover.unlink()
    with pytest.raises(UsageError, match="other source files"):
        build_from_shards(bundled_sources()[:4], partial, tmp_path / "out")
    sidecar = json.loads((partial / "shard-2-of-3.json").read_text())
    sidecar["base_iri"] = "https://example.org/other/"
    (partial / "shard-2-of-3.json").write_text(json.dumps(sidecar))
    with pytest.raises(UsageError, match="disagree on base_iri"):
        build_from_shards(bundled_sources(), partial, tmp_path / "out")
    assert not (tmp_path / "out" / "graph.nq").exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("papers", {"robot": "many"}, r"paper counts \(papers\)"),
        ("papers", {"robot": -2}, r"paper counts \(papers\)"),
        ("papers", ["robot"], r"paper counts \(papers\)"),
        ("forms", {"robot": {"robots": True}}, r"concept spellings \(forms\)"),
        ("forms", {"robot": 3}, r"concept spellings \(forms\)"),
        ("forms", {"robot": {}}, r"concept spellings \(forms\)"),
        ("papers", {"not-a-concept-here": 1}, r"paper counts \(papers\) and spellings"),
        ("papers", None, r"written by an older kg"),
    ],
)
def test_a_sidecar_whose_concept_counts_are_not_counts_is_refused(
    shards: Path, tmp_path: Path, key: str, value: object, message: str
) -> None:
    """The merge adds the sidecars' counts up; a changed sidecar is named, not a traceback."""
    copy = tmp_path / "shards"
    copy.mkdir()
    for index in range(3):
        for suffix in ("nq", "json"):
            shutil.copy(shards / f"shard-{index}-of-3.{suffix}", copy)
    sidecar = json.loads((copy / "shard-1-of-3.json").read_text())
    assert sidecar[key]  # the bundled shard has counts there to replace
    sidecar[key] = value
    if value is None:
        del sidecar[key]  # as kg wrote sidecars before the paper counts
    (copy / "shard-1-of-3.json").write_text(json.dumps(sidecar))
    with pytest.raises(UsageError, match=r"shard-1-of-3\.json: (its )?" + message):
        build_from_shards(bundled_sources(), copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_shard_arguments() -> None:
    assert parse("2/8") == (2, 8)
    for bad in ("8/8", "-1/2", "1", "a/b", "1/0"):
        with pytest.raises(UsageError, match="I/N"):
            parse(bad)
    keys = [f"paper-{i}" for i in range(4000)]
    counts = [sum(1 for k in keys if shard_of(k, 4) == i) for i in range(4)]
    assert all(900 < c < 1100 for c in counts)  # a hash spreads papers evenly
    assert shard_of("paper-1", 4) == shard_of("paper-1", 4)


@pytest.mark.slow
def test_dask_local_cluster_of_two_workers_gives_the_same_graph(shards: Path) -> None:
    """The bundled shards are the Dask engine's (tests/conftest.py); the merge is the
    single-process build (above). Here: what the run announced, and what it wrote."""
    run = json.loads((shards / "run.json").read_text(encoding="utf-8"))
    # what the progress bar shows before the shards: each source read, then resolution
    # (the people in at least as many parts as the papers: one part per worker)
    assert run["steps"] == [
        *(f"reading {s.path.name}" for s in bundled_sources()),
        "resolving papers in 2 parts",
        "resolving people in 2 parts",
    ]
    names = [f"shard-{i}-of-3.nq" for i in range(3)]
    assert sorted(run["done"]) == run["paths"] == names
    # resolved once on the cluster; the shards and the merge read it instead of resolving
    assert (shards / RESOLUTION).is_file()


@pytest.mark.parametrize("saved", [False, True])
def test_shards_of_a_build_with_affiliations_merge_into_it(
    affiliated: Path, tmp_path: Path, saved: bool
) -> None:
    """Organizations are resolved over all sources (in every shard, or once in parts and
    saved), and each is written by the one shard its key falls to: the merge is the
    single-process build."""
    from tests.conftest import affiliation_sources

    if saved:
        write_resolution(affiliation_sources(), tmp_path, parts=2)
    for index in (1, 0, 2):
        emit_shard(affiliation_sources(), index, 3, tmp_path, BuildOptions(extract=False))
    with pytest.MonkeyPatch.context() as patch:
        if saved:  # the merge streams the sources for its report, holding no record set

            def whole(*args: object, **kwargs: object) -> None:
                raise AssertionError("a merge with a saved resolution read a source whole")

            patch.setattr("kg.pipeline.read_all", whole)
            patch.setattr("kg.reading.read_source", whole)
        build_from_shards(affiliation_sources(), tmp_path, tmp_path / "merged")
    assert_same_build(tmp_path / "merged", affiliated)


def test_a_shard_parses_only_its_own_json_lines(tmp_path: Path) -> None:
    """With a saved resolution a shard parses only the JSON lines its records start on,
    yet writes the same bytes as a shard that parsed every line; the merge of such shards
    is the single-process build, with the warning of a broken line no shard parsed."""
    from bench.corpus import generate
    from kg import pipeline
    from kg.reading import lines_of
    from kg.sources import SourceSpec, jsondoc

    rows = [json.dumps(obj) for obj in generate(300, seed=7)]
    rows.insert(5, "{not json")
    (tmp_path / "papers.jsonl").write_text("".join(r + "\n" for r in rows))
    specs = [SourceSpec(tmp_path / "papers.jsonl")]
    write_resolution(specs, tmp_path / "saved")
    parsed: list[str] = []
    real = jsondoc.without_lone_surrogates

    def counted(line: str) -> str:
        parsed.append(line)
        return real(line)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondoc, "without_lone_surrogates", counted)
        share = []
        for index in range(3):
            parsed.clear()
            emit_shard(specs, index, 3, tmp_path / "saved", BuildOptions(extract=False))
            share.append(len(parsed))
    assert sum(share) == 300 and max(share) < 200  # each its own lines, the broken one none
    for index in range(3):
        emit_shard(specs, index, 3, tmp_path / "alone", BuildOptions(extract=False))
        for suffix in (".nq", ".json"):
            name = f"shard-{index}-of-3{suffix}"
            assert (tmp_path / "saved" / name).read_bytes() == (
                tmp_path / "alone" / name
            ).read_bytes()
    build_from_shards(specs, tmp_path / "saved", tmp_path / "merged")
    pipeline.build(specs, tmp_path / "single", BuildOptions(extract=False))
    assert_same_build(tmp_path / "merged", tmp_path / "single")
    report = json.loads((tmp_path / "merged" / "build-report.json").read_text())
    assert [w["line"] for w in report["warnings"]] == [6]
    assert lines_of(["a:b.jsonl:12", "a:b.jsonl:3#2", "c.bib:7", "bogus", "x:y"]) == {
        "a:b.jsonl": {12, 3},
        "c.bib": {7},
    }
    # a saved record id that names no line is in no source: the shard says so
    lines = gzip.decompress((tmp_path / "saved" / RESOLUTION).read_bytes()).splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(b'["paper"'))
    bad = json.loads(lines[i])
    bad[2] = ["bogus-record-id"]
    lines[i] = json.dumps(bad).encode()
    (tmp_path / "saved" / RESOLUTION).write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    with pytest.raises(InputError, match="records it names are not in the sources"):
        emit_shard(specs, shard_of(bad[1], 3), 3, tmp_path / "saved", BuildOptions(extract=False))
