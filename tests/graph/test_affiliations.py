"""People's identifiers and their affiliations in the graph: what is said, where, about what."""

from __future__ import annotations

import json
from pathlib import Path

from kg.builds import BuildOptions
from kg.graph import vocab as V
from kg.pipeline import build
from kg.store import Store
from kg.text import slugify
from kg.validate import validate
from tests.conftest import affiliation_sources
from tests.scale.compare import assert_same_build

ID = V.DEFAULT_BASE
ANN = f"<{ID}person/ann-lee>"
UPENN = f"{ID}organization/ror-00b30xv10"


def _rows(built: Path, sparql: str) -> list[tuple[str, ...]]:
    result = Store.open(built).query(sparql)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return sorted(
        tuple(s[n].value if s[n] is not None else "" for n in names)  # type: ignore[index]
        for s in result
    )


def test_a_persons_identifiers_are_in_the_graphs_of_the_sources_giving_them(
    affiliated: Path,
) -> None:
    rows = _rows(
        affiliated,
        f"""SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {ANN} ?p ?o }}
        FILTER(?p NOT IN (rdf:type, foaf:name)) }}""",
    )
    corl22, corl23, openalex = (f"{ID}source/{slugify(s.path.name)}" for s in affiliation_sources())
    orcid = "https://orcid.org/0000-0002-1825-0097"
    assert rows == sorted(
        [
            (corl22, V.ORCID.value, "0000-0002-1825-0097"),
            (corl22, V.SAME_AS.value, orcid),
            (corl22, V.SCHEMA_SAME_AS.value, orcid),
            (corl22, V.DBLP_ID.value, "129/2382"),
            (corl22, V.OPENREVIEW_PROFILE.value, "~Ann_Lee1"),
            (corl23, V.ORCID.value, "0000-0002-1825-0097"),
            (corl23, V.SAME_AS.value, orcid),
            (corl23, V.SCHEMA_SAME_AS.value, orcid),
            (corl23, V.OPENREVIEW_PROFILE.value, "~Ann_Lee1"),
            (openalex, V.ORCID.value, "0000-0002-1825-0097"),
            (openalex, V.SAME_AS.value, orcid),
            (openalex, V.SCHEMA_SAME_AS.value, orcid),
            (openalex, V.OPENALEX_ID.value, "A5000000001"),
            (f"{ID}graph/resolution", V.PREF_LABEL.value, "Ann Lee"),
            (f"{ID}graph/resolution", V.NORMALIZED_NAME.value, "ann lee"),
        ]
    )


def test_affiliations_are_on_the_authorship_with_the_string_as_written(affiliated: Path) -> None:
    rows = _rows(
        affiliated,
        f"""SELECT ?year ?org ?written WHERE {{
        ?paper kg:hasAuthorship ?slot ; kg:year ?year . ?slot kg:author {ANN} .
        OPTIONAL {{ ?slot kg:affiliation ?org }}
        OPTIONAL {{ ?slot kg:affiliationAsWritten ?written }}
    }}""",
    )
    google = f"{ID}organization/google"
    assert rows == sorted(
        [
            ("2022", UPENN, "University of Pennsylvania"),
            ("2022", UPENN, "School of Engineering, University of Pennsylvania"),
            # one slot, two institutions: each is the slot's, with both strings
            ("2023", UPENN, "Google Research"),
            ("2023", UPENN, "University of Pennsylvania"),
            ("2023", google, "Google Research"),
            ("2023", google, "University of Pennsylvania"),
            ("2024", UPENN, "GRASP Lab, University of Pennsylvania, Philadelphia"),
        ]
    )
    assert _rows(affiliated, f"SELECT ?o WHERE {{ {ANN} kg:affiliation ?o }}") == []


def test_organizations_have_a_label_ids_country_and_domain(affiliated: Path) -> None:
    rows = _rows(
        affiliated,
        f"""SELECT ?p ?o WHERE {{ <{UPENN}> ?p ?o
        FILTER(?p != kg:normalizedName) }}""",
    )
    assert rows == sorted(
        [
            (V.TYPE.value, V.ORGANIZATION.value),
            (V.PREF_LABEL.value, "University of Pennsylvania"),
            (V.ALT_LABEL.value, "University of Pennsylvania"),
            (V.ALT_LABEL.value, "The Univ. of Pennsylvania"),
            (V.ROR.value, "00b30xv10"),
            (V.SAME_AS.value, "https://ror.org/00b30xv10"),
            (V.SCHEMA_SAME_AS.value, "https://ror.org/00b30xv10"),
            (V.COUNTRY.value, "US"),
            (V.DOMAIN.value, "upenn.edu"),
        ]
    )
    labels = _rows(
        affiliated,
        """SELECT ?org ?label ?country WHERE {
        ?org a kg:Organization ; skos:prefLabel ?label OPTIONAL { ?org kg:country ?country } }""",
    )
    assert [(o.rsplit("/", 1)[1], label, c) for o, label, c in labels] == [
        ("google", "Google", "US"),
        ("google-deepmind", "Google DeepMind", "GB"),
        ("nvidia", "NVIDIA", "US"),
        ("openalex-i4210090411", "Toyota Research Institute", "US"),
        ("ror-00b30xv10", "University of Pennsylvania", "US"),
    ]


def test_profile_fields_in_another_order_reach_their_authors(affiliated: Path) -> None:
    rows = _rows(
        affiliated,
        """SELECT ?name ?dblp ?org WHERE {
        ?paper kg:openreviewId "corlD23" ; kg:hasAuthorship ?slot .
        ?slot kg:author ?person ; kg:affiliation/skos:prefLabel ?org .
        ?person skos:prefLabel ?name ; kg:dblpId ?dblp }""",
    )
    assert rows == [
        ("Bo Chen", "56/78", "Google"),
        ("Dee Ek", "12/34", "University of Pennsylvania"),
    ]


def test_the_report_counts_organizations_and_lists_merged_spellings(affiliated: Path) -> None:
    report = json.loads((affiliated / "build-report.json").read_text(encoding="utf-8"))
    assert report["totals"]["organizations"] == 5
    assert report["organizations_merged"] == [
        {
            "organization": "ror-00b30xv10",
            "names": ["The Univ. of Pennsylvania", "University of Pennsylvania"],
            "ids": ["ror:00b30xv10"],
            "evidence": ["same-name"],
        }
    ]


def test_the_graph_conforms_to_the_shapes(affiliated: Path) -> None:
    result = validate(Store.open(affiliated))
    assert result.conforms, result.text


def test_builds_are_byte_identical_and_the_order_of_sources_does_not_matter(
    affiliated: Path, tmp_path: Path
) -> None:
    build(affiliation_sources(), out=tmp_path / "again", options=BuildOptions(extract=False))
    assert_same_build(tmp_path / "again", affiliated)
    build(
        list(reversed(affiliation_sources())),
        out=tmp_path / "reversed",
        options=BuildOptions(extract=False),
    )
    assert (tmp_path / "reversed" / "graph.nq").read_bytes() == (
        affiliated / "graph.nq"
    ).read_bytes()
