"""The chunked writer: the same quads give the same files whatever the chunking."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import quadfiles


def _quads(n: int, seed: int = 0) -> list[ox.Quad]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = ox.NamedNode(f"https://ex.org/s/{rng.randrange(50)}")
        p = ox.NamedNode(f"https://ex.org/p/{rng.randrange(5)}")
        o = (
            ox.Literal(f"v {rng.randrange(30)}", language="en")
            if rng.random() < 0.5
            else ox.NamedNode(f"https://ex.org/o/{rng.randrange(30)}")
        )
        g = ox.NamedNode(f"https://ex.org/g/{rng.randrange(3)}")
        out.append(ox.Quad(s, p, o, g))
    return out


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_chunking_changes_nothing(tmp_path: Path, chunk: int) -> None:
    quads = _quads(600)
    store = ox.Store()
    written = quadfiles.write(quads, tmp_path, store, chunk=chunk)
    loaded = written.store()
    expected = sorted({str(q) + " .\n" for q in quads})
    assert (tmp_path / "graph.nq").read_text().splitlines(keepends=True) == expected
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    assert written.quads == len(expected) and written.triples == len(triples)
    # the store has every quad once, and their union once in the default graph
    assert {
        (q.subject, q.predicate, q.object)
        for q in loaded.quads_for_pattern(None, None, None, ox.DefaultGraph())
    } == triples
    assert len(loaded) == len(expected) + len(triples)
    ttl = set(ox.parse(path=str(tmp_path / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    assert {(t.subject, t.predicate, t.object) for t in ttl} == triples
    assert not list(tmp_path.glob(".*"))  # runs and the union file are gone


def test_same_bytes_for_any_chunk_and_order(tmp_path: Path) -> None:
    quads = _quads(900, seed=3)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    quadfiles.write(list(reversed(quads)), tmp_path / "a", chunk=5)
    quadfiles.write(quads, tmp_path / "b", chunk=900)
    for name in ("graph.nq", "graph.ttl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_failing_store_fails_the_write_and_leaves_no_runs(tmp_path: Path) -> None:
    ox.Store(str(tmp_path / "store")).flush()
    read_only = ox.Store.read_only(str(tmp_path / "store"))  # every bulk load fails
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="read-write"):
        quadfiles.write(_quads(100), out, read_only, chunk=10).store()
    assert not list(out.glob(".runs"))


def test_diff_and_union_of_sorted_lines() -> None:
    old = [b"<a> <p> <o> <g1> .\n", b"<a> <p> <o> <g2> .\n", b"<b> <p> <o> <g1> .\n"]
    new = [b"<a> <p> <o> <g2> .\n", b"<b> <p> <o> <g1> .\n", b'<c> <p> "x" <g1> .\n']
    assert quadfiles.diff(old, new) == ([old[0]], [new[2]])
    assert quadfiles.diff(old, old) == ([], [])
    assert quadfiles.diff([], new) == ([], new)
    assert list(quadfiles.union_of(old)) == [b"<a> <p> <o> .\n", b"<b> <p> <o> .\n"]
    assert quadfiles.triple_of(b'<s> <p> "a <b" <g> .') == b'<s> <p> "a <b"'
