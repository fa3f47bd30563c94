"""The page of every node of the graph, at its IRI's path under the build's base IRI."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
