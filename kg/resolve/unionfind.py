"""Disjoint sets whose outcome does not depend on the order of the unions.

The smaller key of two sets always becomes the root, so the same links made in any order
give the same roots, which resolution needs to be independent of input order.

>>> sets = UnionFind(["b", "a", "c"])
>>> sets.union("b", "c"), sets.union("c", "a")
(('b', 'c'), ('a', 'b'))
>>> sets.find("c")
'a'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=str | tuple[str, int])


class UnionFind(Generic[K]):
    """Union-find with path halving; roots are the smallest keys of their sets."""

    def __init__(self, items: Iterable[K]) -> None:
        self.parent: dict[K, K] = {i: i for i in items}

    def find(self, item: K) -> K:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: K, b: K) -> tuple[K, K] | None:
        """Join the sets of ``a`` and ``b``: ``(root, absorbed root)``, or None if already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if rb < ra:  # type: ignore[operator]
            ra, rb = rb, ra
        self.parent[rb] = ra
        return ra, rb
