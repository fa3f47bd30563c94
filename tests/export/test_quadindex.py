"""The paper table's index reads the same quads from graph.nq as from the store, whole or a
range of papers at a time."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import searchindex
from kg.export import papers
from kg.export.quadindex import PaperRanges, QuadIndex
from kg.graph import vocab as V
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


def test_the_table_read_a_range_of_papers_at_a_time_is_the_whole_table(
    built: Path, tmp_path: Path
) -> None:
    shutil.copy(built / "graph.nq", tmp_path / "graph.nq")  # ranges are sorted beside it
    ranges = papers.ranges(tmp_path / "graph.nq", V.Minter().paper_prefix, 50_000)
    assert len(ranges) > 10  # the bundled build's region is a few MB
    papers.write_jsonl(ranges, tmp_path / "papers.jsonl")
    assert (tmp_path / "papers.jsonl").read_bytes() == (built / "papers.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq", "papers.jsonl"]


PREFIX = "https://x.org/paper/"


def _paper(key: str, title: str, authors: Sequence[str]) -> list[str]:
    """A paper's quads as a build writes them, in the graph of one source."""
    paper, g, rec = (
        f"<{PREFIX}{key}>",
        "<https://x.org/source/s>",
        f"<https://x.org/source/s/{key}>",
    )
    lines = [
        f"{paper} <{V.TYPE.value}> <{V.PAPER.value}> {g} .",
        f'{paper} <{V.TITLE.value}> "{title}" {g} .',
        f"{paper} <{V.WAS_DERIVED_FROM.value}> {rec} {g} .",
        f'{rec} <{V.LINE.value}> "1"^^<http://www.w3.org/2001/XMLSchema#integer> {g} .',
        f"{rec} <{V.IN_SOURCE.value}> {g} {g} .",
    ]
    for i, name in enumerate(authors, start=1):
        slot, person = f"<{PREFIX}{key}/author/{name}>", f"<https://x.org/person/{name}>"
        lines += [
            f"{paper} <{V.HAS_AUTHORSHIP.value}> {slot} {g} .",
            f"{slot} <{V.AUTHOR.value}> {person} {g} .",
            f'{slot} <{V.POSITION.value}> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> {g} .',
            f'{slot} <{V.NAME_AS_WRITTEN.value}> "{name}" {g} .',
            f'{person} <{V.PREF_LABEL.value}> "{name.title()}" <https://x.org/graph/r> .',
        ]
    return lines


def test_ranges_keep_iri_order_where_it_differs_from_the_files(tmp_path: Path) -> None:
    # "<…/X>" sorts after "<…/X0>" and "<…/X-1>" in the file ('>' > '0', '-'), before
    # them as an IRI; ranges cut between them must still give rows in IRI order
    keys = ["X", "X0", "X-1", "X.2", "X%41", "X0a", "Y", "W"]
    lines = sorted(
        {
            f'<https://x.org/source/s> <{V.FILE_NAME.value}> "s.jsonl" <https://x.org/source/s> .',
            *(q for i, k in enumerate(keys) for q in _paper(k, f"Title {k}", ["ann", f"bo{i}"])),
        },
        key=str.encode,
    )
    (tmp_path / "g.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = list(papers.rows(QuadIndex.of_nquads(tmp_path / "g.nq", papers.PATTERNS)))
    assert [r["iri"] for r in whole] == sorted(PREFIX + k for k in keys)
    assert whole[0]["authors"][0]["name"] == "Ann"
    for size in (1, 200, 700, 10**6):  # a range per line, several, one
        ranges = papers.ranges(tmp_path / "g.nq", PREFIX, size)
        assert list(papers.rows(ranges)) == whole, size
        assert not any(ranges.shared._by.values())  # dropped once the rows' context has it
    assert len(PaperRanges(tmp_path / "g.nq", papers.PATTERNS, PREFIX, 1)) >= len(keys)


def test_a_file_out_of_order_is_refused(tmp_path: Path) -> None:
    lines = _paper("A", "Title", ["ann"])
    (tmp_path / "g.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")  # unsorted
    with pytest.raises(ValueError, match="not sorted"):
        list(PaperRanges(tmp_path / "g.nq", papers.PATTERNS, PREFIX, 1))
