"""Training pages: catalogue, module, one step per page with its quiz, certificates, team view."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from kb.accounts import Role
from kb.content.markdown import render_html
from kb.store.database import Database
from kb.training import certificates, progress, team
from kb.training.modules import Catalogue, Module, load_catalogue
from web.core.auth import CuratorDep, OptionalUserDep, UserDep
from web.core.charts import bar_chart
from web.core.csrf import verify_csrf
from web.core.deps import DatabaseDep, LangDep, LessonsBesideDep, get_settings
from web.core.http_errors import TranslatedHTTPException
from web.core.i18n import N_, translator
from web.core.render import page
from web.training.views import (
    CertificatePage,
    ModulePage,
    StepPage,
    module_links,
    outline,
    question_views,
)

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)


def load(database: Database) -> Catalogue:
    """Return the published training catalogue."""
    with database.reading() as session:
        return load_catalogue(session)


def find_module(catalogue: Catalogue, module_id: str) -> Module:
    """Return a module or raise 404."""
    module = catalogue.get(module_id)
    if module is None:
        raise TranslatedHTTPException(
            404, N_("There is no training module '%(id)s'."), id=module_id
        )
    return module


def submit_answer(
    database: Database,
    user,
    catalogue: Catalogue,
    module: Module,
    number: int,
    question: int,
    choice: int,
    nonce: str | None,
) -> progress.AnswerResult:
    """Record an answer, or refuse it with the HTTP error that says why (locked 403, no such
    step or question 404, an invalid choice 400) — for the page and the JSON API alike."""
    try:
        return progress.submit_answer(
            database, user, catalogue, module, number, question, choice, nonce
        )
    except progress.ModuleLocked as locked:
        titles = ", ".join(catalogue.title(m) for m in locked.missing)
        message = N_("This module is locked: complete %(titles)s first.")
        raise TranslatedHTTPException(403, message, titles=titles) from None
    except LookupError as error:
        raise HTTPException(404, str(error)) from None
    except ValueError as error:
        raise HTTPException(400, str(error)) from None


@router.get("/training")
def catalogue_page(request: Request, database: DatabaseDep, user: OptionalUserDep, lang: LangDep):
    """The catalogue: every module with its objectives, time, prerequisites and, signed in, status."""
    catalogue = load(database)
    modules = catalogue.in_lang(lang) or catalogue.in_lang(None)
    by_id = {}
    if user:
        by_id = {p.module.id: p for p in progress.learner_progress(database, user.id, catalogue)}
    rows = [
        {
            "module": m,
            "progress": by_id.get(m.id),
            "prerequisites": module_links(catalogue, m.prerequisites),
            "missing": module_links(catalogue, by_id[m.id].missing if m.id in by_id else []),
        }
        for m in modules
    ]
    can_see_team = bool(user and user.has_role(Role.CURATOR))
    return page(request, "training/catalogue.html", {"rows": rows, "can_see_team": can_see_team})


@router.get("/training/team")
def team_page(request: Request, database: DatabaseDep, user: CuratorDep, lang: LangDep):
    """Team view for curators and admins: completion, average scores, weakest questions."""
    catalogue = load(database)
    report = team.team_report(database, catalogue)
    chart = bar_chart(
        [
            (
                q.text,
                q.wrong,
                translator(lang).gettext("%(wrong)s wrong of %(n)s", wrong=q.wrong, n=q.attempts),
            )
            for q in report.weak_questions
        ],
        totals=[q.attempts for q in report.weak_questions],
    )
    return page(
        request,
        "training/team.html",
        {"report": report, "chart": chart, "modules": list(catalogue.modules.values())},
    )


@router.get("/training/{module_id}")
def module_page(request: Request, module_id: str, database: DatabaseDep, user: OptionalUserDep):
    """A module's overview: objectives, prerequisites, outline, progress and where to resume."""
    catalogue = load(database)
    module = find_module(catalogue, module_id)
    state = mine = None
    if user:
        mine, state = progress.progress_in(database, user.id, catalogue, module)
    context = ModulePage(
        module=module,
        progress=mine,
        outline=outline(module, mine, None),
        prerequisites=module_links(catalogue, module.prerequisites),
        missing=module_links(catalogue, mine.missing if mine else []),
    )
    return page(request, "training/module.html", context)


@router.get("/training/{module_id}/resume")
def resume(module_id: str, database: DatabaseDep, user: UserDep):
    """Go to the step the learner left off at (the first step for a new learner)."""
    catalogue = load(database)
    module = find_module(catalogue, module_id)
    mine, _ = progress.progress_in(database, user.id, catalogue, module)
    return RedirectResponse(f"/training/{quote(module.id)}/{mine.resume_step}", status_code=303)


@router.get("/training/{module_id}/certificate")
def certificate_page(request: Request, module_id: str, database: DatabaseDep, user: UserDep):
    """The learner's printable certificate for a completed module."""
    with database.session() as session:
        certificate = certificates.certificate_for(session, user.id, module_id)
    if certificate is None:
        raise TranslatedHTTPException(
            404, N_("You have no certificate for this module yet: complete it first.")
        )
    return page(request, "training/certificate.html", _certificate_context(request, certificate))


def _certificate_context(
    request: Request, certificate: certificates.Certificate | None, code: str = ""
) -> CertificatePage:
    if certificate is None:
        return CertificatePage(None, code=code)
    site = get_settings(request).site_url  # never the request's Host header
    verify_url = f"{site}/certificates/{certificate.code}"
    return CertificatePage(certificate, verify_url, code)


@router.get("/training/{module_id}/{number}")
def step_page(
    request: Request,
    module_id: str,
    number: int,
    database: DatabaseDep,
    user: OptionalUserDep,
    lessons_beside: LessonsBesideDep,
    lang: LangDep,
):
    """One step: its text, quiz with feedback, previous/next and the module outline beside it."""
    catalogue = load(database)
    module = find_module(catalogue, module_id)
    step = module.step(number)
    if step is None:
        raise TranslatedHTTPException(
            404, N_("Module '%(id)s' has no step %(n)s."), id=module_id, n=number
        )
    mine = state = None
    if user:
        progress.record_visit(database, user, catalogue, module, number)
        mine, state = progress.progress_in(database, user.id, catalogue, module)
    numbers = [s.number for s in module.steps]
    index = numbers.index(number)
    context = StepPage(
        module=module,
        step=step,
        html=render_html(step.body),
        progress=mine,
        outline=outline(module, mine, number),
        questions=question_views(step, state, user),
        previous=numbers[index - 1] if index > 0 else None,
        next=numbers[index + 1] if index + 1 < len(numbers) else None,
        position=index + 1,
        missing=module_links(catalogue, mine.missing if mine else []),
        answered=request.query_params.get("answered", ""),
        lessons=lessons_beside.for_page(step.doc_id, lang),  # its phases and areas
    )
    return page(request, "training/step.html", context)


@router.post("/training/{module_id}/{number}/answer", dependencies=[Depends(verify_csrf)])
def answer(
    module_id: str,
    number: int,
    database: DatabaseDep,
    user: UserDep,
    question: Annotated[int, Form(ge=1, le=100)],
    choice: Annotated[int, Form(ge=1, le=100)],
    nonce: Annotated[str, Form(max_length=64)] = "",
):
    """Record an answer (once per form), then show the step again with the feedback."""
    catalogue = load(database)
    module = find_module(catalogue, module_id)
    submit_answer(database, user, catalogue, module, number, question, choice, nonce)
    target = f"/training/{quote(module.id)}/{number}?answered={question}#question-{question}"
    return RedirectResponse(target, status_code=303)


@public_router.get("/certificates/{code}")
def verify_page(request: Request, code: str, database: DatabaseDep):
    """Public verification of a certificate by its code."""
    with database.session() as session:
        certificate = certificates.verify(session, code)
    return page(
        request,
        "training/verify.html",
        _certificate_context(request, certificate, code),
        status_code=200 if certificate else 404,
    )
