"""Mark a search's words in a rendered document page (server-side, same rules as snippets)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from search.query.marks import term_spans
from search.text.analyzer import query_terms

MARK_OPEN = '<mark class="query-mark">'
SKIPPED = frozenset({"script", "style", "mark", "title", "textarea"})


class _Marker(HTMLParser):
    """Copies sanitised HTML through, wrapping the query's words in text nodes with <mark>."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.terms = terms
        self.out: list[str] = []
        self.skipping = 0
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in SKIPPED
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        self.skipping -= tag in SKIPPED and self.skipping > 0
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skipping:
            self.out.append(html.escape(data, quote=False))
            return
        cursor = 0
        for start, end in term_spans(data, self.terms):
            self.out.append(html.escape(data[cursor:start], quote=False))
            self.out.append(f"{MARK_OPEN}{html.escape(data[start:end], quote=False)}</mark>")
            cursor = end
            self.count += 1
        self.out.append(html.escape(data[cursor:], quote=False))


def mark_query(page_html: str, query: str) -> tuple[str, int]:
    """Return the page's HTML with the query's words marked, and how many marks were made."""
    terms = query_terms(query) if query.strip() else []
    if not terms:
        return page_html, 0
    marker = _Marker(terms)
    marker.feed(page_html)
    marker.close()
    return "".join(marker.out), marker.count
