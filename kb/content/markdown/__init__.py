"""Markdown handling shared by ingest, the document pages and the editor preview."""

from kb.content.markdown.anchors import slugify
from kb.content.markdown.cleanup import clean_markup
from kb.content.markdown.parser import parse
from kb.content.markdown.render import render_html, table_of_contents

__all__ = ["clean_markup", "parse", "render_html", "slugify", "table_of_contents"]
