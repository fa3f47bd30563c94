"""The paper table's index reads the same quads from graph.nq as from the store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from kg import searchindex
from kg.export import papers
from kg.export.quadindex import QuadIndex
from kg.store import STORE_DIR

PATTERNS = (*papers.PATTERNS, *searchindex.PATTERNS)


def _rows(ix: QuadIndex) -> dict[tuple[str, str | None], Counter[tuple[str, str, str]]]:
    return {pattern: Counter((s, str(o), g) for s, o, g in ix._by[pattern]) for pattern in PATTERNS}


def test_graph_nq_gives_the_index_of_the_store(built: Path) -> None:
    from_file = QuadIndex.of_nquads(built / "graph.nq", PATTERNS, batch=1000)  # many batches
    from_store = QuadIndex.of_store(ox.Store.read_only(str(built / STORE_DIR)), PATTERNS)
    assert _rows(from_file) == _rows(from_store)
    assert sum(len(r) for r in from_file._by.values()) > 10_000  # the bundled build's table


def test_only_wanted_predicates_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "g.nq"
    path.write_text(
        '<https://x/p1> <http://purl.org/dc/terms/title> "A title" <https://x/g> .\n'
        '<https://x/p1> <https://x/unrelated> "skip me" <https://x/g> .\n'
        "<https://x/p1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/kg/ns#Paper> <https://x/g> .\n",
        encoding="utf-8",
    )
    ix = QuadIndex.of_nquads(path, PATTERNS)
    kept = [(s, str(o)) for rows in ix._by.values() for s, o, _ in rows]
    assert ("https://x/p1", '"A title"') in kept
    assert all("skip me" not in o for _, o in kept)
