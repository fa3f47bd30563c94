"""The typed options and report of a build: what they record, and the JSON they become."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg import explain, manifest
from kg.builds import (
    BuildOptions,
    ExtractionSummary,
    ExtractionWarning,
    ExtractOptions,
    NameDecisions,
    PaperSlot,
    PersonPapers,
)
from kg.errors import UsageError
from kg.pipeline import build, bundled_sources

_options = st.builds(
    BuildOptions,
    base_iri=st.sampled_from(["https://example.org/kg/", "urn:x:"]),
    extract=st.booleans(),
    model=st.sampled_from(["auto", "en_core_web_sm", None]),
    encoding=st.sampled_from([None, "utf-8", "latin-1"]),
    workers=st.integers(1, 8),
)


@given(_options)
def test_recorded_options_read_back_the_same_but_for_the_workers(options: BuildOptions) -> None:
    back = BuildOptions.from_recorded(json.loads(json.dumps(options.recorded())))
    assert back == BuildOptions(options.base_iri, options.extract, options.model, options.encoding)


def test_options_missing_or_mistyped_in_sources_json_take_their_defaults() -> None:
    assert BuildOptions.from_recorded({}) == BuildOptions()
    odd = BuildOptions.from_recorded({"base_iri": 3, "model": ["x"], "encoding": 1})
    assert odd == BuildOptions()
    assert BuildOptions.from_recorded({"model": None}).model is None  # rules only, kept


def test_extraction_options_follow_extract() -> None:
    assert BuildOptions(workers=3, model=None).extraction == ExtractOptions(3, None)
    assert BuildOptions(extract=False).extraction is None


def test_an_extraction_summary_survives_a_shard_sidecar() -> None:
    summary = ExtractionSummary(
        2, {"used": 3}, ("a", "b"), (ExtractionWarning("p1", "f.jsonl:2", ("cut",)),)
    )
    text = json.dumps(summary.to_json(), sort_keys=True)
    assert ExtractionSummary.from_json(json.loads(text)) == summary


def test_the_report_build_returns_is_the_one_it_writes(tmp_path: Path) -> None:
    options = BuildOptions(base_iri="https://example.org/t/", extract=False, encoding="utf-8")
    report = build(bundled_sources()[:1], out=tmp_path, options=options)
    written = (tmp_path / "build-report.json").read_text(encoding="utf-8")
    assert written == json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    assert report.totals.source_records == report.sources[0].papers > 0
    assert manifest.options(tmp_path) == BuildOptions(
        "https://example.org/t/", False, "auto", "utf-8"
    )


def test_explain_reads_the_typed_parts_and_refuses_a_report_it_cannot(tmp_path: Path) -> None:
    decisions = NameDecisions(
        "Yang Liu",
        (
            PersonPapers("p/yang-liu", "Yang Liu", (PaperSlot("a.jsonl:1#1", "A"),)),
            PersonPapers("p/yang-liu-2", "Yang Liu", (PaperSlot("b.jsonl:4#2", None),)),
        ),
        (
            {
                "a": ["a.jsonl:1#1"],
                "b": ["b.jsonl:4#2"],
                "joined": False,
                "probability": 0.1,
                "needs": 0.7,
                "reasons": ["no shared co-author"],
            },
        ),
    )
    report = {"people_decisions": [dataclasses.asdict(decisions)], "people_merged": []}
    (tmp_path / "build-report.json").write_text(json.dumps(report), encoding="utf-8")
    lines = explain.person(tmp_path, "yang liu")
    assert lines[0] == "Yang Liu: 2 people in this build"
    assert "    b.jsonl:4#2  (untitled)" in lines
    assert lines[-2].startswith("    kept apart: 1 slot(s) of p/yang-liu and 1 of p/yang-liu-2")
    del report["people_decisions"][0]["people"]
    (tmp_path / "build-report.json").write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(UsageError, match="not a kg build report"):
        explain.person(tmp_path, "yang liu")
