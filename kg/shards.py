"""A build cut into N shards that run anywhere, in any order, and merge into one graph.

``kg build SOURCES --emit nquads --shard I/N --dir D`` writes ``D/shard-I-of-N.nq`` and
``D/shard-I-of-N.json``.  Resolution is global: with ``D/resolution.json.gz`` (written once
by ``kg build SOURCES --emit resolution --dir D``, or by the Dask engine, which resolves in
parts on the cluster) a shard reads only its share of it and only its own papers' records
and citations from the sources; without it, every shard reads and resolves all sources.
Then it extracts only its own papers (the expensive part) and writes its share of the
statements:

- of the source graphs, its papers' records and its citations (with the facts about the
  venues, people and concepts they name, which other shards may state too), and of the
  resolution graph, the decisions about its papers and people: a paper, a citation or a
  person belongs to the shard its key hashes to;
- of the extraction graph, the statements about its papers;
- in the ``.json`` sidecar, how often its papers spell each concept (concept labels are
  chosen over the whole corpus), how many of its papers are about each concept (a
  concept's ``kg:paperCount`` is their sum), and the counts for the build report.

The shards' quads are disjoint but for facts two shards both derive (a concept's type),
and as a set they are the single-process build's graph without the concept labels and
paper counts.  ``kg build SOURCES --from-shards D`` adds those, from the summed sidecars,
and writes
the store and every export: byte for byte the files a single-process build writes (but
the extraction cache, which stays with the shards' machines).  For the build report it
reads the sources again: with a saved resolution as one stream checked against it
(:func:`kg.reporting.saved_report`), holding no record set; without one, whole, resolving
them as a single build does.  It also writes the labels and counts as ``D/labels.nq``, so
that ``D/*.nq`` is the whole graph for a bulk loader.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__, quadfiles, reporting
from kg.builds import BuildOptions, BuildReport, ExtractionSummary
from kg.corpus import Corpus, LoadedSource
from kg.errors import UsageError
from kg.graph import vocab as V
from kg.graph.extracted import extraction_quads
from kg.graph.quads import concept_forms, concept_label_quads, concept_papers, record_quads
from kg.outdir import atomic_write_bytes
from kg.reading import lines_of
from kg.records import Citation, Paper
from kg.resolve import resolutionfile
from kg.resolve.concepts import Concepts
from kg.resolve.partition import Runner, serial

_NAME = re.compile(r"^shard-(\d+)-of-(\d+)\.json$")
_SIDECAR_KEYS = {
    "shard",
    "kg_version",
    "base_iri",
    "build",
    "nq_sha256",
    "forms",
    "papers",
    "extraction",
}
#: the concept labels a merge writes beside the shards
LABELS = "labels.nq"
#: the clusters every shard and the merge read instead of resolving, when present
RESOLUTION = "resolution.json.gz"


def shard_of(key: str, count: int) -> int:
    """The shard (0 .. count-1) of an IRI or a paper key: a stable hash, not Python's."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % count


def parse(text: str) -> tuple[int, int]:
    """``"I/N"`` → ``(I, N)`` with 0 <= I < N; a usage error otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 0 <= int(match[1]) < int(match[2]):
        raise UsageError(f"--shard takes I/N with 0 <= I < N (e.g. 0/4), not {text!r}")
    return int(match[1]), int(match[2])


def name(index: int, count: int) -> str:
    """The file stem of shard ``index`` of ``count``."""
    return f"shard-{index}-of-{count}"


def emit_shard(
    specs: Sequence[Any],
    index: int,
    count: int,
    out: str | Path,
    options: BuildOptions | None = None,
    step: Callable[[str], None] | None = None,
) -> Path:
    """Write shard ``index`` of ``count`` of the build of ``specs`` with ``options`` into
    ``out``.

    A pure function of the input files and its arguments (and, with ``model="auto"``, of
    which pipeline is installed: the sidecar records it, and a merge refuses shards that
    differ): the same call gives the same bytes on any machine.  Returns the path of the
    shard's N-Quads file.
    """
    from kg.pipeline import extraction_summary

    options = options or BuildOptions()

    if not 0 <= index < count:
        raise UsageError(f"shard {index} of {count} does not exist")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def mine(key: str) -> bool:
        return shard_of(key, count) == index

    corpus = _prepared(specs, out, options.encoding, step, options.extraction, mine)
    minter = V.Minter(options.base_iri)
    quads = chain(record_quads(corpus, minter, mine), extraction_quads(corpus, minter))
    stem = name(index, count)
    tmp = Path(tempfile.mkdtemp(prefix=f".{stem}.", dir=out))
    try:
        if step:
            step(f"writing {stem}.nq")
        quadfiles.write(quads, tmp, None, nquads=f"{stem}.nq", turtle=None)
        forms = concept_forms(corpus, mine)
        papers = concept_papers(corpus, mine)
        summary = extraction_summary(corpus)
        sidecar = {
            "shard": [index, count],
            "kg_version": __version__,
            "base_iri": options.base_iri,
            "build": fingerprint(
                specs,
                [s.sha256 for s in corpus.sources],
                options.encoding,
                options.extract,
                options.model,
            ),
            "nq_sha256": _sha256(tmp / f"{stem}.nq"),
            "forms": {k: dict(sorted(v.items())) for k, v in sorted(forms.items())},
            "papers": dict(sorted(papers.items())),
            "extraction": summary.to_json() if summary is not None else None,
        }
        os.replace(tmp / f"{stem}.nq", out / f"{stem}.nq")
        atomic_write_bytes(
            out / f"{stem}.json", json.dumps(sidecar, ensure_ascii=False, sort_keys=True).encode()
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / f"{stem}.nq"


def resolution_build(
    specs: Sequence[Any], digests: Sequence[str], encoding: str | None
) -> dict[str, Any]:
    """What a saved resolution is made from: the sources (as a shard's), the encoding and
    the resolving code and data (:func:`kg.resolve.resolutionfile.code_digest`)."""
    return {
        **fingerprint(specs, digests, encoding, False, None),
        "code": resolutionfile.code_digest(),
    }


def _prepared(
    specs: Sequence[Any],
    folder: Path,
    encoding: str | None,
    step: Callable[[str], None] | None,
    extraction: Any,
    mine: Callable[[str], bool],
) -> Corpus:
    """The corpus of a shard (``mine``: its keys).

    With a saved resolution in ``folder`` (:func:`write_resolution`) the shard reads only
    its share of it and of the sources (its papers' records, parsing only their lines of
    a JSON-lines file, and its citations); without one it reads and resolves all sources
    as a single build does.
    """
    from kg.pipeline import from_saved, prepare

    path = Path(folder) / RESOLUTION
    if not path.is_file():
        return prepare(specs, None, encoding, step, extraction, papers=mine)[0]
    if step:
        step(f"reading {RESOLUTION}")
    part = resolutionfile.read(path, mine)

    def wanted(item: Paper | Citation) -> bool:
        return part.wanted(item.id) if isinstance(item, Paper) else mine(item.id)

    def resolver(loaded: Sequence[LoadedSource]) -> Corpus:
        return from_saved(
            loaded, part, resolution_build(specs, [s.sha256 for s in loaded], encoding)
        )

    return prepare(
        specs,
        None,
        encoding,
        step,
        extraction,
        papers=mine,
        resolver=resolver,
        wanted=wanted,
        lines=lines_of(part.records),
    )[0]


def write_resolution(
    specs: Sequence[Any],
    folder: str | Path,
    encoding: str | None = None,
    parts: int = 1,
    run: Runner[Any, Any] = serial,
    step: Callable[[str], None] | None = None,
) -> Path:
    """Read and resolve ``specs`` in ``parts`` parts run by ``run`` and save the clusters
    as ``folder/resolution.json.gz``, which every shard and the merge then read instead of
    resolving again.  Returns its path.

    The sources are read in passes (:mod:`kg.bounded`), holding keys rather than records;
    the people's parts read their records from a spill file in ``folder``, so workers
    that run them must see ``folder``.
    """
    from kg.bounded import resolve_sources

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    done = resolve_sources(specs, encoding, parts, run, step, spill_dir=folder)
    build = resolution_build(specs, done.digests, encoding)
    data = resolutionfile.dumps(done.papers, done.people, done.organizations, done.acronyms, build)
    del done
    atomic_write_bytes(folder / RESOLUTION, data)
    return folder / RESOLUTION


def fingerprint(
    specs: Sequence[Any],
    digests: Sequence[str],
    encoding: str | None,
    extract: bool,
    model: str | None,
) -> dict[str, Any]:
    """What makes two shards parts of one build: the sources in order (name, content,
    format and defaults), the encoding, and the extraction (pipeline, version, rules)."""
    from kg.extract import model_name
    from kg.extract.cache import rules_digest

    return {
        "sources": [
            [s.path.name, digest, s.format, s.venue, s.year]
            for s, digest in zip(specs, digests, strict=True)
        ],
        "encoding": encoding,
        "extract": extract,
        "model": model,
        "pipeline": model_name(model) if extract else None,
        "rules": rules_digest() if extract else None,
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def read_sidecars(folder: Path) -> list[dict[str, Any]]:
    """The sidecars of a complete set of shards in ``folder``, in shard order.

    Raises a usage error naming what is missing or mixed (shards of different splits,
    builds or kg versions).
    """
    found: dict[int, dict[str, Any]] = {}
    counts: set[int] = set()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such directory of shards")
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name)
        if not match:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: unreadable shard sidecar ({exc})") from None
        index, count = int(match[1]), int(match[2])
        if (
            isinstance(data, dict)
            and set(data) >= _SIDECAR_KEYS - {"papers"}
            and "papers" not in data
        ):
            raise UsageError(
                f"{path}: written by an older kg, without the concepts' paper counts; "
                f"write the shard again"
            )
        if not isinstance(data, dict) or not set(data) >= _SIDECAR_KEYS:
            raise UsageError(
                f"{path}: not a shard sidecar kg wrote (it needs "
                f"{', '.join(sorted(_SIDECAR_KEYS))})"
            )
        if problem := _malformed(data):
            raise UsageError(f"{path}: {problem}; write the shard again")
        quads = folder / f"{name(index, count)}.nq"
        if not quads.is_file():
            raise UsageError(f"{path}: its N-Quads file {quads.name} is missing")
        if _sha256(quads) != data["nq_sha256"]:
            raise UsageError(
                f"{quads}: not the file its sidecar describes (changed, or "
                f"written by another run); write the shard again"
            )
        counts.add(count)
        found[index] = data
    if not found:
        raise UsageError(
            f"{folder}: no shard-I-of-N.json files (write them with "
            f"`kg build --emit nquads --shard I/N --dir {folder}`)"
        )
    if len(counts) > 1:
        raise UsageError(f"{folder}: shards of different splits ({sorted(counts)}); keep one")
    count = counts.pop()
    missing = [i for i in range(count) if i not in found]
    if missing:
        raise UsageError(
            f"{folder}: shards {', '.join(f'{i}/{count}' for i in missing)} are missing"
        )
    sidecars = [found[i] for i in range(count)]
    for key in ("kg_version", "base_iri", "build"):
        if len({json.dumps(s.get(key)) for s in sidecars}) > 1:
            raise UsageError(
                f"{folder}: the shards disagree on {key}; they come from different builds"
            )
    return sidecars


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _malformed(sidecar: dict[str, Any]) -> str | None:
    """What is wrong with a sidecar's concept counts (the merge adds them up), if
    anything."""
    forms, papers = sidecar["forms"], sidecar["papers"]
    if not isinstance(forms, dict) or not all(
        isinstance(spellings, dict)
        and spellings
        and all(isinstance(f, str) and _count(n) for f, n in spellings.items())
        for spellings in forms.values()
    ):
        return "its concept spellings (forms) are not counts by concept and spelling"
    if not isinstance(papers, dict) or not all(_count(n) for n in papers.values()):
        return "its paper counts (papers) are not positive whole numbers by concept"
    if set(papers) != set(forms):
        return "its paper counts (papers) and spellings (forms) name different concepts"
    return None


def merged_forms(sidecars: Sequence[dict[str, Any]]) -> dict[str, Counter[str]]:
    """The concept spellings of all shards added up."""
    forms: dict[str, Counter[str]] = {}
    for s in sidecars:
        for key, counts in s["forms"].items():
            forms.setdefault(key, Counter()).update(counts)
    return forms


def merged_papers(sidecars: Sequence[dict[str, Any]]) -> Counter[str]:
    """The concepts' paper counts of all shards added up (a paper is in one shard)."""
    papers: Counter[str] = Counter()
    for s in sidecars:
        papers.update(s["papers"])
    return papers


def shard_quads(folder: Path, sidecars: Sequence[dict[str, Any]]) -> Iterator[ox.Quad]:
    """Every quad of the shards, shard by shard."""
    count = len(sidecars)
    for index in range(count):
        yield from ox.parse(
            path=str(folder / f"{name(index, count)}.nq"), format=ox.RdfFormat.N_QUADS
        )


def build_from_shards(
    specs: Sequence[Any],
    folder: str | Path,
    out: str | Path,
    base_iri: str = V.DEFAULT_BASE,
    encoding: str | None = None,
    step: Callable[[str], None] | None = None,
) -> BuildReport:
    """Merge the shards in ``folder`` (of the build of ``specs``) into a build in ``out``;
    the shards say whether and how they extracted."""
    from kg.outdir import check_replaceable, locked
    from kg.pipeline import few_collections, prepare, reporter, write_build

    folder, out = Path(folder), Path(out)
    sidecars = read_sidecars(folder)
    if sidecars[0]["base_iri"] != base_iri:
        raise UsageError(
            f"{folder}: the shards were made with --base-iri "
            f"{sidecars[0]['base_iri']}, not {base_iri}"
        )
    summaries = [
        ExtractionSummary.from_json(s["extraction"]) if s["extraction"] is not None else None
        for s in sidecars
    ]
    with locked(out), few_collections():
        check_replaceable(out, [Path(s.path) for s in specs])
        if (folder / RESOLUTION).is_file():
            concepts, report_of, digests = _saved_report(specs, folder, encoding, summaries, step)
        else:  # shards that each resolved everything: so does the merge
            corpus = prepare(specs, None, encoding, step, None)[0]
            concepts, digests = corpus.concepts, [c.sha256 for c in corpus.sources]
            report_of = reporter(corpus, summaries)
            del corpus
        made = sidecars[0]["build"]
        theirs = [
            [s.path.name, d, s.format, s.venue, s.year] for s, d in zip(specs, digests, strict=True)
        ]
        if theirs != made["sources"] or encoding != made["encoding"]:
            raise UsageError(
                f"{folder}: the shards were made from other source files (or "
                f"in another order, or with other --format/--venue/--year/"
                f"--encoding) than these {len(theirs)}"
            )
        minter = V.Minter(base_iri)
        labels = list(
            concept_label_quads(merged_forms(sidecars), merged_papers(sidecars), concepts, minter)
        )
        quads = chain(shard_quads(folder, sidecars), labels)
        options = BuildOptions(base_iri, made["extract"], made["model"], encoding)
        handed = [report_of]
        del report_of
        result = write_build(out, handed, quads, minter, {}, specs, options, step)
    # with the labels beside them, the shards' *.nq files are the whole graph for a bulk
    # loader (Virtuoso's ld_dir, QLever's index builder)
    data = ox.serialize(labels, format=ox.RdfFormat.N_QUADS) or b""
    atomic_write_bytes(folder / LABELS, b"".join(sorted(set(data.splitlines(keepends=True)))))
    return result


def _saved_report(
    specs: Sequence[Any],
    folder: Path,
    encoding: str | None,
    summaries: Sequence[ExtractionSummary | None],
    step: Callable[[str], None] | None,
) -> tuple[Concepts, Callable[[int], BuildReport], list[str]]:
    """A merge's build report from the saved resolution in ``folder`` and one streamed
    pass over the sources (no record held), as a function of the store's triple count;
    with the corpus's concepts and the sources' digests."""
    from kg.pipeline import extraction_report

    if step:
        step(f"reading {RESOLUTION}")
    saved = resolutionfile.read(folder / RESOLUTION)
    concepts = Concepts(saved.acronyms)
    partial, read = reporting.saved_report(
        specs,
        encoding,
        saved,
        lambda digests: resolution_build(specs, digests, encoding),
        extraction_report(summaries, concepts),
        step,
    )

    def report_of(triples: int) -> BuildReport:
        totals = dataclasses.replace(partial.totals, triples=triples)
        return dataclasses.replace(partial, totals=totals)

    return concepts, report_of, [r.sha256 for r in read]
