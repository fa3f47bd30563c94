"""The cleaned paper table, read back from the store: one row per real paper.

Schema of a row (JSON lines; ``--format csv`` flattens lists with ``; ``)::

    iri, title, authors [{"name", "iri", "position", "written"}], abstract, venue, year,
    decision, tldr, keywords, ids {"openreview", "arxiv", "doi", ...},
    urls {"forum", "pdf", "code": [...]},
    sources [{"file", "line", "kind": "record" | "citation"}],
    methods [{"name", "role": "proposed" | "used", "iri"}], datasets [{"name", "iri", "new"}],
    tasks [{"name", "iri"}], concepts [{"name", "iri"}]   (extracted from the abstract)

Where sources disagree on a single-valued field, the value of the most trusted source
(highest reader authority, then file name) is shown; the build report lists conflicts.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.cells import safe_cell
from kg.export.quadindex import RANGE_BYTES, PaperRanges, Pattern, QuadIndex
from kg.graph import vocab as V
from kg.outdir import atomic_stream
from kg.store import Store

_SINGLE = {
    V.TITLE.value: "title",
    V.ABSTRACT.value: "abstract",
    V.DECISION.value: "decision",
    V.YEAR.value: "year",
    V.TLDR.value: "tldr",
}
_IDS = {V.OPENREVIEW_ID.value: "openreview", V.ARXIV_ID.value: "arxiv", V.DOI.value: "doi"}
_URLS = {V.FORUM_URL.value: "forum", V.PDF_URL.value: "pdf"}

#: predicate of an extracted statement -> (row field, method role)
_EXTRACTED = {
    V.PROPOSES_METHOD.value: ("methods", "proposed"),
    V.USES_METHOD.value: ("methods", "used"),
    V.USES_DATASET.value: ("datasets", None),
    V.ADDRESSES_TASK.value: ("tasks", None),
    V.SUBJECT.value: ("concepts", None),
}


def _value(term: Any) -> Any:
    if isinstance(term, ox.Literal):
        if term.datatype.value == V.XSD + "integer":
            return int(term.value)
        return term.value
    return term.value


#: what the table reads: (predicate, object or None for any)
PATTERNS: tuple[Pattern, ...] = (
    (V.TYPE.value, V.PAPER.value),
    (V.TYPE.value, V.SOURCE.value),
    (V.TYPE.value, V.EXTRACTED_STATEMENT.value),
    *(
        (p, None)
        for p in (
            V.AUTHORITY.value,
            V.FILE_NAME.value,
            V.LABEL.value,
            V.PREF_LABEL.value,
            *_SINGLE,
            V.VENUE_P.value,
            V.AUTHOR_KEYWORD.value,
            V.CLASSIFIED_AS.value,
            *_IDS,
            *_URLS,
            V.CODE_REPOSITORY.value,
            V.IDENTIFIER.value,
            V.HAS_AUTHORSHIP.value,
            V.AUTHOR.value,
            V.POSITION.value,
            V.NAME_AS_WRITTEN.value,
            V.WAS_DERIVED_FROM.value,
            V.LINE.value,
            V.IN_SOURCE.value,
            V.REFERS_TO.value,
            V.HAS_REVIEW.value,
            V.RATING.value,
            V.RDF_SUBJECT.value,
            V.RDF_PREDICATE.value,
            V.RDF_OBJECT.value,
            V.CONFIDENCE.value,
            V.INTRODUCES_DATASET.value,
        )
    ),
)

#: the predicates a row reads from the paper's own records
_ROW_FIELDS = (
    *_SINGLE,
    V.VENUE_P.value,
    V.AUTHOR_KEYWORD.value,
    V.CLASSIFIED_AS.value,
    *_IDS,
    *_URLS,
    V.CODE_REPOSITORY.value,
    V.IDENTIFIER.value,
)


#: what a row looks up beyond its paper's own quads (:class:`_Context`)
LOOKUPS: tuple[Pattern, ...] = (
    (V.TYPE.value, V.SOURCE.value),
    *(
        (p.value, None)
        for p in (
            V.AUTHORITY,
            V.FILE_NAME,
            V.LABEL,
            V.PREF_LABEL,
            V.LINE,
            V.IN_SOURCE,
            V.RATING,
            V.REFERS_TO,
        )
    ),
)


def ranges(nquads: Path, paper_prefix: str, size: int = RANGE_BYTES) -> PaperRanges:
    """What the table reads from a build's sorted ``graph.nq``, a range of papers at a
    time (``paper_prefix``: how the build's paper IRIs start)."""
    return PaperRanges(nquads, PATTERNS, paper_prefix, size, outside=LOOKUPS)


def index_of(store: Store) -> QuadIndex:
    """What the table reads from ``store``."""
    return QuadIndex.of_store(store.raw, PATTERNS)


#: What the table is made from: a store, an index of its quads, or a build's sorted
#: ``graph.nq`` read a range of papers at a time.
Source = Store | QuadIndex | PaperRanges


def rows(source: Source) -> Iterator[dict[str, Any]]:
    """One dict per paper, in IRI order, from a store or an index of its quads.

    From :class:`PaperRanges`, what every row may look up (labels, sources, records) is
    read once, and only one range's quads are in memory with it.
    """
    if isinstance(source, PaperRanges):
        context = _Context.of(source.shared)
        source.shared.clear()  # the context holds what it gave
        for ix in source:
            yield from _rows(ix, context, local=True)
            del ix  # before the next range is read
        return
    ix = index_of(source) if isinstance(source, Store) else source
    yield from _rows(ix, _Context.of(ix), local=False)


@dataclass
class _Context:
    """What rows look up beyond a paper's own quads, from an index of a whole graph or of
    the quads outside the papers' region (:class:`PaperRanges`)."""

    order: Callable[[str], tuple[int, str]]
    labels: dict[str, str]
    pref: dict[str, list[Any]]
    line: dict[str, list[Any]]
    in_source: dict[str, list[Any]]
    file: dict[str, list[Any]]
    rating: dict[str, list[Any]]
    #: paper -> the citation records that refer to it
    cited_by: dict[str, list[str]]

    @classmethod
    def of(cls, ix: QuadIndex) -> _Context:
        sources = {s for s, _, g in ix.named(V.TYPE, V.SOURCE) if s == g}
        authority = {
            s: int(o.value) for s, o, g in ix.named(V.AUTHORITY) if s == g and s in sources
        }
        rank: dict[str, tuple[int, str]] = {}
        for s, o, g in ix.named(V.FILE_NAME):
            if s == g and g in authority:
                rank[g] = min(rank.get(g, (-authority[g], o.value)), (-authority[g], o.value))

        def order(graph: str) -> tuple[int, str]:
            return rank.get(graph, (0, graph))

        return cls(
            order,
            _labels(ix),
            ix.merged(V.PREF_LABEL),
            ix.merged(V.LINE),
            ix.merged(V.IN_SOURCE),
            ix.merged(V.FILE_NAME),
            ix.merged(V.RATING),
            _cited_by(ix),
        )


def _cited_by(ix: QuadIndex) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for rec, papers in ix.merged(V.REFERS_TO).items():
        for paper in papers:
            out[paper.value].append(rec)
    return out


def _rows(ix: QuadIndex, context: _Context, local: bool) -> Iterator[dict[str, Any]]:
    """The rows of the papers typed in ``ix``.  ``local``: ``ix`` holds quads that
    ``context`` was not made from, so what a row looks up is read from both (a subject's
    quads are all in one of them)."""
    c = context
    if local:
        c = _Context(
            c.order,
            _over(c.labels, _labels(ix)),
            _over(c.pref, ix.merged(V.PREF_LABEL)),
            _over(c.line, ix.merged(V.LINE)),
            _over(c.in_source, ix.merged(V.IN_SOURCE)),
            _over(c.file, ix.merged(V.FILE_NAME)),
            _over(c.rating, ix.merged(V.RATING)),
            _joined(_cited_by(ix), c.cited_by),
        )
    fields, authors = _fields(ix, c.order), _authors(ix, c.pref)
    provenance = _provenance(ix, c, fields)
    ratings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for paper, reviews in ix.merged(V.HAS_REVIEW).items():
        for review in reviews:
            for r in c.rating.get(review.value, ()):
                ratings[paper].append((review.value, float(r.value)))
    extracted = _extracted(ix, c.labels)
    for iri in sorted(fields):
        row = _row(
            iri,
            fields[iri],
            authors.get(iri, {}),
            provenance.get(iri, set()),
            c.labels,
            c.order,
            [r for _, r in sorted(ratings.get(iri, []))],
        )
        row.update(
            extracted.get(iri) or {"methods": [], "datasets": [], "tasks": [], "concepts": []}
        )
        yield row


def _over(shared: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    """``shared`` with ``local``'s entries (a copy when there are any: a dict copy costs
    far less than a lookup in two)."""
    return {**shared, **local} if local else shared


def _joined(local: dict[str, list[str]], shared: dict[str, list[str]]) -> dict[str, list[str]]:
    """``shared`` with the lists of ``local`` added (``shared`` unchanged)."""
    if not local:
        return shared
    return {k: [*shared.get(k, ()), *local.get(k, ())] for k in {*local, *shared}}


def _labels(ix: QuadIndex) -> dict[str, str]:
    """A display label per node: its preferred label, else its smallest ``rdfs:label``."""
    labels = {s: min(o.value for o in objs) for s, objs in ix.merged(V.LABEL).items()}
    labels.update({s: min(o.value for o in objs) for s, objs in ix.merged(V.PREF_LABEL).items()})
    return labels


def _provenance(
    ix: QuadIndex, c: _Context, papers: Iterable[str]
) -> dict[str, set[tuple[str, int, str]]]:
    """Per paper: ``(file, line, kind)`` of the records and citations it comes from."""
    out: dict[str, set[tuple[str, int, str]]] = defaultdict(set)

    def add(paper: str, rec: str, kind: str) -> None:
        for n in c.line.get(rec, ()):
            for src in c.in_source.get(rec, ()):
                for f in c.file.get(src.value, ()):
                    out[paper].add((f.value, int(n.value), kind))

    for paper, recs in ix.merged(V.WAS_DERIVED_FROM).items():
        for rec in recs:
            add(paper, rec.value, "record")
    for paper in papers:
        for rec in c.cited_by.get(paper, ()):
            add(paper, rec, "citation")
    return out


Fields = dict[str, dict[str, list[tuple[tuple[int, str], Any]]]]


def _fields(ix: QuadIndex, order: Callable[[str], tuple[int, str]]) -> Fields:
    """Per paper, per predicate: ``(rank of the graph, value)`` of what each source says.

    A value counts where the source also types the node a paper (``GRAPH ?g { ?paper a
    kg:Paper ; ?p ?o }``); every typed paper gets an entry.
    """
    typed = {(s, g) for s, _, g in ix.named(V.TYPE, V.PAPER)}
    fields: Fields = {paper: defaultdict(list) for paper, _ in sorted(typed)}
    for predicate in _ROW_FIELDS:
        for s, o, g in ix.named(ox.NamedNode(predicate)):
            if (s, g) in typed:
                fields[s][predicate].append((order(g), o))
    return fields


Slots = dict[str, dict[str, list[tuple[int, str, str, str]]]]


def _authors(ix: QuadIndex, label: Mapping[str, list[Any]]) -> Slots:
    """Per paper, per source graph: ``(position, label, person, name as written)``."""

    def by_slot(predicate: ox.NamedNode) -> dict[tuple[str, str], list[Any]]:
        found: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for s, o, g in ix.named(predicate):
            found[(s, g)].append(o)
        return found

    person, position, written = (by_slot(p) for p in (V.AUTHOR, V.POSITION, V.NAME_AS_WRITTEN))
    slots: Slots = defaultdict(lambda: defaultdict(list))
    for paper, slot, g in ix.named(V.HAS_AUTHORSHIP):
        key = (slot.value, g)
        for who in person.get(key, ()):
            for pos in position.get(key, ()):
                for name in written.get(key, ()):
                    for lab in [x.value for x in label.get(who.value, ())] or [who.value]:
                        slots[paper][g].append((int(pos.value), lab, who.value, name.value))
    return slots


def _extracted(ix: QuadIndex, labels: Mapping[str, str]) -> dict[str, dict[str, list[Any]]]:
    """Per paper: extracted methods (with role), datasets (with new), tasks and concepts.

    Methods list the proposed first; each list is ordered by confidence, then name.
    """
    new = {(paper, d.value) for paper, ds in ix.merged(V.INTRODUCES_DATASET).items() for d in ds}
    statements = ix.merged(V.TYPE, V.EXTRACTED_STATEMENT)
    subject, predicate, obj, confidence = (
        ix.merged(p) for p in (V.RDF_SUBJECT, V.RDF_PREDICATE, V.RDF_OBJECT, V.CONFIDENCE)
    )
    found: dict[str, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
    for st in statements:
        for p in predicate.get(st, ()):
            field, role = _EXTRACTED.get(p.value, (None, None))
            if field is None:
                continue
            for paper_term in subject.get(st, ()):
                for concept_term in obj.get(st, ()):
                    for conf in confidence.get(st, ()):
                        paper, concept = paper_term.value, concept_term.value
                        name = labels.get(concept, concept)
                        found[paper][field].append(
                            (role != "proposed", -float(conf.value), name, concept, role)
                        )
    out: dict[str, dict[str, list[Any]]] = {}
    for paper, by_field in found.items():
        row: dict[str, list[Any]] = {"methods": [], "datasets": [], "tasks": [], "concepts": []}
        for field, items in by_field.items():
            for _, _, name, concept, role in sorted(items):
                entry: dict[str, Any] = {"name": name, "iri": concept}
                if field == "methods":
                    entry = {"name": name, "role": role, "iri": concept}
                elif field == "datasets":
                    entry["new"] = (paper, concept) in new
                row[field].append(entry)
        out[paper] = row
    return out


def _first(values: list[tuple[tuple[int, str], Any]]) -> Any:
    return _value(min(values, key=lambda v: (v[0], str(v[1])))[1]) if values else None


def _all(values: list[tuple[tuple[int, str], Any]]) -> list[Any]:
    seen: dict[str, Any] = {}
    for _, term in sorted(values, key=lambda v: (v[0], str(v[1]))):
        seen.setdefault(str(_value(term)), _value(term))
    return list(seen.values())


def _row(
    iri: str,
    f: dict[str, list[Any]],
    by_graph: dict[str, list[tuple[int, str, str, str]]],
    prov: set[tuple[str, int, str]],
    labels: Mapping[str, str],
    order: Any,
    ratings: list[float],
) -> dict[str, Any]:
    row: dict[str, Any] = {"iri": iri, "title": _first(f.get(V.TITLE.value, []))}
    if row["title"] is None:
        row["title"] = labels.get(iri)
    slots: list[dict[str, Any]] = []
    if by_graph:
        best = min(by_graph, key=order)
        slots = [
            {"name": label, "iri": person, "position": pos, "written": written}
            for pos, label, person, written in sorted(by_graph[best])
        ]
    venue = _first(f.get(V.VENUE_P.value, []))
    row.update(
        {
            "authors": slots,
            "abstract": _first(f.get(V.ABSTRACT.value, [])),
            "venue": labels.get(venue, venue) if venue else None,
            "year": _first(f.get(V.YEAR.value, [])),
            "decision": _first(f.get(V.DECISION.value, [])),
            "tldr": _first(f.get(V.TLDR.value, [])),
            "keywords": [labels.get(c, c) for c in _all(f.get(V.AUTHOR_KEYWORD.value, []))],
            "subjects": [labels.get(c, c) for c in _all(f.get(V.CLASSIFIED_AS.value, []))],
            "ratings": ratings,
            "ids": {name: v for p, name in _IDS.items() if (v := _first(f.get(p, [])))},
            "urls": {name: v for p, name in _URLS.items() if (v := _first(f.get(p, [])))},
            "sources": [
                {"file": file, "line": line, "kind": kind} for file, line, kind in sorted(prov)
            ],
        }
    )
    code = _all(f.get(V.CODE_REPOSITORY.value, []))
    if code:
        row["urls"]["code"] = code
    for scheme_value in _all(f.get(V.IDENTIFIER.value, [])):
        scheme, _, value = str(scheme_value).partition(":")
        row["ids"].setdefault(scheme, value)
    return row


def _jsonl(source: Source) -> Iterator[bytes]:
    """The paper table's JSON lines, one row at a time."""
    for r in rows(source):
        yield (json.dumps(r, ensure_ascii=False) + "\n").encode()


def to_jsonl(source: Source) -> bytes:
    """The paper table as JSON lines."""
    return b"".join(_jsonl(source))


CSV_COLUMNS = (
    "iri",
    "title",
    "authors",
    "abstract",
    "venue",
    "year",
    "decision",
    "tldr",
    "keywords",
    "openreview",
    "arxiv",
    "doi",
    "forum",
    "pdf",
    "code",
    "sources",
    "proposed_methods",
    "used_methods",
    "datasets",
    "tasks",
    "concepts",
)


def to_csv(store: Store) -> bytes:
    """The paper table as a flat CSV: lists joined with ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows(store):
        writer.writerow(
            safe_cell(c)
            for c in [
                r["iri"],
                r["title"] or "",
                "; ".join(a["name"] for a in r["authors"]),
                r["abstract"] or "",
                r["venue"] or "",
                r["year"] or "",
                r["decision"] or "",
                r["tldr"] or "",
                "; ".join(r["keywords"]),
                r["ids"].get("openreview", ""),
                r["ids"].get("arxiv", ""),
                r["ids"].get("doi", ""),
                r["urls"].get("forum", ""),
                r["urls"].get("pdf", ""),
                "; ".join(r["urls"].get("code", [])),
                "; ".join(f"{s['file']}:{s['line']}" for s in r["sources"]),
                "; ".join(m["name"] for m in r["methods"] if m["role"] == "proposed"),
                "; ".join(m["name"] for m in r["methods"] if m["role"] == "used"),
                "; ".join(d["name"] for d in r["datasets"]),
                "; ".join(t["name"] for t in r["tasks"]),
                "; ".join(c["name"] for c in r["concepts"]),
            ]
        )
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True, slots=True)
class TableFormat:
    """A format of the paper table: its name, file extension, description and writer."""

    name: str
    extension: str
    description: str
    render: Callable[[Store], bytes]


#: The formats of ``kg export papers``: the one table its ``--format`` and the docs read.
FORMATS: dict[str, TableFormat] = {
    f.name: f
    for f in (
        TableFormat("jsonl", ".jsonl", "JSON lines, one paper a line, lists kept", to_jsonl),
        TableFormat("csv", ".csv", "a flat CSV table, lists joined with '; '", to_csv),
    )
}


def write_jsonl(source: Source, path: Path) -> None:
    """Write the table as JSON lines, atomically, a row at a time (the whole table is
    never in memory: about 0.4 GB at 100K papers)."""
    with atomic_stream(path) as out:
        out.writelines(_jsonl(source))
