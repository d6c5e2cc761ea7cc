"""The kind-specific front-matter of a document, as typed shapes (one per kind).

Ingest builds these from the validated front-matter; the catalog stores them as JSON.
`to_json` and `from_json` are the one boundary between the two: the stored JSON (and the JSON
API's `meta`) keeps the shape it has always had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.content.actions import LessonAction
from kb.content.taxonomy import ActionStatus, Impact, Kind, Priority


@dataclass(frozen=True)
class NoMeta:
    """A document with no kind-specific fields (a guide, or any kind without a schema of its own)."""

    def to_json(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class LessonMeta:
    """A lesson learned: the project, the date (YYYY-MM-DD), its impact, its actions (the
    action_status summarises them when there are any) and the earlier lessons it repeats."""

    project: str
    date: str
    impact: Impact
    priority: Priority
    action_status: ActionStatus
    actions: tuple[LessonAction, ...] = ()
    recurs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "project": self.project,
            "date": self.date,
            "impact": self.impact.value,
            "priority": self.priority.value,
            "action_status": self.action_status.value,
        }
        if self.actions:
            data["actions"] = [action.to_json() for action in self.actions]
        if self.recurs:
            data["recurs"] = list(self.recurs)
        return data


@dataclass(frozen=True)
class TemplateMeta:
    """A template: the kind of document a draft started from it becomes."""

    creates: Kind = Kind.GUIDE

    def to_json(self) -> dict[str, Any]:
        return {"creates": self.creates.value}


@dataclass(frozen=True)
class ModuleMeta:
    """A training module's `module.md` (`module` is its own id)."""

    module: str
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    estimated_minutes: int
    pass_mark: int

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "is_module": True,
            "objectives": list(self.objectives),
            "prerequisites": list(self.prerequisites),
            "estimated_minutes": self.estimated_minutes,
            "pass_mark": self.pass_mark,
        }


@dataclass(frozen=True)
class QuizItem:
    """One multiple-choice question of a step; `answer` counts from 1."""

    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str = ""
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
            "hint": self.hint,
        }

    def public_json(self) -> dict[str, Any]:
        """The question as a learner may see it before answering: no answer, hint or explanation."""
        return {"question": self.question, "choices": list(self.choices)}


@dataclass(frozen=True)
class StepMeta:
    """A training step: its module, its number there (from 1) and its quiz."""

    module: str
    step: int
    quiz: tuple[QuizItem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "step": self.step,
            "quiz": [item.to_json() for item in self.quiz],
        }

    def public_json(self) -> dict[str, Any]:
        """The step's meta without what would give the quiz's answers away."""
        return {**self.to_json(), "quiz": [item.public_json() for item in self.quiz]}


Meta = NoMeta | LessonMeta | TemplateMeta | ModuleMeta | StepMeta


def from_json(data: dict[str, Any] | None) -> Meta:
    """Turn the stored JSON of a document's meta back into its typed shape."""
    data = data or {}
    if data.get("is_module"):
        return ModuleMeta(
            module=data["module"],
            objectives=tuple(data.get("objectives") or ()),
            prerequisites=tuple(data.get("prerequisites") or ()),
            estimated_minutes=int(data.get("estimated_minutes") or 0),
            pass_mark=int(data.get("pass_mark") or 0),
        )
    if data.get("step") is not None:
        return StepMeta(
            module=data["module"],
            step=int(data["step"]),
            quiz=tuple(
                QuizItem(
                    question=item["question"],
                    choices=tuple(item["choices"]),
                    answer=int(item["answer"]),
                    explanation=item.get("explanation", ""),
                    hint=item.get("hint", ""),
                )
                for item in data.get("quiz") or ()
            ),
        )
    if "creates" in data:
        return TemplateMeta(Kind(data["creates"]))
    if "project" in data:
        return LessonMeta(
            project=data["project"],
            date=data["date"],
            impact=Impact(data["impact"]),
            priority=Priority(data["priority"]),
            action_status=ActionStatus(data["action_status"]),
            actions=tuple(LessonAction.from_json(item) for item in data.get("actions") or ()),
            recurs=tuple(data.get("recurs") or ()),
        )
    return NoMeta()
