"""Curator pages under /curate: editor, upload, workflow, history and diffs, dashboard, audit log.

Every route checks the role on the server (CuratorDep / AdminDep) and every post checks CSRF;
the work is done by ingest.editor, kb.curation.workflow, ingest.publish, kb.curation.revisions and kb.insights.analytics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ingest import editor
from ingest.build import default_id
from ingest.frontmatter import FrontMatterError, split_front_matter
from ingest.publish import PublishError, approve, unpublish
from ingest.reader import ReadError, decode_markdown, file_too_large
from kb.content.ids import InvalidId
from kb.content.markdown import render_html
from kb.content.markdown.skeleton import template_skeleton
from kb.content.meta import TemplateMeta
from kb.content.problems import Severity
from kb.content.taxonomy import Kind
from kb.curation import workflow
from kb.curation.revisions import get_revision, side_by_side, unified_diff
from kb.insights import actions as lesson_actions
from kb.insights import analytics
from kb.store import catalog
from kb.store.audit import recent_events
from kb.store.hidden import LISTED as HIDDEN_LISTED
from kb.store.hidden import hidden_documents
from web.core.auth import AdminDep, CuratorDep
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, DocId, LangDep, PublisherDep, SearcherDep, SettingsDep
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_
from web.core.render import page
from web.curate.views import (
    editor_context,
    form_values,
    preview_html,
    problems_json,
    trend_chart,
)
from web.similar.views import similar_for_review

router = APIRouter(prefix="/curate", include_in_schema=False)
CSRF = [Depends(verify_csrf)]


def _doc_url(doc_id: str, **query: str) -> str:
    suffix = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return f"/curate/doc/{quote(doc_id)}" + (f"?{suffix}" if suffix else "")


def _kinds(database) -> dict[str, str]:
    """The catalog's {id: kind}: what a lesson's `recurs` and action links may name."""
    with database.reading() as session:
        return catalog.kinds(session)


def _head(database, settings, doc_id: str) -> tuple[workflow.State, str]:
    found = workflow.head_text(database, doc_id, settings.content)
    if found is None:
        raise TranslatedHTTPException(404, N_("There is no document or draft '%(id)s'."), id=doc_id)
    return found


@router.get("")
def dashboard(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep):
    """Drafts and reviews, content problems, search analytics, stale content, feedback."""
    problems = request.app.state.problems_cache.problems(settings.content, settings.max_file_bytes)
    with database.reading() as session:
        open_actions = lesson_actions.actions(session, dt.date.today())
        hidden = hidden_documents(session)
    context = {
        "open_actions": len(open_actions),
        "overdue_actions": sum(1 for item in open_actions if item.overdue),
        "drafts": workflow.states(database, workflow.DRAFT),
        "reviews": workflow.states(database, workflow.IN_REVIEW),
        "unpublish_requests": workflow.unpublish_requests(database),
        "problems": problems,
        "error_count": sum(1 for p in problems if p.severity == Severity.ERROR),
        "top": analytics.top_queries(database),
        "zero": analytics.zero_result_queries(database),
        "unhelpful": analytics.unhelpful_queries(database),
        "chart": trend_chart(analytics.search_trend(database)),
        "stale": analytics.stale_documents(database, settings.stale_months),
        "stale_months": settings.stale_months,
        "feedback": analytics.feedback_by_document(database),
        "hidden": hidden,
        "hidden_listed": HIDDEN_LISTED,
    }
    return page(request, "curate/dashboard.html", context)


@router.get("/docs")
def documents(request: Request, user: CuratorDep, database: DatabaseDep):
    """Every catalogued document and every draft, to open in the editor."""
    with database.session() as session:
        rows = catalog.list_documents(session)
    states = workflow.states(
        database, workflow.DRAFT, workflow.IN_REVIEW, workflow.ARCHIVED, workflow.PUBLISHED
    )
    in_catalog = {row.id for row in rows}
    return page(
        request,
        "curate/documents.html",
        {"rows": rows, "others": [s for s in states if s.doc_id not in in_catalog]},
    )


@router.get("/new")
def new_document(request: Request, user: CuratorDep, database: DatabaseDep, template: str = ""):
    """The editor for a new document, empty or started from a template."""
    fields: dict = {"kind": "guide", "lang": "en", "owner": user.name}
    body, guidance, source = "", [], None
    if template:
        with database.session() as session:
            source = catalog.get(session, template)
        if source is None or source.kind != "template":
            raise TranslatedHTTPException(404, N_("There is no template '%(id)s'."), id=template)
        # A clean skeleton: the sections to fill; the template's guidance beside the editor;
        # none of the template's own metadata (phase, area, tags, owner), only the kind it makes.
        creates = source.meta.creates if isinstance(source.meta, TemplateMeta) else Kind.GUIDE
        fields.update(kind=creates.value, lang=source.lang)
        if fields["kind"] == "lesson":
            fields["date"] = dt.date.today().isoformat()
        started = template_skeleton(source.body)
        body = started.body
        guidance = [(g.heading, render_html(g.markdown)) for g in started.guidance]
    draft = editor.Draft(fields, "", body)
    context = editor_context(
        draft, checked=False, template=template, guidance=guidance, template_doc=source
    )
    return page(request, "curate/editor.html", context)


@router.get("/edit/{doc_id:path}")
def edit_document(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId):  # fmt: skip
    """The editor for an existing document's working copy."""
    state, text = _head(database, settings, doc_id)
    context = editor_context(
        editor.decompose(text), doc_id=doc_id, base=state.head, rel=state.path or None,
        max_bytes=settings.max_file_bytes, kinds=_kinds(database),
    )  # fmt: skip
    return page(request, "curate/editor.html", context)


@router.post("/check", dependencies=CSRF)
async def check(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep, lang: LangDep):  # fmt: skip
    """Live validation and preview for the editor (JSON); the work runs in a worker thread."""
    values = form_values(await request.form())
    work = _check_form, values, settings.max_file_bytes, lang, database
    return JSONResponse(await run_in_threadpool(*work))


def _check_form(values: dict, max_bytes: int, lang: str, database) -> dict:
    draft = editor.from_form(values)
    text = editor.compose(draft)
    result = editor.check(text, max_bytes=max_bytes, for_review=True, kinds=_kinds(database))
    html = preview_html(draft.body, max_bytes)
    return {"html": html, "problems": problems_json(result, lang), "ok": not result.has_errors}


@router.post("/save", dependencies=CSRF)
async def save(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep):
    """Save the editor as a draft revision — or show problems, a preview, or an edit conflict."""
    values = form_values(await request.form())
    return await run_in_threadpool(_save, request, user.username, database, settings, values)


def _save(request: Request, author: str, database, settings, values: dict):
    """The save itself: validation, preview and the database work (in a worker thread)."""
    draft = editor.from_form(values)
    doc_id = str(values.get("doc_id") or "")
    if doc_id:
        draft.fields["id"] = doc_id
    try:
        base = int(str(values.get("base") or "0") or 0)
    except ValueError:
        message = N_("The form's base revision is not a number; reload the editor.")
        raise TranslatedHTTPException(422, message) from None
    message = str(values.get("message") or "")[:500]
    common = {"doc_id": doc_id, "base": base, "message": message}
    common["max_bytes"] = settings.max_file_bytes
    common["kinds"] = _kinds(database)
    target = doc_id or str(draft.fields.get("id") or "")
    if values.get("action") == "preview" or not target:
        return page(request, "curate/editor.html", editor_context(draft, **common))
    text = editor.compose(draft)
    size = len(text.encode("utf-8"))
    if size > settings.max_file_bytes:
        error = file_too_large("", size, settings.max_file_bytes)
        context = editor_context(draft, **common, error=f"{error.message}; {error.hint}")
        return page(request, "curate/editor.html", context, status_code=422)
    title = str(draft.fields.get("title") or target)
    try:
        workflow.save_draft(
            database, settings.content, target, text, title=title, author=author,
            base=base, message=message, create=not doc_id,
        )  # fmt: skip
    except workflow.EditConflict as conflict:
        context = editor_context(draft, **{**common, "base": conflict.head})
        context["conflict"] = side_by_side(conflict.head_text, text)
        return page(request, "curate/editor.html", context, status_code=409)
    except workflow.WorkflowError as error:
        context = editor_context(draft, **common, error=str(error))
        return page(request, "curate/editor.html", context, status_code=409)
    except InvalidId as error:
        context = editor_context(draft, **common, error=f"id: {error}")
        return page(request, "curate/editor.html", context, status_code=422)
    if values.get("action") == "submit":
        return _submit_saved(request, author, database, settings, draft, target, text)
    return RedirectResponse(_doc_url(target, saved="1"), status_code=303)


def _submit_saved(request: Request, author: str, database, settings, draft, target: str, text: str):
    """Send a just-saved draft for review, or show the editor again with why it cannot go."""
    state = workflow.get_state(database, target, settings.content)
    rel = (state.path if state else None) or None
    kinds = _kinds(database)
    result = editor.check(text, rel, settings.max_file_bytes, for_review=True, kinds=kinds)
    common = {
        "doc_id": target,
        "base": state.head if state else 0,
        "max_bytes": settings.max_file_bytes,
        "kinds": kinds,
    }
    try:
        workflow.submit(database, settings.content, target, author, result.has_errors)
    except workflow.WorkflowError as error:
        context = editor_context(draft, **common, error=str(error))
        return page(request, "curate/editor.html", context, status_code=409)
    return RedirectResponse(_doc_url(target, done="1"), status_code=303)


@router.get("/doc/{doc_id:path}")
def document(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep, searcher: SearcherDep, doc_id: DocId):  # fmt: skip
    """A document's workflow page: state, working copy preview, problems, similar published
    lessons (for a lesson) and the next steps."""
    state, text = _head(database, settings, doc_id)
    draft = editor.decompose(text)
    result = editor.check(
        text, state.path or None, settings.max_file_bytes, for_review=True, kinds=_kinds(database)
    )
    with database.session() as session:
        head = get_revision(session, doc_id, state.head)
    own = user.username in (state.submitted_by, head.author if head else "")
    pending = workflow.unpublish_request(database, doc_id)
    return page(
        request,
        "curate/document.html",
        {
            "state": state,
            "head": head,
            "draft": draft,
            "html": preview_html(draft.body, settings.max_file_bytes),
            "problems": result.problems,
            "has_errors": result.has_errors,
            "may_approve": settings.self_approval or not own,
            "unpublish_request": pending,
            "may_unpublish": pending is not None
            and (settings.self_approval or pending.requested_by != user.username),
            "unpublished": workflow.last_unpublish(database, doc_id)
            if state.state == workflow.ARCHIVED
            else None,
            "flash": request.query_params.get("done") or request.query_params.get("saved"),
            "saved": request.query_params.get("saved") == "1",
            "similar": similar_for_review(searcher, doc_id, draft),
        },
    )


def _step(doc_id: str, action):
    try:
        action()
    except (workflow.WorkflowError, PublishError) as error:
        raise HTTPException(409, str(error)) from None
    return RedirectResponse(_doc_url(doc_id, done="1"), status_code=303)


@router.post("/submit/{doc_id:path}", dependencies=CSRF)
def submit(user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId):
    """Send a draft for review."""
    state, text = _head(database, settings, doc_id)
    checked = editor.check(
        text, state.path or None, settings.max_file_bytes, for_review=True, kinds=_kinds(database)
    )
    errors = checked.has_errors
    root = settings.content
    return _step(doc_id, lambda: workflow.submit(database, root, doc_id, user.username, errors))


@router.post("/approve/{doc_id:path}", dependencies=CSRF)
def approve_and_publish(
    user: CuratorDep,
    publisher: PublisherDep,
    doc_id: DocId,
    revision: Annotated[int, Form(ge=1)],
    message: Annotated[str, Form()] = "",
):
    """Approve the revision the reviewer saw and publish it (not one's own change)."""
    return _step(doc_id, lambda: approve(publisher, doc_id, user.username, message[:500], revision))


@router.post("/reject/{doc_id:path}", dependencies=CSRF)
def reject(user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId, note: Annotated[str, Form()] = ""):  # fmt: skip
    """Return a document in review to its author as a draft."""
    root = settings.content
    return _step(doc_id, lambda: workflow.reject(database, root, doc_id, user.username, note))


@router.post("/unpublish/{doc_id:path}", dependencies=CSRF)
def request_unpublish(user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId, reason: Annotated[str, Form()] = ""):  # fmt: skip
    """Ask for a published document to be unpublished; another curator reviews the request."""
    root, who = settings.content, user.username
    return _step(doc_id, lambda: workflow.request_unpublish(database, root, doc_id, who, reason))


@router.post("/approve-unpublish/{doc_id:path}", dependencies=CSRF)
def approve_unpublish(
    user: CuratorDep, publisher: PublisherDep, doc_id: DocId, message: Annotated[str, Form()] = ""
):
    """Approve a request to unpublish (not one's own): archived, file kept, history kept."""
    return _step(doc_id, lambda: unpublish(publisher, doc_id, user.username, message[:500]))


@router.post("/decline-unpublish/{doc_id:path}", dependencies=CSRF)
def decline_unpublish(user: CuratorDep, database: DatabaseDep, doc_id: DocId, note: Annotated[str, Form()] = ""):  # fmt: skip
    """Turn down a request to unpublish: the document stays published."""
    who = user.username
    return _step(doc_id, lambda: workflow.decline_unpublish(database, doc_id, who, note[:500]))


@router.get("/history/{doc_id:path}")
def history(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId):  # fmt: skip
    """A document's revisions, with a form to diff any two and buttons to restore one."""
    state, _ = _head(database, settings, doc_id)
    revisions = workflow.list_revisions(database, doc_id)
    return page(request, "curate/history.html", {"state": state, "revisions": revisions})


@router.get("/diff/{doc_id:path}")
def diff(request: Request, user: CuratorDep, database: DatabaseDep, doc_id: DocId, a: int, b: int, view: str = "split"):  # fmt: skip
    """The differences between two revisions, side by side or unified."""
    with database.session() as session:
        old, new = get_revision(session, doc_id, a), get_revision(session, doc_id, b)
    if old is None or new is None:
        raise TranslatedHTTPException(
            404,
            N_("'%(id)s' has no revision %(n)s."),
            id=doc_id,
            n=a if old is None else b,
        )
    context = {"doc_id": doc_id, "old": old, "new": new, "view": view}
    if view == "unified":
        context["lines"] = unified_diff(old.text, new.text, f"r{a}", f"r{b}")
    else:
        context["rows"] = side_by_side(old.text, new.text)
    return page(request, "curate/diff.html", context)


@router.post("/restore/{doc_id:path}", dependencies=CSRF)
def restore(user: CuratorDep, database: DatabaseDep, settings: SettingsDep, doc_id: DocId, revision: Annotated[int, Form()]):  # fmt: skip
    """Make an old revision the working copy again (a new draft revision)."""
    root = settings.content
    return _step(doc_id, lambda: workflow.restore(database, root, doc_id, revision, user.username))


@dataclass
class UploadResult:
    """What became of one uploaded file: the draft's id, or why it was not saved."""

    name: str
    ok: bool = False
    doc_id: str = ""
    problems: list[str] = field(default_factory=list)
    exists: bool = False  # the id is taken: saved only when the upload is confirmed


@router.get("/upload")
def upload_form(request: Request, user: CuratorDep):
    """The upload form for one or more .md files."""
    return page(request, "curate/upload.html", {"results": []})


@router.post("/upload", dependencies=CSRF)
async def upload(request: Request, user: CuratorDep, database: DatabaseDep, settings: SettingsDep):
    """Validate uploaded .md files and save each as a draft; existing ones only when confirmed."""
    form = await request.form()
    replace = form.get("replace") == "yes"
    items = [
        item for item in form.getlist("files") if isinstance(item, UploadFile) and item.filename
    ]
    results = await run_in_threadpool(
        lambda: [_upload_one(item, replace, user.username, database, settings) for item in items]
    )
    status = 200 if all(r.ok for r in results) and results else 422
    return page(request, "curate/upload.html", {"results": results}, status_code=status)


def _upload_one(item: UploadFile, replace: bool, author: str, database, settings) -> UploadResult:
    """Check and save one uploaded file (blocking: called in a worker thread)."""
    name = item.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    result = UploadResult(name)
    raw = item.file.read(settings.max_file_bytes + 1)
    if not name.endswith(".md") or len(raw) > settings.max_file_bytes:
        result.problems = [f"only .md files up to {settings.max_file_bytes:,} bytes"]
        return result
    try:
        text = decode_markdown(raw, name)
        data = split_front_matter(text, name).data
    except (ReadError, FrontMatterError) as error:
        result.problems = [error.problem.message]
        return result
    doc_id = str(data.get("id") or default_id(name).replace("/", "-"))
    if not data.get("id"):
        rest = text[4:] if text.startswith("---\n") else f"---\n{text}"
        text = f"---\nid: {doc_id}\n{rest}"
    result.doc_id = doc_id
    checked = editor.check(text, max_bytes=settings.max_file_bytes, kinds=_kinds(database))
    result.problems = [f"{p.line}: {p.message}" for ps in checked.problems.values() for p in ps]
    if checked.has_errors:
        return result
    state = workflow.get_state(database, doc_id, settings.content)
    if state is not None and not replace:
        result.exists = True
        return result
    title = str(data.get("title") or doc_id)
    try:
        workflow.save_draft(
            database, settings.content, doc_id, text, title=title, author=author,
            base=state.head if state else 0, message=f"uploaded {name}", source="upload",
            create=state is None,
        )  # fmt: skip
    except (workflow.WorkflowError, workflow.EditConflict, InvalidId) as error:
        result.problems.append(str(error))
        return result
    result.ok = True
    return result


@router.get("/audit")
def audit(request: Request, user: AdminDep, database: DatabaseDep):
    """The audit log (admins only)."""
    with database.session() as session:
        events = recent_events(session, 500)
    return page(request, "curate/audit.html", {"events": events})
