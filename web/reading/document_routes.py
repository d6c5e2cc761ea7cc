"""Document pages, template downloads and "was this helpful?" feedback."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kb.content.markdown import render_html, table_of_contents
from kb.content.model import Document
from kb.content.taxonomy import Kind, Status
from kb.insights.feedback import record_feedback
from kb.store import catalog
from search.query.page_marks import mark_query
from web.actions.views import lesson_panel
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, LangDep, LessonsBesideDep, SearcherDep
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_
from web.core.rate_limit import limit_feedback
from web.core.render import page
from web.reading.views import DocumentPage, metadata_rows

router = APIRouter(include_in_schema=False)


def published_document(database, doc_id: str) -> Document:
    """Return a published document or raise 404 (drafts are not shown to readers)."""
    with database.reading() as session:
        document = catalog.get(session, doc_id)
    if document is None or document.status != Status.PUBLISHED:
        raise TranslatedHTTPException(
            404, N_("No published document has the id '%(id)s'."), id=doc_id
        )
    return document


@router.get("/docs/{doc_id:path}")
def document_page(
    request: Request,
    doc_id: str,
    database: DatabaseDep,
    searcher: SearcherDep,
    lang: LangDep,
    lessons_beside: LessonsBesideDep,
):
    """A document: rendered body, contents, metadata, other language, related, feedback; a
    guide of a phase also shows the lessons learned of its phase and areas."""
    document = published_document(database, doc_id)
    with database.reading() as session:
        other = catalog.translation_id(session, document)
        module_title = catalog.titles(session, [document.module_id]).get(document.module_id or "")
        lesson = lesson_panel(session, document, dt.date.today())
    try:
        related = searcher.related(doc_id)
    except LookupError:
        related = []
    query = request.query_params.get("q", "")[:500]
    body, marks = mark_query(render_html(document.body), query)
    return page(
        request,
        "reading/document.html",
        DocumentPage(
            doc=document,
            html=body,
            toc=table_of_contents(document.body),
            meta_rows=metadata_rows(document, lang),
            other_lang_id=other,
            related=related,
            module_title=module_title,
            thanked=request.query_params.get("thanks") == "1",
            from_query=query,
            marks=marks,
            lesson=lesson,
            lessons=lessons_beside.for_page(doc_id, lang)
            if document.kind == Kind.GUIDE and document.phases
            else [],
        ),
    )


@router.api_route("/download/{doc_id:path}", methods=["GET", "HEAD"])
def download(doc_id: str, database: DatabaseDep):
    """Download a document (a template: the blank form) as a Markdown file."""
    document = published_document(database, doc_id)
    text = f"# {document.title}\n\n{document.body.strip()}\n"
    filename = doc_id.replace("/", "-") + ".md"
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.post(
    "/feedback/{doc_id:path}", dependencies=[Depends(verify_csrf), Depends(limit_feedback)]
)
def feedback(
    doc_id: str,
    database: DatabaseDep,
    helpful: Annotated[str, Form(pattern="^(yes|no)$")],
    comment: Annotated[str, Form(max_length=2000)] = "",
    query: Annotated[str, Form(max_length=500)] = "",
):
    """Store a "was this helpful?" vote and go back to the document."""
    published_document(database, doc_id)
    record_feedback(database, doc_id, helpful == "yes", comment, query)
    return RedirectResponse(f"/docs/{quote(doc_id)}?thanks=1#feedback", status_code=303)
