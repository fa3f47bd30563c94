"""Records to RDF: the vocabulary (``vocab``) and the graph builder (``build``)."""
