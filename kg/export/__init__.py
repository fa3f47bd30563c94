"""Exports read back from the store: the paper table, and (later) networks and RDF."""
