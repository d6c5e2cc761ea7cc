"""Snippets: the window of a section that best matches the query, with matched words marked."""

from __future__ import annotations

import html
import re

from search.marks import term_spans

WINDOW = 180
SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")


def highlight(text: str, terms: set[str], width: int = WINDOW) -> tuple[str, bool]:
    """Return (HTML snippet with <mark>, whether any term matched) for a section's text."""
    spans = term_spans(text, terms)
    if not spans:
        return html.escape(_shorten(text, 0, width)), False
    start = _best_window(spans, width)
    end = min(len(text), start + width)
    start = _word_start(text, start)
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(html.escape(text[cursor:span_start]))
        pieces.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(html.escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(pieces).replace("\n", " ") + suffix, True


def best_sentence(text: str, query: str) -> str:
    """Return the sentence sharing most words or characters with the query (for semantic hits)."""
    query_chars = set(query.lower()) - set(" ,.?!，。？！")
    best, best_score = "", -1.0
    for match in SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        score = len(query_chars & set(sentence.lower())) / (1 + len(sentence) / 200)
        if score > best_score:
            best, best_score = sentence, score
    return html.escape(_shorten(best or text, 0, WINDOW * 2))


def _best_window(spans: list[tuple[int, int]], width: int) -> int:
    best_start, best_count = spans[0][0], 0
    for index, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[index:] if e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    return max(0, best_start - width // 4)


def _word_start(text: str, start: int) -> int:
    if start == 0:
        return 0
    space = text.rfind(" ", max(0, start - 15), start)
    return space + 1 if space >= 0 else start


def _shorten(text: str, start: int, width: int) -> str:
    piece = text[start : start + width]
    return piece + (" …" if len(text) > start + width else "")
