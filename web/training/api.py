"""The training JSON API: modules, the signed-in learner's progress, certificate verification."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Security
from pydantic import BaseModel, Field

from kb.content.schema import MAX_CHOICES
from kb.content.taxonomy import Lang
from kb.training import certificates, progress
from kb.training.modules import Module, Question, feedback
from kb.training.progress import Answer, ModuleProgress
from web.core.api_docs import SESSION_COOKIE, error_responses
from web.core.auth import UserDep
from web.core.deps import DatabaseDep
from web.training.routes import find_module, load, submit_answer

router = APIRouter(prefix="/api/training", tags=["training"], responses=error_responses(401, 503))
public_router = APIRouter(
    prefix="/api/certificates", tags=["training"], responses=error_responses(503)
)
signed_in = [Security(SESSION_COOKIE)]  # documents the sign-in; UserDep checks it


class StepOut(BaseModel):
    """A step of a module (quiz answers are not revealed)."""

    number: int
    id: str
    title: str
    questions: int
    url: str


class ModuleOut(BaseModel):
    """A training module."""

    id: str
    title: str
    lang: str
    summary: str
    objectives: list[str]
    prerequisites: list[str]
    estimated_minutes: int
    pass_mark: int
    translation_of: str | None
    url: str
    steps: list[StepOut]


class ProgressOut(BaseModel):
    """The signed-in learner's standing in one module.

    score is the share (%) of the module's questions whose latest answer is correct; the module
    is completed when every step is done and the score reaches pass_mark.
    """

    module_id: str
    status: str
    steps_done: list[int]
    steps_total: int
    percent: int
    score: int
    correct: int
    answered: int = Field(description="Questions answered at least once (correct or not).")
    questions: int
    pass_mark: int
    missing_prerequisites: list[str]
    resume_url: str
    certificate_code: str | None
    certificate_url: str | None


class FeedbackOut(BaseModel):
    """The feedback on the learner's latest answer to a question.

    After a wrong answer: `hint` (when the question has one) and which choice was picked. The
    `explanation`, which usually gives the answer away, is empty until the answer is right or
    after the second attempt (`revealed`) — the same rule as the web page.
    """

    correct: bool
    choice: int
    chosen: str
    attempts: int
    hint: str
    explanation: str
    revealed: bool


class QuestionOut(BaseModel):
    """A quiz question of a step (never its answer), with the learner's feedback if answered."""

    number: int
    question: str
    choices: list[str]
    feedback: FeedbackOut | None


class AnswerIn(BaseModel):
    """One answer to a quiz question."""

    choice: int = Field(
        ge=1,
        le=MAX_CHOICES,
        description=f"The chosen option, counting from 1 (a question has 2 to {MAX_CHOICES}).",
    )
    nonce: str = Field(
        "", max_length=64, description="Any unique string: sending it again records nothing new."
    )


class AnswerOut(FeedbackOut):
    """The feedback on the answer just given, and whether it completed the module."""

    question: int
    module_completed: bool
    certificate_code: str | None


class CertificateOut(BaseModel):
    """A verified certificate."""

    code: str
    learner: str
    module_id: str
    module_title: str
    score: int
    issued_at: dt.datetime


def _module_out(module: Module) -> ModuleOut:
    return ModuleOut(
        id=module.id,
        title=module.title,
        lang=module.lang,
        summary=module.summary,
        objectives=list(module.objectives),
        prerequisites=list(module.prerequisites),
        estimated_minutes=module.estimated_minutes,
        pass_mark=module.pass_mark,
        translation_of=module.translation_of,
        url=f"/training/{module.id}",
        steps=[
            StepOut(
                number=s.number,
                id=s.doc_id,
                title=s.title,
                questions=len(s.questions),
                url=f"/training/{module.id}/{s.number}",
            )
            for s in module.steps
        ],
    )


def _progress_out(item: ModuleProgress) -> ProgressOut:
    module, cert = item.module, item.certificate
    return ProgressOut(
        module_id=module.id,
        status=item.status.value,
        steps_done=list(item.done_steps),
        steps_total=len(module.steps),
        percent=item.percent,
        score=item.score.percent,
        correct=item.score.correct,
        answered=item.answered,
        questions=item.score.total,
        pass_mark=module.pass_mark,
        missing_prerequisites=list(item.missing),
        resume_url=f"/training/{module.id}/{item.resume_step}",
        certificate_code=cert.code if cert else None,
        certificate_url=f"/certificates/{cert.code}" if cert else None,
    )


@router.get("/modules", response_model=list[ModuleOut], responses=error_responses(422))
def api_modules(database: DatabaseDep, lang: Lang | None = None):
    """The published training modules in course order (of one language, if given)."""
    catalogue = load(database)
    return [_module_out(m) for m in catalogue.in_lang(lang.value if lang else None)]


@router.get("/modules/{module_id}", response_model=ModuleOut, responses=error_responses(404, 422))
def api_module(module_id: str, database: DatabaseDep):
    """One training module with its steps."""
    return _module_out(find_module(load(database), module_id))


@router.get(
    "/progress",
    response_model=list[ProgressOut],
    responses=error_responses(422),
    dependencies=signed_in,
)
def api_progress(database: DatabaseDep, user: UserDep, lang: Lang | None = None):
    """The signed-in learner's progress in every module (401 when not signed in)."""
    catalogue = load(database)
    items = progress.learner_progress(database, user.id, catalogue, lang.value if lang else None)
    return [_progress_out(item) for item in items]


@router.get(
    "/progress/{module_id}",
    response_model=ProgressOut,
    responses=error_responses(404, 422),
    dependencies=signed_in,
)
def api_module_progress(module_id: str, database: DatabaseDep, user: UserDep):
    """The signed-in learner's progress in one module."""
    catalogue = load(database)
    mine, _ = progress.progress_in(database, user.id, catalogue, find_module(catalogue, module_id))
    return _progress_out(mine)


@public_router.get("/{code}", response_model=CertificateOut, responses=error_responses(404, 422))
def api_verify(code: str, database: DatabaseDep):
    """Verify a certificate by its code (public)."""
    with database.session() as session:
        cert = certificates.verify(session, code)
    if cert is None:
        raise HTTPException(404, "No certificate has this verification code.")
    return CertificateOut(
        code=cert.code,
        learner=cert.learner_name,
        module_id=cert.module_id,
        module_title=cert.module_title,
        score=cert.score,
        issued_at=cert.issued_at,
    )


def _feedback_out(question: Question, answer: Answer | None) -> FeedbackOut | None:
    if answer is None:
        return None
    given = feedback(question, answer.choice, answer.correct, answer.attempts)
    return FeedbackOut(**vars(given), revealed=given.revealed)


def _step_of(module: Module, number: int):
    step = module.step(number)
    if step is None:
        raise HTTPException(404, f"Module '{module.id}' has no step {number}.")
    return step


@router.get(
    "/modules/{module_id}/steps/{number}/quiz",
    response_model=list[QuestionOut],
    responses=error_responses(404, 422),
    dependencies=signed_in,
)
def api_quiz(module_id: str, number: int, database: DatabaseDep, user: UserDep):
    """A step's quiz questions, with the feedback on the signed-in learner's latest answers."""
    module = find_module(load(database), module_id)
    step = _step_of(module, number)
    state = progress.learner_state(database, user.id)
    return [
        QuestionOut(
            number=q.number,
            question=q.text,
            choices=list(q.choices),
            feedback=_feedback_out(q, state.answers.get(q.key)),
        )
        for q in step.questions
    ]


@router.post(
    "/modules/{module_id}/steps/{number}/questions/{question}/answer",
    response_model=AnswerOut,
    responses=error_responses(400, 403, 404, 413, 422),
    dependencies=signed_in,
)
def api_answer(
    module_id: str, number: int, question: int, body: AnswerIn, database: DatabaseDep, user: UserDep
):
    """Answer a quiz question (JSON only); the feedback follows the rule of FeedbackOut."""
    catalogue = load(database)
    module = find_module(catalogue, module_id)
    result = submit_answer(
        database, user, catalogue, module, number, question, body.choice, body.nonce or None
    )
    latest = progress.learner_state(database, user.id).answers[result.question.key]
    given = _feedback_out(result.question, latest)
    cert = result.certificate
    return AnswerOut(
        **given.model_dump(),
        question=question,
        module_completed=cert is not None,
        certificate_code=cert.code if cert else None,
    )
