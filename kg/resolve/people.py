"""One node per real person, with the evidence for every link kept.

Author slots ("occurrences") are linked when

* they are the same slot of the same paper in two sources (``same-paper``),
* their names are the same once case, accents, marks and punctuation are folded
  (``same-name``), unless profile emails of different organisations and disjoint
  co-authors say they are different people (then ``same-name+organisation`` within each,
  and the person is marked ambiguous where a slot cannot be placed),
* their names differ only by middle names or initials that agree, e.g.
  ``Timothy P. Lillicrap`` / ``Timothy Lillicrap`` (``name-variant``),
* one gives only initials (``F. Mu``) and exactly one person of that surname fits, or the
  co-authors decide between several (``initials``, ``initials+coauthors``),
* the given names differ by one letter and the two share a co-author (``typo+coauthors``).

Names are blocked by surname, so no two people of different surnames are ever compared.
A link never joins names that contradict each other (``Wei Li`` / ``Wen Li``), and a profile
email only confirms a link, never makes one (emails are sometimes swapped between authors).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from kg.records import Paper
from kg.resolve.names import Name, compatible, edit_distance_at_most_one, parse, umlaut_folded
from kg.resolve.unionfind import UnionFind
from kg.text import slugify

Ref = tuple[str, int]  # (record id, 1-based position)

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


@dataclass(frozen=True, slots=True)
class _Occ:
    ref: Ref
    paper: str
    name: str
    parsed: Name
    email: str | None = None


class _Clusters(UnionFind[Ref]):
    """Union-find over occurrences that remembers the evidence and the names of each set."""

    def __init__(self, occs: Sequence[_Occ], coauthors: dict[Ref, set[str]]) -> None:
        super().__init__(o.ref for o in occs)
        self.names: dict[Ref, set[Name]] = {o.ref: {o.parsed} for o in occs}
        self.coauthors = coauthors  # a root's set is copied before its first change
        self._owned: set[Ref] = set()
        self.why: dict[Ref, set[str]] = defaultdict(set)
        self.doubt: dict[Ref, str] = {}

    def consistent(self, a: Ref, b: Ref) -> bool:
        """Every name of one set fits every name of the other."""
        ra, rb = self.find(a), self.find(b)
        return all(compatible(x, y) or _typo(x, y)
                   for x in self.names[ra] for y in self.names[rb])

    def link(self, a: Ref, b: Ref, why: str) -> bool:
        """Join two sets for the reason ``why``, merging their names and co-authors."""
        joined = self.union(a, b)
        if joined is None:
            return False
        ra, rb = joined
        self.names[ra] |= self.names.pop(rb)
        mine, theirs = self.coauthors[ra], self.coauthors.pop(rb)
        if len(mine) < len(theirs):  # grow the larger set: linear-logarithmic overall
            mine, theirs = theirs, mine
            self._owned.discard(ra)
            if rb in self._owned:
                self._owned.add(ra)
        if ra not in self._owned:
            mine = set(mine)
            self._owned.add(ra)
        mine |= theirs
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
    return (min(len(x), len(y)) >= 5 and x[0] == y[0] and x != y
            and edit_distance_at_most_one(x, y))


def _occurrences(papers: Sequence[Paper], cluster_of: Mapping[str, str]) -> list[_Occ]:
    occs = []
    for paper in papers:
        for position, author in enumerate(paper.authors, start=1):
            occs.append(_Occ((paper.id, position), cluster_of.get(paper.id, paper.id),
                             author.name, parse(author.name), author.email))
    occs.sort(key=lambda o: o.ref)
    return occs


def resolve_people(papers: Sequence[Paper],
                   cluster_of: Mapping[str, str] | None = None) -> PeopleResolution:
    """Key every author slot of ``papers``; deterministic and independent of input order.

    ``cluster_of`` maps a paper record id to its resolved paper (records of one paper in
    several sources); without it every record is its own paper.
    """
    occs = _occurrences(papers, cluster_of or {})
    coauthors = _coauthor_keys(occs)
    sets = _Clusters(occs, dict(coauthors))
    _link_same_paper(occs, sets)
    blocks: dict[str, list[_Occ]] = defaultdict(list)
    for occ in occs:
        blocks[umlaut_folded(occ.parsed.surname)].append(occ)
    for surname in sorted(blocks):
        _link_block(blocks[surname], sets, coauthors)
    return _result(occs, sets)


def _link_same_paper(occs: Sequence[_Occ], sets: _Clusters) -> None:
    """Slots of one paper in two sources with names that fit are one person."""
    by_paper: dict[str, dict[str, list[_Occ]]] = defaultdict(lambda: defaultdict(list))
    for occ in occs:
        by_paper[occ.paper][occ.ref[0]].append(occ)
    for paper in sorted(by_paper):
        records = sorted(by_paper[paper].items())
        for (_, first), (_, other) in combinations(records, 2):
            for occ in other:
                fits = [o for o in first if compatible(o.parsed, occ.parsed) or
                        _typo(o.parsed, occ.parsed) or
                        _surname_typo(o.parsed, occ.parsed)]
                if len(fits) == 1:
                    sets.link(fits[0].ref, occ.ref, "same-paper")


def _surname_typo(a: Name, b: Name) -> bool:
    return (a.given == b.given and bool(a.words) and len(a.surname) >= 5
            and edit_distance_at_most_one(a.surname, b.surname))


#: Papers with more authors than this give no co-author evidence: in a consortium paper
#: sharing it says nothing about who a person is, and the sets would grow quadratically.
MAX_TEAM = 100


def _coauthor_keys(occs: Sequence[_Occ]) -> dict[Ref, set[str]]:
    """For each slot, the surname+initial keys of the other authors of the same paper."""
    by_paper: dict[str, set[tuple[Ref, str]]] = defaultdict(set)
    for occ in occs:
        by_paper[occ.paper].add((occ.ref, f"{occ.parsed.first_initial} {occ.parsed.surname}"))
    out: dict[Ref, set[str]] = {}
    for occ in occs:
        team = by_paper[occ.paper]
        if len(team) > MAX_TEAM:
            out[occ.ref] = set()
            continue
        mine = f"{occ.parsed.first_initial} {occ.parsed.surname}"
        out[occ.ref] = {k for r, k in team if k != mine}
    return out


def _link_block(block: list[_Occ], sets: _Clusters, coauthors: dict[Ref, set[str]]) -> None:
    """Link the slots of one surname: same names, fitting variants, initials, typos."""
    by_key: dict[str, list[_Occ]] = defaultdict(list)
    for occ in block:
        by_key[occ.parsed.key].append(occ)
    keys = sorted(by_key)
    full = [k for k in keys if by_key[k][0].parsed.words]
    for key in full:  # initials alone ("W Li") are not a name to link on: see below
        _link_same_name(by_key[key], sets, coauthors)
    # written-out variants that fit: middle names and initials agree.  Two such names share
    # a written-out given name (or all given names run together), so only those are compared.
    for a, b in _pairs(full, lambda k: {*by_key[k][0].parsed.words,
                                        "".join(by_key[k][0].parsed.given)}):
        ra, rb = by_key[a][0].ref, by_key[b][0].ref
        if compatible(by_key[a][0].parsed, by_key[b][0].parsed) == "strong" and \
                sets.consistent(ra, rb):
            sets.link(ra, rb, "name-variant")
    # initials only: one fitting person, or the co-authors decide, slot by slot
    for key in keys:
        if by_key[key][0].parsed.words:
            continue
        roots = sorted({sets.find(by_key[k][0].ref) for k in full
                        if compatible(by_key[key][0].parsed, by_key[k][0].parsed)})
        if not roots:  # nobody written out fits: the same initials are one person
            first, *rest = by_key[key]
            for occ in rest:
                sets.link(first.ref, occ.ref, "same-name")
            continue
        for occ in by_key[key]:
            if len(roots) == 1 and sets.consistent(roots[0], occ.ref):
                sets.link(roots[0], occ.ref, "initials")
                continue
            shared = [r for r in roots if coauthors[occ.ref] & sets.coauthors[sets.find(r)]]
            if len(shared) == 1:
                sets.link(shared[0], occ.ref, "initials+coauthors")
            else:
                sets.doubt[sets.find(occ.ref)] = (
                    f"initials fit {len(roots)} people and the co-authors do not decide")
    # one-letter differences in the first given name, confirmed by shared co-authors;
    # names one deletion apart share a deletion key, so only those are compared
    for a, b in _pairs(full, lambda k: _deletions(by_key[k][0].parsed.words[0])):
        x, y = by_key[a][0], by_key[b][0]
        rx, ry = sets.find(x.ref), sets.find(y.ref)
        if rx == ry or not _typo(x.parsed, y.parsed):
            continue
        common = sets.coauthors[rx] & sets.coauthors[ry]
        if len(common) >= TYPO_SHARED_COAUTHORS and sets.consistent(x.ref, y.ref):
            sets.link(x.ref, y.ref, "typo+coauthors")


#: Mail providers anyone can use: their domain says nothing about who a person is.
PUBLIC_MAIL = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com",
                         "yahoo.com", "163.com", "126.com", "qq.com", "foxmail.com",
                         "protonmail.com", "icloud.com", "live.com", "mail.com"})


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


def _link_same_name(group: list[_Occ], sets: _Clusters,
                    coauthors: dict[Ref, set[str]]) -> None:
    """Link the slots of one written-out name, unless the evidence says they differ.

    People who share a name are told apart when their slots carry profile emails of
    different organisations and the two sides share no co-author (emails alone are not
    enough: sources sometimes swap them between co-authors).  Slots without an email join
    the side they share co-authors with; where none or several fit, the person is marked
    ambiguous rather than guessed.
    """
    sides: dict[str, list[_Occ]] = defaultdict(list)
    rest: list[_Occ] = []
    for occ in group:
        org = organisation(occ.email)
        (sides[org] if org else rest).append(occ)
    circles = {org: set().union(*(coauthors[o.ref] for o in occs))
               for org, occs in sides.items()}
    orgs = sorted(sides)
    distinct = len(orgs) > 1 and all(not (circles[a] & circles[b])
                                     for a, b in combinations(orgs, 2))
    if not distinct:
        first, *others = group
        for occ in others:
            sets.link(first.ref, occ.ref, "same-name")
        return
    for org in orgs:
        first, *others = sides[org]
        for occ in others:
            sets.link(first.ref, occ.ref, "same-name+organisation")
    for occ in rest:
        fits = [org for org in orgs if coauthors[occ.ref] & circles[org]]
        if len(fits) == 1:
            sets.link(sides[fits[0]][0].ref, occ.ref, "same-name+coauthors")
        else:
            sets.doubt[sets.find(occ.ref)] = (
                f"the name is shared by people of {len(orgs)} organisations "
                f"({', '.join(orgs)}) and the co-authors do not decide")
    for org in orgs:
        elsewhere = ", ".join(o for o in orgs if o != org)
        sets.doubt.setdefault(sets.find(sides[org][0].ref),
                              f"another person of this name is at {elsewhere}")


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter deleted."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


def _pairs(
    keys: Sequence[str], index_keys: Callable[[str], Iterable[str]]
) -> list[tuple[str, str]]:
    """Pairs of ``keys`` that share an index key, each pair once, in sorted order."""
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        for token in index_keys(key):
            buckets[token].append(key)
    pairs = {(a, b) if a < b else (b, a) for bucket in buckets.values()
             for a, b in combinations(bucket, 2) if a != b}
    return sorted(pairs)


def _label_quality(name: str) -> tuple[int, int, int, int, str]:
    """Prefer written-out given names, mixed case, accents kept, then the longest."""
    parsed = parse(name)
    mixed = int(name != name.lower() and name != name.upper())
    accents = int(any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", name)))
    return (len(parsed.words), mixed, accents, len(name), name)


def _result(occs: Sequence[_Occ], sets: _Clusters) -> PeopleResolution:
    members: dict[Ref, list[_Occ]] = defaultdict(list)
    for occ in occs:
        members[sets.find(occ.ref)].append(occ)
    person_of: dict[Ref, str] = {}
    labels: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    evidence: dict[str, list[str]] = {}
    ambiguous: dict[str, str] = {}
    used: Counter[str] = Counter()
    for root in sorted(members):
        group = members[root]
        seen = Counter(o.name for o in group)
        label = max(seen, key=lambda n: (_label_quality(n), seen[n]))
        base = slugify(label, max_len=80)
        used[base] += 1
        key = base if used[base] == 1 else f"{base}-{used[base]}"
        labels[key] = label
        names[key] = sorted(seen)
        if sets.why.get(root):
            evidence[key] = sorted(sets.why[root])
        if root in sets.doubt:
            ambiguous[key] = sets.doubt[root]
        for occ in group:
            person_of[occ.ref] = key
    return PeopleResolution(person_of, labels, names, evidence, ambiguous)
