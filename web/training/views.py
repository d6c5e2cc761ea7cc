"""View models of the training pages: what the module and step templates show."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.accounts import User
from kb.training import progress
from kb.training.certificates import Certificate
from kb.training.modules import Catalogue, Feedback, Module, Question, Step, feedback
from kb.training.progress import Answer, LearnerState, ModuleProgress
from search.lessons.beside import BesideLesson
from web.core.i18n import N_, Marked, translator

STATUS_NAMES: dict[str, Marked] = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "locked": N_("Locked"),
}


@dataclass(frozen=True)
class ModuleLink:
    """A link to a module (a prerequisite), by id with its title."""

    id: str
    title: str


@dataclass(frozen=True)
class OutlineItem:
    """One step in a module's outline: done by the learner, or the one being shown."""

    number: int
    title: str
    done: bool
    current: bool


@dataclass(frozen=True)
class QuestionView:
    """One quiz question with the learner's latest answer and a fresh nonce for its form."""

    q: Question
    answer: Answer | None
    nonce: str
    feedback: Feedback | None  # on the latest answer: hint or explanation, as the rule allows


@dataclass(frozen=True)
class ModulePage:
    """A module's overview page."""

    module: Module
    progress: ModuleProgress | None
    outline: list[OutlineItem]
    prerequisites: list[ModuleLink]
    missing: list[ModuleLink]


@dataclass(frozen=True)
class StepPage:
    """One step's page: its text, quiz, outline and the way to the previous and next step."""

    module: Module
    step: Step
    html: str
    progress: ModuleProgress | None
    outline: list[OutlineItem]
    questions: list[QuestionView]
    previous: int | None
    next: int | None
    position: int
    missing: list[ModuleLink]
    answered: str
    lessons: list[BesideLesson] = field(default_factory=list)  # lessons of its phase and area


@dataclass(frozen=True)
class CertificatePage:
    """A certificate (printable, or verified by its code); `cert` is None for an unknown code."""

    cert: Certificate | None
    verify_url: str = ""
    code: str = ""


def module_links(catalogue: Catalogue, ids) -> list[ModuleLink]:
    """Return links to the modules with these ids."""
    return [ModuleLink(m, catalogue.title(m)) for m in ids]


def outline(module: Module, mine: ModuleProgress | None, current: int | None) -> list[OutlineItem]:
    """Return the module's steps, marking the done ones and the current one."""
    done = set(mine.done_steps) if mine else set()
    return [
        OutlineItem(s.number, s.title, s.number in done, s.number == current) for s in module.steps
    ]


def question_views(step: Step, state: LearnerState | None, user: User | None) -> list[QuestionView]:
    """Return the step's questions with the learner's latest answers."""
    views = []
    for question in step.questions:
        answer = state.answers.get(question.key) if state else None
        views.append(
            QuestionView(
                question,
                answer,
                progress.new_nonce() if user else "",
                feedback(question, answer.choice, answer.correct, answer.attempts)
                if answer
                else None,
            )
        )
    return views


def progress_text(mine: ModuleProgress, lang: str) -> str:
    """Say where a learner stands: steps done, and answers right so far against the pass mark."""
    module = mine.module
    parts = [
        translator(lang).ngettext(
            "%(done)s of 1 step done",
            "%(done)s of %(n)s steps done",
            len(module.steps),
            done=len(mine.done_steps),
            n=len(module.steps),
        )
    ]
    total, mark = mine.score.total, module.pass_mark
    if total:
        if mine.answered == 0:
            parts.append(
                translator(lang).ngettext(
                    "no quiz answer yet (pass mark %(pass_mark)s%% of 1 question)",
                    "no quiz answers yet (pass mark %(pass_mark)s%% of %(n)s questions)",
                    total,
                    n=total,
                    pass_mark=mark,
                )
            )
        elif mine.answered < total:
            values = {"correct": mine.score.correct, "answered": mine.answered}
            parts.append(
                translator(lang).gettext(
                    "%(correct)s of %(answered)s answered correctly so far (pass mark %(pass_mark)s%% of %(n)s questions)",
                    n=total,
                    pass_mark=mark,
                    **values,
                )
            )
        else:
            parts.append(
                translator(lang).ngettext(
                    "%(correct)s of 1 question answered correctly (pass mark %(pass_mark)s%%)",
                    "%(correct)s of %(n)s questions answered correctly (pass mark %(pass_mark)s%%)",
                    total,
                    n=total,
                    pass_mark=mark,
                    correct=mine.score.correct,
                )
            )
    return " · ".join(parts)
