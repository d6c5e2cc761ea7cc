"""Bounds on what one Markdown document may cost to parse: nesting, brackets, tables, elements.

A document beyond a bound is refused with TooComplex, naming the line and the limit, before
(or instead of) the expensive work; the checks here are single linear passes over the lines.
"""

from __future__ import annotations

import re

MAX_NESTING = 32  # block levels (a list level counts 2, a quote 1): markdown-it's maxNesting
MAX_BRACKET_DEPTH = 32  # '[' open inside each other in one paragraph
MAX_TABLE_CELLS = 10_000  # rows × columns of one table
MAX_BLOCK_TOKENS = 200_000  # parsed block elements of one document (~3 MB of ordinary prose)
MAX_INLINE_STEPS = 500_000  # inline parser steps (text runs, marks, links …): 3× dense 2 MB prose

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


class TooComplex(ValueError):
    """A document beyond one of the bounds; line counts from 1 in the Markdown given."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
        self.hint = hint


def check_bounds(source: str) -> None:
    """Raise TooComplex for the first bracket nest or table over its bound (code is skipped)."""
    lines = source.split("\n")
    fence: str | None = None
    depth = 0
    table_end = 0  # lines before this belong to a table already counted
    for index, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if not line.strip():
            depth = 0
            continue
        depth = _bracket_depth(line, depth, index + 1)
        if index >= table_end and "|" in line and DELIMITER_ROW.match(_next(lines, index)):
            table_end = _check_table(lines, index)


def _bracket_depth(line: str, depth: int, number: int) -> int:
    """Return the '[' depth after this line (escapes and code spans skipped)."""
    if "[" not in line and "]" not in line:
        return depth
    in_code = False
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif char == "[":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise TooComplex(
                    number,
                    f"brackets '[' are nested more than {MAX_BRACKET_DEPTH} deep",
                    "close the brackets, or write \\[ for a bracket that is only text",
                )
        elif char == "]":
            depth = max(0, depth - 1)
    return depth


def _next(lines: list[str], index: int) -> str:
    return lines[index + 1] if index + 1 < len(lines) else ""


def _check_table(lines: list[str], header: int) -> int:
    """Refuse a table whose rows × columns are over the bound (rows run to the next blank line);
    return the index of the line after the table."""
    delimiter = lines[header + 1].strip().strip("|")
    columns = delimiter.count("|") + 1
    rows = 1
    end = header + 2
    while end < len(lines) and lines[end].strip():
        end += 1
        rows += 1
        if rows * columns > MAX_TABLE_CELLS:
            raise TooComplex(
                header + 1,
                f"this table has more than {MAX_TABLE_CELLS:,} cells ({columns} columns and "
                f"over {rows - 1:,} rows); at most {MAX_TABLE_CELLS:,} cells per table",
                "split the table into several smaller ones, or attach the data as a file",
            )
    return end


def too_deep(line: int) -> TooComplex:
    """Return the error for lists and quotes nested beyond MAX_NESTING at this line."""
    return TooComplex(
        line,
        f"lists and quotes are nested too deeply here (at most {MAX_NESTING} levels; "
        "a list inside a list counts 2)",
        "flatten the nesting: fewer lists or quotes inside each other",
    )


def too_many_elements(line: int) -> TooComplex:
    """Return the error for a document with more than MAX_BLOCK_TOKENS parsed elements."""
    return TooComplex(
        line,
        f"the document has more than {MAX_BLOCK_TOKENS:,} paragraphs, list items, table cells "
        "and other elements (the limit is reached here)",
        "split it into several documents",
    )


def too_much_markup(line: int) -> TooComplex:
    """Return the error for a document with more than MAX_INLINE_STEPS inline parsing steps."""
    return TooComplex(
        line,
        f"the document has too much inline markup (emphasis, links, code, brackets …): "
        f"over {MAX_INLINE_STEPS:,} parsing steps, the limit is reached here",
        "split it into several documents, or write less markup",
    )
