"""Reciprocal-rank fusion of ranked lists from several legs, with per-leg weights."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)

RRF_K = 60


def reciprocal_rank_fusion(
    legs: dict[str, list[Item]], weights: dict[str, float], k: int = RRF_K
) -> list[tuple[Item, float, frozenset[str]]]:
    """Fuse ranked lists: score = Σ weight / (k + rank); returns (item, score, legs) best first.

    Ties keep the order in which items were first seen (legs in the order given).
    """
    scores: dict[Item, float] = defaultdict(float)
    found_by: dict[Item, set[str]] = defaultdict(set)
    for leg, ranked in legs.items():
        weight = weights.get(leg, 1.0)
        for rank, item in enumerate(ranked, start=1):
            scores[item] += weight / (k + rank)
            found_by[item].add(leg)
    ordered = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, score, frozenset(found_by[item])) for item, score in ordered]
