"""One node per institution that authors give as their affiliation, whatever the spelling.

An affiliation (one institution of one author slot of one record) joins an organization

* by its identifier: affiliations with the same ROR id, or the same OpenAlex id, are one
  organization (``same-id``);
* by its name once folded (:func:`normalize_name`): ``Univ. of Tübingen``, ``the university
  of tubingen`` and ``University of Tubingen`` are one (``same-name``).  A name joins the
  identifiers it is given with, unless that would put two different ids of one scheme (two
  ROR ids) into one organization: then the name joins nothing, and the affiliations that
  give only that name are an organization of their own.  Names are taken in sorted order,
  so the outcome depends only on the affiliations, never on the order of the sources.

Folding is deliberately conservative: it never translates (``Technische Universität
München`` and ``Technical University of Munich`` stay apart until an id joins them), never
expands an acronym (``UC Berkeley``) and never drops a department or a campus.  A
department written instead of its institution (``Department of Computer Science``) is
an organization of that name; sources that know better give a normalised name or an id.

Each organization has a stable key: ``ror-<id>`` when it has a ROR id, else
``openalex-<id>``, else the slug of its folded name (``university-of-tubingen``); its label is
the spelling used most often; its country (an ISO 3166-1 alpha-2 code where the name is in
:data:`COUNTRIES`) and its web or mail domain are the ones given most often.

>>> normalize_name("The Univ. of Tübingen"), normalize_name("NVIDIA Corporation")
('university of tubingen', 'nvidia')
>>> country_code("United States"), country_code("us"), country_code("Atlantis")
('US', 'US', 'Atlantis')
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.identifiers import ORGANIZATION_SCHEMES
from kg.records import Affiliation, Paper
from kg.resolve.unionfind import UnionFind
from kg.text import ascii_fold, collapse_ws, slugify

#: (record id, 1-based author position, 0-based index among the slot's affiliations)
Slot = tuple[str, int, int]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: abbreviations written out before names are compared (whole words only)
ABBREVIATIONS = {
    "univ": "university",
    "inst": "institute",
    "natl": "national",
    "intl": "international",
    "dept": "department",
    "lab": "laboratory",
    "labs": "laboratories",
    "ctr": "center",
    "centre": "center",
}
#: legal forms dropped at the end of a name (``Google Inc.`` is ``Google``)
LEGAL_FORMS = frozenset({"inc", "ltd", "llc", "corp", "corporation", "gmbh", "plc"})

#: Country names as sources write them (folded), and their ISO 3166-1 alpha-2 codes.
COUNTRIES: dict[str, str] = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "china": "CN",
    "peoples republic of china": "CN",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "germany": "DE",
    "canada": "CA",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "australia": "AU",
    "singapore": "SG",
    "switzerland": "CH",
    "france": "FR",
    "japan": "JP",
    "israel": "IL",
    "italy": "IT",
    "india": "IN",
    "netherlands": "NL",
    "the netherlands": "NL",
    "sweden": "SE",
    "austria": "AT",
    "united arab emirates": "AE",
    "denmark": "DK",
    "spain": "ES",
    "belgium": "BE",
    "russian federation": "RU",
    "russia": "RU",
    "poland": "PL",
    "finland": "FI",
    "saudi arabia": "SA",
    "kingdom of saudi arabia": "SA",
    "czech republic": "CZ",
    "czechia": "CZ",
    "brazil": "BR",
    "norway": "NO",
    "greece": "GR",
    "turkiye": "TR",
    "turkey": "TR",
    "iran": "IR",
    "south africa": "ZA",
    "ireland": "IE",
    "vietnam": "VN",
    "viet nam": "VN",
    "new zealand": "NZ",
    "slovenia": "SI",
    "qatar": "QA",
    "croatia": "HR",
    "chile": "CL",
    "romania": "RO",
    "luxembourg": "LU",
    "cyprus": "CY",
    "estonia": "EE",
    "malaysia": "MY",
    "peru": "PE",
    "portugal": "PT",
    "pakistan": "PK",
    "hungary": "HU",
    "mexico": "MX",
    "bulgaria": "BG",
    "algeria": "DZ",
    "colombia": "CO",
    "argentina": "AR",
    "ecuador": "EC",
    "uruguay": "UY",
    "kuwait": "KW",
    "thailand": "TH",
    "sri lanka": "LK",
    "philippines": "PH",
    "hong kong": "HK",
    "taiwan": "TW",
    "macau": "MO",
    "macao": "MO",
    "egypt": "EG",
    "indonesia": "ID",
    "nigeria": "NG",
    "kenya": "KE",
    "ukraine": "UA",
    "serbia": "RS",
    "slovakia": "SK",
    "lithuania": "LT",
    "latvia": "LV",
    "iceland": "IS",
    "bangladesh": "BD",
    "nepal": "NP",
    "jordan": "JO",
    "lebanon": "LB",
    "morocco": "MA",
    "tunisia": "TN",
    "ethiopia": "ET",
    "ghana": "GH",
}


def normalize_name(name: str) -> str:
    """The matching key of an institution's name: accents, case, punctuation, a leading
    "the", a trailing legal form folded away, ``&`` as "and", a few abbreviations written out.
    """
    words = _NON_ALNUM.sub(" ", ascii_fold(name).lower().replace("&", " and ")).split()
    words = [ABBREVIATIONS.get(w, w) for w in words]
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code for a country as written, or the value as written."""
    text = collapse_ws(value)
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return COUNTRIES.get(_NON_ALNUM.sub(" ", ascii_fold(text).lower()).strip(), text)


@dataclass(frozen=True, slots=True)
class Organization:
    """An institution: its key, preferred label, identifiers, country, domain and names.

    ``ids`` are canonical ``scheme:value`` strings (``ror:05x2bcf33``), sorted; ``names`` every
    spelling given, sorted; ``normalized`` their folded forms (for lookups).
    """

    key: str
    label: str
    ids: tuple[str, ...] = ()
    country: str | None = None
    domain: str | None = None
    names: tuple[str, ...] = ()
    normalized: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organizations:
    """Every organization by key, and the organization of every affiliation slot."""

    by_key: Mapping[str, Organization] = field(default_factory=dict)
    of: Mapping[Slot, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AffiliationOcc:
    """One affiliation of one author slot, its name folded."""

    slot: Slot
    affiliation: Affiliation
    folded: str

    @property
    def node(self) -> str:
        """The union-find node: the identifier, else the folded name."""
        a = self.affiliation
        return f"id {a.id}" if a.id else f"name {self.folded}"


def affiliations_of(paper: Paper) -> list[AffiliationOcc]:
    """The affiliations of ``paper``'s authors that name an organization, in slot order:
    all that resolving organizations needs of a record."""
    occs = []
    for position, author in enumerate(paper.authors, start=1):
        for index, affiliation in enumerate(author.affiliations):
            folded = normalize_name(affiliation.name) if affiliation.name else ""
            if affiliation.id or folded:
                occs.append(AffiliationOcc((paper.id, position, index), affiliation, folded))
    return occs


def _one_per_scheme(ids: Iterable[str]) -> bool:
    schemes = [i.split(":", 1)[0] for i in ids]
    return len(schemes) == len(set(schemes))


def resolve_organizations(papers: Sequence[Paper]) -> Organizations:
    """The organizations of every affiliation of ``papers``; independent of their order."""
    return resolve_affiliations([o for paper in papers for o in affiliations_of(paper)])


def resolve_affiliations(occs: list[AffiliationOcc]) -> Organizations:
    """The organizations of the affiliations ``occs`` (:func:`affiliations_of` of every
    record, in any order; the list is sorted in place)."""
    occs.sort(key=lambda o: o.slot)
    nodes = sorted({o.node for o in occs} | {f"name {o.folded}" for o in occs if o.folded})
    sets: UnionFind[str] = UnionFind(nodes)
    ids_of: dict[str, set[str]] = {n: {n[3:]} for n in nodes if n.startswith("id ")}
    given_with: dict[str, set[str]] = defaultdict(set)  # folded name -> ids it comes with
    for o in occs:
        if o.folded and o.affiliation.id:
            given_with[o.folded].add(o.affiliation.id)
    named: set[str] = set()  # roots joined by a name
    for name in sorted(given_with):
        members = [f"name {name}", *(f"id {i}" for i in sorted(given_with[name]))]
        roots = sorted({sets.find(m) for m in members})
        merged = set().union(*(ids_of.get(r, set()) for r in roots))
        if not _one_per_scheme(merged):
            continue  # the name is shared by different institutions: it joins none of them
        for member in members[1:]:
            joined = sets.union(members[0], member)
            if joined:
                root, gone = joined
                ids_of[root] = ids_of.get(root, set()) | ids_of.pop(gone, set())
                named.add(root)
    groups: dict[str, list[AffiliationOcc]] = defaultdict(list)
    for o in occs:
        groups[sets.find(o.node)].append(o)
    return _result(groups, {sets.find(r) for r in named})


def _label(names: Counter[str]) -> str:
    """The most used spelling; a tie goes to mixed case, then to the first alphabetically."""
    return min(names, key=lambda n: (-names[n], n.isupper() or n.islower(), n))


def _most(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def _base_key(ids: Sequence[str], folded: Sequence[str]) -> str:
    for scheme in ORGANIZATION_SCHEMES:  # ROR first
        own = [i.split(":", 1)[1] for i in ids if i.startswith(scheme + ":")]
        if own:
            return slugify(f"{scheme}-{own[0]}")
    return slugify(folded[0] if folded else "organization")


def _result(groups: Mapping[str, list[AffiliationOcc]], named: set[str]) -> Organizations:
    drafts = []
    for root, members in groups.items():
        ids = sorted({o.affiliation.id for o in members if o.affiliation.id})
        folded = sorted({o.folded for o in members if o.folded})
        drafts.append((_base_key(ids, folded), root, ids, folded, members))
    drafts.sort(key=lambda d: (d[0], d[1]))
    by_key: dict[str, Organization] = {}
    of: dict[Slot, str] = {}
    used: Counter[str] = Counter()
    for base, root, ids, folded, members in drafts:
        used[base] += 1
        key = base if used[base] == 1 else f"{base}-{used[base]}"
        names = Counter(o.affiliation.name for o in members if o.affiliation.name)
        evidence = []
        if len({o.slot for o in members if o.affiliation.id}) > 1:
            evidence.append("same-id")
        if root in named or (len(members) > 1 and not ids):
            evidence.append("same-name")
        by_key[key] = Organization(
            key=key,
            label=_label(names) if names else ids[0],
            ids=tuple(ids),
            country=_most(country_code(c) for o in members if (c := o.affiliation.country)),
            domain=_most((o.affiliation.domain or "").lower() for o in members),
            names=tuple(sorted(names)),
            normalized=tuple(folded),
            evidence=tuple(evidence),
        )
        for o in members:
            of[o.slot] = key
    return Organizations(dict(sorted(by_key.items())), of)
