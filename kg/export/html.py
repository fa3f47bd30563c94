"""Interactive HTML for a network: one self-contained, offline, escaped page made with pyvis.

The page holds vis-network's script and style sheet (the copies pyvis ships), the graph
as one JSON block and a small script of its own; it loads nothing from anywhere, and a
Content-Security-Policy (``default-src 'none'``, scripts allowed only by their hashes)
makes the browser refuse any request or injected script should one slip in. Text from
the graph reaches the page only as escaped HTML (header, legend), as JSON with ``<``,
``>`` and ``&`` escaped (labels, tooltips), and as DOM text (tooltips are built with
``textContent``); vis-network draws labels on a canvas.

Layouts are precomputed (:mod:`kg.export.layout`), so the same graph gives the same bytes,
and drawn as they are (no physics). A graph's focus (``graph.graph["focus"]``: the concept
of a neighbourhood, the person of an ego network) is marked and the first view is centred
on it; links are as wide as their weight; labels are sized so that none overlaps another at
any zoom (:mod:`kg.export.labels`). Above ``max_nodes`` the page shows the nodes with the
most papers and says so.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from kg.export import labels
from kg.export.html_page import SCRIPT, STYLE
from kg.export.layout import layout, spread

PHYSICS_MAX = 300
"""Largest graph whose nodes show their tooltip on hover (and whose edges stay drawn while
dragging and zooming)."""
VIEW = (1000, 640)
"""The canvas the first view is assumed to fill, in pixels (labels are sized for it)."""
LABEL_PX = 13.0
"""The screen size a label wishes to have in the first view."""
FOCUS_PX = 17.0
"""The screen size of the focus's label in the first view."""
LABEL_MIN_PX = 10
"""Labels smaller than this on screen are not drawn (vis-network's ``drawThreshold``)."""
LABEL_MAX_PX = 20
"""Labels never grow beyond this on screen (vis-network's ``maxVisible``)."""
SIZE_MIN, SIZE_MAX = 5.0, 18.0
"""Shape sizes of the nodes with the fewest and the most papers, in canvas units (the
layout puts neighbours about 42 apart)."""
MAX_SCALE = 2.5
"""The closest first view (for small graphs); kg-graph.js and the page's script agree."""
FOCUS_SIZE = 16.0
"""The smallest shape size of the focus."""
FOCUS_COLOUR = "#ffbf00"
"""The focus's fill (with a thick dark border): no type or community uses it."""
TIP_TITLES = 10
"""Paper titles listed in a tooltip before "and N more"."""
LABEL_MAX = 48
"""Longest label drawn on the canvas (the full text is in the tooltip and the search)."""
VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

TYPES: dict[str, tuple[str, str, str, str]] = {
    # type: (plural, colour, vis shape, legend symbol)
    "person": ("people", "#4e79a7", "dot", "●"),
    "paper": ("papers", "#9d9d9d", "square", "■"),
    "concept": ("concepts", "#f28e2b", "diamond", "◆"),
    "method": ("methods", "#e15759", "triangle", "▲"),
    "dataset": ("datasets", "#59a14f", "star", "★"),
    "task": ("tasks", "#b07aa1", "triangleDown", "▼"),
}
OTHER = ("nodes", "#7f8c99", "dot", "●")
COMMUNITY_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)
SMALL_COMMUNITY = "#a9b8c8"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
"""Control characters other than tab and line feed."""
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def to_html(graph: nx.Graph, title: str, *, max_nodes: int = 1500, seed: int = 0) -> bytes:
    """One self-contained HTML page (UTF-8) showing ``graph``; same input, same bytes.

    A graph with a ``focus`` (``graph.graph["focus"]``, a node) shows it marked (its own
    colour, larger, its label always drawn) at the centre of the view.
    """
    data = vis_data(graph, max_nodes=max_nodes, seed=seed)
    legend = data.pop("legend")
    return _page(
        title=_clean(title),
        counts=data.pop("counts"),
        cut=data.pop("cut"),
        legend=legend,
        payload=data,
    ).encode("utf-8")


def vis_data(
    graph: nx.Graph,
    *,
    max_nodes: int = 1500,
    seed: int = 0,
    view: tuple[int, int] = VIEW,
) -> dict[str, Any]:
    """What a page draws: vis nodes (positions, label sizes, tooltips), edges (widths by
    weight), options, the focus, and the header's counts, cut statement and legend (HTML,
    escaped).  Plain JSON values; :func:`to_html` and the web's graph routes both use it.
    ``view``: the canvas (pixels) the first view fills, which labels are sized for.
    """
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    focus = graph.graph.get("focus")
    focus = focus if focus in graph else None
    shown = _top_nodes(graph, max_nodes, focus)
    sub = graph.subgraph(shown)
    pos = layout(sub, seed, focus)
    by = "institution" if graph.graph.get("color_by") == "institution" else "community"
    colours, legend_groups = (
        _institution_colours(sub) if by == "institution" else _community_colours(sub)
    )
    net = _network(sub, pos, colours, focus, view)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "focus": _id(focus) if focus is not None else None,
        "labels": {"min": LABEL_MIN_PX, "max": LABEL_MAX_PX},
        "counts": _counts(graph),
        "cut": _cut_statement(graph, len(shown)),
        "legend": _legend(sub, legend_groups, by, focus),
    }


# -- which nodes ---------------------------------------------------------------------------


def _rank_key(graph: nx.Graph, node: Hashable) -> tuple[int, int, str, str]:
    """Sort key: most papers first, then highest degree, then label and id."""
    data = graph.nodes[node]
    degree = data["degree"] if "degree" in data else graph.degree(node)
    return (-_int(data.get("papers")), -_int(degree), str(data.get("label", "")), str(node))


def _top_nodes(graph: nx.Graph, max_nodes: int, focus: Hashable | None = None) -> list[Hashable]:
    """All nodes if they fit, else the focus and the others with the most papers."""
    nodes = list(graph.nodes)
    if len(nodes) <= max_nodes:
        return sorted(nodes, key=str)
    ranked = sorted(nodes, key=lambda n: (n != focus, _rank_key(graph, n)))[:max_nodes]
    return sorted(ranked, key=str)


def _plural(kind: object) -> str:
    return TYPES.get(str(kind), OTHER)[0]


def _singular(kind: object) -> str:
    plural = _plural(kind)
    return {"people": "person", "nodes": "node"}.get(plural, plural[:-1])


def _noun(graph: nx.Graph) -> str:
    """What the graph's nodes are called: "people" if all are people, else "nodes"."""
    kinds = {d.get("type") for _, d in graph.nodes(data=True)}
    return _plural(kinds.pop()) if len(kinds) == 1 else "nodes"


def _cut_statement(graph: nx.Graph, shown: int) -> str:
    """The sentence saying which part of the graph is shown, or "" if all of it is."""
    total = graph.number_of_nodes()
    parts = []
    around = graph.graph.get("cut")
    if isinstance(around, int) and around > total:
        parts.append(
            f"The {total:,} {_noun(graph)} with the strongest ties of {around:,} around "
            f"{_name(graph, graph.graph['focus'])}."
        )
    if shown < total:
        parts.append(
            f"Showing {shown:,} of {total:,} {_noun(graph)}, those with the most papers; "
            "the others and their links are left out."
        )
    noise = graph.graph.get("noise")
    if isinstance(noise, int) and noise > 0:
        parts.append(
            f"{noise:,} noise {'term' if noise == 1 else 'terms'} (generic words, fragments) "
            "left out."
        )
    return " ".join(parts)


def _counts(graph: nx.Graph) -> str:
    """Counts for the header: nodes by type, links, communities."""
    by_type = Counter(d.get("type") for _, d in graph.nodes(data=True))
    parts = [
        f"{n:,} {_plural(t) if n != 1 else _singular(t)}"
        for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]
    links = graph.number_of_edges()
    parts.append(f"{links:,} link{'s' if links != 1 else ''}")
    communities = {
        d["community"] for _, d in graph.nodes(data=True) if d.get("community") is not None
    }
    if len(communities) > 1:
        parts.append(f"{len(communities):,} communities")
    return " · ".join(parts)


# -- colours and legend --------------------------------------------------------------------


def _community_colours(graph: nx.Graph) -> tuple[dict[Hashable, str], list[tuple[str, str, int]]]:
    """Colours for people by community (the largest ten get their own) and their legend rows."""
    members: dict[int, list[Hashable]] = {}
    for n, d in graph.nodes(data=True):
        if d.get("type") == "person" and d.get("community") is not None:
            members.setdefault(_int(d["community"]), []).append(n)
    if len(members) < 2:
        return {}, []
    ranked = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    colours: dict[Hashable, str] = {}
    legend: list[tuple[str, str, int]] = []
    for i, (_community, people) in enumerate(ranked):
        colour = COMMUNITY_COLOURS[i] if i < len(COMMUNITY_COLOURS) else SMALL_COMMUNITY
        colours.update(dict.fromkeys(people, colour))
        if i < len(COMMUNITY_COLOURS) and len(people) > 1:
            top = min(people, key=lambda n: _rank_key(graph, n))
            legend.append((colour, _name(graph, top), len(people)))
    return colours, legend


NO_INSTITUTION = "#d0d5db"
"""The colour of people whose sources name no institution."""


def _institution_colours(graph: nx.Graph) -> tuple[dict[Hashable, str], list[tuple[str, str, int]]]:
    """Colours for people by institution (the ten with the most people get their own) and
    their legend rows; people without one are light grey."""
    members: dict[str, list[Hashable]] = {}
    for n, d in graph.nodes(data=True):
        if d.get("type") == "person":
            members.setdefault(_clean(d.get("institution") or ""), []).append(n)
    if not members or set(members) == {""}:
        return {}, []
    colours: dict[Hashable, str] = dict.fromkeys(members.pop("", []), NO_INSTITUTION)
    legend: list[tuple[str, str, int]] = []
    ranked = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for i, (institution, people) in enumerate(ranked):
        colour = COMMUNITY_COLOURS[i] if i < len(COMMUNITY_COLOURS) else SMALL_COMMUNITY
        colours.update(dict.fromkeys(people, colour))
        if i < len(COMMUNITY_COLOURS):
            legend.append((colour, institution, len(people)))
    unknown = sum(1 for c in colours.values() if c == NO_INSTITUTION)
    if unknown:
        legend.append((NO_INSTITUTION, "", unknown))
    return colours, legend


def _legend(
    graph: nx.Graph,
    groups: list[tuple[str, str, int]],
    by: str = "community",
    focus: Hashable | None = None,
) -> str:
    """The legend's HTML: node types present, then the largest communities or institutions
    (escaped)."""
    kinds = sorted(
        {str(d.get("type")) for _, d in graph.nodes(data=True)},
        key=lambda t: (list(TYPES).index(t) if t in TYPES else len(TYPES), t),
    )
    rows = []
    if focus is not None:
        rows.append(_legend_row(FOCUS_COLOUR, "◉", f"{_name(graph, focus)} (the focus)"))
    for kind in kinds:
        plural, colour, _shape, symbol = TYPES.get(kind, OTHER)
        if kind == "person" and groups:
            colour = "#6b7785"
            plural += f" (coloured by {by})"
        rows.append(_legend_row(colour, symbol, plural))
    out = ["<h2>Legend</h2><ul>", *rows, "</ul>"]
    if groups and by == "institution":
        out.append("<h2>Institutions</h2><ul>")
        out += [
            _legend_row(c, "●", f"{name or 'no institution given'} ({n:,})")
            for c, name, n in groups
        ]
        out.append("</ul>")
    elif groups:
        out.append("<h2>Largest communities</h2><ul>")
        out += [_legend_row(c, "●", f"around {name} ({n:,})") for c, name, n in groups]
        out.append("</ul>")
    lines = "joint papers" if _noun(graph) == "people" else "papers together"
    out.append(
        f'<p class="kg-note">Size: number of papers. Line width: {lines} (the number is in '
        "the line's tooltip). Labels show where they fit: zoom in for more.</p>"
    )
    return "".join(out)


def _legend_row(colour: str, symbol: str, text: str) -> str:
    return (
        f'<li><span class="kg-swatch" style="color:{html.escape(colour)}">{symbol}</span>'
        f"<span>{html.escape(text)}</span></li>"
    )


# -- the pyvis network ---------------------------------------------------------------------


def _network(
    graph: nx.Graph,
    pos: dict[Hashable, tuple[float, float]],
    colours: dict[Hashable, str],
    focus: Hashable | None = None,
    view: tuple[int, int] = VIEW,
) -> Network:
    """A pyvis Network filled in linear time (appending to its lists, not ``from_nx``)."""
    net = Network(directed=graph.is_directed(), cdn_resources="in_line")
    radius = _sizes(graph, focus)
    pos = spread(pos, radius, focus)
    fonts = _font_sizes(graph, pos, radius, focus, view)
    for n in sorted(graph.nodes, key=str):
        node = _node(graph, n, pos[n], colours.get(n), fonts[n], radius[n], n == focus)
        net.nodes.append(node)
        net.node_ids.append(n)
        net.node_map[n] = node
    net.edges.extend(_edges(graph, focus))
    net.options = _options(graph.number_of_nodes(), graph.is_directed())
    return net


def _node(
    graph: nx.Graph,
    n: Hashable,
    xy: tuple[float, float],
    colour: str | None,
    font: float,
    size: float,
    focus: bool,
) -> dict[str, Any]:
    """One vis node: id, canvas label, shape, colour, size, position, tooltip data."""
    d = graph.nodes[n]
    kind = str(d.get("type"))
    _plural, type_colour, shape, _symbol = TYPES.get(kind, OTHER)
    name = _name(graph, n)
    papers = _int(d.get("papers"))
    sub = [kind if kind in TYPES else "node", f"{papers:,} paper{'s' if papers != 1 else ''}"]
    if focus:
        sub.insert(0, "the focus")
    if d.get("institution"):
        sub.append(_clean(d["institution"]))
    if d.get("community") is not None:
        sub.append(f"community {_int(d['community'])}")
    sub.append(f"{_int(d.get('degree', graph.degree(n))):,} links")
    fill = FOCUS_COLOUR if focus else colour or type_colour
    border = "#1d2733" if focus else "#ffffff"
    extra: dict[str, Any] = {"borderWidth": 4, "fixed": True} if focus else {}
    return Node(
        _id(n),
        shape,
        label=_short(name),
        font_color=False,
        color={
            "background": fill,
            "border": border,
            "highlight": {"background": fill, "border": "#1d2733"},
            "hover": {"background": fill, "border": "#1d2733"},
        },
        size=size,
        font={"size": font, "strokeWidth": 5} if focus else {"size": font},
        x=xy[0],
        y=xy[1],
        kg={
            "name": name,
            "papers": papers,
            "head": name,
            "sub": " · ".join(sub),
            "iri": _clean(d.get("iri") or n),
            **_titles(d.get("paper_titles")),
        },
        **extra,
    ).options


def _sizes(graph: nx.Graph, focus: Hashable | None) -> dict[Hashable, float]:
    """Shape sizes (canvas units) by the square root of the paper count, as vis-network
    would scale them; the focus at least :data:`FOCUS_SIZE`."""
    roots = {n: math.sqrt(max(_int(graph.nodes[n].get("papers")), 1)) for n in graph.nodes}
    low, high = min(roots.values(), default=1.0), max(roots.values(), default=1.0)
    span = high - low
    out = {
        n: round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * ((r - low) / span if span else 0.5), 2)
        for n, r in roots.items()
    }
    if focus is not None:
        out[focus] = max(out[focus], FOCUS_SIZE)
    return out


def _font_sizes(
    graph: nx.Graph,
    pos: dict[Hashable, tuple[float, float]],
    radius: dict[Hashable, float],
    focus: Hashable | None,
    view: tuple[int, int] = VIEW,
) -> dict[Hashable, float]:
    """Label sizes (canvas units) such that no two labels overlap at any zoom
    (:mod:`kg.export.labels`): the focus and the top-ranked nodes readable in the first
    view, the others appearing as one zooms in.

    The first view is assumed to fit the drawing, centred on the focus, in a canvas of
    ``view`` pixels; a label wishes to be :data:`LABEL_PX` pixels there (the focus
    :data:`FOCUS_PX`, and the page's script never lets it fall below the threshold).
    """
    if not pos:
        return {}
    cx, cy = pos[focus] if focus is not None else (0.0, 0.0)
    reach_x = max(abs(x - cx) + radius[n] for n, (x, _y) in pos.items())
    reach_y = max(abs(y - cy) + radius[n] + 20 for n, (_x, y) in pos.items())
    scale = min(MAX_SCALE, view[0] / (2 * reach_x), view[1] / (2 * reach_y))
    ranked = sorted(graph.nodes, key=lambda n: (n != focus, _rank_key(graph, n)))
    wish = {n: (FOCUS_PX if n == focus else LABEL_PX) / scale for n in ranked}
    text = {n: _short(_name(graph, n)) for n in ranked}
    return dict(labels.sizes(pos, radius, ranked, wish, text))


def _edges(graph: nx.Graph, focus: Hashable | None = None) -> Iterable[dict[str, Any]]:
    """vis edges in a stable order, each with its weight (drawn as its width) and the papers
    behind it; links of the focus drawn darker."""
    rows = []
    for u, v, d in graph.edges(data=True):
        if u == v:
            continue
        a, b = (u, v) if graph.is_directed() or str(u) <= str(v) else (v, u)
        rows.append((str(a), str(b), a, b, d))
    rows.sort(key=lambda r: (r[0], r[1]))
    people = _noun(graph) == "people"
    for i, (_sa, _sb, a, b, d) in enumerate(rows):
        weight = max(_int(d.get("weight", 1)), 1)
        head = f"{_name(graph, a)} — {_name(graph, b)}"
        plural = "s" if weight != 1 else ""
        sub = (
            f"{weight:,} joint paper{plural}" if people else f"together in {weight:,} paper{plural}"
        )
        extra: dict[str, Any] = {}
        if focus is not None and focus in (a, b):
            extra["color"] = {"color": "#5b6b7d", "opacity": 0.9}
        yield Edge(
            _id(a),
            _id(b),
            graph.is_directed(),
            id=f"e{i}",
            width=edge_width(weight),
            kg={"head": head, "sub": sub, "weight": weight, **_titles(d.get("paper_titles"))},
            **extra,
        ).options


def edge_width(weight: int) -> float:
    """A link's width in canvas units: 1 for one paper, one more per doubling, at most 8."""
    return round(min(1.0 + math.log2(max(weight, 1)), 8.0), 2)


def _options(n: int, directed: bool) -> dict[str, Any]:
    """vis-network options: the precomputed layout as is (no physics: labels are sized for
    those positions), light edges, labels drawn from :data:`LABEL_MIN_PX` screen pixels up
    to :data:`LABEL_MAX_PX`."""
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 0},
        "physics": {"enabled": False, "stabilization": {"enabled": False}},
        "nodes": {
            "borderWidth": 1,
            "font": {
                "face": "system-ui, sans-serif",
                "color": "#1d2733",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {
                "min": 7,
                "max": 40,
                "label": {
                    "enabled": False,
                    "maxVisible": 1000,  # the page's script caps labels (LABEL_MAX_PX)
                    "drawThreshold": LABEL_MIN_PX,
                },
            },
        },
        "edges": {
            "color": {
                "color": "#aab4bf",
                "highlight": "#1d2733",
                "hover": "#1d2733",
                "opacity": 0.55,
                "inherit": False,
            },
            "smooth": False,
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.5}},
        },
        "interaction": {
            "hover": n <= PHYSICS_MAX,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n > PHYSICS_MAX,
            "hideEdgesOnZoom": n > PHYSICS_MAX,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


# -- text ------------------------------------------------------------------------------------


def _clean(text: object) -> str:
    """Text safe to encode: lone surrogates replaced, control characters dropped."""
    s = str(text).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub("", s).replace("\t", " ")


def _name(graph: nx.Graph, n: Hashable) -> str:
    """A node's display name: its label, else its id."""
    label = graph.nodes[n].get("label")
    return " ".join(_clean(label if label not in (None, "") else n).split())


def _short(name: str) -> str:
    return name if len(name) <= LABEL_MAX else name[: LABEL_MAX - 1].rstrip() + "…"


def _id(n: Hashable) -> str:
    return _clean(n)


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def _titles(titles: object) -> dict[str, Any]:
    """At most :data:`TIP_TITLES` paper titles for a tooltip and how many more there are."""
    if isinstance(titles, str) or not isinstance(titles, Iterable):
        titles = [] if titles in (None, "") else [titles]
    items = list(titles)
    shown = [" ".join(_clean(t).split()) for t in items[:TIP_TITLES]]
    return {"titles": shown, "more": max(len(items) - TIP_TITLES, 0)}


# -- the page --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and style sheet as pyvis ships them, checked safe to inline."""
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return js, css


def script_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _page(*, title: str, counts: str, cut: str, legend: str, payload: dict[str, Any]) -> str:
    """The whole document; every piece of graph text in it is escaped."""
    vis_js, vis_css = vis_assets()
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(SCRIPT)}; "
        "base-uri 'none'; form-action 'none'"
    )
    cut_html = f'<p class="kg-cut" id="kg-cut">{html.escape(cut)}</p>' if cut else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg with pyvis {html.escape(pyvis.__version__)}, vis-network 9.1.2">
<title>{html.escape(title)}</title>
<style>{vis_css}</style>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1 id="kg-title">{html.escape(title)}</h1>
<span class="kg-counts" id="kg-counts">{html.escape(counts)}</span>
<form class="kg-search" id="kg-search-form" role="search">
<input id="kg-search" type="search" list="kg-names" placeholder="Find a name…"
 aria-label="Find a node">
<datalist id="kg-names"></datalist>
<button type="submit">Find</button>
<span class="kg-status" id="kg-status" aria-live="polite"></span>
</form>
{cut_html}
</header>
<main>
<div id="kg-network"></div>
<div class="kg-panel" id="kg-legend">{legend}</div>
<div class="kg-panel" id="kg-details"></div>
</main>
<script type="application/json" id="kg-data">{script_json(payload)}</script>
<script>{vis_js}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
