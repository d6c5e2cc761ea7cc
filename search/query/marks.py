"""Which words of a text to mark for a query: the rules shared by snippets and document pages.

Marked are the query's search terms where they occur (Chinese words as substrings, English stems
as word starts), except stop words and Chinese function characters (的, 时, 里 …). A single
Chinese character that the segmenter split off a longer word (办 of 办/公室) is marked only
where it touches another mark, so it lights up as part of that word and never on its own.
Marks that touch, or are separated only by spaces (or _ and -), are merged into one (办公室搬迁, scope creep).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.content.language import CJK
from search.text.analyzer import CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS, stem_word

# Common English words the analyzer keeps for ranking but that say nothing in a highlight.
FUNCTION_WORDS = frozenset(
    "about above across after again against all almost along also although among any anyone "
    "anything around because been before being below between both during each either else "
    "enough even ever every few further here however into just least less like many more most "
    "much must neither never next now off often once only onto other others otherwise out over "
    "own per perhaps quite rather really same since some something still such though through "
    "thus too toward towards under unless until upon very via well whether while within without "
    "yet".split()
)
UNMARKED_STEMS = frozenset(stem_word(w) for w in ENGLISH_STOP_WORDS | FUNCTION_WORDS)
# Single characters that are grammar, not meaning: the stop list's and a few it lacks.
FUNCTION_CHARS = frozenset(w for w in CHINESE_STOP_WORDS if len(w) == 1) | frozenset("里样太")
BLANK = re.compile(r"[ \t\u3000_-]*")  # spaces or joiners within a line, not line breaks


def markable(terms: Iterable[str]) -> set[str]:
    """Return the terms worth marking: no stop words, no Chinese function characters."""
    kept = set()
    for term in terms:
        term = term.strip()
        if not term:
            continue
        if CJK.search(term):
            if not (len(term) == 1 and term in FUNCTION_CHARS):
                kept.add(term)
        elif term.lower() not in UNMARKED_STEMS:
            kept.add(term.lower())
    return kept


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Return the (start, end) character spans to mark in text, sorted and merged."""
    wanted = markable(terms)
    spans: list[tuple[int, int]] = []
    latin = sorted((re.escape(t) for t in wanted if not CJK.search(t)), key=len, reverse=True)
    if latin:
        pattern = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(latin) + r")[A-Za-z0-9'’]*", re.IGNORECASE
        )
        spans += [match.span() for match in pattern.finditer(text)]
    singles: list[tuple[int, int]] = []
    for term in wanted:
        if CJK.search(term):
            found = singles if len(term) == 1 else spans
            start = text.find(term)
            while start >= 0:
                found.append((start, start + len(term)))
                start = text.find(term, start + len(term))
    spans += [s for s in singles if _touches_any(text, s, spans + singles)]
    return _merged(text, spans)


def _touches_any(text: str, span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(other != span and _touch(text, span, other) for other in others)


def _touch(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Tell whether two spans overlap or are separated only by spaces."""
    first, second = (a, b) if a[0] <= b[0] else (b, a)
    if second[0] <= first[1]:
        return True
    return BLANK.fullmatch(text, first[1], second[0]) is not None


def _merged(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and _touch(text, merged[-1], (start, end)):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
