"""Snippets: the window of a section that best matches the query, with matched words marked."""

from __future__ import annotations

import html
import re

from ingest.sections import ROW_JOINER  # how a table row's cells are joined
from kb.content.language import CJK
from search.query.marks import markable, term_spans

WINDOW = 180
SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")


def highlight(text: str, terms: set[str], width: int = WINDOW) -> tuple[str, bool]:
    """Return (HTML snippet with <mark>, whether any term matched) for a section's text.

    The window holds the most distinct query words, preferring prose to table rows at a tie;
    a table row ("cell · cell · cell", see ingest.sections) is shown from its first cell and
    consecutive rows are separated by a semicolon."""
    spans = term_spans(text, terms)
    if not spans:
        return _render(text, 0, min(len(text), width)) + (" …" if len(text) > width else ""), False
    start = _window_start(text, _best_window(text, spans, markable(terms), width))
    end = min(len(text), start + width)
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(_render(text, cursor, span_start))
        pieces.append(f"<mark>{_render(text, span_start, span_end)}</mark>")
        cursor = span_end
    pieces.append(_render(text, cursor, end))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(pieces) + suffix, True


def best_sentence(text: str, query: str) -> str:
    """Return the sentence sharing most words or characters with the query (for semantic hits);
    a prose sentence wins over a table row that shares as much."""
    query_chars = set(query.lower()) - set(" ,.?!，。？！")
    best, best_score = "", -1.0
    for match in SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        score = len(query_chars & set(sentence.lower())) / (1 + len(sentence) / 200)
        score *= 0.8 if ROW_JOINER in sentence else 1.0
        if score > best_score:
            best, best_score = sentence, score
    return html.escape(_shorten(best or text, 0, WINDOW * 2))


def _line_at(text: str, position: int) -> tuple[int, int]:
    """Return the (start, end) of the line holding position."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def _is_row(text: str, position: int) -> bool:
    start, end = _line_at(text, position)
    return ROW_JOINER in text[start:end]


def _best_window(text: str, spans: list[tuple[int, int]], terms: set[str], width: int) -> int:
    """Return where the window with the most distinct query terms (then the most marks, then
    prose over table rows) starts, a little before its first mark."""
    best_start, best_key = spans[0][0], (-1, -1, False)
    lowered = text.lower()
    for index, (start, _) in enumerate(spans):
        inside = [(s, e) for s, e in spans[index:] if e <= start + width]
        marked = " ".join(lowered[s:e] for s, e in inside)
        words = sum(1 for term in terms if term in marked)
        key = (words, len(inside), not _is_row(text, start))
        if key > best_key:
            best_start, best_key = start, key
    if _is_row(text, best_start):
        return best_start
    return max(0, best_start - width // 4)


def _window_start(text: str, start: int) -> int:
    """Move a window's start back to its table row's first cell, or else to a word start."""
    if start == 0:
        return 0
    line_start, _ = _line_at(text, start)
    if _is_row(text, start):
        if start - line_start <= WINDOW // 2:
            return line_start
        cell = text.rfind(ROW_JOINER, line_start, start)
        return cell + len(ROW_JOINER) if cell >= 0 else start
    space = text.rfind(" ", max(line_start, start - 15), start)
    if space >= 0:
        return space + 1
    return line_start if start - line_start < 15 else start


def _render(text: str, start: int, end: int) -> str:
    """Return text[start:end] as HTML; a line break is a space, or '; ' between table rows."""
    out, cursor = [], start
    while True:
        newline = text.find("\n", cursor, end)
        if newline < 0:
            break
        out.append(html.escape(text[cursor:newline]))
        between_rows = _is_row(text, newline - 1) and _is_row(text, newline + 1)
        line_start, _ = _line_at(text, newline - 1)
        out.append(_row_break(text[line_start:newline]) if between_rows else " ")
        cursor = newline + 1
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def _row_break(before: str) -> str:
    return "； " if CJK.search(before) else "; "


def _shorten(text: str, start: int, width: int) -> str:
    piece = text[start : start + width]
    return piece + (" …" if len(text) > start + width else "")
