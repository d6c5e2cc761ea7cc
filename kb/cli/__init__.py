"""The `kb` command: the composition root that wires settings, store, ingest, search and web.

One module per command group; what they share (settings options, opening the store, errors,
progress) is in kb/cli/common.py. ingest/, search/ and web/ are imported inside the commands that
need them, so `kb --help` stays fast."""

from __future__ import annotations

import os

import click

from kb.cli import content, db, operations, search, users

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@click.group(
    commands=[
        *content.COMMANDS,
        *search.COMMANDS,
        *operations.COMMANDS,
        *db.COMMANDS,
        *users.COMMANDS,
    ],
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="pmo-kb")
def main() -> None:
    """PMO knowledge base: ingest Markdown content, search it, serve the web UI.

    \b
    Typical use:
      kb check            validate content/ (for curators; non-zero exit on errors)
      kb ingest           load content/ into the catalog and the search indexes
      kb search "变更评审流程"
      kb serve            web UI on http://127.0.0.1:8000
    """


__all__ = ["main"]
