"""One node per real person, with the evidence for every link kept.

Author slots ("occurrences") are linked when

* they are the same slot of the same paper in two sources (``same-paper``),
* they share a person identifier, whatever their names (``same-orcid``, ...), never
  joining two sets that hold different identifiers of one scheme,
* their names are the same once case, accents, marks and punctuation are folded, and the
  evidence says they are one person (:mod:`kg.resolve.homonyms`: identifiers and emails,
  then a model weighing co-authors, topics, institutions, years and how common the name
  is); a name that ends up as several people marks each of them ambiguous (``same-name``),
* their names differ only by middle names or initials that agree, e.g.
  ``Timothy P. Lillicrap`` / ``Timothy Lillicrap`` (``name-variant``),
* one gives only initials (``F. Mu``) and exactly one person of that surname fits, or the
  co-authors decide between several (``initials``, ``initials+coauthors``),
* the given names differ by one letter and the two share a co-author (``typo+coauthors``).

Names are blocked by surname, so no two people of different surnames are compared (only a
shared identifier joins them).  A link never joins names that contradict each other
(``Wei Li`` / ``Wen Li``), and an email address only joins slots of one name (sources swap
them between co-authors).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from kg.records import Author, Paper
from kg.resolve.homonyms import Slot, Topics, cluster, name_stats, without_evidence
from kg.resolve.personnames import Name, compatible, edit_distance_at_most_one, parse, umlaut_folded
from kg.resolve.unionfind import UnionFind
from kg.text import slugify

Ref = tuple[str, int]  # (record id, 1-based position)
#: A slot's co-author keys: a tuple of distinct keys as made (a set is 216 to 728 bytes, a
#: tuple of two 56), a set once two people's keys are merged.
CoAuthors = tuple[str, ...] | set[str]

#: Co-authors two spellings must share before a one-letter difference is called a typo.
TYPO_SHARED_COAUTHORS = 2


@dataclass(slots=True)
class PeopleResolution:
    """The person key of every author slot, a label per person, and the evidence."""

    person_of: dict[Ref, str]
    labels: dict[str, str]
    names: dict[str, list[str]]  # person key -> distinct display names seen
    evidence: dict[str, list[str]] = field(default_factory=dict)
    ambiguous: dict[str, str] = field(default_factory=dict)  # person key -> why
    #: per shared name (as first written): why its slots were joined or kept apart
    decisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _AuthorOcc:
    ref: Ref
    paper: str
    name: str
    parsed: Name
    author: Author
    record: Paper


class _Clusters(UnionFind[Ref]):
    """Union-find over occurrences that remembers the evidence and the names of each set."""

    def __init__(self, occs: Sequence[_AuthorOcc], coauthors: dict[Ref, CoAuthors]) -> None:
        super().__init__(o.ref for o in occs)
        # a tuple until the set is first joined (a one-name set would be 216 bytes a slot)
        self.names: dict[Ref, tuple[Name] | set[Name]] = {o.ref: (o.parsed,) for o in occs}
        self.coauthors = coauthors  # a root's set is copied before its first change
        self._owned: set[Ref] = set()
        self.why: dict[Ref, set[str]] = defaultdict(set)
        self.doubt: dict[Ref, str] = {}
        self.ids: dict[Ref, dict[str, set[str]]] = {}
        for o in occs:
            if o.author.ids:
                self.ids[o.ref] = {}
                for scheme, value in o.author.ids:
                    self.ids[o.ref].setdefault(scheme, set()).add(value)

    def conflict(self, a: Ref, b: Ref) -> bool:
        """The two sets hold different identifiers of one scheme: two people."""
        if not self.ids:  # no slot of the build has an identifier
            return False
        x, y = self.ids.get(self.find(a)), self.ids.get(self.find(b))
        return bool(x and y and any(not x[k] & y[k] for k in x.keys() & y.keys()))

    def consistent(self, a: Ref, b: Ref) -> bool:
        """Every name of one set fits every name of the other."""
        ra, rb = self.find(a), self.find(b)
        return not self.conflict(a, b) and all(
            compatible(x, y) or _typo(x, y) for x in self.names[ra] for y in self.names[rb]
        )

    def link(self, a: Ref, b: Ref, why: str) -> bool:
        """Join two sets for the reason ``why``, merging their names and co-authors.

        Never joins two sets that hold different identifiers of one scheme.
        """
        if self.conflict(a, b):
            return False
        joined = self.union(a, b)
        if joined is None:
            return False
        ra, rb = joined
        names = self.names[ra]
        if isinstance(names, tuple):
            names = self.names[ra] = set(names)
        names.update(self.names.pop(rb))
        theirs_ids = self.ids.pop(rb, None)
        if theirs_ids:
            mine_ids = self.ids.setdefault(ra, {})
            for scheme, values in theirs_ids.items():
                mine_ids[scheme] = mine_ids.get(scheme, set()) | values
        mine, theirs = self.coauthors[ra], self.coauthors.pop(rb)
        if len(mine) < len(theirs):  # grow the larger set: linear-logarithmic overall
            mine, theirs = theirs, mine
            self._owned.discard(ra)
            if rb in self._owned:
                self._owned.add(ra)
        if ra not in self._owned:
            mine = set(mine)
            self._owned.add(ra)
        assert isinstance(mine, set)
        mine.update(theirs)
        self.coauthors[ra] = mine
        self.why[ra] |= self.why.pop(rb, set()) | {why}
        return True


def _typo(a: Name, b: Name) -> bool:
    """Same surname, first given names one letter apart after the same first letter.

    ``Masso`` / ``Masao`` qualify; ``Ning`` / ``Ting`` (other first letter) and short names
    do not: a different first letter is a different name far more often than a typo.
    """
    if a.surname != b.surname or not a.words or not b.words:
        return False
    x, y = a.words[0], b.words[0]
    return min(len(x), len(y)) >= 5 and x[0] == y[0] and x != y and edit_distance_at_most_one(x, y)


def occurrences(papers: Sequence[Paper], cluster_of: Mapping[str, str]) -> list[_AuthorOcc]:
    """Every author slot of ``papers``, on its resolved paper, in ref order."""
    occs = []
    for paper in papers:
        rid = paper.id  # one string for all its slots: they are the keys of person_of
        key = cluster_of.get(rid, rid)
        for position, author in enumerate(paper.authors, start=1):
            occs.append(
                _AuthorOcc(
                    (rid, position),
                    key,
                    author.name,
                    parse(author.name),
                    author,
                    paper,
                )
            )
    occs.sort(key=lambda o: o.ref)
    return occs


def resolve_people(
    papers: Sequence[Paper], cluster_of: Mapping[str, str] | None = None
) -> PeopleResolution:
    """Key every author slot of ``papers``; deterministic and independent of input order.

    ``cluster_of`` maps a paper record id to its resolved paper (records of one paper in
    several sources); without it every record is its own paper.
    """
    occs = occurrences(papers, cluster_of or {})
    coauthors = coauthor_keys(occs)
    persons, decisions = link_people(occs, coauthors)
    return finish_people([persons], [decisions])


#: The word counts topic vectors are weighed with (:func:`kg.resolve.homonyms.topic_counts`).
TopicCounts = tuple[Counter[str], int]


@dataclass(frozen=True, slots=True)
class Person:
    """One person a part of the slots resolved to, before its key is chosen."""

    root: Ref  # the smallest of its slots
    label: str
    names: list[str]
    evidence: list[str]
    doubt: str | None
    refs: list[Ref]


def link_people(
    occs: Sequence[_AuthorOcc],
    coauthors: dict[Ref, CoAuthors],
    records: Mapping[str, Sequence[Paper]] | None = None,
    counts: TopicCounts | None = None,
) -> tuple[list[Person], dict[str, list[dict[str, Any]]]]:
    """Link the slots ``occs`` (in ref order) into people, with the decisions per name.

    The slots may be a part of a corpus's (:mod:`kg.resolve.partition`): no slot outside
    them may share a surname, an identifier or a fitting slot of the same paper with one of
    them.  ``coauthors`` (every slot's co-author keys) is used up: it is emptied to free
    its memory.  ``records`` (the records with authors of each paper the slots are on) and
    ``counts`` (word counts over the whole corpus) then give the topic vectors; without
    them they are made from ``occs``.
    """
    sets = _Clusters(occs, dict(coauthors))
    ctx = _Context(occs, coauthors, records, counts)
    _link_same_paper(occs, sets)
    _link_same_identifier(occs, sets)
    blocks: dict[str, list[_AuthorOcc]] = defaultdict(list)
    for occ in occs:
        blocks[surname_block(occ)].append(occ)
    for surname in sorted(blocks):
        _link_block(blocks[surname], sets, ctx)
    decisions = ctx.decisions
    # what only the linking needs goes before the result is made: the topic vectors,
    # co-author keys and names of every slot would otherwise be its peak
    del blocks, ctx
    coauthors.clear()
    sets.names.clear()
    sets.coauthors.clear()
    sets.ids.clear()
    return _persons(occs, sets), decisions


def surname_block(occ: _AuthorOcc) -> str:
    """The block of names a slot is compared within: its surname, umlauts folded."""
    return name_block(occ.parsed)


def name_block(parsed: Name) -> str:
    """The block of a parsed name (:func:`surname_block`)."""
    return umlaut_folded(parsed.surname)


class _Context:
    """The evidence of every slot, built only for the names that need it."""

    def __init__(
        self,
        occs: Sequence[_AuthorOcc],
        coauthors: dict[Ref, CoAuthors],
        records: Mapping[str, Sequence[Paper]] | None = None,
        counts: TopicCounts | None = None,
    ) -> None:
        self.coauthors = coauthors
        self.decisions: dict[str, list[dict[str, Any]]] = {}
        self._occs = occs
        self._records = records
        self._counts = counts
        self._topics: Topics | None = None
        self._emails: dict[str, Counter[str]] = {}

    def _topic(self, paper: str) -> dict[str, float]:
        if self._topics is None:  # once, when a name first needs weighing
            records = self._records
            if records is None:
                records = paper_records(self._occs)

            def text(key: str) -> str:
                return paper_text(records.get(key, ()))

            self._topics = Topics(list(records), text, self._counts)
        return self._topics.vector(paper)

    def email(self, occ: _AuthorOcc) -> str | None:
        """The slot's email address, unless its paper gives it to several slots."""
        email = occ.author.email
        if email:
            record = occ.record
            seen = self._emails.get(record.id)
            if seen is None:
                seen = self._emails[record.id] = Counter(a.email for a in record.authors if a.email)
            if seen[email] > 1:  # one address filled in for several slots: no evidence
                return None
        return email

    def orgs(self, occ: _AuthorOcc) -> frozenset[str]:
        """The institutions a slot names: affiliation ids or names, mail domains."""
        author = occ.author
        email = self.email(occ)
        if not email and not author.affiliations:
            return frozenset()
        orgs = set()
        if org := organisation(email):
            orgs.add(f"domain:{org}")
        for aff in author.affiliations:
            if aff.id:
                orgs.add(aff.id)
            elif aff.name:
                orgs.add(f"name:{slugify(aff.name, max_len=80)}")
            if aff.domain and (org := organisation(f"x@{aff.domain}")):
                orgs.add(f"domain:{org}")
        return frozenset(orgs)

    def slot(self, occ: _AuthorOcc) -> Slot:
        """What ``occ`` says about who its author is."""
        record, author = occ.record, occ.author
        email = self.email(occ)
        orgs = self.orgs(occ)
        venue = "".join(c for c in record.venue.lower() if c.isalpha()) if record.venue else None
        return Slot(
            occ.ref,
            occ.paper,
            occ.name,
            frozenset(self.coauthors[occ.ref]),
            author.ids,
            email.lower() if email else None,
            orgs,
            self._topic(occ.paper),
            venue or None,
            record.year,
        )


def _link_same_paper(occs: Sequence[_AuthorOcc], sets: _Clusters) -> None:
    """Slots of one paper in two sources with names that fit are one person."""
    by_paper: dict[str, dict[str, list[_AuthorOcc]]] = defaultdict(lambda: defaultdict(list))
    for occ in occs:
        by_paper[occ.paper][occ.ref[0]].append(occ)
    for paper in sorted(by_paper):
        records = sorted(by_paper[paper].items())
        for (_, first), (_, other) in combinations(records, 2):
            for occ in other:
                fits = [o for o in first if fits_same_paper(o, occ)]
                if len(fits) == 1:
                    sets.link(fits[0].ref, occ.ref, "same-paper")


def fits_same_paper(a: _AuthorOcc, b: _AuthorOcc) -> bool:
    """Slot ``b`` of a paper's later record may be slot ``a`` of its earlier one."""
    return names_fit(a.parsed, b.parsed)


def names_fit(a: Name, b: Name) -> bool:
    """Name ``b`` in a paper's later record may be name ``a`` of its earlier one."""
    return bool(compatible(a, b) or _typo(a, b) or _surname_typo(a, b))


def _link_same_identifier(occs: Sequence[_AuthorOcc], sets: _Clusters) -> None:
    """Slots that share a person identifier are one person, however their names differ
    (a maiden name, a transliteration); an email address is not enough for that (sources
    swap them between co-authors), so it only counts between slots of one name."""
    first: dict[tuple[str, str], Ref] = {}
    for occ in occs:
        for key in occ.author.ids:
            if key in first:
                sets.link(first[key], occ.ref, f"same-{key[0]}")
            else:
                first[key] = occ.ref


def _surname_typo(a: Name, b: Name) -> bool:
    return (
        a.given == b.given
        and bool(a.words)
        and len(a.surname) >= 5
        and edit_distance_at_most_one(a.surname, b.surname)
    )


#: Papers with more authors than this give no co-author evidence: in a consortium paper
#: sharing it says nothing about who a person is, and the sets would grow quadratically.
MAX_TEAM = 100


def _key(occ: _AuthorOcc) -> str:
    """The surname+initial key that co-author evidence uses."""
    return f"{occ.parsed.first_initial} {occ.parsed.surname}"


def coauthor_keys(occs: Sequence[_AuthorOcc]) -> dict[Ref, CoAuthors]:
    """For each slot, the surname+initial keys of the other authors of the same paper
    (distinct, in a tuple: 282,523 sets took 168 MB at 100K papers)."""
    by_paper: dict[str, list[_AuthorOcc]] = defaultdict(list)
    for occ in occs:
        by_paper[occ.paper].append(occ)
    out: dict[Ref, CoAuthors] = {}
    for team in by_paper.values():
        if len(team) > MAX_TEAM:
            for occ in team:
                out[occ.ref] = ()
            continue
        keys = [_key(occ) for occ in team]
        distinct = tuple(dict.fromkeys(keys))
        for occ, mine in zip(team, keys, strict=True):
            out[occ.ref] = tuple(k for k in distinct if k != mine)
    return out


def _link_block(block: list[_AuthorOcc], sets: _Clusters, ctx: _Context) -> None:
    """Link the slots of one surname: same names, fitting variants, initials, typos."""
    coauthors = ctx.coauthors
    by_key: dict[str, list[_AuthorOcc]] = defaultdict(list)
    for occ in block:
        by_key[occ.parsed.key].append(occ)
    keys = sorted(by_key)
    full = [k for k in keys if by_key[k][0].parsed.words]
    for key in full:  # initials alone ("W Li") are not a name to link on: see below
        _link_same_name(by_key[key], sets, ctx)
    # written-out variants that fit: middle names and initials agree.  Two such names share
    # a written-out given name (or all given names run together), so only those are compared.
    for a, b in _pairs(
        full, lambda k: {*by_key[k][0].parsed.words, "".join(by_key[k][0].parsed.given)}
    ):
        ra, rb = by_key[a][0].ref, by_key[b][0].ref
        if compatible(by_key[a][0].parsed, by_key[b][0].parsed) == "strong" and sets.consistent(
            ra, rb
        ):
            sets.link(ra, rb, "name-variant")
    # initials only: one fitting person, or the co-authors decide, slot by slot
    for key in keys:
        if by_key[key][0].parsed.words:
            continue
        roots = sorted(
            {
                sets.find(by_key[k][0].ref)
                for k in full
                if compatible(by_key[key][0].parsed, by_key[k][0].parsed)
            }
        )
        if not roots:  # nobody written out fits: the same initials are one person
            first, *rest = by_key[key]
            for occ in rest:
                sets.link(first.ref, occ.ref, "same-name")
            continue
        for occ in by_key[key]:
            if len(roots) == 1 and sets.consistent(roots[0], occ.ref):
                sets.link(roots[0], occ.ref, "initials")
                continue
            shared = [r for r in roots if _shared(coauthors[occ.ref], sets.coauthors[sets.find(r)])]
            if len(shared) == 1:
                sets.link(shared[0], occ.ref, "initials+coauthors")
            else:
                sets.doubt[sets.find(occ.ref)] = (
                    f"initials fit {len(roots)} people and the co-authors do not decide"
                )
    # one-letter differences in the first given name, confirmed by shared co-authors;
    # names one deletion apart share a deletion key, so only those are compared
    for a, b in _pairs(full, lambda k: _deletions(by_key[k][0].parsed.words[0])):
        x, y = by_key[a][0], by_key[b][0]
        rx, ry = sets.find(x.ref), sets.find(y.ref)
        if rx == ry or not _typo(x.parsed, y.parsed):
            continue
        common = _common(sets.coauthors[rx], sets.coauthors[ry])
        if len(common) >= TYPO_SHARED_COAUTHORS and sets.consistent(x.ref, y.ref):
            sets.link(x.ref, y.ref, "typo+coauthors")


#: Mail providers anyone can use: their domain says nothing about who a person is.
PUBLIC_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "163.com",
        "126.com",
        "qq.com",
        "foxmail.com",
        "protonmail.com",
        "icloud.com",
        "live.com",
        "mail.com",
    }
)


def organisation(email: str | None) -> str | None:
    """The organisation an email address names (``cs.cmu.edu`` -> ``cmu.edu``), if any.

    >>> organisation("deva@cs.cmu.edu"), organisation("x@gmail.com")
    ('cmu.edu', None)
    """
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    if not domain or domain in PUBLIC_MAIL or "*" in domain:
        return None
    labels = domain.split(".")
    # two labels, three under a country's second level ("ox.ac.uk", "u-tokyo.ac.jp")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("ac", "edu", "co", "com", "org") else 2
    return ".".join(labels[-keep:])


def _link_same_name(group: list[_AuthorOcc], sets: _Clusters, ctx: _Context) -> None:
    """Split the slots of one written-out name into people (:mod:`kg.resolve.homonyms`).

    Identifiers and email addresses decide first; then co-authors, topics, institutions,
    venues, years and how common the name is are weighed.  Where a name ends up as more
    than one person, every person of it is marked ambiguous (with why) and the decisions
    are kept for the build report.
    """
    units: dict[Ref, list[_AuthorOcc]] = defaultdict(list)
    for occ in group:
        units[sets.find(occ.ref)].append(occ)
    if len(units) == 1:
        return
    parsed = group[0].parsed
    told = any(o.author.email or o.author.affiliations for o in group)
    if not any(o.author.ids for o in group) and without_evidence(
        parsed, len(group), conflicts=told and len({ctx.orgs(o) for o in group} - {frozenset()}) > 1
    ):
        first, *others = group  # a rare name, nothing to tell its slots apart
        for occ in others:
            sets.link(first.ref, occ.ref, "same-name")
        return
    people, decisions = cluster(
        [[ctx.slot(o) for o in units[root]] for root in sorted(units)], parsed
    )
    for person in people:
        head, *rest = person
        for slot in rest:
            sets.link(head.ref, slot.ref, "same-name")
    ids = {slot.ref for person in people for slot in person if slot.ids or slot.email}
    if any(d.joined and d.probability is None for d in decisions) and ids:
        for person in people:
            sets.why[sets.find(person[0].ref)].add("same-identifier")
    if len(people) > 1 or any(not d.joined or d.probability is not None for d in decisions):
        ctx.decisions[group[0].name] = [d.as_dict() for d in decisions]
    if len(people) > 1:
        for person in people:
            sets.doubt.setdefault(
                sets.find(person[0].ref),
                (
                    f"{len(people)} people share this name; they were told apart by "
                    f"co-authors, topics, institutions and identifiers "
                    f'(kg explain person "{group[0].name}")'
                ),
            )


def _shared(a: CoAuthors, b: CoAuthors) -> bool:
    """The two have a co-author key in common."""
    if isinstance(a, tuple):
        a, b = b, a
    return not (a if isinstance(a, set) else set(a)).isdisjoint(b)


def _common(a: CoAuthors, b: CoAuthors) -> set[str]:
    """The co-author keys the two have in common (``a & b``, neither copied when a set)."""
    if isinstance(a, tuple):
        a, b = b, a
    return (a if isinstance(a, set) else set(a)).intersection(b)


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter deleted."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _pairs(
    keys: Sequence[str], index_keys: Callable[[str], Iterable[str]]
) -> list[tuple[str, str]]:
    """Pairs of ``keys`` that share an index key, each pair once, in sorted order."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        for token in index_keys(key):
            buckets[token].append(key)
    pairs = {
        (a, b) if a < b else (b, a)
        for bucket in buckets.values()
        for a, b in combinations(bucket, 2)
        if a != b
    }
    return sorted(pairs)


def _spelling(name: str) -> str:
    """A name with its full stops dropped: ``J. Zico Kolter`` and ``J Zico Kolter`` agree."""
    return " ".join(name.replace(".", " ").split())


def _label_quality(name: str, papers: int) -> tuple[int, int, int, int, int, int, str]:
    """How good a spelling is as a person's label (the largest wins).

    Written-out given names first; then accents kept (sources drop them, never add them);
    then proper case (no word in capitals, not all lower case); then the number of papers
    that spell it so; then how many people in public author lists have its first given
    name (of two spellings a letter apart on as many papers, ``Masao`` is a name and
    ``Masso`` a typo); then the longest.
    """
    parsed = parse(name)
    accents = int(any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", name)))
    proper = int(
        name != name.lower()
        and not any(len(w) > 2 and w.isupper() for w in name.replace(".", " ").split())
    )
    attested = name_stats().given_count(parsed)
    return (len(parsed.words), accents, proper, papers, attested, len(name), name)


def paper_records(occs: Iterable[_AuthorOcc]) -> dict[str, list[Paper]]:
    """The records of each paper that ``occs`` (in ref order) give the first slot of."""
    records: dict[str, list[Paper]] = defaultdict(list)
    for occ in occs:
        if occ.ref[1] == 1:
            records[occ.paper].append(occ.record)
    return records


def paper_text(records: Iterable[Paper]) -> str:
    """What a paper's topic is read from: its records' titles, keywords and abstracts."""
    return " ".join(part for r in records for part in (r.title, *r.keywords, r.abstract) if part)


def _persons(occs: Sequence[_AuthorOcc], sets: _Clusters) -> list[Person]:
    members: dict[Ref, list[_AuthorOcc]] = defaultdict(list)
    for occ in occs:
        members[sets.find(occ.ref)].append(occ)
    out = []
    for root in sorted(members):
        group = members[root]
        seen = Counter(o.name for o in group)
        if len(seen) == 1:
            label = group[0].name
        else:
            # spellings that differ only by full stops count together ("J Zico Kolter")
            papers = Counter(_spelling(name) for name, _ in {(o.name, o.paper) for o in group})
            label = max(seen, key=lambda n: _label_quality(n, papers[_spelling(n)]))
        out.append(
            Person(
                root,
                label,
                sorted(seen),
                sorted(sets.why.get(root, ())),
                sets.doubt.get(root),
                [o.ref for o in group],
            )
        )
    return out


def finish_people(
    parts: Sequence[Sequence[Person]], decisions: Iterable[Mapping[str, list[dict[str, Any]]]]
) -> PeopleResolution:
    """Key the people of every part (a slug of the label, numbered where labels repeat, in
    the order of their smallest slots) and gather their decisions."""
    persons = sorted((p for part in parts for p in part), key=lambda p: p.root)
    person_of: dict[Ref, str] = {}
    labels: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    ambiguous: dict[str, str] = {}
    used: Counter[str] = Counter()
    for person in persons:
        base = slugify(person.label, max_len=80)
        used[base] += 1
        key = base if used[base] == 1 else f"{base}-{used[base]}"
        labels[key] = person.label
        names[key] = person.names
        if person.evidence:
            evidence[key] = person.evidence
        if person.doubt is not None:
            ambiguous[key] = person.doubt
        for ref in person.refs:
            person_of[ref] = key
    result = PeopleResolution(person_of, labels, names, evidence, ambiguous)
    merged = {name: found for part in decisions for name, found in part.items()}
    result.decisions = dict(sorted(merged.items()))  # by name, however the parts were cut
    return result
