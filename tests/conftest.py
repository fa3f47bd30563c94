"""Shared fixtures: the bundled corpus built once per test session."""

from __future__ import annotations

import fcntl
import gc
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.builds import BuildOptions

# A test process keeps what its tests made (rdflib's parses of the bundled build and of
# the hostile builds' outputs, hundreds of thousands of triples) while it makes millions
# of small objects more; with Python's default first threshold (a collection every 700
# allocations) the collector scans them over and over: 15% of tests/hostile's CPU time
# (155 s, 132 s with this; the same peak memory). A build sets its own thresholds while it
# runs (kg.pipeline.few_collections); the processes the tests start keep Python's.
gc.set_threshold(10_000, 10, 10)

DATA = Path(kg.__file__).parent / "data" / "iclr"
SEEDS = {
    "openreview-page": DATA / "000_2ddc948775ec2879.txt",
    "paper-list": DATA / "001_be56ec5208ff5487.txt",
    "dataset-viewer": DATA / "002_94cbd89857369fa4.txt",
    "blog-citations": DATA / "003_b57b60e54dfcfc03.txt",
    "abstracts": DATA / "004_8b4b7c88f0a2d83f.txt",
}


def drain_fifo(fifo: Path) -> tuple[threading.Thread, dict[str, bytes]]:
    """A started thread reading everything written to the named pipe ``fifo`` into
    ``got["data"]``; join it after the writer is done."""
    got: dict[str, bytes] = {}

    def read() -> None:
        with open(fifo, "rb") as pipe:
            got["data"] = pipe.read()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def shared(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Any]
) -> Path:
    """A directory ``make`` fills once per test run, however many processes run the tests.

    Alone, it is a fresh temporary directory.  Under pytest-xdist (``make test`` runs two
    workers) the workers share one: the first to ask makes it while holding a lock, the
    others wait on the lock and then use what it made, so the bundled corpus is built once
    per run, not once per worker.  Users of a shared directory must not change it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    root = tmp_path_factory.getbasetemp().parent  # the run's directory, above each worker's
    out, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)  # a worker that failed half way
            out.mkdir()
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a build of the bundled corpus (built once per test run)."""
    from kg.pipeline import build

    return shared(
        tmp_path_factory, "bundled", lambda out: build(out=out, options=BuildOptions(workers=2))
    )


AFFILIATIONS = Path(__file__).parent / "data" / "affiliations"


def affiliation_sources() -> list[Any]:
    """Three small sources whose authors carry identifiers and affiliations: two Paper
    Copilot lists in the CoRL 2023 layout (written for the tests) and one OpenAlex page."""
    from kg.sources import SourceSpec

    return [
        SourceSpec(AFFILIATIONS / "papercopilot_corl2022.json", venue="CoRL 2022", year=2022),
        SourceSpec(AFFILIATIONS / "papercopilot_corl2023.json", venue="CoRL 2023", year=2023),
        SourceSpec(AFFILIATIONS / "openalex_corl2024.json"),
    ]


@pytest.fixture(scope="session")
def affiliated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a build of :func:`affiliation_sources` (no extraction)."""
    from kg.pipeline import build

    return shared(
        tmp_path_factory,
        "affiliated",
        lambda out: build(affiliation_sources(), out=out, options=BuildOptions(extract=False)),
    )


@pytest.fixture(scope="session")
def paper_rows(built: Path) -> list[dict[str, Any]]:
    """The paper table of the bundled build."""
    lines = (built / "papers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def bundled_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three shards of the bundled build, written by the Dask engine on a local cluster of
    two worker processes (resolved there in parts, then each shard a task), merged once.

    The folder holds ``shard-I-of-3.nq`` and ``.json``, ``resolution.json.gz``, the
    merge's ``labels.nq``, and ``run.json``: the steps the run announced and the shards
    in the order they completed; the merged build is in its ``merged`` subdirectory.
    """
    from kg.distributed import run_shards
    from kg.pipeline import bundled_sources
    from kg.shards import build_from_shards

    def make(folder: Path) -> None:
        done: list[str] = []
        steps: list[str] = []
        paths = run_shards(
            bundled_sources(),
            3,
            folder,
            local_workers=2,
            progress=lambda p: done.append(Path(p).name),
            step=steps.append,
        )
        run = {"paths": [p.name for p in paths], "done": done, "steps": steps}
        (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
        build_from_shards(bundled_sources(), folder, folder / "merged")

    return shared(tmp_path_factory, "shards", make)


#: Seconds each of the slowest test modules takes in one process (``pytest -n 0
#: --durations=0``, 2 cores, December 2026), counting the shared builds it is usually the
#: first to ask for. ``make test`` hands modules to its two workers costliest first (see
#: :func:`pytest_xdist_make_scheduler`); a module not listed counts as quick. Add a module
#: here when it takes more than about 10 s.
MODULE_SECONDS = {
    "tests/hostile/test_hostile.py": 180,
    "tests/test_pipeline.py": 150,  # with the bundled build (26 s, on two processes)
    "tests/scale/test_shards.py": 110,  # with the bundled shards on Dask, see SCOPES
    "tests/export/test_rdf.py": 100,
    "tests/scale/test_incremental.py": 82,
    "tests/test_builddir.py": 45,
    "tests/test_crash.py": 39,
    "tests/test_fs_errors.py": 29,
    "tests/test_packaging.py": 25,
    "tests/cli/test_cli.py": 23,
    "tests/server/test_load.py": 22,
    "tests/server/test_rebuild.py": 16,
    "tests/resolve/test_partition.py": 10,
    "tests/extract/test_workers.py": 13,
    "tests/extract/test_streaming.py": 13,
    "tests/export/test_html.py": 13,
    "tests/server/test_engine_sandbox.py": 12,
    "tests/server/test_slow_clients.py": 12,
    "tests/export/test_views.py": 11,
    "tests/test_searchindex.py": 10,
}

#: Modules that run in the worker of another, as one unit: both need the bundled shards,
#: which one worker makes while another that asks for them would wait.
SCOPES = {"tests/stores/test_virtuoso_shards.py": "tests/scale/test_shards.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadscope`` as xdist does it (a module's tests stay in one worker, so its
    fixtures are made once), but with the modules of :data:`SCOPES` together and the
    modules handed out costliest first (:data:`MODULE_SECONDS`).

    xdist's own order is by number of tests, which left the long modules with few tests
    (the load test, the crash test, the incremental builds) to the end, where one worker
    ran them while the other had finished; and it gave the two users of the bundled shards
    to the two workers at about the same time, so that one waited for the other.
    """
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CostliestFirst(LoadScopeScheduling):  # type: ignore[misc]
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            scope: str = super()._split_scope(nodeid)
            return SCOPES.get(scope, scope)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the first call: the queue is complete, in xdist's order
                self.ordered = True  # (by number of tests), which sorted() keeps for ties
                units = sorted(self.workqueue.items(), key=lambda u: -MODULE_SECONDS.get(u[0], 0))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return CostliestFirst(config, log)
