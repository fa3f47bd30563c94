"""Resolution in parts: blocks of records that cannot affect each other, resolved apart.

Papers and people are each resolved in three steps, so that the middle one can run on
several workers (a process pool, a Dask cluster) with each worker holding only its part:

1. **Blocking** (here, where the records were read): records are joined into blocks by
   what linking compares them on: papers by their exact keys (OpenReview forum, arXiv id, DOI,
   normalised title) and, for a record without a title, the surnames of its authors;
   people's author slots by their surname (umlauts folded), a person identifier they
   share, or a slot of the same paper in another source that their name fits.  No link is
   ever made across two blocks, so a block resolves alone to what it does in the whole.
2. **Resolving** each part (blocks grouped to even sizes) with the same code a whole corpus
   uses (:func:`kg.resolve.paperlinks.link_papers`, :func:`kg.resolve.people.link_people`).
3. **Finishing** (here): what needs every part is small: making paper keys that hash alike
   unique, resolving citations against every title, numbering people whose labels slug
   alike, and the word counts topic vectors are weighed with (counted once, over a sample
   of the papers, before the parts run).

The outcome is the same, byte for byte, for any number of parts
(``tests/resolve/test_partition.py``), so a build with one part is the single-process
build and a build with N parts on a cluster gives exactly its files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar

from kg.records import Citation, Paper
from kg.resolve.homonyms import topic_counts
from kg.resolve.paperlinks import (
    PaperCluster,
    PaperResolution,
    Ranked,
    _exact_keys,
    finish_papers,
    link_papers,
    surname_key,
)
from kg.resolve.people import (
    CoAuthors,
    PeopleResolution,
    Person,
    Ref,
    TopicCounts,
    _AuthorOcc,
    coauthor_keys,
    finish_people,
    fits_same_paper,
    link_people,
    occurrences,
    paper_records,
    paper_text,
    surname_block,
)

T = TypeVar("T")
R = TypeVar("R")
#: Runs a function over payloads, like the built-in ``map`` but giving a list: in this
#: process, on a process pool, or on a Dask cluster (``client.map``, then gathered).
Runner = Callable[[Callable[[T], R], Sequence[T]], list[R]]


def serial(fn: Callable[[T], R], payloads: Sequence[T]) -> list[R]:
    """Run every part in this process, one after the other."""
    return [fn(p) for p in payloads]


class _Sets:
    """Union-find over 0..n-1 (blocks only need their members, not a canonical root)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """The sets, each in increasing order, by their smallest member."""
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return list(out.values())


def plan(sizes: Sequence[int], parts: int) -> list[list[int]]:
    """Spread blocks of ``sizes`` over at most ``parts`` parts of about equal size: the
    largest block first, each to the smallest part so far (ties to the first).  Each part
    lists its blocks in their given order; parts that would stay empty are left out."""
    load = [0] * max(1, parts)
    out: list[list[int]] = [[] for _ in load]
    for i in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        j = min(range(len(load)), key=lambda j: (load[j], j))
        load[j] += sizes[i]
        out[j].append(i)
    return [sorted(p) for p in out if p]


# -- papers -------------------------------------------------------------------------------


def paper_blocks(records: Sequence[Ranked]) -> list[list[int]]:
    """Indexes of ``records`` in blocks that :func:`link_papers` never links across."""
    sets = _Sets(len(records))
    first: dict[str, int] = {}
    by_authors: dict[tuple[str, ...], list[int]] = defaultdict(list)
    untitled: set[tuple[str, ...]] = set()
    for i, ranked in enumerate(records):
        paper = ranked.paper
        for key in _exact_keys(paper):
            sets.union(first.setdefault(key, i), i)
        if paper.authors:
            surnames = tuple(surname_key(a.name) for a in paper.authors)
            by_authors[surnames].append(i)
            if not paper.title:
                untitled.add(surnames)
    for surnames in untitled:  # an untitled record may link to any record of its authors
        head, *rest = by_authors[surnames]
        for i in rest:
            sets.union(head, i)
    return sets.groups()


#: A cluster as a part gives it back: its key, its members (positions in the part's list of
#: records, canonical first) and its evidence; records are not sent back, only pointed at.
PartCluster = tuple[str, tuple[int, ...], tuple[str, ...]]


def link_paper_part(records: Sequence[Ranked]) -> list[PartCluster]:
    """Step 2 for papers: the clusters of one part's records."""
    position = {r.paper.id: i for i, r in enumerate(records)}
    return [
        (c.key, tuple(position[m.paper.id] for m in c.members), c.evidence)
        for c in link_papers(records)
    ]


def resolve_papers(
    records: Sequence[Ranked],
    citations: Sequence[Citation] = (),
    parts: int = 1,
    run: Runner[Any, Any] = serial,
    with_conflicts: bool = True,
) -> PaperResolution:
    """:func:`kg.resolve.paperlinks.resolve_papers` in up to ``parts`` parts run by ``run``
    (``with_conflicts``: see :func:`~kg.resolve.paperlinks.finish_papers`)."""
    if parts <= 1:
        payloads: list[Sequence[Ranked]] = [records]
    else:
        blocks = paper_blocks(records)
        payloads = [
            [records[i] for b in part for i in blocks[b]]
            for part in plan([len(b) for b in blocks], parts)
        ]
        del blocks
    clusters = [
        PaperCluster(key, tuple(part[i] for i in members), evidence)
        for part, found in zip(payloads, run(link_paper_part, payloads), strict=True)
        for key, members, evidence in found
    ]
    del payloads
    return finish_papers(clusters, citations, with_conflicts)


# -- people -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeoplePart:
    """What one part of the people needs: its slots, their co-author keys, the records of
    the papers they are on (for topics) and the corpus's word counts."""

    occs: list[_AuthorOcc]
    coauthors: dict[Ref, CoAuthors]
    records: dict[str, list[Paper]] | None
    counts: TopicCounts | None


def people_blocks(occs: Sequence[_AuthorOcc]) -> list[list[int]]:
    """Indexes of ``occs`` in blocks that :func:`link_people` never links across."""
    by_paper: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, occ in enumerate(occs):
        by_paper[occ.paper][occ.ref[0]].append(i)
    return slot_blocks(
        len(occs),
        lambda i: (surname_block(occs[i]), *(f"{s}\0{v}" for s, v in occs[i].author.ids)),
        [list(records.values()) for records in by_paper.values() if len(records) > 1],
        lambda i, j: fits_same_paper(occs[i], occs[j]),
    )


def slot_blocks(
    n: int,
    keys: Callable[[int], Iterable[str]],
    papers: Iterable[Sequence[Sequence[int]]],
    fits: Callable[[int, int], bool],
) -> list[list[int]]:
    """Author slots 0..n-1 in blocks that :func:`link_people` never links across.

    ``keys(i)`` are slot ``i``'s surname block and identifiers (``scheme\0value``); slots
    that share one are in one block.  ``papers`` gives, for each paper with several
    records, the slots of each record; two of them are in one block where
    ``fits(earlier, later)`` either way round.
    """
    sets = _Sets(n)
    first: dict[str, int] = {}
    for i in range(n):
        for key in keys(i):
            sets.union(first.setdefault(key, i), i)
    for records in papers:
        for mine, theirs in combinations(records, 2):
            for i in mine:
                for j in theirs:
                    if fits(i, j) or fits(j, i):
                        sets.union(i, j)
    return sets.groups()


def link_people_part(part: PeoplePart) -> tuple[list[Person], dict[str, list[dict[str, Any]]]]:
    """Step 2 for people: the people of one part's slots, and its decisions per name."""
    return link_people(part.occs, part.coauthors, part.records, part.counts)


def resolve_people(
    papers: Sequence[Paper],
    cluster_of: Mapping[str, str],
    parts: int = 1,
    run: Runner[Any, Any] = serial,
) -> PeopleResolution:
    """:func:`kg.resolve.people.resolve_people` in up to ``parts`` parts run by ``run``."""
    occs = occurrences(papers, cluster_of)
    coauthors = coauthor_keys(occs)
    if parts <= 1:
        payloads = [PeoplePart(occs, coauthors, None, None)]  # topics made if needed
    else:
        # topics are weighed with word counts over the whole corpus, made once here
        records = paper_records(occs)
        counts = topic_counts(list(records), lambda key: paper_text(records[key]))
        blocks = people_blocks(occs)
        payloads = []
        for part in plan([len(b) for b in blocks], parts):
            mine = sorted(i for b in part for i in blocks[b])
            part_occs = [occs[i] for i in mine]
            payloads.append(
                PeoplePart(
                    part_occs,
                    {o.ref: coauthors[o.ref] for o in part_occs},
                    {p: records[p] for p in {o.paper for o in part_occs} if p in records},
                    counts,
                )
            )
        del blocks, coauthors, records
    results = run(link_people_part, payloads)
    del payloads
    return finish_people([r[0] for r in results], [r[1] for r in results])
