"""The web front end served for real: ``kg.server.serve`` over the bundled build on
127.0.0.1 (``site``), and headless Chromium to look at it (``browser``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest

from kg.server import SparqlServer, serve
from tests.export.chromium import Chromium, find_chromium


@pytest.fixture(scope="session")
def site_log() -> io.StringIO:
    """Where the site's server logs its requests."""
    return io.StringIO()


@pytest.fixture(scope="session")
def site_server(built: Path, site_log: io.StringIO) -> Iterator[SparqlServer]:
    """``kg serve`` over the bundled build, serving in a thread for the session."""
    server = serve(built, workers=2, log=site_log).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def site(site_server: SparqlServer) -> str:
    """The site's base URL, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
    return site_server.url.removesuffix("/sparql")


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    """Headless Chromium (Debian's), shared by the session; its ``events`` hold the
    network log of the page opened last."""
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    chromium = Chromium(binary, loopback=True)
    try:
        yield chromium
    finally:
        chromium.close()


def get(
    url: str, accept: str = "text/html", method: str = "GET", timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body of one request; errors are answers."""
    request = Request(url, headers={"Accept": accept}, method=method)
    try:
        with urlopen(request, timeout=timeout) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                (response.read()),
            )
    except HTTPError as exc:
        with exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def off_site(requests: list[str]) -> list[str]:
    """The requests that went anywhere but 127.0.0.1 (data: URLs stay in the page)."""
    return [
        u for u in requests if not u.startswith("data:") and urlsplit(u).hostname != "127.0.0.1"
    ]
