"""Visits per account: when a signed-in user was last here, so the home page can show what is
new since their previous visit. Page views less than VISIT_GAP apart are one visit.

The page only reads: what to write is decided at once and written by a background writer
(VisitLog), so a page view never waits for another process's write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.background_writer import BackgroundWriter
from kb.store.database import Base, Database, utcnow

VISIT_GAP = dt.timedelta(minutes=30)  # a pause longer than this starts a new visit
TOUCH_EVERY = dt.timedelta(minutes=5)  # how often a visit's last-seen time is written


class VisitRow(Base):
    """When an account was last seen, and when its previous visit ended."""

    __tablename__ = "visits"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    previous_visit_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


@dataclass(frozen=True)
class VisitUpdate:
    """What to store for an account: seen now, and when its previous visit ended."""

    user_id: int
    last_seen_at: dt.datetime
    previous_visit_at: dt.datetime | None


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """Return a time with its UTC zone (SQLite hands times back without one)."""
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment


def write_visit(database: Database, update: VisitUpdate) -> None:
    """Store an account's visit times."""
    with database.session() as session:
        _store_visits(session, [update])


def _store_visits(session: Session, updates: list[VisitUpdate]) -> None:
    for update in updates:  # in the order they came: the last one of an account wins
        row = session.get(VisitRow, update.user_id)
        if row is None:
            row = VisitRow(user_id=update.user_id)
            session.add(row)
        row.last_seen_at = update.last_seen_at
        row.previous_visit_at = update.previous_visit_at


class VisitLog(BackgroundWriter[VisitUpdate]):
    """Writes visit times on a background thread (kb.store.background_writer), at once: a page
    view never waits for the write, and the next view reads it back."""

    def __init__(self, database: Database, capacity: int = 1000) -> None:
        super().__init__(database, _store_visits, "visit-log", interval=0.0, capacity=capacity)


def note_visit(
    database: Database,
    user_id: int,
    now: dt.datetime | None = None,
    log: VisitLog | None = None,
) -> dt.datetime | None:
    """Record that the account is here now; return when its previous visit ended (None on the
    first visit). The answer stays the same through one visit; the visit times are written at
    most every TOUCH_EVERY — by `log` in the background, or here when there is none."""
    now = now or utcnow()
    with database.reading() as session:
        row = session.get(VisitRow, user_id)
        last = _aware(row.last_seen_at) if row else None
        previous = _aware(row.previous_visit_at) if row else None
    if last is not None and now - last < TOUCH_EVERY:
        return previous
    if last is not None and now - last > VISIT_GAP:
        previous = last
    update = VisitUpdate(user_id, now, previous)
    if log is None:
        write_visit(database, update)
    else:
        log.record(update)
    return previous
