"""Search speed at N papers: the index's build time and size, and query latency.

A synthetic corpus of N papers (``bench/corpus.py``, cached in --workdir) is built without
extraction, once (``--rebuild`` builds again); a build without a search index gets one
from its store.  Then about 200 queries of different kinds, picked with a fixed seed from
the index itself (a paper's title words, a person's full name, surname, name typed in
lower case without accents, or the first letters of a surname, a concept's or venue's
label, common words, words found nowhere, punctuation), run:

- as library calls, ``kg.searchindex.search(DIR, q)`` (each opens the index, as a
  request does), --repeat times each;
- over HTTP, ``GET /search?q=...&format=json`` to ``kg serve`` on 127.0.0.1 over one
  kept-alive connection, when the server has the route.

What is timed for the index: writing it from the quads a build collects (what a build
adds), and scanning those quads out of a store (what rebuilding an index alone adds).

    python -m bench.search 100000
    python -m bench.search 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.run import ROOT, corpus
from kg import searchindex
from kg.builds import BuildOptions
from kg.export.quadindex import QuadIndex
from kg.pipeline import build
from kg.sources import SourceSpec

COMMON = ("learning", "neural networks", "deep reinforcement learning", "graph", "a", "the")
NOWHERE = ("zzqxv", "qwertyuiop asdf", "xylophone zebra")
HOSTILE = ('"', "NEAR(a b)", "title: graph", "graph OR learning", "*", "\x00", "x" * 10_000)


def queries(index: Path, seed: int = 0) -> list[tuple[str, str]]:
    """About 200 (kind of query, text) pairs drawn from the index's own rows."""
    rng = random.Random(seed)
    db = sqlite3.connect(index.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows = {
            kind: [r[0] for r in db.execute("SELECT label FROM docs WHERE kind = ?", (kind,))]
            for kind in searchindex.KINDS
        }
    finally:
        db.close()
    out: list[tuple[str, str]] = []

    def pick(kind: str, n: int) -> list[str]:
        found = rows.get(kind) or []
        return rng.sample(found, min(n, len(found)))

    for title in pick("paper", 40):
        words = title.split()
        start = rng.randrange(max(1, len(words) - 2))
        out.append(("title words", " ".join(words[start : start + rng.randint(2, 3)])))
    for name in pick("person", 80):
        parts = name.split()
        mode = len(out) % 4
        if mode == 0:
            out.append(("person name", name))
        elif mode == 1:
            out.append(("surname", parts[-1]))
        elif mode == 2:
            out.append(("name, folded", " ".join(searchindex.terms(name))))
        else:
            out.append(("type-ahead", f"{parts[0]} {parts[-1][:4]}"))
    out += [("concept label", c) for c in pick("concept", 40)]
    out += [("venue", v) for v in pick("venue", 5)]
    out += [("organization", o) for o in pick("organization", 10)]
    out += [("common words", c) for c in COMMON for _ in range(3)]
    out += [("no match", c) for c in NOWHERE]
    out += [("hostile", h) for h in HOSTILE]
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(out: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--dir", str(out), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("kg serve did not start")


def _http(out: Path, qs: list[tuple[str, str]], repeat: int) -> list[float] | str:
    """Milliseconds per request, or why HTTP was not measured."""
    proc, port = _serve(out)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/search?q=graph&format=json")
        first = conn.getresponse()
        first.read()
        if first.status == 404:
            return "the server has no /search route"
        times = []
        for _ in range(repeat):
            for _, q in qs:
                path = "/search?" + urllib.parse.urlencode({"q": q[:2000], "format": "json"})
                started = time.perf_counter()
                conn.request("GET", path, headers={"Accept": "application/json"})
                response = conn.getresponse()
                body = response.read()
                times.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    raise SystemExit(f"GET {path[:80]}: {response.status} {body[:200]!r}")
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def _line(what: str, times: list[float]) -> str:
    return (
        f"{what:<34} p50 {_p(times, 50):7.1f} ms   p95 {_p(times, 95):7.1f} ms   "
        f"max {max(times):7.1f} ms   ({len(times)} queries)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000, help="papers [100000]")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument("--repeat", type=int, default=1, help="runs of every query [1]")
    parser.add_argument("--rebuild", action="store_true", help="build again even if built")
    parser.add_argument("--no-http", action="store_true", help="library calls only")
    args = parser.parse_args(argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    out = args.workdir / str(args.n) / "search-build"
    if args.rebuild or not (out / "store").is_dir():
        source = corpus(args.n, args.workdir)
        print(f"building {source.name} into {out} (no extraction)", file=sys.stderr)
        started = time.perf_counter()
        build([SourceSpec(source)], out=out, options=BuildOptions(extract=False))
        print(f"build: {time.perf_counter() - started:.1f} s", file=sys.stderr)

    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "store"))
    started = time.perf_counter()
    ix = QuadIndex.of_store(store, searchindex.PATTERNS)
    scanned = time.perf_counter() - started
    del store
    started = time.perf_counter()
    info = searchindex.write(out / searchindex.FILE, ix)
    written = time.perf_counter() - started
    del ix
    rows = ", ".join(f"{n:,} {k}s" for k, n in info.rows.items() if n)
    print(f"N = {args.n:,} papers; search index: {rows}")
    print(f"index size                         {info.size / 1e6:.1f} MB")
    print(f"index write (what a build adds)    {written:.1f} s")
    print(f"quads scanned from the store       {scanned:.1f} s (only to index an old build)")

    qs = queries(out / searchindex.FILE)
    searchindex.search(out, "warm up")
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for kind, q in qs:
            started = time.perf_counter()
            searchindex.search(out, q)
            ms = (time.perf_counter() - started) * 1000
            times.append(ms)
            by_kind.setdefault(kind, []).append(ms)
    print(_line("library search()", times))
    for kind, found in by_kind.items():
        if len(found) >= 2:
            print(_line(f"  {kind}", found))
    if not args.no_http:
        http_times = _http(out, qs, args.repeat)
        if isinstance(http_times, str):
            print(f"HTTP: not measured ({http_times})")
        else:
            print(_line("HTTP GET /search (JSON)", http_times))
    print(json.dumps({"n": args.n, "queries": len(qs), "load": os.getloadavg()}))


if __name__ == "__main__":
    main()
