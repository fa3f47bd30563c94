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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.cells import safe_cell
from kg.export.quadindex import Pattern, QuadIndex
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


def index_of(store: Store) -> QuadIndex:
    """What the table reads from ``store``."""
    return QuadIndex.of_store(store.raw, PATTERNS)


def rows(source: Store | QuadIndex) -> Iterator[dict[str, Any]]:
    """One dict per paper, in IRI order, from a store or an index of its quads."""
    ix = index_of(source) if isinstance(source, Store) else source
    sources = {s for s, _, g in ix.named(V.TYPE, V.SOURCE) if s == g}
    authority = {s: int(o.value) for s, o, g in ix.named(V.AUTHORITY) if s == g and s in sources}
    rank: dict[str, tuple[int, str]] = {}
    for s, o, g in ix.named(V.FILE_NAME):
        if s == g and g in authority:
            rank[g] = min(rank.get(g, (-authority[g], o.value)), (-authority[g], o.value))
    labels = _labels(ix)

    def order(graph: str) -> tuple[int, str]:
        return rank.get(graph, (0, graph))

    fields, authors = _fields(ix, order), _authors(ix)
    provenance = _provenance(ix)
    ratings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    rating = ix.merged(V.RATING)
    for paper, reviews in ix.merged(V.HAS_REVIEW).items():
        for review in reviews:
            for r in rating.get(review.value, ()):
                ratings[paper].append((review.value, float(r.value)))
    extracted = _extracted(ix, labels)
    for iri in sorted(fields):
        row = _row(
            iri,
            fields[iri],
            authors.get(iri, {}),
            provenance.get(iri, set()),
            labels,
            order,
            [r for _, r in sorted(ratings.get(iri, []))],
        )
        row.update(
            extracted.get(iri) or {"methods": [], "datasets": [], "tasks": [], "concepts": []}
        )
        yield row


def _labels(ix: QuadIndex) -> dict[str, str]:
    """A display label per node: its preferred label, else its smallest ``rdfs:label``."""
    labels = {s: min(o.value for o in objs) for s, objs in ix.merged(V.LABEL).items()}
    labels.update({s: min(o.value for o in objs) for s, objs in ix.merged(V.PREF_LABEL).items()})
    return labels


def _provenance(ix: QuadIndex) -> dict[str, set[tuple[str, int, str]]]:
    """Per paper: ``(file, line, kind)`` of the records and citations it comes from."""
    line, in_source, file = ix.merged(V.LINE), ix.merged(V.IN_SOURCE), ix.merged(V.FILE_NAME)
    out: dict[str, set[tuple[str, int, str]]] = defaultdict(set)

    def add(paper: str, rec: str, kind: str) -> None:
        for n in line.get(rec, ()):
            for src in in_source.get(rec, ()):
                for f in file.get(src.value, ()):
                    out[paper].add((f.value, int(n.value), kind))

    for paper, recs in ix.merged(V.WAS_DERIVED_FROM).items():
        for rec in recs:
            add(paper, rec.value, "record")
    for rec, papers in ix.merged(V.REFERS_TO).items():
        for paper in papers:
            add(paper.value, rec, "citation")
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


def _authors(ix: QuadIndex) -> Slots:
    """Per paper, per source graph: ``(position, label, person, name as written)``."""

    def by_slot(predicate: ox.NamedNode) -> dict[tuple[str, str], list[Any]]:
        found: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for s, o, g in ix.named(predicate):
            found[(s, g)].append(o)
        return found

    person, position, written = (by_slot(p) for p in (V.AUTHOR, V.POSITION, V.NAME_AS_WRITTEN))
    label = ix.merged(V.PREF_LABEL)
    slots: Slots = defaultdict(lambda: defaultdict(list))
    for paper, slot, g in ix.named(V.HAS_AUTHORSHIP):
        key = (slot.value, g)
        for who in person.get(key, ()):
            for pos in position.get(key, ()):
                for name in written.get(key, ()):
                    for lab in [x.value for x in label.get(who.value, ())] or [who.value]:
                        slots[paper][g].append((int(pos.value), lab, who.value, name.value))
    return slots


def _extracted(ix: QuadIndex, labels: dict[str, str]) -> dict[str, dict[str, list[Any]]]:
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
    labels: dict[str, str],
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


def _jsonl(source: Store | QuadIndex) -> Iterator[bytes]:
    """The paper table's JSON lines, one row at a time."""
    for r in rows(source):
        yield (json.dumps(r, ensure_ascii=False) + "\n").encode()


def to_jsonl(source: Store | QuadIndex) -> bytes:
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


def write_jsonl(source: Store | QuadIndex, path: Path) -> None:
    """Write the table as JSON lines, atomically, a row at a time (the whole table is
    never in memory: about 0.4 GB at 100K papers)."""
    with atomic_stream(path) as out:
        out.writelines(_jsonl(source))
