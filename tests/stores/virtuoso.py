"""A throwaway Virtuoso server on 127.0.0.1 for tests: start, bulk-load, query, stop.

Debian's ``virtuoso-opensource`` is installed by ``make test``.  The server gets its own
database directory and ports, so it never touches a system installation.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
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


class Virtuoso:
    """A Virtuoso instance in ``workdir``, stopped by :meth:`stop` (or on context exit)."""

    def __init__(self, workdir: Path) -> None:
        self.db = workdir / "db"
        self.data = workdir / "data"
        self.db.mkdir(parents=True)
        self.data.mkdir(parents=True)
        self.sql_port, self.http_port = _free_port(), _free_port()
        (self.db / "virtuoso.ini").write_text(INI.format(
            db=self.db, data=self.data, sql_port=self.sql_port, http_port=self.http_port))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def isql(self, statement: str, timeout: float = 120) -> str:
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql {statement!r} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def start(self, wait: float = 60) -> None:
        self.process = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(self.db / "virtuoso.ini"), "+foreground"],
            cwd=self.db, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        errors = self.isql("select ll_file, ll_error from DB.DBA.load_list "
                           "where ll_error is not null;")
        if path.name in errors:
            raise RuntimeError(f"virtuoso could not load {path.name}: {errors}")

    def select(self, sparql: str, graph: str | None = None) -> dict[str, Any]:
        """Run a SELECT over the protocol; ``graph`` becomes the default graph."""
        params = {"query": sparql, **({"default-graph-uri": graph} if graph else {})}
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(self.endpoint, data=body, headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded"})
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
