"""Bundled data: the reference corpus under ``iclr/``."""
