"""The stages chained: sources → records → resolution → graph → store → exports.

This is what the CLI and the tests call.

>>> # report = build()                       # the bundled corpus into exports/
>>> # report = build([SourceSpec(Path("my.bib"))], out="out", options=BuildOptions(extract=False))
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import manifest, quadfiles, searchindex
from kg.builds import (
    BuildOptions,
    BuildReport,
    ExtractionReport,
    ExtractionSummary,
    ExtractionWarning,
    ExtractOptions,
)
from kg.corpus import Corpus, Extracted, LoadedSource
from kg.errors import KGError, UsageError
from kg.export import papers as papers_export
from kg.export import rdf
from kg.extract import AUTO, Text, model_name
from kg.extract import cache as extract_cache
from kg.extract import extract as extract_texts
from kg.extract import workers as pools
from kg.extract.cache import CacheEntry, text_key
from kg.graph import vocab as V
from kg.graph.quads import build_quads
from kg.outdir import atomic_write_bytes, check_replaceable, commit, locked, staging
from kg.reading import Step, Wanted, read_all
from kg.records import SourceRef
from kg.reporting import report
from kg.resolve import partition, resolutionfile
from kg.resolve.concepts import Concepts
from kg.resolve.organizations import resolve_organizations
from kg.resolve.paperlinks import Ranked
from kg.sources import SourceSpec
from kg.store import STORE_DIR, Store

#: What a build writes into its directory, besides the store.
OUTPUTS = (
    "graph.ttl",
    "graph.nq",
    "papers.jsonl",
    "void.ttl",
    "build-report.json",
    "sources.json",
    searchindex.FILE,
)


def bundled_sources() -> list[SourceSpec]:
    """The bundled reference corpus (five ICLR listings) with its venue metadata."""
    folder = resources.files("kg") / "data" / "iclr"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [
        SourceSpec(
            Path(str(folder / e["file"])), e.get("format", "auto"), e.get("venue"), e.get("year")
        )
        for e in manifest["sources"]
    ]


def resolve(
    loaded: Sequence[LoadedSource],
    parts: int = 1,
    run: partition.Runner[Any, Any] = partition.serial,
) -> Corpus:
    """Resolve papers, people and organizations across all sources; learn acronyms for
    concepts.

    Papers and people are resolved in up to ``parts`` parts run by ``run``
    (:mod:`kg.resolve.partition`: the same result for any number).
    """
    ranked = [Ranked(p, s.authority) for s in loaded for p in s.papers]
    citations = [c for s in loaded for c in s.citations]
    paper_res = partition.resolve_papers(ranked, citations, parts, run)
    del citations, ranked
    papers = [p for s in loaded for p in s.papers]
    people = partition.resolve_people(papers, paper_res.cluster_of, parts, run)
    concepts = Concepts.learn(sorted({p.abstract for p in papers if p.abstract}))
    return Corpus(
        tuple(loaded), paper_res, people, concepts, organizations=resolve_organizations(papers)
    )


def from_saved(
    loaded: Sequence[LoadedSource], saved: resolutionfile.Saved, build: Mapping[str, Any]
) -> Corpus:
    """The corpus of ``loaded`` (the records ``saved`` wants, read from sources whose
    fingerprint is ``build``) resolved as the saved resolution says."""
    ranked = [Ranked(p, s.authority) for s in loaded for p in s.papers]
    papers, people, organizations = saved.resolution(ranked, build)
    return Corpus(tuple(loaded), papers, people, Concepts(saved.acronyms), organizations)


#: Progress units the extraction stage reports (in steps of its batches).
EXTRACT_UNITS = 20


def texts_of(corpus: Corpus) -> list[tuple[Text, SourceRef]]:
    """Every paper's text to extract, and the record it comes from.

    A paper's text is the title and abstract of its most trusted record that has an
    abstract (the first title of any record when that one has none).
    """
    texts = []
    for cluster in corpus.papers.clusters:
        best = next((r.paper for r in cluster.members if r.paper.abstract), None)
        if best is None:
            continue
        title = best.title or next((r.paper.title for r in cluster.members if r.paper.title), None)
        texts.append((Text(cluster.key, title, best.abstract), best.source))
    return texts


def extract_corpus(
    corpus: Corpus,
    workers: int = 1,
    model: str | None = AUTO,
    step: Step | None = None,
    cache: Mapping[str, CacheEntry] | None = None,
    papers: Callable[[str], bool] | None = None,
) -> tuple[Corpus, dict[str, CacheEntry]]:
    """Extract methods, datasets, tasks and keywords from every paper's best text.

    ``cache`` holds extractions of earlier builds (:mod:`kg.extract.cache`); texts found
    there, whose corpus acronyms still mean the same, are not extracted again.
    ``papers`` keeps only the paper clusters it accepts (a shard's).  Returns the corpus
    with its extractions, and the cache entries of every text of this build.
    """
    todo = [(t, r) for t, r in texts_of(corpus) if papers is None or papers(t.id)]
    acronyms = corpus.concepts.acronyms
    name = model_name(model) if todo else None
    keys = {t.id: text_key(t.title, t.abstract, name) for t, _ in todo}
    records = {t.id: r for t, r in todo}
    found: dict[str, Extracted] = {}
    entries: dict[str, CacheEntry] = {}
    missing: list[Text] = []
    for text, record in todo:
        entry = (cache or {}).get(keys[text.id])
        if entry is not None and entry.valid(acronyms):
            found[text.id] = Extracted(dataclasses.replace(entry.extraction, id=text.id), record)
            entries[keys[text.id]] = entry
        else:
            missing.append(text)
    done = reported = 0
    if step and missing:
        step(f"extracting 0/{len(missing)}")  # loading the pipeline counts as extraction
        reported = 1

    def progress(n: int) -> None:
        nonlocal done, reported
        done += n
        units = 1 + (EXTRACT_UNITS - 1) * done // max(1, len(missing))
        if step and units > reported:
            for _ in range(units - reported):
                step(f"extracting {done}/{len(missing)}")
            reported = units

    for e in extract_texts(
        missing, model=model, workers=workers, progress=progress, acronyms=acronyms
    ):
        found[e.id] = Extracted(e, records[e.id])
        entries[keys[e.id]] = CacheEntry(dataclasses.replace(e, id=""), e.lookups)
    if step:
        for _ in range(EXTRACT_UNITS - reported):
            step("extracted")
    return dataclasses.replace(corpus, extracted=found), entries


def extraction_summary(corpus: Corpus) -> ExtractionSummary | None:
    """What extraction found, in parts that shards can add up (``None``: no extraction)."""
    if not corpus.extracted:
        return None
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
            troubles.append(ExtractionWarning(key, str(found.record), tuple(serious)))
    return ExtractionSummary(
        len(corpus.extracted), dict(kinds), tuple(sorted(concepts)), tuple(troubles)
    )


def extraction_report(
    parts: Sequence[ExtractionSummary | None], concepts: Concepts
) -> ExtractionReport | None:
    """The report's extraction section from the summaries of one build or of its shards
    (``concepts``: the corpus's, for the acronyms it learnt)."""
    from kg.extract import VERSION

    real = [p for p in parts if p is not None]
    if not real:
        return None
    kinds: Counter[str] = Counter()
    for p in real:
        kinds.update(p.mentions)
    return ExtractionReport(
        extractor=VERSION,
        papers=sum(p.papers for p in real),
        mentions=dict(sorted(kinds.items())),
        concepts=len({c for p in real for c in p.concepts}),
        acronyms_learned=len(concepts.acronyms),
        warnings=tuple(sorted((w for p in real for w in p.warnings), key=lambda w: w.paper)),
    )


def build(
    specs: Sequence[SourceSpec] | None = None,
    out: str | Path = "exports",
    options: BuildOptions | None = None,
    *,
    step: Step | None = None,
    add: Sequence[SourceSpec] = (),
    remove: Sequence[str | Path] = (),
) -> BuildReport:
    """Build the graph of ``specs`` (the bundled corpus when ``None``) into ``out``.

    Everything is written to a staging directory first and moved into place at the end,
    so a failed build leaves the previous store and exports as they were.  With
    ``options.extract`` (the default) every abstract goes through :mod:`kg.extract` in
    ``options.workers`` processes using the spaCy pipeline ``options.model``; extractions
    are cached in ``out`` and reused for texts seen before.  ``step`` is called with a
    label as each stage starts.

    ``add`` and ``remove`` change the sources of the build already in ``out`` instead:
    the result is the same as a full build of the new list of sources, but the store is
    updated in place of a reload, and only new texts are extracted.  Returns the build
    report (also written as ``build-report.json``).
    """
    options = options or BuildOptions()
    V.Minter(options.base_iri)  # a bad --base-iri fails here, before any work
    out = Path(out)
    incremental = bool(add or remove)
    if incremental and specs:
        raise UsageError("give the sources to add with --add, not as a new list of sources")
    with locked(out), few_collections():  # a second build into `out` fails at once
        if incremental:
            specs = manifest.changed(manifest.read(out), add, remove, out)
        specs = list(specs) if specs else bundled_sources()
        check_replaceable(out, [s.path for s in specs])
        return _build_locked(specs, out, options, step, incremental)


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


def prepare(
    specs: Sequence[SourceSpec],
    out: Path | None,
    encoding: str | None,
    step: Step | None,
    extraction: ExtractOptions | None,
    papers: Callable[[str], bool] | None = None,
    resolver: Callable[[Sequence[LoadedSource]], Corpus] = resolve,
    wanted: Wanted | None = None,
    lines: Mapping[str, Container[int]] | None = None,
) -> tuple[Corpus, dict[str, CacheEntry]]:
    """Read, resolve and extract: the corpus a graph is built from, and the new cache.

    The extraction cache is read from ``out`` (if given); ``papers`` limits extraction
    to some paper clusters (a shard's); ``resolver`` resolves what was read (e.g. from a
    saved resolution, :func:`from_saved`), ``wanted`` limits what is read and ``lines``
    which lines of each file are parsed at all (:func:`kg.reading.read_all`).
    """
    loaded = read_all(specs, encoding, step, wanted, lines)
    if step:
        step("resolving papers and people")
    corpus = resolver(loaded)
    entries: dict[str, CacheEntry] = {}
    if extraction is not None:
        cached = extract_cache.load(out / extract_cache.FILE) if out else {}
        corpus, entries = extract_corpus(
            corpus, extraction.workers, extraction.model, step, cached, papers
        )
    return corpus, entries


def _build_locked(
    specs: Sequence[SourceSpec],
    out: Path,
    options: BuildOptions,
    step: Step | None,
    incremental: bool = False,
) -> BuildReport:
    corpus, entries = prepare(specs, out, options.encoding, step, options.extraction)
    minter = V.Minter(options.base_iri)
    quads = build_quads(corpus, minter)  # an exhausted generator lets its corpus go
    handed = [reporter(corpus, [extraction_summary(corpus)])]
    del corpus  # only the quads and the report hold it, until both are made
    return write_build(
        out,
        handed,
        quads,
        minter,
        entries,
        specs,
        options,
        step,
        incremental,
    )


def reporter(
    corpus: Corpus, summaries: Sequence[ExtractionSummary | None]
) -> Callable[[int], BuildReport]:
    """The build report of ``corpus`` as a function of the store's triple count."""

    def report_of(triples: int) -> BuildReport:
        return report(corpus, triples, extraction_report(summaries, corpus.concepts))

    return report_of


def write_build(
    out: Path,
    handed: list[Callable[[int], BuildReport]],
    quads: Iterable[ox.Quad],
    minter: V.Minter,
    entries: dict[str, CacheEntry],
    specs: Sequence[SourceSpec],
    options: BuildOptions,
    step: Step | None = None,
    incremental: bool = False,
) -> BuildReport:
    """Write the store and every export of ``quads`` into ``out`` (which must be locked).

    The function in ``handed`` makes the build report from the store's triple count (it
    is taken out of the list, so that what it holds, the corpus of a build or a merge's
    finished report, goes as soon as the quads are written and the report made);
    ``entries`` are the extraction cache to keep.
    ``incremental`` updates the previous store in place of a reload; ``options`` are
    recorded in ``sources.json`` for the next incremental build.  Returns the report.
    """
    if step:
        step("building the graph and loading the store")
    previous = out / "graph.nq"
    update = incremental and (out / STORE_DIR).is_dir() and previous.is_file()
    report_of = handed.pop()
    with staging(out) as stage:
        store = None if update else ox.Store(str(stage / STORE_DIR))
        written = quadfiles.write(quads, stage, store)
        try:
            result = report_of(written.triples)
            del report_of, quads  # what follows reads quads, not records
            if step:
                step("writing papers.jsonl and the search index")
            _write_tables(stage, minter, options.workers)
        except BaseException:
            if written.loader is not None:
                written.loader.stop()  # before the staging directory goes
            raise
        raw = _updated_store(out, stage, previous) if update else written.store()
        if step:
            step("finishing the store and exports")
        _finish(stage, raw, minter, result, entries, specs, options)
        commit(out, stage)
    return result


def _write_tables(
    stage: Path,
    minter: V.Minter,
    workers: int,
    write_index: Callable[[Path, Path, str], object] = searchindex.write_nquads,
) -> None:
    """The paper table and the search index (``write_index``), from ``stage``'s
    ``graph.nq``.

    Both are read back from the file once the records are gone, so they never share
    memory with them, and neither holds the whole graph (the table reads a range of
    papers at a time, the index streams).  With ``workers`` > 1 the index is written by
    a second process meanwhile (the two take about the same time).
    """
    nquads = stage / "graph.nq"
    # from every quad of the build, so --add/--remove and shards give the same index
    index = functools.partial(write_index, stage / searchindex.FILE, nquads, minter.base)
    table = papers_export.ranges(nquads, minter.paper_prefix)
    if workers < 2:
        papers_export.write_jsonl(table, stage / "papers.jsonl")
        index()
        return
    with pools.pool(1, _ready) as pool:
        writing = pool.submit(index)
        papers_export.write_jsonl(table, stage / "papers.jsonl")
        try:
            writing.result()
        except BrokenProcessPool:
            raise KGError(
                "the process writing the search index ended abruptly (out of memory?); "
                "nothing was written"
            ) from None


def _ready() -> None:
    """A worker that writes the search index needs nothing set up."""


def _finish(
    stage: Path,
    raw: ox.Store,
    minter: V.Minter,
    result: BuildReport,
    entries: dict[str, CacheEntry],
    specs: Sequence[SourceSpec],
    options: BuildOptions,
) -> None:
    """The store-derived exports, the report, the cache and the manifest, into ``stage``."""
    store = Store(raw)
    (stage / "void.ttl").write_bytes(rdf.void(store, minter.base, triples=result.totals.triples))
    atomic_write_bytes(
        stage / "build-report.json",
        json.dumps(result.to_json(), indent=2, ensure_ascii=False).encode("utf-8"),
    )
    if entries:
        atomic_write_bytes(stage / extract_cache.FILE, extract_cache.dump(entries.items()))
    manifest.write(stage, specs, options)
    del store, raw
    gc.collect()


def _updated_store(out: Path, stage: Path, previous: Path) -> ox.Store:
    """The previous store, copied (hard links) and brought to the new ``graph.nq``.

    Only the quads that differ are removed and added: both files are sorted, so one
    merge finds them.  The union triples are diffed the same way.
    """
    ox.Store.read_only(str(out / STORE_DIR)).backup(str(stage / STORE_DIR))
    raw = ox.Store(str(stage / STORE_DIR))
    new = stage / "graph.nq"
    removed, added = quadfiles.diff(quadfiles.sorted_lines(previous), quadfiles.sorted_lines(new))
    gone, came = quadfiles.diff(
        quadfiles.union_of(quadfiles.sorted_lines(previous)),
        quadfiles.union_of(quadfiles.sorted_lines(new)),
    )
    for q in ox.parse(b"".join(removed), format=ox.RdfFormat.N_QUADS):
        raw.remove(q)
    for t in ox.parse(b"".join(gone), format=ox.RdfFormat.N_TRIPLES):
        raw.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    if added:
        raw.bulk_load(b"".join(added), format=ox.RdfFormat.N_QUADS)
    if came:
        raw.bulk_load(b"".join(came), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    raw.flush()
    return raw


STEPS_PER_BUILD = 4  # resolving, graph, store, exports (plus one per source)
#: plus EXTRACT_UNITS when extracting
