"""Cross-language arbitration: the legs that read a language order its documents, the one leg that
reads both languages (the multilingual encoder) says how far each language's documents deserve to
come up against the other's.

Rank fusion alone cannot answer the question a bilingual search turns on — is the best document
in the other language better than the best one in the question's language? — because the keyword
and language-specific legs see one language only, and the multilingual leg's ranks mix a
systematic bias into the answer: the model scores a question higher against a text in its own
language than against the same text translated. This module measures that bias once and corrects
it, instead of tuning a rank-fusion constant to a judged set:

1. `merge_languages`: each language keeps the order the fusion gave its documents; the languages
   are interleaved by the multilingual similarity the k-th document of each language's candidates
   reaches (sorted similarities, assigned to the positions), with documents in the other language
   credited `CROSS_LANGUAGE_OFFSET`.
2. `arbitrate`: the final ranking is the reciprocal-rank fusion of the fused ranking and that merge
   (ties: the fused order), so the keyword evidence within a language and the multilingual
   evidence across languages each have one equal vote.

With documents in one language only (SciFact, CMRC2018) nothing changes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from search.query.fusion import RRF_K

# How much higher the multilingual model scores a question against a text in its own language
# than against that text's translation, as a conservative bound: the 10th-20th percentile of the
# gap over the 66 translation pairs of the shipped content (title → its own page vs the
# translated page; zh titles: 10th pct 0.029, median 0.10; en titles: 20th pct 0.028, median
# 0.075). A document of the other language is credited this much — enough to let it through when
# it clearly answers better, not so much that a translation-like page of the other language
# displaces an answer in the question's language (the median would cost same-language nDCG 0.07
# on pm-corpus; see the README for the cross-validation and the ±25% sensitivity).
CROSS_LANGUAGE_OFFSET = 0.025


def merge_languages(
    order: list[str],
    query_lang: str,
    similarity: Mapping[str, float],
    lang_of: Mapping[str, str],
    offset: float = CROSS_LANGUAGE_OFFSET,
) -> list[str]:
    """Interleave the languages of a ranking by calibrated multilingual similarity.

    Each language keeps its order; its k-th document is keyed by the k-th highest similarity among
    its documents (plus `offset` in a language other than the query's). Documents the multilingual
    leg did not score come after the scored ones of their language. Ties: the query's language.
    """
    by_language: dict[str, list[str]] = defaultdict(list)
    for doc_id in order:
        by_language[lang_of[doc_id]].append(doc_id)
    if len(by_language) < 2:
        return list(order)
    keyed: list[tuple[float, int, bool, str]] = []
    for lang, members in by_language.items():
        credit = 0.0 if lang == query_lang else offset
        scores = sorted((similarity[d] + credit for d in members if d in similarity), reverse=True)
        for position, doc_id in enumerate(members):
            score = scores[position] if position < len(scores) else -math.inf
            keyed.append((-score, position, lang != query_lang, doc_id))
    keyed.sort(key=lambda key: key[:3])
    return [key[3] for key in keyed]


def arbitrate(
    order: list[str],
    query_lang: str,
    similarity: Mapping[str, float],
    lang_of: Mapping[str, str],
    offset: float = CROSS_LANGUAGE_OFFSET,
) -> list[tuple[str, float]]:
    """Return (document, score) best first: the fused order and the language merge, one vote each."""
    merged = merge_languages(order, query_lang, similarity, lang_of, offset)
    score: dict[str, float] = defaultdict(float)
    for ranking in (order, merged):
        for rank, doc_id in enumerate(ranking, 1):
            score[doc_id] += 0.5 / (RRF_K + rank)
    fused_rank = {doc_id: rank for rank, doc_id in enumerate(order)}
    best = sorted(order, key=lambda d: (-round(score[d], 12), fused_rank[d]))
    return [(doc_id, score[doc_id]) for doc_id in best]
