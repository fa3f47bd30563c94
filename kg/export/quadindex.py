"""The quads the paper table reads, grouped by predicate, from a store or from N-Quads.

The table joins a dozen predicates over every paper.  Pattern scans of the store cost
several microseconds a quad (each term is decoded from disk); a build has the N-Quads in
``graph.nq`` on disk, sorted, and parses the lines of the wanted predicates at about one
microsecond a quad once the records are gone from memory.  Both give the same index, so the
table is the same either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

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
        wanted = {b"<" + p.encode() + b">" for p, _ in patterns}
        index = cls(patterns)
        lines: list[bytes] = []
        with path.open("rb") as handle:
            for line in handle:
                # "<subject> <predicate> ...": neither an IRI nor a blank node holds a space
                if line.split(b" ", 2)[1] in wanted:
                    lines.append(line)
                    if len(lines) >= batch:
                        index.add(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS))
                        lines.clear()
        if lines:
            index.add(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS))
        return index

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
