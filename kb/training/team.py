"""The team view for curators and admins: completion per learner and per module, average quiz
scores, and the questions most often answered wrongly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from kb.accounts import Role, list_users
from kb.store.database import Database
from kb.training.modules import Catalogue, Status
from kb.training.progress import AttemptRow, learner_state, module_progress


@dataclass(frozen=True)
class LearnerSummary:
    """One learner across the modules they can take."""

    username: str
    name: str
    completed: int
    in_progress: int
    average_score: int | None
    statuses: dict[str, Status]


@dataclass(frozen=True)
class ModuleSummary:
    """One module across the learners."""

    id: str
    title: str
    lang: str
    started: int
    completed: int
    average_score: int | None


@dataclass(frozen=True)
class WeakQuestion:
    """A question with its wrong and total answer counts."""

    key: str
    module_id: str
    text: str
    wrong: int
    attempts: int


@dataclass(frozen=True)
class TeamReport:
    """Everything the team view shows."""

    learners: list[LearnerSummary]
    modules: list[ModuleSummary]
    weak_questions: list[WeakQuestion]


def _mean(values: list[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def weak_questions(database: Database, catalogue: Catalogue, limit: int = 10) -> list[WeakQuestion]:
    """Return the questions answered wrongly most often (wrong attempts, then their share)."""
    with database.session() as session:
        rows = session.execute(
            select(
                AttemptRow.question_key, AttemptRow.module_id, AttemptRow.correct, func.count()
            ).group_by(AttemptRow.question_key, AttemptRow.module_id, AttemptRow.correct)
        ).all()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, module_id, correct, count in rows:
        counts[(key, module_id)][1] += count
        if not correct:
            counts[(key, module_id)][0] += count
    found = []
    for (key, module_id), (wrong_count, total) in counts.items():
        if not wrong_count:
            continue
        question = catalogue.question(key)
        text = question.text if question else key
        found.append(WeakQuestion(key, module_id, text, wrong_count, total))
    found.sort(key=lambda q: (-q.wrong, -q.wrong / q.attempts, q.key))
    return found[:limit]


def team_report(database: Database, catalogue: Catalogue) -> TeamReport:
    """Build the team view from every learner's recorded progress."""
    learners: list[LearnerSummary] = []
    per_module: dict[str, dict[str, list]] = {
        m: {"started": [], "completed": [], "scores": []} for m in catalogue.modules
    }
    for user in list_users(database):
        state = learner_state(database, user.id)
        if user.role != Role.LEARNER and not state.touched and not state.certificates:
            continue
        statuses: dict[str, Status] = {}
        scores: list[int] = []
        for module in catalogue.modules.values():
            progress = module_progress(catalogue, module, state)
            statuses[module.id] = progress.status
            bucket = per_module[module.id]
            if progress.status in (Status.IN_PROGRESS, Status.COMPLETED):
                bucket["started"].append(user.username)
            if progress.status is Status.COMPLETED:
                bucket["completed"].append(user.username)
            answered = any(q.key in state.answers for q in module.questions)
            if answered or progress.certificate:
                value = (
                    progress.certificate.score if progress.certificate else progress.score.percent
                )
                scores.append(value)
                bucket["scores"].append(value)
        learners.append(
            LearnerSummary(
                user.username,
                user.name,
                sum(1 for s in statuses.values() if s is Status.COMPLETED),
                sum(1 for s in statuses.values() if s is Status.IN_PROGRESS),
                _mean(scores),
                statuses,
            )
        )
    modules = [
        ModuleSummary(
            m.id,
            m.title,
            m.lang,
            len(per_module[m.id]["started"]),
            len(per_module[m.id]["completed"]),
            _mean(per_module[m.id]["scores"]),
        )
        for m in catalogue.modules.values()
    ]
    return TeamReport(learners, modules, weak_questions(database, catalogue))
