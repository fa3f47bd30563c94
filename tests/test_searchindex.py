"""The search index: what it finds on the bundled build, how it ranks, hostile queries,
and that --add and --remove keep it in step with the store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kg import searchindex
from kg.builds import BuildOptions
from kg.errors import StoreError, UsageError
from kg.pipeline import build
from kg.searchindex import FILE, MAX_LIMIT, search
from kg.sources import SourceSpec

BASE = "https://w3id.org/kg/id/"


def top(built: Path, q: str, **kw: object) -> str:
    hits = search(built, q, **kw)  # type: ignore[arg-type]
    assert hits, q
    return hits[0].iri.removeprefix(BASE)


def test_a_paper_is_found_by_words_of_its_title(built: Path) -> None:
    hits = search(built, "gendice stationary values")
    assert hits[0].kind == "paper"
    assert hits[0].label == "GenDICE: Generalized Offline Estimation of Stationary Values"
    assert "Bo Dai" in hits[0].detail  # the authors, in order
    # the words in any order and case, the last one a prefix
    assert search(built, "STATIONARY gendice val")[0].iri == hits[0].iri


@pytest.mark.parametrize("q", ["Łukasz Kaiser", "Lukasz Kaiser", "lukasz kaiser", "łukasz"])
def test_a_person_is_found_with_or_without_accents(built: Path, q: str) -> None:
    assert top(built, q) == "person/lukasz-kaiser"


@pytest.mark.parametrize(
    ("q", "person"),
    [
        ("Emmanuel Müller", "person/emmanuel-muller"),
        ("Emmanuel Mueller", "person/emmanuel-muller"),  # a spelling a source used
        ("Vedaldi A.", "person/andrea-vedaldi"),  # a name as written in an author list
        ("Zico Kolter", "person/j-zico-kolter"),
        ("Pradeep Kumar Ravikumar", "person/pradeep-kumar-ravikumar"),
        ("kolt", "person/j-zico-kolter"),  # type-ahead: the last word is a prefix
    ],
)
def test_a_person_is_found_by_every_spelling(built: Path, q: str, person: str) -> None:
    assert top(built, q) == person


def test_a_person_hit_says_the_other_spellings(built: Path) -> None:
    hit = search(built, "Andrea Vedaldi")[0]
    assert hit.kind == "person"
    assert "A. Vedaldi" in hit.detail
    assert hit.detail.startswith("3 papers")


@pytest.mark.parametrize(
    ("q", "concept"),
    [
        ("GCN", "concept/graph-convolutional-network"),
        ("TTS", "concept/text-to-speech"),
        ("text to speech", "concept/text-to-speech"),
        ("optimal transport", "concept/optimal-transport"),
        ("OT", "concept/optimal-transport"),
    ],
)
def test_a_concept_is_found_by_any_label(built: Path, q: str, concept: str) -> None:
    assert top(built, q) == concept


def test_letters_and_digits_are_split_as_in_labels(built: Path) -> None:
    assert top(built, "cifar10") == "concept/cifar-10"
    assert top(built, "CIFAR-10") == "concept/cifar-10"


def test_an_exact_name_comes_first_then_bm25_raised_by_papers(built: Path) -> None:
    hits = search(built, "ICLR 2020")
    assert hits[0].kind == "venue"
    assert hits[0].detail == "687 papers"
    assert all(h.kind == "paper" for h in hits[1:])
    # several concepts share the words; the most used comes first
    hits = search(built, "graph neural", kinds=["concept"])
    assert hits[0].label == "graph neural networks"
    assert hits[0].score > hits[1].score


def test_kinds_and_limit(built: Path) -> None:
    people = search(built, "dai", kinds=["person"], limit=50)
    assert people and {h.kind for h in people} == {"person"}
    assert len(search(built, "learning", limit=5)) == 5
    assert len(search(built, "learning", limit=0)) == 1
    assert len(search(built, "learning", limit=10**9)) == MAX_LIMIT
    with pytest.raises(UsageError, match="unknown kind 'people'; choose from paper, person"):
        search(built, "dai", kinds=["people"])


def test_the_same_query_gives_the_same_answer(built: Path) -> None:
    assert search(built, "learning") == search(built, "learning")


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"""',
        "*",
        "-",
        "(((",
        "^",
        ":",
        "{title}:",
        "!!!   ???",
        "",
        "   ",
        "\x00",
        "\u200b\u200d",  # zero-width characters
    ],
)
def test_a_query_of_punctuation_finds_nothing(built: Path, q: str) -> None:
    assert search(built, q) == []


@pytest.mark.parametrize(
    "q",
    [
        "kolter OR koltun",  # not an operator: "or" is a word that must occur too
        "kolter NOT koltun",
        "NEAR(kolter koltun)",
        "title: kolter",
        "names : kolter AND kind:person",
        '"kolter',
        "kolter*",
        "kol\x00ter",
        "kind:paper",
        "{title names} : ^kolter",
        "body:kolter",
        "kolter' OR 1=1 --",
    ],
)
def test_fts5_syntax_in_a_query_means_nothing(built: Path, q: str) -> None:
    hits = search(built, q)  # never an error
    words = searchindex.terms(q)
    # the same hits as the words alone: no operator, column or quote changed the match
    assert hits == search(built, " ".join(words))
    if "or" in words or "not" in words:
        assert hits == []


def test_a_long_query_is_cut_not_refused(built: Path) -> None:
    started = time.perf_counter()
    assert search(built, "x" * 10_000) == []
    assert search(built, ("Zico Kolter " * 1000)[:10_000])[0].label == "J. Zico Kolter"
    assert search(built, "\x00" * 10_000 + "kolter") == []  # the words past the cut are dropped
    assert time.perf_counter() - started < 2


def test_a_build_without_an_index_says_how_to_make_one(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    with pytest.raises(StoreError, match=r"no search index .* `kg build --dir .*`"):
        search(tmp_path, "kolter")
    with pytest.raises(StoreError, match="no build here"):
        search(tmp_path / "missing", "kolter")
    (tmp_path / FILE).write_bytes(b"not an SQLite database, but a file of that name" * 100)
    with pytest.raises(StoreError, match="not a search index kg can read"):
        search(tmp_path, "kolter")


def _source(path: Path, titles: list[tuple[str, str]]) -> SourceSpec:
    lines = [json.dumps({"title": t, "authors": [a], "venue": "TestConf 2024"}) for t, a in titles]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return SourceSpec(path)


def test_add_and_remove_keep_the_index_in_step(tmp_path: Path) -> None:
    a = _source(tmp_path / "a.jsonl", [("Quokka Routing for Sparse Graphs", "Åsa Lindqvist")])
    b = _source(tmp_path / "b.jsonl", [("Wombat Attention Heads", "Ngozi Okafor")])
    out, full = tmp_path / "out", tmp_path / "full"
    build([a], out=out, options=BuildOptions(extract=False))
    assert [h.label for h in search(out, "quokka")] == ["Quokka Routing for Sparse Graphs"]
    assert search(out, "wombat") == []

    build(out=out, options=BuildOptions(extract=False), add=[b])
    assert [h.label for h in search(out, "wombat attention")] == ["Wombat Attention Heads"]
    assert top(out, "Ngozi") == "person/ngozi-okafor"
    assert top(out, "asa lindqvist") == "person/asa-lindqvist"
    assert search(out, "TestConf")[0].detail == "2 papers"
    build([a, b], out=full, options=BuildOptions(extract=False))
    assert (out / FILE).read_bytes() == (full / FILE).read_bytes()  # as a full build

    build(out=out, options=BuildOptions(extract=False), remove=["a.jsonl"])
    assert search(out, "quokka") == []
    assert search(out, "Lindqvist") == []
    assert search(out, "TestConf")[0].detail == "1 paper"
    assert [h.label for h in search(out, "wombat")] == ["Wombat Attention Heads"]


def test_the_index_is_written_again_whole(built: Path, tmp_path: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(built / "store"))
    info = searchindex.write(tmp_path / FILE, store)
    assert (tmp_path / FILE).read_bytes() == (built / FILE).read_bytes()
    assert info.rows["paper"] == 1212
    assert info.rows["person"] > 2800
    assert [p.name for p in tmp_path.iterdir()] == [FILE]  # no temporary file left


@pytest.mark.parametrize("fixture", ["built", "affiliated"])
def test_graph_nq_streamed_gives_the_index_of_the_store(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    out: Path = request.getfixturevalue(fixture)  # the affiliated build has organizations
    from_store = tmp_path / "store" / FILE
    searchindex.write(from_store, ox.Store.read_only(str(out / "store")))
    monkeypatch.setattr(searchindex, "write", None)  # no falling back to the whole index
    info = searchindex.write_nquads(tmp_path / FILE, out / "graph.nq", BASE)
    assert (tmp_path / FILE).read_bytes() == from_store.read_bytes()
    assert all(info.rows[k] for k in ("paper", "person", "concept", "venue"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE, "store"]  # no staging left


def test_the_streamed_pass_keeps_no_table_of_papers(built: Path) -> None:
    """Besides the staged documents (on disk), the stream holds the slots of at most a
    paper or two, and tables of people, concepts, venues and citations, none of them
    keyed by papers but the citation counts."""
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.executescript(searchindex._STAGE)
    stream = searchindex._Stream(db, BASE)
    take, open_groups = stream._take, []

    def spy(*args: object) -> None:
        take(*args)  # type: ignore[arg-type]
        open_groups.append(len(stream.groups))

    stream._take = spy  # type: ignore[method-assign]
    stream.read(built / "graph.nq")
    assert len(open_groups) > 10_000 and max(open_groups) <= 2 and not stream.groups
    tables = [stream.pref, stream.rdfs, stream.written, *stream.counts.values()]
    assert not [k for t in tables for k in t if k.startswith(BASE + "paper/")]
    assert len(stream.pref) < 10_000 and len(stream.written) < 5_000
    assert db.execute("SELECT count(*) FROM staged").fetchone()[0] > 9_000


def test_a_graph_nq_not_laid_out_as_a_build_writes_it_is_indexed_whole(
    built: Path, tmp_path: Path
) -> None:
    lines = (built / "graph.nq").read_bytes().splitlines(keepends=True)
    shuffled = tmp_path / "graph.nq"
    shuffled.write_bytes(b"".join(reversed(lines)))  # not sorted
    searchindex.write_nquads(tmp_path / FILE, shuffled, BASE)
    assert (tmp_path / FILE).read_bytes() == (built / FILE).read_bytes()


def _edge_cases(slot_elsewhere: bool) -> list[object]:
    """Quads on the edges of the streamed pass: paper keys that extend one another (so
    their lines interleave), slots claimed by no paper, a slot's two positions, a paper
    known by its abstract, a venue that is a paper, a venue with no label."""
    import pyoxigraph as ox

    from kg.graph import vocab as V

    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(BASE + local)

    g1, g2 = n("source/one"), n("source/two")
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: ox.NamedNode, o: object, g: ox.NamedNode = g1) -> None:
        quads.append(ox.Quad(s, p, o, g))  # type: ignore[arg-type]

    for key in ("k", "k0", "k-1", "k0/x", "kz"):  # k0/x: a paper under another (no slots)
        paper = n(f"paper/{key}")
        add(paper, V.TYPE, V.PAPER)
        add(paper, V.TITLE, ox.Literal(f"On {key}"))
        add(paper, V.VENUE_P, n("venue/v" if key != "kz" else "venue/nolabel"))
        add(paper, V.CITES, n("paper/k"))
        add(paper, V.CITES, n("paper/k"), g2)
        add(paper, V.AUTHOR_KEYWORD, n("concept/c"))
        if "/" in key:
            continue
        for i, person in enumerate(("ann", "bo", "cy", "di", "ann")):
            slot = n(f"paper/{key}/author/{i}")
            add(paper, V.HAS_AUTHORSHIP, slot)
            add(slot, V.AUTHOR, n(f"person/{person}"))
            add(slot, V.POSITION, ox.Literal(str(5 - i)))
            add(slot, V.POSITION, ox.Literal(str(10 + i)), g2)
            add(slot, V.NAME_AS_WRITTEN, ox.Literal(f"{person.upper()} {key}"))
            add(slot, V.AFFILIATION, n("organization/o" if i % 2 else "organization/p"))
        loose = n(f"paper/{key}/author/loose")  # no paper claims it
        add(loose, V.AFFILIATION, n("organization/o"))
        add(loose, V.AUTHOR, n("person/ann"))
    other = n("paper/abs")
    add(other, V.TYPE, V.PAPER)
    add(other, V.ABSTRACT, ox.Literal("A paper with no title " * 20))
    add(other, V.VENUE_P, n("paper/k"))  # a venue that is a paper
    add(other, V.AFFILIATION, n("organization/p"))
    slot = n("person/ann/slot") if slot_elsewhere else n("paper/abs/author/0")
    add(other, V.HAS_AUTHORSHIP, slot)
    add(slot, V.AUTHOR, n("person/bo"))
    add(n("paper/k"), V.LABEL, ox.Literal("K, by its label"))
    for person in ("ann", "bo", "cy", "di"):
        add(n(f"person/{person}"), V.TYPE, V.PERSON)
        add(n(f"person/{person}"), V.PREF_LABEL, ox.Literal(person.title()))
        add(n(f"person/{person}"), V.FOAF_NAME, ox.Literal(f"{person} (foaf)"))
    add(n("concept/c"), V.TYPE, V.CONCEPT)
    add(n("concept/c"), V.TYPE, V.METHOD)
    add(n("concept/c"), V.ALT_LABEL, ox.Literal("C"))
    for venue in ("v", "nolabel"):
        add(n(f"venue/{venue}"), V.TYPE, V.VENUE)
    add(n("venue/v"), V.LABEL, ox.Literal("Venue V 2024"))
    for org in ("o", "p"):
        add(n(f"organization/{org}"), V.TYPE, V.ORGANIZATION)
        add(n(f"organization/{org}"), V.PREF_LABEL, ox.Literal(f"Org {org}"))
        add(n(f"organization/{org}"), V.COUNTRY, ox.Literal("NZ"))
    return quads


@pytest.mark.parametrize("slot_elsewhere", [False, True])
def test_the_streamed_pass_on_the_edges(
    slot_elsewhere: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    quads = _edge_cases(slot_elsewhere)
    store = ox.Store()
    store.extend(quads)  # type: ignore[arg-type]
    searchindex.write(tmp_path / "whole.sqlite", store)
    lines = sorted({f"{q} .\n".encode() for q in quads})
    (tmp_path / "graph.nq").write_bytes(b"".join(lines))
    whole, fallen_back = searchindex.write, []

    def write(*args: object) -> object:
        fallen_back.append(args)
        return whole(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(searchindex, "write", write)
    searchindex.write_nquads(tmp_path / FILE, tmp_path / "graph.nq", BASE)
    # laid out as a build writes it, it is streamed; a slot not under its paper is not
    assert bool(fallen_back) == slot_elsewhere
    assert (tmp_path / FILE).read_bytes() == (tmp_path / "whole.sqlite").read_bytes()
    db = searchindex.open_index(tmp_path)
    details = dict(db.execute("SELECT iri, detail FROM docs").fetchall())
    db.close()
    assert details[BASE + "organization/o"].startswith("8 papers")  # 4 papers, 4 loose slots
    assert details[BASE + "paper/abs"].startswith("K, by its label")
