"""A SPARQL 1.1 endpoint used like the embedded store: ``RemoteStore(url).query(...)``.

Queries go over the SPARQL 1.1 Protocol (POST, form-encoded) with the standard library
and come back as pyoxigraph result objects, so :func:`kg.results.render` and the saved
queries work unchanged.  kg's prefixes that a query uses without declaring are declared
on one added first line (the embedded store predefines them; other endpoints do not).
Substitutions are bound as RDF terms written in N-Triples syntax into a VALUES block,
never as raw text, so no value can change the query.

>>> # RemoteStore("http://127.0.0.1:8000/sparql").query("ASK { ?s ?p ?o }")
"""

from __future__ import annotations

import re
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pyoxigraph as ox

from kg import __version__
from kg.errors import KGError, UsageError
from kg.graph.vocab import PREFIXES
from kg.sparqltext import bind_values, query_form, with_prefixes
from kg.store import Result

ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.5"


class EndpointError(KGError):
    """The endpoint could not be reached, refused the query or answered unreadably."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EndpointQueryError(EndpointError, UsageError):
    """The endpoint found the query itself bad (HTTP 400)."""


def _one_line(text: str, limit: int = 300) -> str:
    """A server's message on one line: markup dropped, whitespace squashed, cut short."""
    text = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint with the query API of :class:`kg.store.Store`."""

    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{url}: not an http:// or https:// endpoint URL")
        self.url = url
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Result:
        """Run a query on the endpoint; the result as pyoxigraph objects.

        ``substitutions`` binds variables to IRIs or literals.  Raises
        :class:`EndpointQueryError` for a query the endpoint rejects, and
        :class:`EndpointError` when it cannot be reached or fails.
        """
        text = bind_values(sparql, substitutions) if substitutions else sparql
        text = with_prefixes(text, PREFIXES)
        graph = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        data, ctype = self._post(text, ACCEPT_GRAPH if graph else ACCEPT_RESULTS)
        return self._parse(data, ctype)

    def _post(self, text: str, accept: str) -> tuple[bytes, str]:
        request = Request(
            self.url,
            data=urlencode({"query": text}).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": accept,
                "User-Agent": f"kg/{__version__}",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout_s) as response:
                return response.read(), response.headers.get_content_type()
        except HTTPError as exc:
            raise self._refused(exc) from None
        except URLError as exc:
            raise self._unreachable(exc.reason) from None
        except OSError as exc:  # a timeout or reset while reading the answer
            raise self._unreachable(exc) from None

    def _refused(self, exc: HTTPError) -> EndpointError:
        try:
            body = exc.read(4096).decode("utf-8", "replace")
        except OSError:
            body = ""
        message = f"{self.url}: HTTP {exc.code} {exc.reason}"
        if detail := _one_line(body):
            message += f": {detail}"
        kind = EndpointQueryError if exc.code == 400 else EndpointError
        return kind(message, exc.code)

    def _unreachable(self, reason: object) -> EndpointError:
        if isinstance(reason, TimeoutError):
            return EndpointError(f"{self.url}: no answer within {self.timeout_s:g} s")
        if isinstance(reason, ConnectionRefusedError):
            return EndpointError(f"{self.url}: cannot connect (connection refused)")
        text = getattr(reason, "strerror", None) or str(reason)
        return EndpointError(f"{self.url}: cannot reach the endpoint ({_one_line(text)})")

    def _parse(self, data: bytes, ctype: str) -> Result:
        results = ox.QueryResultsFormat.from_media_type(ctype)
        rdf = ox.RdfFormat.from_media_type(ctype) if results is None else None
        try:
            if results is not None:
                return ox.parse_query_results(data, format=results)
            if rdf is not None:
                store = ox.Store()  # a QueryTriples, as the embedded store returns
                store.extend(ox.parse(data, format=rdf))
                return store.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(
                f"{self.url}: unreadable {ctype} answer ({_one_line(str(exc))})"
            ) from None
        raise EndpointError(f"{self.url}: answered with {ctype}, not SPARQL results or RDF")


__all__ = ["EndpointError", "EndpointQueryError", "RemoteStore"]
