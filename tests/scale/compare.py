"""Helpers for comparing two builds: the same files byte for byte, the same store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

#: what must be identical between a build and another way of making the same build
COMPARED = (
    "graph.nq",
    "graph.ttl",
    "papers.jsonl",
    "void.ttl",
    "build-report.json",
    "search.sqlite",
)


def store_quads(out: Path) -> set[str]:
    """Every quad of a build's store (named graphs and the default graph)."""
    store = ox.Store.read_only(str(out / "store"))
    return {str(q) for q in store.quads_for_pattern(None, None, None, None)}


def assert_same_build(a: Path, b: Path) -> None:
    """``a`` and ``b`` hold the same exports and the same store."""
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"
    assert store_quads(a) == store_quads(b)
