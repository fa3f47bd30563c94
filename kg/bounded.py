"""Resolution that holds keys, not records: the sources read in passes.

:func:`kg.pipeline.resolve` holds every record while it resolves (6.7 GB at 1M papers).
:func:`resolve_sources` gives the same resolution, byte for byte once saved
(``tests/test_bounded.py``), holding only what resolving needs of every record:

1. **A first pass** over the sources keeps each record slim: its id, title, identifiers
   and first author (a record without a title keeps everything), its authors' names and
   identifiers, its affiliations, its citations, and the acronyms its abstract defines.
   What people need of the record (:class:`Spill`: the record without its text, and the
   start of its text that topics read) is written to a spill file.  Abstracts, keywords
   and every other field are dropped as the record passes.
2. **Papers** are linked on the slim records (:func:`kg.resolve.partition.resolve_papers`).
   Linking compares abstracts only for records without a title and titled records with
   the same author surnames; those titled records (found by their first surname) are read
   again whole from the sources before linking (whose SHA-256 must not have changed).
3. **People** are blocked on the slots' names and identifiers alone
   (:func:`kg.resolve.partition.slot_blocks`), and the blocks are planned into parts of
   at most :data:`PART_SLOTS` slots.  Each part reads the records of the papers its slots
   are on, and only those, back from the spill, links its slots, and drops them.  Parts
   run by ``run``: in this process, on a pool (:func:`pooled`) or on a Dask cluster,
   where each worker reads its part from the spill itself.  The word counts that weigh
   topics are counted first, on the sample of papers
   :func:`kg.resolve.homonyms.topic_counts` takes, read from the spill likewise.
4. **Finishing** (paper keys, citations, people's keys, organizations, acronyms) runs on
   the compact results, as in :mod:`kg.resolve.partition`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import socket
import stat
import tempfile
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kg.acronyms import find_definitions
from kg.errors import InputError
from kg.extract.workers import pool, sigterm_raises
from kg.reading import Reading, check_names, lines_of
from kg.records import Affiliation, Author, Citation, Ids, Paper, SourceRef, Urls
from kg.resolve.concepts import learn_acronyms
from kg.resolve.homonyms import TOPIC_CHARS, TOPIC_SAMPLE, topic_counts
from kg.resolve.organizations import (
    AffiliationOcc,
    Organizations,
    affiliations_of,
    resolve_affiliations,
)
from kg.resolve.paperlinks import PaperResolution, Ranked, surname_key
from kg.resolve.partition import (
    PeoplePart,
    Runner,
    link_people_part,
    plan,
    resolve_papers,
    serial,
    slot_blocks,
)
from kg.resolve.people import (
    PeopleResolution,
    Person,
    TopicCounts,
    coauthor_keys,
    finish_people,
    name_block,
    names_fit,
    occurrences,
    paper_text,
)
from kg.resolve.personnames import parse
from kg.sources import SourceSpec

Step = Callable[[str], None]
#: Most author slots a part of the people holds (a part also reads the other records of
#: the papers its slots are on; 50,000 slots are about 18,000 papers of the synthetic corpus).
PART_SLOTS = 50_000
SPILL = ".kg-spill-"
"""A spill's name: ``SPILL`` + host + ``-`` + process id + ``-`` + a random part, so that a
later run on the same host can tell a killed run's spill from a live one's."""
_NO_URLS = Urls()
#: An author's fields as the spill keeps them, in order; its affiliations (the last) by theirs.
_AUTHOR_FIELDS = tuple(f.name for f in dataclasses.fields(Author))[:-1]
_AFFILIATION_FIELDS = tuple(f.name for f in dataclasses.fields(Affiliation))
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode  # ASCII: lone surrogates survive


@dataclass(slots=True)
class Resolved:
    """What a saved resolution holds (:func:`kg.resolve.resolutionfile.dumps`), and the
    SHA-256 of each source as read."""

    papers: PaperResolution
    people: PeopleResolution
    organizations: Organizations
    acronyms: dict[str, str]
    digests: list[str]


def slim(paper: Paper) -> Paper:
    """What linking and finishing papers need of a titled record: its source, title,
    identifiers and first author's name."""
    first = (Author("", paper.authors[0].name, ""),) if paper.authors else ()
    ids = paper.ids
    return Paper(
        paper.source,
        paper.title,
        first,
        urls=_NO_URLS,
        ids=Ids(ids.openreview, ids.arxiv, ids.doi),
    )


@dataclass(slots=True)
class _Keys:
    """The first pass's harvest, one entry per record in reading order."""

    ranked: list[Ranked]
    names: list[tuple[str, ...]]  # each record's author names
    ids: dict[int, tuple[tuple[tuple[str, str], ...], ...]]  # record -> its authors' ids
    citations: list[Citation]
    affiliations: list[AffiliationOcc]
    pairs: list[tuple[str, str]]  # acronym definitions (long, short)
    digests: list[str]
    spill: Spill
    whole: set[str]  # sources that cannot be read again (pipes): their records kept whole


class Spill:
    """What people need of each record, written once to a file and read back by part:
    the record without its text, and the start of its text that topics read.

    Read back by offset, a record costs a seek and a ``json.loads``, not a parse of its
    source line again (about 190 µs a record of the synthetic corpus).  Entries are JSON,
    not pickles: a file in the output folder is data, never code to run.
    """

    def __init__(self, path: Path, out: BinaryIO) -> None:
        """A spill written to ``out``, the open file at ``path`` (opened by whoever made
        it, so that nothing can be put at the path between making and writing it)."""
        self.path = path
        self.offsets = array("q", [0])
        self._out: BinaryIO | None = out

    def add(self, paper: Paper) -> None:
        """Write ``paper``'s entry (the next record's)."""
        assert self._out is not None
        authors = tuple(
            (
                *(getattr(a, f) for f in _AUTHOR_FIELDS),
                tuple(tuple(getattr(f, n) for n in _AFFILIATION_FIELDS) for f in a.affiliations),
            )
            for a in paper.authors
        )
        text = paper_text([paper])[:TOPIC_CHARS] if paper.authors else ""
        source = paper.source
        entry = (source.file, source.line, source.item, paper.venue, paper.year, authors, text)
        data = _ENCODE(entry).encode("ascii")
        self._out.write(data)
        self.offsets.append(self.offsets[-1] + len(data))

    def close(self) -> None:
        """Finish writing."""
        if self._out is not None:
            self._out.close()
            self._out = None

    def where(self, records: Iterable[int]) -> list[tuple[int, int]]:
        """The spans (offset, length) of records (indexes in reading order), in file order."""
        offsets = self.offsets
        return [(offsets[i], offsets[i + 1] - offsets[i]) for i in sorted(records)]


def _tuples(value: Any) -> Any:
    """A field as it was: JSON gives a tuple of pairs (an author's ids) back as lists."""
    return tuple(tuple(x) for x in value) if isinstance(value, list) else value


def read_spill(path: Path, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[Paper, str]]:
    """The entries of a :class:`Spill` at ``spans``: each record without its text, and
    the start of its text."""
    with path.open("rb") as handle:
        for offset, length in spans:
            handle.seek(offset)
            file, line, item, venue, year, authors, text = json.loads(handle.read(length))
            paper = Paper(
                SourceRef(file, line, item),
                None,
                tuple(
                    # affiliations last (the spill's round trip is tested)
                    Author(*map(_tuples, a[:-1]), tuple(Affiliation(*f) for f in a[-1]))  # type: ignore[call-arg]
                    for a in authors
                ),
                venue=venue,
                year=year,
                urls=_NO_URLS,
            )
            yield paper, text


def _first_pass(
    specs: Sequence[SourceSpec], encoding: str | None, step: Step | None, spill: Spill
) -> _Keys:
    keys = _Keys([], [], {}, [], [], [], [], spill, set())
    seen: set[bytes] = set()  # abstracts already searched for acronyms (as a corpus does)
    try:
        for spec in specs:
            if step:
                step(f"reading {spec.path.name}")
            reading = Reading(spec, encoding)
            # a pipe cannot be read again: its records stay whole, for papers to compare
            again = spec.path.is_file()
            if not again:
                keys.whole.add(reading.name)
            for item in reading:
                if isinstance(item, Paper):
                    _keep(keys, item, reading.authority, again, seen)
                elif isinstance(item, Citation):
                    keys.citations.append(item)
            keys.digests.append(reading.sha256())
    finally:
        spill.close()
    return keys


def _keep(keys: _Keys, paper: Paper, authority: int, again: bool, seen: set[bytes]) -> None:
    """What the first pass keeps of ``paper`` (slim when its source can be read ``again``
    and it has a title), and its spill entry."""
    i = len(keys.ranked)
    keys.ranked.append(Ranked(slim(paper) if again and paper.title else paper, authority))
    keys.names.append(tuple(a.name for a in paper.authors))
    if any(a.ids for a in paper.authors):
        keys.ids[i] = tuple(a.ids for a in paper.authors)
    keys.affiliations.extend(affiliations_of(paper))
    keys.spill.add(paper)
    if paper.abstract:
        digest = hashlib.blake2b(
            paper.abstract.encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()
        if digest not in seen:
            seen.add(digest)
            found = find_definitions(paper.abstract)
            keys.pairs.extend((d.long, d.short) for d in found)


def read_back(
    specs: Sequence[SourceSpec],
    encoding: str | None,
    digests: Sequence[str],
    records: Collection[str],
) -> Iterator[Paper]:
    """The records ``records`` (ids) read again from ``specs``, in reading order.

    Only the files that hold them are opened, and a JSON-lines file's other lines are
    passed over unparsed.  A file whose SHA-256 is no longer ``digests``'s, or that lacks
    one of them, raises :class:`InputError`.
    """
    wanted = set(records)
    lines = lines_of(wanted)
    found = 0
    for spec, digest in zip(specs, digests, strict=True):
        only = lines.get(spec.path.name)
        if only is None:
            continue
        reading = Reading(
            spec, encoding, lambda item: isinstance(item, Paper) and item.id in wanted, only
        )
        if reading.sha256() != digest:
            raise InputError(reading.name, "changed while it was being resolved; build again")
        for item in reading:
            if isinstance(item, Paper):
                found += 1
                yield item
    if found != len(wanted):
        raise InputError(
            min(wanted).rpartition(":")[0],
            f"{len(wanted) - found} of the records read before are gone; "
            "did a source change during the build?",
        )


def _texts(entries: Iterable[tuple[Paper, str]], cluster_of: Mapping[str, str]) -> dict[str, str]:
    """Each paper's topic text (its records' :func:`paper_text`, cut as topics cut it) from
    the spill entries of its records with authors."""
    pieces: dict[str, list[tuple[str, str]]] = {}
    for paper, text in entries:
        if paper.authors:
            pieces.setdefault(cluster_of[paper.id], []).append((paper.id, text))
    return {
        key: " ".join(t for _, t in sorted(texts) if t)[:TOPIC_CHARS]
        for key, texts in pieces.items()
    }


def _linked_papers(
    specs: Sequence[SourceSpec],
    encoding: str | None,
    keys: _Keys,
    parts: int,
    run: Runner[Any, Any],
) -> PaperResolution:
    """Step 2: papers linked on the slim records, whole where abstracts are compared.

    Records are compared by abstract only where their author surnames are an untitled
    record's; a slim record's are its first author's alone, so a record is read again
    whole where its full surnames or its first alone are an untitled record's.
    """
    ranked = keys.ranked
    untitled = {
        tuple(surname_key(a.name) for a in r.paper.authors)
        for r in ranked
        if not r.paper.title and r.paper.authors
    }
    if untitled:  # titled records an untitled one may be linked to by their abstracts
        firsts = {t[0] for t in untitled}
        again: dict[str, int] = {}
        for i, r in enumerate(ranked):
            paper = r.paper
            if not paper.title or not paper.authors or paper.source.file in keys.whole:
                continue
            first = surname_key(paper.authors[0].name)
            if first in firsts and (
                (first,) in untitled or tuple(map(surname_key, keys.names[i])) in untitled
            ):
                again[paper.id] = i
        for paper in list(read_back(specs, encoding, keys.digests, again)):
            i = again[paper.id]
            ranked[i] = Ranked(paper, ranked[i].authority)
    return resolve_papers(ranked, keys.citations, parts, run, with_conflicts=False)


@dataclass(frozen=True, slots=True)
class PeoplePayload:
    """What a part of the people is sent, in compact arrays: where in the spill its
    records are (every record of each paper its slots are on, in file order), the paper of
    each, and which of each record's slots are its own (a bit per position)."""

    spill: Path
    offsets: array[int]
    lengths: array[int]
    papers: list[str]
    own: list[int]
    counts: TopicCounts | None


def people_part(payload: PeoplePayload) -> tuple[list[Person], dict[str, list[dict[str, Any]]]]:
    """Step 3 for one part, wherever it runs: read its records from the spill, link its
    slots."""
    cluster_of: dict[str, str] = {}
    slots: set[tuple[str, int]] = set()
    stripped: list[Paper] = []

    def entries() -> Iterator[tuple[Paper, str]]:
        spans = zip(payload.offsets, payload.lengths, strict=True)
        for (paper, text), key, own in zip(
            read_spill(payload.spill, spans), payload.papers, payload.own, strict=True
        ):
            rid = paper.id
            cluster_of[rid] = key
            slots.update((rid, p) for p in range(1, len(paper.authors) + 1) if own >> (p - 1) & 1)
            stripped.append(paper)
            yield paper, text

    texts = _texts(entries(), cluster_of)
    occs = occurrences(stripped, cluster_of)
    stripped.clear()
    coauthors = coauthor_keys(occs)
    mine = [o for o in occs if o.ref in slots]
    del occs
    # a paper's records stand in for it by their text alone (all that topics read)
    records = {
        key: [Paper(SourceRef(key, 0), texts[key])]
        for key in {o.paper for o in mine}
        if key in texts
    }
    return link_people_part(
        PeoplePart(mine, {o.ref: coauthors[o.ref] for o in mine}, records, payload.counts)
    )


def _slots(keys: _Keys) -> tuple[list[int], list[int]]:
    """Every author slot in ref order (record id, then position): its record's index and
    position, as two lists."""
    ranked = keys.ranked
    order = sorted(range(len(ranked)), key=lambda i: ranked[i].paper.id)
    record: list[int] = []
    position: list[int] = []
    for i in order:
        for p in range(1, len(keys.names[i]) + 1):
            record.append(i)
            position.append(p)
    return record, position


def _people(
    keys: _Keys,
    papers: PaperResolution,
    parts: int,
    run: Runner[Any, Any],
    step: Step | None,
) -> PeopleResolution:
    """Step 3: the slots blocked on their names, resolved in parts that read their records."""
    names = keys.names
    record, position = _slots(keys)
    blocks_of = [name_block(parse(names[r][p - 1])) for r, p in zip(record, position, strict=True)]

    def block_keys(s: int) -> Iterator[str]:
        yield blocks_of[s]
        ids = keys.ids.get(record[s])
        if ids:
            yield from (f"{scheme}\0{value}" for scheme, value in ids[position[s] - 1])

    members = _several_records(keys.ranked, papers)
    several = _same_paper_slots(keys, members, record)

    def fits(a: int, b: int) -> bool:
        return names_fit(
            parse(names[record[a]][position[a] - 1]), parse(names[record[b]][position[b] - 1])
        )

    blocks = slot_blocks(len(record), block_keys, several, fits)
    blocks_of.clear()
    del several
    count = max(parts, math.ceil(len(record) / PART_SLOTS))
    planned = plan([len(b) for b in blocks], count)
    counts = _topic_counts(keys, papers.cluster_of) if len(planned) > 1 else None
    payloads = [
        _payload(
            keys, papers.cluster_of, members, [blocks[b] for b in part], record, position, counts
        )
        for part in planned
    ]
    del blocks
    if step:
        step(f"resolving people in {len(payloads)} part{'s' * (len(payloads) != 1)}")
    results = run(people_part, payloads)
    del payloads
    return finish_people([r[0] for r in results], [r[1] for r in results])


def _several_records(ranked: Sequence[Ranked], papers: PaperResolution) -> dict[str, list[int]]:
    """Each paper of several records -> the positions of its records in ``ranked`` (an
    index of those records only, not of every record: 59 MB at 1M papers)."""
    several = [c for c in papers.clusters if len(c.members) > 1]
    wanted = {m.paper.id for c in several for m in c.members}
    at = {r.paper.id: i for i, r in enumerate(ranked) if r.paper.id in wanted}
    return {c.key: [at[m.paper.id] for m in c.members] for c in several}


def _payload(
    keys: _Keys,
    cluster_of: dict[str, str],
    members: dict[str, list[int]],
    blocks: Sequence[Sequence[int]],
    record: Sequence[int],
    position: Sequence[int],
    counts: TopicCounts | None,
) -> PeoplePayload:
    """What one part needs: where its records are in the spill (every record of each paper
    one of its slots is on), their papers, and a bit per slot of its own."""
    own: dict[int, int] = {}  # records of the part's slots -> a bit per own position
    for block in blocks:
        for slot in block:
            r = record[slot]
            own[r] = own.get(r, 0) | 1 << (position[slot] - 1)
    needed: dict[int, str] = {}  # every record of each paper a slot is on -> the paper
    for r in own:
        key = cluster_of[keys.ranked[r].paper.id]
        for other in members.get(key, (r,)):
            needed[other] = key
    order = sorted(needed)
    offsets = keys.spill.offsets
    return PeoplePayload(
        keys.spill.path,
        array("q", (offsets[i] for i in order)),
        array("q", (offsets[i + 1] - offsets[i] for i in order)),
        [needed[i] for i in order],
        [own.get(i, 0) for i in order],
        counts,
    )


def _same_paper_slots(
    keys: _Keys, members: dict[str, list[int]], record: Sequence[int]
) -> list[list[list[int]]]:
    """For each paper of several records with authors, the slots of each of its records."""
    names = keys.names
    on = {i for rs in members.values() for i in rs if names[i]}
    if not on:
        return []
    first_slot: dict[int, int] = {}
    for s, r in enumerate(record):
        if r in on:
            first_slot.setdefault(r, s)
    several = []
    for rs in members.values():
        records = sorted(i for i in rs if names[i])
        if len(records) > 1:
            several.append(
                [list(range(first_slot[i], first_slot[i] + len(names[i]))) for i in records]
            )
    return several


def _topic_counts(keys: _Keys, cluster_of: dict[str, str]) -> TopicCounts:
    """The word counts over the whole corpus that topics are weighed with, as
    :func:`kg.resolve.homonyms.topic_counts` makes them: on a sample of the papers with
    authors, whose records' texts are read from the spill."""
    ranked, names = keys.ranked, keys.names
    authored = sorted({cluster_of[r.paper.id] for r, n in zip(ranked, names, strict=True) if n})
    sample = set(authored[:: max(1, len(authored) // TOPIC_SAMPLE)])
    wanted = [i for i, r in enumerate(ranked) if names[i] and cluster_of[r.paper.id] in sample]
    texts = _texts(read_spill(keys.spill.path, keys.spill.where(wanted)), cluster_of)
    return topic_counts(authored, lambda key: texts.get(key, ""))


def _ready() -> None:
    """A worker of :func:`pooled` needs no set-up."""


def pooled(workers: int) -> Runner[Any, Any]:
    """Run parts on a pool of ``workers`` processes (:func:`kg.extract.workers.pool`:
    they die with this process), each part in one of them, results in order."""

    def run(fn: Callable[[Any], Any], payloads: Sequence[Any]) -> list[Any]:
        if workers <= 1 or len(payloads) <= 1:
            return serial(fn, payloads)
        with pool(min(workers, len(payloads)), _ready) as executor:
            return list(executor.map(fn, payloads))

    return run


def _spill_owner() -> str:
    """The start of this host's spill names: the host name made safe for a file name and
    for a glob pattern (nothing but letters, digits, dots and ``_``)."""
    host = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname())[:64] or "host"
    return f"{SPILL}{host}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's live process
        return True
    return True


def remove_stale_spills(folder: Path) -> list[tuple[Path, int]]:
    """Remove the spills that runs on this host left in ``folder`` when they were killed
    (SIGKILL, out of memory: SIGTERM and Ctrl-C remove their own), with their sizes.

    A spill whose process still runs, or that another host wrote (a folder shared with
    Dask workers), is left alone; so is anything that is not a regular file.
    """
    owner, removed = _spill_owner(), []
    for path in sorted(folder.glob(f"{owner}*")):  # owner: letters, digits, dots, _ and -
        pid = path.name[len(owner) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                path.unlink()
                removed.append((path, info.st_size))
        except FileNotFoundError:  # removed meanwhile
            continue
    return removed


def resolve_sources(
    specs: Sequence[SourceSpec],
    encoding: str | None = None,
    parts: int = 1,
    run: Runner[Any, Any] = serial,
    step: Step | None = None,
    spill_dir: Path | None = None,
) -> Resolved:
    """Read and resolve ``specs`` in passes, papers in up to ``parts`` parts and people in
    at least as many (one per :data:`PART_SLOTS` slots), run by ``run``.

    The spill (:class:`Spill`) is a temporary file in ``spill_dir`` (the system's
    temporary folder by default), which wherever ``run`` runs the parts must see.
    """
    check_names(specs)
    with sigterm_raises():  # SIGTERM unwinds, so the spill is removed
        return _resolve(specs, encoding, parts, run, step, spill_dir)


def _resolve(
    specs: Sequence[SourceSpec],
    encoding: str | None,
    parts: int,
    run: Runner[Any, Any],
    step: Step | None,
    spill_dir: Path | None,
) -> Resolved:
    if spill_dir is not None:
        removed = remove_stale_spills(spill_dir)
        if removed and step:
            size = sum(n for _, n in removed) / 1e6
            step(
                f"removed {len(removed)} spill file{'s' * (len(removed) != 1)} of killed "
                f"runs ({size:,.0f} MB): {', '.join(p.name for p, _ in removed)}"
            )
    handle, name = tempfile.mkstemp(prefix=f"{_spill_owner()}{os.getpid()}-", dir=spill_dir)
    try:
        keys = _first_pass(specs, encoding, step, Spill(Path(name), os.fdopen(handle, "wb")))
        if step:
            step(f"resolving papers in {parts} part{'s' * (parts != 1)}")
        # one part of papers runs here: sending every slim record to a worker gains nothing
        papers = _linked_papers(specs, encoding, keys, parts, run if parts > 1 else serial)
        people = _people(keys, papers, parts, run, step)
    finally:
        Path(name).unlink(missing_ok=True)
    organizations = resolve_affiliations(keys.affiliations)
    acronyms = learn_acronyms(keys.pairs)
    return Resolved(papers, people, organizations, acronyms, keys.digests)
