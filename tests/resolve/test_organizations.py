"""Organization resolution: identifiers first, then folded names, never two ids of a scheme."""

from __future__ import annotations

import doctest
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.records import Affiliation, Author, Paper, SourceRef
from kg.resolve import organizations
from kg.resolve.organizations import country_code, normalize_name, resolve_organizations


def _paper(line: int, *affiliations: Affiliation) -> Paper:
    """A paper whose one author gives ``affiliations``."""
    return Paper(
        source=SourceRef("l", line),
        title=f"paper {line}",
        authors=(Author.from_written("Ann Lee", affiliations=affiliations),),
    )


def _key(res: organizations.Organizations, line: int, index: int = 0) -> str | None:
    return res.of.get((f"l:{line}", 1, index))


def test_names_fold_case_accents_punctuation_the_and_abbreviations() -> None:
    same = [
        "University of Tübingen",
        "the university of tubingen",
        "Univ. of Tubingen",
        "UNIVERSITY OF TÜBINGEN ",
        "University-of-Tubingen",
    ]
    assert {normalize_name(n) for n in same} == {"university of tubingen"}
    assert normalize_name("Korea Advanced Institute of Science & Technology") == normalize_name(
        "Korea Advanced Institute of Science and Technology"
    )
    assert normalize_name("Google Inc.") == normalize_name("Google") == "google"
    assert normalize_name("Bell Labs") == normalize_name("Bell Laboratories")
    # no translation, no acronyms, departments stay
    assert normalize_name("Technische Universität München") != normalize_name(
        "Technical University of Munich"
    )
    assert normalize_name("UC Berkeley") != normalize_name("University of California, Berkeley")
    assert normalize_name("Inc") == "inc"  # a legal form alone is kept


def test_country_names_become_codes_and_unknown_ones_stay() -> None:
    assert [
        country_code(c)
        for c in ("United States", "us", " South Korea", "Türkiye", "Hong Kong", "Narnia")
    ] == ["US", "US", "KR", "TR", "HK", "Narnia"]


def test_same_id_and_same_folded_name_join() -> None:
    upenn = Affiliation(name="University of Pennsylvania", id="ror:00b30xv10", country="US")
    papers = [
        _paper(1, upenn),
        _paper(
            2,
            Affiliation(
                name="The Univ. of Pennsylvania", country="United States", domain="upenn.edu"
            ),
        ),
        _paper(3, Affiliation(name="Penn", id="ror:00b30xv10")),
        _paper(4, Affiliation(name="University of Pennsylvania", domain="UPenn.edu")),
    ]
    res = resolve_organizations(papers)
    assert {_key(res, i) for i in (1, 2, 3, 4)} == {"ror-00b30xv10"}
    org = res.by_key["ror-00b30xv10"]
    assert org.label == "University of Pennsylvania"  # the most used spelling
    assert org.ids == ("ror:00b30xv10",)
    assert (org.country, org.domain) == ("US", "upenn.edu")
    assert org.names == ("Penn", "The Univ. of Pennsylvania", "University of Pennsylvania")
    assert org.normalized == ("penn", "university of pennsylvania")
    assert org.evidence == ("same-id", "same-name")


def test_a_name_shared_by_two_ror_ids_joins_neither() -> None:
    papers = [
        _paper(1, Affiliation(name="Institute of Physics", id="ror:01aaaaa11")),
        _paper(2, Affiliation(name="Institute of Physics", id="ror:02bbbbb22")),
        _paper(3, Affiliation(name="Institute of Physics")),
        _paper(4, Affiliation(name="institute of physics")),
    ]
    res = resolve_organizations(papers)
    assert (_key(res, 1), _key(res, 2)) == ("ror-01aaaaa11", "ror-02bbbbb22")
    assert _key(res, 3) == _key(res, 4) == "institute-of-physics"
    assert len(res.by_key) == 3


def test_a_name_joins_a_ror_id_and_an_openalex_id_without_ror() -> None:
    papers = [
        _paper(1, Affiliation(name="Toyota Research Institute", id="ror:05cgtjz78")),
        _paper(2, Affiliation(name="Toyota Research Institute", id="openalex:I42")),
        _paper(3, Affiliation(name="TRI", id="openalex:I42")),
    ]
    res = resolve_organizations(papers)
    assert {_key(res, i) for i in (1, 2, 3)} == {"ror-05cgtjz78"}
    assert res.by_key["ror-05cgtjz78"].ids == ("openalex:I42", "ror:05cgtjz78")


def test_keys_labels_and_what_is_not_an_organization() -> None:
    papers = [
        _paper(
            1,
            Affiliation(name="MIT"),
            Affiliation(raw="Room 32-G, Cambridge"),
            Affiliation(id="openalex:I63966007"),
        ),
        _paper(2, Affiliation(name="mit"), Affiliation(name="M.I.T.")),
    ]
    res = resolve_organizations(papers)
    assert _key(res, 1, 0) == _key(res, 2, 0) == "mit"
    assert _key(res, 1, 1) is None  # written, but names no institution
    assert _key(res, 1, 2) == "openalex-i63966007"
    assert res.by_key["openalex-i63966007"].label == "openalex:I63966007"  # no name given
    assert _key(res, 2, 1) == "m-i-t"  # "M I T" is not "MIT": no guessing
    assert res.by_key["mit"].label == "MIT"  # a tie of two one-case spellings: the first


def test_docstring_examples() -> None:
    assert doctest.testmod(organizations).failed == 0


_NAMES = [
    "University of Oxford",
    "Univ. of Oxford",
    "Oxford University",
    "DeepMind",
    "Google DeepMind",
    "Google",
    "Google Inc.",
]
_IDS = [None, None, "ror:052gg0110", "ror:00971b260", "openalex:I1291425158"]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_IDS)), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_the_outcome_does_not_depend_on_the_order_of_the_papers(
    given_: list[tuple[str, str | None]], rng: random.Random
) -> None:
    papers = [
        _paper(i + 1, Affiliation(name=name, id=ident)) for i, (name, ident) in enumerate(given_)
    ]
    shuffled = papers[:]
    rng.shuffle(shuffled)
    first, second = resolve_organizations(papers), resolve_organizations(shuffled)
    assert first == second
    for org in first.by_key.values():  # never two ids of one scheme
        schemes = [i.split(":")[0] for i in org.ids]
        assert len(schemes) == len(set(schemes))
