"""Telling apart people who share a name, from all the evidence their author slots carry.

All slots of one written-out name (``Xiao Wang``) are a *block*.  Within it:

1. **Identifiers decide first.**  Slots that share an identifier (ORCID, OpenReview
   profile, OpenAlex, dblp, Semantic Scholar) or an email address are one person; two
   different identifiers of one scheme are two people, whatever else agrees.  An email
   that a paper repeats across several of its slots (a submitter's address filled in for
   everyone) is no evidence at all.
2. **Then the evidence is weighed.**  The groups left are joined greedily, the most
   probable pair first, while a logistic model (:data:`FEATURES`, weights fitted on author
   lists whose OpenReview profile ids are the truth: ``training/homonyms.py``) says they
   are more likely one person than two.  There are two sets of weights: one for pairs that
   share a co-author and one for pairs that do not (sharing a co-author changes how much
   everything else counts: a common name matters little then, and much without), and a
   pair that shares none must be likelier still (:data:`THRESHOLD_APART`).  The model
   weighs shared co-authors (and how rare their names are), the
   topics of their
   papers (title, keywords and abstract words, weighted by rarity in this build), shared
   or different institutions (affiliations and mail domains), venues, the years between
   them, and how common the name is (``data/names.tsv``: how many different names share
   the given name and the surname in public author lists).  A rare name needs no
   evidence to stay one person; a "Yang Liu" needs some, and a person who moved
   institution stays one when co-authors or topics carry over.

Every decision is kept with its reasons (:class:`Decision`) for the build report and
``kg explain person``.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from kg.resolve.personnames import Name

Ref = tuple[str, int]  # (record id, 1-based position)

FEATURES = (
    "bias",
    "coauthors",
    "any_coauthor",
    "rare_coauthor",
    "topic",
    "same_org",
    "org_conflict",
    "same_venue",
    "year_gap",
    "given_common",
    "surname_common",
    "block_size",
    "middle_name",
)
"""The pair features, in the order of the weights."""
_SHARED = FEATURES.index("any_coauthor")

#: Groups above this many are only compared when they share a co-author or an institution
#: (all pairs of a 5,000-slot "Wei Wang" would be quadratic).
MAX_ALL_PAIRS = 300
#: Up to this many people of one name, the report says why each pair stayed apart.
EXPLAIN_ALL_PAIRS = 6
#: A pair is joined when the model gives at least this probability: sharing a co-author,
#: or not (then more is asked: joining two strangers costs more than splitting a person).
THRESHOLD = 0.5
THRESHOLD_APART = 0.7
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
#: Papers sampled to weigh words by rarity (the weights do not need every paper).
TOPIC_SAMPLE = 2000
#: A word in more than this share of papers says nothing about a topic.
COMMON_WORD = 0.1
#: How much of a paper's title, keywords and abstract is read for its topic.
TOPIC_CHARS = 800
#: The rarest words of a paper that stand for its topic.
TOPIC_WORDS = 24


@dataclass(frozen=True, slots=True)
class Slot:
    """What one author slot says about who its author is."""

    ref: Ref
    paper: str
    name: str
    coauthors: frozenset[str] = frozenset()
    ids: tuple[tuple[str, str], ...] = ()
    email: str | None = None  # only an address that identifies this slot
    orgs: frozenset[str] = frozenset()
    topic: Mapping[str, float] = field(default_factory=dict)  # unit length
    venue: str | None = None
    year: int | None = None


@dataclass(slots=True)
class Profile:
    """A group of slots believed to be one person, with their evidence pooled."""

    slots: list[Slot]
    coauthors: set[str]
    ids: dict[str, set[str]]
    emails: set[str]
    orgs: set[str]
    topic: dict[str, float]
    venues: set[str]
    years: set[int]
    norm: float | None = None  # of ``topic``, while it does not change

    @classmethod
    def of(cls, slots: Sequence[Slot]) -> Profile:
        profile = cls([], set(), {}, set(), set(), {}, set(), set())
        for slot in slots:
            profile.add(slot)
        return profile

    def add(self, slot: Slot) -> None:
        self.slots.append(slot)
        self.coauthors |= slot.coauthors
        for scheme, value in slot.ids:
            self.ids.setdefault(scheme, set()).add(value)
        if slot.email:
            self.emails.add(slot.email)
        self.orgs |= slot.orgs
        if slot.topic:
            topic = self.topic
            for word, weight in slot.topic.items():
                topic[word] = topic.get(word, 0.0) + weight
            self.norm = None
        if slot.venue:
            self.venues.add(slot.venue)
        if slot.year is not None:
            self.years.add(slot.year)

    def absorb(self, other: Profile) -> None:
        for slot in other.slots:
            self.add(slot)

    def conflicts(self, other: Profile) -> str | None:
        """The scheme in which the two hold different identifiers, if any."""
        for scheme in sorted(self.ids.keys() & other.ids.keys()):
            if not self.ids[scheme] & other.ids[scheme]:
                return scheme
        return None


@dataclass(frozen=True, slots=True)
class NameStats:
    """How common names are: distinct names per given name and per surname."""

    given: Mapping[str, int]
    surname: Mapping[str, int]
    total: int

    def given_count(self, name: Name) -> int:
        return self.given.get(name.words[0], 1) if name.words else 1

    def surname_count(self, name: Name) -> int:
        return self.surname.get(name.surname, 1)

    def rarity(self, surname: str) -> float:
        """How much a shared co-author of this surname says: its self-information, scaled."""
        return math.log(self.total / self.surname.get(surname, 1)) / 10


@cache
def name_stats() -> NameStats:
    """The shipped name table (``data/names.tsv``, see ``training/names.py``)."""
    given: dict[str, int] = {}
    surname: dict[str, int] = {}
    total = 1
    text = resources.files("kg.resolve").joinpath("data/names.tsv").read_text("utf-8")
    for line in text.splitlines():
        kind, name, count = line.split("\t")
        if kind == "g":
            given[name] = int(count)
        elif kind == "s":
            surname[name] = int(count)
        elif kind == "total":
            total = int(count)
    return NameStats(given, surname, total)


Weights = tuple[tuple[float, ...], tuple[float, ...]]
"""Fitted weights for pairs that share a co-author, and for pairs that do not."""


def reload() -> None:
    """Forget the weights read so far (after ``training.homonyms`` wrote new ones)."""
    weights.cache_clear()
    _name_weights.cache_clear()
    _shortcut_allowed.cache_clear()


@cache
def weights() -> Weights:
    """The fitted weights (``data/homonyms.json``), one per feature in each of two sets."""
    data = json.loads(
        resources.files("kg.resolve").joinpath("data/homonyms.json").read_text("utf-8")
    )
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(
            "kg/resolve/data/homonyms.json does not match FEATURES; run python -m training.homonyms"
        )
    return (tuple(float(v) for v in data["shared"]), tuple(float(v) for v in data["apart"]))


def _norm(profile: Profile) -> float:
    if profile.norm is None:
        profile.norm = math.sqrt(sum(v * v for v in profile.topic.values()))
    return profile.norm


def cosine(a: Profile, b: Profile) -> float:
    """Cosine similarity of the topics of two profiles."""
    x, y = a.topic, b.topic
    if not x or not y:
        return 0.0
    if len(x) > len(y):
        x, y = y, x
    get = y.get
    dot = sum(v * get(k, 0.0) for k, v in x.items())
    return dot / (_norm(a) * _norm(b)) if dot else 0.0


def features(a: Profile, b: Profile, name: Name, block: int, stats: NameStats) -> list[float]:
    """The pair features of two profiles of one name (see :data:`FEATURES`)."""
    common = a.coauthors & b.coauthors
    shared = len(common)
    rare = max((stats.rarity(c.split(" ", 1)[-1]) for c in common), default=0.0)
    gap = 0.0
    if a.years and b.years:
        gap = min(abs(x - y) for x in a.years for y in b.years) / 5
    topic = cosine(a, b)
    return [
        1.0,
        math.log1p(shared),
        float(shared > 0),
        rare,
        topic,
        float(bool(a.orgs & b.orgs)),
        float(bool(a.orgs and b.orgs and not a.orgs & b.orgs)),
        float(bool(a.venues & b.venues)),
        min(gap, 2.0),
        math.log1p(stats.given_count(name)) / 5,
        math.log1p(stats.surname_count(name)) / 5,
        math.log(block) / 5,
        float(len(name.given) > 1),
    ]


#: Features of the name itself; every other feature is evidence about a pair.
_NAME_FEATURES = frozenset({"bias", "given_common", "surname_common", "block_size", "middle_name"})


def without_evidence(name: Name, block: int, conflicts: bool = False) -> bool:
    """Would every pair of this name be joined whatever its evidence? (A rare name.)

    True when the model joins two slots that share nothing, and no piece of evidence can
    lower that (its weight is not negative, or, for different institutions, ``conflicts``
    says the block has none).  Such a block needs no pairwise comparison at all.
    """
    allowed = _shortcut_allowed()
    if allowed is None or (conflicts and not allowed):
        return False
    stats = name_stats()
    given = math.log1p(stats.given_count(name)) / 5
    surname = math.log1p(stats.surname_count(name)) / 5
    size = math.log(block) / 5
    middle = float(len(name.given) > 1)
    for (w0, wg, ws, wb, wm), limit in _name_weights():
        if w0 + wg * given + ws * surname + wb * size + wm * middle < limit:
            return False
    return True


@cache
def _name_weights() -> tuple[tuple[tuple[float, ...], float], ...]:
    """Per model, the weights of the name features (the bias holding the least evidence
    the model sees: none apart, one co-author shared) and the logit its threshold asks."""
    shared, apart = weights()
    names = [
        FEATURES.index(f)
        for f in ("bias", "given_common", "surname_common", "block_size", "middle_name")
    ]
    one = shared[_SHARED] + shared[FEATURES.index("coauthors")] * math.log(2)
    out = []
    for w, extra, threshold in ((apart, 0.0, THRESHOLD_APART), (shared, one, THRESHOLD)):
        picked = [w[i] for i in names]
        picked[0] += extra
        out.append((tuple(picked), math.log(threshold / (1 - threshold))))
    return tuple(out)


@cache
def _shortcut_allowed() -> bool | None:
    """``None``: some evidence other than different institutions may lower a pair's
    probability, so no shortcut; ``True``: none may; ``False``: different institutions may
    (the shortcut only holds where a name's slots give at most one institution)."""
    orgs_lower = False
    for chosen in weights():
        for feature, weight in zip(FEATURES, chosen, strict=True):
            if feature in _NAME_FEATURES or weight >= 0:
                continue
            if feature != "org_conflict":
                return None
            orgs_lower = True
    return not orgs_lower


def probability(x: Sequence[float], w: Weights) -> float:
    """The model's probability that a pair with features ``x`` is one person."""
    chosen = w[0] if x[_SHARED] else w[1]
    z = sum(a * b for a, b in zip(x, chosen, strict=True))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True)
class Decision:
    """Why two groups of a name were joined or kept apart."""

    joined: bool
    a: tuple[Ref, ...]
    b: tuple[Ref, ...]
    probability: float | None
    reasons: tuple[str, ...]
    needs: float | None = None  # the probability a join of this pair asks

    def as_dict(self) -> dict[str, Any]:
        """The decision for the build report: slots as ``FILE:LINE#POSITION``."""
        return {
            "joined": self.joined,
            "a": [f"{r}#{p}" for r, p in self.a],
            "b": [f"{r}#{p}" for r, p in self.b],
            "probability": None if self.probability is None else round(self.probability, 3),
            "needs": self.needs,
            "reasons": list(self.reasons),
        }


def reasons(a: Profile, b: Profile, name: Name, stats: NameStats) -> tuple[str, ...]:
    """The evidence of a pair in words."""
    out = []
    shared = sorted(a.coauthors & b.coauthors)
    out.append(
        f"{len(shared)} shared co-author{'s' if len(shared) != 1 else ''}"
        + (f" ({', '.join(shared[:3])})" if shared else "")
    )
    out.append(f"topic similarity {cosine(a, b):.2f}")
    if a.orgs & b.orgs:
        out.append(f"same institution ({', '.join(sorted(a.orgs & b.orgs)[:2])})")
    elif a.orgs and b.orgs:
        out.append(
            f"different institutions ({', '.join(sorted(a.orgs)[:2])} / "
            f"{', '.join(sorted(b.orgs)[:2])})"
        )
    if a.years and b.years:
        out.append(f"years {min(a.years)}-{max(a.years)} / {min(b.years)}-{max(b.years)}")
    out.append(
        f"name commonness: {stats.given_count(name)} names share the given name, "
        f"{stats.surname_count(name)} the surname"
    )
    return tuple(out)


def hard_groups(units: Sequence[Sequence[Slot]]) -> list[list[Slot]]:
    """Units (slots already known to be one person) joined by a shared identifier or email,
    never across two identifiers of one scheme; a group that joined units comes first in
    each of its lists with the slots of its first unit."""
    profiles = [Profile.of(u) for u in units]
    index: dict[tuple[str, str], int] = {}
    parent = list(range(len(profiles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, unit in enumerate(units):
        keys = sorted(
            {
                key
                for slot in unit
                for key in (*slot.ids, *((("email", slot.email),) if slot.email else ()))
            }
        )
        for key in keys:
            j = index.setdefault(key, i)
            ri, rj = find(i), find(j)
            if ri == rj or profiles[ri].conflicts(profiles[rj]):
                continue
            low, high = min(ri, rj), max(ri, rj)
            profiles[low].absorb(profiles[high])
            parent[high] = low
    groups: dict[int, list[Slot]] = {}
    for i, unit in enumerate(units):
        groups.setdefault(find(i), []).extend(unit)
    return [groups[k] for k in sorted(groups)]


def cluster(
    units: Sequence[Sequence[Slot]],
    name: Name,
    stats: NameStats | None = None,
    w: Weights | None = None,
    threshold: float = THRESHOLD,
    threshold_apart: float | None = None,
) -> tuple[list[list[Slot]], list[Decision]]:
    """Split the slots of one name into people; returns the groups and the decisions.

    ``units`` are groups of slots already known to be one person (one slot each, or the
    slots of one paper in two sources).  Deterministic: units in ref order give the same
    groups in the same order.
    """
    stats = stats or name_stats()
    w = w or weights()
    threshold_apart = THRESHOLD_APART if threshold_apart is None else threshold_apart
    block = sum(len(u) for u in units)
    groups = hard_groups(units)
    profiles: dict[int, Profile] = {i: Profile.of(g) for i, g in enumerate(groups)}
    decisions: list[Decision] = []
    unit_of = {slot.ref: n for n, unit in enumerate(units) for slot in unit}
    for group in groups:
        first = unit_of[group[0].ref]
        mine = tuple(s.ref for s in group if unit_of[s.ref] == first)
        others = tuple(s.ref for s in group if unit_of[s.ref] != first)
        if others:
            decisions.append(
                Decision(True, mine, others, None, ("a shared identifier or email address",))
            )
    # a heap of joinable pairs, the likeliest first; a profile that joins another gets a
    # new number, so entries naming the old ones are stale and skipped
    heap: list[tuple[float, int, int, float]] = []
    next_id = len(profiles)

    def push(i: int, j: int) -> None:
        a, b = profiles[i], profiles[j]
        if a.conflicts(b):
            return
        x = features(a, b, name, block, stats)
        p = probability(x, w)
        needs = threshold if x[_SHARED] else threshold_apart
        if p >= needs:
            heapq.heappush(heap, (-p, min(i, j), max(i, j), needs))

    for i, j in _candidates(profiles):
        push(i, j)
    while heap:
        negp, i, j, needs = heapq.heappop(heap)
        if i not in profiles or j not in profiles:
            continue
        a, b = profiles.pop(i), profiles.pop(j)
        decisions.append(
            Decision(
                True,
                tuple(s.ref for s in a.slots),
                tuple(s.ref for s in b.slots),
                -negp,
                reasons(a, b, name, stats),
                needs,
            )
        )
        a.absorb(b)
        profiles[next_id] = a
        for k in sorted(profiles):
            if k != next_id and (len(profiles) <= MAX_ALL_PAIRS or _related(a, profiles[k])):
                push(k, next_id)
        next_id += 1
    order = sorted(profiles.values(), key=lambda p: min(s.ref for s in p.slots))
    # why they stayed apart: every pair of a few people, neighbours of many
    pairs = (
        itertools.combinations(order, 2)
        if len(order) <= EXPLAIN_ALL_PAIRS
        else itertools.pairwise(order)
    )
    for x, y in pairs:
        scheme = x.conflicts(y)
        if scheme:
            decisions.append(
                Decision(
                    False,
                    tuple(s.ref for s in x.slots),
                    tuple(s.ref for s in y.slots),
                    None,
                    (f"different {scheme} identifiers",),
                )
            )
            continue
        pair = features(x, y, name, block, stats)
        decisions.append(
            Decision(
                False,
                tuple(s.ref for s in x.slots),
                tuple(s.ref for s in y.slots),
                probability(pair, w),
                reasons(x, y, name, stats),
                threshold if pair[_SHARED] else threshold_apart,
            )
        )
    return [sorted(p.slots, key=lambda s: s.ref) for p in order], decisions


def _related(a: Profile, b: Profile) -> bool:
    return bool(a.coauthors & b.coauthors or a.orgs & b.orgs)


def _candidates(profiles: Mapping[int, Profile]) -> Iterable[tuple[int, int]]:
    keys = sorted(profiles)
    if len(keys) <= MAX_ALL_PAIRS:
        for n, i in enumerate(keys):
            for j in keys[n + 1 :]:
                yield i, j
        return
    index: dict[str, list[int]] = {}
    for i in keys:
        for token in {
            *(f"c:{c}" for c in profiles[i].coauthors),
            *(f"o:{o}" for o in profiles[i].orgs),
        }:
            index.setdefault(token, []).append(i)
    seen = set()
    for token in sorted(index):
        members = index[token]
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if (i, j) not in seen:
                    seen.add((i, j))
                    yield i, j


def topic_counts(keys: Sequence[str], text: Callable[[str], str]) -> tuple[Counter[str], int]:
    """In how many of a sample of the papers ``keys`` each word occurs, and the sample's size.

    The sample is an even spread of up to :data:`TOPIC_SAMPLE` of them in key order.
    """
    keys = sorted(keys)
    sample = keys[:: max(1, len(keys) // TOPIC_SAMPLE)]
    df: Counter[str] = Counter()
    for k in sample:
        df.update(set(_WORD.findall(text(k)[:TOPIC_CHARS].lower())))
    return df, len(sample)


class Topics:
    """Each paper's topic: a unit-length vector of its rarest words, weighted by idf.

    Word rarity is counted once, on up to :data:`TOPIC_SAMPLE` of the papers (an even
    spread of them in key order), which is plenty to weigh words and keeps this linear; a
    paper's vector is made when first asked for.
    """

    def __init__(
        self,
        keys: Sequence[str],
        text: Callable[[str], str],
        counts: tuple[Counter[str], int] | None = None,
    ) -> None:
        """Topics of the papers ``keys``, whose text ``text`` gives; ``counts`` are the
        word counts (:func:`topic_counts`) when already made, e.g. over the whole corpus
        for a part of it."""
        self._text = text
        self._df, self._n = counts if counts is not None else topic_counts(keys, text)
        self._vectors: dict[str, dict[str, float]] = {}

    def vector(self, key: str) -> dict[str, float]:
        """The topic of paper ``key`` (empty when it has no text)."""
        found = self._vectors.get(key)
        if found is not None:
            return found
        n, df = self._n, self._df
        vec = {}
        # in word order, not a set's (which the hash seed decides): sums of floats then
        # add up in one order in every process
        for word in sorted(set(_WORD.findall(self._text(key)[:TOPIC_CHARS].lower()))):
            d = df.get(word, 0)
            if d > COMMON_WORD * n and n >= 20:
                continue
            vec[word] = math.log((n + 1) / (d + 1))
        if len(vec) > TOPIC_WORDS:
            vec = dict(heapq.nsmallest(TOPIC_WORDS, vec.items(), key=lambda kv: (-kv[1], kv[0])))
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        # one string per word across all vectors (each kept one would cost 50-60 bytes)
        vec = {sys.intern(word): v / norm for word, v in vec.items()}
        self._vectors[key] = vec
        return vec
