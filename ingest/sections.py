"""Split parsed Markdown into heading-bounded sections of plain text, chunked to the model's size."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from kb.content.language import estimate_tokens
from kb.content.markdown.parser import inline_text
from kb.content.markdown.rawtext import drop_hidden
from kb.content.model import Section

SPLIT_LEVEL = 3  # headings h1..h3 start a new section; deeper ones stay inside
MAX_CHUNK_TOKENS = 220
TAG = re.compile(r"<[^<>]*>")  # no '<' inside: one short scan per '<', never quadratic
ROW_JOINER = " · "
SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*")


@dataclass
class _Draft:
    anchor: str
    heading: str
    level: int
    trail: tuple[str, ...]
    line: int
    blocks: list[str] = field(default_factory=list)


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment (tags, comments and scripts removed)."""
    return " ".join(html.unescape(TAG.sub(" ", drop_hidden(fragment))).split())


def split_sections(tokens: list[Token], title: str, first_line: int) -> list[Section]:
    """Group tokens into sections at h1–h3 headings and chunk long ones at paragraph boundaries."""
    drafts = [_Draft("", title, 0, (), first_line)]
    trail: list[tuple[int, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            text = inline_text(tokens[index + 1])
            level = int(token.tag[1])
            if level <= SPLIT_LEVEL:
                trail = [item for item in trail if item[0] < level] + [(level, text)]
                anchor = token.attrGet("id") or ""
                drafts.append(_Draft(anchor, text, level, tuple(h for _, h in trail), line))
            elif text:
                drafts[-1].blocks.append(text)
            index += 3
            continue
        if token.type == "tr_open":
            row, index = table_row(tokens, index)
            if row:
                drafts[-1].blocks.append(row)
            continue
        if token.type == "inline":
            text = inline_text(token)
            if text:
                drafts[-1].blocks.append(text)
        elif token.type in ("fence", "code_block"):
            if token.content.strip():
                drafts[-1].blocks.append(token.content.strip())
        elif token.type == "html_block":
            text = html_to_text(token.content)
            if text:
                drafts[-1].blocks.append(text)
        index += 1
    sections: list[Section] = []
    for draft in drafts:
        if not draft.blocks:
            continue
        for part, text in enumerate(chunk_blocks(draft.blocks)):
            sections.append(
                Section(
                    draft.anchor, draft.heading, draft.level, draft.trail, text, draft.line, part
                )
            )
    return sections


def table_row(tokens: list[Token], index: int) -> tuple[str, int]:
    """Return a table row's text as "cell · cell · cell" (empty cells left out) and the index
    after the row, so a snippet shows which words belong to one row."""
    cells: list[str] = []
    while index < len(tokens) and tokens[index].type != "tr_close":
        if tokens[index].type == "inline":
            text = inline_text(tokens[index])
            if text:
                cells.append(text)
        index += 1
    return ROW_JOINER.join(cells), index + 1


def chunk_blocks(blocks: list[str], limit: int = MAX_CHUNK_TOKENS) -> list[str]:
    """Join blocks into chunks of at most `limit` estimated tokens; split huge blocks by sentence."""
    pieces: list[str] = []
    for block in blocks:
        if estimate_tokens(block) <= limit:
            pieces.append(block)
        else:
            pieces.extend(s for s in SENTENCE_END.split(block) if s.strip())
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        cost = estimate_tokens(piece)
        if current and size + cost > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(piece)
        size += cost
    if current or not chunks:
        chunks.append("\n".join(current))
    return chunks
