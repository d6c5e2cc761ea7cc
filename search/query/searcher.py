"""The searcher: holds the serving generation and the query encoders, and runs a query through
the pipeline's stages, each once — plan → legs → fuse → re-rank → page — then logs it.

The request and response types are the pipeline's own (plan.py, page.py); they are named here
too, as the one place callers import search from.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from kb.insights.querylog import QueryLog, SearchLogEntry
from search.embedders import Embedder
from search.index.generations import GenerationStore
from search.index.semantic_preparation import READY, SemanticPreparation, SemanticStatus
from search.index.serving import LoadedGeneration
from search.query.batching import BatchingQueryEncoder
from search.query.fuse import fuse
from search.query.legs import query_vectors, run_legs
from search.query.page import SearchHit, SearchResponse, document_url, make_page
from search.query.plan import SearchRequest, plan_query
from search.query.related import related_documents
from search.query.rerank import rerank
from search.query.routing import GLOSSARY, GLOSSARY_WEIGHT, KEYWORD, MODES, Leg

__all__ = [
    "MODES",
    "SearchHit",
    "SearchRequest",
    "SearchResponse",
    "Searcher",
    "document_url",
]

DEFAULT_WEIGHTS = {KEYWORD: 1.0, GLOSSARY: GLOSSARY_WEIGHT}


class Searcher:
    """Answers searches over the serving index generation; reloads when a new one is published."""

    def __init__(
        self,
        store: GenerationStore,
        embedders: dict[str, Embedder],
        weights: dict[str, float] | None = None,
        query_log: QueryLog | None = None,
        cache_size: int = 0,
    ) -> None:
        self.query_log = query_log
        self.cache_size = cache_size
        self.store = store
        self._weights = weights or {}
        self._loaded: LoadedGeneration | None = None
        self._retired: LoadedGeneration | None = None
        self._lock = threading.Lock()
        self._encoders: dict[str, BatchingQueryEncoder] = {}
        self.embedders: dict[str, Embedder] = {}
        self.weights: dict[str, float] = {}
        self.preparation: SemanticPreparation | None = None  # set while models load elsewhere
        self.use_embedders(embedders)

    def use_embedders(self, embedders: dict[str, Embedder]) -> None:
        """Serve the vector legs of these embedders from now on (the models arrive after start)."""
        encoders = {
            name: BatchingQueryEncoder(e, cache_size=self.cache_size)
            for name, e in embedders.items()
        }
        for embedder in embedders.values():
            embedder.encode_queries(["warm up 预热"])
        previous = self._encoders
        self.weights = {**DEFAULT_WEIGHTS, **{name: 1.0 for name in embedders}, **self._weights}
        self._encoders = encoders
        self.embedders = dict(embedders)
        for encoder in previous.values():
            encoder.close()

    def semantic_status(self) -> SemanticStatus | None:
        """Return the preparation's status while semantic search is not ready, else None."""
        if self.preparation is None:
            return None
        status = self.preparation.status()
        return None if status.state == READY else status

    def close(self) -> None:
        """Write the pending query log, stop the query encoders and close the open indexes."""
        if self.query_log is not None:
            self.query_log.close()
        for encoder in self._encoders.values():
            encoder.close()
        for loaded in (self._loaded, self._retired):
            if loaded is not None:
                loaded.close()

    def warm_up(self) -> None:
        """Open the indexes (and jieba), so the first user does not wait; models warm up when
        they are handed over (use_embedders)."""
        try:
            self.indexes().keyword.search("warm up 预热")  # loads jieba's dictionary too
        except LookupError:
            pass  # no index yet: pages say how to build it

    def indexes(self) -> LoadedGeneration:
        """Return the open generation, reopening it if a newer one was published."""
        current = self.store.current_name()
        loaded = self._loaded
        names = list(self.embedders)
        if loaded is not None and loaded.name == current and loaded.names == names:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is None or (loaded.name, loaded.names) != (self.store.current_name(), names):
                fresh = LoadedGeneration(self.store, names, self.cache_size)
                # Requests still running on the old generation keep using it; it is closed
                # one swap later, when no request can hold it any more.
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._loaded = self._loaded, fresh
            return self._loaded

    def query_vectors(self, query: str, legs: list[Leg]) -> dict[str, np.ndarray]:
        """Embed the query once for each vector leg."""
        return query_vectors(self._encoders, query, legs)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search request end to end."""
        started = time.perf_counter()
        loaded = self.indexes()
        semantic = self.semantic_status()
        plan = plan_query(request, loaded, self.embedders, self.weights)
        if not plan.query:
            legs = plan.leg_names
            return SearchResponse(
                plan.query, plan.mode, 0, [], {}, None, 0.0, legs, semantic=semantic
            )
        hits = run_legs(plan, loaded, self._encoders)
        ranking = rerank(fuse(hits, plan, loaded), plan, loaded)
        page = make_page(request, plan, ranking, loaded)
        took = (time.perf_counter() - started) * 1000
        if request.log and self.query_log is not None:
            query = request.query.strip()
            entry = SearchLogEntry(query, plan.mode, plan.lang, plan.filters, page.total, took)
            self.query_log.record(entry)
        return SearchResponse(
            plan.query,
            plan.mode,
            page.total,
            page.hits,
            page.facets,
            plan.suggestion,
            took,
            plan.leg_names,
            corrected_from=plan.corrected_from,
            intent=plan.intent.kind if plan.intent else None,
            semantic=semantic,
        )

    def related(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """Return the nearest other documents, excluding the document itself and its translations."""
        return related_documents(self.indexes(), self.embedders, self.weights, doc_id, limit)
