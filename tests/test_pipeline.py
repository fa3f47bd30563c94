"""End to end: the bundled corpus through every stage, checked in the store and exports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.builds import BuildOptions
from kg.errors import InputError, UsageError
from kg.pipeline import OUTPUTS, build
from kg.sources import SourceSpec
from kg.store import Store
from kg.validate import validate

ORALS = 'SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'


def _count(store: Store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)  # type: ignore[arg-type,index]


def _report(built: Path) -> dict[str, Any]:
    return json.loads((built / "build-report.json").read_text(encoding="utf-8"))


def test_every_source_is_read_with_the_expected_counts(built: Path) -> None:
    per_file = {s["file"][:3]: s for s in _report(built)["sources"]}
    assert {k: v["format"] for k, v in per_file.items()} == {
        "000": "openreview-page",
        "001": "paper-list",
        "002": "dataset-viewer",
        "003": "blog-citations",
        "004": "abstracts",
    }
    assert [per_file[k]["papers"] for k in ("000", "001", "002", "003", "004")] == [
        48,
        687,
        100,
        0,
        425,
    ]
    assert per_file["003"]["citations"] == 171
    assert per_file["000"]["author_slots"] == 232
    assert per_file["001"]["decisions"] == {"Oral": 48, "Poster": 531, "Spotlight": 108}
    assert per_file["002"]["decisions"] == {"Poster": 100}


def test_the_store_answers_how_many_orals(built: Path) -> None:
    assert _count(Store.open(built), ORALS) == 48


def test_papers_of_000_are_the_orals_of_001(built: Path, paper_rows: list[dict]) -> None:
    from_000 = [r for r in paper_rows if any(s["file"].startswith("000") for s in r["sources"])]
    assert len(from_000) == 48
    assert all(r["decision"] == "Oral" for r in from_000)
    assert all(
        {s["file"][:3] for s in r["sources"] if s["kind"] == "record"} == {"000", "001"}
        for r in from_000
    )
    # one line per real paper: 687 (001, the 000 orals among them) + 100 (002) + 425 (004)
    assert len(paper_rows) == 687 + 100 + 425


def test_paper_rows_follow_the_schema(paper_rows: list[dict]) -> None:
    cater = next(r for r in paper_rows if r["ids"].get("openreview") == "HJgzt2VKPB")
    assert cater["iri"].endswith("/paper/HJgzt2VKPB")
    assert cater["title"].startswith("CATER: A diagnostic dataset for Compositional Actions")
    assert [a["name"] for a in cater["authors"]] == ["Rohit Girdhar", "Deva Ramanan"]
    assert [a["position"] for a in cater["authors"]] == [1, 2]
    assert (cater["venue"], cater["year"], cater["decision"]) == ("ICLR 2020", 2020, "Oral")
    assert "Temporal Reasoning" in cater["keywords"]
    assert cater["urls"]["forum"] == "https://openreview.net/forum?id=HJgzt2VKPB"
    kinds = {s["kind"] for s in cater["sources"]}
    assert kinds >= {"record"}
    for row in paper_rows:
        assert set(row) >= {
            "iri",
            "title",
            "authors",
            "abstract",
            "venue",
            "year",
            "decision",
            "keywords",
            "ids",
            "sources",
        }
        assert row["sources"], row["iri"]


def test_blog_citations_link_to_papers(built: Path) -> None:
    store = Store.open(built)
    resolved = _count(
        store,
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a kg:Citation ; kg:refersTo ?p . ?p a kg:Paper }",
    )
    assert resolved >= 165  # 170 of 171 once resolution is complete (issue 4)
    cited_with_paragraph = _count(
        store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?para a kg:Paragraph ; cito:cites ?p }"
    )
    assert cited_with_paragraph > 100


def test_every_output_is_written(built: Path) -> None:
    for name in OUTPUTS:
        assert (built / name).stat().st_size > 0, name
    assert (built / "store").is_dir()
    assert not [p for p in built.iterdir() if p.name.startswith(".kg-staging")]


def test_turtle_export_holds_the_store_whose_default_graph_is_the_union(built: Path) -> None:
    """``graph.ttl`` is the store's default graph, which is the union of its named graphs
    (so a query sees every statement of every source).  rdflib's reading of the exports,
    ``graph.ttl`` and ``graph.nq`` among them, is checked in tests/export/test_rdf.py."""
    store = Store.open(built)

    def spo(quads: Any) -> set[str]:
        return {str(q.triple) for q in quads}

    default = spo(store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    named = spo(
        q
        for q in store.raw.quads_for_pattern(None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    )
    assert default == named, (sorted(default ^ named)[:5], len(default))
    from_file = spo(ox.parse(path=built / "graph.ttl", format=ox.RdfFormat.TURTLE))
    assert from_file == default, (sorted(from_file ^ default)[:5], len(default))


def test_nquads_export_holds_one_named_graph_per_source(built: Path) -> None:
    quads = list(ox.parse(path=built / "graph.nq", format=ox.RdfFormat.N_QUADS))
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    sources = {n for n in names if "/source/" in n}
    assert len(sources) == 5
    assert any(n.endswith("/graph/resolution") for n in names)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)  # no default graph
    from kg.stats import stats

    assert stats(Store.open(built))["quads"] == len(set(quads))


def test_queries_count_each_fact_once(built: Path) -> None:
    # a paper typed by 000 and 001 is one paper: no DISTINCT needed
    plain = 'SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'
    assert _count(Store.open(built), plain) == 48
    per_source = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?p a kg:Paper ; kg:decision "Oral" } }'
    assert _count(Store.open(built), per_source) == 48  # only 001 states the decision


def test_graph_conforms_to_the_shapes(built: Path) -> None:
    result = validate(Store.open(built))
    assert result.conforms, result.text[:3000]


def test_two_builds_give_byte_identical_exports_whatever_the_hash_seed(
    built: Path, tmp_path: Path
) -> None:
    """A second build, extraction included, in a process whose hash seed differs from the
    one that made ``built`` (sets and dicts of strings iterate in another order), writes
    the same bytes."""
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # unset: random there
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kg.builds import BuildOptions; from kg.pipeline import build; "
            "build(out=sys.argv[1], options=BuildOptions(workers=2))",
            str(tmp_path),
        ],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_a_failed_build_leaves_the_previous_build_untouched(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"title": "A paper", "authors": ["Ann Lee"]}) + "\n")
    out = tmp_path / "out"
    build([SourceSpec(good)], out=out)
    before = {n: (out / n).read_bytes() for n in OUTPUTS}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    with pytest.raises(InputError, match=r"bad\.txt: this is a PNG image"):
        build([SourceSpec(good), SourceSpec(bad)], out=out)
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".kg-lock")) == sorted(
        [*OUTPUTS, "store"]
    )


def test_base_iri_is_configurable_and_checked(tmp_path: Path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"title": "A paper", "ids": {"openreview": "Abc_1"}}) + "\n")
    build(
        [SourceSpec(src)],
        out=tmp_path / "o",
        options=BuildOptions(base_iri="https://example.org/lit"),
    )
    row = json.loads((tmp_path / "o" / "papers.jsonl").read_text())
    assert row["iri"] == "https://example.org/lit/paper/Abc_1"
    with pytest.raises(UsageError, match="absolute IRI"):
        build([SourceSpec(src)], out=tmp_path / "o", options=BuildOptions(base_iri="not an iri"))
    for bad in ("http://x/a b/", "http://x/>", "https://x/{y}/"):  # were ValueError tracebacks
        with pytest.raises(UsageError, match="is not a valid IRI"):
            build([SourceSpec(src)], out=tmp_path / "o", options=BuildOptions(base_iri=bad))


def test_a_build_never_replaces_its_own_input(tmp_path: Path) -> None:
    """`kg build papers.jsonl --dir .` used to replace the user's papers.jsonl with the table."""
    src = tmp_path / "papers.jsonl"
    mine = json.dumps({"title": "A paper", "authors": ["Ann Lee"]}) + "\n"
    src.write_text(mine)
    with pytest.raises(UsageError, match=r"papers\.jsonl: is the papers\.jsonl a build writes"):
        build([SourceSpec(src)], out=tmp_path)
    assert src.read_text() == mine
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".kg-lock") == ["papers.jsonl"]
    out = tmp_path / "out"
    build([SourceSpec(src)], out=out)
    moved = out / "graph.ttl"
    inside = (out / "graph.ttl").read_bytes()
    with pytest.raises(UsageError, match=r"is the graph\.ttl a build writes"):
        build([SourceSpec(moved, "jsonl")], out=out)
    assert moved.read_bytes() == inside


def test_a_build_never_replaces_files_kg_did_not_write(tmp_path: Path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"title": "A paper"}) + "\n")
    theirs = tmp_path / "notes"
    theirs.mkdir()
    (theirs / "graph.ttl").write_text("my own notes\n")
    with pytest.raises(UsageError, match=r"holds graph\.ttl, which kg did not write"):
        build([SourceSpec(src)], out=theirs)
    assert (theirs / "graph.ttl").read_text() == "my own notes\n"
    build([SourceSpec(src)], out=tmp_path / "o")  # a new directory, and then its own rebuild
    build([SourceSpec(src)], out=tmp_path / "o")


def test_report_lists_merges_conflicts_and_the_one_unresolved_citation(built: Path) -> None:
    report = _report(built)
    assert report["totals"]["citations_resolved"] == 170
    (missing,) = report["unresolved_citations"]
    assert missing["title"] == "Robust Learning with Jacobian Regularization"
    assert len(report["merges"]) == 48  # the 48 papers of 000, each with its 001 record
    headless = [m for m in report["merges"] if "authors+abstract" in m["evidence"]]
    assert [m["paper"] for m in headless] == ["rygixkHKDH"]  # Qu et al., untitled in 001
    conflicts = {c["paper"] for c in report["conflicts"] if c["field"] == "abstract"}
    assert conflicts == {
        "Bkl5kxrKDr",
        "HJxNAnVtDS",
        "HkxQRTNYPH",
        "Hkxzx0NtDB",
        "r1eBeyHFDH",
        "r1etN1rtPB",
    }
    merged_names = [sorted(p["names"]) for p in report["people_merged"]]
    assert ["Masao Utiyama", "Masso Utiyama"] in merged_names
    assert ["J Zico Kolter", "J. Zico Kolter", "Zico Kolter"] in merged_names
    assert not any("Ning Chen" in names for names in merged_names)


def test_citations_resolve_to_headless_records(built: Path) -> None:
    store = Store.open(built)
    rows = list(
        store.query(
            "SELECT ?title ?paper WHERE { ?c a kg:Citation ; dcterms:title ?title ; "
            "kg:refersTo ?paper FILTER NOT EXISTS { ?paper dcterms:title ?any } }"
        )
    )
    # Welleck et al. has no title anywhere but in the blog post itself
    assert any("Unlikelihood" in r["title"].value for r in rows)  # type: ignore[index]


EXTERNAL = Path(__file__).parent / "data" / "external"


def test_a_build_of_every_external_format_keeps_every_record(tmp_path: Path) -> None:
    """Records, merges, conflicts and classifications (extraction is the next test's)."""
    external = sorted(EXTERNAL.iterdir())
    report = build(
        [SourceSpec(p) for p in external], out=tmp_path, options=BuildOptions(extract=False)
    )
    expected = {
        "dblp_iclr2019.bib": 502,
        "rebiber_example_input_references.bib": 194,
        "openreview_api_v1_forum_nips2018_workshop_sample.json": 2,
        "papercopilot_iclr2018_first500.json": 500,
        "arxiv_kaggle_snapshot_head200.jsonl": 200,
        "openalex_works_api_page_50.json": 50,
    }
    assert {s.file: s.papers for s in report.sources} == expected
    assert report.totals.source_records == sum(expected.values())
    # dblp and the hand-kept .bib share ICLR 2019 papers: one node each, by forum id or title
    assert any(
        {r.split(":")[0] for r in m.records}
        == {"dblp_iclr2019.bib", "rebiber_example_input_references.bib"}
        for m in report.merges
    )
    assert any(c["field"] == "year" for c in report.conflicts)  # preprint vs conference
    result = validate(Store.open(tmp_path))
    assert result.conforms, result.text[:2000]
    rows = [json.loads(line) for line in (tmp_path / "papers.jsonl").read_text().splitlines()]
    governance = next(r for r in rows if r["ids"].get("openalex") == "W1934649023")
    assert governance["subjects"] and governance["ratings"] == []
    assert any(r["ratings"] == [4.0, 4.0, 4.0] for r in rows)  # OpenReview review ratings
    scores = Store.open(tmp_path).query(
        "SELECT ?score WHERE { ?p kg:identifier 'openalex:W1934649023' ; kg:hasClassification ?c ."
        " ?c kg:scheme 'openalex' ; kg:score ?score }"
    )
    assert all(0 <= float(s["score"].value) <= 1 for s in scores)  # type: ignore[index,union-attr]


def test_abstracts_written_by_others_extract_into_a_conforming_graph(tmp_path: Path) -> None:
    """The abstracts of the formats the bundled corpus lacks (arXiv's LaTeX, OpenAlex's
    inverted index, an OpenReview API forum) through extraction, and the shapes."""
    files = [
        "arxiv_kaggle_snapshot_head200.jsonl",
        "openalex_works_api_page_50.json",
        "openreview_api_v1_forum_nips2018_workshop_sample.json",
    ]
    report = build([SourceSpec(EXTERNAL / f) for f in files], out=tmp_path)
    summary = report.extraction
    # 251 papers (two OpenAlex works of one title merge), one OpenAlex work without abstract
    assert summary is not None and summary.papers == 250, summary
    store = Store.open(tmp_path)
    extracted = store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:usesMethod|kg:proposesMethod|"
        "kg:usesDataset|kg:addressesTask ?c }"
    )
    assert int(next(iter(extracted))["n"].value) > 100  # type: ignore[index,union-attr]
    result = validate(store)
    assert result.conforms, result.text[:2000]


def _die(*_: object) -> None:
    """A search index writer whose process ends at once, as one the OOM killer takes."""
    os._exit(9)


def test_a_search_index_worker_that_dies_fails_the_build_with_a_clear_error(
    built: Path, tmp_path: Path
) -> None:
    from kg.errors import KGError
    from kg.graph.vocab import Minter
    from kg.pipeline import _write_tables

    shutil.copy(built / "graph.nq", tmp_path / "graph.nq")
    with pytest.raises(KGError, match="the process writing the search index ended abruptly"):
        _write_tables(tmp_path, Minter(), workers=2, write_index=_die)
    assert (tmp_path / "papers.jsonl").read_bytes() == (built / "papers.jsonl").read_bytes()
