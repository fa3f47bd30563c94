"""One node per real paper: link source records and citations of the same paper.

Records are linked by exact keys (OpenReview forum id, arXiv id, DOI, normalised title),
never by comparing every pair.  Records without a title are linked to a titled record with
the same author surnames when their abstracts agree.  Citations are resolved by id, then by
normalised title, then by a fuzzy title match among candidates that share rare title words,
then (for papers whose records carry no title) by first author.

The outcome is deterministic and independent of the order of the input.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.identifiers import normalize
from kg.records import Citation, Paper
from kg.resolve.unionfind import UnionFind
from kg.text import normalize_person_name, normalize_title, short_hash

#: Titles shorter than this (normalised) are too generic to link records on their own.
MIN_TITLE_CHARS = 12
#: difflib ratio above which two normalised titles name the same paper.
FUZZY_TITLE_RATIO = 0.93
#: Share of abstract words two records must have in common to be the same untitled paper.
ABSTRACT_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Ranked:
    """A paper record with the authority of the reader that produced it."""

    paper: Paper
    authority: int

    @property
    def order_key(self) -> tuple[int, str, int, int]:
        """Highest authority first, then file name, line and item on the line: the
        canonical member order (a total order, so no order of the input decides it)."""
        source = self.paper.source
        return (-self.authority, source.file, source.line, source.item)


@dataclass(frozen=True, slots=True)
class PaperCluster:
    """The records of one real paper, canonical member first, and its IRI key."""

    key: str
    members: tuple[Ranked, ...]
    evidence: tuple[str, ...]

    @property
    def canonical(self) -> Paper:
        return self.members[0].paper


@dataclass(slots=True)
class PaperResolution:
    """Which cluster every record and citation belongs to, with the evidence."""

    clusters: list[PaperCluster]
    cluster_of: dict[str, str]  # record id -> cluster key
    citation_target: dict[str, str]  # citation id -> cluster key
    citation_evidence: dict[str, str]  # citation id -> how it was resolved
    conflicts: list[dict[str, object]] = field(default_factory=list)


def surname_key(name: str) -> str:
    """The last word of a normalised name: what every way of writing a name keeps."""
    words = normalize_person_name(re.sub(r"\([^)]*\)", " ", name)).split()
    return words[-1] if words else ""


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]{3,}", (text or "").lower()))


def _id_key(scheme: str, value: str | None) -> str | None:
    """The key of an identifier: its canonical form (readers give nothing else: an arXiv id
    without its version, a DOI in lower case), or the value as given by other callers."""
    return normalize(scheme, value) or value


def _exact_keys(paper: Paper) -> list[str]:
    keys = []
    if paper.ids.openreview:
        keys.append(f"openreview:{_id_key('openreview_forum', paper.ids.openreview)}")
    if paper.ids.arxiv:
        keys.append(f"arxiv:{_id_key('arxiv', paper.ids.arxiv)}")
    if paper.ids.doi:
        keys.append(f"doi:{_id_key('doi', paper.ids.doi)}")
    if paper.title and (title := normalize_title(paper.title)):
        if len(title) >= MIN_TITLE_CHARS:
            keys.append("title:" + title)
        elif paper.authors:  # a short title is only distinctive with its first author
            keys.append(f"title:{title}|{surname_key(paper.authors[0].name)}")
    return keys


def resolve_papers(
    records: Sequence[Ranked], citations: Sequence[Citation] = ()
) -> PaperResolution:
    """Cluster paper records and resolve citations to the clusters."""
    return finish_papers(link_papers(records), citations)


def link_papers(records: Sequence[Ranked]) -> list[PaperCluster]:
    """The clusters of ``records``, keyed but not yet told apart from other clusters' keys.

    Records that share no exact key (and no author surnames, where one lacks a title) never
    affect each other's clusters, so blocks of records can be linked apart
    (:mod:`kg.resolve.partition`) and their clusters finished together.
    """
    by_id = {r.paper.id: r for r in records}
    uf: UnionFind[str] = UnionFind(sorted(by_id))
    forum: dict[str, str | None] = {i: r.paper.ids.openreview for i, r in by_id.items()}
    evidence: dict[str, set[str]] = defaultdict(set)

    def link(a: str, b: str, why: str) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            return
        fa, fb = forum[ra], forum[rb]
        if fa and fb and fa != fb:
            return  # two different forum ids: never the same paper
        uf.union(ra, rb)
        root = uf.find(ra)
        forum[root] = fa or fb
        evidence[root] |= evidence.pop(rb if root == ra else ra, set()) | {why}

    index: dict[str, list[str]] = defaultdict(list)
    for rid in sorted(by_id):
        for key in _exact_keys(by_id[rid].paper):
            index[key].append(rid)
    for key in sorted(index):
        first, *rest = index[key]
        for other in rest:
            link(first, other, key.split(":", 1)[0])

    _link_untitled(by_id, link)

    index.clear()
    forum.clear()
    groups: dict[str, list[Ranked]] = defaultdict(list)
    for rid, ranked in by_id.items():
        groups[uf.find(rid)].append(ranked)
    uf.parent.clear()
    del by_id
    clusters: list[PaperCluster] = []
    for root, members in groups.items():
        members.sort(key=lambda r: r.order_key)
        key = _cluster_key(members)
        clusters.append(PaperCluster(key, tuple(members), tuple(sorted(evidence.get(root, ())))))
    return clusters


def finish_papers(
    clusters: list[PaperCluster], citations: Sequence[Citation] = (), with_conflicts: bool = True
) -> PaperResolution:
    """Order the clusters of every block, make their keys unique, resolve the citations;
    list the conflicts between a paper's records unless ``with_conflicts`` is false (their
    records may then lack the abstracts and years it compares)."""
    clusters.sort(key=lambda c: (c.key, c.members[0].order_key))
    cluster_of: dict[str, str] = {}
    for cluster in clusters:
        for m in cluster.members:
            cluster_of[m.paper.id] = cluster.key
    _disambiguate_keys(clusters, cluster_of)

    resolution = PaperResolution(clusters, cluster_of, {}, {})
    _resolve_citations(resolution, citations)
    if with_conflicts:
        resolution.conflicts = conflicts(clusters)
    return resolution


def _link_untitled(by_id: dict[str, Ranked], link: object) -> None:
    """Link records without a title to titled records by author surnames and abstract."""
    assert callable(link)
    if all(r.paper.title or not r.paper.authors for r in by_id.values()):
        return  # nothing to link: the index of every record's surnames is not built
    by_authors: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for rid in sorted(by_id):
        paper = by_id[rid].paper
        if paper.authors:
            by_authors[tuple(surname_key(a.name) for a in paper.authors)].append(rid)
    for rid in sorted(by_id):
        paper = by_id[rid].paper
        if paper.title or not paper.authors:
            continue
        words = _words(paper.abstract)
        for other in by_authors[tuple(surname_key(a.name) for a in paper.authors)]:
            if other == rid or by_id[other].paper.source.file == paper.source.file:
                continue
            theirs = _words(by_id[other].paper.abstract)
            if words and theirs and len(words & theirs) / len(words | theirs) >= ABSTRACT_OVERLAP:
                link(rid, other, "authors+abstract")


def _cluster_key(members: Sequence[Ranked]) -> str:
    """The forum id where one is known, else a hash of the canonical title and first author."""
    forums = sorted({m.paper.ids.openreview for m in members if m.paper.ids.openreview})
    if forums:
        return forums[0]
    canonical = next((m.paper for m in members if m.paper.title), members[0].paper)
    first = surname_key(canonical.authors[0].name) if canonical.authors else ""
    if canonical.title:
        return "t" + short_hash(normalize_title(canonical.title), first)
    return "a" + short_hash(" ".join(sorted(_words(canonical.abstract))), first)


def _disambiguate_keys(clusters: list[PaperCluster], cluster_of: dict[str, str]) -> None:
    """Two clusters can hash alike only for duplicate records that failed to link."""
    seen: Counter[str] = Counter()
    for i, cluster in enumerate(clusters):
        seen[cluster.key] += 1
        if seen[cluster.key] > 1:
            key = f"{cluster.key}-{seen[cluster.key]}"
            clusters[i] = PaperCluster(key, cluster.members, cluster.evidence)
            for m in cluster.members:
                cluster_of[m.paper.id] = key


def _resolve_citations(res: PaperResolution, citations: Sequence[Citation]) -> None:
    if not citations:
        return  # the title indexes below are only for citations
    by_key: dict[str, str] = {}
    words: dict[str, set[str]] = defaultdict(set)  # title word -> cluster keys
    titles: dict[str, list[str]] = defaultdict(list)  # cluster key -> normalised titles
    untitled: dict[str, list[str]] = defaultdict(list)  # first-author surname -> cluster keys
    for cluster in res.clusters:
        for m in cluster.members:
            for k in _exact_keys(m.paper):
                by_key.setdefault(k, cluster.key)
            if m.paper.title:
                title = normalize_title(m.paper.title)
                titles[cluster.key].append(title)
                for w in title.split():
                    words[w].add(cluster.key)
        if not any(m.paper.title for m in cluster.members) and cluster.canonical.authors:
            untitled[surname_key(cluster.canonical.authors[0].name)].append(cluster.key)
    for cite in sorted(citations, key=lambda c: c.id):
        target, how = _resolve_one(cite, by_key, words, titles, untitled)
        if target:
            res.citation_target[cite.id] = target
            res.citation_evidence[cite.id] = how


def _resolve_one(
    cite: Citation,
    by_key: dict[str, str],
    words: dict[str, set[str]],
    titles: dict[str, list[str]],
    untitled: dict[str, list[str]],
) -> tuple[str | None, str]:
    probe = Paper(source=cite.source, title=cite.title, ids=cite.ids)
    for key in _exact_keys(probe):
        if key in by_key:
            return by_key[key], key.split(":", 1)[0]
    if cite.title:
        title = normalize_title(cite.title)
        # candidates share at least one of the title's two rarest words
        rare = sorted((len(words.get(w, ())), w) for w in set(title.split()) if w in words)[:2]
        candidates = sorted(set().union(*(words[w] for _, w in rare))) if rare else []
        best, best_ratio = None, 0.0
        for key in candidates:
            for other in titles[key]:
                matcher = difflib.SequenceMatcher(None, title, other)
                if matcher.real_quick_ratio() < FUZZY_TITLE_RATIO:
                    continue
                ratio = matcher.ratio()
                if ratio > best_ratio:
                    best, best_ratio = key, ratio
        if best and best_ratio >= FUZZY_TITLE_RATIO:
            return best, f"fuzzy-title:{best_ratio:.3f}"
    first = re.split(r"\s+et al\.?|,| and ", cite.authors)[0]
    keys = untitled.get(surname_key(first), []) if first else []
    if len(keys) == 1:
        return keys[0], "first-author"
    return None, ""


def _difference(a: str, b: str, context: int = 40) -> str:
    """Where two texts first part ways, as ``...a-part... | ...b-part...``."""
    start = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    lo = max(0, start - context)
    return f"...{a[lo : start + context]}... | ...{b[lo : start + context]}..."


def conflicts(clusters: Sequence[PaperCluster]) -> list[dict[str, object]]:
    """Titles, abstracts and years that differ between the sources of one paper.

    Differences of case, punctuation, escaping or white space only are not conflicts.
    Each source keeps its own value in its own named graph; this list is the report.
    """
    out: list[dict[str, object]] = []
    for cluster in clusters:
        if len(cluster.members) < 2:
            continue
        for name in ("title", "abstract", "year"):
            valued = [m.paper for m in cluster.members if getattr(m.paper, name)]
            keys = {normalize_title(str(getattr(p, name))) for p in valued}
            if len(keys) < 2:
                continue
            entry: dict[str, object] = {
                "paper": cluster.key,
                "field": name,
                "sources": [str(p.source) for p in valued],
            }
            if name != "abstract":
                entry["values"] = [getattr(p, name) for p in valued]
            else:
                a, b = (normalize_title(getattr(p, name)) for p in valued[:2])
                entry["difference"] = _difference(a, b)
            out.append(entry)
    return out
