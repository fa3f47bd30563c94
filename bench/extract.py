"""Extraction throughput on every abstract of the bundled corpus, against plain spaCy.

Each configuration runs in a fresh process (so peak memory is its own) over the same
abstracts, and one table shows abstracts/s, peak memory (the process and its workers)
and the ratio against the baseline: the plain full small English pipeline, ``nlp(text)``
per abstract with every component on.

    python -m bench.extract              # all configurations
    python -m bench.extract --repeat 3   # best of three runs each
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

CONFIGS = {
    "plain spaCy nlp(text), all components": "plain",
    "plain spaCy, NER and lemmatizer off, nlp.pipe": "plain-pipe",
    "kg extract, 1 process": "kg-1",
    "kg extract, 2 processes": "kg-2",
    "kg extract, rules only (no trained pipeline), 1 process": "kg-blank",
}


def _texts() -> list[tuple[str, str | None, str]]:
    from kg.pipeline import bundled_sources, read_all, resolve

    corpus = resolve(read_all(bundled_sources()))
    out = []
    for cluster in corpus.papers.clusters:
        best = next((r.paper for r in cluster.members if r.paper.abstract), None)
        if best is not None and best.abstract:
            out.append((cluster.key, best.title, best.abstract))
    return out


def _one(config: str) -> dict[str, Any]:
    """Run one configuration in this process; return seconds and peak memory."""
    texts = _texts()
    if config.startswith("plain"):
        import spacy

        from kg.extract.nlp import find_model

        name = find_model()
        assert name, "no trained pipeline installed"
        if config == "plain":
            nlp = spacy.load(name)
            t0 = time.perf_counter()
            for _, _, abstract in texts:
                nlp(abstract)
        else:
            nlp = spacy.load(name, exclude=["ner", "lemmatizer"])
            t0 = time.perf_counter()
            for _ in nlp.pipe((a for _, _, a in texts), batch_size=64):
                pass
        seconds = time.perf_counter() - t0
    else:
        from kg.extract import Text, extract
        from kg.resolve.concepts import Concepts

        items = [Text(*t) for t in texts]
        workers = 2 if config == "kg-2" else 1
        model = None if config == "kg-blank" else "auto"
        t0 = time.perf_counter()
        acronyms = Concepts.learn(t.abstract for t in items).acronyms
        n = sum(
            1 for _ in extract(items, model=model, workers=workers, warn=False, acronyms=acronyms)
        )
        seconds = time.perf_counter() - t0
        assert n == len(items)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "abstracts": len(texts),
        "seconds": seconds,
        "peak_mb": (own + (2 * children if config == "kg-2" else 0)) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration (best)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return
    results: dict[str, dict[str, Any]] = {}
    for label, config in CONFIGS.items():
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-m", "bench.extract", "--one", config],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        results[label] = min(runs, key=lambda r: r["seconds"])
        r = results[label]
        print(f"  {label}: {r['seconds']:.1f} s", file=sys.stderr)
    base = results["plain spaCy nlp(text), all components"]
    base_rate = base["abstracts"] / base["seconds"]
    print(f"\n{'configuration':<58} {'abstracts/s':>11} {'peak MB':>8} {'vs plain':>9}")
    for label, r in results.items():
        rate = r["abstracts"] / r["seconds"]
        print(f"{label:<58} {rate:>11.1f} {r['peak_mb']:>8.0f} {rate / base_rate:>8.2f}x")
    print(
        f"\n{base['abstracts']} abstracts of the bundled corpus; peak memory includes the "
        "two worker processes (the main process plus twice the largest worker)."
    )


if __name__ == "__main__":
    main()
