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
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.cells import safe_cell
from kg.graph import vocab as V
from kg.outdir import atomic_write_bytes
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

_Q_FIELDS = """
SELECT ?paper ?g ?p ?o WHERE {
  GRAPH ?g { ?paper a kg:Paper ; ?p ?o }
}"""
_Q_GRAPHS = """
SELECT ?g ?authority ?file WHERE { GRAPH ?g { ?g a kg:Source ; kg:authority ?authority ;
  kg:fileName ?file } }"""
_Q_AUTHORS = """
SELECT ?paper ?g ?person ?pos ?written ?label WHERE {
  GRAPH ?g { ?paper kg:hasAuthorship ?a . ?a kg:author ?person ; kg:position ?pos ;
             kg:nameAsWritten ?written }
  OPTIONAL { ?person skos:prefLabel ?label }
}"""
_Q_SOURCES = """
SELECT ?paper ?file ?line ?kind WHERE {
  { ?paper prov:wasDerivedFrom ?rec . ?rec kg:line ?line ; kg:inSource ?src .
    BIND("record" AS ?kind) }
  UNION
  { ?rec kg:refersTo ?paper ; kg:line ?line ; kg:inSource ?src . BIND("citation" AS ?kind) }
  ?src kg:fileName ?file .
}"""
_Q_RATINGS = """
SELECT ?paper ?review ?rating WHERE { ?paper kg:hasReview ?review . ?review kg:rating ?rating }"""
_Q_LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label|skos:prefLabel ?label }"
_Q_EXTRACTED = """
SELECT ?paper ?p ?concept ?conf WHERE {
  ?st a kg:ExtractedStatement ; rdf:subject ?paper ; rdf:predicate ?p ; rdf:object ?concept ;
      kg:confidence ?conf .
}"""
_Q_NEW = "SELECT ?paper ?dataset WHERE { ?paper kg:introducesDataset ?dataset }"
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


def rows(store: Store) -> Iterator[dict[str, Any]]:
    """One dict per paper, in IRI order."""
    rank: dict[str, tuple[int, str]] = {}
    for sol in store.query(_Q_GRAPHS):  # type: ignore[union-attr]
        rank[sol["g"].value] = (-int(sol["authority"].value), sol["file"].value)
    labels: dict[str, str] = {}
    for sol in store.query(_Q_LABELS):  # type: ignore[union-attr]
        labels.setdefault(sol["s"].value, sol["label"].value)

    def order(graph: str) -> tuple[int, str]:
        return rank.get(graph, (0, graph))

    fields: dict[str, dict[str, list[tuple[tuple[int, str], Any]]]] = defaultdict(
        lambda: defaultdict(list))
    for sol in store.query(_Q_FIELDS):  # type: ignore[union-attr]
        fields[sol["paper"].value][sol["p"].value].append((order(sol["g"].value), sol["o"]))
    authors: dict[str, dict[str, list[tuple[int, str, str, str]]]] = defaultdict(
        lambda: defaultdict(list))
    for sol in store.query(_Q_AUTHORS):  # type: ignore[union-attr]
        person = sol["person"].value
        label = sol["label"].value if sol["label"] else person
        authors[sol["paper"].value][sol["g"].value].append(
            (int(sol["pos"].value), label, person, sol["written"].value))
    provenance: dict[str, set[tuple[str, int, str]]] = defaultdict(set)
    for sol in store.query(_Q_SOURCES):  # type: ignore[union-attr]
        provenance[sol["paper"].value].add(
            (sol["file"].value, int(sol["line"].value), sol["kind"].value))

    ratings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for sol in store.query(_Q_RATINGS):  # type: ignore[union-attr]
        ratings[sol["paper"].value].append((sol["review"].value, float(sol["rating"].value)))
    extracted = _extracted(store, labels)
    for iri in sorted(fields):
        row = _row(iri, fields[iri], authors.get(iri, {}), provenance.get(iri, set()),
                   labels, order, [r for _, r in sorted(ratings.get(iri, []))])
        row.update(extracted.get(iri) or {"methods": [], "datasets": [], "tasks": [],
                                          "concepts": []})
        yield row


def _extracted(store: Store, labels: dict[str, str]) -> dict[str, dict[str, list[Any]]]:
    """Per paper: extracted methods (with role), datasets (with new), tasks and concepts.

    Methods list the proposed first; each list is ordered by confidence, then name.
    """
    new = {(sol["paper"].value, sol["dataset"].value)
           for sol in store.query(_Q_NEW)}  # type: ignore[union-attr]
    found: dict[str, dict[str, list[tuple[Any, ...]]]] = defaultdict(lambda: defaultdict(list))
    for sol in store.query(_Q_EXTRACTED):  # type: ignore[union-attr]
        field, role = _EXTRACTED.get(sol["p"].value, (None, None))
        if field is None:
            continue
        paper, concept = sol["paper"].value, sol["concept"].value
        name = labels.get(concept, concept)
        found[paper][field].append((role != "proposed", -float(sol["conf"].value), name,
                                    concept, role))
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


def _row(iri: str, f: dict[str, list[Any]], by_graph: dict[str, list[tuple[int, str, str, str]]],
         prov: set[tuple[str, int, str]], labels: dict[str, str], order: Any,
         ratings: list[float]) -> dict[str, Any]:
    row: dict[str, Any] = {"iri": iri, "title": _first(f.get(V.TITLE.value, []))}
    if row["title"] is None:
        row["title"] = labels.get(iri)
    slots: list[dict[str, Any]] = []
    if by_graph:
        best = min(by_graph, key=order)
        slots = [{"name": label, "iri": person, "position": pos, "written": written}
                 for pos, label, person, written in sorted(by_graph[best])]
    venue = _first(f.get(V.VENUE_P.value, []))
    row.update({
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
        "sources": [{"file": file, "line": line, "kind": kind}
                    for file, line, kind in sorted(prov)],
    })
    code = _all(f.get(V.CODE_REPOSITORY.value, []))
    if code:
        row["urls"]["code"] = code
    for scheme_value in _all(f.get(V.IDENTIFIER.value, [])):
        scheme, _, value = str(scheme_value).partition(":")
        row["ids"].setdefault(scheme, value)
    return row


def to_jsonl(store: Store) -> bytes:
    """The paper table as JSON lines."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows(store)).encode()


CSV_COLUMNS = ("iri", "title", "authors", "abstract", "venue", "year", "decision", "tldr",
               "keywords", "openreview", "arxiv", "doi", "forum", "pdf", "code", "sources",
               "proposed_methods", "used_methods", "datasets", "tasks", "concepts")


def to_csv(store: Store) -> bytes:
    """The paper table as a flat CSV: lists joined with ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows(store):
        writer.writerow(safe_cell(c) for c in [
            r["iri"], r["title"] or "", "; ".join(a["name"] for a in r["authors"]),
            r["abstract"] or "", r["venue"] or "", r["year"] or "", r["decision"] or "",
            r["tldr"] or "", "; ".join(r["keywords"]), r["ids"].get("openreview", ""),
            r["ids"].get("arxiv", ""), r["ids"].get("doi", ""), r["urls"].get("forum", ""),
            r["urls"].get("pdf", ""), "; ".join(r["urls"].get("code", [])),
            "; ".join(f"{s['file']}:{s['line']}" for s in r["sources"]),
            "; ".join(m["name"] for m in r["methods"] if m["role"] == "proposed"),
            "; ".join(m["name"] for m in r["methods"] if m["role"] == "used"),
            "; ".join(d["name"] for d in r["datasets"]),
            "; ".join(t["name"] for t in r["tasks"]),
            "; ".join(c["name"] for c in r["concepts"]),
        ])
    return buffer.getvalue().encode("utf-8")


WRITERS: dict[str, Callable[[Store], bytes]] = {"jsonl": to_jsonl, "csv": to_csv}


def write_jsonl(store: Store, path: Path) -> None:
    """Write the table as JSON lines, atomically."""
    atomic_write_bytes(path, to_jsonl(store))
