"""A deterministic synthetic corpus of N papers in kg's JSON lines input format.

Made by recombining the bundled corpus's real titles, abstract sentences, author names and
keywords, so text and graph shape stay realistic at any N: papers per person follow a
skewed law (a few prolific people, a long tail with one or two papers), teams are 1-9
authors, keywords come from the authors' own.

    python bench/corpus.py 100000 -o /tmp/corpus-100k.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.pipeline import bundled_sources, read_all

DECISIONS = ("Poster", "Poster", "Poster", "Poster", "Spotlight", "Oral", "Reject", "Reject")
VENUES = ("ICLR 2018", "ICLR 2019", "ICLR 2020", "ICLR 2021", "NeurIPS 2020", "ICML 2021")


@dataclass(frozen=True)
class Pools:
    """What the generator recombines, taken from the bundled corpus."""

    title_heads: tuple[str, ...]
    title_tails: tuple[str, ...]
    sentences: tuple[str, ...]
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    keywords: tuple[str, ...]


def pools() -> Pools:
    """Read the bundled corpus once and cut it into reusable parts."""
    loaded = read_all(bundled_sources())
    papers = [p for s in loaded for p in s.papers]
    heads, tails = [], []
    for p in papers:
        if not p.title:
            continue
        words = p.title.split()
        cut = p.title.find(":")
        if 0 < cut < len(p.title) - 3:
            heads.append(p.title[:cut])
            tails.append(p.title[cut + 1 :].strip())
        elif len(words) >= 4:
            heads.append(" ".join(words[: len(words) // 2]))
            tails.append(" ".join(words[len(words) // 2 :]))
    sentences = [
        s.strip()
        for p in papers
        if p.abstract
        for s in re.split(r"(?<=[.!?])\s+", p.abstract)
        if len(s) > 40
    ]
    given, surnames = set(), set()
    for p in papers:
        for a in p.authors:
            parts = a.name.split()
            if len(parts) >= 2 and all(len(x) > 1 for x in parts):
                given.add(parts[0])
                surnames.add(parts[-1])
    keywords = sorted({k for p in papers for k in p.keywords})
    return Pools(
        tuple(sorted(set(heads))),
        tuple(sorted(set(tails))),
        tuple(sorted(sentences)),
        tuple(sorted(given)),
        tuple(sorted(surnames)),
        tuple(keywords),
    )


def generate(n: int, seed: int = 0, source: Pools | None = None) -> Iterator[dict[str, object]]:
    """N paper objects; the same N and seed always give the same objects."""
    parts = source or pools()
    rng = random.Random(seed)
    people = max(50, int(n * 0.9))
    # person i gets a stable name; rank-based sampling gives a skewed papers-per-person law
    names: dict[int, str] = {}

    def person(rank: int) -> str:
        if rank not in names:
            r = random.Random(rank * 7919 + seed)
            names[rank] = f"{r.choice(parts.given)} {r.choice(parts.surnames)}"
        return names[rank]

    seen_titles: set[str] = set()
    for i in range(n):
        title = f"{rng.choice(parts.title_heads)}: {rng.choice(parts.title_tails)}"
        for suffix in itertools.count(2):
            if title not in seen_titles:
                break
            title = f"{title.rsplit(' (', 1)[0]} ({suffix})"
        seen_titles.add(title)
        team = min(9, 1 + int(rng.paretovariate(1.6)))
        # half the slots go to a skewed pick (person k at density ~ 1/sqrt(k)): at 100K
        # papers the most prolific person has ~500 papers, most people one or two
        ranks = {
            int(people * rng.random() ** 2) if rng.random() < 0.5 else rng.randrange(people)
            for _ in range(team)
        }
        venue = rng.choice(VENUES)
        yield {
            "title": title,
            "authors": [person(r) for r in sorted(ranks)],
            "abstract": " ".join(rng.sample(parts.sentences, rng.randint(4, 8))),
            "keywords": rng.sample(parts.keywords, rng.randint(2, 5)),
            "venue": venue,
            "year": int(venue[-4:]),
            "decision": rng.choice(DECISIONS),
            "ids": {"arxiv": f"{20 + i // 100000:02d}{(i // 10000) % 12 + 1:02d}.{i % 100000:05d}"},
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of papers")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    with out:
        for obj in generate(args.n, args.seed):
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
