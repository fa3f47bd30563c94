"""The quads the paper table reads, grouped by predicate, from a store or from N-Quads.

The table joins a dozen predicates over every paper.  Pattern scans of the store cost
several microseconds a quad (each term is decoded from disk); a build has the N-Quads in
``graph.nq`` on disk, sorted, and parses the lines of the wanted predicates at about one
microsecond a quad once the records are gone from memory.  Both give the same index, so the
table is the same either way.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

#: (predicate IRI, object IRI or None for any object)
Pattern = tuple[str, str | None]
#: (subject IRI, object term, graph IRI) of one named-graph quad
Row = tuple[str, Any, str]


class QuadIndex:
    """Named-graph quads matching some patterns, by pattern.

    The merge (the default graph) of a kg store is the set of its named graphs' triples,
    so :meth:`merged` is computed from the named quads.
    """

    def __init__(self, patterns: Sequence[Pattern], quads: Iterable[ox.Quad] = ()) -> None:
        self._by: dict[Pattern, list[Row]] = {p: [] for p in patterns}
        self._wanted = set(patterns)
        self._names: dict[str, str] = {}  # one copy of each subject and graph IRI
        self.add(quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Index the quads that match a pattern (named graphs only)."""
        wanted, by, names = self._wanted, self._by, self._names
        for q in quads:
            predicate = q.predicate.value
            obj = q.object
            hit: list[Pattern] = [(predicate, None)] if (predicate, None) in wanted else []
            if isinstance(obj, ox.NamedNode) and (predicate, obj.value) in wanted:
                hit.append((predicate, obj.value))
            if hit:
                s, g = q.subject.value, q.graph_name.value  # type: ignore[union-attr]
                row = (names.setdefault(s, s), obj, names.setdefault(g, g))
                for pattern in hit:
                    by[pattern].append(row)

    @classmethod
    def of_store(cls, raw: ox.Store, patterns: Sequence[Pattern]) -> QuadIndex:
        """The index of a store's named graphs, by pattern scans."""
        index = cls(patterns)
        for predicate, obj in dict.fromkeys(patterns):  # a pattern named twice is read once
            found = index._by[(predicate, obj)]
            for q in raw.quads_for_pattern(
                None, ox.NamedNode(predicate), ox.NamedNode(obj) if obj else None, None
            ):
                if not isinstance(q.graph_name, ox.DefaultGraph):
                    subject = q.subject.value  # type: ignore[union-attr]
                    found.append((subject, q.object, q.graph_name.value))
        return index

    @classmethod
    def of_nquads(cls, path: Path, patterns: Sequence[Pattern], batch: int = 100_000) -> QuadIndex:
        """The index of an N-Quads file of named-graph quads, streamed: only the lines whose
        predicate a pattern names are parsed, ``batch`` lines at a time.  A build's
        ``graph.nq`` holds each quad once, so neither does the index."""
        index = cls(patterns)
        with path.open("rb") as handle:
            for lines in wanted_batches(handle, predicates(patterns), batch):
                index.add(_parse(lines))
        return index

    def clear(self) -> None:
        """Drop every quad (the patterns stay)."""
        for rows in self._by.values():
            rows.clear()
        self._names.clear()

    def named(self, predicate: ox.NamedNode, obj: ox.NamedNode | None = None) -> list[Row]:
        """``(subject, object, graph)`` with ``predicate`` (and ``obj``) in any named graph."""
        return self._by[(predicate.value, obj.value if obj else None)]

    def merged(
        self, predicate: ox.NamedNode, obj: ox.NamedNode | None = None
    ) -> dict[str, list[Any]]:
        """Subject IRI -> its distinct objects for ``predicate`` in the merge of all graphs."""
        out: dict[str, list[Any]] = defaultdict(list)
        seen: set[tuple[str, Any]] = set()
        for subject, term, _ in self.named(predicate, obj):
            key = (subject, term)
            if key not in seen:
                seen.add(key)
                out[subject].append(term)
        return out


#: Bytes of ``graph.nq``'s paper region a :class:`PaperRanges` range reads: its index and
#: the rows' tables take about as much memory (at 1M papers, about 20 ranges).
RANGE_BYTES = 256 << 20


class PaperRanges:
    """The quads of a sorted N-Quads file that match some patterns, split by papers.

    Every node a build mints for a paper (its authorship slots, classifications and
    extracted statements) has the paper's IRI as its prefix, so the quads about a paper
    are the lines whose subject starts ``<paper IRI>`` or ``<paper IRI/``: in a sorted
    file they form one region, found by bisection.  :attr:`shared` holds the quads outside
    it that match ``outside`` (by default ``patterns``): what rows of any paper may look
    up, such as people's labels and records' lines; iterating gives one index per range of
    papers, in IRI order, each with the region's quads of its papers only.  A quad's subject
    decides its place, so the quads of one subject are never split.  A region of more than
    ``size`` bytes is cut into ranges of about ``size`` bytes, sorted into temporary files
    beside ``path``.
    """

    def __init__(
        self,
        path: Path,
        patterns: Sequence[Pattern],
        paper_prefix: str,
        size: int = RANGE_BYTES,
        batch: int = 100_000,
        outside: Sequence[Pattern] | None = None,
    ) -> None:
        self._path, self._patterns, self._batch = path, patterns, batch
        self._prefix = b"<" + paper_prefix.encode()
        self._wanted = predicates(patterns)
        outside = patterns if outside is None else outside
        self.shared = QuadIndex(outside)
        with path.open("rb") as handle:
            total = handle.seek(0, 2)
            start = _first_line(handle, total, lambda line: line >= self._prefix)
            end = _first_line(
                handle,
                total,
                lambda line: line >= self._prefix and not line.startswith(self._prefix),
            )
            self._region = (start, end)
            for begin, stop in ((0, start), (end, total)):
                handle.seek(begin)
                for lines in wanted_batches(
                    self._outside(_lines_until(handle, stop - begin)), predicates(outside), batch
                ):
                    self.shared.add(_parse(lines))
            # a range ends where a line about another paper starts, about `size` bytes on
            cuts = {
                _key_at(handle, start + i * size, self._prefix)
                for i in range(1, (end - start) // size + 1)
            }
        #: the first paper key of every range but the first
        self.bounds = sorted(cuts - {b""})

    def __len__(self) -> int:
        return len(self.bounds) + 1

    def __iter__(self) -> Iterator[QuadIndex]:
        """An index per range of papers, in IRI order: the region's quads of its papers."""
        if not self.bounds:  # one range: no temporary files
            yield self._index(line for _, line in self._region_lines())
            return
        scratch = Path(tempfile.mkdtemp(dir=self._path.parent, prefix=".ranges-"))
        try:
            files = [scratch / f"{i}.nq" for i in range(len(self))]
            with contextlib.ExitStack() as stack:
                outs = [stack.enter_context(f.open("wb")) for f in files]
                for key, line in self._region_lines():
                    outs[bisect_right(self.bounds, key)].write(line)
            for f in files:
                with f.open("rb") as handle:
                    index = self._index(handle)
                f.unlink()
                yield index
                del index
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _outside(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """``lines``, from outside the papers' region, checked to be so."""
        for line in lines:
            if line.startswith(self._prefix):
                raise ValueError(f"{self._path} is not sorted: a paper's quad is out of place")
            yield line

    def _region_lines(self) -> Iterator[tuple[bytes, bytes]]:
        """``(paper key, line)`` of the region's lines that a pattern wants."""
        start, end = self._region
        n, wanted = len(self._prefix), self._wanted
        with self._path.open("rb") as handle:
            handle.seek(start)
            for line in _lines_until(handle, end - start):
                subject, predicate, _ = line.split(b" ", 2)
                if not subject.startswith(self._prefix):
                    raise ValueError(f"{self._path} is not sorted: a quad is out of place")
                if predicate in wanted:
                    yield subject[n:-1].split(b"/", 1)[0], line

    def _index(self, lines: Iterable[bytes]) -> QuadIndex:
        index = QuadIndex(self._patterns)
        for batch in wanted_batches(lines, None, self._batch):
            index.add(_parse(batch))
        return index


def predicates(patterns: Sequence[Pattern]) -> set[bytes]:
    """The patterns' predicates as N-Quads writes them (``<IRI>``)."""
    return {b"<" + p.encode() + b">" for p, _ in patterns}


def wanted_batches(
    lines: Iterable[bytes], wanted: set[bytes] | None, batch: int
) -> Iterator[list[bytes]]:
    """The N-Quads ``lines`` whose predicate is ``wanted`` (all of them for ``None``),
    ``batch`` at a time: ``"<subject> <predicate> ..."``, where neither an IRI nor a blank
    node holds a space."""
    found: list[bytes] = []
    for line in lines:
        if wanted is None or line.split(b" ", 2)[1] in wanted:
            found.append(line)
            if len(found) >= batch:
                yield found
                found = []
    if found:
        yield found


def _parse(lines: list[bytes]) -> Iterator[ox.Quad]:
    return ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)


def _line_after(handle: BinaryIO, offset: int) -> tuple[int, bytes]:
    """The first whole line that starts at or after ``offset``, and where it starts."""
    if offset == 0:
        handle.seek(0)
    else:
        handle.seek(offset - 1)
        offset += len(handle.readline()) - 1  # the rest of the line ``offset`` is in
    return offset, handle.readline()


def _first_line(handle: BinaryIO, total: int, after: Callable[[bytes], bool]) -> int:
    """Where the first line of a sorted file for which ``after`` holds starts (``total``
    if none): ``after`` must be false up to some line and true from it on."""
    low, high = 0, total
    while low < high:  # the answer is the start of the first line found at or after `high`
        mid = (low + high) // 2
        at, line = _line_after(handle, mid)
        if line and not after(line):
            low = at + len(line)
        else:
            high = mid
    return _line_after(handle, low)[0]


def _key_at(handle: BinaryIO, offset: int, prefix: bytes) -> bytes:
    """The paper key of the first line at or after ``offset`` (``b""`` if it is no
    paper's)."""
    _, line = _line_after(handle, offset)
    if not line.startswith(prefix):
        return b""
    return line.split(b" ", 1)[0][len(prefix) : -1].split(b"/", 1)[0]


def _lines_until(handle: BinaryIO, size: int) -> Iterator[bytes]:
    """The lines of the next ``size`` bytes of ``handle``."""
    left = size
    for line in handle:
        if left <= 0:
            return
        left -= len(line)
        yield line
