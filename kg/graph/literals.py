"""Typed literals, written the same way by every module that makes quads."""

from __future__ import annotations

from decimal import Decimal

from pyoxigraph import Literal, NamedNode

from kg.graph import vocab as V

INTEGER = NamedNode(V.XSD + "integer")
DECIMAL = NamedNode(V.XSD + "decimal")


def decimal(value: float) -> Literal:
    """An xsd:decimal (never exponent notation, which xsd:decimal does not allow)."""
    return Literal(format(Decimal(repr(value)).normalize(), "f"), datatype=DECIMAL)


def integer(value: int) -> Literal:
    """An xsd:integer."""
    return Literal(str(value), datatype=INTEGER)
