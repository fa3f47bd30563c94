"""``GET /search?q=``: one box that finds papers, people, concepts, venues and institutions.

HTML for browsers, JSON (``Accept: application/json`` or ``format=json``) for scripts:
``{"query": ..., "hits": [{"iri", "path", "kind", "label", "detail"}]}``.  The query is
handed to :func:`kg.searchindex.search`, which never lets it reach FTS5 as syntax; here
it is only echoed, escaped by the templates (or JSON-encoded).
"""

from __future__ import annotations

from typing import Any

import flask

from kg import searchindex
from kg.errors import StoreError, UsageError
from kg.web import access

bp = flask.Blueprint("search", __name__)

#: Hits a page shows unless ``limit`` says otherwise.
DEFAULT_LIMIT = 20


def _limit(raw: str | None) -> int:
    """``limit`` kept within 1..MAX_LIMIT; a value that is not a number is the default."""
    try:
        value = int(raw or DEFAULT_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT
    return max(1, min(value, searchindex.MAX_LIMIT))


def _wants_json() -> bool:
    request = flask.request
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/search")
def search() -> Any:
    """Ranked hits for ``q`` (``kind`` may repeat to keep some kinds, ``limit`` bounded)."""
    args = flask.request.args
    query = args.get("q", "")[: searchindex.MAX_QUERY * 4]
    kinds = [k for k in args.getlist("kind") if k]
    graph = access.graph()
    status, error, hits = 200, None, []
    try:
        hits = searchindex.search(graph.store_dir, query, _limit(args.get("limit")), kinds)
    except UsageError as exc:
        status, error = 400, str(exc)
    except StoreError as exc:
        status, error = 503, str(exc)
    rows = [
        {
            "iri": h.iri,
            "path": graph.local_path(h.iri),
            "kind": h.kind,
            "label": h.label,
            "detail": h.detail,
        }
        for h in hits
    ]
    if _wants_json():
        body: dict[str, Any] = {"query": query, "hits": rows}
        if error:
            body["error"] = error
        response = flask.jsonify(body)
        response.status_code = status
        return response
    html = flask.render_template(
        "search.html", query=query, hits=hits, error=error, kinds=searchindex.KINDS
    )
    return html, status, {"Vary": "Accept"}
