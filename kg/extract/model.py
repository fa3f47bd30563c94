"""The records the extractor returns: one :class:`Extraction` per paper, made of mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERSION = "kg-extract/2"
"""Names the extractor (span model, rules, lexicons); recorded with every extracted
statement."""

ROLES = ("proposed", "used")


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity named by a paper.

    ``role`` is ``"proposed"`` or ``"used"`` for methods and ``None`` otherwise; ``new`` says
    whether a dataset is introduced by the paper (``None`` for other kinds).  ``start`` and
    ``end`` are character offsets into the abstract as given, ``None`` when the mention
    comes from the title only.  ``confidence`` is in [0, 1].
    """

    name: str
    role: str | None = None
    new: bool | None = None
    start: int | None = None
    end: int | None = None
    confidence: float = 0.5

    def as_dict(self, kind: str) -> dict[str, Any]:
        """The JSON form of ``kg extract``: methods carry a role, datasets ``new``."""
        out: dict[str, Any] = {"name": self.name}
        if kind == "methods":
            out["role"] = self.role
        elif kind == "datasets":
            out["new"] = bool(self.new)
        out["start"] = self.start
        out["end"] = self.end
        out["confidence"] = round(self.confidence, 3)
        return out


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one paper's title and abstract name.

    ``acronyms`` are the (long form, acronym) pairs the abstract defines, e.g.
    ``("Graph Neural Networks", "GNN")``; ``warnings`` say why a result may be poor.
    ``lookups`` are the corpus acronyms the rules looked up and what they found (``None``:
    not defined), so a cached extraction is reused only while those stay the same.
    """

    id: str
    methods: tuple[Mention, ...] = ()
    datasets: tuple[Mention, ...] = ()
    tasks: tuple[Mention, ...] = ()
    keywords: tuple[Mention, ...] = ()
    warnings: tuple[str, ...] = ()
    acronyms: tuple[tuple[str, str], ...] = ()
    lookups: tuple[tuple[str, str | None], ...] = field(default=(), compare=False, repr=False)

    @property
    def proposed(self) -> tuple[Mention, ...]:
        """The methods the paper introduces."""
        return tuple(m for m in self.methods if m.role == "proposed")

    def as_dict(self) -> dict[str, Any]:
        """The JSON line ``kg extract`` writes (the format ``score.py`` reads)."""
        out: dict[str, Any] = {"id": self.id}
        for kind in ("methods", "datasets", "tasks", "keywords"):
            out[kind] = [m.as_dict(kind) for m in getattr(self, kind)]
        if self.acronyms:
            out["acronyms"] = [list(pair) for pair in self.acronyms]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
