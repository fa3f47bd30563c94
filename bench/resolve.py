"""Resolution scaling: time to resolve papers and people at growing N.

Resolution must stay near-linear (blocking keys, never all pairs). Prints the time per
record at each N and the growth against n log n.

    python bench/resolve.py 1000 10000 100000
"""

from __future__ import annotations

import argparse
import math
import time

from bench.corpus import generate, pools
from kg.pipeline import few_collections
from kg.records import SourceRef
from kg.resolve.paperlinks import Ranked, resolve_papers
from kg.resolve.people import resolve_people
from kg.sources.mapping import paper_from_mapping


def records(n: int) -> list[Ranked]:
    parts = pools()
    out = []
    for i, obj in enumerate(generate(n, source=parts), start=1):
        paper, _ = paper_from_mapping(obj, SourceRef("synthetic.jsonl", i))
        assert paper is not None
        out.append(Ranked(paper, 80))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    args = parser.parse_args()
    print(f"{'N':>8} {'papers s':>9} {'people s':>9} {'µs/record':>10} {'vs n log n':>11}")
    base = None
    for n in args.sizes:
        recs = records(n)
        with few_collections():  # as in a build
            t0 = time.perf_counter()
            res = resolve_papers(recs)
            t1 = time.perf_counter()
            resolve_people([r.paper for r in recs], res.cluster_of)
            t2 = time.perf_counter()
        per = (t2 - t0) / n * 1e6
        nlogn = (t2 - t0) / (n * math.log(n))
        base = base or nlogn
        print(f"{n:>8} {t1 - t0:>9.2f} {t2 - t1:>9.2f} {per:>10.1f} {nlogn / base:>10.2f}x")


if __name__ == "__main__":
    main()
