"""Rank fusion of the search legs: reciprocal-rank fusion that knows which languages a leg can see.

Classic weighted RRF scores an item Σ weight / (k + rank) over the legs that found it. In a
bilingual knowledge base that buries every document in the other language: the keyword leg can
never match across languages, so a Chinese question's English answer (found only by the
multilingual vector leg) loses to any Chinese page with a matching function word.

Language-aware fusion divides that sum by the weight of the legs that could have found the item:
those that can see its language. An English document, for a Chinese query, competes on the
multilingual leg alone; a Chinese one on keyword + vectors. A leg blind to the item's language
that found it anyway (an English acronym in a Chinese page) can only lift it: the item keeps the
better of its score without that hit and with it (counted in numerator and denominator).

Normalising alone lets the other language's best match compete with every question, also one
its own language answers well. A leg can therefore keep part of its weight against documents in
a language it cannot see and did not find (its `doubt`, `doubt_from_coverage`): the keyword leg keeps as much
as its best match covers of the question, so a question whose words a page of its own language
holds (nearly) all of ranks that page above a cross-language match of equal vector rank, while a
question only the other language answers keeps its cross-language answers.

Which rank the multilingual leg gives a document matters as much. Its rank among all documents
buries the other language (the models score same-language pairs higher); its rank within the
document's language alone interleaves the languages one for one, however weak the other
language's best match. `language_rank` takes the geometric mean of the two (measured against
both on the judged sets: see the README).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item", bound=Hashable)

RRF_K = 60
# the keyword leg's coverage of a question (IDF-weighted share of its terms its best match holds)
# from which it starts to doubt the other language, and at which it keeps its whole weight;
# measured on both judged sets (see the README): same-language questions cover a median of
# 0.72-0.90, cross-language ones 0.30-0.47
DOUBT_STARTS_AT = 0.6
DOUBT_FULL_AT = 1.0


@dataclass(frozen=True)
class LegRanking(Generic[Item]):
    """One leg's ranked items (item, rank from 1) and the document languages it can see."""

    leg: str
    weight: float
    ranked: list[tuple[Item, float]]
    sees: frozenset[str] | None = None  # None: every language
    # share of its weight it keeps against an item in a language it cannot see and did not find
    doubt: float = 0.0


@dataclass(frozen=True)
class Fused(Generic[Item]):
    """An item after fusion: its score and the legs that found it."""

    item: Item
    score: float
    legs: frozenset[str]


def language_rank(overall: int, within_language: int) -> float:
    """Blend a leg's rank of a document among all documents and within its language (geometric mean)."""
    return (overall * within_language) ** 0.5


def doubt_from_coverage(coverage: float) -> float:
    """Return the keyword leg's doubt of the other language (the share of its weight it keeps)."""
    span = DOUBT_FULL_AT - DOUBT_STARTS_AT
    return min(1.0, max(0.0, (coverage - DOUBT_STARTS_AT) / span))


def ranked_list(leg: str, weight: float, items: list[Item], sees=None) -> LegRanking[Item]:
    """Return a leg ranking whose ranks are the items' positions (1, 2, 3 …)."""
    return LegRanking(leg, weight, [(item, rank) for rank, item in enumerate(items, 1)], sees)


def _sees(ranking: LegRanking, lang: str) -> bool:
    return ranking.sees is None or lang in ranking.sees


def reciprocal_rank_fusion(
    legs: list[LegRanking[Item]],
    lang_of: Callable[[Item], str] | None = None,
    k: int = RRF_K,
) -> list[Fused[Item]]:
    """Fuse rankings: Σ weight / (k + rank), divided by the weight of the legs able to see the item
    (plus the share of its weight a blind leg that did not find it keeps: its `doubt`).

    Without `lang_of` (or when every leg sees every language) this is plain weighted RRF, scaled
    by a constant. A tie goes to the item more legs found (normalised, a page first in the
    keyword leg alone ties with one first in two legs that agree); then the order in which items
    were first seen (legs in the order given).
    """
    contributions: dict[Item, list[tuple[LegRanking[Item], float]]] = defaultdict(list)
    for ranking in legs:
        for item, rank in ranking.ranked:
            contributions[item].append((ranking, ranking.weight / (k + rank)))
    total = sum(ranking.weight for ranking in legs) or 1.0
    per_language: dict[str, tuple[float, float]] = {}

    def language_totals(lang: str) -> tuple[float, float]:
        """The weight of the legs that see a language, and the doubt of those blind to it."""
        if lang not in per_language:
            seeing = sum(r.weight for r in legs if _sees(r, lang))
            doubt = sum(r.weight * r.doubt for r in legs if not _sees(r, lang))
            per_language[lang] = (seeing, doubt)
        return per_language[lang]

    def fused_score(item: Item) -> float:
        found = contributions[item]
        if lang_of is None:
            return sum(part for _, part in found) / total
        lang = lang_of(item)
        seeing, doubt = language_totals(lang)
        own = blind_parts = blind_weight = 0.0
        for ranking, part in found:
            if _sees(ranking, lang):
                own += part
            else:  # a blind leg that found it: no doubt, its hit counted in the other score
                blind_parts += part
                blind_weight += ranking.weight
                doubt -= ranking.weight * ranking.doubt
        with_blind = (own + blind_parts) / (seeing + doubt + blind_weight)
        return max(own / (seeing + doubt), with_blind) if seeing else with_blind

    fused = [
        Fused(item, fused_score(item), frozenset(r.leg for r, _ in found))
        for item, found in contributions.items()
    ]
    fused.sort(key=lambda entry: (-entry.score, -len(entry.legs)))
    return fused
