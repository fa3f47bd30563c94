"""Extraction results → RDF quads in the extraction graph, each with its evidence.

A paper's edge to a method, dataset, task or keyword concept (``kg:proposesMethod``,
``kg:usesMethod``, ``kg:usesDataset`` / ``kg:introducesDataset``, ``kg:addressesTask``,
``dcterms:subject``) comes with an ``rdf:Statement`` node that says why: the extractor
version, the confidence, the surface form, its character span in the abstract and the
source record whose text was read.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg.corpus import Corpus
from kg.extract import VERSION
from kg.extract.model import Extraction, Mention
from kg.graph import vocab as V
from kg.graph.literals import decimal, integer

#: kind of mention -> (predicate, its local name in statement IRIs, class of the concept)
_KINDS: dict[str, tuple[NamedNode, str, NamedNode]] = {
    "proposed": (V.PROPOSES_METHOD, "proposesMethod", V.METHOD),
    "used": (V.USES_METHOD, "usesMethod", V.METHOD),
    "datasets": (V.USES_DATASET, "usesDataset", V.DATASET),
    "tasks": (V.ADDRESSES_TASK, "addressesTask", V.TASK),
    "keywords": (V.SUBJECT, "subject", V.CONCEPT),
}


def mentions(extraction: Extraction) -> Iterator[tuple[str, Mention]]:
    """``(kind, mention)`` pairs of an extraction, methods split by role."""
    for m in extraction.methods:
        yield ("proposed" if m.role == "proposed" else "used"), m
    for kind in ("datasets", "tasks", "keywords"):
        for m in getattr(extraction, kind):
            yield kind, m


def extraction_quads(corpus: Corpus, m: V.Minter) -> Iterator[Quad]:
    """The quads of every extracted statement, paper by paper in key order."""
    g = m.extraction_graph
    source_key = {s.name: s.key for s in corpus.sources}
    version = Literal(VERSION)
    for paper_key in sorted(corpus.extracted):
        found = corpus.extracted[paper_key]
        paper = m.paper(paper_key)
        record = m.record(
            m.source(source_key[found.record.file]), found.record.line, found.record.item
        )
        done: set[tuple[str, str]] = set()
        proposed: set[str] = set()
        for kind, mention in mentions(found.extraction):
            key = corpus.concepts.key(mention.name)
            predicate, local, cls = _KINDS[kind]
            if (local, key) in done or (kind == "used" and key in proposed):
                continue  # one statement per paper, predicate and concept
            done.add((local, key))
            if kind == "proposed":
                proposed.add(key)
            concept = m.concept(key)
            yield Quad(paper, predicate, concept, g)
            if kind == "datasets" and mention.new:
                yield Quad(paper, V.INTRODUCES_DATASET, concept, g)
            yield Quad(concept, V.TYPE, V.CONCEPT, g)
            if cls != V.CONCEPT:
                yield Quad(concept, V.TYPE, cls, g)
            yield Quad(concept, V.ALT_LABEL, Literal(mention.name), g)
            st = m.statement(paper, local, key)
            yield Quad(st, V.TYPE, V.STATEMENT, g)
            yield Quad(st, V.TYPE, V.EXTRACTED_STATEMENT, g)
            yield Quad(st, V.RDF_SUBJECT, paper, g)
            yield Quad(st, V.RDF_PREDICATE, predicate, g)
            yield Quad(st, V.RDF_OBJECT, concept, g)
            yield Quad(st, V.SURFACE_FORM, Literal(mention.name), g)
            yield Quad(st, V.CONFIDENCE, decimal(mention.confidence), g)
            if mention.start is not None and mention.end is not None:
                yield Quad(st, V.START, integer(mention.start), g)
                yield Quad(st, V.END, integer(mention.end), g)
            yield Quad(st, V.EXTRACTOR, version, g)
            yield Quad(st, V.WAS_DERIVED_FROM, record, g)
