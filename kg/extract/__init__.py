"""Methods, datasets, tasks and keywords from titles and abstracts.

The library entry point is :func:`extract`: texts in, one :class:`Extraction` per text
out, in input order.  It batches with ``nlp.pipe``, runs only the tagger (noun phrases
come from tags, cues from tokens) and spreads batches over worker processes.

>>> from kg.extract import Text, extract
>>> [e.proposed[0].name for e in extract([Text("p1", None, "We propose FooNet, a novel "
...  "network for image classification.")], model=None, warn=False)]
['FooNet']
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from kg.extract.model import VERSION, Extraction, Mention
from kg.extract.nlp import AUTO, FallbackWarning, Loaded, load, require_model, warn_fallback

if TYPE_CHECKING:
    from kg.extract.lexicon import Lexicon

__all__ = [
    "AUTO",
    "VERSION",
    "Extraction",
    "FallbackWarning",
    "Mention",
    "Text",
    "extract",
    "extract_one",
]

BATCH = 64
"""Texts per ``nlp.pipe`` batch and per task sent to a worker."""


SPAN_BATCH = 16
"""Texts per batch of the span model: its candidate spans (every 1-6 word n-gram) make
memory grow with the batch (a worker peaks at 330 MB with 16, 710 MB with 64, and runs no
slower)."""

WORKER_BATCHES = 400
"""Batches a worker process runs before a fresh one replaces it: spaCy's vocabulary grows
with every new word it sees, so memory stays flat on any input (a restart costs about a
second per 25,600 texts)."""


@dataclass(frozen=True, slots=True)
class Text:
    """What extraction reads of one paper: an id, its title (may be missing) and abstract."""

    id: str
    title: str | None
    abstract: str | None


_LOADED: dict[str | None, Loaded] = {}


def _pipeline(model: str | None, warn: bool) -> Loaded:
    """The pipeline ``model`` asks for, loaded once per process."""
    if model not in _LOADED:
        _LOADED[model] = load(model, warn=warn)
    elif warn and not _LOADED[model].trained:
        warn_fallback(model)  # each run says again that quality is lower
    return _LOADED[model]


def _run(
    texts: Sequence[Text],
    loaded: Loaded,
    lexicon: Lexicon,
    acronyms: Mapping[str, str],
    spans: bool = True,
) -> list[Extraction]:
    from kg.extract.cache import Recording
    from kg.extract.clean import clean
    from kg.extract.combine import combine
    from kg.extract.engine import assemble, rules
    from kg.extract.spans import predict
    from kg.extract.tagged import TaggedPaper

    cleaned = [clean(t.abstract) for t in texts]
    titles = [clean(t.title).text if t.title else "" for t in texts]
    nlp = loaded.nlp
    docs = list(nlp.pipe([c.text for c in cleaned], batch_size=BATCH))
    title_docs = list(nlp.pipe(titles, batch_size=BATCH))
    span_model = loaded.spans if spans else None
    found = (
        predict(span_model, list(zip(titles, [c.text for c in cleaned], strict=True)), SPAN_BATCH)
        if span_model is not None
        else [None] * len(texts)
    )
    out = []
    for t, c, doc, tdoc, model_found in zip(texts, cleaned, docs, title_docs, found, strict=True):
        if not loaded.trained and loaded.spans is None:
            c = dataclasses.replace(c, warnings=(*c.warnings, "no trained pipeline: rules only"))
        title = tdoc if t.title else None
        seen = Recording(acronyms)
        paper = TaggedPaper(
            t.id,
            title.text if title is not None else None,
            title,
            doc,
            c,
            lexicon,
            seen,
            t.abstract or "",
        )
        rule = rules(paper)
        chosen = combine(paper, rule, model_found) if model_found is not None else rule
        out.append(
            dataclasses.replace(assemble(paper, chosen), lookups=tuple(sorted(seen.seen.items())))
        )
    return out


_WORKER: dict[str, object] = {}


def _worker_init(model: str | None, acronyms: Mapping[str, str], spans: bool = True) -> None:
    warnings.simplefilter("ignore", FallbackWarning)
    _WORKER["loaded"] = _pipeline(model, warn=False)
    _WORKER["acronyms"] = acronyms
    _WORKER["spans"] = spans


def _worker_batch(texts: list[Text]) -> list[Extraction]:
    from kg.extract.lexicon import default

    loaded = _WORKER["loaded"]
    acronyms = _WORKER["acronyms"]
    assert isinstance(loaded, Loaded) and isinstance(acronyms, dict)
    return _run(texts, loaded, default(), acronyms, bool(_WORKER.get("spans", True)))


def _batches(texts: Iterable[Text], size: int) -> Iterator[list[Text]]:
    it = iter(texts)
    while batch := list(islice(it, size)):
        yield batch


def default_workers() -> int:
    """Worker processes by default: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def extract(
    texts: Iterable[Text],
    *,
    model: str | None = AUTO,
    workers: int = 1,
    warn: bool = True,
    progress: Callable[[int], None] | None = None,
    acronyms: Mapping[str, str] | None = None,
    spans: bool = True,
) -> Generator[Extraction, None, None]:
    """One :class:`Extraction` per text, in order.

    ``model`` names a trained spaCy pipeline (``auto``: the first installed one, ``None``:
    rules only); ``workers`` > 1 runs batches in that many processes.  ``progress`` is
    called with the number of texts done after each batch.  ``acronyms`` maps folded
    acronyms to the folded long forms a corpus defines them as
    (:attr:`kg.resolve.concepts.Concepts.acronyms`), so that an acronym one paper uses
    undefined is typed as the lexicon types its long form.  ``spans=False`` leaves the
    span model out (the tagger and the rules alone: for testing a rule by itself).

    Texts are read lazily, at most ``2 * workers`` batches ahead of the results.  Worker
    processes (:mod:`kg.extract.workers`) stop when the generator is exhausted or closed
    (close it when you stop early), and die with this process however it ends.
    """
    from kg.extract.lexicon import default

    if workers <= 1:
        loaded = _pipeline(model, warn)  # warns here, once, when no trained pipeline is found
        lexicon = default()
        for batch in _batches(texts, BATCH):
            yield from _run(batch, loaded, lexicon, acronyms or {}, spans)
            if progress:
                progress(len(batch))
        return
    from kg.extract import workers as pools

    # the workers load the pipeline; this process only checks that it is there (and warns)
    name = _LOADED[model].model if model in _LOADED else require_model(model, warn)
    if warn and model in _LOADED and name is None:
        warn_fallback(model)
    with pools.pool(
        workers, _worker_init, (name, dict(acronyms or {}), spans), tasks_per_worker=WORKER_BATCHES
    ) as pool:
        # a bounded window of batches in flight keeps memory flat on any input size
        pending: deque[tuple[int, Future[list[Extraction]]]] = deque()
        for batch in _batches(texts, BATCH):
            pending.append((len(batch), pool.submit(_worker_batch, batch)))
            if len(pending) >= 2 * workers:
                n, fut = pending.popleft()
                yield from fut.result()
                if progress:
                    progress(n)
        while pending:
            n, fut = pending.popleft()
            yield from fut.result()
            if progress:
                progress(n)


def model_name(model: str | None = AUTO) -> str | None:
    """The installed trained pipeline ``model`` resolves to, with its version (``None``:
    rules only)."""
    if model in _LOADED:
        loaded = _LOADED[model]
        return f"{loaded.model}=={loaded.nlp.meta.get('version', '?')}" if loaded.trained else None
    name = require_model(model, warn=False)
    if name is None:
        return None
    # the package's own metadata: a build with worker processes never loads the pipeline
    # in this one just to name it
    from importlib import metadata

    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        loaded = _pipeline(model, warn=False)
        return f"{loaded.model}=={loaded.nlp.meta.get('version', '?')}"


def extract_one(
    text: str | None,
    title: str | None = None,
    id: str = "text",
    model: str | None = AUTO,
    spans: bool = True,
) -> Extraction:
    """Extract from one abstract (convenient in a notebook)."""
    return next(extract([Text(id, title, text)], model=model, spans=spans))
