"""The similar-lesson warning: the published lessons nearest a lesson being written, in either
language, so a duplicate becomes an update or a recurrence instead of a new page.

The draft's title, summary and driving event are encoded once by the multilingual leg (the
model is already loaded) and looked up among lesson chunks; without a semantic index the
keyword leg answers, and says so."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

from kb.content.schema import LESSON_SECTIONS
from search.lessons.neighbours import (
    LESSON_FILTERS,
    multilingual_legs,
    nearest_lessons,
    one_per_translation,
    translation_group,
)
from search.query.page import document_url
from search.query.routing import Leg
from search.query.searcher import Searcher

MAX_PROBE_CHARS = 2000  # what is encoded: title, summary and the start of the driving event
MAX_KEYWORD_CHARS = 300
SEMANTIC, KEYWORD, NONE = "semantic", "keyword", "none"
# Similarity (cosine of the multilingual model) → what it means to a curator. Measured with
# use-multilingual on the shipped lessons (2026-12-02): a lesson's own text as a new draft
# 0.82–0.98; the same lesson written in the other language 0.61–0.82; different lessons about
# the same failure (scope creep / a slow change board, two compressed UATs) 0.55–0.73; other
# lessons, mostly of the same phase, 0.40–0.55.
LEVELS = ((0.75, "same"), (0.60, "close"), (0.0, "related"))
HEADING = re.compile(r"^#{1,6}\s*(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class DraftLesson:
    """What the curator has written so far, and which document (and translation) it is."""

    title: str = ""
    summary: str = ""
    body: str = ""
    doc_id: str = ""
    translation_of: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class SimilarLesson:
    """A published lesson like the draft: its similarity as a percentage and a level."""

    id: str
    title: str
    lang: str
    summary: str
    url: str
    percent: int | None  # None when found by shared words (no comparable similarity)
    level: str  # same | close | related | words


@dataclass
class SimilarAnswer:
    """The lessons found, how (semantic, keyword, or none: no index yet) and how long it took."""

    method: str
    lessons: list[SimilarLesson] = field(default_factory=list)
    took_ms: float = 0.0

    def as_dict(self) -> dict:
        """Return the answer as JSON-ready data."""
        return {
            "method": self.method,
            "lessons": [asdict(lesson) for lesson in self.lessons],
            "took_ms": round(self.took_ms, 2),
        }


def driving_event(body: str) -> str:
    """Return the text of the body's driving-event section (either language), or ''."""
    names = {name.casefold() for name in LESSON_SECTIONS["driving_event"]}
    lines, inside = [], False
    for line in body.splitlines():
        match = HEADING.match(line)
        if match:
            if inside:
                break
            inside = match.group(1).casefold() in names
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines).strip()


def probe_text(draft: DraftLesson) -> str:
    """Return the text that stands for the draft: title, summary and driving event."""
    parts = [draft.title.strip(), draft.summary.strip(), driving_event(draft.body)]
    return "\n".join(part for part in parts if part)[:MAX_PROBE_CHARS]


def level_of(similarity: float) -> str:
    """Name how similar a lesson is (same / close / related) from its cosine similarity."""
    return next(name for floor, name in LEVELS if similarity >= floor)


def find_similar_lessons(searcher: Searcher, draft: DraftLesson, limit: int = 3) -> SimilarAnswer:
    """Return the published lessons most like the draft, excluding the draft itself and its
    translations; semantic when a multilingual index is ready, else by shared words."""
    started = time.perf_counter()
    probe = probe_text(draft)
    if not probe:
        return SimilarAnswer(SEMANTIC)
    try:
        loaded = searcher.indexes()
    except LookupError:
        return SimilarAnswer(NONE)
    excluded = translation_group(loaded, draft.doc_id, draft.translation_of)
    embedders = searcher.embedders  # one view of them: the models may still be loading
    legs = multilingual_legs(embedders, loaded)
    scores: dict[str, float] = {}
    method = KEYWORD
    vectors = searcher.query_vectors(probe, [Leg(name, 1.0, None, None) for name in legs])
    legs = [name for name in legs if name in vectors]  # a model still loading has no encoder
    if legs:
        method = SEMANTIC
        for name in legs:
            floor = getattr(embedders[name], "min_similarity", 0.0)
            for doc_id, score in nearest_lessons(
                loaded, name, vectors[name], excluded, floor
            ).items():
                scores[doc_id] = max(score, scores.get(doc_id, -1.0))
    else:
        words = re.sub(r"[^\w\s]+", " ", f"{draft.title} {draft.summary}")[:MAX_KEYWORD_CHARS]
        for hit in loaded.keyword.search(words, LESSON_FILTERS, 50) if words.strip() else []:
            record = loaded.records.get(hit.sid)
            if record is not None and record.doc_id not in excluded:
                scores[record.doc_id] = max(hit.score, scores.get(record.doc_id, 0.0))
    lessons = []
    for doc_id, score in one_per_translation(scores, loaded, draft.lang)[:limit]:
        record = loaded.records[loaded.sections_of[doc_id][0]]
        semantic = method == SEMANTIC
        lessons.append(
            SimilarLesson(
                id=doc_id,
                title=record.title,
                lang=record.lang,
                summary=record.summary,
                url=document_url(doc_id),
                percent=round(max(score, 0.0) * 100) if semantic else None,
                level=level_of(score) if semantic else "words",
            )
        )
    return SimilarAnswer(method, lessons, (time.perf_counter() - started) * 1000)
