"""Fuse, the third stage of a query: the legs' sections fused into one ranking of documents, each
deep-linked to its best section (the language-aware fusion itself is in fusion.py), the languages
then arbitrated by the multilingual leg (crosslingual.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from search.index.serving import LoadedGeneration
from search.query.crosslingual import arbitrate
from search.query.fusion import (
    LegRanking,
    doubt_from_coverage,
    language_rank,
    reciprocal_rank_fusion,
)
from search.query.legs import LegResults
from search.query.plan import QueryPlan
from search.query.routing import KEYWORD, Leg

COVERAGE_HITS = 3  # the keyword leg's best sections that show how much of a question it holds


@dataclass(frozen=True)
class RankedDocument:
    """A document after fusion: its best section, score and the legs that found it."""

    doc_id: str
    sid: int
    score: float
    legs: frozenset[str]


@dataclass(frozen=True)
class FusedResults:
    """The fused documents, best first: under the user's filters, and without them (None: no
    filters set)."""

    matching: list[RankedDocument]
    unfiltered: list[RankedDocument] | None


def fuse(results: LegResults, plan: QueryPlan, loaded: LoadedGeneration) -> FusedResults:
    """Fuse the legs' rankings, with and without the user's filters."""

    def documents(ranked: dict[str, list[int]]) -> list[RankedDocument]:
        doubt = keyword_doubt(plan.keyword_query, ranked, loaded)
        return fuse_documents(ranked, plan.legs, loaded, doubt)

    unfiltered = results.unfiltered
    matching = arbitrate_languages(
        documents(results.matching), plan.lang, results.similarity, loaded
    )
    return FusedResults(matching, documents(unfiltered) if unfiltered is not None else None)


def arbitrate_languages(
    documents: list[RankedDocument],
    query_lang: str,
    similarity: dict[str, float],
    loaded: LoadedGeneration,
) -> list[RankedDocument]:
    """Let the multilingual leg arbitrate between the languages of a ranking that spans two
    (`crosslingual.arbitrate`); a ranking in one language, or without similarities, is kept."""
    if not similarity or len({loaded.lang_of[e.doc_id] for e in documents}) < 2:
        return documents
    by_id = {e.doc_id: e for e in documents}
    order = [e.doc_id for e in documents]
    return [
        RankedDocument(doc_id, by_id[doc_id].sid, score, by_id[doc_id].legs)
        for doc_id, score in arbitrate(order, query_lang, similarity, loaded.lang_of)
    ]


def fuse_documents(
    ranked: dict[str, list[int]],
    legs: list[Leg],
    loaded: LoadedGeneration,
    keyword_doubt: float = 0.0,
) -> list[RankedDocument]:
    """Fuse the legs per document, then pick each document's best section.

    Documents are fused (not chunks): the keyword leg ranks whole sections and the vector
    legs rank chunks, so agreement between legs shows at the document level. A leg's rank
    of a document blends its rank among everything it read with its rank within the
    document's language (`language_rank`); a leg only counts for the languages routing gave
    it, and the fusion divides by the legs able to see each document's language. The best
    section is chosen by the same fusion over (document, anchor) keys. The keyword leg keeps
    `keyword_doubt` of its weight against documents in a language it cannot see.
    """
    plan = {leg.name: leg for leg in legs}
    doc_rankings: list[LegRanking[str]] = []
    section_rankings: list[LegRanking[tuple[str, str]]] = []
    representative: dict[tuple[str, str], int] = {}
    for name, sids in ranked.items():
        leg = plan[name]
        docs: dict[str, int] = {}
        sections: dict[tuple[str, str], int] = {}
        seen_docs: dict[str, int] = defaultdict(int)
        seen_sections: dict[str, int] = defaultdict(int)
        for sid in sids:
            record = loaded.records[sid]
            key = (record.doc_id, record.anchor)
            if record.doc_id not in docs:
                seen_docs[record.lang] += 1
                docs[record.doc_id] = language_rank(len(docs) + 1, seen_docs[record.lang])
            if key not in sections:
                seen_sections[record.lang] += 1
                rank = language_rank(len(sections) + 1, seen_sections[record.lang])
                sections[key] = rank
            representative.setdefault(key, sid)
        if leg.counts_for is not None:
            docs = {d: r for d, r in docs.items() if loaded.lang_of[d] in leg.counts_for}
            sections = {k: r for k, r in sections.items() if loaded.lang_of[k[0]] in leg.counts_for}
        weight = leg.weight
        doubt = keyword_doubt if name == KEYWORD else 0.0
        doc_rankings.append(LegRanking(name, weight, list(docs.items()), leg.sees, doubt))
        section_rankings.append(LegRanking(name, weight, list(sections.items()), leg.sees, doubt))
    best_section: dict[str, tuple[str, str]] = {}
    for entry in reciprocal_rank_fusion(section_rankings, lambda key: loaded.lang_of[key[0]]):
        best_section.setdefault(entry.item[0], entry.item)
    fused = reciprocal_rank_fusion(doc_rankings, loaded.lang_of.__getitem__)
    return [
        RankedDocument(e.item, representative[best_section[e.item]], e.score, e.legs) for e in fused
    ]


def keyword_doubt(query: str, ranked: dict[str, list[int]], loaded: LoadedGeneration) -> float:
    """Return how sure the keyword leg is that the question is answered in its own language.

    That is how much of the question its best few sections cover (`doubt_from_coverage`).
    """
    best = ranked.get(KEYWORD, [])[:COVERAGE_HITS]
    if not query or not best:
        return 0.0
    return doubt_from_coverage(loaded.keyword.coverage(query, best))
