"""Front-matter schemas, one per kind; used by ingest, `kb check` and the curator editor."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kb.content.actions import summary_status
from kb.content.ids import ID_HINT, require_id
from kb.content.taxonomy import (
    ActionState,
    ActionStatus,
    Area,
    Impact,
    Kind,
    Lang,
    Phase,
    Priority,
    Status,
    allowed,
)

# The sections a lesson must have: key -> accepted headings (case-insensitive), English first.
LESSON_SECTIONS: dict[str, tuple[str, ...]] = {
    "driving_event": ("Driving event", "触发事件", "事件经过"),
    "root_cause": ("Root cause", "根本原因", "原因分析"),
    "effect": ("Effect", "影响"),
    "recommendation": ("Recommendation", "建议", "Recommendations", "改进建议"),
    "early_warning": ("Early-warning signs", "预警信号", "Early warning signs"),
}


def _as_list(value: Any) -> Any:
    """Accept a single value where a list is expected (`tags: risk` means `tags: [risk]`)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class CommonFields(BaseModel):
    """Fields every document may have."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str | None = None
    title: str | None = None
    kind: Kind = Kind.GUIDE
    lang: Lang | None = None
    summary: str = ""
    tags: list[str] = Field(default_factory=list)
    phase: list[Phase] = Field(default_factory=list)
    area: list[Area] = Field(default_factory=list)
    owner: str = ""
    updated: dt.date | None = None
    status: Status = Status.PUBLISHED
    translation_of: str | None = None

    @field_validator("tags", "phase", "area", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("lang", mode="before")
    @classmethod
    def _language_tag(cls, value: Any) -> Any:
        """Accept BCP 47 tags of our languages: zh-Hans, zh-CN, en-GB … mean zh / en."""
        if isinstance(value, str):
            primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
            return primary if primary in ("zh", "en") else value
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_as_text(cls, value: Any) -> Any:
        return [str(item) for item in value] if isinstance(value, list) else value

    @field_validator("id", "translation_of")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        return value if value is None else require_id(value)


class ActionFields(BaseModel):
    """One action of a lesson: what, who, by when, how far (`action` is another name for
    `what`); a dropped action says why; `link` is a document id, id#section or web address."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    what: str
    owner: str = Field(max_length=200)  # the store's column widths
    due: dt.date
    status: ActionState = ActionState.OPEN
    reason: str = ""
    link: str = Field("", max_length=500)
    closed: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _action_means_what(cls, value: Any) -> Any:
        if isinstance(value, dict) and "action" in value and "what" not in value:
            value = {("what" if key == "action" else key): item for key, item in value.items()}
        return value

    @field_validator("what", "owner", "reason", "link", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        if value is None:
            return ""
        return str(value) if isinstance(value, int | float | dt.date) else value

    @field_validator("what")
    @classmethod
    def _says_what(cls, value: str) -> str:
        if not value:
            raise ValueError("an action needs to say what is to be done")
        return value

    @field_validator("owner")
    @classmethod
    def _has_owner(cls, value: str) -> str:
        if not value:
            raise ValueError("an action needs an owner")
        return value

    @field_validator("link")
    @classmethod
    def _link_shape(cls, value: str) -> str:
        if value and any(char.isspace() for char in value):
            raise ValueError(f"the link '{value}' has spaces")
        return value

    @model_validator(mode="after")
    def _dropped_has_reason(self) -> ActionFields:
        if self.status == ActionState.DROPPED and not self.reason:
            raise ValueError("a dropped action needs a reason")
        return self


class LessonFields(CommonFields):
    """A lesson learned (NASA LLIS + PRINCE2 lessons log); with actions, `action_status` is
    their summary and may be left out."""

    kind: Literal[Kind.LESSON] = Kind.LESSON
    project: str
    date: dt.date
    impact: Impact
    priority: Priority
    action_status: ActionStatus | None = None
    actions: list[ActionFields] = Field(default_factory=list)
    recurs: list[str] = Field(default_factory=list)

    @field_validator("actions", mode="before")
    @classmethod
    def _single_action(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else (value or [])

    @field_validator("recurs", mode="before")
    @classmethod
    def _recurs_list(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("recurs")
    @classmethod
    def _recurs_ids(cls, value: list[str]) -> list[str]:
        return [require_id(str(item)) for item in value]

    @model_validator(mode="after")
    def _status_or_actions(self) -> LessonFields:
        if self.action_status is None and not self.actions:
            raise ValueError("required field 'action_status' is missing")
        return self

    @property
    def derived_status(self) -> ActionStatus:
        """The lesson's action status: the summary of its actions, else as written."""
        summary = summary_status(action.status for action in self.actions)
        return summary or self.action_status or ActionStatus.OPEN


class TemplateFields(CommonFields):
    """A fill-in form; `creates` is the kind of document a draft started from it becomes."""

    kind: Literal[Kind.TEMPLATE] = Kind.TEMPLATE
    creates: Kind = Kind.GUIDE


MAX_CHOICES = 10  # a quiz question's choices; the API's answer range says the same


class QuizQuestion(BaseModel):
    """One multiple-choice question; `answer` counts from 1."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2, max_length=MAX_CHOICES)
    answer: int
    explanation: str = ""
    hint: str = ""  # shown after a wrong answer; the explanation only once it is answered

    @field_validator("choices", mode="before")
    @classmethod
    def _choices_as_text(cls, value: Any) -> Any:
        return [str(item) for item in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _answer_in_range(self) -> QuizQuestion:
        if not 1 <= self.answer <= len(self.choices):
            raise ValueError(
                f"answer {self.answer} is out of range: there are {len(self.choices)} choices, "
                f"so the answer must be between 1 and {len(self.choices)}"
            )
        return self


class ModuleFields(CommonFields):
    """A training module's `module.md`."""

    kind: Literal[Kind.TRAINING] = Kind.TRAINING
    objectives: list[str] = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    estimated_minutes: int = Field(gt=0)
    pass_mark: int = Field(ge=0, le=100)

    @field_validator("prerequisites", "objectives", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)


class StepFields(CommonFields):
    """A training step; kind, lang, phase, area and status default to the module's."""

    kind: Literal[Kind.TRAINING] = Kind.TRAINING
    quiz: list[QuizQuestion] = Field(default_factory=list)

    @field_validator("quiz", mode="before")
    @classmethod
    def _single_question(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else (value or [])


SCHEMAS: dict[str, type[CommonFields]] = {
    "guide": CommonFields,
    "lesson": LessonFields,
    "template": TemplateFields,
    "module": ModuleFields,
    "step": StepFields,
}

HINTS: dict[str, str] = {
    "kind": f"use one of: {allowed(Kind)}",
    "lang": f"use one of: {allowed(Lang)}",
    "status": f"use one of: {allowed(Status)}",
    "phase": f"use a list of: {allowed(Phase)}",
    "area": f"use a list of: {allowed(Area)}",
    "impact": f"use one of: {allowed(Impact)}",
    "priority": f"use one of: {allowed(Priority)}",
    "action_status": f"use one of: {allowed(ActionStatus)}, or give the lesson `actions:`",
    "recurs": "give the id of the earlier lesson this one repeats (or a list of ids)",
    "updated": "write the date as YYYY-MM-DD",
    "date": "write the date as YYYY-MM-DD",
    "answer": "give the number of the correct choice, counting from 1",
    "choices": f"give 2 to {MAX_CHOICES} choices as a YAML list",
    "id": ID_HINT,
    "translation_of": "give the id of the same document in the other language",
    "estimated_minutes": "give the time in whole minutes, e.g. 30",
    "pass_mark": "give a percentage between 0 and 100, e.g. 80",
    "objectives": "list what the learner can do after the module",
}


ACTION_FIELDS = ("what", "owner", "due", "status", "reason", "link", "closed")
ACTION_HINTS: dict[str, str] = {
    "what": "say what is to change, e.g. 'what: Add a risk review to the weekly meeting'",
    "owner": "name the person who will do it, e.g. 'owner: Li Wei'",
    "due": "write the due date as YYYY-MM-DD, a day that exists",
    "closed": "write the day it was done or dropped as YYYY-MM-DD",
    "status": f"use one of: {allowed(ActionState)}",
    "reason": "say why it was dropped, e.g. 'reason: replaced by the new gate checklist'",
    "link": "give a document id, id#section, or an http(s):// address",
    "": "each action has: " + ", ".join(ACTION_FIELDS) + " (reason is required when dropped)",
}


@dataclass(frozen=True)
class FieldIssue:
    """A schema violation at a location in the front-matter (e.g. ('quiz', 0, 'answer'))."""

    loc: tuple[str | int, ...]
    message: str
    hint: str = ""
    warning: bool = False


def schema_name(kind: str, is_module: bool = False, is_step: bool = False) -> str:
    """Return the schema key for a file: module and step files of training have their own."""
    if is_module:
        return "module"
    if is_step:
        return "step"
    return kind if kind in SCHEMAS else "guide"


def validate_front_matter(
    data: dict[str, Any], schema: str, strict_fields: bool
) -> tuple[CommonFields | None, list[FieldIssue]]:
    """Validate front-matter against a schema; with strict_fields, unknown fields are warnings."""
    model = SCHEMAS[schema]
    try:
        fields = model.model_validate(data)
    except ValidationError as error:
        return None, [_issue_from(err) for err in error.errors()]
    issues: list[FieldIssue] = []
    if isinstance(fields, LessonFields) and fields.actions and fields.action_status:
        derived = fields.derived_status
        if fields.action_status != derived:
            message = (
                f"action_status is '{fields.action_status}' but the actions make it '{derived}' "
                f"(all done or dropped: done; any in progress or some done: in_progress; "
                f"else open); '{derived}' is used"
            )
            hint = "remove action_status (the actions decide it) or correct the actions' status"
            issues.append(FieldIssue(("action_status",), message, hint, True))
    for index, action in enumerate(fields.actions if isinstance(fields, LessonFields) else []):
        if action.closed and action.status not in (ActionState.DONE, ActionState.DROPPED):
            message = (
                f"actions.{index + 1}.closed: an action that is {action.status} has a closed date"
            )
            hint = "set its status to done or dropped, or remove `closed`"
            issues.append(FieldIssue(("actions", index, "closed"), message, hint, True))
        if action.due < fields.date:
            message = (
                f"actions.{index + 1}.due: the action is due {action.due}, before the lesson's "
                f"own date {fields.date}"
            )
            hint = "check the year of `due` (an action follows the lesson) or the lesson's `date`"
            issues.append(FieldIssue(("actions", index, "due"), message, hint, True))
    if strict_fields:
        known = set(model.model_fields)
        for name in fields.model_extra or {}:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"known fields: {', '.join(sorted(known))}"
            )
            issues.append(FieldIssue((name,), f"unknown field '{name}' is ignored", hint, True))
    return fields, issues


def _issue_from(err: Any) -> FieldIssue:
    loc = tuple(err["loc"])
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    message = err["msg"].removeprefix("Value error, ")
    if loc and loc[0] == "actions":
        return _action_issue(loc, name if len(loc) > 2 else "", message, err["type"])
    if not loc and (required := re.match(r"required field '(\w+)'", message)):
        return FieldIssue((required.group(1),), message, HINTS.get(required.group(1), ""))
    if err["type"] == "missing":
        message = f"required field '{name}' is missing"
    elif err["type"] == "literal_error" and name == "kind":
        message = f"kind {err['input']!r} does not fit this file: {message}"
    elif name:
        message = f"{'.'.join(str(part) for part in loc)}: {message}"
    return FieldIssue(loc, message, HINTS.get(name, ""))


def _action_issue(loc: tuple, name: str, message: str, kind: str) -> FieldIssue:
    """An action's problem, numbered from 1 as people count: 'actions.2.owner: …'."""
    where = ".".join(str(part + 1) if isinstance(part, int) else part for part in loc)
    if kind == "missing":
        message = f"the field '{name}' is missing"
    elif kind == "extra_forbidden":
        message = f"unknown field '{name}'"
        name = ""
    elif len(loc) == 2 and "dropped" in message:  # the action's own check, not a field's
        name = "reason"
    return FieldIssue(loc, f"{where}: {message}", ACTION_HINTS.get(name, ACTION_HINTS[""]))


def missing_lesson_sections(headings: list[str]) -> list[str]:
    """Return the English names of the required lesson sections that the headings do not cover."""
    present = {heading.strip().casefold() for heading in headings}
    missing = []
    for names in LESSON_SECTIONS.values():
        if not any(name.casefold() in present for name in names):
            missing.append(names[0])
    return missing


def required_lesson_section(heading: str) -> str | None:
    """Return the English name of the required lesson section a heading is, if it is one."""
    wanted = heading.strip().casefold()
    for names in LESSON_SECTIONS.values():
        if any(name.casefold() == wanted for name in names):
            return names[0]
    return None


def lesson_section_hint(name: str) -> str:
    """Return how to add a missing lesson section, in both languages."""
    for names in LESSON_SECTIONS.values():
        if names[0] == name:
            return f"add a section '## {names[0]}' (Chinese: '## {names[1]}')"
    return ""
