"""Resolution: one node per real paper, person and concept, with the evidence kept."""
