"""The graphs a web page embeds, as JSON: a concept's neighbourhood and a person's co-authors.

They are the static HTML export's graphs (:mod:`kg.export.networks`, read around the focus,
never the whole graph) drawn the same way (:func:`kg.export.html.vis_data`: positions, label
sizes, link widths), bounded to :data:`CAP` nodes, with ``capped`` saying when more were
there. ``kg/web/graphs.py`` serves them; ``kg/web/static/kg-graph.js`` draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg.errors import UsageError
from kg.export import networks
from kg.export.html import vis_data
from kg.export.noise import values

CAP = 60
"""Most nodes in an embedded graph (the focus and its strongest ties)."""
LINK_CAP = 400
"""Most links in an embedded graph: the focus's, then the strongest of the others."""
VIEW = (760, 460)
"""The canvas an embedded graph is drawn in (kg-graph.css: about 460 px high, and a page's
width); labels are sized for it."""
NODE_TITLES, EDGE_TITLES = 5, 3
"""Paper titles in a node's and in a link's tooltip."""
MAX_PAPERS = 500
"""Most papers read per ring of an embedded graph (links are counted in those)."""
RADII = (1, 2)
"""How far from the focus an embedded graph may reach."""

Href = Callable[[str], "str | None"]


class NotFound(UsageError):
    """The IRI names no node of the kind the graph needs."""


def neighborhood_view(
    store: Any,
    iri: str,
    *,
    radius: int = 1,
    min_weight: int = 1,
    include_noise: bool = False,
    cap: int = CAP,
    href: Href | None = None,
) -> dict[str, Any]:
    """The co-occurrence neighbourhood of the concept ``iri`` (noise left out), as JSON."""
    _check(store, iri, "kg:Concept", "concept", radius, min_weight)
    g = networks.concept_neighborhood(
        store,
        iri,
        hops=radius,
        limit=cap,
        min_weight=min_weight,
        include_noise=include_noise,
        max_papers=MAX_PAPERS,
    )
    return _view(networks.annotate(g), cap, min_weight, href)


def coauthors_view(
    store: Any,
    iri: str,
    *,
    radius: int = 1,
    min_weight: int = 1,
    cap: int = CAP,
    href: Href | None = None,
) -> dict[str, Any]:
    """The co-author network around the person ``iri``, as JSON."""
    _check(store, iri, "kg:Person", "person", radius, min_weight)
    g = networks.coauthor_neighborhood(
        store, iri, hops=radius, limit=cap, min_weight=min_weight, max_papers=MAX_PAPERS
    )
    return _view(g, cap, min_weight, href)


def _check(store: Any, iri: str, cls: str, kind: str, radius: int, min_weight: int) -> None:
    if radius not in RADII:
        raise UsageError(f"radius must be one of {', '.join(map(str, RADII))}, not {radius}")
    if min_weight < 1:
        raise UsageError(f"min_weight must be at least 1, not {min_weight}")
    if not list(store.query(f"SELECT ?c WHERE {{ {values('c', [iri])} ?c a {cls} }} LIMIT 1")):
        raise NotFound(f"no {kind} has the IRI {iri}")


def _view(g: Any, cap: int, min_weight: int, href: Href | None) -> dict[str, Any]:
    links = networks.strongest_links(g, LINK_CAP)
    data = vis_data(g, max_nodes=cap, view=VIEW)
    data["links_capped"] = links
    data.pop("legend")
    total = g.graph.get("cut", g.number_of_nodes())
    data["capped"] = total > len(data["nodes"])
    data["total"] = total
    data["cap"] = cap
    data["min_weight"] = min_weight
    data["sampled"] = g.graph.get("sampled")
    for node in data["nodes"]:
        node["kg"]["href"] = href(node["id"]) if href is not None else None
        _trim(node["kg"], NODE_TITLES)
    for edge in data["edges"]:
        _trim(edge["kg"], EDGE_TITLES)
    return data


def _trim(tip: dict[str, Any], keep: int) -> None:
    """Fewer paper titles in a tooltip (the JSON of a dense graph stays small)."""
    titles = tip["titles"]
    tip["more"] += max(len(titles) - keep, 0)
    tip["titles"] = titles[:keep]
