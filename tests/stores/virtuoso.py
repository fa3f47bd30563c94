"""A throwaway Virtuoso server on 127.0.0.1 for tests: start, bulk-load, query, stop.

Debian's ``virtuoso-opensource`` is installed by ``make test``.  The server gets its own
database directory and ports, so it never touches a system installation.

:meth:`Virtuoso.load_nquads_dir` is the bulk load Virtuoso documents for large data sets
(``docs/scaling.md``): register a directory of N-Quads shards with ``ld_dir``, run
``rdf_loader_run()`` from several isql sessions at once, ``checkpoint``, then read
``DB.DBA.load_list`` for errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
DirsAllowed = ., {data}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sql_string(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# isql pads and frames result columns; a marker in front of each value makes it findable
_MARK = "@kg@"
_SEP = "@kg|"  # between the columns of one such value
_VALUE = re.compile(re.escape(_MARK) + r"(.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class BulkLoad:
    """What one :meth:`Virtuoso.load_nquads_dir` did."""

    files: tuple[str, ...]  # the shard files loaded, by name
    quads: int  # quads the store holds now and did not before (distinct quads loaded)
    seconds: float  # wall time from ld_dir to the end of the checkpoint
    loaders: int  # rdf_loader_run() sessions run at once

    @property
    def quads_per_second(self) -> float:
        return self.quads / self.seconds if self.seconds else 0.0


class Virtuoso:
    """A Virtuoso instance in ``workdir``, stopped by :meth:`stop` (or on context exit)."""

    def __init__(self, workdir: Path) -> None:
        self.db = workdir / "db"
        self.data = workdir / "data"
        self.db.mkdir(parents=True)
        self.data.mkdir(parents=True)
        self.sql_port, self.http_port = _free_port(), _free_port()
        (self.db / "virtuoso.ini").write_text(
            INI.format(db=self.db, data=self.data, sql_port=self.sql_port, http_port=self.http_port)
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def _isql_command(self, statement: str) -> list[str]:
        return ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"]

    def isql(self, statement: str, timeout: float = 120) -> str:
        result = subprocess.run(
            self._isql_command(statement),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql {statement!r} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def sql_values(self, expression: str, rest: str = "", timeout: float = 120) -> list[str]:
        """The values of one varchar ``expression`` selected in isql, one per row.

        >>> # server.sql_values("cast(count(*) as varchar)", "from DB.DBA.RDF_QUAD")
        """
        out = self.isql(f"select concat({_sql_string(_MARK)}, {expression}) {rest};", timeout)
        return [m.group(1) for m in _VALUE.finditer(out)]

    def start(self, wait: float = 60) -> None:
        self.process = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(self.db / "virtuoso.ini"), "+foreground"],
            cwd=self.db,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.db / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso exited early:\n{log}")
            try:
                self.isql("select 1;", timeout=10)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                time.sleep(0.5)
        raise RuntimeError("virtuoso did not answer in time")

    def load(self, path: Path, graph: str) -> None:
        """Bulk-load an RDF file into ``graph`` with ld_dir/rdf_loader_run."""
        shutil.copy(path, self.data / path.name)
        self.isql(f"ld_dir('{self.data}', '{path.name}', '{graph}');")
        self.isql("rdf_loader_run();")
        self.isql("checkpoint;")
        errors = self.isql(
            "select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;"
        )
        if path.name in errors:
            raise RuntimeError(f"virtuoso could not load {path.name}: {errors}")

    def load_nquads_dir(
        self,
        directory: Path,
        default_graph: str,
        loaders: int = 2,
        mask: str = "*.nq",
        timeout: float = 600,
    ) -> BulkLoad:
        """Bulk-load every ``mask`` file of ``directory`` the way Virtuoso documents for
        large loads, and check that each file loaded.

        The files are linked (or copied) into a fresh directory under ``DirsAllowed``;
        ``ld_dir`` registers them in ``DB.DBA.load_list`` with ``default_graph``, which for
        N-Quads only applies to a line without a graph: each quad keeps its own.  Then
        ``loaders`` isql sessions run ``rdf_loader_run()`` at once (each takes the next
        file not yet taken), and a ``checkpoint`` makes the load durable (the loader writes
        no transaction log).  Raises ``RuntimeError`` naming the file if a file did not
        reach ``ll_state = 2`` or has an ``ll_error``.
        """
        sources = sorted(p for p in Path(directory).glob(mask) if p.is_file())
        if not sources:
            raise RuntimeError(f"no {mask} files in {directory}")
        target = self.data / f"bulk-{len(list(self.data.glob('bulk-*')))}"
        target.mkdir()
        for source in sources:
            try:
                os.link(source, target / source.name)
            except OSError:
                shutil.copy(source, target / source.name)
        before = self._quad_count()
        start = time.monotonic()
        self.isql(
            f"ld_dir({_sql_string(str(target))}, {_sql_string(mask)}, "
            f"{_sql_string(default_graph)});"
        )
        sessions = [
            subprocess.Popen(
                self._isql_command("rdf_loader_run();"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(loaders)
        ]
        failures = []
        for session in sessions:
            try:
                out, _ = session.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                session.kill()
                out, _ = session.communicate()
                failures.append(f"rdf_loader_run() did not finish in {timeout} s")
                continue
            if session.returncode != 0 or "*** Error" in out:
                failures.append(f"rdf_loader_run() failed: {out}")
        self.isql("checkpoint;", timeout=timeout)
        seconds = time.monotonic() - start
        rows = self.sql_values(
            f"cast(ll_state as varchar), '{_SEP}', ll_file, '{_SEP}', coalesce(ll_error, '')",
            f"from DB.DBA.load_list where ll_file like {_sql_string(f'{target}/%')}",
        )
        states = {}
        for row in rows:
            state, path, error = [*row.split(_SEP, 2), "", ""][:3]
            states[Path(path).name] = (state, error.strip())
        problems = []
        for source in sources:
            state, error = states.get(source.name, ("(not registered by ld_dir)", ""))
            if state != "2" or error:
                problems.append(f"{source.name} (ll_state {state}, ll_error {error or 'null'})")
        if problems or failures:
            raise RuntimeError("virtuoso could not load " + "; ".join(problems + failures))
        return BulkLoad(
            files=tuple(s.name for s in sources),
            quads=self._quad_count() - before,
            seconds=seconds,
            loaders=loaders,
        )

    def _quad_count(self) -> int:
        return int(self.sql_values("cast(count(*) as varchar)", "from DB.DBA.RDF_QUAD")[0])

    def select(self, sparql: str, graph: str | Sequence[str] | None = None) -> dict[str, Any]:
        """Run a SELECT over the protocol; ``graph`` becomes the default graph.

        Several graphs are sent as one ``default-graph-uri`` each: the default graph is
        then their union (as in Virtuoso's ``FROM``, a triple in two of them is seen twice).
        """
        graphs = [graph] if isinstance(graph, str) else list(graph or ())
        params = [("query", sparql), *(("default-graph-uri", g) for g in graphs)]
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            headers={
                "Accept": "application/sparql-results+json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.isql("shutdown;", timeout=30)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Virtuoso:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def canonical_local(result: object, names: list[str]) -> list[tuple[str, ...]]:
    """kg's solutions as sorted tuples of values (``""`` for unbound), to compare."""
    return sorted(
        tuple("" if row[n] is None else row[n].value for n in names)  # type: ignore[index]
        for row in result
    )  # type: ignore[attr-defined]


def canonical_remote(doc: dict, names: list[str]) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    """SPARQL JSON results as sorted tuples of values (``""`` for unbound), to compare."""
    return sorted(
        tuple(b.get(n, {}).get("value", "") for n in names) for b in doc["results"]["bindings"]
    )


def require_virtuoso() -> None:
    """At a test module's top: fail in CI, skip elsewhere, when Virtuoso is not installed."""
    import pytest

    if shutil.which("virtuoso-t") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "virtuoso-t is missing: `make test` installs virtuoso-opensource", pytrace=False
            )
        pytest.skip(
            "virtuoso-opensource is not installed (make test installs it)", allow_module_level=True
        )
