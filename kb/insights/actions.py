"""The actions of published lessons and their recurrences, for the curators' dashboard and the API.

Counting over time: an action is open from its lesson's date until it is closed (`closed`, or
its due date when a done or dropped action does not say when); it is overdue on a day when it is
open and its due date has passed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.content.actions import CLOSED_STATES, link_url
from kb.content.schema import LESSON_SECTIONS
from kb.content.taxonomy import ActionState, Status
from kb.store.tables import ActionRow, DocumentRow, RecurrenceRow, SectionRow

GROUPS = ("phase", "area", "owner")
NO_VALUE = ""  # the group of actions whose lesson names no phase (or area)


@dataclass(frozen=True)
class ActionItem:
    """One action of a published lesson, with what the dashboard shows beside it."""

    doc_id: str
    title: str
    lang: str
    phases: tuple[str, ...]
    areas: tuple[str, ...]
    lesson_date: str
    number: int  # from 1, in the lesson's order
    what: str
    owner: str
    due: str
    status: str
    reason: str
    link: str
    closed: str | None
    url: str  # the lesson at its recommendation section
    overdue: bool
    days_overdue: int

    @property
    def link_url(self) -> str:
        """Where the action's link points (a document on this site, or a web address)."""
        return link_url(self.link) if self.link else ""

    def as_dict(self) -> dict[str, object]:
        """The action as JSON-ready data (the API's shape)."""
        return {
            "lesson": self.doc_id, "title": self.title, "lang": self.lang,
            "phases": list(self.phases), "areas": list(self.areas),
            "lesson_date": self.lesson_date, "number": self.number, "what": self.what,
            "owner": self.owner, "due": self.due, "status": self.status, "reason": self.reason,
            "link": self.link, "closed": self.closed, "url": self.url, "overdue": self.overdue,
            "days_overdue": self.days_overdue,
        }  # fmt: skip


@dataclass(frozen=True)
class Group:
    """Actions that share a phase, an area or an owner; overdue ones first."""

    key: str
    items: list[ActionItem]

    @property
    def overdue(self) -> int:
        """How many of the group's actions are overdue."""
        return sum(1 for item in self.items if item.overdue)


@dataclass(frozen=True)
class MonthCount:
    """The open and overdue actions at the end of a month (or today, for this month)."""

    day: dt.date
    open: int
    overdue: int


@dataclass(frozen=True)
class Recurrence:
    """A lesson that happened again: the later lessons that say so, latest first."""

    doc_id: str
    title: str
    later: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, date)

    @property
    def count(self) -> int:
        """How many times it recurred."""
        return len(self.later)

    @property
    def last(self) -> str:
        """The date of the latest recurrence."""
        return self.later[0][2] if self.later else ""


def _recommendation_anchors(session: Session, doc_ids: set[str]) -> dict[str, str]:
    names = {name.casefold() for name in LESSON_SECTIONS["recommendation"]}
    rows = session.execute(
        select(SectionRow.doc_id, SectionRow.anchor, SectionRow.heading)
        .where(SectionRow.doc_id.in_(doc_ids))
        .order_by(SectionRow.ord)
    )
    anchors: dict[str, str] = {}
    for doc_id, anchor, heading in rows:
        if heading.strip().casefold() in names:
            anchors.setdefault(doc_id, anchor)
    return anchors


def actions(session: Session, today: dt.date, open_only: bool = True) -> list[ActionItem]:
    """Return the actions of published lessons (only the open ones unless told), overdue first
    (most overdue first), then by due date."""
    query = (
        select(ActionRow, DocumentRow.title, DocumentRow.lang, DocumentRow.phases,
               DocumentRow.areas, DocumentRow.meta)
        .join(DocumentRow, DocumentRow.id == ActionRow.doc_id)
        .where(DocumentRow.status == Status.PUBLISHED)
    )  # fmt: skip
    if open_only:
        query = query.where(ActionRow.status.not_in([s.value for s in CLOSED_STATES]))
    rows = session.execute(query).all()
    anchors = _recommendation_anchors(session, {row[0].doc_id for row in rows})
    items = []
    for action, title, lang, phases, areas, meta in rows:
        is_open = ActionState(action.status) not in CLOSED_STATES
        late = is_open and action.due < today.isoformat()
        days = (today - dt.date.fromisoformat(action.due)).days if late else 0
        anchor = anchors.get(action.doc_id)
        items.append(
            ActionItem(
                action.doc_id, title, lang, tuple(phases or ()), tuple(areas or ()),
                getattr(meta, "date", ""), action.ord + 1, action.what, action.owner,
                action.due, action.status, action.reason, action.link, action.closed,
                f"/docs/{action.doc_id}" + (f"#{anchor}" if anchor else ""), late, days,
            )
        )  # fmt: skip
    return sorted(items, key=lambda i: (not i.overdue, -i.days_overdue, i.due, i.doc_id, i.number))


def grouped(items: list[ActionItem], by: str) -> list[Group]:
    """Group actions by phase, area or owner (a lesson with two phases is in both); the groups
    with overdue actions first, then the largest."""
    if by not in GROUPS:
        raise ValueError(f"group by one of: {', '.join(GROUPS)}")
    buckets: dict[str, list[ActionItem]] = defaultdict(list)
    for item in items:
        keys = {"phase": item.phases, "area": item.areas, "owner": (item.owner,)}[by]
        for key in keys or (NO_VALUE,):
            buckets[key].append(item)
    groups = [Group(key, members) for key, members in buckets.items()]
    return sorted(groups, key=lambda g: (-g.overdue, -len(g.items), g.key == NO_VALUE, g.key))


def _month_ends(today: dt.date, months: int) -> list[dt.date]:
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        ends.append(((first + dt.timedelta(days=32)).replace(day=1)) - dt.timedelta(days=1))
    return list(reversed(ends))


def counts_over_time(session: Session, today: dt.date, months: int = 12) -> list[MonthCount]:
    """Return the open and overdue actions at the end of each of the last `months` months."""
    every = actions(session, today, open_only=False)
    out = []
    for day in _month_ends(today, months):
        iso = day.isoformat()
        still_open = [
            item
            for item in every
            if item.lesson_date <= iso
            and (item.status not in CLOSED_STATES or (item.closed or item.due) > iso)
        ]
        late = sum(1 for item in still_open if item.due < iso)
        out.append(MonthCount(day, len(still_open), late))
    return out


def recurrences(session: Session, doc_id: str | None = None) -> list[Recurrence]:
    """Return the published lessons that recurred (or just this one), most recurrences first."""
    later = DocumentRow.__table__.alias("later")
    query = (
        select(RecurrenceRow.earlier_id, DocumentRow.title, RecurrenceRow.doc_id, later.c.title,
               RecurrenceRow.date)
        .join(DocumentRow, DocumentRow.id == RecurrenceRow.earlier_id)
        .join(later, later.c.id == RecurrenceRow.doc_id)
        .where(DocumentRow.status == Status.PUBLISHED, later.c.status == Status.PUBLISHED)
    )  # fmt: skip
    if doc_id is not None:
        query = query.where(RecurrenceRow.earlier_id == doc_id)
    found: dict[str, Recurrence] = {}
    for earlier, title, later_id, later_title, date in session.execute(query):
        found.setdefault(earlier, Recurrence(earlier, title)).later.append(
            (later_id, later_title, date)
        )
    for item in found.values():
        item.later.sort(key=lambda entry: (entry[2], entry[0]), reverse=True)
    latest_first = sorted(found.values(), key=lambda r: (r.last, r.doc_id), reverse=True)
    return sorted(latest_first, key=lambda r: -r.count)


def recurring_ids(session: Session) -> set[str]:
    """Return the ids of published lessons in a recurrence between published lessons: those that
    recurred and those that say so (what the lesson pages and the dashboard show)."""
    published = set(
        session.scalars(select(DocumentRow.id).where(DocumentRow.status == Status.PUBLISHED))
    )
    rows = session.execute(select(RecurrenceRow.doc_id, RecurrenceRow.earlier_id)).all()
    return {
        doc_id
        for later, earlier in rows
        if later in published and earlier in published
        for doc_id in (later, earlier)
    }
