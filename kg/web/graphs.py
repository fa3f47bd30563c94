"""The graphs pages embed, as JSON, and the vis-network files that draw them.

``/graph/neighborhood?iri=<concept>&radius=1&min_weight=1``: the concept's co-occurrence
neighbourhood; ``/graph/coauthors?iri=<person>&radius=1|2``: the person's co-author
network.  Both are :mod:`kg.export.views` (the static export's own readers and drawing,
read around the focus through the query pool, never the whole graph), bounded to
:data:`kg.export.views.CAP` nodes with ``capped`` saying so.  ``kg-graph.js`` (in
``static/``) fetches and draws them; it loads ``/graph/vis-network.min.js`` and
``/graph/vis-network.css``, the copies pyvis ships, served from here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from kg.errors import UsageError
from kg.export import views
from kg.export.html import vis_assets
from kg.web.access import graph

bp = Blueprint("graphs", __name__)

ASSET_MAX_AGE_S = 7 * 24 * 3600


class _Term:
    """A query value as the network readers use it (``.value``)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value


class _Rows:
    """The site's :class:`kg.web.access.Graph` seen as the store the network readers query:
    ``query(select)`` gives rows whose values have ``.value`` (None where unbound)."""

    def __init__(self, g: Any) -> None:
        self._graph = g

    def query(self, sparql: str) -> list[dict[str, _Term | None]]:
        return [
            {k: (_Term(v) if v is not None else None) for k, v in row.items()}
            for row in self._graph.select(sparql)
        ]


def _int(name: str, default: int, allowed: range) -> int:
    raw = request.args.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name} must be a whole number, not {raw[:40]!r}")
    if value not in allowed:
        abort(400, f"{name} must be from {allowed.start} to {allowed.stop - 1}, not {value}")
    return value


def _iri() -> str:
    iri = request.args.get("iri", "")
    if not iri:
        abort(400, "give the node as ?iri=...")
    return iri


def _answer(build: Any, **options: Any) -> Response:
    g = graph()
    try:
        data = build(_Rows(g), _iri(), href=g.local_path, **options)
    except views.NotFound as exc:
        abort(404, str(exc))
    except UsageError as exc:
        abort(400, str(exc))
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/graph/neighborhood")
def neighborhood() -> Response:
    """A concept's co-occurrence neighbourhood (noise left out), as JSON."""
    return _answer(
        views.neighborhood_view,
        radius=_int("radius", 1, range(1, 3)),
        min_weight=_int("min_weight", 1, range(1, 1_000_000)),
    )


@bp.get("/graph/coauthors")
def coauthors() -> Response:
    """A person's co-author network, as JSON."""
    return _answer(
        views.coauthors_view,
        radius=_int("radius", 1, range(1, 3)),
        min_weight=_int("min_weight", 1, range(1, 1_000_000)),
    )


@bp.get("/graph/vis-network.min.js")
def vis_script() -> Response:
    """vis-network's script, as pyvis ships it (Apache-2.0 or MIT, see its header)."""
    return _asset(vis_assets()[0], "text/javascript; charset=utf-8")


@bp.get("/graph/vis-network.css")
def vis_style() -> Response:
    """vis-network's style sheet, as pyvis ships it."""
    return _asset(vis_assets()[1], "text/css; charset=utf-8")


def _asset(text: str, kind: str) -> Response:
    response = Response(text, content_type=kind)
    response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE_S}"
    return response
