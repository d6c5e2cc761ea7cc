"""The lesson actions JSON API for curators (so a PM tool can pull them): open and overdue
actions with their groups, the counts over time and the lessons that recur."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Security
from pydantic import BaseModel, Field

from kb.content.actions import CLOSED_STATES
from kb.insights import actions as lesson_actions
from web.core.api_docs import SESSION_COOKIE, error_responses
from web.core.auth import CuratorDep
from web.core.deps import DatabaseDep

router = APIRouter(prefix="/api", tags=["actions"], responses=error_responses(401, 403, 503))
signed_in = [Security(SESSION_COOKIE)]  # documents the sign-in; CuratorDep checks it


class ActionOut(BaseModel):
    """One action of a published lesson."""

    lesson: str = Field(description="The lesson's id.")
    title: str
    lang: str
    phases: list[str]
    areas: list[str]
    lesson_date: str
    number: int = Field(description="The action's place in the lesson, from 1.")
    what: str
    owner: str
    due: str = Field(description="YYYY-MM-DD")
    status: str = Field(description="open, in_progress, done or dropped")
    reason: str = Field(description="Why it was dropped (empty otherwise).")
    link: str = Field(description="Where it was done: a document id, id#section or web address.")
    closed: str | None = Field(description="The day it was done or dropped, when known.")
    url: str = Field(description="The lesson's page at its recommendation section.")
    overdue: bool
    days_overdue: int


class GroupCount(BaseModel):
    """Open and overdue actions of one phase, area or owner."""

    key: str = Field(description="The phase, area or owner (empty: the lesson names none).")
    open: int
    overdue: int


class MonthOut(BaseModel):
    """Open and overdue actions at the end of a month (the last one: today)."""

    day: str
    open: int
    overdue: int


class LaterOut(BaseModel):
    """A later lesson that says the earlier one happened again."""

    lesson: str
    title: str
    date: str


class RecurrenceOut(BaseModel):
    """A lesson that recurred."""

    lesson: str
    title: str
    count: int
    last: str
    later: list[LaterOut]


class ActionsOut(BaseModel):
    """The actions dashboard as data."""

    today: str
    total: int
    overdue: int
    actions: list[ActionOut]
    groups: dict[str, list[GroupCount]] = Field(description="By phase, area and owner.")
    counts_over_time: list[MonthOut]
    recurring: list[RecurrenceOut]


@router.get(
    "/actions",
    response_model=ActionsOut,
    dependencies=signed_in,
    responses=error_responses(422),
)
def api_actions(
    user: CuratorDep,
    database: DatabaseDep,
    overdue_only: Annotated[bool, Query(description="Only the overdue actions.")] = False,
    include_closed: Annotated[bool, Query(description="Done and dropped ones too.")] = False,
):
    """The actions of published lessons, overdue first (curators only, with the session cookie)."""
    today = dt.date.today()
    with database.reading() as session:
        items = lesson_actions.actions(session, today, open_only=not include_closed)
        months = lesson_actions.counts_over_time(session, today)
        recurring = lesson_actions.recurrences(session)
    if overdue_only:
        items = [item for item in items if item.overdue]
    open_items = [item for item in items if item.status not in CLOSED_STATES]
    groups = {
        by: [
            {"key": g.key, "open": len(g.items), "overdue": g.overdue}
            for g in lesson_actions.grouped(open_items, by)
        ]
        for by in lesson_actions.GROUPS
    }
    return {
        "today": today.isoformat(),
        "total": len(items),
        "overdue": sum(1 for item in items if item.overdue),
        "actions": [item.as_dict() for item in items],
        "groups": groups,
        "counts_over_time": [
            {"day": m.day.isoformat(), "open": m.open, "overdue": m.overdue} for m in months
        ],
        "recurring": [
            {
                "lesson": r.doc_id,
                "title": r.title,
                "count": r.count,
                "last": r.last,
                "later": [{"lesson": i, "title": t, "date": d} for i, t, d in r.later],
            }
            for r in recurring
        ],  # fmt: skip
    }
