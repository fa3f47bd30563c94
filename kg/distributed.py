"""Run a build's shards on Dask distributed, then merge them (:mod:`kg.shards`).

Why Dask: it is pure Python and pip-installable (``pip install 'kg[distributed]'``), runs
the same code on a laptop (a local cluster of processes) and on a cluster (``dask
scheduler`` / ``dask worker``, or dask-jobqueue on SLURM/PBS, dask-kubernetes), and
submits plain Python functions, which is all a shard is.  Ray would also fit but brings a
large runtime for what is one map; Spark needs a JVM and would call kg through Python
workers anyway.

Workers must see the input files and the shard directory at the same paths (a shared
filesystem); each shard writes its own files, so none of them share state.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.builds import BuildOptions
from kg.errors import UsageError
from kg.resolve.partition import Runner
from kg.shards import emit_shard, write_resolution


def run_shards(
    specs: Sequence[Any],
    count: int,
    folder: str | Path,
    *,
    scheduler: str | None = None,
    local_workers: int = 2,
    options: BuildOptions | None = None,
    progress: Any = None,
    step: Any = None,
) -> list[Path]:
    """Write all ``count`` shards into ``folder`` on a Dask cluster; their N-Quads paths.

    First the sources are read here and resolved on the cluster, one part per worker
    (:mod:`kg.resolve.partition`), into ``folder/resolution.json.gz``; every shard then
    reads those clusters instead of resolving again.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); without it
    a local cluster of ``local_workers`` processes (one thread each) runs them.  Each
    shard is built with ``options`` in one process (their ``workers`` are not used).
    ``progress`` is called with each shard's path as it completes, ``step`` with a label
    as each source is read and as resolution starts.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "--engine dask needs Dask distributed: pip install 'kg[distributed]'"
        ) from None
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    specs = [_absolute(s) for s in specs]
    one_process = dataclasses.replace(options or BuildOptions(), workers=1)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(scheduler or cluster) as client:
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            write_resolution(
                specs, folder, one_process.encoding, parts=workers, run=_on(client), step=step
            )
            run = uuid.uuid4().hex  # task keys of this build only, on a shared scheduler
            futures = [
                client.submit(
                    emit_shard,
                    specs,
                    i,
                    count,
                    folder,
                    one_process,
                    key=f"kg-shard-{i}-of-{count}-{run}",
                    pure=False,
                )
                for i in range(count)
            ]
            paths = []
            for future in as_completed(futures):
                path = future.result()
                paths.append(path)
                if progress:
                    progress(path)
    finally:
        if cluster is not None:
            cluster.close()
    return sorted(paths)


def _on(client: Any) -> Runner[Any, Any]:
    """Run resolution's parts as tasks of ``client``'s cluster, one part a task: each part
    is sent to one worker (scattered, not put in the task graph), so a worker holds only
    the parts it resolves."""

    def run(fn: Any, payloads: Any) -> list[Any]:
        data = client.scatter(list(payloads), hash=False)  # tokenizing them is slow
        # keys unique to this run (pure=False): a scheduler may serve several builds
        futures = client.map(fn, data, pure=False)
        try:
            return list(client.gather(futures))
        finally:
            del data, futures

    return run


def _absolute(spec: Any) -> Any:
    import dataclasses

    return dataclasses.replace(spec, path=Path(spec.path).resolve())
