"""Resolution in parts gives the whole corpus's resolution, whatever the number of parts."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import generate
from kg import pipeline
from kg.errors import InputError
from kg.records import Author, Ids, Paper, SourceRef
from kg.resolve import partition, resolutionfile
from kg.resolve.paperlinks import PaperResolution, Ranked, resolve_papers
from kg.resolve.people import PeopleResolution, resolve_people
from kg.sources import SourceSpec

EXTERNAL = Path(__file__).parents[2] / "tests" / "data" / "external"


def _resolved(
    records: Sequence[Ranked], citations: Sequence[Any], parts: int, run: Any = partition.serial
) -> tuple[PaperResolution, PeopleResolution]:
    papers = partition.resolve_papers(records, citations, parts, run)
    people = partition.resolve_people([r.paper for r in records], papers.cluster_of, parts, run)
    return papers, people


def _assert_same(
    got: tuple[PaperResolution, PeopleResolution], want: tuple[PaperResolution, PeopleResolution]
) -> None:
    (gp, ge), (wp, we) = got, want
    assert gp.clusters == wp.clusters
    assert list(gp.cluster_of.items()) == list(wp.cluster_of.items())
    assert gp.citation_target == wp.citation_target
    assert gp.citation_evidence == wp.citation_evidence
    assert gp.conflicts == wp.conflicts
    for name in ("person_of", "labels", "names", "evidence", "ambiguous"):
        assert list(getattr(ge, name).items()) == list(getattr(we, name).items()), name
    assert list(ge.decisions.items()) == list(we.decisions.items())


def _whole(records: Sequence[Ranked], citations: Sequence[Any]) -> tuple[Any, Any]:
    papers = resolve_papers(records, citations)
    return papers, resolve_people([r.paper for r in records], papers.cluster_of)


def _loaded(specs: Sequence[SourceSpec]) -> tuple[list[Ranked], list[Any]]:
    loaded = pipeline.read_all(specs)
    return (
        [Ranked(p, s.authority) for s in loaded for p in s.papers],
        [c for s in loaded for c in s.citations],
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Ranked], list[Any]]:
    """The 10K synthetic corpus of the benchmarks: skewed names, so many homonyms."""
    path = tmp_path_factory.mktemp("synthetic") / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in generate(10_000)), encoding="utf-8")
    return _loaded([SourceSpec(path)])


def test_parts_of_the_bundled_and_external_sources_resolve_as_the_whole() -> None:
    external = sorted(p for p in EXTERNAL.iterdir() if p.suffix in (".json", ".jsonl", ".bib"))
    records, citations = _loaded([*pipeline.bundled_sources(), *map(SourceSpec, external)])
    want = _whole(records, citations)
    assert any(len(c.members) > 1 for c in want[0].clusters)  # records of one paper to join
    assert want[0].citation_target  # and citations to resolve
    for parts in (1, 2, 3, 8):
        _assert_same(_resolved(records, citations, parts), want)


def test_parts_of_the_synthetic_corpus_resolve_as_the_whole(synthetic: Any) -> None:
    records, citations = synthetic
    want = _whole(records, citations)
    weighed = [d for ds in want[1].decisions.values() for d in ds if d["probability"] is not None]
    assert len(weighed) > 100  # homonyms were weighed, with topics
    for parts in (2, 5):
        _assert_same(_resolved(records, citations, parts), want)


def _paper(
    file: str, line: int, title: str | None, *authors: Author, abstract: str | None = None
) -> Ranked:
    return Ranked(
        Paper(SourceRef(file, line), title, authors=authors, abstract=abstract, ids=Ids()), 50
    )


def _a(name: str, **kw: Any) -> Author:
    return Author.from_written(name, **kw)


def _cross_block_corpus() -> list[Ranked]:
    """Links that cross what a naive blocking (by surname, by title) would cut."""
    words = "graph neural networks learn message passing over molecules and proteins"
    return [
        # an untitled record joins its titled twin by authors and abstract
        _paper("a", 1, "Message Passing for Molecules", _a("Ada Byron"), abstract=words),
        _paper("b", 1, None, _a("Ada Byron"), abstract=words),
        # one ORCID under a maiden and a married surname
        _paper("a", 2, "Proteins at scale", _a("Mary Smith", ids=(("orcid", "0000-1"),))),
        _paper("a", 3, "Proteins at larger scale", _a("Mary Jones", ids=(("orcid", "0000-1"),))),
        # one paper in two sources, the surname mistyped in one
        _paper("a", 4, "A study of kernels and their uses", _a("Jurgen Schmidhuber")),
        _paper("b", 2, "A study of kernels and their uses", _a("Jurgen Schmidhuher")),
        # initials that only the written-out name of the same surname resolves
        _paper("a", 5, "Sparse attention everywhere", _a("Wei Zhang"), _a("Q. Lee")),
        _paper("b", 3, "Dense attention nowhere", _a("W. Zhang"), _a("Q. Lee")),
        # a same-name pair to weigh, with nothing else in common
        _paper("a", 6, "Volcanoes of Iceland", _a("Jan Novak")),
        _paper("b", 4, "Deep reinforcement learning for games", _a("Jan Novak")),
    ]


def test_links_across_blocks_are_kept_by_the_blocking() -> None:
    """Every part holds one block here, so a blocking that missed an edge would split a
    person or a paper that the whole resolution joins."""
    records = _cross_block_corpus()
    want = _whole(records, ())
    papers, people = want
    slot = people.person_of
    assert papers.cluster_of["a:1"] == papers.cluster_of["b:1"]
    assert slot[("a:2", 1)] == slot[("a:3", 1)]
    assert slot[("a:4", 1)] == slot[("b:2", 1)]
    assert slot[("a:5", 1)] == slot[("b:3", 1)]
    assert len(partition.people_blocks(_occs(records, papers))) < len(
        {a.name.split()[-1] for r in records for a in r.paper.authors}
    )
    for parts in (2, 4, len(records)):
        _assert_same(_resolved(records, (), parts), want)


def test_paper_keys_that_hash_alike_are_numbered_alike_in_parts() -> None:
    """Items of one line (an OpenAlex page) whose titles fold to nothing hash to one key;
    which gets ``-2`` is decided by the records, not by how the parts were cut."""

    def item(i: int, title: str, name: str, doi: str, file: str = "page.json") -> Ranked:
        paper = Paper(SourceRef(file, 1, i), title, authors=(_a(name),), ids=Ids(doi=doi))
        return Ranked(paper, 65 if file == "page.json" else 50)

    records = [
        item(0, "深度学习研究", "张伟", "10.1/a"),
        item(1, "机器学习方法", "李娜", "10.1/b"),
        item(0, "机器学习方法", "李娜", "10.1/b", file="more.bib"),
    ]
    want = _whole(records, ())
    assert sorted(want[0].cluster_of.values())[-1].endswith("-2")
    for parts in (2, 3):
        _assert_same(_resolved(records, (), parts), want)


def test_decisions_are_in_name_order_however_the_parts_are_cut() -> None:
    titles = iter(["Volcanoes", "Proteins", "Games", "Poetry", "Tides", "Bees"])
    records = [
        _paper("a", i, f"{next(titles)} of Iceland studied anew", _a(name))
        for i, name in enumerate(["Wei Zhang", "Wei Li", "Wei Zhang", "Wei Li", "Wei Zhang"])
    ]
    want = _whole(records, ())
    assert list(want[1].decisions) == sorted(want[1].decisions) and len(want[1].decisions) == 2
    for parts in (2, 3):
        _assert_same(_resolved(records, (), parts), want)


def _occs(records: Sequence[Ranked], papers: PaperResolution) -> list[Any]:
    from kg.resolve.people import occurrences

    return occurrences([r.paper for r in records], papers.cluster_of)


def test_plan_spreads_blocks_evenly_and_keeps_each_whole() -> None:
    sizes = [50, 1, 7, 7, 30, 2, 2, 9, 13, 1, 1, 40]
    for parts in (1, 2, 3, 5, 20):
        plan = partition.plan(sizes, parts)
        assert sorted(b for p in plan for b in p) == list(range(len(sizes)))
        assert len(plan) == min(parts, len(sizes))
        bound = sum(sizes) / parts + max(sizes)
        assert all(sum(sizes[b] for b in p) <= bound for p in plan)
    assert partition.plan([], 3) == []


def test_a_part_holds_about_1_over_n_of_the_records(synthetic: Any) -> None:
    """What the distributed build sends each worker: a share of the records and slots."""
    records, citations = synthetic
    seen: list[list[int]] = []

    def recording(fn: Callable[[Any], Any], payloads: Sequence[Any]) -> list[Any]:
        seen.append([len(p) if isinstance(p, list) else len(p.occs) for p in payloads])
        return [fn(p) for p in payloads]

    papers, people = _resolved(records, citations, 4, recording)
    slots = len(people.person_of)
    (paper_parts, people_parts) = seen
    assert sum(paper_parts) == len(records) and sum(people_parts) == slots
    blocks = partition.paper_blocks(records)
    assert max(paper_parts) <= len(records) / 4 + max(map(len, blocks))
    person_blocks = partition.people_blocks(_occs(records, papers))
    assert max(people_parts) <= slots / 4 + max(map(len, person_blocks))
    assert max(people_parts) < slots / 2  # no block holds most of the corpus


def _saved(tmp_path: Path) -> tuple[Path, Any, list[Ranked], dict[str, Any]]:
    """The bundled corpus resolved, saved in ``tmp_path``: path, corpus, records, build."""
    loaded = pipeline.read_all(pipeline.bundled_sources())
    corpus = pipeline.resolve(loaded)
    records = [Ranked(p, s.authority) for s in loaded for p in s.papers]
    build = {"sources": [["x", "digest"]]}
    path = tmp_path / "resolution.json.gz"
    c = corpus
    path.write_bytes(
        resolutionfile.dumps(c.papers, c.people, c.organizations, c.concepts.acronyms, build)
    )
    return path, corpus, records, build


def test_a_saved_resolution_loads_as_it_was(tmp_path: Path) -> None:
    path, corpus, records, build = _saved(tmp_path)
    c = corpus
    again = resolutionfile.dumps(c.papers, c.people, c.organizations, c.concepts.acronyms, build)
    assert again == path.read_bytes()  # deterministic
    whole = resolutionfile.read(path)
    assert whole.acronyms == corpus.concepts.acronyms
    papers, people, organizations = whole.resolution(records, build)
    _assert_same((papers, people), (corpus.papers, corpus.people))
    assert organizations == corpus.organizations


def test_a_shard_reads_only_its_share_of_a_saved_resolution(tmp_path: Path) -> None:
    from kg.shards import shard_of

    path, corpus, records, build = _saved(tmp_path)

    def mine(key: str) -> bool:
        return shard_of(key, 3) == 1

    share = resolutionfile.read(path, mine)
    clusters = [c for c in corpus.papers.clusters if mine(c.key)]
    assert set(share.records) == {m.paper.id for c in clusters for m in c.members}
    kept = [r for r in records if share.wanted(r.paper.id)]
    assert 0.2 * len(records) < len(kept) < 0.5 * len(records)
    papers, people, _ = share.resolution(kept, build)
    assert papers.clusters == clusters
    slots = {(r.paper.id, i) for r in kept for i in range(1, len(r.paper.authors) + 1)}
    assert people.person_of == {s: corpus.people.person_of[s] for s in slots}
    written = {k for k in corpus.people.labels if mine(k)}
    assert written <= set(people.labels) < set(corpus.people.labels)
    assert not people.decisions  # the build report's, which the merge writes
    with pytest.raises(InputError, match="not in the sources"):
        share.resolution(kept[1:], build)


def test_a_bad_saved_resolution_is_an_input_error(tmp_path: Path) -> None:
    path, _, records, build = _saved(tmp_path)
    with pytest.raises(InputError, match="other sources"):
        resolutionfile.read(path).resolution(records, {"sources": []})
    extra = _paper("z", 1, "A new paper", _a("New Person"))
    with pytest.raises(InputError, match="records it does not name"):
        resolutionfile.read(path).resolution([*records, extra], build)
    lines = gzip.decompress(path.read_bytes()).splitlines()
    whole = list(lines)
    people = [i for i, line in enumerate(lines) if line.startswith(b'["person"')]
    twice = json.loads(lines[people[0]])
    twice[6].append(json.loads(lines[people[1]])[6][0])  # a slot given to two people
    lines[people[0]] = json.dumps(twice).encode()
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    with pytest.raises(InputError, match="has two people"):
        resolutionfile.read(path)
    path.write_bytes(gzip.compress(b"\n".join(whole[:-5]) + b"\n"))
    with pytest.raises(InputError, match="cut short"):
        resolutionfile.read(path)
    decided = [i for i, line in enumerate(whole) if line.startswith(b'["decisions"')]
    assert decided
    for bad in ([{}], [{"joined": True, "a": 5}], "x"):
        broken = list(whole)
        broken[decided[0]] = json.dumps(["decisions", "X", bad]).encode()
        path.write_bytes(gzip.compress(b"\n".join(broken) + b"\n"))
        with pytest.raises(InputError, match="not a list of decisions"):
            resolutionfile.read(path)
    unknown = json.loads(whole[decided[0]])
    unknown[2][0]["a"] = ["nowhere.jsonl:9#1"]
    broken = list(whole)
    broken[decided[0]] = json.dumps(unknown).encode()
    path.write_bytes(gzip.compress(b"\n".join(broken) + b"\n"))
    with pytest.raises(InputError, match=r"unknown slot nowhere\.jsonl:9#1"):
        resolutionfile.read(path).resolution(records, build)
    people_line = json.loads(whole[people[0]])
    for field, bad in (
        (6, [[people_line[6][0][0], 1.5]]),
        (2, ["a", "label"]),
        (1, 7),
        (3, "Ada"),  # a list of names given as one string
    ):
        tampered = list(people_line)
        tampered[field] = bad  # a position that is no integer, a label or key no string
        broken = list(whole)
        broken[people[0]] = json.dumps(tampered).encode()
        path.write_bytes(gzip.compress(b"\n".join(broken) + b"\n"))
        with pytest.raises(InputError, match=r"damaged saved resolution \(TypeError: expected"):
            resolutionfile.read(path)
    first_paper = next(i for i, line in enumerate(whole) if line.startswith(b'["paper"'))
    paper_line = json.loads(whole[first_paper])
    for field, bad, message in (
        (1, 7, "expected a string"),  # refused by a shard's read too, before its test
        (2, [paper_line[2][0]] * 2, "names a record twice"),
    ):
        tampered = list(paper_line)
        tampered[field] = bad
        broken = list(whole)
        broken[first_paper] = json.dumps(tampered).encode()
        path.write_bytes(gzip.compress(b"\n".join(broken) + b"\n"))
        for keep in (None, lambda key: True):
            with pytest.raises(InputError, match=message):
                resolutionfile.read(path, keep)
    path.write_bytes(gzip.compress(b"\n".join(whole) + b"\n"))
    with pytest.MonkeyPatch.context() as patch:  # one huge line is refused, not read whole
        patch.setattr(resolutionfile, "MAX_LINE", 1000)
        with pytest.raises(InputError, match=r"line \d+ is longer than 1,000 bytes"):
            resolutionfile.read(path)
    deep = list(whole)
    deep[1] = b"[" * 200_000
    path.write_bytes(gzip.compress(b"\n".join(deep) + b"\n"))
    with pytest.raises(InputError, match="damaged"):
        resolutionfile.read(path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputError, match="not a saved resolution"):
        resolutionfile.read(path)
    path.write_bytes(b"{}")
    with pytest.raises(InputError, match="not a saved resolution"):
        resolutionfile.read(path)
    with pytest.raises(InputError, match="no such file"):
        resolutionfile.read(tmp_path / "missing.json.gz")
