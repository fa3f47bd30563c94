"""A read-only SPARQL 1.1 endpoint over a built store, on the standard library's HTTP server.

``serve(dir)`` returns a :class:`SparqlServer` to start in a thread and close (tests,
notebooks); ``run(dir)`` serves until interrupted (``kg serve``).  At ``/sparql``:

* the SPARQL 1.1 Protocol: GET with ``query=``, POST form-encoded or with a direct
  ``application/sparql-query`` body; results negotiated on Accept, or named by
  ``format=`` (``output=``), which wins for the kind of result it fits;
* a SPARQL 1.1 Service Description (Turtle by default) on GET without a query;
* CORS for browser clients (any origin; no credentials are involved);
* read-only: ``update=``, ``application/sparql-update`` and update requests get 403, and
  so does ``SERVICE``, which would make the server fetch any URL a client names;
* limits: a time limit per request (503 past it), a row limit (the result is cut and
  ``X-SPARQL-MaxRows`` says so), a byte limit on a result (it is cut to fewer rows and
  ``X-SPARQL-MaxBytes`` says so), a request body limit (413), a connection limit (503);
* slow clients cannot hold it: a request head, and then its body, must each arrive
  within ``request_s`` (408 or a closed connection past it); one client address holds at
  most half the connection slots; and when every slot is taken, a connection still waiting
  for its request (for at least ``EVICT_AFTER_S``; the longest-waiting one of the address
  holding most) is closed to make room.  So a flood of slow or idle connections does not
  lock out a client that sends its request at once;
* it follows the build: after a rebuild every answer comes from the new build
  (:class:`kg.querypool.QueryPool` replaces its workers);
* HTTP: HEAD wherever GET works, 405 with ``Allow`` for other methods, every error
  (the standard library's too) a one-line text/plain reply with CORS headers, whose
  echo of client input is capped; a query string or form that is not valid UTF-8 once
  percent-decoded is 400, an unknown or malformed charset 415.

Every other path of the port goes to the web application (:mod:`kg.web`, a Flask WSGI
app: the node pages, search and the query editor), handed the request through the
standard library's WSGI handler once this server has read it, so the connection limits,
request deadlines and slow-client eviction hold for the whole port; the pages' queries
run in the same pool of workers under the same time limit.

The standard library is enough for the endpoint: the protocol is a handful of parameters, and
queries run in worker processes anyway (:mod:`kg.querypool` explains why), so an async
framework would add a dependency without adding capacity.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
import wsgiref.handlers
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import UsageError
from kg.querypool import GRAPH_FORMATS, Busy, Overrun, QueryPool, Unavailable, WorkerLost
from kg.sparqltext import query_form
from kg.text import terminal_safe

PATH = "/sparql"
DRAIN_MAX = 8 << 20  # bytes of a refused body read and dropped so the client sees the reply
MESSAGE_MAX = 1000  # characters of an error message; client input echoed in it is cut
EVICT_AFTER_S = 0.5  # a new connection gets this long to start its request before eviction
ALLOW = "GET, HEAD, POST, OPTIONS"
EXPOSED = "X-SPARQL-MaxRows, X-SPARQL-MaxBytes"
_CHARSET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}")

#: result format name -> media types (the first is sent as Content-Type)
SELECT_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_TYPES: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle", "application/x-turtle", "application/turtle"),
    "ntriples": ("application/n-triples", "text/plain"),
    "rdfxml": ("application/rdf+xml",),
    "jsonld": ("application/ld+json",),
}
#: format= values -> (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    **{t: (name, None) for name, types in SELECT_TYPES.items() for t in types},
    **{t: (None, name) for name, types in GRAPH_TYPES.items() for t in types},
}
assert set(GRAPH_TYPES) == set(GRAPH_FORMATS)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
SH = "http://www.w3.org/ns/shacl#"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
)
_HOST = re.compile(r"(?:[A-Za-z0-9\-.]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may cost."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1 << 20
    workers: int = 2
    memory_mb: int = 1024
    max_connections: int = 128
    max_bytes: int = 32 << 20  # of a result body; a longer result is cut to fewer rows
    request_s: float = 10.0  # for a whole request head, and then for its body
    idle_s: float = 30.0  # an idle keep-alive connection; a reply to a slow reader

    def check(self) -> None:
        """UsageError for a limit that makes no sense."""
        if self.timeout_s <= 0:
            raise UsageError("the time limit must be more than 0 seconds")
        if self.request_s <= 0 or self.idle_s <= 0:
            raise UsageError("the request and idle time limits must be more than 0 seconds")
        for name in ("max_rows", "max_body", "workers", "max_connections", "max_bytes"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name.replace('_', '-')} must be at least 1")
        if self.memory_mb < 0:
            raise UsageError("the memory limit must be 0 (none) or more megabytes")


@dataclass(slots=True)
class Response:
    """A reply before it is sent; ``note`` goes to the log line."""

    status: int
    body: bytes = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""


def error(status: int, message: str, note: str = "", **headers: str) -> Response:
    """A plain-text error reply: one line saying what went wrong, control characters
    escaped, at most MESSAGE_MAX characters (its middle is cut: a message may quote a
    client's 100 KB parameter)."""
    line = " ".join(message.split())
    line = terminal_safe(line, keep_newlines=False)  # NUL: \x00
    if len(line) > MESSAGE_MAX:
        half = MESSAGE_MAX // 2
        line = f"{line[:half]} [... {len(line) - 2 * half} characters cut ...] {line[-half:]}"
    return Response(status, (line + "\n").encode("utf-8"), headers=headers, note=note)


def _form(text: str, encoding: str = "utf-8") -> dict[str, list[str]]:
    """Form fields; UnicodeDecodeError if a percent-escape is not valid ``encoding``."""
    return parse_qs(text, keep_blank_values=True, encoding=encoding, errors="strict")


class _Deadline(io.RawIOBase):
    """The reading side of a connection, under a deadline rather than a per-read timeout:
    a client sending one byte every few seconds still runs out of time."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = time.monotonic()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


def content_type(fmt: str) -> str:
    """The Content-Type sent for a format name."""
    ctype = {**SELECT_TYPES, **GRAPH_TYPES}[fmt][0]
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") else ctype


# -- content negotiation --------------------------------------------------------------


def accept_ranges(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, in order."""
    ranges = []
    for part in header.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """q and specificity (2 exact, 1 type/*, 0 */*) of the range that best matches."""
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for rng, q in ranges:
        spec = 2 if rng == media else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, q)
    return (0.0, -1) if best is None else (best[1], best[0])


def negotiate(header: str | None, offers: dict[str, tuple[str, ...]]) -> str | None:
    """The offered format the Accept header prefers; the first offer if there is no
    header; None if it accepts none of them.  Wildcards match a format's main type only."""
    if not header or not header.strip():
        return next(iter(offers))
    ranges = accept_ranges(header)
    best, key = None, (0.0, -1, 0)
    for order, (fmt, types) in enumerate(offers.items()):
        for alias, media in enumerate(types):
            q, spec = _quality(media, ranges)
            candidate = (q, spec, -order)
            if q > 0 and (spec == 2 or not alias) and candidate > key:  # aliases match exactly
                best, key = fmt, candidate
    return best


# -- service description --------------------------------------------------------------


def description(endpoint: str, limits: Limits) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description of this endpoint."""
    from kg.graph.vocab import DCTERMS, PREFIXES, RDF, RDFS, XSD

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    svc, dataset, graph = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("graph")
    a = n(RDF + "type")
    out = [
        ox.Triple(svc, a, n(SD + "Service")),
        ox.Triple(svc, n(SD + "endpoint"), n(endpoint)),
        ox.Triple(svc, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(svc, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(
            svc, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")
        ),
        ox.Triple(svc, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), graph),
        ox.Triple(graph, a, n(SD + "Graph")),
        ox.Triple(svc, n(DCTERMS + "title"), ox.Literal(f"kg {__version__} SPARQL endpoint")),
        ox.Triple(
            svc,
            n(RDFS + "comment"),
            ox.Literal(
                f"Read-only; the default graph is the union of all graphs. A query may run "
                f"{limits.timeout_s:g} s and return {limits.max_rows} rows; SERVICE is refused. "
                f"The prefixes declared here are predefined."
            ),
        ),
    ]
    out += [ox.Triple(svc, n(SD + "resultFormat"), n(FORMATS_NS + f)) for f in RESULT_FORMATS]
    for prefix, namespace in PREFIXES.items():
        decl = ox.BlankNode(f"prefix_{prefix}")
        out += [
            ox.Triple(svc, n(SH + "declare"), decl),
            ox.Triple(decl, n(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(decl, n(SH + "namespace"), ox.Literal(namespace, datatype=n(XSD + "anyURI"))),
        ]
    return out


# -- the web application's side of the port -------------------------------------------

_HOP_BY_HOP = frozenset(
    ("connection", "content-length", "content-type", "keep-alive", "transfer-encoding")
)


class _WsgiCall(wsgiref.handlers.BaseHandler):
    """One request to a WSGI application, its reply collected into a :class:`Response`.

    The standard library's WSGI handler does the protocol (environ, start_response,
    the app's iterable, a 500 for an app that fails before replying); this class gives it
    the request as BaseHTTPRequestHandler read it, within the server's limits, and keeps
    what it would have written."""

    os_environ: dict[str, str] = {}  # noqa: RUF012  (the process's environment stays out)
    wsgi_multithread = True
    wsgi_multiprocess = False
    wsgi_run_once = False
    origin_server = False  # the status line and Date are the HTTP handler's to send
    http_version = "1.1"
    server_software = f"kg/{__version__}"

    def __init__(self, app: Callable[..., Any] | None, log: Callable[[str], None]) -> None:
        self._app = app
        self._log = log
        self._chunks: list[bytes] = []
        self._errors = io.StringIO()
        self._stdin: io.BytesIO = io.BytesIO()
        self._cgi: dict[str, str] = {}
        self._reply: tuple[str, list[tuple[str, str]]] = ("500 Internal Server Error", [])

    def answer(self, request: _Handler, method: str, body: bytes) -> Response:
        """Run the application on ``request`` (sent as ``method`` with ``body``)."""
        if self._app is None:
            return error(404, f"nothing here; the SPARQL endpoint is at {PATH}")
        raw = request.path
        url = urlsplit(raw)
        host, port = str(request.server.server_address[0]), request.server.server_address[1]
        env = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(url.path or "/", "iso-8859-1"),
            "QUERY_STRING": url.query,
            "RAW_URI": url.path or "/",
            "REQUEST_URI": raw,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": request.request_version,
            "REMOTE_ADDR": str(request.client_address[0]),
            "CONTENT_LENGTH": str(len(body)) if body else "",
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        }
        for key, value in request.headers.items():
            name = key.upper().replace("-", "_")
            if "_" in key or name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                continue  # an underscore could pose as another header once converted
            env[f"HTTP_{name}"] = (
                f"{env[f'HTTP_{name}']},{value}" if f"HTTP_{name}" in env else value
            )
        self._cgi = env
        self._stdin = io.BytesIO(body)
        self.run(self._app)
        if self._errors.getvalue().strip():
            self._log(self._errors.getvalue().rstrip())
        status_line, sent = self._reply
        headers: dict[str, str] = {}
        for key, value in sent:
            if key.lower() in _HOP_BY_HOP:
                continue
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        ctype = dict((k.lower(), v) for k, v in sent).get("content-type", "text/plain")
        return Response(int(status_line.split(" ", 1)[0]), b"".join(self._chunks), ctype, headers)

    def close(self) -> None:
        """Keep the status and headers, which the base class forgets here."""
        status, headers = getattr(self, "status", None), getattr(self, "headers", None)
        self._reply = (str(status), list(headers.items()) if headers else [])
        super().close()

    def get_stdin(self) -> io.BytesIO:
        return self._stdin

    def get_stderr(self) -> io.StringIO:
        return self._errors

    def add_cgi_vars(self) -> None:
        environ: dict[str, Any] = getattr(self, "environ")  # noqa: B009  (set by the base)
        environ.update(self._cgi)

    def send_headers(self) -> None:
        """Keep the headers; the HTTP handler sends them with the body."""
        self.cleanup_headers()
        self.headers_sent = True

    def _write(self, data: bytes) -> None:
        self._chunks.append(data)

    def _flush(self) -> None:
        pass

    def log_exception(self, exc_info: Any) -> None:
        self._log("".join(traceback.format_exception(*exc_info)).rstrip())


# -- the server -----------------------------------------------------------------------


class SparqlServer(ThreadingHTTPServer):
    """The endpoint: ``start()`` serves in a thread, ``close()`` stops it and its workers."""

    daemon_threads = True
    request_queue_size = 128  # listen backlog: a burst of clients is queued, not dropped

    def __init__(
        self,
        address: tuple[str, int],
        limits: Limits,
        pool: QueryPool,
        log: TextIO | None,
        app: Callable[..., Any] | None = None,
    ) -> None:
        self.address_family = socket.getaddrinfo(*address, type=socket.SOCK_STREAM)[0][0]
        self.limits = limits
        self.pool = pool
        self.app = app  # the WSGI application answering every path but PATH
        self._log = log
        self._log_lock = threading.Lock()
        self._conns_lock = threading.Lock()
        self.per_address = max(1, limits.max_connections // 2)
        #: open connection -> its client's address, and since when it waits for a request
        #: (None: being answered)
        self._conns: dict[socket.socket, tuple[str, float | None]] = {}
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup HTTPServer does."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def url(self) -> str:
        """The endpoint's URL, e.g. ``http://127.0.0.1:8000/sparql``."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{PATH}"

    def log(self, line: str) -> None:
        """Write one line to the log stream, if there is one; a request's path and
        method come from the client, so control characters are shown escaped."""
        if self._log is not None:
            with self._log_lock:
                print(terminal_safe(line, keep_newlines=False), file=self._log, flush=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve a connection in a thread, within the connection limits.

        One client address may hold half the slots (``per_address``).  Past a limit, a
        connection still waiting for its request (having had EVICT_AFTER_S to send it) is
        closed to make room: the longest-waiting one of this address if it is the address
        that is over its share, else of the address holding most connections.  If every
        connection is being answered, this one is refused with 503."""
        now = time.monotonic()
        addr = str(client_address[0]) if isinstance(client_address, tuple) else "-"
        with self._conns_lock:
            held = Counter(a for a, _ in self._conns.values())
            victim, why = None, ""
            if held[addr] >= self.per_address:
                victim = self._victim(now, held, addr)
                if victim is None:
                    why = f"too many connections from {addr} ({self.per_address})"
            elif len(self._conns) >= self.limits.max_connections:
                victim = self._victim(now, held)
                if victim is None:
                    why = (
                        f"too many connections ({self.limits.max_connections}), all being answered"
                    )
            if victim is not None:
                del self._conns[victim]
            if not why:
                self._conns[request] = (addr, now)
        if victim is not None:  # its thread reads end-of-file and ends
            with contextlib.suppress(OSError):
                victim.shutdown(socket.SHUT_RDWR)
        if why:
            body = f"{why}; try again\n".encode()
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\n"
                    b"Content-Type: text/plain; charset=utf-8\r\n"
                    b"Access-Control-Allow-Origin: *\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                    b"Retry-After: 1\r\nConnection: close\r\n\r\n" + body
                )
            self.log(f"- - 503 0.0ms {why}")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def _victim(
        self, now: float, held: Counter[str], addr: str | None = None
    ) -> socket.socket | None:
        """The connection to close for room: waiting for its request since EVICT_AFTER_S
        or longer; of ``addr`` if given, else preferably of the address holding most."""
        waiting = [
            (-held[a], since, i, conn)
            for i, (conn, (a, since)) in enumerate(self._conns.items())
            if since is not None and now - since >= EVICT_AFTER_S and addr in (None, a)
        ]
        return min(waiting)[3] if waiting else None

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Serve one connection, then give its slot back."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conns_lock:
                self._conns.pop(request, None)

    def phase(self, conn: socket.socket, waiting: bool) -> bool:
        """Mark a connection as waiting for a request (it may be evicted) or as being
        answered; False if it was evicted already."""
        with self._conns_lock:
            if conn not in self._conns:
                return False
            self._conns[conn] = (self._conns[conn][0], time.monotonic() if waiting else None)
            return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that fails (reset, evicted) is not news; anything else is logged."""
        if not isinstance(sys.exc_info()[1], OSError):
            self.log(traceback.format_exc().rstrip())

    def start(self) -> SparqlServer:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.1,), name="kg-serve", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, drop open connections and stop the query workers."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(BaseHTTPRequestHandler):
    """One connection; every response carries CORS headers and ends in one log line."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = f"kg/{__version__}"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    default_request_version = "HTTP/1.0"  # an unreadable request line still gets a status

    def setup(self) -> None:
        """Read the connection through a deadline (see _Deadline)."""
        super().setup()
        self.rfile.close()
        self._reader = _Deadline(self.connection)
        self._buffered = io.BufferedReader(self._reader, 1 << 16)
        self.rfile = self._buffered

    def handle_one_request(self) -> None:
        """Handle a request and log it: method, path, status, milliseconds.

        The connection may stay idle up to ``idle_s``; from its first byte, the request
        head must arrive within ``request_s``."""
        self._t0 = time.monotonic()
        self._status: int | None = None
        self._note = ""
        limits = self.server.limits
        if not self.server.phase(self.connection, waiting=True):
            self.close_connection = True
            return
        self._reader.deadline = time.monotonic() + limits.idle_s
        try:
            if not self._buffered.peek(1):
                self.close_connection = True
                return
        except OSError:  # TimeoutError included: idle too long
            self.close_connection = True
            return
        self._reader.deadline = time.monotonic() + limits.request_s
        super().handle_one_request()
        if self._status is not None:
            ms = (time.monotonic() - self._t0) * 1000
            method = getattr(self, "command", None) or "-"
            path = urlsplit(getattr(self, "path", "") or "-").path
            note = f" {self._note}" if self._note else ""
            self.server.log(f"{method} {path} {self._status} {ms:.1f}ms{note}")

    def parse_request(self) -> bool:
        """Start the clock once the request line has arrived; refuse other methods (405).
        The body, if any, must then arrive within ``request_s``."""
        self._t0 = time.monotonic()
        if not super().parse_request():
            return False
        self._reader.deadline = time.monotonic() + self.server.limits.request_s
        if not hasattr(self, f"do_{self.command}"):
            self.close_connection = True  # its body, if any, is not read
            self._send(
                error(405, f"method {self.command} is not allowed here; use {ALLOW}", Allow=ALLOW)
            )
            return False
        return True

    def send_response(self, code: int, message: str | None = None) -> None:
        """Send the status line, remembering it for the log."""
        self._status = code
        super().send_response(code, message)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (bad request line, headers too long, ...) as
        kg's own: one line of text with CORS headers, the connection then closed."""
        self.close_connection = True
        try:
            text = message or HTTPStatus(code).phrase
        except ValueError:
            text = "error"
        self._send(error(code, text))

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default log; handle_one_request writes one line per request."""

    def log_error(self, format: str, *args: Any) -> None:
        """Log a request that timed out (the standard library closes its connection)."""
        if format.startswith("Request timed out"):
            self.server.log(
                f"- - - request head not received within "
                f"{self.server.limits.request_s:g} s; connection closed"
            )

    # -- methods ------------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        """CORS preflight."""
        self._send(
            Response(
                204,
                headers={
                    "Allow": ALLOW,
                    "Access-Control-Allow-Methods": ALLOW,
                    "Access-Control-Allow-Headers": "Accept, Content-Type",
                    "Access-Control-Max-Age": "86400",
                },
            )
        )

    def do_GET(self) -> None:
        """A query in the URL, or the service description."""
        self._guarded(self._get)

    def do_HEAD(self) -> None:
        """What GET answers, without the body (RFC 9110, 9.3.2)."""
        self._guarded(self._get)

    def do_POST(self) -> None:
        """A query in a form-encoded or direct body."""
        self._guarded(self._post)

    def _guarded(self, handler: Callable[[], Response]) -> None:
        """Send what ``handler`` answers; a bug gives 500 and a traceback in the log."""
        try:
            self._send(handler())
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True  # TimeoutError: it did not read the reply in time
            self._note = "client went away"
        except Exception:
            self.server.log(traceback.format_exc().rstrip())
            if self._status is None:
                self._send(error(500, "internal error; see the server log"))
            self.close_connection = True

    def _working(self) -> None:
        """From here on the connection is being answered, and is not evicted."""
        if not self.server.phase(self.connection, waiting=False):
            raise ConnectionAbortedError("evicted")

    def _url_params(self) -> dict[str, list[str]] | Response:
        """The parameters in the URL; 400 if they are not UTF-8 (raw or percent-encoded)."""
        query = urlsplit(self.path).query
        try:  # the standard library read the request line as Latin-1: get its bytes back
            return _form(query.encode("latin-1").decode("utf-8"))
        except UnicodeError:
            return error(400, "the query string is not valid UTF-8 once percent-decoded")

    def _get(self) -> Response:
        self._working()
        url = urlsplit(self.path)
        if url.path != PATH:
            return self._web(b"")
        params = self._url_params()
        if isinstance(params, Response):
            return params
        if "query" not in params and "update" not in params:
            return self._describe(params)
        return self._query(params)

    def _web(self, body: bytes) -> Response:
        """What the web application (kg.web) answers; HEAD is answered as GET, and
        ``_send`` leaves the body out."""
        method = "GET" if self.command == "HEAD" else self.command
        return _WsgiCall(self.server.app, self.server.log).answer(self, method, body)

    def _charset(self) -> str | Response:
        """The charset of the body (UTF-8 unless named); 415 if it is not one we read."""
        try:
            charset = self.headers.get_content_charset("utf-8")
            if (
                isinstance(charset, str)
                and _CHARSET.fullmatch(charset)
                and codecs.lookup(charset)._is_text_encoding
            ):  # type: ignore[attr-defined]
                return charset
        except (LookupError, ValueError, TypeError):
            pass
        shown = repr(self.headers.get("Content-Type", ""))[:80]
        return error(415, f"cannot read the charset of Content-Type {shown}; send UTF-8")

    def _post(self) -> Response:
        body = self._read_body()
        if isinstance(body, Response):
            return body
        self._working()
        url = urlsplit(self.path)
        if url.path != PATH:
            return self._web(body)
        params = self._url_params()
        if isinstance(params, Response):
            return params
        ctype = self.headers.get_content_type()
        charset = self._charset()
        if isinstance(charset, Response):
            return charset
        try:
            text = body.decode(charset)
        except UnicodeDecodeError:
            return error(400, f"the request body is not valid {charset}")
        if ctype == "application/x-www-form-urlencoded":
            try:
                fields = _form(text, charset)
            except UnicodeError:
                return error(
                    400,
                    f"the form is not valid {charset} (UTF-8 unless the "
                    "Content-Type names a charset) once percent-decoded",
                )
            for key, values in fields.items():
                params.setdefault(key, []).extend(values)
        elif ctype == "application/sparql-query":
            if "query" in params:
                return error(400, "give the query either in the body or in the URL, not both")
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            return self._read_only()
        else:
            return error(
                415,
                f"cannot read a {ctype} body; send application/sparql-query "
                "or application/x-www-form-urlencoded",
            )
        if "query" not in params and "update" not in params:
            return error(400, "no query: send query=... or an application/sparql-query body")
        return self._query(params)

    # -- pieces -------------------------------------------------------------------

    def _read_body(self) -> bytes | Response:
        """The request body, or the error reply if it is missing or too large."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return error(411, "send the body with a Content-Length")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self.close_connection = True
            return error(411, "send the body with a Content-Length")
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,18}", lengths[0].strip()):
            self.close_connection = True  # where the next request starts is unclear
            return error(400, "the request needs exactly one Content-Length, in digits")
        length = int(lengths[0])
        if length > self.server.limits.max_body:
            self._drain(length)
            return self._too_large(length)
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            return error(
                408, f"the request body did not arrive within {self.server.limits.request_s:g} s"
            )
        if len(body) < length:
            self.close_connection = True
            return error(400, "the request body ended early")
        return body

    def _too_large(self, length: int) -> Response:
        limit = self.server.limits.max_body
        return error(413, f"the request body has {length} bytes; the limit is {limit}")

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it (Expect: 100-continue)."""
        length = self.headers.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > self.server.limits.max_body:
            self.close_connection = True
            self._send(self._too_large(int(length)))
            return False
        return super().handle_expect_100()

    def _drain(self, length: int) -> None:
        """Read and drop a refused body (up to a bound) so the client reads the reply."""
        self.close_connection = True
        left = min(length, DRAIN_MAX)
        self._reader.deadline = min(self._reader.deadline, time.monotonic() + 2.0)
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def _read_only(self) -> Response:
        return error(403, "this endpoint is read-only: updates are refused")

    def _formats(self, params: dict[str, list[str]]) -> tuple[str | None, str | None] | Response:
        """The format for a SELECT/ASK result and for a graph result; format= wins."""
        select = negotiate(self.headers.get("Accept"), SELECT_TYPES)
        graph = negotiate(self.headers.get("Accept"), GRAPH_TYPES)
        asked = [v.strip().lower() for k in ("format", "output") for v in params.get(k, [])]
        asked = [v for v in asked if v]
        if not asked:
            return select, graph
        for value in asked:
            if value in FORMAT_NAMES:
                s, g = FORMAT_NAMES[value]
                return s or select, g or graph
        names = sorted(n for n in FORMAT_NAMES if "/" not in n)
        return error(
            400, f"unknown format {asked[0]!r}; use one of {', '.join(names)} or a media type"
        )

    def _query(self, params: dict[str, list[str]]) -> Response:
        if "update" in params:
            return self._read_only()
        queries = params["query"]
        if len(queries) != 1:
            return error(400, "give exactly one query")
        if any(v for k in ("default-graph-uri", "named-graph-uri") for v in params.get(k, [])):
            return error(
                400,
                "default-graph-uri and named-graph-uri are not supported: "
                "the default graph is the union of all graphs",
            )
        text = queries[0]
        if query_form(text) == "UPDATE":
            return self._read_only()
        # SERVICE is refused where every query runs, Store.query in the worker (403)
        formats = self._formats(params)
        if isinstance(formats, Response):
            return formats
        return self._run(text, *formats)

    def _run(self, text: str, select: str | None, graph: str | None) -> Response:
        """Run the query; a result over the byte limit is run again cut to fewer rows."""
        limits = self.server.limits
        rows = limits.max_rows
        for _ in range(4):
            job = {"query": text, "select": select, "graph": graph, "max_rows": rows}
            try:
                meta, body = self.server.pool.run(
                    job, self._t0 + limits.timeout_s, limits.max_bytes
                )
            except Busy:
                return error(
                    503,
                    f"busy: no query worker came free within the time limit "
                    f"({limits.timeout_s:g} s); try again",
                    "busy",
                    **{"Retry-After": "1"},
                )
            except Unavailable as exc:
                return error(503, str(exc), "unavailable", **{"Retry-After": "1"})
            except Overrun:
                return self._overrun()
            except WorkerLost as exc:
                return error(
                    503,
                    f"the query stopped its worker (exit {exc.code}); it may "
                    f"need more than the memory limit ({limits.memory_mb} MB)",
                    note="lost",
                )
            size = meta.get("oversize")
            if not size:
                return self._reply(meta, body, cut_bytes=rows < limits.max_rows)
            if rows == 0 or int(meta.get("rows", 0)) == 0:
                break
            # rows in proportion, with a margin: rows are not all the same size
            rows = min(
                int(meta["rows"]) - 1, int(int(meta["rows"]) * limits.max_bytes / size * 0.9)
            )
            rows = max(rows, 0)
        return error(
            500,
            f"the result does not fit the byte limit ({limits.max_bytes} bytes) "
            "even cut to fewer rows",
            note="too large",
        )

    def _overrun(self) -> Response:
        limit = self.server.limits.timeout_s
        return error(
            503,
            f"timeout: the query ran past the time limit ({limit:g} s) and was stopped",
            note="timeout",
        )

    def _reply(self, meta: dict[str, Any], body: bytes, cut_bytes: bool = False) -> Response:
        status = int(meta["status"])
        if status == 200:
            headers = {"Vary": "Accept"}
            note = f"rows={meta['rows']}"
            if cut_bytes:
                headers["X-SPARQL-MaxBytes"] = str(self.server.limits.max_bytes)
                note += " truncated to the byte limit"
            elif meta.get("truncated"):
                headers["X-SPARQL-MaxRows"] = str(self.server.limits.max_rows)
                note += " truncated"
            return Response(200, body, content_type(meta["format"]), headers, note)
        if meta.get("overrun"):
            return self._overrun()
        if status == 406:
            types = SELECT_TYPES if meta.get("kind") == "select" else GRAPH_TYPES
            offered = ", ".join(t for ts in types.values() for t in ts)
            return error(406, f"none of the accepted types fits this result; offered: {offered}")
        return error(status, str(meta.get("message", "the query failed")))

    def _describe(self, params: dict[str, list[str]]) -> Response:
        fmt = negotiate(self.headers.get("Accept"), GRAPH_TYPES) or "turtle"
        for value in params.get("format", []):
            fmt = FORMAT_NAMES.get(value.strip().lower(), (None, None))[1] or fmt
        host = self.headers.get("Host", "")
        if not _HOST.fullmatch(host):
            host = self.server.url.split("/")[2]
        try:
            triples = description(f"http://{host}{PATH}", self.server.limits)
        except ValueError:
            triples = description(self.server.url, self.server.limits)
        from kg.graph.vocab import DCTERMS, RDFS, XSD

        prefixes = {
            "sd": SD,
            "formats": FORMATS_NS,
            "sh": SH,
            "dcterms": DCTERMS,
            "rdfs": RDFS,
            "xsd": XSD,
        }
        body = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
        return Response(200, body, content_type(fmt), {"Vary": "Accept"}, "description")

    def _send(self, resp: Response) -> None:
        """Send a reply (its headers only, for HEAD); a slow reader gets ``idle_s``."""
        self._working()
        self.connection.settimeout(self.server.limits.idle_s)
        self._note = resp.note
        self.send_response(resp.status)
        self.send_header("Access-Control-Allow-Origin", "*")
        if resp.status != 204:
            self.send_header("Access-Control-Expose-Headers", EXPOSED)
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(len(resp.body)))
        for key, value in resp.headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.body and self.command != "HEAD":
            self.wfile.write(resp.body)


# -- entry points ---------------------------------------------------------------------


def serve(
    store_dir: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    timeout_s: float = 10.0,
    max_rows: int = 10_000,
    max_body: int = 1 << 20,
    workers: int = 2,
    memory_mb: int = 1024,
    max_connections: int = 128,
    max_bytes: int = 32 << 20,
    request_s: float = 10.0,
    idle_s: float = 30.0,
    log: TextIO | None = sys.stderr,
    base_iri: str | None = None,
) -> SparqlServer:
    """A bound, not yet serving endpoint over the build in ``store_dir``, with the web
    application (:mod:`kg.web`) on every other path of the port.

    ``base_iri``: the IRIs whose nodes have pages (the build's, from its ``sources.json``,
    if not given).

    Call ``.start()`` to serve in a thread, or ``.serve_forever()``; ``.close()`` stops
    it (or use it as a context manager).  ``port=0`` picks a free port; see ``.url``.
    """
    from kg.store import Store

    limits = Limits(
        timeout_s=timeout_s,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers,
        memory_mb=memory_mb,
        max_connections=max_connections,
        max_bytes=max_bytes,
        request_s=request_s,
        idle_s=idle_s,
    )
    limits.check()
    Store.open(store_dir)  # a clear error now rather than from every worker
    pool = QueryPool(
        store_dir,
        workers,
        memory_mb,
        log=lambda line: print(line, file=log or sys.stderr, flush=True),
    )
    from kg.web.app import create_app

    try:
        app = create_app(
            Path(store_dir), pool=pool, base_iri=base_iri, timeout_s=timeout_s, max_rows=max_rows
        )
        return SparqlServer((host, port), limits, pool, log, app)
    except OSError as exc:
        pool.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except BaseException:
        pool.close()
        raise


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def run(store_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM), printing the URL on stderr."""
    import signal

    server = serve(store_dir, host, port, **options)
    limits = server.limits
    print(
        f"kg: web pages for {store_dir} at {server.url.removesuffix(PATH)}/\n"
        f"kg: SPARQL endpoint at {server.url}\n"
        f"kg: read-only; {limits.timeout_s:g} s and {limits.max_rows} rows per query, "
        f"{limits.workers} workers; Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    if not _loopback(host):
        print(
            f"kg: warning: listening on {host}, reachable from other machines; "
            "there is no authentication",
            file=sys.stderr,
            flush=True,
        )

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        # SIGINT too: a process started with it ignored (a background job, a parent that
        # ignores it) would otherwise never see Ctrl-C
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        print("kg: stopped", file=sys.stderr, flush=True)


__all__ = ["Limits", "SparqlServer", "negotiate", "run", "serve"]
