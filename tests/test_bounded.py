"""Resolution in passes (kg.bounded) saves what the in-memory resolution saves, byte for
byte, while parts hold only their records."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bench.corpus import generate
from kg import bounded, pipeline
from kg.errors import InputError
from kg.records import Affiliation, Author, Ids, Paper, SourceRef
from kg.resolve import resolutionfile
from kg.shards import resolution_build, write_resolution
from kg.sources import SourceSpec

EXTERNAL = Path(__file__).parent / "data" / "external"


def _in_memory(specs: Sequence[SourceSpec]) -> bytes:
    """What the saved resolution was before it was made in passes: read all, resolve."""
    loaded = pipeline.read_all(specs)
    c = pipeline.resolve(loaded)
    build = resolution_build(specs, [s.sha256 for s in loaded], None)
    return resolutionfile.dumps(c.papers, c.people, c.organizations, c.concepts.acronyms, build)


def _in_passes(specs: Sequence[SourceSpec], folder: Path, parts: int = 1) -> bytes:
    return write_resolution(specs, folder, parts=parts).read_bytes()


def _jsonl(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _cross(folder: Path) -> list[SourceSpec]:
    """Two files with what crosses blocks: an untitled record and its titled twin (read
    again whole for its abstract), an ORCID under two surnames, a paper in both files with
    a mistyped surname, initials, and a name shared by two people with affiliations."""
    words = "graph neural networks learn message passing over molecules and proteins"
    a = [
        {
            "title": "Message Passing for Molecules",
            "authors": ["Ada Byron", "Q. Lee"],
            "abstract": words,
        },
        {
            "title": "Proteins at scale",
            "authors": [{"name": "Mary Smith", "orcid": "0000-0002-1825-0097"}],
        },
        {
            "title": "Proteins at larger scale",
            "authors": [{"name": "Mary Jones", "orcid": "0000-0002-1825-0097"}],
        },
        {
            "title": "A study of kernels and their uses",
            "authors": ["Jurgen Schmidhuber", "Wei Zhang"],
        },
        {
            "title": "Sparse attention everywhere",
            "authors": ["Wei Zhang", "Q. Lee"],
            "abstract": "Sparse attention (SA) cuts the cost of transformers.",
        },
        {
            "title": "Volcanoes of Iceland",
            "authors": [{"name": "Jan Novak", "affiliations": [{"name": "University of Iceland"}]}],
        },
    ]
    b = [
        {"title": None, "authors": ["Ada Byron", "Q. Lee"], "abstract": words},
        {
            "title": "A study of kernels and their uses",
            "authors": ["Jurgen Schmidhuher", "W. Zhang"],
        },
        {"title": "Dense attention nowhere", "authors": ["W. Zhang", "Q. Lee"]},
        {
            "title": "Deep reinforcement learning for games",
            "authors": [
                {
                    "name": "Jan Novak",
                    "affiliations": [{"name": "Charles University", "country": "CZ"}],
                }
            ],
        },
    ]
    return [SourceSpec(_jsonl(folder / "a.jsonl", a)), SourceSpec(_jsonl(folder / "b.jsonl", b))]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[SourceSpec]:
    """3,000 papers of the benchmarks' synthetic corpus: skewed names, many homonyms."""
    path = tmp_path_factory.mktemp("synthetic") / "corpus.jsonl"
    return [SourceSpec(_jsonl(path, list(generate(3_000))))]


def test_the_bundled_and_external_sources_save_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    external = sorted(p for p in EXTERNAL.iterdir() if p.suffix in (".json", ".jsonl", ".bib"))
    specs = [*pipeline.bundled_sources(), *map(SourceSpec, external)]
    want = _in_memory(specs)
    assert _in_passes(specs, tmp_path / "one") == want
    monkeypatch.setattr(bounded, "PART_SLOTS", 2_000)  # several parts, read from the spill
    assert _in_passes(specs, tmp_path / "parts", parts=2) == want


def test_links_across_blocks_and_files_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = _cross(tmp_path)
    want = _in_memory(specs)
    monkeypatch.setattr(bounded, "PART_SLOTS", 1)  # a part per block
    path = write_resolution(specs, tmp_path / "out", parts=3)
    assert path.read_bytes() == want
    # the untitled record joined its twin: one paper holds a:1 and b:1
    done = bounded.resolve_sources(specs)
    assert done.papers.cluster_of["a.jsonl:1"] == done.papers.cluster_of["b.jsonl:1"]
    person = done.people.person_of
    assert person[("a.jsonl:2", 1)] == person[("a.jsonl:3", 1)]  # one ORCID
    assert person[("a.jsonl:4", 1)] == person[("b.jsonl:2", 1)]  # a typo on one paper
    assert done.acronyms == {"sa": "sparse attention"}


def test_the_synthetic_corpus_saves_the_same_bytes_in_many_parts(
    synthetic: list[SourceSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    want = _in_memory(synthetic)
    monkeypatch.setattr(bounded, "PART_SLOTS", 1_500)
    assert _in_passes(synthetic, tmp_path, parts=2) == want


def test_every_slot_is_in_one_part_and_a_part_reads_a_share(
    synthetic: list[SourceSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What each part is sent: its records (not the corpus's) and each slot once."""
    sent: list[bounded.PeoplePayload] = []

    def run(fn: Any, payloads: Sequence[Any]) -> list[Any]:
        if fn is bounded.people_part:
            sent.extend(payloads)
        return [fn(p) for p in payloads]

    monkeypatch.setattr(bounded, "PART_SLOTS", 1_500)
    done = bounded.resolve_sources(synthetic, run=run, spill_dir=tmp_path)
    records = len(done.papers.cluster_of)
    assert len(sent) >= 5
    assert all(len(p.papers) < records / 2 for p in sent), [len(p.papers) for p in sent]
    own = sum(bin(bits).count("1") for p in sent for bits in p.own)
    assert own == len(done.people.person_of)
    assert list(tmp_path.iterdir()) == []  # the spill is gone


def test_the_spill_gives_back_what_people_need_of_a_record(tmp_path: Path) -> None:
    author = Author(
        "Ada  Byron*",
        "Ada Byron",
        "ada byron",
        email="ada@example.org",
        equal_contribution=True,
        ids=(("orcid", "0000-0002-1825-0097"),),
        affiliations=(
            Affiliation("Analytical Engines Ltd", "ror:04abc", "GB", "ae.example", "raw"),
        ),
    )
    paper = Paper(
        SourceRef("x.jsonl", 7, 2),
        "A title",
        (author, Author("B", "B", "b")),
        abstract="An abstract.",
        venue="ICLR 2020",
        year=2020,
        keywords=("engines",),
        ids=Ids(doi="10.1/x"),
    )
    spill = bounded.Spill(tmp_path / "spill", (tmp_path / "spill").open("wb"))
    spill.add(Paper(SourceRef("x.jsonl", 1), "Untitled? no", ()))
    spill.add(paper)
    spill.close()
    [(back, text)] = bounded.read_spill(spill.path, spill.where([1]))
    assert back.source == paper.source and back.authors == paper.authors
    assert (back.venue, back.year, back.title, back.abstract) == ("ICLR 2020", 2020, None, None)
    assert text == "A title engines An abstract."
    [(first, text)] = bounded.read_spill(spill.path, spill.where([0]))
    assert first.authors == () and text == ""


def test_a_source_changed_between_passes_is_an_input_error(tmp_path: Path) -> None:
    """The titled twin of an untitled record is read again; if its file changed since the
    first pass, the build stops rather than mixing two versions."""
    specs = _cross(tmp_path)

    def step(label: str) -> None:
        if label.startswith("resolving papers"):
            with specs[0].path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"title": "Written meanwhile", "authors": ["X Y"]}) + "\n")

    with pytest.raises(InputError, match=r"a\.jsonl.*changed while it was being resolved"):
        bounded.resolve_sources(specs, step=step, spill_dir=tmp_path)
    assert not list(tmp_path.glob(".kg-spill-*"))


def test_parts_on_worker_processes_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kg build --emit resolution`` runs the people's parts on ``--workers`` processes,
    which read the spill by its path."""
    specs = _cross(tmp_path)
    want = _in_memory(specs)
    monkeypatch.setattr(bounded, "PART_SLOTS", 3)
    path = write_resolution(specs, tmp_path / "out", run=bounded.pooled(2))
    assert path.read_bytes() == want
    assert [p.name for p in (tmp_path / "out").iterdir()] == [path.name]
    # the runner does run parts in other processes
    pids = set(bounded.pooled(2)(_pid, list(range(6))))
    assert os.getpid() not in pids and pids


def _pid(_: object) -> int:
    return os.getpid()


def _fifo(path: Path, text: str) -> Path:
    """A named pipe at ``path`` that gives ``text`` once to whoever opens it; a reader
    that opens it again later gets nothing (after 20 s), rather than waiting forever."""
    os.mkfifo(path)

    def feed() -> None:
        with path.open("w", encoding="utf-8") as f:
            f.write(text)
        time.sleep(20)
        # a second reader, if any, sees the end of an empty file (no reader: ENXIO)
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=feed, daemon=True).start()
    return path


def test_a_pipe_is_read_once_and_its_records_kept_whole(tmp_path: Path) -> None:
    """A pipe (``<(cmd)``) cannot be read again for the abstracts linking compares: its
    titled records are kept whole from the first pass."""
    files = _cross(tmp_path)
    text = files[0].path.read_text(encoding="utf-8")
    pipe = tmp_path / "pipe"
    want = _in_memory([SourceSpec(_fifo(pipe, text)), files[1]])
    pipe.unlink()
    specs = [SourceSpec(_fifo(pipe, text)), files[1]]
    done = bounded.resolve_sources(specs, spill_dir=tmp_path)
    build = resolution_build(specs, done.digests, None)
    got = resolutionfile.dumps(done.papers, done.people, done.organizations, done.acronyms, build)
    assert got == want
    assert done.papers.cluster_of["pipe:1"] == done.papers.cluster_of["b.jsonl:1"]


def test_sigterm_removes_the_spill(synthetic: list[SourceSpec], tmp_path: Path) -> None:
    spill_dir = tmp_path / "out"
    spill_dir.mkdir()
    code = (
        "import sys; from pathlib import Path; from kg import bounded; "
        "from kg.sources import SourceSpec; "
        "bounded.resolve_sources([SourceSpec(Path(sys.argv[1]))], spill_dir=Path(sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(synthetic[0].path), str(spill_dir)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(spill_dir.glob(".kg-spill-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(spill_dir.glob(".kg-spill-*")), "the spill never appeared"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"terminated by SIGTERM" in err
    assert list(spill_dir.iterdir()) == []


def test_sigkill_leaves_a_spill_that_the_next_run_removes(
    synthetic: list[SourceSpec], tmp_path: Path
) -> None:
    """A killed run (SIGKILL, out of memory) cannot remove its spill; the next run in the
    folder does, and leaves alone the spills of live processes and of other hosts."""
    folder = tmp_path / "out"
    folder.mkdir()
    code = (
        "import sys; from pathlib import Path; from kg import bounded; "
        "from kg.sources import SourceSpec; "
        "bounded.resolve_sources([SourceSpec(Path(sys.argv[1]))], spill_dir=Path(sys.argv[2]))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(synthetic[0].path), str(folder)])
    deadline = time.monotonic() + 60
    while not list(folder.glob(".kg-spill-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    (killed,) = folder.glob(".kg-spill-*")
    assert f"-{proc.pid}-" in killed.name
    live = folder / f"{bounded._spill_owner()}{os.getpid()}-live"  # this process: alive
    other = folder / f"{bounded.SPILL}elsewhere-{proc.pid}-x"  # another host's
    not_a_file = folder / f"{bounded._spill_owner()}{proc.pid}-dir"
    for path in (live, other):
        path.write_bytes(b"{}")
    not_a_file.mkdir()
    steps: list[str] = []
    write_resolution(synthetic, folder, step=steps.append)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [live.name, other.name, not_a_file.name, "resolution.json.gz"]
    )
    (said,) = [s for s in steps if s.startswith("removed")]
    assert said.startswith("removed 1 spill file of killed runs (") and killed.name in said
