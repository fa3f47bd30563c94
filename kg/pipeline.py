"""The stages chained: sources → records → resolution → graph → store → exports.

This is what the CLI and the tests call.

>>> # report = build()                       # the bundled corpus into exports/
>>> # report = build([SourceSpec(Path("my.bib"))], out="out")
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__, sources
from kg.corpus import Corpus, Extracted, LoadedSource
from kg.errors import InputError, UsageError
from kg.export import papers as papers_export
from kg.export import rdf
from kg.extract import AUTO, Text
from kg.extract import extract as extract_texts
from kg.graph import vocab as V
from kg.graph.build import build_quads
from kg.outdir import atomic_write_bytes, commit, locked, staging
from kg.records import Citation, Paper, Problem, SourceRef
from kg.resolve.concepts import Concepts
from kg.resolve.papers import Ranked, resolve_papers
from kg.resolve.people import resolve_people
from kg.store import STORE_DIR, Store
from kg.text import slugify

Step = Callable[[str], None]

#: What a build writes into its directory, besides the store.
OUTPUTS = ("graph.ttl", "graph.nq", "papers.jsonl", "void.ttl", "build-report.json")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """An input file, its format (``auto`` to sniff) and defaults for what it omits."""

    path: Path
    format: str = "auto"
    venue: str | None = None
    year: int | None = None


def bundled_sources() -> list[SourceSpec]:
    """The bundled reference corpus (five ICLR listings) with its venue metadata."""
    folder = resources.files("kg") / "data" / "iclr"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [
        SourceSpec(Path(str(folder / e["file"])), e.get("format", "auto"), e.get("venue"),
                   e.get("year"))
        for e in manifest["sources"]
    ]


def _with_defaults(paper: Paper, spec: SourceSpec) -> Paper:
    """Fill the venue and year a record omits from the source's defaults."""
    venue = paper.venue or spec.venue
    year = paper.year
    if year is None and venue == spec.venue:
        year = spec.year
    if (venue, year) == (paper.venue, paper.year):
        return paper
    return dataclasses.replace(paper, venue=venue, year=year)


#: Longest title and abstract kept; longer ones are cut (at a word) with a warning.
MAX_TITLE = 2_000
MAX_ABSTRACT = 100_000


def _cut(text: str, limit: int) -> str:
    head = text[:limit]
    space = head.rfind(" ", limit - 200)
    return (head[:space] if space > 0 else head) + " …"


def _bounded(paper: Paper) -> tuple[Paper, list[Problem]]:
    """``paper`` with an absurdly long title or abstract cut, and a warning for each."""
    problems = []
    for name, limit in (("title", MAX_TITLE), ("abstract", MAX_ABSTRACT)):
        value = getattr(paper, name)
        if value and len(value) > limit:
            paper = dataclasses.replace(paper, **{name: _cut(value, limit)})  # type: ignore[arg-type]
            problems.append(Problem(paper.source, f"{name} of {len(value):,} characters cut "
                                                  f"to {limit:,}"))
    return paper, problems


def read_source(spec: SourceSpec, key: str, encoding: str | None = None) -> LoadedSource:
    """Read one file completely; raises :class:`InputError` if nothing usable is in it."""
    source = sources.load(spec.path, encoding)
    reader, items = sources.read(source, spec.format)
    papers: list[Paper] = []
    citations: list[Citation] = []
    problems: list[Problem] = []
    per_line: Counter[int] = Counter()
    for item in items:
        if isinstance(item, Paper):
            # records that share a line get distinct ids, so none is ever lost
            n = per_line[item.source.line]
            per_line[item.source.line] += 1
            if n:
                item = dataclasses.replace(
                    item, source=dataclasses.replace(item.source, item=n))
            item, cut = _bounded(item)
            problems.extend(cut)
            papers.append(_with_defaults(item, spec))
        elif isinstance(item, Citation):
            citations.append(item)
        else:
            problems.append(item)
    if not papers and not citations:
        detail = f" (first problem: {problems[0]})" if problems else ""
        raise InputError(source.name, f"no paper or citation could be read as "
                                      f"{reader.name}{detail}")
    digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    return LoadedSource(source.name, reader.name, digest, key, reader.authority,
                        tuple(papers), tuple(citations), tuple(problems))


def _source_keys(specs: Sequence[SourceSpec]) -> list[str]:
    """IRI keys from file names; files that share a name get their index appended."""
    base = [slugify(s.path.name) for s in specs]
    counts = Counter(base)
    return [k if counts[k] == 1 else f"{k}-{i + 1}" for i, k in enumerate(base)]


def read_all(specs: Sequence[SourceSpec], encoding: str | None = None,
             step: Step | None = None) -> list[LoadedSource]:
    """Read every source; the first unusable file stops the build with its error."""
    loaded = []
    for spec, key in zip(specs, _source_keys(specs), strict=True):
        if step:
            step(f"reading {spec.path.name}")
        loaded.append(read_source(spec, key, encoding))
    return loaded


def resolve(loaded: Sequence[LoadedSource]) -> Corpus:
    """Resolve papers and people across all sources; learn acronyms for concepts."""
    ranked = [Ranked(p, s.authority) for s in loaded for p in s.papers]
    citations = [c for s in loaded for c in s.citations]
    paper_res = resolve_papers(ranked, citations)
    people = resolve_people([p for s in loaded for p in s.papers], paper_res.cluster_of)
    concepts = Concepts.learn(sorted({p.abstract for s in loaded for p in s.papers
                                      if p.abstract}))
    return Corpus(tuple(loaded), paper_res, people, concepts)


#: Progress units the extraction stage reports (in steps of its batches).
EXTRACT_UNITS = 20


def extract_corpus(corpus: Corpus, workers: int = 1, model: str | None = AUTO,
                   step: Step | None = None) -> Corpus:
    """Extract methods, datasets, tasks and keywords from every paper's best text.

    A paper's text is the title and abstract of its most trusted record that has an
    abstract (the first title of any record when that one has none).
    """
    texts: list[Text] = []
    records: dict[str, SourceRef] = {}
    for cluster in corpus.papers.clusters:
        best = next((r.paper for r in cluster.members if r.paper.abstract), None)
        if best is None:
            continue
        title = best.title or next((r.paper.title for r in cluster.members if r.paper.title),
                                   None)
        texts.append(Text(cluster.key, title, best.abstract))
        records[cluster.key] = best.source
    done = reported = 0

    def progress(n: int) -> None:
        nonlocal done, reported
        done += n
        units = EXTRACT_UNITS * done // max(1, len(texts))
        if step and units > reported:
            for _ in range(units - reported):
                step(f"extracting {done}/{len(texts)}")
            reported = units

    found = {e.id: Extracted(e, records[e.id])
             for e in extract_texts(texts, model=model, workers=workers, progress=progress,
                                    acronyms=corpus.concepts.acronyms)}
    if step:
        for _ in range(EXTRACT_UNITS - reported):
            step("extracted")
    return dataclasses.replace(corpus, extracted=found)


def write_rdf(nquads: bytes, ntriples: bytes, stage: Path) -> None:
    """``graph.nq`` (named graphs) and ``graph.ttl`` (their union), both sorted.

    Data IRIs stay written in full: some stores mis-read escaped '/' in prefixed names.
    """
    (stage / "graph.nq").write_bytes(nquads)
    (stage / "graph.ttl").write_bytes(rdf.turtle_of(ntriples))


class _Loader(threading.Thread):
    """Bulk-loads N-Quads and their union into a new on-disk store, off the main thread.

    pyoxigraph parses and writes in Rust without the GIL, so the exports that need no
    store are written meanwhile on the other core.
    """

    def __init__(self, path: Path, nquads: bytes, ntriples: bytes) -> None:
        super().__init__(name="kg-store-load", daemon=True)
        self.path, self.nquads, self.ntriples = path, nquads, ntriples
        self.error: BaseException | None = None
        self.store: ox.Store | None = None

    def run(self) -> None:
        try:
            store = ox.Store(str(self.path))
            store.bulk_load(self.nquads, format=ox.RdfFormat.N_QUADS)
            store.bulk_load(self.ntriples, format=ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.DefaultGraph())
            store.flush()
            self.store = store
        except BaseException as exc:  # re-raised on the main thread by result()
            self.error = exc

    def result(self) -> ox.Store:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.store is not None
        return self.store


def _extraction_report(corpus: Corpus) -> dict[str, Any] | None:
    """Counts of what extraction found, and the texts it could do little with."""
    if not corpus.extracted:
        return None
    from kg.extract import VERSION
    from kg.graph.extracted import mentions

    kinds: Counter[str] = Counter()
    concepts: set[str] = set()
    troubles = []
    for key in sorted(corpus.extracted):
        found = corpus.extracted[key]
        for kind, m in mentions(found.extraction):
            kinds[kind] += 1
            concepts.add(corpus.concepts.key(m.name))
        serious = [w for w in found.extraction.warnings if not w.endswith(" simplified")]
        if serious:
            troubles.append({"paper": key, "record": str(found.record), "warnings": serious})
    return {"extractor": VERSION, "papers": len(corpus.extracted),
            "mentions": dict(sorted(kinds.items())), "concepts": len(concepts),
            "acronyms_learned": len(corpus.concepts.acronyms), "warnings": troubles}


def report(corpus: Corpus, store: Store, triples: int | None = None) -> dict[str, Any]:
    """The build report: what was read, merged and resolved, and every warning.

    ``triples`` is the store's size when the caller knows it (counting costs a scan).
    """
    per_source = []
    for s in corpus.sources:
        decisions = Counter(p.decision or "none" for p in s.papers)
        per_source.append({
            "file": s.name, "format": s.format, "papers": len(s.papers),
            "citations": len(s.citations), "author_slots": sum(len(p.authors) for p in s.papers),
            "decisions": dict(sorted(decisions.items())), "warnings": len(s.problems),
        })
    res = corpus.papers
    merged = [c for c in res.clusters if len(c.members) > 1]
    citations = [c for s in corpus.sources for c in s.citations]
    unresolved = [c for c in citations if c.id not in res.citation_target]
    return {
        "kg_version": __version__,
        "sources": per_source,
        "totals": {
            "papers": len(res.clusters),
            "source_records": sum(len(c.members) for c in res.clusters),
            "people": len(corpus.people.labels),
            "citations": len(citations),
            "citations_resolved": len(citations) - len(unresolved),
            "triples": store.triples() if triples is None else triples,
        },
        "merges": [
            {"paper": c.key, "evidence": list(c.evidence),
             "records": [str(m.paper.source) for m in c.members]}
            for c in merged
        ],
        "people_merged": [
            {"person": key, "names": corpus.people.names[key], "evidence": why}
            for key, why in sorted(corpus.people.evidence.items())
            if len(corpus.people.names[key]) > 1
        ],
        "people_ambiguous": [
            {"person": key, "names": corpus.people.names[key], "why": why}
            for key, why in sorted(corpus.people.ambiguous.items())
        ],
        "unresolved_citations": [
            {"citation": c.id, "title": c.title, "authors": c.authors, "url": c.url}
            for c in unresolved
        ],
        "conflicts": res.conflicts,
        "extraction": _extraction_report(corpus),
        "warnings": [
            {"file": p.source.file, "line": p.source.line, "severity": p.severity,
             "message": p.message}
            for s in corpus.sources for p in s.problems
        ],
    }


def build(
    specs: Sequence[SourceSpec] | None = None,
    out: str | Path = "exports",
    base_iri: str = V.DEFAULT_BASE,
    encoding: str | None = None,
    step: Step | None = None,
    extract: bool = True,
    workers: int = 1,
    model: str | None = AUTO,
) -> dict[str, Any]:
    """Build the graph of ``specs`` (the bundled corpus when ``None``) into ``out``.

    Everything is written to a staging directory first and moved into place at the end,
    so a failed build leaves the previous store and exports as they were.  With
    ``extract`` (the default) every abstract goes through :mod:`kg.extract` in ``workers``
    processes using the spaCy pipeline ``model``.  Returns the build report (also written
    as ``build-report.json``).
    """
    if not base_iri.startswith(("http://", "https://", "urn:")):
        raise UsageError(f"--base-iri must be an absolute IRI (http://, https:// or urn:), "
                         f"not {base_iri!r}")
    specs = list(specs) if specs else bundled_sources()
    out = Path(out)
    with locked(out), few_collections():  # a second build into `out` fails at once
        return _build_locked(specs, out, base_iri, encoding, step,
                             ExtractOptions(workers, model) if extract else None)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Collect cycles rarely while a build allocates millions of small objects.

    The records and resolution tables hold no reference cycles; with the default
    thresholds the collector rescans the growing heap over and over (measured: 25-30%
    of resolution time at 100K records).  The old thresholds come back afterwards.
    """
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How a build extracts: worker processes and the spaCy pipeline."""

    workers: int = 1
    model: str | None = AUTO


def _build_locked(specs: Sequence[SourceSpec], out: Path, base_iri: str, encoding: str | None,
                  step: Step | None, extraction: ExtractOptions | None) -> dict[str, Any]:
    loaded = read_all(specs, encoding, step)
    if step:
        step("resolving papers and people")
    corpus = resolve(loaded)
    if extraction is not None:
        corpus = extract_corpus(corpus, extraction.workers, extraction.model, step)
    minter = V.Minter(base_iri)
    if step:
        step("building the graph")
    lines = rdf.nquads_lines(build_quads(corpus, minter))
    union = rdf.union_lines(lines)
    nquads, ntriples = rdf.joined(lines), rdf.joined(union, b" .")
    del lines
    with staging(out) as stage:
        if step:
            step("loading the store")
        loader = _Loader(stage / STORE_DIR, nquads, ntriples)
        loader.start()
        write_rdf(nquads, ntriples, stage)
        table = papers_export.QuadIndex.of_nquads(nquads, papers_export.PATTERNS)
        papers_export.write_jsonl(table, stage / "papers.jsonl")
        del table
        if step:
            step("writing exports")
        raw = loader.result()
        del nquads, ntriples, loader
        store = Store(raw)
        (stage / "void.ttl").write_bytes(rdf.void(store, minter.base, triples=len(union)))
        result = report(corpus, store, triples=len(union))
        atomic_write_bytes(stage / "build-report.json",
                           json.dumps(result, indent=2, ensure_ascii=False).encode("utf-8"))
        del store, raw
        gc.collect()
        commit(out, stage)
    return result


STEPS_PER_BUILD = 4  # resolving, graph, store, exports (plus one per source)
#: plus EXTRACT_UNITS when extracting
