"""The build report, made from a resolved corpus or streamed from a saved resolution."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from kg import pipeline
from kg.errors import InputError
from kg.reporting import report, saved_report
from kg.resolve import resolutionfile
from kg.sources import SourceSpec
from tests.conftest import affiliation_sources

EXTERNAL = Path(__file__).parent / "data" / "external"


def _odd_source(folder: Path) -> SourceSpec:
    """A JSON lines file with a paper of the bundled corpus written again (a merge, with a
    conflicting year), a title long enough to be cut, and a line that is no record."""
    lines = [
        {
            "title": "Pay Attention to Features, Transfer Learn Faster CNNs",
            "authors": ["Kafeng Wang", "Xitong Gao"],
            "year": 2016,
            "abstract": "Graphs of programs, learnt.",
        },
        {"title": "Long " * 600, "authors": ["Ada Lovelace"], "year": 2020},
        [1, 2, 3],
    ]
    path = folder / "odd.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return SourceSpec(path)


def _saved(specs: Sequence[SourceSpec], folder: Path) -> tuple[Any, resolutionfile.Saved]:
    """``specs`` read and resolved, and their resolution saved and read back whole."""
    corpus = pipeline.resolve(pipeline.read_all(specs))
    path = folder / "resolution.json.gz"
    c = corpus
    build = {"sources": [s.sha256 for s in c.sources]}
    path.write_bytes(
        resolutionfile.dumps(c.papers, c.people, c.organizations, c.concepts.acronyms, build)
    )
    return corpus, resolutionfile.read(path)


def _json(report: Any) -> Any:
    return dataclasses.asdict(report)


@pytest.mark.parametrize("which", ["bundled", "affiliations", "external"])
def test_a_streamed_report_is_the_report_of_the_resolved_corpus(which: str, tmp_path: Path) -> None:
    specs = {
        "bundled": lambda: [*pipeline.bundled_sources(), _odd_source(tmp_path)],
        "affiliations": affiliation_sources,
        "external": lambda: [SourceSpec(p) for p in sorted(EXTERNAL.iterdir())],
    }[which]()
    corpus, saved = _saved(specs, tmp_path)
    want = report(corpus, 7)
    steps: list[str] = []
    got, read = saved_report(specs, None, saved, lambda d: {"sources": d}, None, steps.append)
    assert _json(dataclasses.replace(got, totals=want.totals)) == _json(want)
    assert dataclasses.replace(got.totals, triples=7) == want.totals
    assert [(r.name, r.format, r.sha256) for r in read] == [
        (s.name, s.format, s.sha256) for s in corpus.sources
    ]
    assert steps == [
        *(f"reading {s.path.name}" for s in specs),
        "checking the records against the saved resolution",
    ]
    if which == "bundled":  # the report has every part the stream must rebuild
        assert want.merges and want.conflicts and want.people_decisions and want.warnings
        assert any("cut to" in w.message for w in want.warnings)
        assert want.unresolved_citations and want.totals.citations_resolved
    if which == "affiliations":
        assert want.organizations_merged


def test_a_streamed_report_refuses_a_resolution_that_does_not_fit(tmp_path: Path) -> None:
    specs = affiliation_sources()
    _, saved = _saved(specs, tmp_path)
    path = str(tmp_path / "resolution.json.gz")

    def same(digests: list[str]) -> Any:
        return saved.build

    with pytest.raises(InputError, match="made from other sources") as e:
        saved_report(specs, None, saved, lambda d: {"sources": []})
    assert e.value.file == path
    with pytest.raises(InputError, match="records it names are not in the sources"):
        saved_report(specs[:2], None, resolutionfile.read(Path(path)), same)
    extra = [*specs, _odd_source(tmp_path)]
    with pytest.raises(InputError, match="records it does not name were read"):
        saved_report(extra, None, resolutionfile.read(Path(path)), same)
