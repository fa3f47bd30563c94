"""Extraction in the graph: edges with their evidence, concepts shared across papers."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.builds import BuildOptions
from kg.pipeline import build
from kg.sources import SourceSpec
from kg.store import Store

PAPERS = [
    {
        "title": "FooNet: Fast Networks",
        "authors": ["Ada Lovelace"],
        "keywords": ["GNN"],
        "abstract": "We propose FooNet, a novel network that extends graph neural networks "
        "(GNNs) for image classification. We evaluate it on CIFAR-10 and ImageNet.",
        "ids": {"arxiv": "2001.00001"},
    },
    {
        "title": "Bar: a study",
        "authors": ["Alan Turing"],
        "keywords": ["graph neural networks"],
        "abstract": "We study GNNs on CIFAR10. We introduce BarBench, a new benchmark for "
        "graph reasoning, and compare FooNet with an LSTM.",
        "ids": {"arxiv": "2001.00002"},
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("extracted")
    src = tmp / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    build([SourceSpec(src)], out=tmp / "out")
    return Store.open(tmp / "out")


def _rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return sorted(tuple(t.value for t in sol) for sol in store.query(query))  # type: ignore[union-attr]


def test_proposed_method_with_its_evidence(store: Store) -> None:
    rows = _rows(
        store,
        """
        SELECT ?title ?form ?start ?end ?extractor ?line WHERE {
          ?paper kg:proposesMethod ?m ; rdfs:label ?title .
          ?st rdf:subject ?paper ; rdf:predicate kg:proposesMethod ; rdf:object ?m ;
              kg:surfaceForm ?form ; kg:start ?start ; kg:end ?end ; kg:confidence ?c ;
              kg:extractor ?extractor ; prov:wasDerivedFrom ?rec .
          ?rec kg:line ?line . }""",
    )
    assert rows == [("FooNet: Fast Networks", "FooNet", "11", "17", "kg-extract/2", "1")]


def test_author_keywords_and_extracted_forms_are_one_concept(store: Store) -> None:
    rows = _rows(
        store,
        """
        SELECT DISTINCT ?c WHERE {
          ?p1 kg:authorKeyword ?c . ?p2 kg:authorKeyword ?c . FILTER(?p1 != ?p2)
          ?p3 kg:usesMethod ?c . }""",
    )
    assert rows == [("https://w3id.org/kg/id/concept/graph-neural-network",)]


def test_datasets_fold_spellings_and_new_ones_are_marked(store: Store) -> None:
    cifar = _rows(
        store,
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:usesDataset "
        "<https://w3id.org/kg/id/concept/cifar-10> }",
    )
    assert cifar == [("2",)]
    new = _rows(
        store, "SELECT ?label WHERE { ?p kg:introducesDataset ?d . ?d skos:prefLabel ?label }"
    )
    assert new == [("BarBench",)]


def test_the_same_method_in_two_papers_is_one_node(store: Store) -> None:
    rows = _rows(
        store,
        """
        SELECT ?role WHERE {
          { ?p kg:proposesMethod ?m BIND("proposes" AS ?role) }
          UNION { ?p kg:usesMethod ?m BIND("uses" AS ?role) }
          ?m skos:prefLabel "FooNet" }""",
    )
    assert rows == [("proposes",), ("uses",)]


def test_statements_live_in_the_extraction_graph(store: Store) -> None:
    graphs = _rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?p kg:proposesMethod ?m } }")
    assert graphs == [("https://w3id.org/kg/id/graph/extraction",)]


def test_papers_export_lists_what_was_extracted(store: Store) -> None:
    from kg.export.papers import rows

    by_title = {r["title"]: r for r in rows(store)}
    foo = by_title["FooNet: Fast Networks"]
    assert foo["methods"][0] == {
        "name": "FooNet",
        "role": "proposed",
        "iri": "https://w3id.org/kg/id/concept/foonet",
    }
    assert {"LSTM"} <= {m["name"] for m in by_title["Bar: a study"]["methods"]}
    names = {d["name"] for d in foo["datasets"]}
    # one concept for both papers' spellings, labelled by one of them (a tie here)
    assert "ImageNet" in names and len(names & {"CIFAR-10", "CIFAR10"}) == 1
    assert all(set(t) == {"name", "iri"} for t in foo["tasks"] + foo["concepts"])


def test_no_extract_builds_the_bibliographic_graph_only(tmp_path: Path) -> None:
    src = tmp_path / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    report = build([SourceSpec(src)], out=tmp_path / "out", options=BuildOptions(extract=False))
    assert report.extraction is None
    raw = ox.Store.read_only(str(tmp_path / "out" / "store"))
    assert not list(
        raw.quads_for_pattern(None, ox.NamedNode("https://w3id.org/kg/ns#proposesMethod"), None)
    )
