"""One shard of a synthetic corpus: where its time goes, its throughput, its output.

    python -m bench.shard 10000 4          # shard 0/4 of 10,000 papers, with extraction
    python -m bench.shard 10000 4 --no-extract
    python -m bench.shard 10000 4 --no-extract --saved   # reading a saved resolution
    python -m bench.shard 10000 4 --no-extract --saved --merge   # and the merge

Runs :func:`kg.shards.emit_shard` in this process (extraction in-process, as a shard on a
Dask worker does) and prints the time of each stage from its step messages.  With
``--merge`` the other shards are then written (by ``kg build --emit nquads``, untimed) and
the merge (``kg build --from-shards``) is timed in a process of its own, with its peak.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from kg.builds import BuildOptions
from kg.shards import emit_shard
from kg.sources import SourceSpec

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="papers in the corpus")
    parser.add_argument("count", type=int, help="shards (shard 0 is measured)")
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument(
        "--saved",
        action="store_true",
        help="resolve once first (kg build --emit resolution, in a child process, timed "
        "apart) and let the shard read its share of that",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="then write the other shards and time the merge (kg build --from-shards)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = args.workdir / f"shard-corpus-{args.n}.jsonl"
    if not corpus.exists():
        subprocess.run(
            [sys.executable, "-m", "bench.corpus", str(args.n), "-o", str(corpus)],
            cwd=ROOT,
            check=True,
        )
    out = Path(tempfile.mkdtemp(prefix="kg-shard-", dir=args.workdir))
    if args.saved:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        command = ["build", str(corpus), "--emit", "resolution", "--dir", str(out)]
        subprocess.run(
            [sys.executable, "-m", "kg", *command], cwd=ROOT, check=True, capture_output=True
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            # ru_maxrss of children: the largest one process (kg, or one of its --workers)
            f"resolution, once: {time.perf_counter() - started:.1f} s, largest process "
            f"{peak / 1024:,.0f} MB{'' if peak > before else ' (or less)'}, "
            f"{(out / 'resolution.json.gz').stat().st_size / 1e6:,.1f} MB"
        )
    marks: list[tuple[float, str]] = []
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = emit_shard(
            [SourceSpec(corpus)],
            0,
            args.count,
            out,
            BuildOptions(extract=not args.no_extract),
            step=lambda m: marks.append((time.perf_counter(), m)),
        )
    ended = time.perf_counter()
    stages: dict[str, float] = {}
    for (at, message), (until, _) in zip(marks, [*marks[1:], (ended, "")], strict=True):
        name = message.split(" ")[0]
        stages[name] = stages.get(name, 0.0) + until - at
    extracted = next((int(m.rsplit("/", 1)[1]) for _, m in marks if m.startswith("extracting")), 0)
    data = path.read_bytes()
    print(
        f"shard 0/{args.count} of {args.n:,} papers: {ended - started:.1f} s, peak "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )
    for name, seconds in stages.items():
        print(f"  {name:<12} {seconds:8.1f} s")
    if extracted:
        print(
            f"  extraction: {extracted:,} papers, "
            f"{extracted / stages.get('extracting', 1):.1f} papers/s"
        )
    print(
        f"  output: {len(data) / 1e6:,.1f} MB N-Quads, "
        f"{len(gzip.compress(data, 1)) / 1e6:,.1f} MB with gzip -1"
    )
    if args.merge:
        _merge(corpus, out, args.count, args.no_extract)


#: the merge, in a child process that prints its own wall time and peak memory
_MERGE = """
import resource, sys, time
from pathlib import Path
from kg.shards import build_from_shards
from kg.sources import SourceSpec
started = time.perf_counter()
build_from_shards([SourceSpec(Path(sys.argv[1]))], Path(sys.argv[2]), Path(sys.argv[3]))
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _merge(corpus: Path, out: Path, count: int, no_extract: bool) -> None:
    """Write shards 1..count-1, then time the merge of all of them and print it."""
    extract = ["--no-extract"] if no_extract else []
    for index in range(1, count):
        command = ["build", str(corpus), "--emit", "nquads", "--shard", f"{index}/{count}"]
        subprocess.run(
            [sys.executable, "-m", "kg", *command, "--dir", str(out), *extract],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    done = subprocess.run(
        [sys.executable, "-c", _MERGE, str(corpus), str(out), str(out / "merged")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak = done.stdout.split()
    saved = (out / "resolution.json.gz").is_file()
    print(
        f"merge of {count} shards ({'with' if saved else 'without'} a saved resolution): "
        f"{float(seconds):.1f} s, peak {int(peak) / 1024:,.0f} MB"
    )


if __name__ == "__main__":
    main()
