"""The web application ``kg serve`` runs beside its SPARQL endpoint (a Flask WSGI app).

``create_app(dir)`` builds it for one build directory; kg.server hands it every request
that is not for ``/sparql``.  The pages are its blueprints (:data:`BLUEPRINTS`); they read
the graph through :class:`kg.web.access.Graph`, and render Jinja templates with
autoescaping, under a Content-Security-Policy that allows only the site's own files.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from kg import __version__
from kg.querypool import QueryPool
from kg.web.access import Graph, QueryFailed

#: The modules whose ``bp`` (a flask.Blueprint) the application registers, in order.
BLUEPRINTS: tuple[str, ...] = (
    "kg.web.pages",
    "kg.web.search",
    "kg.web.editor",
    "kg.web.graphs",
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
STATIC_MAX_AGE_S = 7 * 24 * 3600
EXTERNAL_SCHEMES = ("http://", "https://")


def create_app(
    store_dir: Path,
    *,
    pool: QueryPool | None = None,
    base_iri: str | None = None,
    timeout_s: float = 10.0,
    max_rows: int = 10_000,
) -> Flask:
    """The web application over the build in ``store_dir``.

    ``pool``: run the pages' queries in these workers (the server's); without one they run
    in this process.  ``base_iri``: the build's (read from its ``sources.json`` if not given).
    """
    app = Flask("kg.web", static_folder="static", template_folder="templates")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE_S
    app.config["JSON_SORT_KEYS"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    kg_graph = Graph(
        store_dir, pool=pool, base_iri=base_iri, timeout_s=timeout_s, max_rows=max_rows
    )
    app.extensions["kg"] = kg_graph
    app.jinja_env.autoescape = True
    app.jinja_env.filters["link"] = lambda iri, label=None: link(kg_graph, iri, label)
    app.jinja_env.globals["kg_version"] = __version__
    app.jinja_env.globals["local_path"] = kg_graph.local_path
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)

    @app.after_request
    def secure(response: Response) -> Response:
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.errorhandler(QueryFailed)
    def query_failed(exc: QueryFailed) -> Any:
        app.logger.warning("page query failed: %s", exc)
        headers = {"Retry-After": "1"} if exc.status == 503 else {}
        return error_page(exc.status, str(exc), headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        return error_page(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> Any:
        app.logger.exception("error in %s %s", request.method, request.path)
        return error_page(500, "internal error; see the server log")

    return app


def wants_html() -> bool:
    """Whether the client prefers HTML to plain text (a browser does)."""
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"])
    return best != "text/plain"


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
    """An error as a page for a browser, as one line of text for anything else."""
    if wants_html():
        body = render_template("error.html", status=status, message=message)
        return body, status, {**(headers or {}), "Content-Type": "text/html; charset=utf-8"}
    return f"{message}\n", status, {**(headers or {}), "Content-Type": "text/plain; charset=utf-8"}


def link(kg_graph: Graph, iri: str | None, label: str | None = None) -> Markup:
    """An ``<a>`` to a node: its page for an IRI under the base, the IRI itself (opening
    without a referrer or opener) for an http(s) IRI elsewhere, plain text otherwise.
    Without a label it shows the node's path (``paper/x``), else the IRI."""
    if not iri:
        return Markup("")
    local = kg_graph.local_path(iri)
    text = escape(label if label not in (None, "") else (local or "/").lstrip("/") or iri)
    if local is not None:
        return Markup('<a href="{}">{}</a>').format(local, text)
    if iri.startswith(EXTERNAL_SCHEMES):
        return Markup('<a href="{}" rel="noopener noreferrer" class="external">{}</a>').format(
            iri, text
        )
    return Markup("<span>{}</span>").format(text)


__all__ = ["BLUEPRINTS", "CSP", "create_app", "error_page", "link", "wants_html"]
