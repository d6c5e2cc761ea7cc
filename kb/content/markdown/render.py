"""Render Markdown to safe HTML: the parser's output sanitised by nh3 (no scripts, no js: links)."""

from __future__ import annotations

from html import escape

import nh3

from kb.content.markdown.bounds import TooComplex
from kb.content.markdown.parser import markdown, parse
from kb.content.markdown.rawtext import escape_unclosed

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "input", "kbd", "li", "mark", "ol", "p", "pre", "s", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_html(source: str) -> str:
    """Render Markdown to sanitised HTML with heading anchors matching the section anchors.

    No inline styles survive (the CSP forbids them); raw `<style>`/`<script>` content is dropped,
    and one left unclosed is shown as text rather than swallowing the rest of the page. A
    document beyond the parsing bounds renders as a notice saying which line and limit."""
    try:
        tokens = parse(source)
    except TooComplex as error:
        return f'<p class="render-error">{escape(str(error))} — {escape(error.hint)}</p>'
    html = markdown().renderer.render(tokens, markdown().options, {})
    return nh3.clean(
        escape_unclosed(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def table_of_contents(source: str, max_level: int = 3) -> list[tuple[int, str, str]]:
    """Return (level, anchor, text) of the headings h2..h{max_level} of a Markdown body."""
    from kb.content.markdown.parser import inline_text

    try:
        tokens = parse(source)
    except TooComplex:
        return []
    return [
        (int(token.tag[1]), token.attrGet("id") or "", inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and 2 <= int(token.tag[1]) <= max_level
    ]
