"""The `kb` command: the composition root that wires settings, store, ingest, search and web."""

from kb.cli.content import main

__all__ = ["main"]
