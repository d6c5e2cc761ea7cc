"""The one Markdown parser configuration: CommonMark + tables, strikethrough, task lists, footnotes."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kb.content.markdown.anchors import AnchorSet, split_explicit_id
from kb.content.markdown.cleanup import clean_markup


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin).use(footnote_plugin)
    return md


def markdown() -> MarkdownIt:
    """Return the shared parser (built once; markdown-it parsers are reusable and thread-safe)."""
    return _markdown()


def parse(source: str) -> list[Token]:
    """Parse cleaned Markdown into tokens; heading_open tokens carry their anchor in attr `id`."""
    tokens = markdown().parse(clean_markup(source))
    anchors = AnchorSet()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text, explicit = split_explicit_id(inline.content)
        if text != inline.content:
            inline.content = text
            _strip_trailing_attrs(inline, text)
        token.attrSet("id", anchors.claim(inline_text(inline), explicit))
    return tokens


def _strip_trailing_attrs(inline: Token, text: str) -> None:
    children = inline.children or []
    for child in reversed(children):
        if child.type == "text":
            child.content, _ = split_explicit_id(child.content)
            break
    if not children:
        inline.content = text


def inline_text(inline: Token) -> str:
    """Return the human text of an inline token: text and code, without markup or HTML tags."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()
