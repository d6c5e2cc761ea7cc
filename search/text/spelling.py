"""Did-you-mean: correct unknown English query words against the index vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

WORD = re.compile(r"[A-Za-z]{3,}")
SUGGEST_MAX_WORDS = 8  # a longer query is a pasted passage: no did-you-mean for it
SUGGEST_MAX_CHARS = 60


def is_short_query(query: str) -> bool:
    """Tell whether a query is short enough to offer a spelling correction for."""
    return len(query) <= SUGGEST_MAX_CHARS and len(query.split()) <= SUGGEST_MAX_WORDS


def vocabulary(texts: Iterable[str]) -> dict[str, int]:
    """Count the English words (3+ letters, lower-case) of the indexed texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word.lower() for word in WORD.findall(text))
    return dict(counts)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def damerau_levenshtein(a: str, b: str) -> int:
    """Return the edit distance with adjacent transpositions."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


class SpellingCorrector:
    """Symmetric-delete lookup: finds vocabulary words within two edits of a query word."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self._by_delete: dict[str, list[str]] = {}
        for word in counts:
            for key in _deletes(word) | {word}:
                self._by_delete.setdefault(key, []).append(word)

    def correct_word(self, word: str) -> str | None:
        """Return the best correction of an unknown word, or None if it is known or hopeless."""
        word = word.lower()
        if word in self.counts or len(word) < 4:
            return None
        candidates: set[str] = set()
        for key in _deletes(word) | {word}:
            candidates.update(self._by_delete.get(key, ()))
        limit = 1 if len(word) <= 5 else 2
        scored = [
            (damerau_levenshtein(word, candidate), -self.counts[candidate], candidate)
            for candidate in candidates
        ]
        scored = [item for item in scored if item[0] <= limit]
        return min(scored)[2] if scored else None

    def suggest(self, query: str) -> str | None:
        """Return the query with unknown words corrected, or None when nothing changes or the
        query is too long to be a typed search (see is_short_query)."""
        if not is_short_query(query):
            return None
        changed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            fixed = self.correct_word(match.group())
            if fixed is None:
                return match.group()
            changed = True
            return fixed

        suggestion = WORD.sub(replace, query)
        return suggestion if changed else None
