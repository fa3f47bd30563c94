"""Quads → the store and the sorted RDF files, in one pass and in bounded memory.

Quads arrive in chunks.  Each chunk is serialised by pyoxigraph (in Rust), handed to a
loader thread that bulk-loads it, with its triples into the default graph (the store
removes duplicates), and sorted into a run file.  The runs are then merged into
``graph.nq`` (distinct quads, sorted) and the union's N-Triples (distinct triples, sorted),
from which ``graph.ttl`` is written.  The loader releases the GIL, so the store is loaded
on one core while Python works on the other; memory holds a few chunks, never the graph.

Sorted N-Quads lines are the canonical bytes of a graph: the same quads always give the
same file, and two sorted files are compared (or diffed) by one merge.
"""

from __future__ import annotations

import heapq
import queue
import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.graph import vocab as V

#: quads per chunk: about 25 MB of N-Quads at kg's IRI lengths (at 100K papers, with
#: papers.jsonl streamed too, a build peaked at 1.70 GB against 2.66 GB with 400,000)
CHUNK = 100_000
#: chunks queued for the loader before the producer waits (bounds memory)
QUEUED = 2


def triple_of(line: bytes) -> bytes:
    """The triple of a named-graph N-Quads line (no `` .``): cut at the graph IRI.

    A graph IRI holds no space and no ``<``, so the last `` <`` starts it.
    """
    return line[: line.rindex(b" <")]


class Loader(threading.Thread):
    """Bulk-loads N-Quads chunks, and their triples into the default graph, into a store."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__(name="kg-store-load", daemon=True)
        self.store = store
        self.error: BaseException | None = None
        self._queue: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(QUEUED)
        self._cancelled = threading.Event()

    def put(self, nquads: bytes, ntriples: bytes) -> None:
        """Queue one chunk; waits while the loader is :data:`QUEUED` chunks behind."""
        if self.error is not None:
            raise self.error
        self._queue.put((nquads, ntriples))

    def run(self) -> None:
        failed = False
        while (item := self._queue.get()) is not None:
            if failed or self._cancelled.is_set():
                continue  # drain, so the producer never blocks on a dead loader
            try:
                self.store.bulk_load(item[0], format=ox.RdfFormat.N_QUADS)
                self.store.bulk_load(
                    item[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph()
                )
            except BaseException as exc:  # re-raised on the main thread by finish()
                self.error, failed = exc, True

    def stop(self) -> None:
        """End the thread after a failure elsewhere, skipping what is still queued; what it
        loaded is thrown away with the store."""
        self._cancelled.set()
        self._queue.put(None)
        self.join()

    def finish(self) -> ox.Store:
        """Wait for every queued chunk; the loaded store (flushed)."""
        self._queue.put(None)
        self.join()
        if self.error is not None:
            raise self.error
        self.store.flush()
        return self.store


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write` produced: counts, and the loader to wait for (if any)."""

    quads: int
    triples: int
    loader: Loader | None

    def store(self) -> ox.Store:
        """The loaded store, once every chunk is in."""
        assert self.loader is not None, "written without a store"
        return self.loader.finish()


def _chunks(quads: Iterable[ox.Quad], size: int) -> Iterator[list[ox.Quad]]:
    it = iter(quads)
    while chunk := list(islice(it, size)):
        yield chunk


def write(
    quads: Iterable[ox.Quad],
    stage: Path,
    store: ox.Store | None = None,
    nquads: str = "graph.nq",
    turtle: str | None = "graph.ttl",
    chunk: int = CHUNK,
) -> Written:
    """Write ``stage/nquads`` (sorted, distinct) and ``stage/turtle`` (the union).

    With ``store``, every chunk is also bulk-loaded into it on a loader thread; call
    :meth:`Written.store` to wait for it.  All quads must be in named graphs (as
    :func:`kg.graph.quads.build_quads` makes them).
    """
    runs = stage / ".runs"
    runs.mkdir()
    loader = Loader(store) if store is not None else None
    if loader:
        loader.start()
    try:
        paths = []
        for i, part in enumerate(_chunks(quads, chunk)):
            data = ox.serialize(part, format=ox.RdfFormat.N_QUADS) or b""
            del part
            lines = sorted(set(data.splitlines()))
            del data
            run = b"".join(x + b"\n" for x in lines)
            if loader:  # the store would drop repeats too, at 3-12 us each
                loader.put(run, b"".join(union_of(lines)))
            del lines
            path = runs / f"run-{i:05d}.nq"
            path.write_bytes(run)
            paths.append(path)
            del run
        union = stage / ".union.nt"
        n_quads, n_triples = _merge(paths, stage / nquads, union)
        if turtle:
            ntriples_to_turtle(union, stage / turtle)
        union.unlink()
    except BaseException:
        if loader and loader.is_alive():
            loader.stop()
        raise
    finally:
        shutil.rmtree(runs, ignore_errors=True)
    return Written(n_quads, n_triples, loader)


def _merge(paths: list[Path], nquads: Path, ntriples: Path) -> tuple[int, int]:
    """Merge sorted runs into distinct sorted quads and distinct sorted union triples.

    Lines with the same triple are adjacent in the quad order (they share the prefix
    ``triple <``), and the triples come out sorted, so both are deduplicated by comparing
    with the previous line.
    """
    handles: list[IO[bytes]] = [p.open("rb") for p in paths]
    n_quads = n_triples = 0
    try:
        with nquads.open("wb") as out_q, ntriples.open("wb") as out_t:
            last = last_triple = None
            for line in heapq.merge(*handles):
                if line == last:
                    continue
                last = line
                out_q.write(line)
                n_quads += 1
                triple = triple_of(line)
                if triple != last_triple:
                    last_triple = triple
                    out_t.write(triple + b" .\n")
                    n_triples += 1
    finally:
        for h in handles:
            h.close()
    return n_quads, n_triples


def ntriples_to_turtle(source: Path, target: Path) -> None:
    """Sorted N-Triples → Turtle with kg's prefixes, streamed (subject order kept)."""
    triples = ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, str(target), format=ox.RdfFormat.TURTLE, prefixes=V.PREFIXES)


def sorted_lines(path: Path) -> Iterator[bytes]:
    """The lines of a sorted N-Quads file, newline included."""
    with path.open("rb") as handle:
        yield from handle


def diff(old: Iterable[bytes], new: Iterable[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Lines only in ``old`` and lines only in ``new``, of two sorted distinct streams."""
    removed: list[bytes] = []
    added: list[bytes] = []
    a, b = iter(old), iter(new)
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        if y is None or (x is not None and x < y):
            removed.append(x)  # type: ignore[arg-type]
            x = next(a, None)
        elif x is None or y < x:
            added.append(y)
            y = next(b, None)
        else:
            x, y = next(a, None), next(b, None)
    return removed, added


def union_of(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Distinct triples (N-Triples lines) of sorted distinct N-Quads lines, in order."""
    last = None
    for line in lines:
        triple = triple_of(line)
        if triple != last:
            last = triple
            yield triple + b" .\n"
