"""A new document from a template: the template's sections to fill (headings and fill-in tables)
as the body, and everything that only explains how to fill it in (introduction, block-quoted
instructions, reference tables, prose) as guidance shown beside the editor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# a table cell to fill: empty, a <placeholder>, a blank line of underscores, or an example row
BLANK_CELL = re.compile(r"^\s*$|<[^<>]+>|_{3,}|\(example\)|（示例）")


@dataclass(frozen=True)
class Guidance:
    """How to fill in one section of a template (heading '' for the template's introduction)."""

    heading: str
    markdown: str


@dataclass(frozen=True)
class Skeleton:
    """What a new document starts with: the body to fill and the template's guidance."""

    body: str
    guidance: list[Guidance] = field(default_factory=list)


@dataclass
class _Section:
    heading_line: str = ""
    heading: str = ""
    blocks: list[list[str]] = field(default_factory=list)


def template_skeleton(body: str) -> Skeleton:
    """Split a template's body into the skeleton to fill and the guidance beside it.

    A section is kept (its heading, and its fill-in tables) when it asks to be filled: it holds
    a table with blank or <placeholder> cells, or nothing but block-quoted instructions. Other
    sections (prose, reference tables) and the introduction are guidance only."""
    kept: list[str] = []
    guidance: list[Guidance] = []
    for section in _sections(body):
        fill_in = [block for block in section.blocks if _is_fill_in_table(block)]
        help_blocks = [block for block in section.blocks if block not in fill_in]
        asks_to_fill = bool(fill_in) or all(_is_quote(block) for block in help_blocks)
        if section.heading_line and asks_to_fill:
            kept.append("\n\n".join([section.heading_line, *("\n".join(b) for b in fill_in)]))
        if help_blocks:
            text = "\n\n".join(_unquoted(block) for block in help_blocks)
            guidance.append(Guidance(section.heading, text))
    return Skeleton("\n\n".join(kept) + ("\n" if kept else ""), guidance)


def _sections(body: str) -> list[_Section]:
    sections = [_Section()]
    block: list[str] = []
    fence = ""

    def close_block() -> None:
        if block:
            sections[-1].blocks.append(list(block))
            block.clear()

    for line in body.splitlines():
        opened = FENCE.match(line)
        if fence:
            block.append(line)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            block.append(line)
            continue
        heading = HEADING.match(line)
        if heading:
            close_block()
            sections.append(_Section(line.strip(), heading.group(2)))
        elif not line.strip():
            close_block()
        else:
            block.append(line)
    close_block()
    return [s for s in sections if s.heading_line or s.blocks]


def _is_quote(block: list[str]) -> bool:
    return all(line.lstrip().startswith(">") for line in block)


def _is_fill_in_table(block: list[str]) -> bool:
    rows = [line.strip() for line in block]
    if len(rows) < 2 or not all(r.startswith("|") for r in rows):
        return False
    if not re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", rows[1]):
        return False
    cells = [cell for row in rows[2:] for cell in row.strip("|").split("|")]
    return any(BLANK_CELL.search(cell) for cell in cells)


def _unquoted(block: list[str]) -> str:
    if not _is_quote(block):
        return "\n".join(block)
    return "\n".join(re.sub(r"^\s*> ?", "", line) for line in block)
