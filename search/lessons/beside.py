"""Lessons at the moment of need: the published lessons most relevant to a training step or a
guide, shown beside its text — lessons of the same phase and knowledge area, ranked by how
near their text is to the page's (stored vectors: a page view runs no model). Answers are
cached per index generation, which changes whenever the catalog does."""

from __future__ import annotations

from dataclasses import dataclass

from search.index.serving import LoadedGeneration
from search.lessons.neighbours import (
    centroid,
    multilingual_legs,
    nearest_lessons,
    one_per_translation,
    translation_group,
)
from search.lru import LRUCache
from search.query.page import document_url
from search.query.searcher import Searcher

PHASE_MATCH = 0.10  # added to the similarity of a lesson of the page's phase
AREA_MATCH = 0.05  # … and of a lesson sharing a knowledge area
LIMIT = 4
CACHE_SIZE = 1024


@dataclass(frozen=True)
class BesideLesson:
    """A lesson to show beside a page, with why it is there (phase, areas, similar text)."""

    id: str
    title: str
    lang: str
    summary: str
    url: str
    phases: tuple[str, ...]
    areas: tuple[str, ...]
    similar: bool


@dataclass(frozen=True)
class _Lesson:
    doc_id: str
    phases: frozenset[str]
    areas: frozenset[str]


class LessonsBeside:
    """Finds (and remembers, per generation) the lessons to show beside a page."""

    def __init__(self, searcher: Searcher, cache_size: int = CACHE_SIZE) -> None:
        self.searcher = searcher
        self._cache = LRUCache(cache_size)

    def for_page(
        self,
        doc_id: str,
        lang: str,
        phases: tuple[str, ...] = (),
        areas: tuple[str, ...] = (),
        limit: int = LIMIT,
    ) -> list[BesideLesson]:
        """Return up to `limit` lessons for a page: of its phases and areas (the document's
        own when not given), nearest text first; [] before the first index is built."""
        try:
            loaded = self.searcher.indexes()
        except LookupError:
            return []
        # per generation, and per vector legs open in it (the semantic ones may come later)
        key = (loaded.name, tuple(sorted(loaded.vectors)), doc_id, lang, phases, areas, limit)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._find(loaded, doc_id, lang, phases, areas, limit)
            self._cache.put(key, cached)
        return cached

    def _find(
        self,
        loaded: LoadedGeneration,
        doc_id: str,
        lang: str,
        phases: tuple[str, ...],
        areas: tuple[str, ...],
        limit: int,
    ) -> list[BesideLesson]:
        own = loaded.sections_of.get(doc_id, [])
        if own:  # what is not given is the page's own (a step has its module's)
            record = loaded.records[own[0]]
            phases, areas = phases or record.phases, areas or record.areas
        wanted_phases, wanted_areas = set(phases), set(areas)
        excluded = translation_group(loaded, doc_id)
        similarity: dict[str, float] = {}
        embedders = self.searcher.embedders  # one view of them: the models may still be loading
        for name in multilingual_legs(embedders, loaded) if own else []:
            vector = centroid(loaded, name, doc_id)
            if vector is None:
                continue
            floor = getattr(embedders[name], "min_similarity", 0.0)
            for lesson, score in nearest_lessons(loaded, name, vector, excluded, floor).items():
                similarity[lesson] = max(score, similarity.get(lesson, -1.0))
        scores: dict[str, float] = {}
        matched: dict[str, _Lesson] = {}
        for lesson in _published_lessons(loaded):
            if lesson.doc_id in excluded:
                continue
            phase_hit = bool(lesson.phases & wanted_phases)
            area_hit = bool(lesson.areas & wanted_areas)
            if not (phase_hit or area_hit):
                continue  # a lesson of another phase and area is not for this page
            bonus = PHASE_MATCH * phase_hit + AREA_MATCH * area_hit
            scores[lesson.doc_id] = similarity.get(lesson.doc_id, 0.0) + bonus
            matched[lesson.doc_id] = lesson
        out = []
        for lesson_id, _ in one_per_translation(scores, loaded, lang)[:limit]:
            record = loaded.records[loaded.sections_of[lesson_id][0]]
            lesson = matched.get(lesson_id) or _lesson(loaded, lesson_id)
            out.append(
                BesideLesson(
                    id=lesson_id,
                    title=record.title,
                    lang=record.lang,
                    summary=record.summary,
                    url=document_url(lesson_id),
                    phases=tuple(p for p in record.phases if p in wanted_phases),
                    areas=tuple(a for a in record.areas if a in wanted_areas),
                    similar=lesson_id in similarity or _partner_similar(loaded, lesson, similarity),
                )
            )
        return out


def _lesson(loaded: LoadedGeneration, doc_id: str) -> _Lesson:
    record = loaded.records[loaded.sections_of[doc_id][0]]
    return _Lesson(doc_id, frozenset(record.phases), frozenset(record.areas))


def _published_lessons(loaded: LoadedGeneration) -> list[_Lesson]:
    """Return the generation's published lessons with their phases and areas."""
    lessons = []
    for doc_id, sids in loaded.sections_of.items():
        record = loaded.records[sids[0]]
        if record.kind == "lesson" and record.status == "published":
            lessons.append(_lesson(loaded, doc_id))
    return lessons


def _partner_similar(
    loaded: LoadedGeneration, lesson: _Lesson, similarity: dict[str, float]
) -> bool:
    """Tell whether the lesson's translation was the one found similar (one is shown for both)."""
    return any(d in similarity for d in translation_group(loaded, lesson.doc_id))
