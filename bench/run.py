"""Build and query speed of kg at N papers, against plain rdflib holding the same triples.

For each N, a corpus of N papers (``bench/corpus.py``, cached in --workdir) is built by
``kg.pipeline.build`` without extraction, with the workers ``kg build`` uses by default (2
here: a second process writes the search index) (``--extract``: with it, 2 workers, small N
only), then every saved query runs on the store.  Each measurement runs in its own fresh
process, so the peak memory shown is that process's and its workers' (see below; with
extraction, its own ``ru_maxrss`` plus twice the largest worker's), and nothing is warm
from another one.
``--no-baseline`` leaves rdflib out (no N-Triples export, no baseline, no rdflib
queries), for N where it would take hours; its columns show "-" and the targets that need
it are not checked.

What is timed:

- kg build: wall time of ``build()``, cut into stages by its ``step`` messages (the time
  from one message to the next belongs to the first; messages kg does not announce yet get
  rows of their own).  Each stage's peak is the largest resident memory (VmRSS of the build
  process plus its workers', once they have exec'd) sampled every 50 ms while it ran, and
  at its first and last message; without extraction the build's peak is the larger of
  that and the process's own ``ru_maxrss`` (a worker's ``ru_maxrss`` counts its parent's
  size when it forked).
- rdflib baseline, what a user hand-rolls with the same triples: read the JSON lines with
  ``json`` (timed: "read"); make rdflib terms and ``Graph.add`` every triple of kg's
  N-Triples export into a plain ``rdflib.Graph()`` (timed: "graph"); serialise it as
  Turtle to a file (timed: "exports", cut at --serialize-budget).  The triples are read
  from the export with ``pyoxigraph.parse``, streaming; that parsing is not counted: a
  parse-only pass over the file is timed first and subtracted from the add loop (it is
  reported).  rdflib's N-Triples serialisation is timed too, for information.  Mapping
  the JSON to triples costs the baseline nothing: it gets kg's triples for free.
- saved queries: each with parameters picked from the built graph (the person with most
  papers, a person with the median number of papers among those with two or more, the
  most used concept, method and venue), run --repeat times on ``Store.open(dir)`` as
  ``kg query NAME --param ...`` does (parameter lookup included), and --rdflib-repeat
  times on an rdflib Graph of the same default-graph triples, with the text kg bound
  (lookup excluded, in rdflib's favour; loading the graph not counted); p50 shown.
  Either engine stops after --budget seconds per query ("> X s" when not even one run
  finished).

Not timed: generating the corpus, kg's N-Triples export the baselines read (``kg export
rdf --format ntriples``), picking the parameters, opening the store.

The table checks :data:`TARGETS`: kg's own build time, peak memory and query p50 at N =
100,000 and 1,000,000 (shown, not checked, at other N), and the ratios to rdflib at every N.

    python -m bench.run 1000 10000
    python -m bench.run 10000 100000 --json /tmp/bench.json
    python -m bench.run 1000000 --no-baseline
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: step messages of kg.pipeline.build -> stage names, in build order; the first three take
#: any text after them, the others only details (" (...)", ": ..."): "building the graph and
#: loading the store" is a stage of its own
#: kg's step messages -> stage; the graph is written while the store loads on a second
#: thread, so "graph" holds quads, graph.nq, graph.ttl and most of the store load
STAGES = (
    ("reading", "read"),
    ("resolving", "resolve"),
    ("extract", "extract"),
    ("building the graph and loading the store", "graph"),
    ("writing papers.jsonl and the search index", "exports: papers.jsonl, search index"),
    ("finishing the store and exports", "store finish, void, report"),
)
OPEN_PREFIXES = ("reading", "resolving", "extract")
#: what the baseline does in the place of a kg stage
BASELINE_STAGES = {
    "read": "json.loads of each line",
    "graph": "rdflib terms, Graph.add and Graph.serialize(format='turtle')",
}
POINT = ("coauthors", "papers-of")  # "point_s"
AGGREGATE = ("top-concepts", "neighborhood")  # "aggregate_s"
#: every target the table checks: the ratios to rdflib at any N, the growth of the time per
#: paper from 10K to 100K, and under "at" kg's own at the N they are set for (without
#: extraction; at other N they are shown, not checked)
TARGETS: dict[str, Any] = {
    "build_ratio": 10.0,
    "query_ratio": 20.0,
    "growth": 1.3,
    "at": {
        100_000: {"build_s": 60.0, "peak_mb": 2 * 1024.0, "point_s": 0.050, "aggregate_s": 0.500},
        1_000_000: {"build_s": 1200.0, "peak_mb": 8 * 1024.0, "point_s": 0.050, "aggregate_s": 2.0},
    },
}
SAMPLE_S = 0.050  # resident memory sampling interval during the build
MAX_EXTRACT_N = 10_000
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class BenchError(Exception):
    """A measurement that failed or disagrees with another."""


class _OutOfTime(BaseException):  # not Exception: rdflib catches those in places
    pass


@contextlib.contextmanager
def _budget(seconds: float) -> Iterator[None]:
    """Raise :class:`_OutOfTime` in this block after ``seconds`` (at the next bytecode)."""

    def alarm(signum: int, frame: object) -> None:
        raise _OutOfTime

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)  # again each second if swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _peak_mb(workers: int = 0) -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * children) / 1024


# --- measurements, each run in a child process (`--one TASK`) ---------------------------


def _stage(message: str) -> str:
    """The stage a step message starts; a message kg did not announce before is its own."""
    for prefix, name in STAGES:
        rest = message[len(prefix) :]
        if message.startswith(prefix) and (
            prefix in OPEN_PREFIXES or rest == "" or rest.startswith((" (", ":"))
        ):
            return name
    return re.sub(r"\d+(?:[,./]\d+)*", "#", message)[:60] or "(no message)"


def _spans(
    started: float, marks: list[tuple[float, str]], ended: float
) -> list[tuple[str, float, float]]:
    """(stage, from, until) for each step message; before the first one is ``setup``."""
    if not marks:
        return [("(no step messages)", started, ended)]
    out = [("setup", started, marks[0][0])] if marks[0][0] > started else []
    for (at, message), (until, _) in zip(marks, [*marks[1:], (ended, "")], strict=True):
        out.append((_stage(message), at, until))
    return out


def stages(started: float, marks: list[tuple[float, str]], ended: float) -> dict[str, float]:
    """Seconds per stage from timed step messages; before the first one is ``setup``."""
    out: dict[str, float] = {}
    for name, at, until in _spans(started, marks, ended):
        out[name] = out.get(name, 0.0) + until - at
    return out


def stage_peaks(
    started: float,
    marks: list[tuple[float, str]],
    ended: float,
    samples: list[tuple[float, float]],
) -> dict[str, float]:
    """The largest (time, MB) sample in each stage, cut as :func:`stages` cuts time.

    A sample at a message belongs to the stage it ends and to the one it starts.
    """
    ordered = sorted(samples)
    times = [t for t, _ in ordered]
    out: dict[str, float] = {}
    for name, at, until in _spans(started, marks, ended):
        inside = ordered[bisect.bisect_left(times, at) : bisect.bisect_right(times, until)]
        if inside:
            out[name] = max(out.get(name, 0.0), *(mb for _, mb in inside))
    return out


def _rss_mb(pid: str = "self") -> float:
    """A process's resident memory now (VmRSS), in MB (this one's by default)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS in /proc/{pid}/status")


def _children() -> list[str]:
    """The ids of this process's child processes now (the workers a build starts)."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            found += (task / "children").read_text(encoding="ascii").split()
        except FileNotFoundError:
            if task.is_dir():  # the thread is there, the list is not: an older kernel
                raise BenchError(
                    "this kernel does not list child processes (/proc/PID/task/TID/children),"
                    " so the workers' memory cannot be counted"
                ) from None
        except OSError:
            pass  # the thread ended meanwhile
    return found


def _forked_only(pid: str, own: bytes) -> bool:
    """Whether child ``pid`` is still a fork of this process (the same command line, or
    none while it execs): every page it has is one of ours, counted already."""
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read() in (own, b"")


def _rss_with_workers_mb() -> float:
    """This process's resident memory now plus its children's, in MB.

    A child's own peak (``ru_maxrss``) cannot stand in: a spawned worker starts as a fork,
    and the kernel keeps the parent's size at the fork as the child's peak.  For the same
    reason a child is not counted until it has exec'd: between the fork and the exec its
    resident memory is this process's (a 1M build's 6 GB), which a sample taken then
    counted twice (a 12.3 GB "peak" when the search index's worker started).
    """
    total = _rss_mb()
    with open("/proc/self/cmdline", "rb") as cmdline:
        own = cmdline.read()
    for pid in _children():
        with contextlib.suppress(OSError, BenchError):  # it may have ended meanwhile
            if not _forked_only(pid, own):
                total += _rss_mb(pid)
    return total


@contextlib.contextmanager
def _sampling(samples: list[tuple[float, float]]) -> Iterator[None]:
    """Append (time, resident MB of this process and its workers) to ``samples`` every
    :data:`SAMPLE_S` in this block."""
    stop = threading.Event()

    def sample() -> None:
        while True:
            samples.append((time.perf_counter(), _rss_with_workers_mb()))
            if stop.wait(SAMPLE_S):
                return

    thread = threading.Thread(target=sample, name="bench-rss", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _build(corpus: str, out: str, extract: bool) -> dict[str, Any]:
    from kg.builds import BuildOptions
    from kg.pipeline import build
    from kg.sources import SourceSpec

    marks: list[tuple[float, str]] = []
    samples: list[tuple[float, float]] = []  # (time, resident MB): 24,000 in 20 minutes

    def step(message: str) -> None:
        at = time.perf_counter()
        samples.append((at, _rss_with_workers_mb()))
        marks.append((at, message))

    from kg.extract import default_workers

    # as `kg build` does; without extraction a second process writes the search index
    workers = 2 if extract else default_workers()
    started = time.perf_counter()
    samples.append((started, _rss_with_workers_mb()))
    with _sampling(samples):
        result = build(
            [SourceSpec(Path(corpus))],
            out=out,
            options=BuildOptions(extract=extract, workers=workers),
            step=step,
        )
        ended = time.perf_counter()
    samples.append((ended, _rss_with_workers_mb()))
    return {
        "seconds": ended - started,
        "stages": stages(started, marks, ended),
        "stage_peak_mb": stage_peaks(started, marks, ended, samples),
        "messages": len(marks),
        # without extraction: the largest sample of the build and its worker together
        "peak_mb": _peak_mb(2) if extract else max(_peak_mb(), *(mb for _, mb in samples)),
        "report_triples": result.totals.triples,
    }


def _label(store: Any, node: Any, predicate: str) -> str | None:
    rows = list(store.query(f"SELECT ?l WHERE {{ {node} {predicate} ?l }} ORDER BY ?l LIMIT 1"))
    return rows[0]["l"].value if rows else None


def _picks(store: Any) -> dict[str, Any]:
    """Realistic parameter values from the graph, each as a name a user would type."""
    from kg import queries

    # counted and picked by the store, not listed here: one row per person grows with N
    grouped = (
        "SELECT ?p (COUNT(DISTINCT ?paper) AS ?n) WHERE { ?paper dcterms:creator ?p } GROUP BY ?p"
    )
    ranked = f"{grouped} ORDER BY DESC(?n) ?p"
    counts = next(
        iter(
            store.query(
                "SELECT (COUNT(*) AS ?people) (SUM(IF(?n >= 2, 1, 0)) AS ?several) "
                f"WHERE {{ {{ {grouped} }} }}"
            )
        )
    )
    people, several = int(counts["people"].value), int(counts["several"].value)
    if not people:
        raise BenchError("no paper has an author")
    # those with two papers or more come first in this order
    picks: dict[str, Any] = {}
    for key, offset in (("top", 0), ("median", (several or people) // 2)):
        row = next(iter(store.query(f"{ranked} OFFSET {offset} LIMIT 1")))
        node = row["p"]
        picks[f"person-{key}"] = {
            "value": _label(store, node, "skos:prefLabel") or node.value,
            "iri": node.value,
            "papers": int(row["n"].value),
        }
    for kind in ("concept", "method"):
        rows = list(queries.run(store, "top-concepts", {"kind": kind, "limit": "1"}))
        if rows:
            picks[kind] = {
                "value": rows[0]["label"].value,
                "iri": rows[0]["concept"].value,
                "papers": int(rows[0]["papers"].value),
            }
    rows = list(
        store.query(
            "SELECT ?v (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:venue ?v } "
            "GROUP BY ?v ORDER BY DESC(?n) ?v LIMIT 1"
        )
    )
    if rows:
        node = rows[0]["v"]
        picks["venue"] = {
            "value": _label(store, node, "rdfs:label") or node.value,
            "iri": node.value,
            "papers": int(rows[0]["n"].value),
        }
    return picks


def _prep(out: str) -> dict[str, Any]:
    """The default graph's size, and every saved query bound to picked parameters."""
    import pyoxigraph as ox

    from kg import queries
    from kg.errors import KGError
    from kg.graph.vocab import PREFIXES
    from kg.store import Store

    store = Store.open(out)
    counted = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(counted, ox.QuerySolutions)
    n = next(counted)["n"]
    assert n is not None
    triples = int(n.value)
    picks = _picks(store)
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    calls = []
    for q in queries.registry().values():
        people = [p for p in q.params if p.type == "person"]
        for variant in ["top", "median"] if people else [""]:
            values: dict[str, str] = {}
            looked_up: dict[str, dict[str, Any]] = {}  # parameter -> the pick it names
            skip = None
            for p in q.params:
                pick = picks.get(f"person-{variant}" if p.type == "person" else p.type)
                if p.type in ("kind", "limit"):
                    values[p.name] = p.default or ("concept" if p.type == "kind" else "20")
                elif pick is None:
                    skip = f"no {p.type} in the graph"
                else:
                    values[p.name] = pick["value"]
                    looked_up[p.name] = pick
            call: dict[str, Any] = {
                "name": f"{q.name}, {variant} person" if variant else q.name,
                "query": q.name,
                "params": values,
                "skip": skip,
            }
            if skip is None:
                try:
                    text = queries.bind(store, q, values)
                except KGError:  # a name shared by several nodes: pass the IRIs instead
                    values.update({name: pick["iri"] for name, pick in looked_up.items()})
                    text = queries.bind(store, q, values)
                call["sparql"] = prologue + text
            calls.append(call)
    return {"triples": triples, "picks": picks, "calls": calls, "prefixes": PREFIXES}


Plain = tuple[str, str, str | None, str | None]  # kind (u, b, l), value, datatype, language


def _plain(path: str) -> Iterator[tuple[Plain, Plain, Plain]]:
    """The triples of an N-Triples file as plain tuples, parsed by pyoxigraph."""
    import pyoxigraph as ox

    def plain(t: Any) -> Plain:
        if isinstance(t, ox.NamedNode):
            return ("u", t.value, None, None)
        if isinstance(t, ox.BlankNode):
            return ("b", t.value, None, None)
        return ("l", t.value, t.datatype.value, t.language)

    for q in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        yield plain(q.subject), plain(q.predicate), plain(q.object)


def _rdflib_graph(path: str) -> Any:
    """A plain rdflib Graph of the file's triples, added one by one."""
    from rdflib import BNode, Graph, Literal, URIRef

    def term(t: Plain) -> Any:
        kind, value, datatype, language = t
        if kind == "u":
            return URIRef(value)
        if kind == "b":
            return BNode(value)
        if language:
            return Literal(value, lang=language)
        if datatype is None or datatype == XSD_STRING:  # a literal always has one
            return Literal(value)
        return Literal(value, datatype=URIRef(datatype))

    graph = Graph()
    for s, p, o in _plain(path):
        graph.add((term(s), term(p), term(o)))
    return graph


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _baseline(
    corpus: str, nt: str, folder: str, prefixes: dict[str, str], budget: float
) -> dict[str, Any]:
    parse, _ = _timed(lambda: sum(1 for _ in _plain(nt)))

    def read() -> list[Any]:
        with open(corpus, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    read_s, records = _timed(read)
    add_s, graph = _timed(lambda: _rdflib_graph(nt))
    for prefix, iri in prefixes.items():
        graph.bind(prefix, iri, override=True, replace=True)
    nt_s, _ = _timed(
        lambda: graph.serialize(destination=f"{folder}/rdflib.nt", format="nt", encoding="utf-8")
    )
    turtle: float | None = None
    try:
        with _budget(budget):
            turtle, _ = _timed(
                lambda: graph.serialize(destination=f"{folder}/rdflib.ttl", format="turtle")
            )
    except _OutOfTime:
        pass
    return {
        "records": len(records),
        "triples": len(graph),
        "parse_s": parse,
        "read_s": read_s,
        "graph_s": max(0.0, add_s - parse),
        "ntriples_s": nt_s,
        "turtle_s": turtle,
        "budget_s": budget,
        "peak_mb": _peak_mb(),
    }


def _repeat(run: Callable[[], int], times: int, budget: float) -> dict[str, Any]:
    """Time ``run`` (which returns a row count) up to ``times`` times within ``budget`` s."""
    seconds: list[float] = []
    rows, error = None, None
    try:
        with contextlib.suppress(_OutOfTime), _budget(budget):
            for _ in range(times):
                started = time.perf_counter()
                rows = run()
                seconds.append(time.perf_counter() - started)
    except Exception as exc:  # an engine that cannot run the query: reported, not fatal
        error = f"{type(exc).__name__}: {str(exc)[:300]}"
    return {"seconds": seconds, "rows": rows, "budget_s": budget, "error": error}


def _kg_query(
    out: str, query: str, params: dict[str, str], times: int, budget: float
) -> dict[str, Any]:
    from kg import queries
    from kg.store import Store

    open_s, store = _timed(lambda: Store.open(out))
    result = _repeat(lambda: len(list(queries.run(store, query, params))), times, budget)
    return {**result, "open_s": open_s, "peak_mb": _peak_mb()}


def _rdflib_query(nt: str, sparql: str, times: int, budget: float) -> dict[str, Any]:
    load_s, graph = _timed(lambda: _rdflib_graph(nt))
    result = _repeat(lambda: len(list(graph.query(sparql))), times, budget)
    return {**result, "load_s": load_s, "triples": len(graph), "peak_mb": _peak_mb()}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "build": _build,
    "prep": _prep,
    "baseline": _baseline,
    "kg-query": _kg_query,
    "rdflib-query": _rdflib_query,
}


def child(task: str, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    """Run ``task`` in a fresh Python process; its result, or ``{"timeout": s}``."""
    command = [sys.executable, "-m", "bench.run", "--one", task, "--args", json.dumps(args)]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        raise BenchError(f"{task} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- the run, in the parent -----------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU, cores, memory and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    ram = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) // 1024
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_mb": ram,
        "python": platform.python_version(),
        "pyoxigraph": metadata.version("pyoxigraph"),
        "rdflib": metadata.version("rdflib"),
        "kg": metadata.version("kg"),
        "commit": commit or "unknown",
    }


def corpus(n: int, workdir: Path) -> Path:
    """The corpus of ``n`` papers, generated once into ``workdir`` (per generator version)."""
    import hashlib

    version = hashlib.sha256((ROOT / "bench" / "corpus.py").read_bytes()).hexdigest()[:8]
    path = workdir / f"corpus-{n}-{version}.jsonl"
    if not path.exists():
        part = path.with_suffix(".part")
        subprocess.run(
            [sys.executable, "-m", "bench.corpus", str(n), "-o", str(part)], cwd=ROOT, check=True
        )
        part.rename(path)
    return path


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def measure(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure at ``n`` papers."""
    folder = args.workdir / str(n)
    out = folder / "build"
    source = corpus(n, args.workdir)
    build: dict[str, Any] | None = None
    if args.reuse_build:
        why = _not_reusable(out, source, args.extract)
        if why:
            raise BenchError(f"N={n}: --reuse-build: {why}")
        _log(f"N={n}: reusing {out}; parameters")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _log(f"N={n}: kg build")
        build = child("build", corpus=str(source), out=str(out), extract=args.extract)
        _log(f"N={n}: build {build['seconds']:.1f} s; parameters")
    prep = child("prep", out=str(out))
    base = None if args.no_baseline else _baseline_run(n, args, source, out, prep)
    results = []
    for call in prep["calls"]:
        row = {k: call[k] for k in ("name", "query", "params", "skip")}
        if call["skip"] is None:
            _log(f"N={n}: {call['name']}")
            row["kg"] = child(
                "kg-query",
                timeout=args.budget + 600,
                out=str(out),
                query=call["query"],
                params=call["params"],
                times=args.repeat,
                budget=args.budget,
            )
            if base is not None:
                row["rdflib"] = child(
                    "rdflib-query",
                    nt=str(folder / "graph.nt"),
                    sparql=call["sparql"],
                    times=args.rdflib_repeat,
                    budget=args.budget,
                )
                if row["rdflib"]["triples"] != prep["triples"]:
                    raise BenchError(
                        f"N={n}: rdflib loaded {row['rdflib']['triples']:,} triples "
                        f"for {call['name']}, kg has {prep['triples']:,}"
                    )
        results.append(row)
    return {
        "n": n,
        "extract": args.extract,
        "triples": prep["triples"],
        "build": build,
        "baseline": base,
        "picks": prep["picks"],
        "queries": results,
    }


def _not_reusable(out: Path, source: Path, extract: bool) -> str | None:
    """Why the build in ``out`` cannot stand for a build of ``source``, or None."""
    try:
        saved = json.loads((out / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"no finished build in {out} ({exc})"
    paths = [Path(s["path"]).resolve() for s in saved.get("sources", [])]
    if paths != [source.resolve()]:
        return f"{out} was built from {', '.join(map(str, paths))}, not {source}"
    if bool(saved.get("options", {}).get("extract")) != extract:
        return f"{out} was built {'without' if extract else 'with'} extraction"
    return None


def _baseline_run(
    n: int, args: argparse.Namespace, source: Path, out: Path, prep: dict[str, Any]
) -> dict[str, Any]:
    """kg's N-Triples export (left for the rdflib queries), then the rdflib baseline."""
    folder = args.workdir / str(n)
    nt = folder / "graph.nt"
    _log(f"N={n}: N-Triples export")
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "export",
            "rdf",
            "--format",
            "ntriples",
            "--dir",
            str(out),
            "-o",
            str(nt),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if export.returncode != 0:
        raise BenchError(f"kg export rdf failed (exit {export.returncode}):\n{export.stderr}")
    _log(f"N={n}: rdflib baseline")
    base = child(
        "baseline",
        corpus=str(source),
        nt=str(nt),
        folder=str(folder),
        prefixes=prep["prefixes"],
        budget=args.serialize_budget,
    )
    for name in ("rdflib.nt", "rdflib.ttl"):
        (folder / name).unlink(missing_ok=True)
    if base["triples"] != prep["triples"]:
        raise BenchError(
            f"N={n}: the rdflib graph holds {base['triples']:,} triples, kg's "
            f"default graph {prep['triples']:,}: not the same triples"
        )
    return base


# --- the table ------------------------------------------------------------------------


def _s(seconds: float | None, bound: float | None = None) -> str:
    if seconds is None:
        return f"> {_s(bound)}" if bound is not None else "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _mb(mb: float | None) -> str:
    return "-" if mb is None else f"{mb:,.0f} MB"


def _ratio(
    kg: float | None, base: float | None, base_bound: float | None
) -> tuple[str, float | None, bool]:
    """The text, the value and whether it is only a lower bound (rdflib ran out of time)."""
    if kg is None or kg <= 0:
        return "-", None, False
    if base is None:
        if base_bound is None:
            return "-", None, False
        return f"> {_x(base_bound / kg)}", base_bound / kg, True
    return _x(base / kg), base / kg, False


def _x(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio < 1 else f"{ratio:.1f}x"


def _meets(ratio: float | None, lower: bool, target: float) -> bool | None:
    """Whether a ratio meets its target; unknown when only a lower bound below it is known."""
    if ratio is None or (lower and ratio < target):
        return None
    return ratio >= target


def _check(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "MISS")


def _p50(result: dict[str, Any]) -> float | None:
    return statistics.median(result["seconds"]) if result.get("seconds") else None


def _bound(result: dict[str, Any]) -> float | None:
    """The time a query is known to exceed when no run finished (none after an error)."""
    if result.get("error"):
        return None
    return result.get("budget_s") or result.get("timeout")


def _cell(result: dict[str, Any]) -> str:
    if result.get("error") and not result.get("seconds"):
        return "error"
    return _s(_p50(result), _bound(result))


def _short_s(seconds: float) -> str:
    """A target time as it is written: 50 ms, 2 s, 60 s, 20 min."""
    if seconds < 1:
        return f"{seconds * 1000:g} ms"
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _gb(mb: float) -> str:
    return f"{mb / 1024:g} GB"


def _short_n(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}K" if n % 1000 == 0 else f"{n:,}"


def _target(
    key: str, n: int, extract: bool, text: Callable[[float], str]
) -> tuple[float | None, str]:
    """kg's own target ``key`` at ``n`` (None where none is set), and the column's text."""
    at: dict[int, dict[str, float]] = TARGETS["at"]
    if n in at and not extract:
        return at[n][key], f"<= {text(at[n][key])} at {_short_n(n)}"
    sizes: dict[float, list[str]] = {}
    for size, targets in at.items():
        sizes.setdefault(targets[key], []).append(_short_n(size))
    return None, "<= " + ", ".join(f"{text(v)} at {' and '.join(m)}" for v, m in sizes.items())


def _build_rows(
    n: int, build: dict[str, Any], base: dict[str, Any] | None, extract: bool
) -> list[list[str]]:
    """The build's rows: each stage, the total, the peak and the time per paper."""
    table: list[list[str]] = []
    peaks = build.get("stage_peak_mb", {})
    base_stage: dict[str, float | None] = {}
    names = list(build["stages"])  # kg's stages in the order the build announced them
    if base is not None:
        base_stage = {
            "read": base["read_s"],
            "graph": None if base["turtle_s"] is None else base["graph_s"] + base["turtle_s"],
        }
        names += [s for s in BASELINE_STAGES if s not in build["stages"]]
    for name in names:
        mine, theirs = build["stages"].get(name), base_stage.get(name)
        bound = (
            base["graph_s"] + base["budget_s"]
            if base is not None and name == "graph" and theirs is None
            else None
        )
        text, _, _ = _ratio(mine, theirs, bound)
        peak = _mb(peaks.get(name)) if name in build["stages"] else ""
        table.append([f"build: {name}", _s(mine), peak, _s(theirs, bound), "", text, "", ""])
    total_base = total_bound = base_peak = None
    if base is not None:
        table.append(
            ["  (rdflib N-Triples instead, info)", "", "", _s(base["ntriples_s"]), "", "", "", ""]
        )
        if base["turtle_s"] is not None:
            total_base = base["read_s"] + base["graph_s"] + base["turtle_s"]
        total_bound = base["read_s"] + base["graph_s"] + base["budget_s"]
        base_peak = base["peak_mb"]
    text, ratio, lower = _ratio(build["seconds"], total_base, total_bound)
    ratio_ok = None if extract else _meets(ratio, lower, TARGETS["build_ratio"])
    limit, time_text = _target("build_s", n, extract, _short_s)
    time_ok = None if limit is None else build["seconds"] <= limit
    table.append(
        [
            "build total",
            _s(build["seconds"]),
            _mb(build["peak_mb"]),
            _s(total_base, total_bound if total_base is None else None),
            _mb(base_peak),
            text,
            f"{time_text}; >= {TARGETS['build_ratio']:.0f}x",
            f"{_check(time_ok)}; {_check(ratio_ok)}",
        ]
    )
    limit, mem_text = _target("peak_mb", n, extract, _gb)
    mem_ok = None if limit is None else build["peak_mb"] <= limit
    table.append(
        [
            "build peak memory",
            _mb(build["peak_mb"]),
            "",
            _mb(base_peak),
            "",
            "",
            mem_text,
            _check(mem_ok),
        ]
    )
    table.append(["build time per paper", _s(build["seconds"] / n), "", "", "", "", "", ""])
    return table


def rows(run: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    """The table's rows for one N, and notes under it; rdflib's cells "-" without a baseline."""
    n, build, base, extract = run["n"], run["build"], run["baseline"], run["extract"]
    table = [["what", "kg", "peak", "rdflib", "peak", "ratio", "target", "check"]]
    if build is not None:
        table += _build_rows(n, build, base, extract)
    notes = []
    for q in run["queries"]:
        if q["skip"]:
            table.append([f"query: {q['name']}", "skipped", "", "", "", "", "", ""])
            notes.append(f"{q['name']}: skipped, {q['skip']}")
            continue
        kg, rd = q["kg"], q.get("rdflib")
        mine = _p50(kg)
        text, ratio, lower = (
            _ratio(mine, None, None) if rd is None else _ratio(mine, _p50(rd), _bound(rd))
        )
        target = f">= {TARGETS['query_ratio']:.0f}x"
        checks = [_check(_meets(ratio, lower, TARGETS["query_ratio"]))]
        key = "point_s" if q["query"] in POINT else "aggregate_s" if q["query"] in AGGREGATE else ""
        if key:
            limit, limit_text = _target(key, n, extract, _short_s)
            target = f"p50 {limit_text}; {target}"
            checks.insert(0, _check(None if limit is None or mine is None else mine <= limit))
        engines = [("kg", kg)]
        if rd is not None:
            engines.append(("rdflib", rd))
            if None not in (kg.get("rows"), rd.get("rows")) and kg["rows"] != rd["rows"]:
                checks.append("ROWS DIFFER")
                notes.append(f"{q['name']}: kg gives {kg['rows']} rows, rdflib {rd['rows']}")
        for engine, result in engines:
            if result.get("error"):
                checks.append(f"{engine.upper()} ERROR")
                notes.append(f"{q['name']}: {engine} failed: {result['error']}")
        table.append(
            [
                f"query: {q['name']}",
                _cell(kg),
                _mb(kg.get("peak_mb")),
                "-" if rd is None else _cell(rd),
                _mb(None if rd is None else rd.get("peak_mb")),
                text,
                target,
                "; ".join(checks),
            ]
        )
        runs = f"{len(kg.get('seconds', []))} kg runs"
        if rd is not None:
            runs += f", {len(rd.get('seconds', []))} rdflib"
        notes.append(f"{q['name']}: {kg.get('rows')} rows, {runs}, params {q['params']}")
    if build is None:
        notes.append("build: not measured here (--reuse-build queried an earlier build)")
    elif build["report_triples"] not in (None, run["triples"]):
        notes.append(
            f"the build report counts {build['report_triples']:,} triples, the store "
            f"{run['triples']:,}"
        )
    notes.append(
        f"kg peak of a build stage: the build's resident memory with its workers' (VmRSS), "
        f"sampled every {SAMPLE_S * 1000:.0f} ms, so it can miss a shorter peak"
    )
    if base is None:
        notes.append("rdflib: not run (--no-baseline); the targets against it not checked")
        return table, notes
    load = next((q["rdflib"]["load_s"] for q in run["queries"] if "rdflib" in q), None)
    notes.append("rdflib stages: " + "; ".join(f"{k} = {v}" for k, v in BASELINE_STAGES.items()))
    notes.append(
        f"not counted: pyoxigraph parse of the N-Triples {_s(base['parse_s'])}, "
        f"rdflib graph load for the queries {_s(load)}"
    )
    return table, notes


def render(table: list[list[str]]) -> str:
    """Aligned plain text: the first column left, the others right."""
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = []
    for r in table:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Build time per paper between consecutive N (checked from 10K to 100K; kg alone)."""
    out = []
    for a, b in itertools.pairwise(runs):
        if a["build"] is None or b["build"] is None:
            continue
        per_a, per_b = a["build"]["seconds"] / a["n"], b["build"]["seconds"] / b["n"]
        ratio = per_b / per_a
        checked = (a["n"], b["n"]) == (10_000, 100_000) and not b["extract"]
        out.append(
            {
                "from": a["n"],
                "to": b["n"],
                "ratio": ratio,
                "pass": ratio <= TARGETS["growth"] if checked else None,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of papers, e.g. 10000 100000")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/kg-bench"),
        help="corpora (kept) and builds (replaced) [/tmp/kg-bench]",
    )
    parser.add_argument(
        "--extract",
        action="store_true",
        help=f"build with extraction (2 workers; N <= {MAX_EXTRACT_N:,})",
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs of each kg query [20]")
    parser.add_argument(
        "--rdflib-repeat", type=int, default=3, help="runs of each rdflib query [3]"
    )
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per query and engine, all its runs [60]"
    )
    parser.add_argument(
        "--serialize-budget",
        type=float,
        default=600.0,
        help="seconds for rdflib's Turtle serialisation [600]",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="no rdflib: no N-Triples export, baseline or rdflib queries (for N = 1,000,000)",
    )
    parser.add_argument(
        "--reuse-build",
        action="store_true",
        help="query the build already in WORKDIR/N/build (made from the same corpus) "
        "instead of building again; the build's figures are then not reported",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--one", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(TASKS[args.one](**json.loads(args.args))))
        return
    if not args.sizes:
        parser.error("give at least one N, e.g. 10000 100000")
    if args.extract and max(args.sizes) > MAX_EXTRACT_N:
        parser.error(f"--extract is for N <= {MAX_EXTRACT_N:,} (about 85 abstracts/s)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    runs = []
    for n in args.sizes:
        try:
            runs.append(measure(n, args))
        except BenchError as exc:
            sys.exit(f"bench.run: {exc}")
    print(
        f"{info['cpu']}, {info['cores']} cores, {info['ram_mb'] / 1024:.0f} GB RAM; "
        f"Python {info['python']}, pyoxigraph {info['pyoxigraph']}, rdflib {info['rdflib']}, "
        f"kg {info['kg']} ({info['commit']})"
    )
    for run in runs:
        table, notes = rows(run)
        mode = "with" if run["extract"] else "without"
        same = " = the rdflib graph" if run["baseline"] else "; rdflib not run"
        print(
            f"\nN = {run['n']:,} papers, {run['triples']:,} triples (kg's default graph"
            f"{same}), build {mode} extraction"
        )
        print(render(table))
        for note in notes:
            print(f"  {note}")
    grown = growth(runs)
    for g in grown:
        print(
            f"\ntime per paper at {g['to']:,} / at {g['from']:,}: {g['ratio']:.2f}x "
            f"(target <= {TARGETS['growth']}x from 10K to 100K: {_check(g['pass'])})"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": info, "targets": TARGETS, "runs": runs, "growth": grown}, indent=2
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
