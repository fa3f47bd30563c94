"""A real endpoint on loopback over the bundled build, shared by the server tests."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from kg.server import SparqlServer, serve

TIMEOUT_S = 1.5
MAX_ROWS = 1000
MAX_BODY = 64 * 1024
ORALS = 'SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="session")
def server_log() -> io.StringIO:
    """Where the shared endpoint logs its requests."""
    return io.StringIO()


@pytest.fixture(scope="session")
def endpoint(built: Path, server_log: io.StringIO) -> Iterator[SparqlServer]:
    """The endpoint, serving in a thread for the whole session and closed after it."""
    server = serve(
        built, timeout_s=TIMEOUT_S, max_rows=MAX_ROWS, max_body=MAX_BODY, workers=2, log=server_log
    ).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def url(endpoint: SparqlServer) -> str:
    """The endpoint's URL."""
    return endpoint.url


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    timeout: float = 10,
) -> tuple[int, Any, bytes]:
    """Status, headers and body of one request; HTTP errors are answers too."""
    request = Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read()
