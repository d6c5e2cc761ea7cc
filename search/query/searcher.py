"""The searcher: runs the legs, fuses them, filters, groups by document, snippets, facets, spelling."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kb.content.language import has_cjk
from kb.insights.querylog import QueryLog, SearchLogEntry
from search.embedders import Embedder
from search.index.generations import GenerationStore
from search.index.indexer import (
    GLOSSARY_FILE,
    KEYWORD_FOLDER,
    RECORDS_FILE,
    VOCABULARY_FILE,
    vector_file,
)
from search.index.keyword import KeywordIndex
from search.index.records import FACETS, SectionRecord, read_records
from search.index.semantic_preparation import READY, SemanticPreparation, SemanticStatus
from search.index.vectors import VectorIndex
from search.query.batching import BatchingQueryEncoder
from search.query.fusion import (
    Fused,
    LegRanking,
    doubt_from_coverage,
    language_rank,
    reciprocal_rank_fusion,
)
from search.query.intent import Intent, detect_intent
from search.query.routing import (
    GLOSSARY,
    GLOSSARY_MAX_SHARE,
    GLOSSARY_WEIGHT,
    KEYWORD,
    MODES,
    Leg,
    plan_legs,
    query_language,
)
from search.query.snippets import best_sentence, highlight
from search.text.analyzer import query_terms
from search.text.glossary import Glossary
from search.text.spelling import SpellingCorrector

CANDIDATES = 100
COVERAGE_HITS = 3  # the keyword leg's best sections that show how much of a question it holds
DEFAULT_WEIGHTS = {KEYWORD: 1.0, GLOSSARY: GLOSSARY_WEIGHT}
# A document of the kind the query names ("…的教训", "… template") has its score multiplied by
# this: enough to lift a relevant lesson above guides about lessons, not to bury other kinds.
INTENT_BOOST = 1.15
# A spelling correction replaces the query when its best keyword match scores this much higher.
CORRECTION_GAIN = 1.25
NO_DOCUMENT = "\x00"  # a document id that never exists: a filter that matches nothing


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
    autocorrect: bool = True


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


@dataclass(frozen=True)
class RankedDocument:
    """A document after fusion: its best section, score and the legs that found it."""

    doc_id: str
    sid: int
    score: float
    legs: frozenset[str]


def document_url(doc_id: str, anchor: str = "") -> str:
    """Return the web address of a document, with the section anchor if any."""
    return f"/docs/{doc_id}" + (f"#{anchor}" if anchor else "")


class LoadedGeneration:
    """The open indexes of one generation plus the per-section facet masks for filtering."""

    def __init__(self, store: GenerationStore, names: list[str], cache_size: int = 0) -> None:
        generation = store.current()
        if generation is None:
            raise LookupError("no search index yet: run `kb ingest` to build it")
        self.name = generation.name
        self.names = list(names)  # the embedders it was opened for
        self.keyword = KeywordIndex.open(generation.folder / KEYWORD_FOLDER, cache_size)
        self.vectors = {
            name: VectorIndex.load(generation.folder / vector_file(name))
            for name in names
            if (generation.folder / vector_file(name)).is_file()
        }
        self.glossary = Glossary.load(generation.folder / GLOSSARY_FILE)
        vocabulary_path = generation.folder / VOCABULARY_FILE
        counts = json.loads(vocabulary_path.read_text("utf-8")) if vocabulary_path.is_file() else {}
        self.spelling = SpellingCorrector(counts)
        # The generation's own records: search serves the snapshot the indexes were built from,
        # whatever an ingest or a publish is doing to the catalog meanwhile.
        records = read_records(generation.folder / RECORDS_FILE)
        self.records: dict[int, SectionRecord] = {r.sid: r for r in records}
        self.sections_of: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self.sections_of[record.doc_id].append(record.sid)
        self.langs = frozenset(record.lang for record in records)
        self.lang_of: dict[str, str] = {record.doc_id: record.lang for record in records}
        self.kind_of: dict[str, str] = {record.doc_id: record.kind for record in records}
        self.translation_group: dict[str, str] = {}
        for record in records:
            if record.translation_of:
                self.translation_group[record.doc_id] = record.translation_of
                self.translation_group.setdefault(record.translation_of, record.translation_of)
        # translation group → {language: published document}, to show a result in the query's language
        self.published_version: dict[str, dict[str, str]] = defaultdict(dict)
        for doc_id, group in self.translation_group.items():
            sids = self.sections_of.get(doc_id)
            if sids and self.records[sids[0]].status == "published":
                self.published_version[group][self.lang_of[doc_id]] = doc_id
        self.recurring = sorted({record.doc_id for record in records if record.recurring})
        self._facet_bitmaps: dict[str, dict[tuple[str, str], np.ndarray]] = {}
        for name in self.vectors:
            self._bitmaps(name)

    def keyword_filters(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """Return the filters as the keyword index takes them: `recurring` depends on other
        documents (unchanged sections are not re-indexed), so it becomes those documents' ids."""
        if "recurring" not in filters:
            return filters
        others = {facet: values for facet, values in filters.items() if facet != "recurring"}
        return {**others, "doc_id": self.recurring or [NO_DOCUMENT]}

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

    def plan(self, query: str, mode: str, loaded: LoadedGeneration | None = None) -> list[Leg]:
        """Pick the legs of a query and the document languages each one ranks (see routing)."""
        langs = loaded.langs if loaded is not None else None
        glossary = loaded.glossary if loaded is not None else None
        return plan_legs(query, mode, self.embedders, self.weights, langs, glossary)

    def legs_for(self, query: str, mode: str) -> list[str]:
        """Name the legs a query in this mode runs."""
        return [leg.name for leg in self.plan(query, mode)]

    def query_vectors(self, query: str, legs: list[Leg]) -> dict[str, np.ndarray]:
        """Embed the query once for each vector leg."""
        return {
            leg.name: self._encoders[leg.name].encode(query)
            for leg in legs
            if leg.name in self._encoders
        }

    def ranked_sections(
        self,
        query: str,
        legs: list[Leg],
        vectors: dict[str, np.ndarray],
        filters: dict[str, list[str]],
        loaded: LoadedGeneration,
        lang: str,
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
                leg_filters = _within_languages(filters, leg.reads, loaded.langs)
                terms = loaded.keyword.specific(leg.terms, GLOSSARY_MAX_SHARE)
                if query and terms and leg_filters is not None:
                    kept = loaded.keyword_filters(leg_filters)
                    hits = loaded.keyword.search(" ".join(terms), kept, limit)
                    ranked[GLOSSARY] = [hit.sid for hit in hits if hit.sid in loaded.records]
                continue
            if leg.name not in loaded.vectors or leg.name not in vectors:
                continue
            leg_filters = _within_languages(filters, leg.reads, loaded.langs)
            if leg_filters is None:
                continue
            embedder = self.embedders[leg.name]
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

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run a search request end to end."""
        started = time.perf_counter()
        mode = request.mode if request.mode in MODES else "hybrid"
        query = request.query.strip()
        filters = {k: list(v) for k, v in request.filters.items() if v}
        visibility = {} if request.include_unpublished else {"status": ["published"]}
        loaded = self.indexes()
        semantic = self.semantic_status()
        if not query:
            legs = self.legs_for(query, mode)
            return SearchResponse(query, mode, 0, [], {}, None, 0.0, legs, semantic=semantic)
        if "tag" in filters:
            filters["tag"] = [tag.lower() for tag in filters["tag"]]
        suggestion = loaded.spelling.suggest(query) if not has_cjk(query) else None
        corrected_from = None
        if suggestion and request.autocorrect and mode != "semantic":
            if self._clearly_better(suggestion, query, {**filters, **visibility}, loaded):
                corrected_from, query, suggestion = query, suggestion, None
        intent = detect_intent(query) if "kind" not in filters else None
        text = intent.rest if intent else query
        legs = self.plan(text, mode, loaded)
        vectors = self.query_vectors(text, legs)
        keyword_query = text if mode != "semantic" else ""
        lang = query_language(query)
        ranked = self.ranked_sections(
            keyword_query, legs, vectors, {**filters, **visibility}, loaded, lang
        )
        shown_lang = "" if "lang" in filters else lang
        fused = self._fuse(
            ranked, legs, loaded, intent, _keyword_doubt(keyword_query, ranked, loaded)
        )
        groups = _one_per_translation(fused, loaded, shown_lang)
        facet_groups = fused  # facets count both versions of a translated document
        if filters:
            unfiltered = self.ranked_sections(
                keyword_query, legs, vectors, visibility, loaded, lang
            )
            doubt = _keyword_doubt(keyword_query, unfiltered, loaded)
            facet_groups = self._fuse(unfiltered, legs, loaded, intent, doubt)
        facets = _facet_counts(facet_groups, loaded, filters)
        page = groups[request.offset : request.offset + request.limit]
        hits = self._hits(text if request.snippets else None, page, loaded)
        took = (time.perf_counter() - started) * 1000
        if request.log and self.query_log is not None:
            entry = SearchLogEntry(request.query.strip(), mode, lang, filters, len(groups), took)
            self.query_log.record(entry)
        return SearchResponse(
            query,
            mode,
            len(groups),
            hits,
            facets,
            suggestion,
            took,
            [leg.name for leg in legs],
            corrected_from=corrected_from,
            intent=intent.kind if intent else None,
            semantic=semantic,
        )

    def _clearly_better(
        self, suggestion: str, query: str, filters: dict[str, list[str]], loaded: LoadedGeneration
    ) -> bool:
        """Tell whether the corrected query's best keyword match clearly beats the typo's."""
        filters = loaded.keyword_filters(filters)
        fixed = loaded.keyword.search(suggestion, filters, 1)
        if not fixed:
            return False
        typo = loaded.keyword.search(query, filters, 1)
        return not typo or fixed[0].score >= CORRECTION_GAIN * typo[0].score

    def _fuse(
        self,
        ranked: dict[str, list[int]],
        legs: list[Leg],
        loaded: LoadedGeneration,
        intent: Intent | None = None,
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
                sections = {
                    k: r for k, r in sections.items() if loaded.lang_of[k[0]] in leg.counts_for
                }
            weight = leg.weight
            doubt = keyword_doubt if name == KEYWORD else 0.0
            doc_rankings.append(LegRanking(name, weight, list(docs.items()), leg.sees, doubt))
            section_rankings.append(
                LegRanking(name, weight, list(sections.items()), leg.sees, doubt)
            )
        best_section: dict[str, tuple[str, str]] = {}
        for entry in reciprocal_rank_fusion(section_rankings, lambda key: loaded.lang_of[key[0]]):
            best_section.setdefault(entry.item[0], entry.item)
        fused = reciprocal_rank_fusion(doc_rankings, loaded.lang_of.__getitem__)
        if intent is not None:
            fused = _boost_kind(fused, intent.kind, loaded)
        return [
            RankedDocument(e.item, representative[best_section[e.item]], e.score, e.legs)
            for e in fused
        ]

    def _hits(
        self, query: str | None, page: list[RankedDocument], loaded: LoadedGeneration
    ) -> list[SearchHit]:
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

    def related(self, doc_id: str, limit: int = 5) -> list[SearchHit]:
        """Return the nearest other documents, excluding the document itself and its translations."""
        loaded = self.indexes()
        own = loaded.sections_of.get(doc_id, [])
        if not own:
            return []
        lang = loaded.records[own[0]].lang
        group = loaded.translation_group.get(doc_id)
        excluded = {doc_id} | {d for d, g in loaded.translation_group.items() if g == group}
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
        legs = [Leg(name, self.weights.get(name, 1.0), None, None) for name in ranked]
        groups = _one_per_translation(self._fuse(ranked, legs, loaded), loaded, lang)[:limit]
        return self._hits("", groups, loaded)


def _keyword_doubt(query: str, ranked: dict[str, list[int]], loaded: LoadedGeneration) -> float:
    """Return how sure the keyword leg is that the question is answered in its own language.

    That is how much of the question its best few sections cover (`doubt_from_coverage`).
    """
    best = ranked.get(KEYWORD, [])[:COVERAGE_HITS]
    if not query or not best:
        return 0.0
    return doubt_from_coverage(loaded.keyword.coverage(query, best))


def _within_languages(
    filters: dict[str, list[str]], reads: frozenset[str] | None, corpus: frozenset[str]
) -> dict[str, list[str]] | None:
    """Add a language filter for a model that reads only some languages (None: nothing left)."""
    if reads is None or corpus <= reads:
        return filters
    langs = [lang for lang in filters.get("lang", sorted(corpus)) if lang in reads]
    return {**filters, "lang": langs} if langs else None


def _boost_kind(fused: list[Fused[str]], kind: str, loaded: LoadedGeneration) -> list[Fused[str]]:
    """Multiply the scores of documents of the named kind, keeping the others in the list."""
    boosted = [
        Fused(e.item, e.score * INTENT_BOOST, e.legs) if loaded.kind_of[e.item] == kind else e
        for e in fused
    ]
    return sorted(boosted, key=lambda e: -e.score)


def _one_per_translation(
    ranked: list[RankedDocument], loaded: LoadedGeneration, query_lang: str
) -> list[RankedDocument]:
    """Keep one document of each translation pair, in the query's language when it has one.

    The kept one takes the better score of the two; a version swapped in opens at its top.
    Without a query language (a language filter is set) the better-scored one is kept.
    """
    kept: dict[str, int] = {}
    out: list[RankedDocument] = []
    for entry in ranked:
        group = loaded.translation_group.get(entry.doc_id)
        if group is None:
            out.append(entry)
            continue
        if group not in kept:
            kept[group] = len(out)
            same_language = loaded.published_version[group].get(query_lang)
            if same_language and loaded.lang_of[entry.doc_id] != query_lang:
                first_section = loaded.sections_of[same_language][0]
                entry = RankedDocument(same_language, first_section, entry.score, entry.legs)
            out.append(entry)
            continue
        first = out[kept[group]]
        if (
            loaded.lang_of[first.doc_id] != query_lang
            and loaded.lang_of[entry.doc_id] == query_lang
        ):
            out[kept[group]] = RankedDocument(
                entry.doc_id, entry.sid, first.score, entry.legs | first.legs
            )
    return out


def _facet_counts(
    groups: list[RankedDocument], loaded: LoadedGeneration, filters: dict[str, list[str]]
):
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
