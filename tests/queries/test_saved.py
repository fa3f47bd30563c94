"""Saved queries: every one runs on the bundled build, and parameters cannot change a query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg import queries
from kg.errors import UsageError
from kg.graph import vocab as V
from kg.store import Store

# one call per saved query, with the parameters it needs; a new query must be added here
CALLS: dict[str, dict[str, str]] = {
    "coauthors": {"person": "Zico Kolter"},
    "papers-of": {"person": "J. Zico Kolter"},
    "top-concepts": {"kind": "concept", "limit": "5"},
    "proposers": {"method": "reinforcement learning"},
    "neighborhood": {"concept": "reinforcement learning", "limit": "10"},
    "cited": {},
    "orals": {"venue": "ICLR 2020"},
    "prolific": {"limit": "3"},
}
# the queries about affiliations run on a build whose sources give them (tests/conftest)
AFFILIATION_CALLS: dict[str, dict[str, str]] = {
    "affiliations": {"person": "Ann Lee"},
    "members": {"organization": "University of Pennsylvania"},
}


def _rows(built: Path, name: str, params: dict[str, str]) -> list[dict[str, Any]]:
    result = queries.run(Store.open(built), name, params)
    return [
        {v.value: (s[v.value].value if s[v.value] is not None else None) for v in result.variables}
        for s in result
    ]


def test_every_saved_query_is_tested() -> None:
    assert sorted({**CALLS, **AFFILIATION_CALLS}) == sorted(queries.registry())


@pytest.mark.parametrize("name", sorted(queries.registry()))
def test_every_saved_query_runs_and_answers(request: pytest.FixtureRequest, name: str) -> None:
    calls, build = (
        (AFFILIATION_CALLS, "affiliated") if name in AFFILIATION_CALLS else (CALLS, "built")
    )
    rows = _rows(request.getfixturevalue(build), name, calls[name])
    assert rows, f"{name} answers nothing on the {build} build"
    assert all(any(v is not None for v in r.values()) for r in rows)


@pytest.mark.parametrize("name", sorted(queries.registry()))
def test_every_saved_query_is_described(name: str) -> None:
    query = queries.get(name)
    assert len(query.description) > 15
    assert all(p.help for p in query.params)


def test_coauthors_of_a_person_found_by_another_spelling(built: Path) -> None:
    rows = _rows(built, "coauthors", {"person": "J Zico Kolter"})
    counts = {r["name"]: int(r["papers"]) for r in rows}
    assert counts["Eric Wong"] == 2
    assert counts["Priya L. Donti"] == 2
    assert "Zico Kolter" not in counts and "J. Zico Kolter" not in counts


def test_papers_of_gives_positions(built: Path) -> None:
    rows = _rows(built, "papers-of", CALLS["papers-of"])
    assert len(rows) == len({r["paper"] for r in rows}) >= 3
    assert all(int(r["position"]) >= 1 for r in rows)


def test_orals_of_iclr_2020_are_the_48(built: Path) -> None:
    rows = _rows(built, "orals", CALLS["orals"])
    assert len(rows) == 48
    assert len({r["paper"] for r in rows}) == 48


def test_prolific_and_top_concepts_respect_the_limit(built: Path) -> None:
    prolific = _rows(built, "prolific", CALLS["prolific"])
    assert prolific[0]["name"] == "Sergey Levine"
    assert len(prolific) == 3
    assert len(_rows(built, "top-concepts", CALLS["top-concepts"])) == 5


def test_cited_lists_each_citation_with_its_paragraph(built: Path) -> None:
    rows = _rows(built, "cited", {})
    assert len(rows) == 171
    assert sum(1 for r in rows if r["paper"]) == 170
    assert all(r["paragraph"] for r in rows)


def test_neighborhood_lists_co_occurring_concepts(built: Path) -> None:
    rows = _rows(built, "neighborhood", CALLS["neighborhood"])
    assert rows and all(r["label"].lower() != "reinforcement learning" for r in rows)
    counts = [int(r["papers"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


# every link from a paper to a concept that the aggregates count
CONCEPT_LINKS = {
    str(t.value)
    for t in (
        V.AUTHOR_KEYWORD,
        V.CLASSIFIED_AS,
        V.SUBJECT,
        V.PROPOSES_METHOD,
        V.USES_METHOD,
        V.USES_DATASET,
        V.ADDRESSES_TASK,
    )
}


def _concept_papers(store: Store) -> dict[str, set[str]]:
    """Concept IRI -> its papers, counted in Python from the plain triples."""
    out: dict[str, set[str]] = {}
    for row in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
        if row["p"].value in CONCEPT_LINKS:
            out.setdefault(row["o"].value, set()).add(row["s"].value)
    return out


def _ranked(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        (c, labels[c], str(n))
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
    ]


def test_aggregates_equal_a_count_made_from_the_triples(built: Path) -> None:
    """top-concepts (the kg:paperCount the build writes) and neighborhood (a count in the
    query) count each paper once per concept, over every link, as a plain count of the
    triples does."""
    store = Store.open(built)
    papers = _concept_papers(store)
    labels = {
        r["c"].value: r["l"].value
        for r in store.query("SELECT ?c ?l WHERE { ?c skos:prefLabel ?l }")
    }
    kinds: dict[str, set[str]] = {}
    for r in store.query("SELECT ?c ?k WHERE { ?c a ?k }"):
        kinds.setdefault(r["c"].value, set()).add(r["k"].value)
    # the case DISTINCT is for: one paper linked to one concept by two links
    twice = store.query(
        "ASK { ?p ?a ?c . ?p ?b ?c . FILTER(?a != ?b) "
        "FILTER(?a IN (dcterms:subject, kg:usesMethod, kg:proposesMethod, kg:addressesTask)) "
        "FILTER(?b IN (dcterms:subject, kg:usesMethod, kg:proposesMethod, kg:addressesTask)) }"
    )
    assert bool(twice)
    for kind, iri in queries.KINDS.items():
        counts = {c: len(ps) for c, ps in papers.items() if str(iri.value) in kinds.get(c, ())}
        assert counts, kind
        rows = _rows(built, "top-concepts", {"kind": kind, "limit": "100000"})
        assert [(r["concept"], r["label"], r["papers"]) for r in rows] == _ranked(counts, labels)
    top = sorted(papers, key=lambda c: (-len(papers[c]), c))[:3]
    for concept in top:
        together: dict[str, int] = {}
        for other, ps in papers.items():
            if other != concept and other in labels and (n := len(ps & papers[concept])):
                together[other] = n
        rows = _rows(built, "neighborhood", {"concept": concept, "limit": "100000"})
        assert [(r["other"], r["label"], r["papers"]) for r in rows] == _ranked(together, labels)


UPENN = "https://w3id.org/kg/id/organization/ror-00b30xv10"
GOOGLE = "https://w3id.org/kg/id/organization/google"


def test_affiliations_give_a_persons_institutions_year_by_year(affiliated: Path) -> None:
    rows = _rows(affiliated, "affiliations", AFFILIATION_CALLS["affiliations"])
    assert {r["person"] for r in rows} == {"https://w3id.org/kg/id/person/ann-lee"}
    assert [(r["year"], r["name"], r["papers"]) for r in rows] == [
        ("2022", "University of Pennsylvania", "2"),
        ("2023", "Google", "1"),
        ("2023", "University of Pennsylvania", "1"),
        ("2024", "University of Pennsylvania", "1"),
    ]
    # the same person by ORCID, in any spelling
    for orcid in ("0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097"):
        assert _rows(affiliated, "affiliations", {"person": orcid}) == rows


def test_members_give_the_people_and_papers_of_an_organization(affiliated: Path) -> None:
    rows = _rows(affiliated, "members", AFFILIATION_CALLS["members"])
    assert [(r["name"], r["title"], r["year"]) for r in rows] == [
        ("Ann Lee", "Robots That Learn From Cups", "2024"),
        ("Ann Lee", "Folding Towels", "2023"),
        ("Ann Lee", "Grasping Cups", "2022"),
        ("Ann Lee", "Walking Robots", "2022"),
        ("Dee Ek", "Pouring Water", "2023"),
    ]
    for spelling in (
        "the univ. of pennsylvania",
        "ror:00b30xv10",
        "https://ror.org/00b30xv10",
        "00b30xv10",
        UPENN,
    ):
        assert _rows(affiliated, "members", {"organization": spelling}) == rows
    google = _rows(affiliated, "members", {"organization": "Google Inc."})
    assert sorted({r["name"] for r in google}) == ["Ann Lee", "Bo Chen"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"organization": "Googel"},
            "no organization 'Googel' in the graph; did you mean: Google?",
        ),
        ({"organization": "ror:03cve4549"}, "no organization with the id 03cve4549"),
        ({"organization": "ror:00b30xv11"}, "not a valid ROR id"),  # check digits fail
        ({"organization": "https://ror.org/not-a-ror"}, "not a valid ROR id"),
        ({"organization": 'x" } ; DELETE WHERE { ?s ?p ?o } #'}, "no organization"),
    ],
)
def test_organization_parameters_say_what_is_wrong(
    affiliated: Path, params: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as err:
        queries.run(Store.open(affiliated), "members", params)
    assert message in str(err.value)
    with pytest.raises(UsageError, match="not a valid ORCID id"):
        queries.run(
            Store.open(affiliated),
            "affiliations",
            {"person": "https://orcid.org/0000-0002-1825-0098"},
        )


METHODS = Path(__file__).parent.parent / "data" / "methods.ttl"
METHOD_CALLS = {
    "proposers": {"method": "Amorpheus"},
    "top-concepts": {"kind": "method", "limit": "5"},
}


def methods_store() -> Store:
    """A store holding the small hand-written graph with methods."""
    import pyoxigraph as ox

    return Store.in_memory(ox.parse(METHODS.read_bytes(), format=ox.RdfFormat.TURTLE))


def test_proposers_lists_who_proposes_and_who_uses_a_method() -> None:
    result = queries.run(methods_store(), "proposers", METHOD_CALLS["proposers"])
    rows = sorted((s["role"].value, s["title"].value) for s in result)  # type: ignore[index]
    assert rows == [("proposes", "My Body is a Cage"), ("uses", "Transformers for Control")]
    top = queries.run(methods_store(), "top-concepts", METHOD_CALLS["top-concepts"])
    assert [(s["label"].value, int(s["papers"].value)) for s in top] == [  # type: ignore[index]
        ("transformer", 3),
        ("Amorpheus", 2),
    ]


def test_proposers_on_the_bundled_build_finds_the_extracted_method(built: Path) -> None:
    rows = _rows(built, "proposers", {"method": "Amorpheus"})
    assert [(r["role"], r["title"][:18]) for r in rows] == [("proposes", "My Body is a Cage:")]
    used = _rows(built, "proposers", {"method": "LSTMs"})  # found by another spelling
    assert len(used) >= 10 and {r["role"] for r in used} == {"uses"}


@pytest.mark.parametrize(
    "value",
    ['x" } ; DELETE WHERE { ?s ?p ?o } #', "a}\n} SELECT * WHERE {?s ?p ?o", "#", "'\\\"{}"],
)
def test_hostile_values_cannot_change_the_query(built: Path, value: str) -> None:
    with pytest.raises(UsageError, match=r"no person .* in the graph"):
        queries.run(Store.open(built), "coauthors", {"person": value})
    text = queries.with_values(
        "SELECT ?x WHERE { ?x ?p ?o }", {"x": __import__("pyoxigraph").Literal(value)}
    )
    # the value stays one literal: the query parses and has exactly its own pattern
    rows = list(Store.open(built).query(text))
    assert rows == []


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("coauthors", {}, "coauthors needs --param person="),
        ("coauthors", {"person": "Zico Kolterr"}, "did you mean: J. Zico Kolter?"),
        ("coauthors", {"who": "x"}, "has no parameter 'who' (parameters: person)"),
        ("top-concepts", {"kind": "gene"}, "must be one of concept, method, dataset, task"),
        ("top-concepts", {"limit": "0"}, "whole number from 1 to"),
        ("orals", {"venue": "https://example.org/none"}, "no venue <https://example.org/none>"),
        ("nope", {}, "unknown saved query 'nope'; choose one of: affiliations, cited"),
    ],
)
def test_bad_parameters_say_what_is_wrong(
    built: Path, name: str, params: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as err:
        queries.run(Store.open(built), name, params)
    assert message in str(err.value)
