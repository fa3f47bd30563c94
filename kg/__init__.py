"""kg: research literature into a queryable knowledge graph."""

__version__ = "0.1.0"
