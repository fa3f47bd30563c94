"""``blog-citations``: a blog post whose paragraphs cite papers as ``Title A. Author et al. URL``.

Every non-empty line is one paragraph.  A *citation line* is made only of citations, one after
another, with nothing between them but their URLs::

    TITLE INITIALS SURNAME[ et al.| and INITIALS SURNAME] [URL [URL...]] TITLE ...

The line is cut at its URLs; within each piece of text, author abbreviations (``D. Lee et
al.``, ``G.H. Lee and T.S. Jaakkola``, ``D.Terjék``) end the titles.  URLs after a citation
belong to it: the first is its primary URL, further non-paper URLs (slides, code) are extra.
A second *paper* URL (OpenReview, arXiv, ICLR poster) right after the first is a misplaced
link of the next citation when that citation has no URL of its own (FORMATS.md, line 115).
Free text after the last URL of a line (``pip install ...``) is not a citation.

Each citation records the nearest prose paragraph before its line as its context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.identifiers import arxiv, forum_of_url, normalize, paper_ids
from kg.records import Citation, Ids, Item, Problem, SourceRef
from kg.sources import Reader
from kg.sources.files import SourceFile
from kg.text import collapse_ws

_URL = re.compile(r"https?://[^\s<>\"']+")
_URL_ONLY = re.compile(r"^\s*(?:https?://\S+\s*)+$")

# One person as abbreviated: initials (``J.L.G.``, ``D.W..``), an optional space (``D.Terjék``),
# an optional particle (``von``) and a one-word surname starting with a capital letter.
_INITIALS = r"[A-Z]\.(?:-?[A-Z]\.)*\.?"
_PARTICLE = r"(?:(?:von|van|der|den|de|del|della|da|di|du|dos|le|la|zu|ter|ten)\s+)"
_SURNAME = r"[^\W\d_a-z][\w'’-]*"
_PERSON = rf"{_INITIALS}\s?{_PARTICLE}*{_SURNAME}"
# At most 10 people in one abbreviation: an unbounded list made searching a line of many
# thousands of "A. B, " take quadratic time.
_AUTHORS = rf"{_PERSON}(?:,\s{_PERSON}){{0,9}}(?:,?\sand\s{_PERSON})?(?:\set\sal\.)?"
# An author abbreviation starts after white space (a title precedes it) and ends at a space
# or at the end of its piece of text.
_AUTHORS_IN_TEXT = re.compile(rf"(?<=\s)(?P<authors>{_AUTHORS})(?=\s|$)")
# What makes a line look like citations: an abbreviation followed by a URL or the line end.
_LOOKS_CITED = re.compile(rf"(?:^|\s){_AUTHORS}(?:\s+https?://|\s*$)")

_ICLR_POSTER = re.compile(r"iclr\.cc/virtual(?:_\d{4})?/poster_([\w-]+)\.html")

_MAX_TITLE_CHARS = 300
#: Longer lines are no paragraph of a blog post; searching them would only cost time.
MAX_LINE_CHARS = 100_000
_MAX_TITLE_WORDS = 40


@dataclass(slots=True)
class _CitationDraft:
    """A citation being assembled from one line."""

    title: str
    authors: str
    urls: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


class _SplitError(ValueError):
    """A line that looks like citations but cannot be cut into them."""


def _paper_id(url: str) -> tuple[str, str] | None:
    """``("openreview", forum id)`` or ``("arxiv", id)`` when a URL names a paper (an
    OpenReview forum or pdf, an ICLR poster page, which is named by the forum id, or an
    arXiv abs/pdf page), each normalised by :mod:`kg.identifiers`."""
    poster = _ICLR_POSTER.search(url)
    forum = forum_of_url(url) or (
        normalize("openreview_forum", poster.group(1)) if poster else None
    )
    if forum:
        return "openreview", forum
    found = arxiv(url)
    return ("arxiv", found) if found else None


def _ids(urls: list[str]) -> Ids:
    """Identifiers from paper URLs, the first URL of each scheme winning."""
    found: dict[str, str] = {}
    for url in urls:
        if named := _paper_id(url):
            found.setdefault(*named)
    return paper_ids(openreview=found.get("openreview"), arxiv=found.get("arxiv"))


def _is_paper_url(url: str) -> bool:
    """Whether a URL names a paper (OpenReview forum, arXiv, ICLR poster page)."""
    return _paper_id(url) is not None


def _clean_url(url: str) -> str:
    """A URL without sentence punctuation stuck to its end."""
    return url.rstrip(".,;:!?)]}")


def _check_title(title: str) -> str:
    """The title, or a split error when it is empty or reads like prose."""
    title = collapse_ws(title)
    if not title:
        raise _SplitError("an author abbreviation without a title before it")
    if len(title) > _MAX_TITLE_CHARS or len(title.split()) > _MAX_TITLE_WORDS:
        raise _SplitError(f"a title of {len(title)} characters reads like prose: {title[:60]!r}")
    return title


def _cite_text(text: str) -> tuple[list[_CitationDraft], str]:
    """Citations in a piece of text between URLs, and the text left after the last one."""
    drafts: list[_CitationDraft] = []
    start = 0
    padded = " " + text  # so that a leading abbreviation is still preceded by white space
    for m in _AUTHORS_IN_TEXT.finditer(padded):
        title = padded[start : m.start()]
        drafts.append(_CitationDraft(_check_title(title), collapse_ws(m.group("authors"))))
        start = m.end()
    return drafts, padded[start:].strip()


def _split(line: str) -> list[_CitationDraft]:
    """Cut a citation line into citations with their URLs; a split error if it cannot be."""
    pieces = _URL.split(line)
    urls = [_clean_url(u) for u in _URL.findall(line)]
    drafts: list[_CitationDraft] = []
    for i, text in enumerate(pieces):
        found, rest = _cite_text(text)
        last_piece = i == len(pieces) - 1
        if rest and (found or not drafts or not last_piece):
            what = "no author abbreviation in" if not found else "text after the authors:"
            raise _SplitError(f"{what} {rest[:60]!r}")
        drafts.extend(found)
        if i < len(urls):
            if not drafts:
                raise _SplitError(f"a URL before any citation: {urls[i][:60]!r}")
            drafts[-1].urls.append(urls[i])
    if not drafts:
        raise _SplitError("no citation found")
    _assign_urls(drafts)
    return drafts


def _assign_urls(drafts: list[_CitationDraft]) -> None:
    """Keep each citation's primary URL; move misplaced paper links to the next bare citation.

    A paper URL following a citation's own paper URL is carried to the next citation that has
    no URL at all; if there is none, it stays with its citation as an extra URL.
    """
    carried: list[tuple[_CitationDraft, str]] = []
    for draft in drafts:
        if not draft.urls and carried:
            _, url = carried.pop(0)
            draft.urls = [url]
            continue
        if not draft.urls:
            continue
        for owner, url in carried:
            owner.extra.append(url)
        carried.clear()
        primary, *rest = draft.urls
        draft.urls = [primary]
        for url in rest:
            if _is_paper_url(url) and _is_paper_url(primary):
                carried.append((draft, url))
            else:
                draft.extra.append(url)
    for owner, url in carried:
        owner.extra.append(url)


def _is_prose(line: str) -> bool:
    """A paragraph that can give context: not empty and not only URLs."""
    return bool(line.strip()) and not _URL_ONLY.match(line)


def read_blog(source: SourceFile) -> Iterator[Item]:
    """Citations in file order, each with the prose paragraph before its line."""
    paragraph: tuple[str, int] | None = None
    found = False
    for number, line in enumerate(source.lines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield Problem(
                SourceRef(source.name, number),
                f"line of {len(line):,} characters is longer than any paragraph "
                f"({MAX_LINE_CHARS:,} at most); skipped",
            )
            continue
        try:
            drafts = _split(line)
        except _SplitError as exc:
            if _LOOKS_CITED.search(line):
                found = True
                yield Problem(
                    SourceRef(source.name, number),
                    f"line looks like citations ('Title A. Author et al. URL') but cannot be "
                    f"split: {exc}",
                )
            elif _is_prose(line):
                paragraph = (collapse_ws(line), number)
            continue
        found = True
        for index, draft in enumerate(drafts):
            yield Citation(
                source=SourceRef(source.name, number),
                title=draft.title,
                authors=draft.authors,
                url=draft.urls[0] if draft.urls else None,
                ids=_ids(draft.urls + [u for u in draft.extra if _is_paper_url(u)]),
                extra_urls=tuple(draft.extra),
                paragraph=paragraph[0] if paragraph else None,
                paragraph_line=paragraph[1] if paragraph else None,
                index=index,
            )
    if not found:
        raise InputError(
            source.name, "no citation found (expected lines like 'Title A. Author et al. URL')"
        )


_CITED_WITH_URL = re.compile(rf"(?:^|\s){_AUTHORS}\s+https?://", re.MULTILINE)


def sniff(source: SourceFile) -> int:
    """High when several paragraphs hold abbreviated authors directly followed by a URL."""
    head = source.head
    cited = len(_CITED_WITH_URL.findall(head))
    if cited == 0:
        return 0
    paragraphs = head.count("\n\n")
    if cited >= 5 and paragraphs >= 5:
        return 90
    return 40 if cited >= 2 else 15


READER = Reader(
    name="blog-citations",
    description="Blog post whose paragraphs cite papers as 'Title A. Author et al. URL'",
    sniff=sniff,
    read=read_blog,
    authority=20,
)
