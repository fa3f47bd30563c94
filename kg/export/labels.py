"""Labels only where they fit: a font size per node such that no two labels ever overlap.

vis-network draws a label at a size in canvas units, so it grows and shrinks with the zoom,
and it skips a label drawn smaller than ``drawThreshold`` screen pixels.  Two labels whose
boxes do not meet in canvas units therefore never meet at any zoom.  Nodes are taken in
rank order (the focus first); each gets the largest size up to its wish that keeps its box
clear of every box placed before it.  At the first view the top labels are readable, the
rest are below the threshold and appear, without overlapping, as one zooms in.

>>> sizes({"a": (0.0, 0.0), "b": (5.0, 0.0)}, {"a": 8, "b": 8}, ["a", "b"], {"a": 20, "b": 20})
{'a': 20.0, 'b': 0.0}
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

NARROW = frozenset(" .,:;'|!il()[]/")
"""Characters about a third of the font size wide."""
LINE_HEIGHT = 1.05
"""Height of a label line, in font sizes."""
GAP = 3.0
"""Space vis-network leaves between a node's shape and its label (4), less a margin."""
PAD = 2.0
"""Margin below a label, in canvas units."""
SIDE = 3.0
"""Margin on each side of a label (its white stroke and a little air), in canvas units."""

Box = tuple[float, float, float, float]


def sizes(
    pos: Mapping[Hashable, tuple[float, float]],
    radius: Mapping[Hashable, float],
    ranked: Sequence[Hashable],
    wish: Mapping[Hashable, float],
    text: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, float]:
    """Font sizes (canvas units, rounded down to 0.1) for labels drawn below their nodes.

    ``pos``: node centres; ``radius``: their shapes' sizes; ``ranked``: who goes first;
    ``wish``: the largest size each may have; ``text``: the labels (default: 8 letters).
    """
    out: dict[Hashable, float] = {}
    placed: list[Box] = []
    ems = {n: width(text[n]) if text is not None and n in text else 5.0 for n in ranked}
    cell = max((ems[n] * wish[n] for n in ranked), default=1.0) or 1.0
    grid: dict[tuple[int, int], list[int]] = {}
    for n in ranked:
        x, y = pos[n]
        top = y + radius[n] + GAP
        half = ems[n] / 2
        size = float(wish[n])
        reach = _box(x, top, half * size, size)
        for i in _near(grid, cell, reach):
            size = min(size, _room(x, top, half, placed[i]))
            if size <= 0:
                break
        size = max(0.0, math.floor(size * 10) / 10)
        out[n] = size
        if size > 0:
            box = _box(x, top, half * size, size)
            placed.append(box)
            for key in _cells(cell, box):
                grid.setdefault(key, []).append(len(placed) - 1)
    return out


def width(text: str) -> float:
    """A label's width in font sizes, a little over what Chromium draws in system-ui
    (capitals and digits about 0.72, narrow signs 0.34, other letters 0.58), plus the
    white stroke around it."""
    wide = sum(1 for c in text if c.isupper() or c.isdigit())
    narrow = sum(1 for c in text if c in NARROW)
    return 0.78 * wide + 0.34 * narrow + 0.58 * (len(text) - wide - narrow) + 0.4


def _box(x: float, top: float, half: float, size: float) -> Box:
    return (x - half - SIDE, top, x + half + SIDE, top + LINE_HEIGHT * size + PAD)


def _room(x: float, top: float, half: float, other: Box) -> float:
    """The largest size at which a label centred on ``x`` below ``top`` misses ``other``."""
    x0, y0, x1, y1 = other
    if top >= y1:
        return math.inf  # below it whatever its size
    beside = (x0 - x - SIDE) / half if x < x0 else (x - x1 - SIDE) / half if x > x1 else 0.0
    above = (y0 - top - PAD) / LINE_HEIGHT if y0 > top + PAD else 0.0
    return max(beside, above, 0.0)


def _cells(cell: float, box: Box) -> list[tuple[int, int]]:
    x0, y0, x1, y1 = (math.floor(v / cell) for v in box)
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def _near(grid: dict[tuple[int, int], list[int]], cell: float, box: Box) -> list[int]:
    found: set[int] = set()
    for key in _cells(cell, box):
        found.update(grid.get(key, ()))
    return sorted(found)
