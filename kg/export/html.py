"""Interactive HTML for a network: one self-contained, offline, escaped page made with pyvis.

The page holds vis-network's script and style sheet (the copies pyvis ships), the graph
as one JSON block and a small script of its own; it loads nothing from anywhere, and a
Content-Security-Policy (``default-src 'none'``, scripts allowed only by their hashes)
makes the browser refuse any request or injected script should one slip in. Text from
the graph reaches the page only as escaped HTML (header, legend), as JSON with ``<``,
``>`` and ``&`` escaped (labels, tooltips), and as DOM text (tooltips are built with
``textContent``); vis-network draws labels on a canvas.

Layouts are precomputed (:mod:`kg.export.layout`), so the same graph gives the same bytes;
physics stays off above :data:`PHYSICS_MAX` nodes. Above ``max_nodes`` the page shows the
nodes with the most papers and says so.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
from collections import Counter
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from kg.export.html_page import SCRIPT, STYLE
from kg.export.layout import layout

PHYSICS_MAX = 300
"""Largest graph whose page runs vis-network's physics (briefly, from the precomputed layout)."""
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
SMALL_FONT = 14
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def to_html(graph: nx.Graph, title: str, *, max_nodes: int = 1500, seed: int = 0) -> bytes:
    """One self-contained HTML page (UTF-8) showing ``graph``; same input, same bytes."""
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    shown = _top_nodes(graph, max_nodes)
    sub = graph.subgraph(shown)
    pos = layout(sub, seed)
    by = "institution" if graph.graph.get("color_by") == "institution" else "community"
    colours, legend_groups = (
        _institution_colours(sub) if by == "institution" else _community_colours(sub)
    )
    net = _network(sub, pos, colours)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "smallFont": SMALL_FONT,
    }
    return _page(
        title=_clean(title),
        counts=_counts(graph),
        cut=_cut_statement(graph, len(shown)),
        legend=_legend(sub, legend_groups, by),
        payload=payload,
    ).encode("utf-8")


# -- which nodes ---------------------------------------------------------------------------


def _rank_key(graph: nx.Graph, node: Hashable) -> tuple[int, int, str, str]:
    """Sort key: most papers first, then highest degree, then label and id."""
    data = graph.nodes[node]
    degree = data["degree"] if "degree" in data else graph.degree(node)
    return (-_int(data.get("papers")), -_int(degree), str(data.get("label", "")), str(node))


def _top_nodes(graph: nx.Graph, max_nodes: int) -> list[Hashable]:
    """All nodes if they fit, else the ``max_nodes`` with the most papers."""
    nodes = list(graph.nodes)
    if len(nodes) <= max_nodes:
        return sorted(nodes, key=str)
    ranked = sorted(nodes, key=lambda n: _rank_key(graph, n))[:max_nodes]
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
    if shown >= total:
        return ""
    return (
        f"Showing {shown:,} of {total:,} {_noun(graph)}, those with the most papers; "
        "the others and their links are left out."
    )


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


def _legend(graph: nx.Graph, groups: list[tuple[str, str, int]], by: str = "community") -> str:
    """The legend's HTML: node types present, then the largest communities or institutions
    (escaped)."""
    kinds = sorted(
        {str(d.get("type")) for _, d in graph.nodes(data=True)},
        key=lambda t: (list(TYPES).index(t) if t in TYPES else len(TYPES), t),
    )
    rows = []
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
    out.append('<p class="kg-note">Size: number of papers. Lines: joint papers.</p>')
    return "".join(out)


def _legend_row(colour: str, symbol: str, text: str) -> str:
    return (
        f'<li><span class="kg-swatch" style="color:{html.escape(colour)}">{symbol}</span>'
        f"<span>{html.escape(text)}</span></li>"
    )


# -- the pyvis network ---------------------------------------------------------------------


def _network(
    graph: nx.Graph, pos: dict[Hashable, tuple[float, float]], colours: dict[Hashable, str]
) -> Network:
    """A pyvis Network filled in linear time (appending to its lists, not ``from_nx``)."""
    net = Network(directed=graph.is_directed(), cdn_resources="in_line")
    fonts = _font_sizes(graph, pos)
    for n in sorted(graph.nodes, key=str):
        node = _node(graph, n, pos[n], colours.get(n), fonts[n])
        net.nodes.append(node)
        net.node_ids.append(n)
        net.node_map[n] = node
    net.edges.extend(_edges(graph))
    net.options = _options(graph.number_of_nodes(), graph.is_directed())
    return net


def _node(
    graph: nx.Graph, n: Hashable, xy: tuple[float, float], colour: str | None, font: int
) -> dict[str, Any]:
    """One vis node: id, canvas label, shape, colour, size value, position, tooltip data."""
    d = graph.nodes[n]
    kind = str(d.get("type"))
    _plural, type_colour, shape, _symbol = TYPES.get(kind, OTHER)
    name = _name(graph, n)
    papers = _int(d.get("papers"))
    sub = [kind if kind in TYPES else "node", f"{papers:,} paper{'s' if papers != 1 else ''}"]
    if d.get("institution"):
        sub.append(_clean(d["institution"]))
    if d.get("community") is not None:
        sub.append(f"community {_int(d['community'])}")
    sub.append(f"{_int(d.get('degree', graph.degree(n))):,} links")
    fill = colour or type_colour
    return Node(
        _id(n),
        shape,
        label=_short(name),
        font_color=False,
        color={
            "background": fill,
            "border": "#ffffff",
            "highlight": {"background": fill, "border": "#1d2733"},
            "hover": {"background": fill, "border": "#1d2733"},
        },
        value=round(math.sqrt(max(papers, 1)), 3),
        font={"size": font},
        x=xy[0],
        y=xy[1],
        kg={
            "name": name,
            "papers": papers,
            "head": name,
            "sub": " · ".join(sub),
            **_titles(d.get("paper_titles")),
        },
    ).options


def _font_sizes(graph: nx.Graph, pos: dict[Hashable, tuple[float, float]]) -> dict[Hashable, int]:
    """Label sizes by rank: the top few readable in the first view, the rest when zoomed in.

    Sizes are in canvas units, chosen for the zoom that fits the layout on a ~900 px
    canvas; a large label that would overlap a higher-ranked node's label stays small.
    """
    ranked = sorted(graph.nodes, key=lambda n: _rank_key(graph, n))
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    scale = min(1.0, 900 / max(max(xs) - min(xs), max(ys) - min(ys), 1.0))
    big = round(min(max(18 / scale, SMALL_FONT + 4), 56))
    mid = round(min(max(12 / scale, SMALL_FONT), 32))
    top = max(8, len(ranked) // 120)
    sizes = dict.fromkeys(ranked, SMALL_FONT)
    taken: list[tuple[float, float, float, float]] = []
    for rank, n in enumerate(ranked[: top * 5]):
        size = big if rank < top else mid
        x, y = pos[n]
        half = 0.3 * size * len(_short(_name(graph, n)))
        box = (x - half, y, x + half, y + 50 + size)
        if not any(_boxes_meet(box, other) for other in taken):
            sizes[n] = size
            taken.append(box)
    return sizes


def _boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _edges(graph: nx.Graph) -> Iterable[dict[str, Any]]:
    """vis edges in a stable order, each with its weight and the papers behind it."""
    rows = []
    for u, v, d in graph.edges(data=True):
        if u == v:
            continue
        a, b = (u, v) if graph.is_directed() or str(u) <= str(v) else (v, u)
        rows.append((str(a), str(b), a, b, d))
    rows.sort(key=lambda r: (r[0], r[1]))
    for i, (_sa, _sb, a, b, d) in enumerate(rows):
        weight = max(_int(d.get("weight", 1)), 1)
        head = f"{_name(graph, a)} — {_name(graph, b)}"
        sub = f"{weight:,} joint paper{'s' if weight != 1 else ''}"
        yield Edge(
            _id(a),
            _id(b),
            graph.is_directed(),
            id=f"e{i}",
            value=weight,
            kg={"head": head, "sub": sub, **_titles(d.get("paper_titles"))},
        ).options


def _options(n: int, directed: bool) -> dict[str, Any]:
    """vis-network options: physics only for small graphs, light edges, label scaling."""
    physics = n <= PHYSICS_MAX
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 0},
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "springLength": 90,
                "springConstant": 0.02,
                "avoidOverlap": 0.2,
            },
            "stabilization": {"enabled": physics, "iterations": 150, "fit": True},
        },
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
                "label": {"enabled": False, "maxVisible": 26, "drawThreshold": 8},
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
            "scaling": {"min": 1, "max": 7},
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
    return "".join(c for c in s if c >= " " or c in "\t\n").replace("\t", " ")


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
    items = [" ".join(_clean(t).split()) for t in titles]
    return {"titles": items[:TIP_TITLES], "more": max(len(items) - TIP_TITLES, 0)}


# -- the page --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
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
    vis_js, vis_css = _vis_assets()
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
