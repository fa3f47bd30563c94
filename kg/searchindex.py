"""Full-text search over a build: an SQLite FTS5 index written beside the store.

A build writes ``DIR/search.sqlite`` from its sorted ``graph.nq``, read once
(:func:`write_nquads`: its memory grows with the people, concepts, venues and
organizations, not with the quads; 117 MB at 100K papers); :func:`write` writes the same
index from a store (the quads of :data:`PATTERNS`, all in memory); :func:`search` answers
a query from it.  What is indexed, one row per node:

- papers by title (every title a source gives; a paper without one by the start of its
  abstract, at a lower weight).  Abstracts are not indexed: at 100K papers they made the
  index 3.6 times larger, and every common word match nearly every paper;
- people by their label and every spelling of their name (``foaf:name`` of each source
  and each name as written in an author list);
- concepts (keywords, methods, datasets, tasks) by every label; venues and institutions by
  every name.

Text is folded the same way when indexed and when searched: accents dropped (``Łukasz``
finds ``Lukasz`` and back), case folded, letters and digits split apart (``CIFAR10`` finds
``CIFAR-10``).  The last word of a query matches as a prefix, for type-ahead.  Ranking:
a node one of whose names *is* the query comes first; then BM25 with the title or label
weighing most, other names less, raised by popularity (papers of a
person, concept, venue or institution; citations of a paper); ties by IRI.

Queries are untrusted: they are cut to :data:`MAX_QUERY` characters and
:data:`MAX_TERMS` words, and every word is quoted before it reaches FTS5, so no operator,
quote or column filter in a query means anything; a query of punctuation finds nothing.

>>> # search("exports", "zico kolt")[0].label    # 'J. Zico Kolter'
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError, UsageError
from kg.export.quadindex import Pattern, QuadIndex, predicates, wanted_batches
from kg.graph import vocab as V
from kg.outdir import settle, temp_beside
from kg.text import ascii_fold

FILE = "search.sqlite"
#: Changes whenever the schema or the folding changes; an index of another version is
#: refused with the command that rebuilds it.
VERSION = "1"
KINDS = ("paper", "person", "concept", "venue", "organization")
#: Longest query text read, and most words used, of a query.
MAX_QUERY = 200
MAX_TERMS = 12
#: Most hits one search returns.
MAX_LIMIT = 100
#: BM25 weights of the columns kind, title (or label), other names, abstract's start.
WEIGHTS = (0.0, 10.0, 4.0, 1.0)
#: How much popularity raises a score: × (1 + POPULARITY · ln(1 + papers)).
POPULARITY = 0.15
#: Candidates ranked by BM25 before popularity and exact names re-rank them.
CANDIDATES = 200
#: A query matching more nodes than this is broad: its candidates are the BROAD most
#: popular matches (rows are stored most popular first, so FTS5 stops early), ranked by
#: BM25; ranking every match of a common word would cost time proportional to the graph.
BROAD = 2_000

_WORD = re.compile(r"[^\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the node, its kind and label, a line about it, and its score."""

    iri: str
    kind: str
    label: str
    detail: str
    score: float


@dataclass(frozen=True, slots=True)
class Doc:
    """What the index holds of one node."""

    iri: str
    kind: str
    label: str
    names: tuple[str, ...]
    body: str
    detail: str
    papers: int


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """What :func:`write` wrote: rows per kind and the file's size in bytes."""

    rows: dict[str, int]
    size: int


def terms(text: str) -> list[str]:
    """The words of ``text`` as the index holds them: folded, lower case, letters and
    digits apart.

    >>> terms("Łukasz Kaiser, CIFAR10!")
    ['lukasz', 'kaiser', 'cifar', '10']
    """
    folded = _LETTER_DIGIT.sub(" ", ascii_fold(text)).lower()
    return _WORD.findall(folded)


def _key(text: str) -> str:
    return " ".join(terms(text))


# ---------------------------------------------------------------- reading the graph

CONCEPT_LINKS = (
    V.AUTHOR_KEYWORD,
    V.SUBJECT,
    V.PROPOSES_METHOD,
    V.USES_METHOD,
    V.USES_DATASET,
    V.INTRODUCES_DATASET,
    V.ADDRESSES_TASK,
    V.CLASSIFIED_AS,
)
_CLASSES = (
    V.PAPER,
    V.PERSON,
    V.CONCEPT,
    V.METHOD,
    V.DATASET,
    V.TASK,
    V.VENUE,
    V.ORGANIZATION,
)
_READ = (
    V.PREF_LABEL,
    V.ALT_LABEL,
    V.LABEL,
    V.TITLE,
    V.ABSTRACT,
    V.YEAR,
    V.VENUE_P,
    V.DECISION,
    V.CITES,
    V.HAS_AUTHORSHIP,
    V.POSITION,
    V.AUTHOR,
    V.NAME_AS_WRITTEN,
    V.FOAF_NAME,
    V.AFFILIATION,
    V.COUNTRY,
    *CONCEPT_LINKS,
)
#: The quads the index is made from (a build collects them as the graph streams by).
PATTERNS: tuple[Pattern, ...] = (
    *((V.TYPE.value, c.value) for c in _CLASSES),
    *((p.value, None) for p in _READ),
)


class _Graph:
    """The merged values of the patterns, as sorted strings."""

    def __init__(self, ix: QuadIndex) -> None:
        self._ix = ix

    def values(self, predicate: ox.NamedNode) -> dict[str, list[str]]:
        return {
            s: sorted({t.value for t in terms}) for s, terms in self._ix.merged(predicate).items()
        }

    def one(self, predicate: ox.NamedNode) -> dict[str, str]:
        """The smallest value per subject, for predicates with one value a subject."""
        out: dict[str, str] = {}
        for s, o, _ in self._ix.named(predicate):
            if s not in out or o.value < out[s]:
                out[s] = o.value
        return out

    def links(self, predicate: ox.NamedNode) -> Iterator[tuple[str, str]]:
        for s, o, _ in self._ix.named(predicate):
            yield s, o.value

    def links_raw(self, predicate: ox.NamedNode) -> list[tuple[str, Any, str]]:
        return self._ix.named(predicate)

    def subjects(self, cls: ox.NamedNode) -> list[str]:
        return sorted({s for s, _, _ in self._ix.named(V.TYPE, cls)})


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def documents(ix: QuadIndex) -> list[Doc]:
    """Every node search finds, from an index of the graph's quads (:data:`PATTERNS`), most
    popular first (then by kind and IRI): the order the index stores them in."""
    g = _Graph(ix)
    pref, alt, rdfs = g.values(V.PREF_LABEL), g.values(V.ALT_LABEL), g.values(V.LABEL)
    slots: defaultdict[str, list[str]] = defaultdict(list)
    for paper, slot in g.links(V.HAS_AUTHORSHIP):
        slots[paper].append(slot)
    author = g.one(V.AUTHOR)
    docs = [
        *_papers(g, pref, rdfs, slots, author),
        *_people(g, pref, slots, author),
        *_concepts(g, pref, alt),
        *_venues(g, rdfs),
        *_organizations(g, pref, alt, slots),
    ]
    order = {k: i for i, k in enumerate(KINDS)}
    docs.sort(key=lambda d: (-d.papers, order[d.kind], d.iri))
    return docs


def _papers(
    g: _Graph,
    pref: dict[str, list[str]],
    rdfs: dict[str, list[str]],
    slots: dict[str, list[str]],
    author: dict[str, str],
) -> Iterator[Doc]:
    titles = g.values(V.TITLE)
    abstract: dict[str, str] = {}  # the longest, of papers without a title
    for s, o, _ in g.links_raw(V.ABSTRACT):
        if (
            s not in titles
            and s not in rdfs
            and (len(o.value), o.value)
            > (
                len(abstract.get(s, "")),
                abstract.get(s, ""),
            )
        ):
            abstract[s] = o.value
    years, venues, decisions = g.values(V.YEAR), g.values(V.VENUE_P), g.values(V.DECISION)
    cited: defaultdict[str, set[str]] = defaultdict(set)
    for s, o in g.links(V.CITES):
        cited[o].add(s)
    position = {s: int(v) for s, v in g.one(V.POSITION).items() if v.isdigit()}
    for iri in g.subjects(V.PAPER):
        names = tuple(dict.fromkeys(rdfs.get(iri, []) + titles.get(iri, [])))
        # a paper without a title is known by the start of its abstract
        start = _short(abstract.get(iri, ""), 200)
        label = names[0] if names else (start or _local(iri))
        order = sorted(slots.get(iri, []), key=lambda s: (position.get(s, 1 << 30), s))
        people = [p for p in (pref.get(author.get(s, ""), [""])[0] for s in order) if p]
        who = ", ".join(people[:3]) + (" et al." if len(people) > 3 else "")
        venue = rdfs.get(venues[iri][0], [""])[0] if iri in venues else ""
        facts = [venue or years.get(iri, [""])[0], *decisions.get(iri, [])[:1], who]
        detail = " · ".join(f for f in facts if f)
        yield Doc(iri, "paper", label, names, "" if names else start, detail, len(cited[iri]))


def _people(
    g: _Graph, pref: dict[str, list[str]], slots: dict[str, list[str]], author: dict[str, str]
) -> Iterator[Doc]:
    papers: defaultdict[str, set[str]] = defaultdict(set)
    for paper, mine in slots.items():
        for slot in mine:
            if slot in author:
                papers[author[slot]].add(paper)
    names = g.values(V.FOAF_NAME)
    as_written = g.values(V.NAME_AS_WRITTEN)
    written: defaultdict[str, set[str]] = defaultdict(set)
    for slot, person in author.items():
        written[person].update(as_written.get(slot, ()))
    for iri in g.subjects(V.PERSON):
        label = (pref.get(iri) or names.get(iri) or [_local(iri)])[0]
        variants = tuple(dict.fromkeys([label, *names.get(iri, []), *sorted(written[iri])]))
        n = len(papers[iri])
        others = [v for v in variants[1:] if _key(v) != _key(label)]
        detail = _count(n, "paper") + (f" · also {', '.join(others[:3])}" if others else "")
        yield Doc(iri, "person", label, variants, "", detail, n)


def _concepts(g: _Graph, pref: dict[str, list[str]], alt: dict[str, list[str]]) -> Iterator[Doc]:
    papers: defaultdict[str, set[str]] = defaultdict(set)
    for predicate in CONCEPT_LINKS:
        for paper, concept in g.links(predicate):
            papers[concept].add(paper)
    roles: defaultdict[str, list[str]] = defaultdict(list)
    for role, cls in (("method", V.METHOD), ("dataset", V.DATASET), ("task", V.TASK)):
        for iri in g.subjects(cls):
            roles[iri].append(role)
    for iri in g.subjects(V.CONCEPT):
        label = (pref.get(iri) or alt.get(iri) or [_local(iri)])[0]
        variants = tuple(dict.fromkeys([label, *alt.get(iri, [])]))
        n = len(papers[iri])
        detail = " · ".join([", ".join(roles[iri]), _count(n, "paper")]).lstrip(" ·")
        yield Doc(iri, "concept", label, variants, "", detail, n)


def _venues(g: _Graph, rdfs: dict[str, list[str]]) -> Iterator[Doc]:
    papers: defaultdict[str, set[str]] = defaultdict(set)
    for paper, venue in g.links(V.VENUE_P):
        papers[venue].add(paper)
    for iri in g.subjects(V.VENUE):
        label = (rdfs.get(iri) or [_local(iri)])[0]
        n = len(papers[iri])
        yield Doc(iri, "venue", label, (label,), "", _count(n, "paper"), n)


def _organizations(
    g: _Graph, pref: dict[str, list[str]], alt: dict[str, list[str]], slots: dict[str, list[str]]
) -> Iterator[Doc]:
    paper_of = {slot: paper for paper, mine in slots.items() for slot in mine}
    papers: defaultdict[str, set[str]] = defaultdict(set)
    for slot, org in g.links(V.AFFILIATION):
        papers[org].add(paper_of.get(slot, slot))
    country = g.values(V.COUNTRY)
    for iri in g.subjects(V.ORGANIZATION):
        label = (pref.get(iri) or alt.get(iri) or [_local(iri)])[0]
        variants = tuple(dict.fromkeys([label, *alt.get(iri, [])]))
        n = len(papers[iri])
        detail = " · ".join([_count(n, "paper"), *country.get(iri, [])[:1]])
        yield Doc(iri, "organization", label, variants, "", detail, n)


# ---------------------------------------------------------------- writing the index

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs(
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
    detail TEXT NOT NULL, papers INTEGER NOT NULL);
CREATE TABLE exact(key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(key, id)) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    kind, title, names, body, content='', prefix='2 3',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO fts(fts, rank) VALUES('rank', 'bm25({", ".join(map(str, WEIGHTS))})');
"""


def write(path: Path, graph: ox.Store | QuadIndex) -> IndexInfo:
    """Write the search index of ``graph`` (a store, or the quads of :data:`PATTERNS` a
    build collected) to ``path``: a temporary file renamed over it when complete, so
    ``path`` always holds a whole index.  It holds the graph's quads of :data:`PATTERNS`
    in memory; a build writes the same index from its ``graph.nq`` in bounded memory
    (:func:`write_nquads`)."""
    ix = graph if isinstance(graph, QuadIndex) else QuadIndex.of_store(graph, PATTERNS)
    return _write_docs(path, documents(ix))


def _write_docs(path: Path, docs: Iterable[Doc]) -> IndexInfo:
    """Write ``docs`` (in the order the index stores them) as the index at ``path``."""
    fd, tmp = temp_beside(path)
    rows: dict[str, int] = dict.fromkeys(KINDS, 0)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"
            )
            with db:
                db.executescript(_SCHEMA)
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)", [("version", VERSION), ("fold", "ascii")]
                )
                for i, doc in enumerate(docs, start=1):
                    rows[doc.kind] += 1
                    _insert(db, i, doc)
                db.execute("INSERT INTO fts(fts) VALUES('optimize')")
            _vacuum(db, path.parent)
        finally:
            db.close()
        os.fsync(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    return IndexInfo(rows, path.stat().st_size)


def _vacuum(db: sqlite3.Connection, folder: Path) -> None:
    """VACUUM ``db`` through a temporary copy on disk in ``folder``: in memory, the copy
    would take as much memory as the index (0.5 GB at 1M papers).  The bytes are the same
    either way.  SQLite's temporary folder is one for the process, so it is set back."""
    before = db.execute("PRAGMA temp_store_directory").fetchall()
    db.execute("PRAGMA temp_store=FILE")
    db.execute("PRAGMA temp_store_directory = " + _quote(str(folder)))
    try:
        db.execute("VACUUM")
    finally:
        db.execute("PRAGMA temp_store_directory = " + _quote(before[0][0] if before else ""))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _insert(db: sqlite3.Connection, i: int, doc: Doc) -> None:
    db.execute(
        "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
        (i, doc.iri, doc.kind, doc.label, doc.detail, doc.papers),
    )
    keys = dict.fromkeys(k for k in map(_key, doc.names or (doc.label,)) if k)
    db.executemany("INSERT OR IGNORE INTO exact VALUES (?, ?)", [(k, i) for k in keys])
    title = _key(doc.names[0]) if doc.names else _key(doc.label)
    others = " ; ".join(k for k in keys if k != title)
    body = " ".join(terms(doc.body))
    db.execute(
        "INSERT INTO fts(rowid, kind, title, names, body) VALUES (?, ?, ?, ?, ?)",
        (i, doc.kind, title, others, body),
    )


# ---------------------------------------------------------------- searching


def match_expression(words: Sequence[str], kinds: Iterable[str] = ()) -> str:
    """The FTS5 query for ``words`` (as :func:`terms` gives them): each one quoted, the last
    a prefix when it has two characters or more, all of them required, in the name and
    text columns; ``kinds`` limits the kind column.

    >>> match_expression(["zico", "kol"], ["person"])
    '{title names body} : ("zico" AND "kol" *) AND kind : ("person")'
    """
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if len(words[-1]) >= 2:
        quoted[-1] += " *"
    expr = "{title names body} : (" + " AND ".join(quoted) + ")"
    chosen = [f'"{k}"' for k in kinds]
    if chosen:
        expr += " AND kind : (" + " OR ".join(chosen) + ")"
    return expr


def open_index(build_dir: str | Path) -> sqlite3.Connection:
    """The search index of the build in ``build_dir``, opened read-only; a clear error if
    there is none, it is of another version, or it is not an index kg wrote."""
    out = Path(build_dir)
    settle(out)
    path = out / FILE
    if not path.is_file():
        if not out.is_dir():
            raise StoreError(f"{out}: no build here; run `kg build --dir {out}` first")
        raise StoreError(
            f"{out}: no search index in this build (it was made before kg had search); "
            f"rebuild it with `kg build --dir {out}`, which writes {FILE}"
        )
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the search index ({exc})") from None
    try:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA query_only=ON")
        db.execute("PRAGMA cell_size_check=ON")
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error as exc:
        db.close()
        raise StoreError(
            f"{path}: not a search index kg can read ({exc}); rebuild it with "
            f"`kg build --dir {out}`"
        ) from None
    if row is None or row[0] != VERSION:
        db.close()
        raise StoreError(
            f"{path}: a search index of another kg version; rebuild it with `kg build --dir {out}`"
        )
    return db


def search(
    build_dir: str | Path, q: str, limit: int = 20, kinds: Iterable[str] | None = None
) -> list[Hit]:
    """The nodes of the build in ``build_dir`` that match ``q``, best first.

    ``kinds`` limits the result to some of :data:`KINDS` (an unknown one is a
    :class:`UsageError`); ``limit`` is kept within 1..:data:`MAX_LIMIT`.
    """
    db = open_index(build_dir)
    try:
        return search_in(db, q, limit, kinds, where=Path(build_dir) / FILE)
    finally:
        db.close()


def search_in(
    db: sqlite3.Connection,
    q: str,
    limit: int = 20,
    kinds: Iterable[str] | None = None,
    where: Path | str = FILE,
) -> list[Hit]:
    """:func:`search` on an index already open (:func:`open_index`)."""
    chosen = sorted(set(kinds or ()))
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise UsageError(f"unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    limit = max(1, min(int(limit), MAX_LIMIT))
    words = terms(q[:MAX_QUERY])[:MAX_TERMS]
    if not words:
        return []
    expr = match_expression(words, chosen)
    try:
        matches = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)", (expr, BROAD)
        ).fetchone()[0]
        if matches < BROAD:  # rank them all
            sql = "SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?"
            ranked = db.execute(sql, (expr, max(CANDIDATES, limit))).fetchall()
        else:  # rank the most popular
            sql = "SELECT rowid, rank FROM fts WHERE fts MATCH ? LIMIT ?"
            ranked = db.execute(sql, (expr, BROAD)).fetchall()
        exact = {r[0] for r in db.execute("SELECT id FROM exact WHERE key = ?", (" ".join(words),))}
        bm25 = {rowid: -rank for rowid, rank in ranked}
        ids = sorted(set(sorted(bm25, key=lambda i: (-bm25[i], i))[:CANDIDATES]) | exact)
        docs = db.execute(
            f"SELECT id, iri, kind, label, detail, papers FROM docs "
            f"WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"{where}: the search index failed ({exc}); rebuild it") from None
    hits = []
    for i, iri, kind, label, detail, papers in docs:
        if chosen and kind not in chosen:
            continue
        score = bm25.get(i, 0.0) * (1 + POPULARITY * math.log1p(papers))
        hits.append((i not in exact, -score, iri, Hit(iri, kind, label, detail, round(score, 4))))
    hits.sort(key=lambda h: h[:3])
    return [h[3] for h in hits[:limit]]


# ---------------------------------------------------------------- from graph.nq, streamed

#: Lines of graph.nq parsed at a time, and staged rows written or read at a time.
_BATCH = 20_000
_ROWS = 5_000
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}
_CLASS_IRIS = frozenset(c.value for c in _CLASSES)
_LINK_IRIS = frozenset(p.value for p in CONCEPT_LINKS)
_ROLES = (("method", V.METHOD.value), ("dataset", V.DATASET.value), ("task", V.TASK.value))
_NO_POSITION = 1 << 30
_STAGE = """
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16384;
CREATE TABLE staged(kind INTEGER NOT NULL, iri TEXT NOT NULL, label TEXT NOT NULL,
    names TEXT NOT NULL, body TEXT NOT NULL, extra TEXT NOT NULL);
CREATE TABLE docs(neg INTEGER NOT NULL, kind INTEGER NOT NULL, iri TEXT NOT NULL,
    label TEXT NOT NULL, names TEXT NOT NULL, body TEXT NOT NULL, detail TEXT NOT NULL,
    PRIMARY KEY(neg, kind, iri)) WITHOUT ROWID;
"""


def write_nquads(path: Path, nquads: Path, base: str) -> IndexInfo:
    """Write the index :func:`write` writes of a build's graph to ``path``, from the
    build's sorted ``graph.nq`` (IRIs minted under ``base``), in memory that grows with
    the number of people, concepts, venues and organizations but not with the quads.

    The nodes' documents are staged in an SQLite file beside ``path`` and sorted there.
    A file not laid out as a build writes it is indexed by :func:`write` instead.
    """
    fd, stage = temp_beside(path)
    try:
        db = sqlite3.connect(stage)
        try:
            db.executescript(_STAGE)
            stream = _Stream(db, base)
            try:
                stream.read(nquads)
            except _Unstreamable:
                db.close()
                return write(path, QuadIndex.of_nquads(nquads, PATTERNS))
            return _write_docs(path, stream.docs())
        finally:
            db.close()
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(stage)


class _Unstreamable(Exception):
    """graph.nq is not laid out as a build writes it: not sorted, or an authorship slot
    that is not under its paper's IRI."""


@dataclass(slots=True)
class _Slot:
    """What an authorship slot gives its paper: position, author and affiliations."""

    position: int | None
    author: str | None
    orgs: set[str]


def _values(quads: dict[str, list[Any]], predicate: ox.NamedNode) -> list[str]:
    return sorted({t.value for t in quads.get(predicate.value, ())})


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class _Stream:
    """The documents of :func:`documents` from a sorted graph.nq, read once.

    :meth:`read` gathers each node's quads (consecutive lines of the sorted file), stages
    what its document needs of them in an SQLite table, and keeps in memory only the
    tables a document needs of other nodes: the first label of each author and venue,
    each person's written names, the paper counts of people, concepts, venues and
    organizations, and the citation counts.  A paper's authorship slots
    (``paper/KEY/author/...``) sort just before the paper's own lines, so a paper waits
    only for its slots.  :meth:`docs` completes each staged node with the tables, sorts
    the documents on disk and yields them in the index's order.
    """

    def __init__(self, db: sqlite3.Connection, base: str) -> None:
        self.db = db
        self.region = base + "paper/"
        self.pref: dict[str, str] = {}  # the first prefLabel of each node that has one
        self.rdfs: dict[str, str] = {}  # the first rdfs:label of each node but papers
        self.cited: defaultdict[str, int] = defaultdict(int)
        self.counts: dict[str, defaultdict[str, int]] = {k: defaultdict(int) for k in KINDS}
        self.written: dict[str, str | set[str]] = {}  # a name, or a set of them
        self.groups: dict[bytes, dict[str, _Slot]] = {}  # slots of papers not yet read
        self.rows: list[tuple[int, str, str, str, str, str]] = []
        self._node: tuple[str, bytes, dict[str, list[Any]]] | None = None
        self._previous = b""

    def read(self, path: Path) -> None:
        with path.open("rb") as handle:
            for lines in wanted_batches(handle, predicates(PATTERNS), _BATCH):
                self._parse(lines)
        if self._node is not None:
            self._take(*self._node)
        for token in list(self.groups):
            self._close(token)
        self._flush()

    def _parse(self, lines: list[bytes]) -> None:
        """Gather the quads of ``lines`` by subject; the last subject's may go on in the
        next lines."""
        if not lines:
            return
        previous, node = self._previous, self._node
        type_iri, classes = V.TYPE.value, _CLASS_IRIS
        quads = ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)
        for line, q in zip(lines, quads, strict=True):
            if line < previous:
                raise _Unstreamable("graph.nq is not sorted")
            previous = line
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue
            p, o = q.predicate.value, q.object
            if p == type_iri and o.value not in classes:
                continue
            s = q.subject.value  # type: ignore[union-attr]
            if node is None or node[0] != s:
                if node is not None:
                    self._take(*node)
                node = (s, line, {})
            node[2].setdefault(p, []).append(o)
        self._previous, self._node = previous, node

    # ------------------------------------------------------------ one node

    def _take(self, s: str, line: bytes, quads: dict[str, list[Any]]) -> None:
        """Stage the documents of node ``s`` (``line`` is its first) and count what its
        quads add to others'."""
        for token in [t for t in self.groups if line[: len(t)] > t]:
            self._close(token)  # every line of that paper and its slots is behind
        types = {t.value for t in quads.get(V.TYPE.value, ())}
        pref = _values(quads, V.PREF_LABEL)
        rdfs = _values(quads, V.LABEL)
        if pref:
            self.pref[s] = pref[0]
        if rdfs and V.PAPER.value not in types:
            self.rdfs[s] = rdfs[0]
        for cited in _values(quads, V.CITES):
            self.cited[cited] += 1
        counts = self.counts
        for concept in {t.value for p in _LINK_IRIS for t in quads.get(p, ())}:
            counts["concept"][concept] += 1
        for venue in _values(quads, V.VENUE_P):
            counts["venue"][venue] += 1
        authors = _values(quads, V.AUTHOR)
        author = authors[0] if authors else None
        if author is not None:
            self._written(author, _values(quads, V.NAME_AS_WRITTEN))
        positions = _values(quads, V.POSITION)
        position = int(positions[0]) if positions and positions[0].isdigit() else None
        orgs = set(_values(quads, V.AFFILIATION))

        slots = [t.value for t in quads.get(V.HAS_AUTHORSHIP.value, ())]
        claimed: dict[str, _Slot] = {}
        if s.startswith(self.region):
            key, below, _ = s[len(self.region) :].partition("/")
            token = b"<" + (self.region + key).encode() + b">"
            if not line.startswith(b"<" + s.encode() + b"> "):
                raise _Unstreamable(f"{s} is not written as is in graph.nq")
            group = self.groups.setdefault(token, {})
            if below:  # a slot, or another node under a paper
                if slots:
                    raise _Unstreamable(f"{s} has authorships but is not a paper")
                if author is not None or position is not None or orgs:
                    group[s] = _Slot(position, author, orgs)
            else:  # the paper (or a node in its place): its slots are all read
                for slot in slots:
                    if not slot.startswith(s + "/"):
                        raise _Unstreamable(f"the authorship {slot} is not under {s}")
                    if slot in group:
                        claimed[slot] = group.pop(slot)
                people = {c.author for c in claimed.values() if c.author is not None}
                for person in people:
                    counts["person"][person] += 1
                orgs = orgs.union(*(c.orgs for c in claimed.values()))
                for org in orgs:
                    counts["organization"][org] += 1
                self._close(token)
        else:
            if slots:
                raise _Unstreamable(f"{s} has authorships but is not under {self.region}")
            for org in orgs:
                counts["organization"][org] += 1

        if V.PAPER.value in types:
            self._paper(s, quads, rdfs, slots, claimed)
        if V.PERSON.value in types:
            foaf = _values(quads, V.FOAF_NAME)
            label = (pref or foaf or [_local(s)])[0]
            self._stage("person", s, label, foaf, "", "")
        if V.CONCEPT.value in types:
            alt = _values(quads, V.ALT_LABEL)
            label = (pref or alt or [_local(s)])[0]
            roles = ", ".join(role for role, cls in _ROLES if cls in types)
            self._stage("concept", s, label, _dedupe([label, *alt]), "", roles)
        if V.VENUE.value in types:
            label = (rdfs or [_local(s)])[0]
            self._stage("venue", s, label, [label], "", "")
        if V.ORGANIZATION.value in types:
            alt = _values(quads, V.ALT_LABEL)
            label = (pref or alt or [_local(s)])[0]
            country = _values(quads, V.COUNTRY)[:1]
            self._stage("organization", s, label, _dedupe([label, *alt]), "", json.dumps(country))

    def _paper(
        self,
        s: str,
        quads: dict[str, list[Any]],
        rdfs: list[str],
        slots: list[str],
        claimed: dict[str, _Slot],
    ) -> None:
        titles = _values(quads, V.TITLE)
        names = _dedupe(rdfs + titles)
        abstract = ""  # the longest, of a paper without a title
        if not titles and not rdfs:
            abstract = max(_values(quads, V.ABSTRACT), key=lambda v: (len(v), v), default="")
        start = _short(abstract, 200)
        label = names[0] if names else (start or _local(s))

        def position(slot: str) -> tuple[int, str]:
            found = claimed.get(slot)
            at = found.position if found is not None else None
            return (_NO_POSITION if at is None else at, slot)

        authors = []
        for slot in sorted(slots, key=position):
            found = claimed.get(slot)
            authors.append(found.author or "" if found is not None else "")
        venues = _values(quads, V.VENUE_P)
        years = _values(quads, V.YEAR)
        extra = [
            authors,
            venues[0] if venues else None,
            years[0] if years else "",
            _values(quads, V.DECISION)[:1],
            bool(rdfs),
        ]
        self._stage("paper", s, label, names, "" if names else start, json.dumps(extra))

    def _written(self, person: str, names: list[str]) -> None:
        """Add ``names`` to the names ``person`` is written as (most have one)."""
        if not names:
            return
        had = self.written.get(person)
        if had is None and len(names) == 1:
            self.written[person] = names[0]
        elif isinstance(had, set):
            had.update(names)
        else:
            self.written[person] = {*names, *([had] if had is not None else [])}

    def _close(self, token: bytes) -> None:
        """A paper's slots are all read: the affiliations of those it has not claimed
        count for the slots themselves (as :func:`documents` counts them)."""
        for slot in self.groups.pop(token).values():
            for org in slot.orgs:
                self.counts["organization"][org] += 1

    def _stage(
        self, kind: str, iri: str, label: str, names: list[str], body: str, extra: str
    ) -> None:
        self.rows.append((_KIND_ORDER[kind], iri, label, json.dumps(names), body, extra))
        if len(self.rows) >= _ROWS:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?, ?, ?)", self.rows)
        self.rows.clear()

    # ------------------------------------------------------------ the documents

    def docs(self) -> Iterator[Doc]:
        """The staged nodes' documents in the index's order (:func:`documents`)."""
        db = self.db
        missing = {v for v in self.counts["venue"] if v not in self.rdfs}
        if missing:  # a venue with no label, or one that is a paper: look for papers
            for iri, names, extra in db.execute(
                "SELECT iri, names, extra FROM staged WHERE kind = ?", (_KIND_ORDER["paper"],)
            ):
                if iri in missing and json.loads(extra)[4]:
                    self.rdfs[iri] = json.loads(names)[0]
        last = 0
        while True:
            rows = db.execute(
                "SELECT rowid, kind, iri, label, names, body, extra FROM staged "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, _ROWS),
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            done = []
            for _, kind, iri, label, names, body, extra in rows:
                detail, n, names = self._complete(KINDS[kind], iri, label, names, extra)
                done.append((-n, kind, iri, label, names, body, detail))
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", done)
        for neg, kind, iri, label, names, body, detail in db.execute(
            "SELECT * FROM docs ORDER BY neg, kind, iri"
        ):
            yield Doc(iri, KINDS[kind], label, tuple(json.loads(names)), body, detail, -neg)

    def _complete(
        self, kind: str, iri: str, label: str, names: str, extra: str
    ) -> tuple[str, int, str]:
        """A staged node's detail, paper count and names, from the global tables."""
        if kind == "paper":
            authors, venue, year, decision, _ = json.loads(extra)
            people = [p for p in (self.pref.get(a, "") for a in authors) if p]
            who = ", ".join(people[:3]) + (" et al." if len(people) > 3 else "")
            named = self.rdfs.get(venue, "") if venue is not None else ""
            facts = [named or year, *decision, who]
            return " · ".join(f for f in facts if f), self.cited.get(iri, 0), names
        n = self.counts[kind].get(iri, 0)
        if kind == "person":
            found = self.written.get(iri, ())
            written = [found] if isinstance(found, str) else sorted(found)
            variants = _dedupe([label, *json.loads(names), *written])
            others = [v for v in variants[1:] if _key(v) != _key(label)]
            detail = _count(n, "paper") + (f" · also {', '.join(others[:3])}" if others else "")
            return detail, n, json.dumps(variants)
        if kind == "concept":
            return " · ".join([extra, _count(n, "paper")]).lstrip(" ·"), n, names
        if kind == "venue":
            return _count(n, "paper"), n, names
        return " · ".join([_count(n, "paper"), *json.loads(extra)]), n, names
