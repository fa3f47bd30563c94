"""Deterministic, near-linear 2-D layouts for the HTML export.

Connected components are laid out one by one with networkx's spring layout (seeded);
a component too large for that is split by community (the ``community`` node attribute,
else seeded Louvain) and its parts packed side by side. Every part is then a disc whose
area grows with its node count, and the discs are packed tightly around the centre,
largest first (front-chain circle packing). The same graph and seed give the same positions.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence

import networkx as nx

GROUP_MAX = 300
"""Largest group given to spring_layout (its dense solver is quadratic, but tiny here)."""
SPACING = 42.0
"""Typical distance between neighbouring nodes, in canvas units."""
GAP = 18.0
"""Space kept between packed discs."""

Pos = dict[Hashable, tuple[float, float]]


class _Disc:
    """Positions relative to a centre, with the radius that encloses them."""

    def __init__(self, pos: Pos) -> None:
        self.pos = pos
        self.radius = max((math.hypot(x, y) for x, y in pos.values()), default=0.0) + GAP


def layout(graph: nx.Graph, seed: int = 0, focus: Hashable | None = None) -> Pos:
    """Positions for every node of ``graph``, in canvas units, centred on the origin.

    With a ``focus``, its component is laid out around it held at the centre, and the
    whole drawing is shifted so that the focus sits at the origin.
    """
    ordered = _ordered(graph)
    components = _sorted_sets(nx.connected_components(ordered))
    if focus is not None and focus not in ordered:
        focus = None
    discs = [
        _component(_ordered(ordered.subgraph(c)), seed, focus if focus in c else None)
        for c in components
    ]
    disc = _pack(discs)
    dx, dy = disc.pos[focus] if focus is not None else (0.0, 0.0)
    return {n: (round(x - dx, 1), round(y - dy, 1)) for n, (x, y) in disc.pos.items()}


def _ordered(graph: nx.Graph) -> nx.Graph:
    """An undirected copy with nodes and edges in sorted order (so the layout is stable).

    Parts of a graph are copied through here too: a networkx subgraph view of less than
    half the graph iterates its nodes in the order of a set, which changes with Python's
    string hashing from one process to the next.
    """
    out = nx.Graph()
    out.add_nodes_from(sorted(graph.nodes, key=str))
    edges = graph.to_undirected(as_view=True).edges(data="weight", default=1)
    for u, v, w in sorted(edges, key=lambda e: sorted((str(e[0]), str(e[1])))):
        if u != v:
            out.add_edge(u, v, weight=float(w or 1))
    for n in out.nodes:
        out.nodes[n]["community"] = graph.nodes[n].get("community")
    return out


def _sorted_sets(sets: Iterable[Iterable[Hashable]]) -> list[list[Hashable]]:
    """Node sets as sorted lists, largest first, ties by their first node."""
    lists = [sorted(s, key=str) for s in sets]
    return sorted(lists, key=lambda s: (-len(s), str(s[0])))


def _component(graph: nx.Graph, seed: int, focus: Hashable | None = None) -> _Disc:
    """A disc for one connected component (split by community when large); a ``focus``
    is held at the disc's centre."""
    if focus is not None and len(graph) > 1:
        return _spring_around(graph, seed, focus)
    if len(graph) <= GROUP_MAX:
        return _spring(graph, seed)
    parts = _split(graph, seed)
    return _pack([_component(_ordered(graph.subgraph(p)), seed) for p in parts])


def _split(graph: nx.Graph, seed: int) -> list[list[Hashable]]:
    """Parts of a large group: its communities, else Louvain's, else fixed-size chunks."""
    given: dict[object, list[Hashable]] = {}
    for n, c in graph.nodes(data="community"):
        given.setdefault(c, []).append(n)
    if len(given) > 1:
        return _sorted_sets(given.values())
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    if len(found) > 1:
        return _sorted_sets(found)
    nodes = list(nx.bfs_tree(graph, min(graph.nodes, key=str)))  # a connected walk order
    return [nodes[i : i + GROUP_MAX] for i in range(0, len(nodes), GROUP_MAX)]


def _spring(graph: nx.Graph, seed: int) -> _Disc:
    """A seeded spring layout scaled so that area grows with the node count."""
    n = len(graph)
    if n == 1:
        return _Disc({next(iter(graph.nodes)): (0.0, 0.0)})
    iterations = 100 if n <= 60 else 50
    raw = nx.spring_layout(graph, seed=seed, iterations=iterations, weight=None, method="force")
    scale = SPACING * max(0.5, math.sqrt(n) / 2)
    return _Disc({v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in raw.items()})


def _spring_around(graph: nx.Graph, seed: int, focus: Hashable) -> _Disc:
    """A seeded spring layout with ``focus`` fixed at the centre, scaled like :func:`_spring`.

    Large components (above :data:`GROUP_MAX` nodes) get fewer iterations: networkx's
    solver for a fixed node is the dense one.
    """
    n = len(graph)
    iterations = 100 if n <= 60 else 50 if n <= GROUP_MAX else 15
    raw = nx.spring_layout(
        graph,
        pos={focus: (0.0, 0.0)},
        fixed=[focus],
        seed=seed,
        iterations=iterations,
        weight=None,
        method="force",
    )
    reach = max((math.hypot(float(p[0]), float(p[1])) for p in raw.values()), default=1.0)
    scale = SPACING * max(0.5, math.sqrt(n) / 2) / (reach or 1.0)
    return _Disc({v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in raw.items()})


def _pack(discs: Sequence[_Disc]) -> _Disc:
    """Pack discs tightly around the origin, largest first (front-chain circle packing)."""
    order = sorted(range(len(discs)), key=lambda i: -discs[i].radius)
    circles = [_Circle(discs[i].radius) for i in order]
    _front_chain(circles)
    pos: Pos = {}
    for c, i in zip(circles, order, strict=True):
        for v, (x, y) in discs[i].pos.items():
            pos[v] = (x + c.x, y + c.y)
    return _Disc(_centred(pos))


class _Circle:
    """A circle in the packing, linked to its neighbours on the front chain."""

    def __init__(self, r: float) -> None:
        self.r, self.x, self.y = r, 0.0, 0.0
        self.next: _Circle = self
        self.prev: _Circle = self


def _front_chain(circles: list[_Circle]) -> None:
    """Place circles without overlaps, each tangent to two on the current outer chain.

    Each new circle goes next to the chain pair closest to the origin; if it overlaps
    another chain circle, the chain is cut short at that circle and the step retried.
    """
    if len(circles) < 2:
        return
    a, b = circles[0], circles[1]
    a.x, b.x = -b.r, a.r
    if len(circles) == 2:
        return
    c = circles[2]
    _tangent(b, a, c)
    a.next = c.prev = b
    b.next = a.prev = c
    c.next = b.prev = a
    i = 3
    while i < len(circles):
        c = circles[i]
        _tangent(a, b, c)
        hit = _first_overlap(a, b, c)
        if hit is not None:
            if hit[0] == "next":
                b = hit[1]
            else:
                a = hit[1]
            a.next, b.prev = b, a
            continue
        c.prev, c.next = a, b
        a.next = b.prev = c
        b = c
        a = _closest_pair(c)
        b = a.next
        i += 1


def _first_overlap(a: _Circle, b: _Circle, c: _Circle) -> tuple[str, _Circle] | None:
    """The chain circle ``c`` overlaps, searching outwards from ``a`` and ``b`` alternately."""
    j, k = b.next, a.prev
    sj, sk = b.r, a.r
    while j is not k.next:
        if sj <= sk:
            if _overlap(j, c):
                return "next", j
            sj, j = sj + j.r, j.next
        else:
            if _overlap(k, c):
                return "prev", k
            sk, k = sk + k.r, k.prev
    return None


def _closest_pair(start: _Circle) -> _Circle:
    """The chain circle whose pair with its successor lies closest to the origin."""
    best, best_score = start, _score(start)
    node = start.next
    while node is not start:
        score = _score(node)
        if score < best_score:
            best, best_score = node, score
        node = node.next
    return best


def _score(node: _Circle) -> float:
    a, b = node, node.next
    ab = a.r + b.r
    x = (a.x * b.r + b.x * a.r) / ab
    y = (a.y * b.r + b.y * a.r) / ab
    return x * x + y * y


def _overlap(a: _Circle, b: _Circle) -> bool:
    dr = a.r + b.r - 1e-6
    return dr > 0 and dr * dr > (b.x - a.x) ** 2 + (b.y - a.y) ** 2


def _tangent(b: _Circle, a: _Circle, c: _Circle) -> None:
    """Move ``c`` so that it touches both ``a`` and ``b`` (on the left of a→b)."""
    dx, dy = b.x - a.x, b.y - a.y
    d2 = dx * dx + dy * dy
    if d2 == 0:
        c.x, c.y = a.x + c.r, a.y
        return
    a2, b2 = (a.r + c.r) ** 2, (b.r + c.r) ** 2
    if a2 > b2:
        t = (d2 + b2 - a2) / (2 * d2)
        h = math.sqrt(max(0.0, b2 / d2 - t * t))
        c.x, c.y = b.x - t * dx - h * dy, b.y - t * dy + h * dx
    else:
        t = (d2 + a2 - b2) / (2 * d2)
        h = math.sqrt(max(0.0, a2 / d2 - t * t))
        c.x, c.y = a.x + t * dx - h * dy, a.y + t * dy + h * dx


def _centred(pos: Pos) -> Pos:
    """``pos`` shifted so that its bounding box is centred on the origin."""
    if not pos:
        return pos
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {v: (x - cx, y - cy) for v, (x, y) in pos.items()}


SPREAD_MAX = 3000
"""Largest graph whose overlapping nodes :func:`spread` pushes apart."""


def spread(
    pos: Pos, radius: dict[Hashable, float], fixed: Hashable | None = None, rounds: int = 30
) -> Pos:
    """``pos`` with overlapping shapes (of the given radii) pushed apart, ``fixed`` held.

    A few rounds of moving each overlapping pair apart along the line between them, half
    each (all of it for the partner of ``fixed``); pairs are found through a grid, so a
    round is near-linear.  Deterministic: pairs are visited in sorted order.
    """
    if len(pos) > SPREAD_MAX or len(pos) < 2:
        return dict(pos)
    nodes = sorted(pos, key=str)
    xy = {n: list(pos[n]) for n in nodes}
    cell = 2 * max(radius.values()) + 4
    for _round in range(rounds):
        grid: dict[tuple[int, int], list[Hashable]] = {}
        for n in nodes:
            grid.setdefault((math.floor(xy[n][0] / cell), math.floor(xy[n][1] / cell)), []).append(
                n
            )
        moved = False
        for i, a in enumerate(nodes):
            ax, ay = math.floor(xy[a][0] / cell), math.floor(xy[a][1] / cell)
            for gx in (ax - 1, ax, ax + 1):
                for gy in (ay - 1, ay, ay + 1):
                    for b in grid.get((gx, gy), ()):
                        if str(b) <= str(a):
                            continue
                        moved |= _push(xy, a, b, radius[a] + radius[b] + 4, fixed, i)
        if not moved:
            break
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in xy.items()}


def _push(
    xy: dict[Hashable, list[float]], a: Hashable, b: Hashable, want: float, fixed: object, i: int
) -> bool:
    dx, dy = xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]
    d = math.hypot(dx, dy)
    if d >= want:
        return False
    if d < 1e-6:  # on top of each other: a fixed direction per pair
        angle = (i * 2.399963) % (2 * math.pi)
        dx, dy, d = math.cos(angle), math.sin(angle), 1.0
        gap = want
    else:
        gap = want - d
    ux, uy = dx / d, dy / d
    share_a = 0.0 if a == fixed else 1.0 if b == fixed else 0.5
    xy[a][0] -= ux * gap * share_a
    xy[a][1] -= uy * gap * share_a
    xy[b][0] += ux * gap * (1 - share_a)
    xy[b][1] += uy * gap * (1 - share_a)
    return True
