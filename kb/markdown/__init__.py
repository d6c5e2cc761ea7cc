"""Markdown handling shared by ingest, the document pages and the editor preview."""

from kb.markdown.anchors import slugify
from kb.markdown.cleanup import clean_markup
from kb.markdown.parser import parse
from kb.markdown.render import render_html, table_of_contents

__all__ = ["clean_markup", "parse", "render_html", "slugify", "table_of_contents"]
