"""Training modules as the catalog holds them, and the rules: quiz score, completion, prerequisites.

Score: the share of the module's quiz questions whose *latest* answer is correct, as a whole
percentage rounded down (a module without questions scores 100). A step is done when the learner
has opened it and answered each of its questions at least once. A module is complete when every
step is done and the score reaches the module's pass mark; the completion (a certificate) is kept
for good, even if the content changes later. A module is locked while any prerequisite is not
complete; completing the other-language version of a prerequisite counts too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content import taxonomy
from kb.content.meta import ModuleMeta, QuizItem, StepMeta
from kb.content.taxonomy import Kind, Phase
from kb.store.tables import DocumentRow

PHASE_ORDER = {phase.value: index for index, phase in enumerate(Phase)}


class Status(StrEnum):
    """Where a learner stands in a module."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    LOCKED = "locked"


@dataclass(frozen=True)
class Question:
    """One multiple-choice question of a step; `answer` and choice numbers count from 1."""

    key: str
    module_id: str
    step: int
    number: int
    text: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    hint: str = ""

    def is_correct(self, choice: int) -> bool:
        """Tell whether a choice (counting from 1) is right; reject choices out of range."""
        if not 1 <= choice <= len(self.choices):
            raise ValueError(f"Choose an answer between 1 and {len(self.choices)}.")
        return choice == self.answer


@dataclass(frozen=True)
class Step:
    """One page of a module."""

    number: int
    doc_id: str
    title: str
    summary: str
    body: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Module:
    """A training module with its steps in order."""

    id: str
    title: str
    lang: str
    summary: str
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    estimated_minutes: int
    pass_mark: int
    translation_of: str | None
    phases: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def questions(self) -> list[Question]:
        """Every question of the module, step by step."""
        return [question for step in self.steps for question in step.questions]

    def step(self, number: int) -> Step | None:
        """Return the step with this number, or None."""
        return next((step for step in self.steps if step.number == number), None)


@dataclass(frozen=True)
class Score:
    """How many of the module's questions have a correct latest answer."""

    correct: int
    total: int

    @property
    def percent(self) -> int:
        """The score as a whole percentage (rounded down; 100 when there are no questions)."""
        return 100 if self.total == 0 else self.correct * 100 // self.total

    def reaches(self, pass_mark: int) -> bool:
        """Tell whether the score reaches a pass mark (compared exactly, without rounding)."""
        return self.correct * 100 >= pass_mark * self.total


@dataclass(frozen=True)
class Feedback:
    """What a learner is told about their latest answer to a question.

    A wrong answer gets the question's hint (if it has one) and is told which choice it was; the
    explanation, which usually gives the answer away, comes once the answer is right or after
    the second attempt (REVEAL_AFTER)."""

    correct: bool
    choice: int
    chosen: str
    attempts: int
    hint: str
    explanation: str

    @property
    def revealed(self) -> bool:
        """Tell whether the explanation is shown (answered right, or tried often enough)."""
        return self.correct or self.attempts >= REVEAL_AFTER


REVEAL_AFTER = 2


def feedback(question: Question, choice: int, correct: bool, attempts: int) -> Feedback:
    """Return the feedback on a learner's latest answer, revealing only what the rule allows."""
    chosen = question.choices[choice - 1] if 1 <= choice <= len(question.choices) else ""
    revealed = correct or attempts >= REVEAL_AFTER
    return Feedback(
        correct=correct,
        choice=choice,
        chosen=chosen,
        attempts=attempts,
        hint="" if revealed else question.hint,
        explanation=question.explanation if revealed else "",
    )


@dataclass
class Catalogue:
    """The published training modules, by id, in course order."""

    modules: dict[str, Module] = field(default_factory=dict)

    def get(self, module_id: str) -> Module | None:
        """Return a module, or None."""
        return self.modules.get(module_id)

    def in_lang(self, lang: str | None) -> list[Module]:
        """Return the modules in one language (all when lang is None), in course order."""
        return [m for m in self.modules.values() if lang is None or m.lang == lang]

    def title(self, module_id: str) -> str:
        """Return a module's title (its id when it is not in the catalogue)."""
        module = self.modules.get(module_id)
        return module.title if module else module_id

    def equivalents(self, module_id: str) -> set[str]:
        """Return the module's id and the ids of its versions in the other language."""
        ids = {module_id}
        module = self.modules.get(module_id)
        if module and module.translation_of:
            ids.add(module.translation_of)
        ids |= {m.id for m in self.modules.values() if m.translation_of == module_id}
        return ids

    def question(self, key: str) -> Question | None:
        """Return the question with this key, or None."""
        for module in self.modules.values():
            for question in module.questions:
                if question.key == key:
                    return question
        return None


def question_key(step_doc_id: str, number: int) -> str:
    """Return the stable key of a question: its step's document id and its number there."""
    return f"{step_doc_id}#{number}"


def _questions(
    module_id: str, step: int, doc_id: str, quiz: tuple[QuizItem, ...]
) -> tuple[Question, ...]:
    return tuple(
        Question(
            key=question_key(doc_id, number),
            module_id=module_id,
            step=step,
            number=number,
            text=item.question,
            choices=item.choices,
            answer=item.answer,
            explanation=item.explanation,
            hint=item.hint,
        )
        for number, item in enumerate(quiz, start=1)
    )


def _course_order(module: Module) -> tuple:
    phase = min((PHASE_ORDER.get(p, 99) for p in module.phases), default=99)
    cross_phase = len(module.phases) > 1  # courses across phases (e.g. PMO areas) come last
    return (module.lang, len(module.prerequisites) > 0, cross_phase, phase, module.id)


def load_catalogue(session: Session) -> Catalogue:
    """Load the published training modules and their steps from the catalog."""
    rows = session.scalars(
        select(DocumentRow).where(
            DocumentRow.kind == Kind.TRAINING, DocumentRow.status == taxonomy.Status.PUBLISHED
        )
    ).all()
    heads = [(row, row.meta) for row in rows if isinstance(row.meta, ModuleMeta)]
    steps: dict[str, list[Step]] = {row.id: [] for row, _ in heads}
    for row in rows:
        meta = row.meta
        if not isinstance(meta, StepMeta) or meta.module not in steps:
            continue
        questions = _questions(meta.module, meta.step, row.id, meta.quiz)
        steps[meta.module].append(
            Step(meta.step, row.id, row.title, row.summary, row.body, questions)
        )
    modules = []
    for row, meta in heads:
        modules.append(
            Module(
                id=row.id,
                title=row.title,
                lang=row.lang,
                summary=row.summary,
                objectives=meta.objectives,
                prerequisites=meta.prerequisites,
                estimated_minutes=meta.estimated_minutes,
                pass_mark=meta.pass_mark,
                translation_of=row.translation_of,
                phases=tuple(row.phases or ()),
                steps=tuple(sorted(steps[row.id], key=lambda step: step.number)),
            )
        )
    return Catalogue({m.id: m for m in sorted(modules, key=_course_order)})


def score(module: Module, latest: dict[str, bool]) -> Score:
    """Score a module from the learner's latest answers ({question key: correct})."""
    questions = module.questions
    return Score(sum(1 for q in questions if latest.get(q.key)), len(questions))


def answered(module: Module, latest: dict[str, bool]) -> int:
    """Return how many of the module's questions the learner has answered at least once."""
    return sum(1 for question in module.questions if question.key in latest)


def step_done(step: Step, seen: bool, latest: dict[str, bool]) -> bool:
    """Tell whether a step is done: opened, and each of its questions answered at least once."""
    return seen and all(question.key in latest for question in step.questions)


def steps_done(module: Module, seen: set[str], latest: dict[str, bool]) -> list[int]:
    """Return the numbers of the module's done steps (seen holds step document ids)."""
    return [s.number for s in module.steps if step_done(s, s.doc_id in seen, latest)]


def is_complete(module: Module, seen: set[str], latest: dict[str, bool]) -> bool:
    """Tell whether the module is complete: every step done and the score at the pass mark."""
    done = steps_done(module, seen, latest)
    return len(done) == len(module.steps) and score(module, latest).reaches(module.pass_mark)


def missing_prerequisites(catalogue: Catalogue, module: Module, completed: set[str]) -> list[str]:
    """Return the prerequisite ids not yet completed (in either language)."""
    return [
        prerequisite
        for prerequisite in module.prerequisites
        if not catalogue.equivalents(prerequisite) & completed
    ]
