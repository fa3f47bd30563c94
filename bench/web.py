"""How fast ``kg serve`` answers the node pages: p50/p95 per page type, over HTTP.

    python -m bench.web --papers 100000          # builds the synthetic corpus once (no extraction)
    python -m bench.web --dir exports --requests 50   # an existing build

It serves the build with ``kg.server.serve`` (2 query workers, as ``kg serve``), picks
nodes of every type (random ones, and the largest: the venue with most papers, the most
prolific person, the most used concept), asks for each page's HTML ``--requests`` times
in turn, and prints the milliseconds per page type.  The target (issue 17): p50 at most
150 ms on a 100K-paper build on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.request import Request, urlopen

TARGET_MS = 150.0


def build_synthetic(n: int, workdir: Path) -> Path:
    """A build of the synthetic corpus of ``n`` papers without extraction (made once)."""
    from bench.run import corpus
    from kg.pipeline import build
    from kg.sources import SourceSpec

    out = workdir / f"web-{n}"
    if not (out / "store").exists():
        source = corpus(n, workdir)
        print(f"building {source} -> {out} (no extraction)", file=sys.stderr, flush=True)
        build([SourceSpec(source)], out=out, extract=False)
    return out


def picks(out: Path, per_type: int, seed: int = 17) -> dict[str, list[str]]:
    """Site paths to time, by page type: a few random nodes and the biggest one."""
    from kg.web.data import Graph

    g = Graph(out, timeout_s=600, max_rows=1_000_000)
    rng = random.Random(seed)

    def sample(kind: str, query: str, biggest: str | None) -> list[str]:
        rows = [r["x"] for r in g.select(query) if r["x"]]
        chosen = rng.sample(rows, min(per_type, len(rows)))
        if biggest:
            top = g.select(biggest)
            if top and top[0]["x"] and top[0]["x"] not in chosen:
                chosen = [top[0]["x"], *chosen[: per_type - 1]]
        paths = [g.local_path(i) for i in chosen]
        return [p for p in paths if p]

    types = {
        "paper": ("SELECT ?x WHERE { ?x a kg:Paper } LIMIT 20000", None),
        "person": (
            "SELECT ?x WHERE { ?x a kg:Person } LIMIT 20000",
            "SELECT ?x WHERE { ?p dcterms:creator ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) "
            "LIMIT 1",
        ),
        "concept": (
            "SELECT ?x WHERE { ?x a kg:Concept } LIMIT 20000",
            "SELECT ?x WHERE { ?p dcterms:subject ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) "
            "LIMIT 1",
        ),
        "venue": (
            "SELECT ?x WHERE { ?x a kg:Venue }",
            "SELECT ?x WHERE { ?p kg:venue ?x } GROUP BY ?x ORDER BY DESC(COUNT(?p)) LIMIT 1",
        ),
        "organization": ("SELECT ?x WHERE { ?x a kg:Organization } LIMIT 20000", None),
    }
    found = {}
    for kind, (query, biggest) in types.items():
        paths = sample(kind, query, biggest)
        if paths:
            found[kind] = paths
    return found


def fetch_ms(url: str) -> float:
    """Milliseconds to fetch a page's HTML in full."""
    started = time.perf_counter()
    with urlopen(Request(url, headers={"Accept": "text/html"}), timeout=60) as reply:
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{url}: {reply.status}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="an existing build to serve")
    parser.add_argument("--papers", type=int, default=10_000, help="synthetic corpus size")
    parser.add_argument("--workdir", type=Path, default=Path("bench/work"))
    parser.add_argument("--requests", type=int, default=30, help="requests per page type")
    parser.add_argument("--nodes", type=int, default=10, help="nodes per page type")
    args = parser.parse_args()
    from kg.server import serve

    out = args.dir or build_synthetic(args.papers, args.workdir)
    chosen = picks(out, args.nodes)
    server = serve(out, workers=2, log=None).start()
    base = server.url.removesuffix("/sparql")
    try:
        for paths in chosen.values():  # warm: the workers' caches, the first render
            for path in paths:
                fetch_ms(base + path)
        print(f"{out}: {args.requests} requests per page type, 2 query workers")
        print(f"{'page':<13} {'nodes':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  p50 ≤ 150")
        for kind, paths in chosen.items():
            times = [fetch_ms(base + paths[i % len(paths)]) for i in range(args.requests)]
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            ok = "yes" if p50 <= TARGET_MS else "NO"
            print(f"{kind:<13} {len(paths):>5} {p50:>8.1f} {p95:>8.1f} {times[-1]:>8.1f}  {ok}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
