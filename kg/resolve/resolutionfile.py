"""A resolution as a file: the clusters every shard reads instead of resolving again.

The file is gzip-compressed JSON lines.  The first line says what made it (the sources'
fingerprint) and holds the corpus's acronyms; then come the papers (the record ids of
each, in member order, with the evidence), the citations (what each resolved to), the
organization of every affiliation slot and the organizations, the people (key, label,
names, evidence, doubt and author slots) and the decisions per name; the last line counts
the lines before it, so a cut file is never taken for a whole one.

A shard reads it in one pass keeping only its share (:func:`read` with ``keep``): its
papers and the record ids it must read from the sources, its citations, and the people
and organizations its records name or it writes; so no shard holds the whole corpus.
Records are then checked against it (:meth:`Saved.resolution`): a file that is not one,
is damaged, or does not fit the records is an :class:`InputError` naming it, never a
wrong graph.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.resolve.organizations import Organization, Organizations
from kg.resolve.paperlinks import PaperCluster, PaperResolution, Ranked, conflicts
from kg.resolve.people import PeopleResolution

FORMAT = "kg-resolution/2"


def code_digest() -> str:
    """A digest of what decides a resolution besides the records: kg's version, the code
    and data of :mod:`kg.resolve` and the text helpers it uses.  A file saved by another
    kg, or before a name list changed, is then refused rather than used."""
    from kg import __version__

    h = hashlib.sha256(__version__.encode())
    root = resources.files("kg")
    parts = [root / "text.py", root / "identifiers.py"]
    folder = root / "resolve"
    parts += [e for e in folder.iterdir() if e.is_file() and e.name.endswith(".py")]
    parts += [e for e in (folder / "data").iterdir() if e.is_file()]
    for entry in sorted(parts, key=lambda e: str(e)):
        data = entry.read_bytes()
        h.update(f"{entry.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def dumps(
    papers: PaperResolution,
    people: PeopleResolution,
    organizations: Organizations,
    acronyms: Mapping[str, str],
    build: Mapping[str, Any],
) -> bytes:
    """The file's bytes (the same resolution and ``build`` give the same bytes)."""
    members: dict[str, list[tuple[str, int]]] = {}
    for ref, key in people.person_of.items():
        members.setdefault(key, []).append(ref)

    def lines() -> Iterator[list[Any] | dict[str, Any]]:
        yield {"format": FORMAT, "build": build, "acronyms": acronyms}
        for c in papers.clusters:
            yield ["paper", c.key, [m.paper.id for m in c.members], list(c.evidence)]
        for cite, target in papers.citation_target.items():
            yield ["citation", cite, target, papers.citation_evidence[cite]]
        for (record, position, index), key in organizations.of.items():
            yield ["affiliation", record, position, index, key]
        for key, o in organizations.by_key.items():
            yield [
                "organization",
                key,
                o.label,
                list(o.ids),
                o.country,
                o.domain,
                list(o.names),
                list(o.normalized),
                list(o.evidence),
            ]
        for key, label in people.labels.items():
            yield [
                "person",
                key,
                label,
                people.names[key],
                people.evidence.get(key, []),
                people.ambiguous.get(key),
                [[r, p] for r, p in members[key]],
            ]
        for name, decisions in people.decisions.items():
            yield ["decisions", name, decisions]

    out = io.BytesIO()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as gz:
        count = 0
        batch: list[str] = []
        for line in lines():
            batch.append(encode(line))
            count += 1
            if len(batch) == 10_000:  # one write per batch: gzip's per-call cost is high
                gz.write(("\n".join(batch) + "\n").encode())
                batch.clear()
        batch.append(encode(["end", count]))
        gz.write(("\n".join(batch) + "\n").encode())
    return out.getvalue()


@dataclass(slots=True)
class Saved:
    """What :func:`read` kept of a saved resolution."""

    path: Path
    build: dict[str, Any]
    acronyms: dict[str, str]
    whole: bool  # nothing was left out
    papers: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    records: dict[str, str] = field(default_factory=dict)  # record id -> paper key
    keys: set[str] = field(default_factory=set)  # the kept papers' keys
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(default_factory=dict)
    affiliations: dict[tuple[str, int, int], str] = field(default_factory=dict)
    named: set[str] = field(default_factory=set)  # organizations of the kept affiliations
    people: PeopleResolution = field(default_factory=lambda: PeopleResolution({}, {}, {}))

    def wanted(self, record_id: str) -> bool:
        """Whether a record is one this resolution needs (a paper it kept)."""
        return record_id in self.records

    def resolution(
        self, records: Sequence[Ranked], build: Mapping[str, Any]
    ) -> tuple[PaperResolution, PeopleResolution, Organizations]:
        """The resolution of ``records`` (those :meth:`wanted`, read from sources whose
        fingerprint is ``build``)."""
        self.check_build(build)
        with self.damage():
            return self._papers(records), self._people(records), self._organizations()

    def check_build(self, build: Mapping[str, Any]) -> None:
        """InputError unless the sources' fingerprint is ``build``, the one saved."""
        if self.build != build:
            raise InputError(
                str(self.path),
                "made from other sources or options than this build's; delete it to resolve again",
            )

    @contextlib.contextmanager
    def damage(self) -> Iterator[None]:
        """Errors of a file that does not fit the records, as an InputError naming it."""
        try:
            yield
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(
                str(self.path), f"damaged saved resolution ({type(e).__name__}: {e})"
            ) from None

    def checker(self) -> Checker:
        """Checks a streamed pass over every record against this (whole) resolution."""
        if not self.whole:
            raise ValueError("a shard's share is checked with resolution(), not a checker")
        return Checker(self)

    def _papers(self, records: Sequence[Ranked]) -> PaperResolution:
        by_id = {r.paper.id: r for r in records}
        if len(by_id) != len(self.records):
            missing = sorted(set(self.records) - set(by_id))[:3]
            raise ValueError(
                _missing(len(self.records) - len(by_id), missing)
                if missing
                else "records it does not name were read"
            )
        clusters = [
            PaperCluster(key, tuple(by_id[i] for i in ids), tuple(evidence))
            for key, ids, evidence in self.papers
        ]
        self._citations()
        target = {c: t for c, (t, _) in self.citations.items()}
        how = {c: h for c, (_, h) in self.citations.items()}
        return PaperResolution(clusters, dict(self.records), target, how, conflicts(clusters))

    def _citations(self) -> None:
        if self.whole:
            unknown = [t for t, _ in self.citations.values() if t not in self.keys]
            if unknown:
                raise ValueError(f"a citation is resolved to no paper ({unknown[0]})")

    def _slots(self, record: str, authors: int) -> None:
        for position in range(1, authors + 1):
            if (record, position) not in self.people.person_of:
                raise ValueError(f"author slot {record}#{position} has no person")

    def _people(self, records: Sequence[Ranked]) -> PeopleResolution:
        for r in records:
            self._slots(r.paper.id, len(r.paper.authors))
        have = self.people.person_of
        if self.whole and len(have) != sum(len(r.paper.authors) for r in records):
            raise ValueError(_EXTRA_SLOTS)
        self._decisions()
        return self.people

    def _decisions(self) -> None:
        have = self.people.person_of
        for name, decisions in self.people.decisions.items():
            for d in decisions:
                for ref in (*d["a"], *d["b"]):
                    record, _, position = ref.rpartition("#")
                    if (record, int(position)) not in have:
                        raise ValueError(f"the decisions for {name!r} name an unknown slot {ref}")

    def _organizations(self) -> Organizations:
        for slot, key in self.affiliations.items():
            if key not in self.organizations:
                raise ValueError(f"affiliation {slot} names no organization ({key})")
        return Organizations(self.organizations, self.affiliations)


_EXTRA_SLOTS = "it names author slots the records do not have"


def _missing(n: int, examples: Sequence[str]) -> str:
    return f"{n} records it names are not in the sources (e.g. {', '.join(examples)})"


class Checker:
    """What :meth:`Saved.resolution` checks, for records seen one at a time (a merge's
    build report reads the sources as a stream, holding none of them)."""

    def __init__(self, saved: Saved) -> None:
        self.saved = saved
        self.unseen = set(saved.records)  # a reference per record id (~40 bytes each)
        self.slots = 0
        self.trouble: str | None = None  # raised once the fingerprint is known to match

    def record(self, record: str, authors: int) -> None:
        """Check one record read from the sources, with its number of author slots."""
        if self.trouble is not None:
            return
        if record not in self.unseen:
            self.trouble = "records it does not name were read"
            return
        self.unseen.discard(record)
        self.slots += authors
        try:
            self.saved._slots(record, authors)
        except ValueError as e:
            self.trouble = str(e)

    def finish(self, build: Mapping[str, Any]) -> Organizations:
        """InputError if the sources are not the saved ones or a record did not fit;
        else the organizations."""
        saved = self.saved
        saved.check_build(build)
        with saved.damage():
            if self.trouble is not None:
                raise ValueError(self.trouble)
            if self.unseen:
                raise ValueError(_missing(len(self.unseen), sorted(self.unseen)[:3]))
            if self.slots != len(saved.people.person_of):
                raise ValueError(_EXTRA_SLOTS)
            saved._citations()
            saved._decisions()
            return saved._organizations()


def _s(x: Any) -> str:
    """``x``, which must be a string (a tampered file's other values are refused, not
    coerced)."""
    if not isinstance(x, str):
        raise TypeError(f"expected a string, found {type(x).__name__}")
    return x


def _i(x: Any) -> int:
    """``x``, which must be an integer."""
    if not isinstance(x, int) or isinstance(x, bool):
        raise TypeError(f"expected an integer, found {type(x).__name__}")
    return x


def _list(x: Any) -> list[Any]:
    """``x``, which must be a list."""
    if not isinstance(x, list):
        raise TypeError(f"expected a list, found {type(x).__name__}")
    return x


def _strings(x: Any) -> list[str]:
    """``x``, which must be a list of strings."""
    return [_s(v) for v in _list(x)]


def _d(x: Any) -> dict[str, Any]:
    """``x``, which must be an object."""
    if not isinstance(x, dict):
        raise TypeError(f"expected an object, found {type(x).__name__}")
    return x


#: the longest line read (a person of 100,000 papers takes about 3 MB): past it the file is
#: refused rather than read whole into memory (a gzip bomb of one line)
MAX_LINE = 256 * 2**20


def read(path: Path, keep: Callable[[str], bool] | None = None) -> Saved:
    """Read the saved resolution ``path``: all of it, or (``keep``, a shard's test of a
    paper, citation, person or organization key) only a shard's share."""
    try:
        return _read(path, keep)
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        raise InputError(str(path), f"not a saved resolution ({e})") from None
    except (KeyError, TypeError, ValueError, IndexError, RecursionError) as e:
        raise InputError(str(path), f"damaged saved resolution ({type(e).__name__}: {e})") from None


def _read(path: Path, keep: Callable[[str], bool] | None) -> Saved:
    with gzip.open(path, "rb") as f:
        first = _line(f, 1)
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise InputError(str(path), f"not a saved resolution (expected format {FORMAT})")
        acronyms = {_s(k): _s(v) for k, v in _d(head["acronyms"]).items()}
        saved = Saved(path, _d(head["build"]), acronyms, keep is None)
        count = 1
        while raw := _line(f, count + 1):
            line = json.loads(raw)
            kind = line[0]
            if kind == "end":
                if line[1] != count:
                    raise ValueError(f"{line[1]} lines announced, {count} read")
                return saved
            count += 1
            _take(saved, kind, line, keep)
    raise ValueError("the file is cut short (no end line)")


def _line(f: gzip.GzipFile, number: int) -> bytes:
    """The next line of ``f`` (``number``), at most :data:`MAX_LINE` bytes."""
    raw = f.readline(MAX_LINE + 1)
    if len(raw) > MAX_LINE:
        raise ValueError(f"line {number} is longer than {MAX_LINE:,} bytes")
    return raw


def _take(saved: Saved, kind: str, line: list[Any], keep: Callable[[str], bool] | None) -> None:
    """Keep one line of the file, if it is of the share ``keep`` wants."""
    if kind == "paper":
        _, key, ids, evidence = line
        key = _s(key)
        if keep is None or keep(key):
            ids = _strings(ids)
            if not ids:
                raise ValueError(f"paper {key} has no records")
            if len(set(ids)) != len(ids):
                raise ValueError(f"paper {key} names a record twice")
            if key in saved.keys:
                raise ValueError(f"paper {key} is given twice")
            saved.keys.add(key)
            saved.papers.append((key, ids, _strings(evidence)))
            for i in ids:
                if saved.records.setdefault(i, key) != key:
                    raise ValueError(f"record {i} is in two papers")
    elif kind == "citation":
        _, cite, target, how = line
        cite = _s(cite)
        if keep is None or keep(cite):
            saved.citations[cite] = (_s(target), _s(how))
    elif kind == "organization":
        key, label, ids, country, domain, names, normalized, evidence = line[1:]
        key = _s(key)
        if keep is not None and not keep(key) and key not in saved.named:
            return
        saved.organizations[key] = Organization(
            key,
            _s(label),
            tuple(_strings(ids)),
            None if country is None else _s(country),
            None if domain is None else _s(domain),
            tuple(_strings(names)),
            tuple(_strings(normalized)),
            tuple(_strings(evidence)),
        )
    elif kind == "affiliation":
        _, record, position, index, key = line
        record = _s(record)
        if keep is None or saved.wanted(record):
            saved.affiliations[(record, _i(position), _i(index))] = _s(key)
            saved.named.add(_s(key))
    elif kind == "person":
        _person(saved, line, keep)
    elif kind == "decisions":
        _, name, decisions = line
        if not isinstance(decisions, list) or not all(map(_decision, decisions)):
            raise TypeError(f"the decisions for {name!r} are not a list of decisions")
        if keep is None:  # the build report's, which a shard does not write
            saved.people.decisions[_s(name)] = decisions
    else:
        raise ValueError(f"unknown line {kind!r}")


_DECISION_KEYS = {"joined", "a", "b", "probability", "needs", "reasons"}


def _decision(d: Any) -> bool:
    """Whether ``d`` is a decision as the build report writes it (slots ``FILE:LINE#N``)."""

    def number(x: Any) -> bool:
        return x is None or (isinstance(x, int | float) and not isinstance(x, bool))

    def slots(x: Any) -> bool:
        return isinstance(x, list) and all(
            isinstance(r, str) and r.rpartition("#")[2].isdigit() for r in x
        )

    return (
        isinstance(d, dict)
        and d.keys() == _DECISION_KEYS
        and isinstance(d["joined"], bool)
        and slots(d["a"])
        and slots(d["b"])
        and number(d["probability"])
        and number(d["needs"])
        and isinstance(d["reasons"], list)
        and all(isinstance(r, str) for r in d["reasons"])
    )


def _person(saved: Saved, line: list[Any], keep: Callable[[str], bool] | None) -> None:
    _, key, label, names, evidence, doubt, refs = line
    key = _s(key)
    slots = [(_s(r), _i(p)) for r, p in _list(refs)]
    mine = [s for s in slots if keep is None or saved.wanted(s[0])]
    if keep is not None and not mine and not keep(key):
        return  # neither on one of the shard's papers nor a person the shard writes
    people = saved.people
    if key in people.labels:
        raise ValueError(f"person {key} is given twice")
    people.labels[key] = _s(label)
    people.names[key] = _strings(names)
    if evidence:
        people.evidence[key] = _strings(evidence)
    if doubt is not None:
        people.ambiguous[key] = _s(doubt)
    for ref in mine:
        if people.person_of.setdefault(ref, key) != key:
            raise ValueError(f"author slot {ref[0]}#{ref[1]} has two people")
