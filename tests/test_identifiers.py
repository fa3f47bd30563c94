"""One normaliser per identifier scheme: round trips, spellings, junk, check digits, and the
same identifier written each reader's way giving one key."""

from __future__ import annotations

import doctest
import json
import re
import string
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kg import identifiers
from kg.identifiers import SCHEMES, normalize, organization_id, paper_ids
from kg.records import Citation, Ids, Item, Paper
from kg.resolve.paperlinks import Ranked, resolve_papers
from kg.sources import get
from kg.sources.files import from_text

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

#: What the canonical form of each scheme looks like.
CANONICAL = {
    "doi": re.compile(r"10\.\d+(?:\.\d+)*/\S+"),
    "arxiv": re.compile(r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?/\d{7}"),
    "openreview_forum": re.compile(r"[A-Za-z0-9_-]+"),
    "openreview": re.compile(r"~\S+\d"),
    "orcid": re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]"),
    "openalex": re.compile(r"A\d+"),
    "openalex_institution": re.compile(r"I\d+"),
    "dblp": re.compile(r"[a-z0-9]+/[A-Za-z0-9_-]+"),
    "s2": re.compile(r"\d+"),
    "ror": re.compile(r"0[a-z0-9]{6}\d\d"),
    "email": re.compile(r"[^\s@]+@[^\sA-Z@]+"),
}


def test_every_scheme_has_a_canonical_shape_here() -> None:
    assert set(CANONICAL) == set(SCHEMES)


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(identifiers).failed == 0


# -- valid identifiers of every scheme, in canonical form -------------------------------------


def _orcid_check(digits: str) -> str:
    total = 0
    for char in digits:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


@st.composite
def orcids(draw: st.DrawFn) -> str:
    digits = draw(_digits(15, 15))
    full = digits + _orcid_check(digits)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


def _ror_check(chars: str) -> str:
    number = 0
    for char in chars:
        number = number * 32 + CROCKFORD.index(char)
    return f"{98 - number * 100 % 97:02d}"


@st.composite
def rors(draw: st.DrawFn) -> str:
    chars = draw(st.text(CROCKFORD, min_size=6, max_size=6))
    return f"0{chars}{_ror_check(chars)}"


DIGITS = string.digits
LOWER = string.ascii_lowercase
LETTERS = string.ascii_letters


def _digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=low, max_size=high)


@st.composite
def dois(draw: st.DrawFn) -> str:
    registrant = draw(_digits(4, 9)) + draw(st.sampled_from(["", ".1", ".22"]))
    middle = draw(st.text(LOWER + DIGITS + "._;()/:<>-", max_size=30))
    end = draw(st.sampled_from(LOWER + DIGITS + ")"))
    return f"10.{registrant}/{draw(st.sampled_from(LOWER + DIGITS))}{middle}{end}"


@st.composite
def new_arxivs(draw: st.DrawFn) -> str:
    yy = draw(st.integers(7, 29))
    mm = draw(st.integers(4 if yy == 7 else 1, 12))
    digits = 5 if yy * 100 + mm >= 1501 else 4
    number = draw(_digits(digits, digits))
    return f"{yy:02d}{mm:02d}.{number}"


@st.composite
def old_arxivs(draw: st.DrawFn) -> str:
    archive = draw(
        st.sampled_from(
            [
                "hep-th",
                "hep-ph",
                "math",
                "cs",
                "astro-ph",
                "cond-mat",
                "quant-ph",
                "gr-qc",
                "nlin",
                "physics",
                "q-bio",
            ]
        )
    )
    yy = draw(st.sampled_from([*range(91, 100), *range(0, 8)]))
    mm = draw(st.integers(1, 12))
    number = draw(st.integers(1, 999))
    return f"{archive}/{yy:02d}{mm:02d}{number:03d}"


NAME = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(string.ascii_uppercase),
    st.text(LOWER, min_size=1, max_size=8),
)

VALID: dict[str, st.SearchStrategy[str]] = {
    "doi": dois(),
    "arxiv": st.one_of(new_arxivs(), old_arxivs()),
    "openreview_forum": st.text(LETTERS + DIGITS + "_-", min_size=1, max_size=20),
    "openreview": st.builds(lambda a, b, n: f"~{a}_{b}{n}", NAME, NAME, st.integers(1, 99)),
    "orcid": orcids(),
    "openalex": st.builds(lambda n: f"A{n}", _digits(4, 12)),
    "openalex_institution": st.builds(lambda n: f"I{n}", _digits(4, 12)),
    "dblp": st.one_of(
        st.builds(lambda a, b: f"{a}/{b}", st.integers(0, 999), st.integers(0, 99999)),
        st.builds(lambda a, b: f"{a}/{b}", st.sampled_from(LOWER), NAME),
    ),
    "s2": st.builds(str, st.integers(1, 10**12 - 1)),
    "ror": rors(),
    "email": st.builds(
        lambda u, d: f"{u}@{d}.org",
        st.text(LOWER + DIGITS + ".", min_size=1, max_size=8),
        st.text(LOWER, min_size=2, max_size=10),
    ),
}


def test_every_scheme_has_a_strategy_here() -> None:
    assert set(VALID) == set(SCHEMES)


@st.composite
def scheme_and_id(draw: st.DrawFn) -> tuple[str, str]:
    scheme = draw(st.sampled_from(SCHEMES))
    return scheme, draw(VALID[scheme])


@given(scheme_and_id())
def test_a_canonical_id_is_its_own_key(pair: tuple[str, str]) -> None:
    scheme, value = pair
    assert normalize(scheme, value) == value
    assert CANONICAL[scheme].fullmatch(value)


@given(st.sampled_from(SCHEMES), st.text(max_size=60))
def test_any_text_gives_none_or_a_canonical_key_that_normalises_to_itself(
    scheme: str, text: str
) -> None:
    key = normalize(scheme, text)
    assert key is None or (CANONICAL[scheme].fullmatch(key) and normalize(scheme, key) == key)


@given(
    scheme_and_id(),
    st.sampled_from(["", " ", "\t", "\n ", "  "]),
    st.sampled_from(["", " ", "\n", " \t"]),
)
def test_surrounding_white_space_is_no_part_of_an_id(
    pair: tuple[str, str], before: str, after: str
) -> None:
    scheme, value = pair
    assert normalize(scheme, before + value + after) == value


# -- every spelling of one id gives one key ----------------------------------------------------


def _case_variants(value: str) -> list[str]:
    return [value.upper(), value.lower(), value.swapcase()]


SPELLINGS: dict[str, Callable[[str], list[str]]] = {
    "doi": lambda v: [
        f"doi:{v}",
        f"DOI: {v}",
        f"doi {v}",
        f"https://doi.org/{v}",
        f"http://dx.doi.org/{v}",
        f"doi.org/{v}",
        f"https://www.doi.org/{v}",
        f"info:doi/{v}",
        f"urn:doi:{v}",
        f"{v}.",
        f"{v};",
        *_case_variants(v),
        f"https://doi.org/{v.upper()}",
    ],
    "arxiv": lambda v: [
        f"arXiv:{v}",
        f"arxiv: {v}",
        f"{v}v2",
        f"arXiv:{v}v12 [cs.LG]",
        f"https://arxiv.org/abs/{v}",
        f"http://arxiv.org/abs/{v}v3",
        f"https://arxiv.org/pdf/{v}",
        f"https://arxiv.org/pdf/{v}v1.pdf",
        f"https://www.arxiv.org/abs/{v}?context=cs",
        f"arxiv.org/abs/{v}/",
        f"https://export.arxiv.org/abs/{v}",
        f"ARXIV:{v.upper()}",
    ],
    "openreview_forum": lambda v: [
        f"https://openreview.net/forum?id={v}",
        f"https://openreview.net/pdf?id={v}",
        f"http://www.openreview.net/forum?id={v}&noteId=Xy1",
        f"https://openreview.net/forum?noteId=Xy1&id={v}",
        f"openreview.net/forum?id={v}#discussion",
    ],
    "openreview": lambda v: [
        f"https://openreview.net/profile?id={v}",
        f"https://openreview.net/profile?id=%7E{v[1:]}",
        f"openreview.net/profile?id={v}",
    ],
    "orcid": lambda v: [
        f"https://orcid.org/{v}",
        f"http://orcid.org/{v}",
        f"orcid.org/{v}",
        f"orcid:{v}",
        v.replace("-", ""),
        v.replace("-", " "),
        v.lower(),
        f"https://www.orcid.org/{v}",
    ],
    "openalex": lambda v: [
        f"https://openalex.org/{v}",
        f"https://openalex.org/authors/{v}",
        f"https://api.openalex.org/authors/{v}",
        v.lower(),
    ],
    "openalex_institution": lambda v: [
        f"https://openalex.org/{v}",
        v.lower(),
        f"https://openalex.org/institutions/{v}",
    ],
    "dblp": lambda v: [
        f"https://dblp.org/pid/{v}.html",
        f"https://dblp.org/pid/{v}",
        f"http://dblp.uni-trier.de/pid/{v}.html",
    ],
    "s2": lambda v: [
        f"https://www.semanticscholar.org/author/{v}",
        f"https://www.semanticscholar.org/author/Ann-Lee/{v}",
    ],
    "ror": lambda v: [
        f"https://ror.org/{v}",
        f"http://ror.org/{v}",
        f"ror.org/{v}",
        f"ror:{v}",
        v.upper(),
        f"https://ror.org/{v.upper()}",
    ],
    "email": lambda v: [f"mailto:{v}", v.split("@")[0] + "@" + v.split("@")[1].upper()],
}


def test_every_scheme_has_spellings_here() -> None:
    assert set(SPELLINGS) == set(SCHEMES)


@given(scheme_and_id())
def test_every_spelling_of_one_id_gives_one_key(pair: tuple[str, str]) -> None:
    scheme, value = pair
    for spelling in SPELLINGS[scheme](value):
        assert normalize(scheme, spelling) == value, spelling


def test_known_spellings() -> None:
    assert normalize("arxiv", "math.GT/0309136v1") == "math/0309136"  # subject class dropped
    assert normalize("arxiv", "https://arxiv.org/abs/hep-th/9901001v2") == "hep-th/9901001"
    assert normalize("doi", "https://doi.org/10.1002/%28SICI%291097") == "10.1002/(sici)1097"
    assert normalize("openalex", "I136199984") is None  # an institution is not a person
    assert normalize("openalex_institution", "A5023888391") is None
    assert organization_id(ror="05x2bcf34", openalex="https://openalex.org/I136199984") == (
        "openalex:I136199984"
    )  # the ROR id's check digits fail: the OpenAlex id is used
    assert paper_ids(
        openreview="https://openreview.net/forum?id=B1x", arxiv="x", doi="doi:10.1/A"
    ) == Ids(openreview="B1x", doi="10.1/a")


@pytest.mark.parametrize(
    "value",
    ["05x2bcf33", "03cve4549", "042nb2s44", "00f54p054", "01an7q238", "00njsd438", "00b30xv10"],
)
def test_real_ror_ids_pass_their_check_digits(value: str) -> None:
    assert normalize("ror", f"https://ror.org/{value}") == value


# -- junk ----------------------------------------------------------------------------------------

JUNK = [
    "",
    " ",
    "-",
    "n/a",
    "N/A",
    "none",
    "null",
    "TBD",
    "?",
    "~",
    "@",
    "10.",
    "10.1000",
    "10.1000/",
    "doi:",
    "arXiv:",
    "arXiv:2101",
    "2101.0001",
    "2113.00001",
    "0612.0001",
    "hep-th/990100",
    "https://example.org/forum?id=abc",
    "https://openreview.net/group?id=x",
    "https://openreview.net/forum",
    "https://orcid.org/",
    "0000-0002-1825-009",
    "https://ror.org/",
    "05x2bcf3",
    "ror:5x2bcf33",
    "A12",
    "I12",
    "mailto:",
    "a@b",
    "\x00",
    "\u200b",
    "a b c",
    "<https://doi.org/>",
    "{}",
    "[]",
]


#: A bare word is a well-formed forum id: only its shape can be checked.
_WORD = re.compile(r"[A-Za-z0-9_-]+")


@pytest.mark.parametrize(
    ("scheme", "junk"),
    [
        (scheme, junk)
        for scheme in SCHEMES
        for junk in JUNK
        if not (scheme == "openreview_forum" and _WORD.fullmatch(junk.strip()))
    ],
)
def test_junk_gives_none(scheme: str, junk: str) -> None:
    assert normalize(scheme, junk) is None


@given(
    st.sampled_from([s for s in SCHEMES if s not in ("openreview_forum", "dblp", "email")]),
    st.text(max_size=40).filter(lambda t: not re.search(r"\d", t)),
)
def test_text_without_digits_is_no_id_of_a_scheme_that_has_digits(scheme: str, text: str) -> None:
    assert normalize(scheme, text) is None


@given(st.text(max_size=40).filter(lambda t: "openreview.net" not in t.lower()))
def test_a_forum_id_holds_only_letters_digits_dashes_and_underscores(text: str) -> None:
    assume(re.search(r"[^A-Za-z0-9_-]", text.strip()) or not text.strip())
    assert normalize("openreview_forum", text) is None


@given(st.text(max_size=40).filter(lambda t: "@" not in t))
def test_an_email_has_an_at_sign(text: str) -> None:
    assert normalize("email", text) is None


@given(st.text(max_size=40).filter(lambda t: "/" not in t))
def test_a_dblp_id_has_a_slash(text: str) -> None:
    assert normalize("dblp", text) is None


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="scheme 'isbn'; known: arxiv, dblp, doi, email"):
        normalize("isbn", "x")
    with pytest.raises(ValueError, match="known: ror, openalex"):
        organization_id(grid="grid.1.1")


# -- check digits reject every one-character change --------------------------------------------


@given(orcids(), st.integers(0, 15), st.sampled_from("0123456789X"))
def test_orcid_check_digit_rejects_one_changed_character(
    value: str, position: int, new: str
) -> None:
    digits = value.replace("-", "")
    assume(digits[position] != new and (new != "X" or position == 15))
    changed = digits[:position] + new + digits[position + 1 :]
    assert normalize("orcid", changed) is None


@given(rors(), st.integers(1, 8), st.sampled_from(CROCKFORD))
def test_ror_check_digits_reject_one_changed_character(value: str, position: int, new: str) -> None:
    assume(value[position] != new and (position < 7 or new in string.digits))
    changed = value[:position] + new + value[position + 1 :]
    assert normalize("ror", changed) is None


# -- one identifier, every reader's way, one key -----------------------------------------------


def _read(fmt: str, text: str, name: str = "x.txt") -> list[Item]:
    return list(get(fmt).read(from_text(text, name)))


def _ids(fmt: str, text: str) -> Ids:
    (found,) = [i for i in _read(fmt, text) if isinstance(i, (Paper, Citation))]
    return found.ids


def _bibtex(**fields: str) -> str:
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items())
    return f"@article{{k1,\n  title = {{A Study of Cups}},\n  author = {{Lee, Ann}},\n{body}}}\n"


def _jsonl(**fields: object) -> str:
    return json.dumps({"title": "A Study of Cups", "authors": ["Ann Lee"], **fields}) + "\n"


def _csv(**fields: str) -> str:
    return (
        "title,authors,"
        + ",".join(fields)
        + "\nA Study of Cups,Ann Lee,"
        + ",".join(fields.values())
        + "\n"
    )


def _openalex(**fields: object) -> str:
    return json.dumps(
        {
            "id": "https://openalex.org/W1",
            "title": "A Study of Cups",
            "publication_year": 2020,
            "authorships": [],
            **fields,
        }
    )


def _arxiv_metadata(**fields: str) -> str:
    return (
        json.dumps(
            {
                "id": "0704.0001",
                "title": "A Study of Cups",
                "categories": "cs.LG",
                "authors_parsed": [["Lee", "Ann", ""]],
                **fields,
            }
        )
        + "\n"
    )


def _blog(url: str) -> str:
    return "Some prose.\n\nA Study of Cups A. Lee et al. " + url + "\n"


def _papercopilot(**fields: str) -> str:
    return json.dumps(
        [{"title": "A Study of Cups", "status": "Poster", "author": "Ann Lee", **fields}]
    )


def _openreview_api(forum: str) -> str:
    return json.dumps(
        {
            "notes": [
                {
                    "id": forum,
                    "forum": forum,
                    "content": {"title": "A Study of Cups", "authors": ["Ann Lee"]},
                }
            ]
        }
    )


#: (reader, input): the DOI 10.1000/abc.def as each reader's input may write it
DOI_WRITTEN = [
    ("bibtex", _bibtex(doi="https://doi.org/10.1000/ABC.Def")),
    ("bibtex", _bibtex(url="http://dx.doi.org/10.1000/abc.def")),
    ("bibtex", _bibtex(doi="10.1000/abc.def")),
    ("jsonl", _jsonl(doi="doi:10.1000/abc.def")),
    ("jsonl", _jsonl(ids={"doi": " DOI: 10.1000/ABC.DEF "})),
    ("csv", _csv(doi="10.1000/Abc.Def.")),
    ("openalex", _openalex(doi="https://doi.org/10.1000/ABC.DEF")),
    ("arxiv-metadata", _arxiv_metadata(doi="10.1000/abc.def 10.2000/other")),
]

#: the arXiv id 2101.00001
ARXIV_WRITTEN = [
    ("bibtex", _bibtex(eprint="2101.00001v2", archiveprefix="arXiv")),
    ("bibtex", _bibtex(journal="arXiv preprint arXiv:2101.00001v3")),
    ("bibtex", _bibtex(volume="abs/2101.00001")),
    ("bibtex", _bibtex(url="https://arxiv.org/pdf/2101.00001v1.pdf")),
    ("jsonl", _jsonl(arxiv="https://arxiv.org/abs/2101.00001v4")),
    ("csv", _csv(arxiv="arXiv:2101.00001")),
    ("openalex", _openalex(locations=[{"landing_page_url": "https://arxiv.org/abs/2101.00001v2"}])),
    ("arxiv-metadata", _arxiv_metadata(id="2101.00001")),
    ("blog-citations", _blog("https://arxiv.org/abs/2101.00001v5")),
]

#: the OpenReview forum id rJx_1-9 (the openreview-page and dataset-viewer layouts hold
#: forum addresses of one fixed shape only; their own tests read them)
FORUM_WRITTEN = [
    ("bibtex", _bibtex(url="https://openreview.net/forum?id=rJx\\_1-9")),
    ("jsonl", _jsonl(ids={"openreview": "https://openreview.net/pdf?id=rJx_1-9"})),
    ("jsonl", _jsonl(url="https://openreview.net/forum?id=rJx_1-9&noteId=z")),
    ("csv", _csv(openreview=" rJx_1-9 ")),
    ("papercopilot", _papercopilot(site="https://openreview.net/forum?id=rJx_1-9")),
    ("papercopilot", _papercopilot(id="rJx_1-9")),
    ("openreview-api", _openreview_api("rJx_1-9")),
    ("blog-citations", _blog("https://openreview.net/forum?id=rJx_1-9")),
    ("blog-citations", _blog("https://iclr.cc/virtual_2020/poster_rJx_1-9.html")),
]


@pytest.mark.parametrize(("fmt", "text"), DOI_WRITTEN)
def test_one_doi_written_each_readers_way_comes_out_identical(fmt: str, text: str) -> None:
    assert _ids(fmt, text).doi == "10.1000/abc.def"


@pytest.mark.parametrize(("fmt", "text"), ARXIV_WRITTEN)
def test_one_arxiv_id_written_each_readers_way_comes_out_identical(fmt: str, text: str) -> None:
    assert _ids(fmt, text).arxiv == "2101.00001"


@pytest.mark.parametrize(("fmt", "text"), FORUM_WRITTEN)
def test_one_forum_id_written_each_readers_way_comes_out_identical(fmt: str, text: str) -> None:
    assert _ids(fmt, text).openreview == "rJx_1-9"


def test_every_reader_of_paper_ids_is_tested_here() -> None:
    """A reader that gives a paper identifier has a row above for each scheme it gives."""
    assert {f for f, _ in DOI_WRITTEN} == {"bibtex", "jsonl", "csv", "openalex", "arxiv-metadata"}
    assert {f for f, _ in ARXIV_WRITTEN} == {f for f, _ in DOI_WRITTEN} | {"blog-citations"}
    assert {f for f, _ in FORUM_WRITTEN} | {"openreview-page", "dataset-viewer"} == {
        "bibtex",
        "jsonl",
        "csv",
        "papercopilot",
        "openreview-api",
        "blog-citations",
        "openreview-page",
        "dataset-viewer",
    }


def test_an_invalid_paper_id_in_a_jsonl_record_is_reported_and_left_out() -> None:
    items = _read("jsonl", _jsonl(doi="not a doi", arxiv="2101.00001"))
    (paper,) = [i for i in items if isinstance(i, Paper)]
    assert paper.ids == Ids(arxiv="2101.00001")
    assert [str(i) for i in items if not isinstance(i, Paper)] == [
        "x.txt:1: 'doi' 'not a doi' is not a DOI (10.NNNN/...); ignored"
    ]


def _paper(fmt: str, text: str, name: str) -> Paper:
    (paper,) = [i for i in _read(fmt, text, name) if isinstance(i, Paper)]
    return paper


@pytest.mark.parametrize(
    ("bib", "line", "evidence"),
    [
        ({"doi": "https://doi.org/10.1000/ABC"}, {"doi": "doi:10.1000/abc"}, "doi"),
        ({"eprint": "2101.00001v2"}, {"arxiv": "https://arxiv.org/abs/2101.00001"}, "arxiv"),
    ],
)
def test_a_bibtex_and_a_jsonl_record_of_one_id_are_one_paper_after_resolution(
    bib: dict[str, str], line: dict[str, str], evidence: str
) -> None:
    """Titles differ, so only the identifier can join them."""
    bibtex = _paper(
        "bibtex",
        "@article{k1,\n  title = {Cups: A Study},\n"
        + "".join(f"  {k} = {{{v}}},\n" for k, v in bib.items())
        + "}\n",
        "refs.bib",
    )
    jsonl = _paper("jsonl", json.dumps({"title": "Mugs, Examined", **line}) + "\n", "p.jsonl")
    resolution = resolve_papers([Ranked(bibtex, 50), Ranked(jsonl, 80)])
    (cluster,) = resolution.clusters
    assert cluster.evidence == (evidence,)
    assert resolution.cluster_of[bibtex.id] == resolution.cluster_of[jsonl.id] == cluster.key
