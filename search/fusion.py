"""Reciprocal-rank fusion of ranked lists from several legs, with per-leg weights."""

from __future__ import annotations

from collections import defaultdict

RRF_K = 60


def reciprocal_rank_fusion(
    legs: dict[str, list[int]], weights: dict[str, float], k: int = RRF_K
) -> list[tuple[int, float, frozenset[str]]]:
    """Fuse ranked id lists: score = Σ weight / (k + rank); returns (id, score, legs) best first."""
    scores: dict[int, float] = defaultdict(float)
    found_by: dict[int, set[str]] = defaultdict(set)
    for leg, ranked in legs.items():
        weight = weights.get(leg, 1.0)
        for rank, item in enumerate(ranked, start=1):
            scores[item] += weight / (k + rank)
            found_by[item].add(leg)
    ordered = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return [(item, score, frozenset(found_by[item])) for item, score in ordered]
