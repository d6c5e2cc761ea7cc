"""Page, the last stage of a query: the requested page of results as hits with snippets, and the
facet counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from search.index.records import FACETS, SectionRecord
from search.index.semantic_preparation import SemanticStatus
from search.index.serving import LoadedGeneration
from search.query.fuse import RankedDocument
from search.query.plan import QueryPlan, SearchRequest
from search.query.rerank import Ranking
from search.query.snippets import best_sentence, highlight
from search.text.analyzer import query_terms


@dataclass
class SearchHit:
    """One document in the results, deep-linked to its best section."""

    id: str
    path: str
    url: str
    anchor: str
    title: str
    heading: str
    snippet: str
    score: float
    legs: list[str]
    kind: str
    lang: str
    summary: str

    def as_dict(self) -> dict[str, Any]:
        """Return the hit as JSON-ready data."""
        return dict(self.__dict__)


@dataclass
class SearchResponse:
    """Results of one search: a page of hits, the total, facets, a spelling suggestion."""

    query: str
    mode: str
    total: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None
    took_ms: float
    legs: list[str]
    corrected_from: str | None = None
    intent: str | None = None
    semantic: SemanticStatus | None = None  # while semantic search is being prepared (or failed)

    def as_dict(self) -> dict[str, Any]:
        """Return the response as JSON-ready data (the shape of `kb search --json` and the API)."""
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "results": [hit.as_dict() for hit in self.results],
            "did_you_mean": self.did_you_mean,
            "facets": self.facets,
            "took_ms": round(self.took_ms, 2),
            "legs": self.legs,
            "corrected_from": self.corrected_from,
            "intent": self.intent,
            "semantic": self.semantic.as_dict() if self.semantic else None,
        }


def document_url(doc_id: str, anchor: str = "") -> str:
    """Return the web address of a document, with the section anchor if any."""
    return f"/docs/{doc_id}" + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class Page:
    """The requested page of results, how many there are in all, and the facet counts."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]


def make_page(
    request: SearchRequest, plan: QueryPlan, ranking: Ranking, loaded: LoadedGeneration
) -> Page:
    """Cut the requested page from the ranking; count the facets."""
    facets = facet_counts(ranking.counted, loaded, plan.filters)
    shown = ranking.documents[request.offset : request.offset + request.limit]
    hits = page_hits(plan.text if request.snippets else None, shown, loaded)
    return Page(len(ranking.documents), hits, facets)


def page_hits(
    query: str | None, page: list[RankedDocument], loaded: LoadedGeneration
) -> list[SearchHit]:
    """Return the page's documents as hits, each with its best section's snippet for the query."""
    if not page:
        return []
    terms = set(query_terms(query)) if query else set()
    hits = []
    for entry in page:
        section = loaded.records[entry.sid]
        snippet, matched = highlight(section.text, terms) if query else ("", True)
        if not matched:
            snippet = best_sentence(section.text, query or "")
        hits.append(
            SearchHit(
                id=entry.doc_id,
                path=section.path,
                url=document_url(entry.doc_id, section.anchor),
                anchor=section.anchor,
                title=section.title,
                heading=section.heading if section.level else "",
                snippet=snippet,
                score=round(entry.score, 6),
                legs=sorted(entry.legs),
                kind=section.kind,
                lang=section.lang,
                summary=section.summary,
            )
        )
    return hits


def facet_counts(
    groups: list[RankedDocument], loaded: LoadedGeneration, filters: dict[str, list[str]]
) -> dict[str, dict[str, int]]:
    """Count documents per facet value; each facet ignores its own filter (disjunctive facets)."""
    counts: dict[str, dict[str, int]] = {
        facet: defaultdict(int) for facet in FACETS if facet != "status"
    }
    for entry in groups:
        record = loaded.records[entry.sid]
        for facet in counts:
            others = {f: set(v) for f, v in filters.items() if f != facet and v}
            if _passes(record, others):
                for value in set(record.facet_values(facet)):
                    counts[facet][value] += 1
    return {
        facet: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for facet, values in counts.items()
    }


def _passes(record: SectionRecord | None, active: dict[str, set[str]]) -> bool:
    if record is None:
        return False
    return all(active[facet] & set(record.facet_values(facet)) for facet in active)
