"""The bad-input corpus: hostile files generated in memory, never committed.

Every case is a file name and its bytes.  :func:`generic_cases` are format-free (empty,
binary, wrong encodings, nesting, cut-off real files); :func:`record_cases` write records
with hostile titles, names and keywords in every format kg reads; :func:`big_line` writes
the 50 MB single line at test time.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import kg

SEED_DIR = Path(kg.__file__).parent / "data" / "iclr"
EXTERNAL_DIR = Path(__file__).parent.parent / "data" / "external"

#: The real files every cut and mutation starts from: the bundled seeds and the external dumps.
REAL_FILES: tuple[Path, ...] = (
    *sorted(SEED_DIR.glob("0*.txt")),
    *sorted(EXTERNAL_DIR.iterdir()),
)

#: Where real files are cut, as fractions of their length.
CUTS = (0.001, 0.01, 0.13, 0.5, 0.77, 0.999)


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input file.  ``usable``: the build of it must succeed (``None``: either)."""

    name: str
    filename: str
    data: bytes
    usable: bool | None = None
    format: str | None = None  # the format the file is written in, if any
    # plain ASCII at volume (10,000 authors): the checks read graph.nq back with rdflib,
    # which holds every IRI in full, and leave graph.ttl (5.5 s a case for both files)
    bulky: bool = False

    def __str__(self) -> str:
        return self.name


# --- hostile strings ----------------------------------------------------------------------

TITLES = (
    '<script>alert("pwned")</script> Attention <b>is</b> <img src=x onerror=alert(1)> all',
    "Control \x01\x02\x07\x08\x0b\x0c\x0e\x1b[31m\x7f\x9b characters in a title",
    "\u200fRight-to-left \u202eemordnilap\u202c mark \u05e9\u05dc\u05d5\u05dd "
    "\u0645\u0631\u062d\u0628\u0627 \u2067isolate\u2069",
    "Emoji 🤖🧠 with ZWJ 👩\u200d💻, flags 🇪🇺 and skin tones 👍🏽",
    "Quotes \" ' ` backslash \\ angle <> amp & hash # percent %25 %zz braces",
    "Noncharacters \ufffe\uffff, BOM \ufeff, replacement \ufffd and NEL \x85 inside",
    "Line\u2028separator and paragraph\u2029separator and tab\tinside",
    "Combining e\u0301\u0301\u0301\u0301 and Zalgo Z\u0334\u0335\u0336\u0337 and zero\u200bwidth",
)

NAMES = (
    'Ann "The Hammer" O\'Neil',
    "Bob Angle <bob@example.org>",
    "Carl Hash #1 100%",
    "Dana   Space   Name",
    "Eve Percent %41%42%",
    "Gus Slash/Question?query=1&x=2",
    "José Ñúñez 👩\u200d🔬",
    "\u202eReversed Name\u202c",
    "张伟 Zhang",
    "Hal Backslash\\Name",
    "Ivy `Tick` {Brace}",
)

KEYWORDS = (
    "a b c",
    'quote"d',
    "<angle>",
    "#hash",
    "100%",
    "%20encoded",
    "slash/and?q=1&x",
    "emoji 🤖",
    "rtl \u202eword",
    "C++ & C#",
    "'single'",
    "back\\slash",
    "tab\tkey",
)

#: Strings only JSON can carry: escapes of NUL, lone surrogates and other control points.
JSON_ONLY_TITLES = (
    "NUL \x00 inside a title",
    "Lone surrogate \ud800 and \udfff in a title",
    "DEL \x7f and C1 \x80\x9f",
)


@dataclass(frozen=True, slots=True)
class Rec:
    """One paper to write in some format."""

    title: str
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    keywords: tuple[str, ...] = ()
    abstract: str = (
        "We study a hostile input and show that the reader copes with it "
        "without any traceback at all."
    )
    ident: str = "Hk0stile"
    extra: dict[str, object] = field(default_factory=dict)


# --- writers: records in each format ------------------------------------------------------


def _jsonl(recs: list[Rec]) -> str:
    return "".join(
        json.dumps(
            {
                "title": r.title,
                "authors": list(r.authors),
                "keywords": list(r.keywords),
                "abstract": r.abstract,
                "openreview": r.ident,
                "venue": "ICLR 2020",
                "year": 2020,
            }
        )
        + "\n"
        for r in recs
    )


def _csv(recs: list[Rec]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["title", "authors", "keywords", "abstract", "openreview"])
    for r in recs:
        writer.writerow([r.title, "; ".join(r.authors), "; ".join(r.keywords), r.abstract, r.ident])
    return out.getvalue()


def _bib_escape(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def _bibtex(recs: list[Rec]) -> str:
    parts = []
    for i, r in enumerate(recs):
        parts.append(
            f"@inproceedings{{hostile{i},\n"
            f"  title = {{{_bib_escape(r.title)}}},\n"
            f"  author = {{{' and '.join(_bib_escape(a) for a in r.authors)}}},\n"
            f"  keywords = {{{', '.join(_bib_escape(k) for k in r.keywords)}}},\n"
            f"  abstract = {{{_bib_escape(r.abstract)}}},\n"
            f"  booktitle = {{International Conference on Learning Representations, "
            f"{{ICLR}} 2020}},\n"
            f"  year = {{2020}},\n"
            f"  url = {{https://openreview.net/forum?id={r.ident}}}\n}}\n\n"
        )
    return "".join(parts)


def _openreview_api(recs: list[Rec]) -> str:
    notes = [
        {
            "id": f"{r.ident}{i}",
            "forum": f"{r.ident}{i}",
            "invitation": "ICLR.cc/2020/Conference/-/Blind_Submission",
            "content": {
                "title": r.title,
                "authors": list(r.authors),
                "authorids": [f"a{j}@example.org" for j in range(len(r.authors))],
                "keywords": list(r.keywords),
                "abstract": r.abstract,
            },
        }
        for i, r in enumerate(recs)
    ]
    return json.dumps({"notes": notes}, indent=1)


def _papercopilot(recs: list[Rec]) -> str:
    rows = [
        {
            "id": f"{r.ident}{i}",
            "title": r.title,
            "track": "main",
            "status": "Poster",
            "author": ";".join(r.authors),
            "authorids": ";".join("" for _ in r.authors),
            "keywords": ";".join(r.keywords),
            "abstract": r.abstract,
            "site": "https://iclr.cc/virtual/2020/poster/1",
        }
        for i, r in enumerate(recs)
    ]
    return json.dumps(rows, indent=1)


def _openalex(recs: list[Rec]) -> str:
    works = [
        {
            "id": f"https://openalex.org/W{1000 + i}",
            "title": r.title,
            "publication_year": 2020,
            "authorships": [
                {"raw_author_name": a, "author": {"display_name": a}} for a in r.authors
            ],
            "keywords": [{"display_name": k, "score": 0.5} for k in r.keywords],
            "concepts": [
                {"display_name": k, "score": 0.5, "id": f"C{j}"} for j, k in enumerate(r.keywords)
            ],
            "abstract_inverted_index": {w: [j] for j, w in enumerate(r.abstract.split())},
        }
        for i, r in enumerate(recs)
    ]
    return json.dumps({"meta": {"count": len(works)}, "results": works})


def _arxiv(recs: list[Rec]) -> str:
    return "".join(
        json.dumps(
            {
                "id": f"2001.{10000 + i}",
                "title": r.title,
                "authors": ", ".join(r.authors),
                "authors_parsed": [[*reversed(a.rsplit(" ", 1)), ""] for a in r.authors],
                "categories": " ".join(k.replace(" ", "_") for k in r.keywords) or "cs.LG",
                "abstract": r.abstract,
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
            }
        )
        + "\n"
        for i, r in enumerate(recs)
    )


def _one_line(text: str) -> str:
    return " ".join(text.replace("\r", " ").split("\n"))


def _paper_list(recs: list[Rec]) -> str:
    return "".join(
        f"## **{_one_line(r.title)}**\n\n- {_one_line(', '.join(r.authors))}\n"
        f"- abstract@open-review(Poster): {_one_line(r.abstract)}\n\n"
        for r in recs
    )


def _dataset_viewer(recs: list[Rec]) -> str:
    head = (
        "title\nstringlengths\n1\n200\nurl\nstringlengths\n41\n43\ndetail_url\n"
        "stringlengths\n41\n43\nauthors\nstringlengths\n9\n347\ntags\nstringclasses\n"
        "3 values\nabstract\nstringlengths\n457\n2.38k\npdf\nstringlengths\n71\n71\n"
    )
    body = []
    for i, r in enumerate(recs):
        url = f"https://openreview.net/forum?id={r.ident}{i}"
        body += [
            _one_line(r.title),
            url,
            url,
            _one_line(",".join(r.authors)),
            "ICLR 2021,Poster",
            _one_line(r.abstract),
            f"https://openreview.net/pdf?id={r.ident}{i}",
        ]
    return head + "\n".join(body) + "\n"


def _openreview_page(recs: list[Rec]) -> str:
    out = ["Toggle navigation *OpenReview*.net <https://openreview.net/>\n\n      ICLR 2020\n\n"]
    for i, r in enumerate(recs):
        ident = f"{r.ident}{i}"
        authors = ", ".join(
            f"{_one_line(a)} <https://openreview.net/profile?email=a{j}%40x.org>"
            for j, a in enumerate(r.authors)
        )
        out.append(
            f"  *\n\n\n            {_one_line(r.title)}\n"
            f"            <https://openreview.net/forum?id={ident}>\n"
            f"            <https://openreview.net/pdf?id={ident}>\n\n"
            f"    {authors}\n"
            f"    25 Sep 2019 (modified: 11 Mar 2020) ICLR 2020 Conference Blind\n"
            f"    Submission Readers: Everyone 9 Replies\n"
            f"    Show details <#{ident}-details-1>\n"
            f"      o *Keywords:* {_one_line(', '.join(r.keywords))}\n"
            f"      o *Abstract:* {_one_line(r.abstract)}\n"
        )
    out.append("  * About OpenReview\n")
    return "".join(out)


def _blog(recs: list[Rec]) -> str:
    out = ["Here are some of the topics I found interesting at the conference.\n\n"]
    for i, r in enumerate(recs):
        out.append(
            f"Some prose about a paper, with {len(r.authors)} authors.\n\n"
            f"{_one_line(r.title)} A. Lovelace et al. "
            f"https://openreview.net/forum?id={r.ident}{i}\n\n"
        )
    return "".join(out)


def _abstracts(recs: list[Rec]) -> str:
    return "".join(
        f"{i + 1}. {_one_line(r.title)[:140]}\n\n{r.abstract} {_one_line(' '.join(r.keywords))}\n\n"
        for i, r in enumerate(recs)
    )


WRITERS: dict[str, tuple[str, Callable[[list[Rec]], str]]] = {
    "jsonl": ("hostile.jsonl", _jsonl),
    "csv": ("hostile.csv", _csv),
    "bibtex": ("hostile.bib", _bibtex),
    "openreview-api": ("hostile_notes.json", _openreview_api),
    "papercopilot": ("hostile_copilot.json", _papercopilot),
    "openalex": ("hostile_openalex.json", _openalex),
    "arxiv-metadata": ("hostile_arxiv.jsonl", _arxiv),
    "paper-list": ("hostile_list.md", _paper_list),
    "dataset-viewer": ("hostile_viewer.txt", _dataset_viewer),
    "openreview-page": ("hostile_page.txt", _openreview_page),
    "blog-citations": ("hostile_blog.txt", _blog),
    "abstracts": ("hostile_abstracts.txt", _abstracts),
}

#: Formats whose records carry keywords (so hostile keywords become concept IRIs).
KEYWORD_FORMATS = frozenset(
    {
        "jsonl",
        "csv",
        "bibtex",
        "openreview-api",
        "papercopilot",
        "openalex",
        "arxiv-metadata",
        "openreview-page",
    }
)


def hostile_records() -> list[Rec]:
    """One record per hostile title, each with every hostile name and keyword."""
    return [
        Rec(title=t, authors=NAMES, keywords=KEYWORDS, ident=f"Hk{i}") for i, t in enumerate(TITLES)
    ]


def record_cases() -> Iterator[Case]:
    """For every format: hostile titles/names/keywords, and a record with 10,000 authors."""
    many = tuple(f"Author{i} Surname{i % 97}" for i in range(10_000))
    for fmt, (filename, write) in WRITERS.items():
        yield Case(
            f"records/{fmt}/hostile-strings",
            filename,
            write(hostile_records()).encode("utf-8"),
            usable=True,
            format=fmt,
        )
        yield Case(
            f"records/{fmt}/10000-authors",
            filename,
            write([Rec("A paper with ten thousand authors", authors=many)]).encode("utf-8"),
            usable=True,
            format=fmt,
            bulky=True,
        )
    json_recs = [
        Rec(title=t, authors=(t, *NAMES[:2]), keywords=(t, *KEYWORDS[:2]), ident=f"J{i}")
        for i, t in enumerate(JSON_ONLY_TITLES)
    ]
    for fmt in ("jsonl", "openreview-api", "papercopilot", "openalex", "arxiv-metadata"):
        filename, write = WRITERS[fmt]
        yield Case(
            f"records/{fmt}/json-escapes", filename, write(json_recs).encode("utf-8"), format=fmt
        )
    yield from _number_cases()


def _number_cases() -> Iterator[Case]:
    """Numbers JSON allows but RDF does not: NaN, infinities, huge and boolean values."""
    odd = ["NaN", "Infinity", "-Infinity", "1e400", "true", "1" + "0" * 5000, "-0", "2.5e-300"]
    for i, v in enumerate(odd):
        yield Case(
            f"numbers/openalex/{i}",
            "numbers_openalex.json",
            (
                '{"results": [{"id": "https://openalex.org/W1", "title": "T", '
                f'"publication_year": {v}, "concepts": [{{"display_name": "c", "score": {v}}}], '
                '"authorships": []}]}'
            ).encode(),
            format="openalex",
        )
        yield Case(
            f"numbers/openreview-api/{i}",
            "numbers_notes.json",
            (
                '[{"id": "A", "forum": "A", "invitation": "ICLR.cc/2020/Conference/-/Submission", '
                '"content": {"title": "T"}}, {"id": "B", "forum": "A", "replyto": "A", '
                '"invitation": "ICLR.cc/2020/Conference/-/Official_Review", '
                f'"content": {{"rating": {v}}}}}]'
            ).encode(),
            format="openreview-api",
        )
        yield Case(
            f"numbers/jsonl/{i}",
            "numbers.jsonl",
            f'{{"title": "T", "year": {v}, "authors": {v}, "keywords": {v}}}\n'.encode(),
            format="jsonl",
        )


# --- format-free cases --------------------------------------------------------------------


def png() -> bytes:
    """A valid 1x1 PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _pseudo_random(n: int, seed: int) -> bytes:
    """Deterministic noise (no magic number, so it reaches the decoder)."""
    out = bytearray()
    state = seed
    while len(out) < n:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out += state.to_bytes(8, "little")
    return bytes(out[:n])


def generic_cases() -> Iterator[Case]:
    """Empty, binary, wrongly encoded, deeply nested and cut-off files."""
    seed = (SEED_DIR / "001_be56ec5208ff5487.txt").read_bytes()[:20000]
    bib = (EXTERNAL_DIR / "dblp_iclr2019.bib").read_bytes()[:20000]
    yield from (
        Case("empty/zero-bytes", "empty.txt", b""),
        Case("empty/whitespace", "blank.txt", b"  \n\n\t\r\n   \n"),
        Case("empty/bom-only", "bom.txt", b"\xef\xbb\xbf"),
        Case("empty/utf16-bom-only", "bom16.txt", b"\xff\xfe"),
        Case("empty/newlines", "newlines.jsonl", b"\n" * 10000),
        Case("binary/png", "image.png", png()),
        Case("binary/png-renamed", "papers.jsonl", png()),
        Case("binary/gzip", "papers.jsonl.gz", gzip.compress(seed, mtime=0)),
        Case("binary/gzip-renamed", "papers.bib", gzip.compress(bib, mtime=0)),
        Case("binary/noise", "noise.bin", _pseudo_random(5000, 1)),
        Case("binary/late-nul", "late_nul.txt", seed + b"\x00" + seed[:100]),
        Case("binary/pdf", "paper.pdf", b"%PDF-1.7\n" + _pseudo_random(300, 2)),
        Case("encoding/utf16-le-bom", "list16.md", seed.decode().encode("utf-16")),
        Case(
            "encoding/utf16-be-bom", "list16be.md", b"\xfe\xff" + seed.decode().encode("utf-16-be")
        ),
        Case("encoding/utf16-no-bom", "list16raw.md", seed.decode().encode("utf-16-le")),
        Case("encoding/utf16-odd-length", "odd16.md", seed.decode().encode("utf-16")[:-1]),
        Case("encoding/utf32", "list32.md", seed.decode().encode("utf-32")),
        Case(
            "encoding/latin1-list",
            "latin1.md",
            seed.decode().replace("Hongbin", "Hongbín").encode("latin-1", "replace"),
        ),
        Case(
            "encoding/latin1-bib",
            "latin1.bib",
            bib.decode().replace("Learning", "Léarning").encode("latin-1", "replace"),
        ),
        Case(
            "encoding/cp1252-quotes",
            "quotes.jsonl",
            b'{"title": "\x93Smart\x94 quotes", "abstract": "x"}\n',
        ),
        Case("encoding/bad-utf8-mid", "bad.jsonl", b'{"title": "ok"}\n{"title": "\xc3\x28 bad"}\n'),
        Case("encoding/overlong-utf8", "overlong.txt", b"abc \xc0\xaf def\n"),
        Case("encoding/utf8-surrogate-bytes", "surrogate.txt", b"abc \xed\xa0\x80 def\n"),
        Case("encoding/crlf-and-cr", "crlf.md", seed.replace(b"\n", b"\r")),
    )
    yield from _nesting_cases()
    yield from _bibtex_cases(bib)
    yield from _cut_cases()
    yield from _odd_shape_cases()


def _nesting_cases() -> Iterator[Case]:
    deep = 100_000
    yield Case("nesting/open-brackets", "deep.json", b"[" * deep)
    yield Case("nesting/balanced-brackets", "deep.json", b"[" * deep + b"]" * deep)
    yield Case("nesting/open-objects", "deep.json", b'{"a":' * deep)
    yield Case(
        "nesting/jsonl-line",
        "deep.jsonl",
        b'{"title": "T", "authors": ' + b"[" * deep + b"]" * deep + b"}\n",
    )
    for depth in (400, 480, 900, 990, 2000):
        nested = "[" * depth + '"x"' + "]" * depth
        yield Case(
            f"nesting/valid-{depth}/jsonl",
            "nested.jsonl",
            f'{{"title": "T", "authors": {nested}, "keywords": {nested}, '
            f'"ids": {{"x": {nested}}}}}\n'.encode(),
        )
        yield Case(
            f"nesting/valid-{depth}/notes",
            "nested.json",
            (
                '{"notes": [{"id": "A", "invitation": "ICLR.cc/2020/Conference/-/S", '
                f'"content": {{"title": "T", "authors": {nested}}}, "notes": '
                + "[" * depth
                + "]" * depth
                + "}]}"
            ).encode(),
        )
        yield Case(
            f"nesting/valid-{depth}/openalex",
            "nested.json",
            (
                '{"results": [{"id": "https://openalex.org/W1", "title": "T", '
                f'"publication_year": 2020, "authorships": {nested}, '
                f'"concepts": {nested}}}]}}'
            ).encode(),
        )


def _bibtex_cases(bib: bytes) -> Iterator[Case]:
    entry = b"@article{k%d,\n  title = {Title %d},\n  author = {A. B and C. D},\n}\n\n"
    good = b"".join(entry % (i, i) for i in range(5))
    yield from (
        Case("bibtex/unclosed-entry", "open.bib", good + b"@article{broken,\n  title = {T"),
        Case(
            "bibtex/extra-open-brace",
            "open2.bib",
            good.replace(b"{Title 2}", b"{{Title 2}") + good.replace(b"{k", b"{m"),
        ),
        Case(
            "bibtex/extra-close-brace",
            "close.bib",
            good.replace(b"{Title 2}", b"{Title 2}}}") + good.replace(b"{k", b"{m"),
        ),
        Case("bibtex/only-open-braces", "braces.bib", b"@article{x,\n title = " + b"{" * 50000),
        Case("bibtex/only-close-braces", "braces2.bib", b"@article{x,\n title = " + b"}" * 50000),
        Case("bibtex/at-signs", "at.bib", b"@" * 50000),
        Case("bibtex/many-headers", "headers.bib", b"@article{x,\n" * 20000),
        Case(
            "bibtex/string-loop",
            "loop.bib",
            b'@string{a = b}\n@string{b = a}\n@article{k, title = a # b # a, author = "X Y"}\n',
        ),
        Case(
            "bibtex/huge-concat",
            "concat.bib",
            b"@string{s = {x}}\n@article{k, title = " + b"s # " * 20000 + b"s}\n",
        ),
        Case(
            "bibtex/quote-delimited-open",
            "quote.bib",
            b'@article{k, title = "never closed, author = {A B}}\n' + good,
        ),
        Case(
            "bibtex/comment-and-percent",
            "percent.bib",
            b"% comment @article{fake,\n" + good.replace(b"Title 1", b"100% {\\%} sure %"),
        ),
        Case(
            "bibtex/latex-bombs",
            "latex.bib",
            b"@article{k, title = {"
            + b"\\textbf{" * 2000
            + b"x"
            + b"}" * 2000
            + b"}, author = {"
            + b"{\\'" * 3000
            + b"e"
            + b"}" * 3000
            + b"}}\n",
        ),
        Case("bibtex/unbalanced-dblp", "dblp_cut.bib", bib.replace(b"},", b"{,", 3)),
    )


def _cut_cases() -> Iterator[Case]:
    """Each real file cut at several offsets (on a character boundary, and mid-character)."""
    for path in REAL_FILES:
        data = path.read_bytes()
        for fraction in CUTS:
            at = max(1, int(len(data) * fraction))
            while at < len(data) and (data[at] & 0xC0) == 0x80:  # not inside a character
                at += 1
            yield Case(f"cut/{path.name}@{fraction}", path.name, data[:at])
        multibyte = next((i for i in range(len(data) // 2, len(data)) if data[i] >= 0xC0), None)
        if multibyte is not None:
            yield Case(f"cut/{path.name}@mid-character", path.name, data[: multibyte + 1])


def _odd_shape_cases() -> Iterator[Case]:
    """Valid syntax, unexpected shapes."""
    yield from (
        Case("shape/json-scalar", "scalar.json", b"42"),
        Case("shape/json-string", "string.json", b'"just a string"'),
        Case("shape/json-null-items", "nulls.json", b'[null, 1, "x", [], {}]'),
        Case("shape/jsonl-arrays", "arrays.jsonl", b'["title", "x"]\n[1, 2]\n'),
        Case(
            "shape/jsonl-wrong-types",
            "types.jsonl",
            b'{"title": {"a": 1}, "abstract": [1, 2], "authors": {"name": 5}, '
            b'"keywords": 7, "year": [2020], "ids": [1], "code": {"x": 1}, '
            b'"decision": {"x": 1}, "openreview": ["x"]}\n'
            b'{"title": 1e308, "authors": [null, 1, {"name": null}, {"email": "x"}], '
            b'"ids": {"": "", "x": null}, "year": "  2020.0  "}\n',
        ),
        Case(
            "shape/notes-wrong-types",
            "types.json",
            b'{"notes": [{"id": 5, "forum": ["x"], "invitation": 7, "invitations": "s", '
            b'"content": {"title": {"value": {"x": 1}}, "authors": {"value": 5}, '
            b'"authorids": "x", "keywords": {"value": [1, null]}, "pdf": 3}, '
            b'"details": {"replies": [{"forum": 5, "content": []}]}}, '
            b'{"id": "B", "content": {"title": "T", "venueid": 5, "venue": ["x"]}, '
            b'"invitations": [5, null], "domain": 7}]}',
        ),
        Case(
            "shape/openalex-wrong-types",
            "types_oa.json",
            b'{"results": [{"id": 5, "title": "T", "publication_year": "2020", '
            b'"authorships": {"a": 1}, "concepts": "x", "keywords": [1, {"display_name": 5}], '
            b'"abstract_inverted_index": {"w": "x", "v": [true, 1e9, -1]}, '
            b'"ids": [1], "locations": [1, {"landing_page_url": 5}], "doi": 7, '
            b'"primary_location": {"source": [1]}, "best_oa_location": {"pdf_url": 5}}]}',
        ),
        Case(
            "shape/copilot-wrong-types",
            "types_pc.json",
            b'[{"id": 5, "title": "T", "track": 1, "status": 7, "author": ["a"], '
            b'"authorids": 5, "site": 5, "keywords": {"a": 1}, "rating": "1;x;;2e5;nan"}]',
        ),
        Case(
            "shape/arxiv-wrong-types",
            "types_ax.jsonl",
            b'{"id": 5, "title": "T", "authors_parsed": [[null], [1, 2, 3], "x", []], '
            b'"categories": 5, "versions": [{"created": 5}], "authors": "A B"}\n'
            b'{"id": "x", "title": "T", "authors_parsed": "x", '
            b'"versions": [{"created": "Mon, 99 Foo 9999 99:99:99 GMT"}]}\n',
        ),
        Case(
            "shape/csv-huge-field",
            "huge.csv",
            b'title,authors\n"' + b"x" * 200_000 + b'",A B\nT,A B\n',
        ),
        Case("shape/csv-unclosed-quote", "quote.csv", b'title,authors\n"T,A B\nU,C D\n'),
        Case("shape/csv-header-only", "header.csv", b"title,authors,abstract\n"),
        Case("shape/csv-ragged", "ragged.csv", b"title,authors\nT\nU,A,B,C,D\n,,,\n"),
        Case("shape/viewer-header-only", "viewer.txt", _dataset_viewer([]).encode()),
        Case(
            "shape/page-markers-only",
            "page.txt",
            b"  *\n" * 5000 + b"<https://openreview.net/forum?id=x>\n",
        ),
        Case("shape/list-anchors-only", "list.md", b"- abstract@open-review(Poster): x\n" * 5000),
        Case(
            "shape/blog-abbreviations",
            "blog.txt",
            b"T A. B et al. https://openreview.net/forum?id=x\n\n"
            + b"A. B, " * 20000
            + b"and C. D https://arxiv.org/abs/2001.00001\n",
        ),
        Case(
            "shape/abstracts-titles-only",
            "abstracts.txt",
            b"".join(b"%d. Title\n\n" % i for i in range(1, 5000)),
        ),
        Case("shape/long-words", "words.txt", (b"x" * 100_000 + b" ") * 20 + b"\n"),
    )


def all_cases() -> list[Case]:
    """The whole corpus but the 50 MB line."""
    return [*generic_cases(), *record_cases()]


def big_line(path: Path, kind: str, size: int = 50 * 1024 * 1024) -> Path:
    """Write a single line of ``size`` bytes: prose words, or a JSON paper holding them."""
    words = b"lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod "
    body = words * (size // len(words))
    with path.open("wb") as out:
        if kind == "text":
            out.write(body)
        elif kind == "json":
            out.write(b'{"title": "A paper with a very long abstract", "abstract": "')
            out.write(body)
            out.write(b'"}')
        elif kind == "bibtex":
            out.write(b"@article{big, title = {Big}, abstract = {")
            out.write(body)
            out.write(b"}}")
        else:
            raise ValueError(kind)
    return path
