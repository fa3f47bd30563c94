"""The annotated training corpus, the held-out guard, and what is built from the corpus.

The held-out abstracts judge the project, so nothing may learn from them: no corpus
record is one (by the list's own hash), the corpus reader refuses one, and the lexicons
and word statistics shipped are exactly what the builders make from allowed text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import corpus
from training.annotations import check

RECORDS = list(corpus.read())
DOUBLE = list(corpus.read(corpus.DOUBLE))


def test_the_heldout_list_is_there_to_check_against() -> None:
    assert len(corpus.heldout()) == 67
    assert all(len(h) == 40 for h in corpus.heldout())


def test_no_training_text_is_a_heldout_abstract() -> None:
    hashes = {corpus.text_hash(r["abstract"]) for r in RECORDS + DOUBLE}
    assert not hashes & corpus.heldout()


def test_the_hash_is_the_lists_own(tmp_path: Path) -> None:
    # the header's recipe: first 200 of the lower-cased a-z0-9 characters, SHA-1
    text = "We Propose FooNet -- a " + "x" * 300
    folded = ("weproposefoonet" + "a" + "x" * 300)[:200]
    import hashlib

    assert corpus.text_hash(text) == hashlib.sha1(folded.encode()).hexdigest()


def test_the_reader_refuses_and_the_writer_skips_a_heldout_abstract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = {
        "id": "t1",
        "title": "FooNet",
        "abstract": "We propose FooNet for parsing.",
        "proposed": [{"name": "FooNet", "aliases": []}],
        "used": [],
        "datasets": [],
        "tasks": ["parsing"],
        "keywords": ["FooNet"],
    }
    other = {**rec, "id": "t2", "abstract": "We use BarNet for tagging."}
    path = tmp_path / "c.jsonl"
    assert corpus.write([rec, other], path) == 2
    monkeypatch.setattr(corpus, "heldout", lambda: frozenset({corpus.text_hash(rec["abstract"])}))
    with pytest.raises(corpus.HeldOutError, match=r"c\.jsonl:1: record t1"):
        list(corpus.read(path))
    assert corpus.write([rec, other], path) == 1
    assert [r["id"] for r in corpus.read(path)] == ["t2"]


def test_the_corpus_is_large_hand_annotated_and_consistent() -> None:
    assert len(RECORDS) >= 600
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    for rec in RECORDS:
        check(rec, rec, rec["id"])  # every name is copied exactly from the text
        for s in rec["spans"]:
            text = rec[s["field"]]
            assert text[s["start"] : s["end"]].strip(), (rec["id"], s)
    kinds = {s["label"] for r in RECORDS for s in r["spans"]}
    assert kinds == {"METHOD", "DATASET", "TASK"}
    assert sum(1 for r in RECORDS if r["proposed"]) > 400


def test_sixty_abstracts_were_annotated_twice_by_another_annotator() -> None:
    first = {r["id"]: r for r in RECORDS}
    assert len(DOUBLE) >= 60
    for rec in DOUBLE:
        assert rec["id"] in first
        assert rec["annotator"] != first[rec["id"]]["annotator"]
        assert rec["abstract"] == first[rec["id"]]["abstract"]


def test_spans_are_every_whole_word_occurrence_longest_first() -> None:
    rec = {
        "title": "Graph Nets for graph classification",
        "abstract": "Graph neural networks (GNN) beat GNNs? We use graph neural networks "
        "and subgraph neural networks for graph classification.",
        "proposed": [],
        "used": ["graph neural networks", "GNN", "neural networks"],
        "datasets": [],
        "tasks": ["graph classification"],
        "keywords": [],
    }
    spans = [(s.field, rec[s.field][s.start : s.end], s.label) for s in corpus.find_spans(rec)]
    assert spans == [
        ("title", "graph classification", "TASK"),
        ("abstract", "Graph neural networks", "METHOD"),
        ("abstract", "GNN", "METHOD"),
        ("abstract", "graph neural networks", "METHOD"),
        ("abstract", "neural networks", "METHOD"),  # inside "subgraph ...": its own words
        ("abstract", "graph classification", "TASK"),
    ]


def test_training_docs_carry_spans_through_latex() -> None:
    import spacy

    from training.docs import to_doc

    rec = {"title": None, "abstract": "We propose VA-RED$^2$, trained on ImageNet.", "spans": []}
    rec["spans"] = [
        {"field": "abstract", "start": 11, "end": 21, "label": "METHOD", "role": "proposed"},
        {"field": "abstract", "start": 34, "end": 42, "label": "DATASET"},
    ]
    doc = to_doc(spacy.blank("en"), rec)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("VA-RED2", "PROPOSED"),
        ("ImageNet", "DATASET"),
    ]


def test_the_lexicons_are_built_from_the_corpus_alone() -> None:
    from kg.extract.lexicon import read_list
    from training.lexicons import names

    built = names(RECORDS)
    for kind in ("methods", "datasets", "tasks"):
        assert read_list(kind) == built[kind], f"{kind}.txt is not what the corpus gives"


def test_the_word_statistics_are_built_without_heldout_abstracts(tmp_path: Path) -> None:
    from kg.extract import wordstats
    from training.lexicons import DATA, abstracts

    texts = abstracts()
    assert len(texts) > 1200
    assert not any(corpus.is_heldout(t) for t in texts)
    wordstats.write(wordstats.count(texts), tmp_path / "df.tsv")
    assert (tmp_path / "df.tsv").read_text() == (DATA / "df.tsv").read_text()


def test_the_shipped_models_load_offline_and_are_small() -> None:
    from kg.extract import roles
    from kg.extract.keywords import weights
    from kg.extract.spans import LABELS, model, path

    size = sum(f.stat().st_size for f in Path(path()).rglob("*") if f.is_file())
    assert size <= 25 * 2**20
    nlp = model()
    assert nlp is not None
    assert set(nlp.get_pipe("spancat").labels) == set(LABELS)
    assert set(roles.weights()) == {"proposed", "new"}
    assert weights() is not None
    meta = json.loads((Path(path()) / "meta.json").read_text())
    assert meta["name"] == "kg_spans"
