"""A resolution as a file: the clusters every shard reads instead of resolving again.

The file (gzip-compressed JSON) holds which records are one paper (record ids in member
order, with the evidence), what each citation was resolved to, and every person (key,
label, names, evidence, doubt and author slots) with the decisions per name: everything
:class:`PaperResolution` and :class:`PeopleResolution` hold but the records themselves,
which a shard reads from the sources.  Loading checks it against those records: a file
that is not one, is damaged, or was made from other sources is an :class:`InputError`
naming it, never a wrong graph.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.resolve.paperlinks import PaperCluster, PaperResolution, Ranked, _conflicts
from kg.resolve.people import PeopleResolution

FORMAT = "kg-resolution/1"


def dumps(papers: PaperResolution, people: PeopleResolution, build: Mapping[str, Any]) -> bytes:
    """The file's bytes (the same resolution and ``build`` give the same bytes)."""
    members: dict[str, list[tuple[str, int]]] = {}
    for ref, key in people.person_of.items():
        members.setdefault(key, []).append(ref)
    doc = {
        "format": FORMAT,
        "build": build,
        "papers": [
            [c.key, [m.paper.id for m in c.members], list(c.evidence)] for c in papers.clusters
        ],
        "citations": [
            [cite, target, papers.citation_evidence[cite]]
            for cite, target in papers.citation_target.items()
        ],
        "people": [
            [
                key,
                label,
                people.names[key],
                people.evidence.get(key, []),
                people.ambiguous.get(key),
                [[r, p] for r, p in members[key]],
            ]
            for key, label in people.labels.items()
        ],
        "decisions": people.decisions,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)


def load(
    path: Path, records: Sequence[Ranked], build: Mapping[str, Any]
) -> tuple[PaperResolution, PeopleResolution]:
    """The resolution saved in ``path`` for ``records``, made by a build of ``build``."""
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as e:
        raise InputError(str(path), f"not a saved resolution ({e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(str(path), f"not a saved resolution (expected format {FORMAT})")
    if doc.get("build") != build:
        raise InputError(
            str(path), "made from other sources or options than this build's; resolve again"
        )
    try:
        return _papers(doc, records), _people(doc, records)
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(str(path), f"damaged saved resolution ({type(e).__name__}: {e})") from None


def _papers(doc: dict[str, Any], records: Sequence[Ranked]) -> PaperResolution:
    by_id = {r.paper.id: r for r in records}
    clusters = []
    cluster_of: dict[str, str] = {}
    for key, ids, evidence in doc["papers"]:
        members = tuple(by_id[str(i)] for i in ids)
        if not members:
            raise ValueError(f"paper {key} has no records")
        clusters.append(PaperCluster(str(key), members, tuple(map(str, evidence))))
        for m in members:
            if m.paper.id in cluster_of:
                raise ValueError(f"record {m.paper.id} is in two papers")
            cluster_of[m.paper.id] = str(key)
    if len(cluster_of) != len(by_id):
        raise ValueError(f"{len(by_id) - len(cluster_of)} records are in no paper")
    target = {str(c): str(t) for c, t, _ in doc["citations"]}
    how = {str(c): str(h) for c, _, h in doc["citations"]}
    return PaperResolution(clusters, cluster_of, target, how, _conflicts(clusters))


def _people(doc: dict[str, Any], records: Sequence[Ranked]) -> PeopleResolution:
    slots = {(r.paper.id, i) for r in records for i in range(1, len(r.paper.authors) + 1)}
    out = PeopleResolution({}, {}, {})
    for key, label, names, evidence, doubt, refs in doc["people"]:
        key = str(key)
        out.labels[key] = str(label)
        out.names[key] = [str(n) for n in names]
        if evidence:
            out.evidence[key] = [str(e) for e in evidence]
        if doubt is not None:
            out.ambiguous[key] = str(doubt)
        for record, position in refs:
            ref = (str(record), int(position))
            if ref not in slots or ref in out.person_of:
                raise ValueError(f"author slot {record}#{position} is unknown or repeated")
            out.person_of[ref] = key
    if len(out.person_of) != len(slots):
        raise ValueError(f"{len(slots) - len(out.person_of)} author slots have no person")
    decisions = doc["decisions"]
    if not isinstance(decisions, dict) or not all(
        isinstance(v, list) and all(isinstance(d, dict) for d in v) for v in decisions.values()
    ):
        raise TypeError("decisions are not lists of decisions per name")
    out.decisions = decisions
    return out
