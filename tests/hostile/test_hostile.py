"""The bad-input corpus through `kg build`: a clear error or warning, never a traceback.

Every case of :mod:`tests.hostile.corpus` is built into a fresh directory by the real
command (in process, so a traceback would surface as an exception).  A case that fails
must fail with one ``kg: error:`` line naming its file; a case that builds must give
exports that another RDF parser (rdflib) reads, so every IRI kg minted is valid.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from tests.hostile.corpus import REAL_FILES, Case, all_cases, big_line

#: Seconds one hostile file may take to build (or to be refused).
TIME_LIMIT_S = 60

CASES = all_cases()


def _build(path: Path, out: Path, *extra: str) -> tuple[Result, float]:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(path), "--dir", str(out), *extra])
    return result, time.monotonic() - started


def _check(
    result: Result,
    seconds: float,
    path: Path,
    out: Path,
    usable: bool | None,
    bulky: bool = False,
) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback for {path.name}") from result.exception
    assert seconds < TIME_LIMIT_S, f"{path.name} took {seconds:.1f} s"
    assert "Traceback" not in result.output
    if usable is True:
        assert result.exit_code == 0, result.stderr
    elif usable is False:
        assert result.exit_code != 0
    if result.exit_code != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]
        assert len(errors) == 1, result.stderr
        assert path.name in errors[0], errors[0]
        return
    # what was built is readable by another parser: every IRI is valid
    rdflib.Dataset().parse(out / "graph.nq", format="nquads")
    if not bulky:  # the same IRIs; Turtle's prefixed names are what hostile strings test
        rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    for line in (out / "papers.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    for warning in report["warnings"]:
        assert warning["file"] == path.name and warning["line"] >= 1, warning


def _write(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    return path


@pytest.mark.parametrize("case", [c for c in CASES if c.format is None], ids=str)
def test_format_free_case(case: Case, tmp_path: Path) -> None:
    path = _write(case, tmp_path)
    result, seconds = _build(path, tmp_path / "out", "--no-extract")
    _check(result, seconds, path, tmp_path / "out", case.usable)


@pytest.mark.parametrize("case", [c for c in CASES if c.format is not None], ids=str)
def test_record_case_in_its_format_with_extraction(case: Case, tmp_path: Path) -> None:
    """Hostile titles, names and keywords in every format, extracted too."""
    path = _write(case, tmp_path)
    assert case.format is not None
    result, seconds = _build(path, tmp_path / "out", "--format", case.format, "--workers", "1")
    _check(result, seconds, path, tmp_path / "out", case.usable, case.bulky)


def test_the_corpus_covers_every_reader() -> None:
    from kg import sources

    covered = {c.format for c in CASES if c.format}
    assert covered == set(sources.registry())


def test_hostile_strings_survive_into_the_exports(tmp_path: Path) -> None:
    from kg.text import collapse_ws
    from tests.hostile.corpus import KEYWORDS, NAMES, TITLES, WRITERS, hostile_records

    filename, write = WRITERS["jsonl"]
    path = tmp_path / filename
    path.write_text(write(hostile_records()), encoding="utf-8")
    result, _ = _build(path, tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    rows = [
        json.loads(line)
        for line in (tmp_path / "out" / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # titles arrive whole; only runs of white space (\x0b, \u2028, ...) become one space
    assert sorted(r["title"] for r in rows) == sorted(collapse_ws(t) for t in TITLES)
    assert all(len(r["authors"]) == len(NAMES) for r in rows)  # every slot kept, in order
    names = {a["name"] for r in rows for a in r["authors"]}
    assert {'Ann "The Hammer" O\'Neil', "张伟 Zhang", "Dana Space Name"} <= names
    graph = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    labels = {str(o) for o in graph.objects(None, rdflib.SKOS.altLabel)}
    assert {collapse_ws(k) for k in KEYWORDS} <= labels
    concepts = {
        s for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/kg/ns#Concept"))
    }
    assert all(" " not in str(c) and "<" not in str(c) and '"' not in str(c) for c in concepts)


@pytest.mark.parametrize("kind", ["text", "json", "bibtex"])
def test_a_50_mb_line(kind: str, tmp_path: Path) -> None:
    name = {"text": "big.txt", "json": "big.jsonl", "bibtex": "big.bib"}[kind]
    path = big_line(tmp_path / name, kind)
    result, seconds = _build(path, tmp_path / "out", "--no-extract")
    _check(result, seconds, path, tmp_path / "out", None)


_mutations = st.lists(
    st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), min_size=1, max_size=6
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=4000))
def test_random_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "random.txt"
    path.write_bytes(data)
    out = tmp_path / "out-random"
    result, seconds = _build(path, out, "--no-extract")
    _check(result, seconds, path, out, None)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(which=st.sampled_from(REAL_FILES), edits=_mutations)
def test_mutated_real_files(which: Path, edits: list[tuple[float, bytes]], tmp_path: Path) -> None:
    data = bytearray(which.read_bytes()[:30000])
    for where, replacement in edits:
        at = int(where * len(data))
        data[at : at + len(replacement)] = replacement
    path = tmp_path / which.name
    path.write_bytes(bytes(data))
    out = tmp_path / "out-mutated"
    result, seconds = _build(path, out, "--no-extract")
    _check(result, seconds, path, out, None)
