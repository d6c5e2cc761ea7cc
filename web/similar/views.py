"""View helper of the similar-lesson warning on the review page."""

from __future__ import annotations

from ingest import editor
from search.lessons.similar import DraftLesson, SimilarAnswer, find_similar_lessons
from search.query.searcher import Searcher


def draft_lesson(doc_id: str, draft: editor.Draft) -> DraftLesson:
    """Return what the similar-lesson lookup compares, from a document's working copy."""
    fields = draft.fields
    return DraftLesson(
        title=str(fields.get("title") or ""),
        summary=str(fields.get("summary") or ""),
        body=draft.body,
        doc_id=doc_id,
        translation_of=str(fields.get("translation_of") or ""),
        lang=str(fields.get("lang") or "en"),
    )


def similar_for_review(
    searcher: Searcher, doc_id: str, draft: editor.Draft
) -> SimilarAnswer | None:
    """Return the published lessons like a lesson under review (None for other kinds)."""
    if draft.fields.get("kind") != "lesson":
        return None
    return find_similar_lessons(searcher, draft_lesson(doc_id, draft))
