"""The one Markdown parser configuration: CommonMark + tables, strikethrough, task lists, footnotes."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kb.content.markdown.anchors import AnchorSet, split_explicit_id
from kb.content.markdown.bounds import (
    MAX_BLOCK_TOKENS,
    MAX_INLINE_STEPS,
    MAX_NESTING,
    check_bounds,
    too_deep,
    too_many_elements,
    too_much_markup,
)
from kb.content.markdown.cleanup import clean_markup
from kb.content.markdown.rawtext import escape_unclosed_blocks

INLINE_STEPS, INLINE_LINE = "kb_inline_steps", "kb_inline_line"  # keys in the parse env


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin).use(footnote_plugin)
    md.block.ruler.before("table", "kb_budget", _block_budget)
    md.core.ruler.after("block", "kb_nesting", _nesting)
    md.core.ruler.at("inline", _inline_with_lines)
    md.inline.ruler.before("text", "kb_budget", _inline_budget)
    return md


def _block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Runs before each block is parsed: stop a document with too many blocks early."""
    if len(state.tokens) > MAX_BLOCK_TOKENS:
        raise too_many_elements(start + 1)
    return False


def _nesting(state: StateCore) -> None:
    """markdown-it drops whatever lies deeper than maxNesting, so reaching it is an error."""
    for token in state.tokens:
        if token.nesting == 1 and token.level >= MAX_NESTING - 1:
            raise too_deep(token.map[0] + 1 if token.map else 1)


def _inline_with_lines(state: StateCore) -> None:
    """markdown-it's core `inline` rule, noting each block's line for the inline budget."""
    state.env.setdefault(INLINE_STEPS, 0)
    for token in state.tokens:
        if token.type == "inline":
            state.env[INLINE_LINE] = token.map[0] + 1 if token.map else 1
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _inline_budget(state: StateInline, silent: bool) -> bool:
    """Runs at each step of the inline parser: stop a document with too much inline markup."""
    steps = state.env.get(INLINE_STEPS, 0) + 1
    state.env[INLINE_STEPS] = steps
    if steps > MAX_INLINE_STEPS:
        raise too_much_markup(state.env.get(INLINE_LINE, 1))
    return False


def markdown() -> MarkdownIt:
    """Return the shared parser (built once; markdown-it parsers are reusable and thread-safe)."""
    return _markdown()


def parse(source: str) -> list[Token]:
    """Parse cleaned Markdown into tokens; heading_open tokens carry their anchor in attr `id`,
    aligned table cells a class (`align-right`) instead of a style the CSP would block.

    Raises TooComplex (kb.content.markdown.bounds) for a document beyond the parsing bounds."""
    source = escape_unclosed_blocks(clean_markup(source))
    check_bounds(source)
    tokens = markdown().parse(source, {})
    anchors = AnchorSet()
    for index, token in enumerate(tokens):
        if token.type in ("th_open", "td_open"):
            _align_as_class(token)
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text, explicit = split_explicit_id(inline.content)
        if text != inline.content:
            inline.content = text
            _strip_trailing_attrs(inline, text)
        token.attrSet("id", anchors.claim(inline_text(inline), explicit))
    return tokens


def _align_as_class(cell: Token) -> None:
    """Turn markdown-it's `style="text-align:right"` on a table cell into `class="align-right"`."""
    style = str(cell.attrs.pop("style", ""))
    align = style.removeprefix("text-align:")
    if align in ("left", "center", "right"):
        cell.attrSet("class", f"align-{align}")


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
