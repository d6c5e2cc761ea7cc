"""Learners' progress: steps opened, quiz answers (latest and every attempt), and completion.

Every write is idempotent and happens in one transaction per answer: the attempt log is keyed by
a per-form nonce (a double-submitted form is recorded once), the latest answer by (learner,
question) and the visit by (learner, step). Records are keyed by stable ids (module id, step
document id, question key), never by row positions, so editing content later erases nothing.

Each public function takes the Database and opens its own unit of work; the helpers that take a
Session are private.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.accounts import User
from kb.store.database import Base, Database, utcnow
from kb.store.dialect import upsert_insert
from kb.training import certificates
from kb.training.certificates import Certificate
from kb.training.modules import (
    Catalogue,
    Module,
    Question,
    Score,
    Status,
    answered,
    is_complete,
    missing_prerequisites,
    score,
    steps_done,
)


class StepVisitRow(Base):
    """A learner opened a step (first and last time)."""

    __tablename__ = "training_step_visits"
    __table_args__ = (UniqueConstraint("user_id", "step_doc_id", name="uq_visit_user_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(200), index=True)
    step_doc_id: Mapped[str] = mapped_column(String(300))
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnswerRow(Base):
    """A learner's latest answer to one question, and how many times they answered it."""

    __tablename__ = "training_answers"
    __table_args__ = (UniqueConstraint("user_id", "question_key", name="uq_answer_user_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(200), index=True)
    question_key: Mapped[str] = mapped_column(String(320))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AttemptRow(Base):
    """Every answer ever given (for the team view); the nonce makes a resubmitted form a no-op."""

    __tablename__ = "training_attempts"
    __table_args__ = (UniqueConstraint("user_id", "nonce", name="uq_attempt_user_nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(200), index=True)
    question_key: Mapped[str] = mapped_column(String(320), index=True)
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    nonce: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ModuleLocked(Exception):
    """The module's prerequisites are not complete; `missing` names them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"Complete these modules first: {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True)
class Answer:
    """A learner's latest answer to a question."""

    choice: int
    correct: bool
    attempts: int


@dataclass
class LearnerState:
    """Everything recorded for one learner: steps opened, latest answers, certificates."""

    seen: set[str] = field(default_factory=set)
    last_step: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    @property
    def latest(self) -> dict[str, bool]:
        """Return {question key: latest answer correct}."""
        return {key: answer.correct for key, answer in self.answers.items()}


@dataclass(frozen=True)
class ModuleProgress:
    """Where one learner stands in one module."""

    module: Module
    status: Status
    done_steps: tuple[int, ...]
    score: Score
    missing: tuple[str, ...]
    resume_step: int
    certificate: Certificate | None
    answered: int = 0  # questions answered at least once (the score counts the right ones)

    @property
    def percent(self) -> int:
        """The share of steps done, as a whole percentage (100 once completed)."""
        if self.status is Status.COMPLETED or not self.module.steps:
            return 100 if self.status is Status.COMPLETED else 0
        return len(self.done_steps) * 100 // len(self.module.steps)


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of one submitted answer."""

    question: Question
    choice: int
    correct: bool
    duplicate: bool
    certificate: Certificate | None


def new_nonce() -> str:
    """Return a fresh nonce for a quiz form (resubmitting the same form records nothing new)."""
    return secrets.token_urlsafe(16)


def learner_state(database: Database, user_id: int) -> LearnerState:
    """Load what is recorded for one learner."""
    with database.session() as session:
        return _learner_state(session, user_id)


def _learner_state(session: Session, user_id: int) -> LearnerState:
    state = LearnerState(certificates=certificates.completed_modules(session, user_id))
    visits = session.scalars(
        select(StepVisitRow).where(StepVisitRow.user_id == user_id).order_by(StepVisitRow.last_at)
    )
    for visit in visits:
        state.seen.add(visit.step_doc_id)
        state.last_step[visit.module_id] = visit.step_doc_id
        state.touched.add(visit.module_id)
    for row in session.scalars(select(AnswerRow).where(AnswerRow.user_id == user_id)):
        state.answers[row.question_key] = Answer(row.choice, row.correct, row.attempts)
        state.touched.add(row.module_id)
    return state


def module_progress(catalogue: Catalogue, module: Module, state: LearnerState) -> ModuleProgress:
    """Work out one module's status, done steps, score and resume point from a learner's state."""
    done = steps_done(module, state.seen, state.latest)
    certificate = state.certificates.get(module.id)
    missing = missing_prerequisites(catalogue, module, set(state.certificates))
    if certificate:
        status = Status.COMPLETED
    elif missing:
        status = Status.LOCKED
    elif module.id in state.touched:
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_STARTED
    by_doc = {step.doc_id: step.number for step in module.steps}
    first_open = next((s.number for s in module.steps if s.number not in done), None)
    resume = by_doc.get(state.last_step.get(module.id, ""), first_open)
    resume = resume or (module.steps[0].number if module.steps else 1)
    return ModuleProgress(
        module,
        status,
        tuple(done),
        score(module, state.latest),
        tuple(missing),
        resume,
        certificate,
        answered(module, state.latest),
    )


def learner_progress(
    database: Database, user_id: int, catalogue: Catalogue, lang: str | None = None
) -> list[ModuleProgress]:
    """Return the learner's progress in every module (of one language, if given)."""
    state = learner_state(database, user_id)
    return [module_progress(catalogue, m, state) for m in catalogue.in_lang(lang)]


def progress_in(
    database: Database, user_id: int, catalogue: Catalogue, module: Module
) -> tuple[ModuleProgress, LearnerState]:
    """Return the learner's progress in one module and their recorded state."""
    state = learner_state(database, user_id)
    return module_progress(catalogue, module, state), state


def _touch_step(session: Session, user_id: int, module_id: str, step_doc_id: str) -> None:
    now = utcnow()
    statement = upsert_insert(session, StepVisitRow).values(
        user_id=user_id, module_id=module_id, step_doc_id=step_doc_id, first_at=now, last_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "step_doc_id"], set_={"last_at": now}
        )
    )


def _complete_if_done(
    session: Session, user: User, catalogue: Catalogue, module: Module
) -> Certificate | None:
    state = _learner_state(session, user.id)
    if module.id in state.certificates:
        return state.certificates[module.id]
    if missing_prerequisites(catalogue, module, set(state.certificates)):
        raise ModuleLocked(missing_prerequisites(catalogue, module, set(state.certificates)))
    if not is_complete(module, state.seen, state.latest):
        return None
    percent = score(module, state.latest).percent
    return certificates.issue(session, user.id, user.name, module.id, module.title, percent)


def record_visit(
    database: Database, user: User, catalogue: Catalogue, module: Module, step_number: int
) -> Certificate | None:
    """Record that the learner opened a step (nothing when the module is locked)."""
    step = module.step(step_number)
    if step is None:
        raise LookupError(f"Module {module.id} has no step {step_number}.")
    try:
        with database.session() as session:
            _touch_step(session, user.id, module.id, step.doc_id)
            return _complete_if_done(session, user, catalogue, module)
    except ModuleLocked:
        return None


def submit_answer(
    database: Database,
    user: User,
    catalogue: Catalogue,
    module: Module,
    step_number: int,
    question_number: int,
    choice: int,
    nonce: str | None = None,
) -> AnswerResult:
    """Record one answer in one transaction and complete the module when it is done.

    Raises LookupError for an unknown step or question, ValueError for a choice out of range
    and ModuleLocked when the prerequisites are not complete. A nonce already used by this
    learner records nothing new and returns the first submission's result.
    """
    step = module.step(step_number)
    if step is None or not 1 <= question_number <= len(step.questions):
        raise LookupError(f"Module {module.id} has no question {step_number}.{question_number}.")
    question = step.questions[question_number - 1]
    correct = question.is_correct(choice)
    nonce = (nonce or new_nonce())[:64]
    now = utcnow()
    with database.session() as session:
        # Write first, so the transaction holds the write lock before it reads anything.
        inserted = session.execute(
            upsert_insert(session, AttemptRow)
            .values(
                user_id=user.id,
                module_id=module.id,
                question_key=question.key,
                choice=choice,
                correct=correct,
                nonce=nonce,
                at=now,
            )  # fmt: skip
            .on_conflict_do_nothing(index_elements=["user_id", "nonce"])
            .returning(AttemptRow.id)  # a row back only if inserted (rowcount is dialect-specific)
        ).first()
        if inserted:
            statement = upsert_insert(session, AnswerRow).values(
                user_id=user.id, module_id=module.id, question_key=question.key,
                choice=choice, correct=correct, attempts=1, updated_at=now,
            )  # fmt: skip
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id", "question_key"],
                    set_={
                        "choice": choice,
                        "correct": correct,
                        "attempts": AnswerRow.attempts + 1,
                        "updated_at": now,
                    },
                )
            )
            _touch_step(session, user.id, module.id, step.doc_id)
        else:
            first = session.scalar(
                select(AttemptRow).where(AttemptRow.user_id == user.id, AttemptRow.nonce == nonce)
            )
            question = catalogue.question(first.question_key) or question
            choice, correct = first.choice, first.correct
        certificate = _complete_if_done(session, user, catalogue, module)
    return AnswerResult(question, choice, correct, inserted is None, certificate)
