"""Legs, the second stage of a query: each leg of the plan ranks sections, with the filters applied
inside it — under the user's filters, and again without them when the facets need counting."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from search.embedders import Embedder
from search.index.serving import LoadedGeneration
from search.query.batching import BatchingQueryEncoder
from search.query.plan import QueryPlan
from search.query.routing import GLOSSARY, GLOSSARY_MAX_SHARE, KEYWORD, Leg

CANDIDATES = 100


@dataclass(frozen=True)
class LegResults:
    """Each leg's section ids, best first (legs that found nothing left out): under the user's
    filters, and without them for the facets (None: no filters set)."""

    matching: dict[str, list[int]]
    unfiltered: dict[str, list[int]] | None
    # each candidate document's best similarity to the query in the leg that reads every language
    # of the knowledge base (under the user's filters): the arbiter between languages
    similarity: dict[str, float] = field(default_factory=dict)


def run_legs(
    plan: QueryPlan, loaded: LoadedGeneration, encoders: Mapping[str, BatchingQueryEncoder]
) -> LegResults:
    """Embed the query once per vector leg, then run every leg of the plan."""
    vectors = query_vectors(encoders, plan.text, plan.legs)
    embedders = {name: encoder.embedder for name, encoder in encoders.items()}

    def ranked(filters: dict[str, list[str]]) -> dict[str, list[int]]:
        query = plan.keyword_query
        return ranked_sections(query, plan.legs, vectors, filters, loaded, plan.lang, embedders)

    matching = ranked({**plan.filters, **plan.visibility})
    unfiltered = ranked(plan.visibility) if plan.filters else None
    similarity = {}
    if plan.mode == "hybrid" and len(loaded.langs) > 1:
        filters = {**plan.filters, **plan.visibility}
        similarity = arbiter_similarity(plan.legs, vectors, embedders, filters, loaded)
    return LegResults(matching, unfiltered, similarity)


def arbiter_similarity(
    legs: list[Leg],
    vectors: dict[str, np.ndarray],
    embedders: Mapping[str, Embedder],
    filters: dict[str, list[str]],
    loaded: LoadedGeneration,
    limit: int = CANDIDATES,
) -> dict[str, float]:
    """Return each document's best similarity to the query in a leg that reads every language.

    Empty when no leg of the query reads them all (then the languages are not arbitrated).
    Run in hybrid mode over a bilingual knowledge base only: semantic mode keeps its legs' order.
    """
    for leg in legs:
        reads = getattr(embedders.get(leg.name), "reads", None)
        if leg.name in vectors and leg.name in loaded.vectors and reads and loaded.langs <= reads:
            hits = loaded.vectors[leg.name].search(
                vectors[leg.name], limit, loaded.mask(leg.name, filters)
            )
            best: dict[str, float] = {}
            for sid, score in hits:
                record = loaded.records.get(sid)
                if record is not None and score > best.get(record.doc_id, -math.inf):
                    best[record.doc_id] = float(score)
            return best
    return {}


def query_vectors(
    encoders: Mapping[str, BatchingQueryEncoder], query: str, legs: list[Leg]
) -> dict[str, np.ndarray]:
    """Embed the query once for each vector leg."""
    return {leg.name: encoders[leg.name].encode(query) for leg in legs if leg.name in encoders}


def ranked_sections(
    query: str,
    legs: list[Leg],
    vectors: dict[str, np.ndarray],
    filters: dict[str, list[str]],
    loaded: LoadedGeneration,
    lang: str,
    embedders: Mapping[str, Embedder],
    limit: int = CANDIDATES,
) -> dict[str, list[int]]:
    """Run each leg with the filters applied inside it; return ranked section ids per leg.

    A vector leg ranks only the languages its model reads. Vector hits below the embedder's
    similarity floor (a lower one for sections in another language than the query's `lang`)
    are dropped, so a query that means nothing to the knowledge base gets no results instead
    of the least-bad ones.
    """
    ranked: dict[str, list[int]] = {}
    for leg in legs:
        if leg.name == KEYWORD:
            if query:
                hits = loaded.keyword.search(query, loaded.keyword_filters(filters), limit)
                ranked[KEYWORD] = [hit.sid for hit in hits if hit.sid in loaded.records]
            continue
        if leg.name == GLOSSARY:
            leg_filters = within_languages(filters, leg.reads, loaded.langs)
            terms = loaded.keyword.specific(leg.terms, GLOSSARY_MAX_SHARE)
            if query and terms and leg_filters is not None:
                kept = loaded.keyword_filters(leg_filters)
                hits = loaded.keyword.search(" ".join(terms), kept, limit)
                ranked[GLOSSARY] = [hit.sid for hit in hits if hit.sid in loaded.records]
            continue
        if leg.name not in loaded.vectors or leg.name not in vectors:
            continue
        leg_filters = within_languages(filters, leg.reads, loaded.langs)
        if leg_filters is None:
            continue
        embedder = embedders[leg.name]
        floor = getattr(embedder, "min_similarity", 0.0)
        cross_floor = getattr(embedder, "min_cross_similarity", floor)
        index = loaded.vectors[leg.name]
        hits = index.search(vectors[leg.name], limit, loaded.mask(leg.name, leg_filters))
        ranked[leg.name] = [
            sid
            for sid, score in hits
            if sid in loaded.records
            and score >= (floor if loaded.records[sid].lang == lang else cross_floor)
        ]
    return {leg: sids for leg, sids in ranked.items() if sids}


def within_languages(
    filters: dict[str, list[str]], reads: frozenset[str] | None, corpus: frozenset[str]
) -> dict[str, list[str]] | None:
    """Add a language filter for a model that reads only some languages (None: nothing left)."""
    if reads is None or corpus <= reads:
        return filters
    langs = [lang for lang in filters.get("lang", sorted(corpus)) if lang in reads]
    return {**filters, "lang": langs} if langs else None
