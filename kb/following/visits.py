"""Visits per account: when a signed-in user was last here, so the home page can show what is
new since their previous visit. Page views less than VISIT_GAP apart are one visit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

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


def _aware(moment: dt.datetime) -> dt.datetime:
    """Return a time with its UTC zone (SQLite hands times back without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def note_visit(
    database: Database, user_id: int, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Record that the account is here now; return when its previous visit ended (None on the
    first visit). The answer stays the same through one visit; the database is written at most
    every TOUCH_EVERY."""
    now = now or utcnow()
    with database.reading() as session:
        row = session.get(VisitRow, user_id)
        last = _aware(row.last_seen_at) if row else None
        previous = _aware(row.previous_visit_at) if row and row.previous_visit_at else None
    if last is not None and now - last < TOUCH_EVERY:
        return previous
    if last is not None and now - last > VISIT_GAP:
        previous = last
    with database.session() as session:
        row = session.get(VisitRow, user_id)
        if row is None:
            session.add(VisitRow(user_id=user_id, last_seen_at=now, previous_visit_at=previous))
        else:
            row.last_seen_at, row.previous_visit_at = now, previous
    return previous
