"""The similar-lesson warning's JSON endpoint for the curator's editor (curators only, CSRF):
the published lessons most like the lesson being written."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from search.lessons.similar import DraftLesson, find_similar_lessons
from web.core.auth import CuratorDep
from web.core.csrf import verify_csrf
from web.core.deps import SearcherDep
from web.core.rate_limit import limit_similar

router = APIRouter(prefix="/curate", include_in_schema=False)
# What is compared is bounded: the body is only read for its driving event (the form as a whole
# is limited to 64 KiB before it is read).
MAX_TITLE, MAX_SUMMARY, MAX_BODY = 500, 4000, 16000


@router.post("/similar", dependencies=[Depends(verify_csrf), Depends(limit_similar)])
async def similar(
    user: CuratorDep,
    searcher: SearcherDep,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    doc_id: Annotated[str, Form()] = "",
    translation_of: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
):
    """Return {method, lessons: [{id, title, lang, summary, url, percent, level}], took_ms}."""
    draft = DraftLesson(
        title=title[:MAX_TITLE],
        summary=summary[:MAX_SUMMARY],
        body=body[:MAX_BODY],
        doc_id=doc_id[:200],
        translation_of=translation_of[:200],
        lang=lang if lang in ("zh", "en") else "en",
    )
    answer = await run_in_threadpool(find_similar_lessons, searcher, draft)
    return JSONResponse(answer.as_dict())
