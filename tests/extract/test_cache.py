"""Cached extractions are reused only while everything they depended on is the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import Text, extract
from kg.extract.cache import CacheEntry, Recording, dump, load, text_key

pytestmark = pytest.mark.filterwarnings("ignore::kg.extract.FallbackWarning")

ABSTRACT = (
    "We study QA over tables. We propose TabNet, a transformer for question "
    "answering, and evaluate it on WikiTableQuestions."
)


def _entry(acronyms: dict[str, str]) -> CacheEntry:
    e = next(extract([Text("", "TabNet", ABSTRACT)], model=None, acronyms=acronyms))
    return CacheEntry(e, e.lookups)  # the cache keeps no paper id: the text is the key


def test_the_lookups_are_what_the_rules_asked() -> None:
    entry = _entry({"qa": "question answering"})
    assert ("qa", "question answering") in entry.lookups
    assert entry.valid({"qa": "question answering", "gnn": "graph neural network"})
    # the corpus now defines QA otherwise: the cached result no longer holds
    assert not entry.valid({"qa": "quality assurance"})
    assert not entry.valid({})


def test_a_recording_counts_misses_too() -> None:
    seen = Recording({"a": "b"})
    assert seen.get("a") == "b" and seen.get("z") is None and "z" not in seen
    assert seen.seen == {"a": "b", "z": None}


def test_round_trip_and_damage(tmp_path: Path) -> None:
    entry = _entry({"qa": "question answering"})
    key = text_key("TabNet", ABSTRACT, None)
    assert key != text_key("TabNet", ABSTRACT, "en_core_web_sm==3.8.0")
    assert text_key("a\0b", "c", None) != text_key("a", "b\0c", None)
    path = tmp_path / "cache.jsonl"
    path.write_bytes(dump([(key, entry)]) + b"{not json\n" + b'{"key": 1}\n')
    back = load(path)
    assert list(back) == [key]
    assert back[key].extraction == entry.extraction and back[key].lookups == entry.lookups
    assert load(tmp_path / "missing.jsonl") == {}
    # a damaged line (not UTF-8) costs that line only
    path.write_bytes(b"\xff\xfe garbage\n" + dump([(key, entry)]))
    assert list(load(path)) == [key]
