"""The searcher: runs the legs, fuses them, filters, groups by document, snippets, facets, spelling."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from kb.content.language import has_cjk
from kb.insights.querylog import log_search
from kb.store.database import Database
from kb.store.tables import DocumentRow, SectionRow
from search.analyzer import query_terms
from search.embedders import Embedder
from search.fusion import reciprocal_rank_fusion
from search.generations import GenerationStore
from search.indexer import KEYWORD_FOLDER, VOCABULARY_FILE, vector_file
from search.keyword import KeywordIndex
from search.records import FACETS, SectionRecord, load_records
from search.snippets import best_sentence, highlight
from search.spelling import SpellingCorrector
from search.vectors import VectorIndex

MODES = ("hybrid", "keyword", "semantic")
KEYWORD = "keyword"
CANDIDATES = 100
DEFAULT_WEIGHTS = {KEYWORD: 1.0}


@dataclass
class SearchRequest:
    """What a user asked: query text, mode, filters {facet: [values]}, page."""

    query: str
    mode: str = "hybrid"
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    include_unpublished: bool = False
    log: bool = True
    snippets: bool = True


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
        }


def document_url(doc_id: str, anchor: str = "") -> str:
    """Return the web address of a document, with the section anchor if any."""
    return f"/docs/{doc_id}" + (f"#{anchor}" if anchor else "")


class LoadedGeneration:
    """The open indexes of one generation plus the per-section facet masks for filtering."""

    def __init__(self, store: GenerationStore, database: Database, names: list[str]) -> None:
        generation = store.current()
        if generation is None:
            raise LookupError("no search index yet: run `kb ingest` to build it")
        self.name = generation.name
        self.keyword = KeywordIndex.open(generation.folder / KEYWORD_FOLDER)
        self.vectors = {
            name: VectorIndex.load(generation.folder / vector_file(name))
            for name in names
            if (generation.folder / vector_file(name)).is_file()
        }
        vocabulary_path = generation.folder / VOCABULARY_FILE
        counts = json.loads(vocabulary_path.read_text("utf-8")) if vocabulary_path.is_file() else {}
        self.spelling = SpellingCorrector(counts)
        with database.session() as session:
            records = load_records(session)
        self.records: dict[int, SectionRecord] = {r.sid: r for r in records}
        self.sections_of: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self.sections_of[record.doc_id].append(record.sid)
        self._facet_bitmaps: dict[str, dict[tuple[str, str], np.ndarray]] = {}
        for name in self.vectors:
            self._bitmaps(name)

    def mask(self, name: str, filters: dict[str, list[str]]) -> np.ndarray | None:
        """Return the rows of a vector index whose sections pass the filters (None = all).

        OR within a facet, AND across facets, from bitmaps precomputed per facet value.
        """
        active = {facet: values for facet, values in filters.items() if values}
        if not active:
            return None
        bitmaps = self._bitmaps(name)
        size = len(self.vectors[name].sids)
        result = np.ones(size, dtype=bool)
        for facet, values in active.items():
            either = np.zeros(size, dtype=bool)
            for value in values:
                bitmap = bitmaps.get((facet, value))
                if bitmap is not None:
                    either |= bitmap
            result &= either
        return result

    def _bitmaps(self, name: str) -> dict[tuple[str, str], np.ndarray]:
        if name not in self._facet_bitmaps:
            sids = self.vectors[name].sids
            bitmaps: dict[tuple[str, str], np.ndarray] = {}
            for row, sid in enumerate(sids):
                record = self.records.get(int(sid))
                if record is None:
                    continue
                for facet in FACETS:
                    for value in record.facet_values(facet):
                        key = (facet, value)
                        if key not in bitmaps:
                            bitmaps[key] = np.zeros(len(sids), dtype=bool)
                        bitmaps[key][row] = True
            self._facet_bitmaps[name] = bitmaps
        return self._facet_bitmaps[name]

    def close(self) -> None:
        """Close the keyword index's files."""
        self.keyword.close()


def _passes(record: SectionRecord | None, active: dict[str, set[str]]) -> bool:
    if record is None:
        return False
    return all(active[facet] & set(record.facet_values(facet)) for facet in active)


class Searcher:
    """Answers searches over the serving index generation; reloads when a new one is published."""

    def __init__(
        self,
        database: Database,
        store: GenerationStore,
        embedders: dict[str, Embedder],
        weights: dict[str, float] | None = None,
    ) -> None:
        self.database = database
        self.store = store
        self.embedders = embedders
        self.weights = {**DEFAULT_WEIGHTS, **{name: 1.0 for name in embedders}, **(weights or {})}
        self._loaded: LoadedGeneration | None = None
        self._retired: LoadedGeneration | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Open the indexes and run each model once, so the first user does not wait."""
        for embedder in self.embedders.values():
            embedder.encode_queries(["warm up 预热"])
        try:
            self.indexes().keyword.search("warm up 预热")  # loads jieba's dictionary too
        except LookupError:
            pass  # no index yet: pages say how to build it

    def indexes(self) -> LoadedGeneration:
        """Return the open generation, reopening it if a newer one was published."""
        current = self.store.current_name()
        loaded = self._loaded
        if loaded is not None and loaded.name == current:
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded.name != self.store.current_name():
                fresh = LoadedGeneration(self.store, self.database, list(self.embedders))
                # Requests still running on the old generation keep using it; it is closed
                # one swap later, when no request can hold it any more.
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._loaded = self._loaded, fresh
            return self._loaded

    def legs_for(self, query: str, mode: str) -> list[str]:
        """Pick the legs of a query: keyword, and the embedders serving the query's language."""
        lang = "zh" if has_cjk(query) else "en"
        legs = [KEYWORD] if mode in ("hybrid", "keyword") else []
        if mode in ("hybrid", "semantic"):
            routed = [name for name, e in self.embedders.items() if lang in e.languages]
            legs += routed or (list(self.embedders) if mode == "semantic" else [])
        return legs

    def query_vectors(self, query: str, legs: list[str]) -> dict[str, np.ndarray]:
        """Embed the query once for each vector leg."""
        return {
            leg: self.embedders[leg].encode_queries([query])[0]
            for leg in legs
            if leg in self.embedders
        }

    def ranked_sections(
        self,
        query: str,
        vectors: dict[str, np.ndarray],
        filters: dict[str, list[str]],
        loaded: LoadedGeneration,
        limit: int = CANDIDATES,
    ) -> dict[str, list[int]]:
        """Run each leg with the filters applied inside it; return ranked section ids per leg.

        Vector hits below the embedder's similarity floor are dropped, so a query that means
        nothing to the knowledge base gets no results instead of the least-bad ones.
        """
        ranked: dict[str, list[int]] = {}
        if query:
            hits = loaded.keyword.search(query, filters, limit)
            ranked[KEYWORD] = [hit.sid for hit in hits if hit.sid in loaded.records]
        for leg, vector in vectors.items():
            if leg not in loaded.vectors:
                continue
            floor = getattr(self.embedders[leg], "min_similarity", 0.0)
            hits = loaded.vectors[leg].search(vector, limit, loaded.mask(leg, filters))
            ranked[leg] = [sid for sid, score in hits if score >= floor and sid in loaded.records]
        return {leg: sids for leg, sids in ranked.items() if sids}

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search request end to end."""
        started = time.perf_counter()
        mode = request.mode if request.mode in MODES else "hybrid"
        query = request.query.strip()
        filters = {k: list(v) for k, v in request.filters.items() if v}
        visibility = {} if request.include_unpublished else {"status": ["published"]}
        loaded = self.indexes()
        legs = self.legs_for(query, mode)
        if not query:
            return SearchResponse(query, mode, 0, [], {}, None, 0.0, legs)
        if "tag" in filters:
            filters["tag"] = [tag.lower() for tag in filters["tag"]]
        vectors = self.query_vectors(query, legs)
        keyword_query = query if KEYWORD in legs else ""
        ranked = self.ranked_sections(keyword_query, vectors, {**filters, **visibility}, loaded)
        groups = self._fuse(ranked, loaded)
        facet_groups = groups
        if filters:
            unfiltered = self.ranked_sections(keyword_query, vectors, visibility, loaded)
            facet_groups = self._fuse(unfiltered, loaded)
        facets = _facet_counts(facet_groups, loaded, filters)
        page = groups[request.offset : request.offset + request.limit]
        hits = self._hits(query if request.snippets else None, page, loaded)
        suggestion = loaded.spelling.suggest(query) if not has_cjk(query) else None
        took = (time.perf_counter() - started) * 1000
        if request.log:
            lang = "zh" if has_cjk(query) else "en"
            log_search(self.database, query, mode, lang, filters, len(groups), took)
        return SearchResponse(query, mode, len(groups), hits, facets, suggestion, took, legs)

    def _fuse(
        self, ranked: dict[str, list[int]], loaded: LoadedGeneration
    ) -> list[tuple[str, int, float, frozenset[str]]]:
        """Fuse the legs per document, then pick each document's best section.

        Documents are fused (not chunks): the keyword leg ranks whole sections and the vector
        legs rank chunks, so agreement between legs shows at the document level. The best
        section is chosen by the same fusion over (document, anchor) keys.
        Returns (doc id, section id, score, legs that found the document), best first.
        """
        doc_lists: dict[str, list[str]] = {}
        section_lists: dict[str, list[tuple[str, str]]] = {}
        representative: dict[tuple[str, str], int] = {}
        for leg, sids in ranked.items():
            docs: dict[str, None] = {}
            sections: dict[tuple[str, str], None] = {}
            for sid in sids:
                record = loaded.records[sid]
                key = (record.doc_id, record.anchor)
                docs.setdefault(record.doc_id, None)
                sections.setdefault(key, None)
                representative.setdefault(key, sid)
            doc_lists[leg], section_lists[leg] = list(docs), list(sections)
        best_section: dict[str, tuple[str, str]] = {}
        for key, _, _ in reciprocal_rank_fusion(section_lists, self.weights):
            best_section.setdefault(key[0], key)
        return [
            (doc_id, representative[best_section[doc_id]], score, legs)
            for doc_id, score, legs in reciprocal_rank_fusion(doc_lists, self.weights)
        ]

    def _hits(self, query: str | None, page, loaded: LoadedGeneration) -> list[SearchHit]:
        if not page:
            return []
        sids = [sid for _, sid, _, _ in page]
        with self.database.session() as session:
            sections = {
                row.id: row
                for row in session.scalars(select(SectionRow).where(SectionRow.id.in_(sids)))
            }
            docs = {
                row.id: row
                for row in session.scalars(
                    select(DocumentRow).where(DocumentRow.id.in_([d for d, _, _, _ in page]))
                )
            }
        terms = set(query_terms(query)) if query else set()
        hits = []
        for doc_id, sid, score, legs in page:
            section, doc = sections.get(sid), docs.get(doc_id)
            if section is None or doc is None:
                continue
            snippet, matched = highlight(section.text, terms) if query else ("", True)
            if not matched:
                snippet = best_sentence(section.text, query or "")
            hits.append(
                SearchHit(
                    id=doc_id,
                    path=doc.path,
                    url=document_url(doc_id, section.anchor),
                    anchor=section.anchor,
                    title=doc.title,
                    heading=section.heading if section.level else "",
                    snippet=snippet,
                    score=round(score, 6),
                    legs=sorted(legs),
                    kind=doc.kind,
                    lang=doc.lang,
                    summary=doc.summary,
                )
            )
        return hits

    def related(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """Return the nearest other documents, excluding the document itself and its translations."""
        loaded = self.indexes()
        own = loaded.sections_of.get(doc_id, [])
        if not own:
            return []
        lang = loaded.records[own[0]].lang
        excluded = {doc_id} | self._translations(doc_id)
        visibility = {"status": ["published"]}
        names = [n for n, e in self.embedders.items() if lang in e.languages] or list(
            self.embedders
        )
        ranked: dict[str, list[int]] = {}
        for name in names:
            index = loaded.vectors.get(name)
            if index is None:
                continue
            vectors = [v for v in (index.vector_of(sid) for sid in own) if v is not None]
            if not vectors:
                continue
            centroid = np.mean(vectors, axis=0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
            hits = index.search(centroid, CANDIDATES, loaded.mask(name, visibility))
            ranked[name] = [sid for sid, _ in hits if loaded.records[sid].doc_id not in excluded]
        if not ranked:
            title = loaded.records[own[0]].title
            hits = loaded.keyword.search(title, visibility, CANDIDATES)
            ranked[KEYWORD] = [h.sid for h in hits if loaded.records[h.sid].doc_id not in excluded]
        groups = self._fuse(ranked, loaded)[:limit]
        return self._hits("", groups, loaded)

    def _translations(self, doc_id: str) -> set[str]:
        with self.database.session() as session:
            own = session.get(DocumentRow, doc_id)
            linked = {own.translation_of} if own and own.translation_of else set()
            linked |= set(
                session.scalars(select(DocumentRow.id).where(DocumentRow.translation_of == doc_id))
            )
        return linked


def _facet_counts(groups, loaded: LoadedGeneration, filters: dict[str, list[str]]):
    """Count documents per facet value; each facet ignores its own filter (disjunctive facets)."""
    counts: dict[str, dict[str, int]] = {
        facet: defaultdict(int) for facet in FACETS if facet != "status"
    }
    for _, sid, _, _ in groups:
        record = loaded.records[sid]
        for facet in counts:
            others = {f: set(v) for f, v in filters.items() if f != facet and v}
            if _passes(record, others):
                for value in set(record.facet_values(facet)):
                    counts[facet][value] += 1
    return {
        facet: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for facet, values in counts.items()
    }
