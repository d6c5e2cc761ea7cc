"""Score-at-a-time BM25 for plain queries (the common case): each term's scores over the whole
index are read once from whoosh's own postings and scorer, then a query is a numpy sum.

Whoosh walks every posting of every query term in Python on each search; for a ten-word
question over 10k sections that was 30-40 ms of held GIL per query. An open index never
changes, so the per-term scores can be kept: the ranking is the same sum whoosh computes,
at a small fraction of the cost.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from whoosh.query import Phrase, Term
from whoosh.searching import Searcher

from search.lru import LRUCache

TERM_CACHE = (
    200_000  # terms (and phrases) whose scores are kept; far above a 10k-section vocabulary
)
Scores = tuple[np.ndarray, np.ndarray]  # (document numbers, scores)


class TermScores:
    """Per-term BM25 scores of one open whoosh index, computed on first use."""

    def __init__(self, searcher: Searcher, lock: threading.Lock) -> None:
        self._searcher = searcher
        self._lock = lock  # held while reading whoosh (its readers are not thread-safe)
        self.size = searcher.doc_count_all()
        self._cache = LRUCache(TERM_CACHE)

    def term(self, field: str, text: str, boost: float) -> Scores:
        """Return the documents containing a term and the term's score in each."""
        key = ("term", field, text, boost)
        cached = self._cache.get(key)
        if cached is None:
            docs, scores = [], []
            with self._lock:
                matcher = Term(field, text, boost=boost).matcher(self._searcher)
                while matcher.is_active():
                    docs.append(matcher.id())
                    scores.append(matcher.score())
                    matcher.next()
            cached = (np.array(docs, dtype=np.int64), np.array(scores, dtype=np.float64))
            self._cache.put(key, cached)
        return cached

    def holding(self, words: list[str], field: str = "content") -> int:
        """Return how many documents hold every one of the words."""
        if not words:
            return 0
        docs = self.term(field, words[0], 1.0)[0]
        for word in words[1:]:
            docs = np.intersect1d(docs, self.term(field, word, 1.0)[0], assume_unique=True)
        return len(docs)

    def coverage(self, terms: list[str], docnums: list[int], field: str = "content") -> float:
        """Return the IDF-weighted share of the terms held by the best of these documents."""
        holders = [self.term(field, term, 1.0)[0] for term in terms]
        weights = [math.log(1 + self.size / (1 + len(docs))) for docs in holders]
        total = sum(weights)
        if not total or not docnums:
            return 0.0
        best = max(
            sum(w for w, docs in zip(weights, holders, strict=True) if _holds(docs, d))
            for d in docnums
        )
        return best / total

    def phrase(self, field: str, words: list[str], boost: float) -> Scores:
        """Return the documents where the words stand together, with the phrase's score."""
        key = ("phrase", field, tuple(words), boost)
        cached = self._cache.get(key)
        if cached is None:
            with self._lock:
                results = self._searcher.search(Phrase(field, words, boost=boost), limit=None)
                pairs = list(results.top_n)
            cached = (
                np.array([docnum for _, docnum in pairs], dtype=np.int64),
                np.array([score for score, _ in pairs], dtype=np.float64),
            )
            self._cache.put(key, cached)
        return cached

    def top(
        self, parts: list[Scores], allowed: np.ndarray | None, limit: int
    ) -> list[tuple[float, int]]:
        """Sum the parts and return the best (score, document number) pairs, best first.

        Ties go to the lower document number, as in whoosh.
        """
        total = np.zeros(self.size, dtype=np.float64)
        matched = np.zeros(self.size, dtype=bool)
        for docs, scores in parts:
            total[docs] += scores  # a part lists each document once
            matched[docs] = True
        if allowed is not None:
            matched &= allowed
        candidates = np.flatnonzero(matched)
        if limit <= 0 or not len(candidates):
            return []
        if len(candidates) > limit:
            values = total[candidates]
            threshold = np.partition(values, len(values) - limit)[len(values) - limit]
            candidates = candidates[values >= threshold]
        order = np.lexsort((candidates, -total[candidates]))[:limit]
        return [(float(total[d]), int(d)) for d in candidates[order]]


def _holds(docs: np.ndarray, docnum: int) -> bool:
    """Tell whether a sorted array of document numbers holds one."""
    at = int(np.searchsorted(docs, docnum))
    return at < len(docs) and int(docs[at]) == docnum
