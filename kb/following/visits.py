"""Visits per account: when a signed-in user was last here, so the home page can show what is
new since their previous visit. Page views less than VISIT_GAP apart are one visit.

The page only reads: what to write is decided at once and written by a background writer
(VisitLog), so a page view never waits for another process's write."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.exc import OperationalError, SQLAlchemyError
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
        row = session.get(VisitRow, update.user_id)
        if row is None:
            session.add(
                VisitRow(
                    user_id=update.user_id,
                    last_seen_at=update.last_seen_at,
                    previous_visit_at=update.previous_visit_at,
                )
            )
        else:
            row.last_seen_at = update.last_seen_at
            row.previous_visit_at = update.previous_visit_at


class VisitLog:
    """Writes visit times on a background thread (retrying while the database is busy)."""

    def __init__(self, database: Database, capacity: int = 1000) -> None:
        self.database = database
        self.dropped = 0
        self._queue: queue.Queue[VisitUpdate | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._run, name="visit-log", daemon=True)
        self._thread.start()

    def record(self, update: VisitUpdate) -> None:
        """Queue a write (never blocks; a full queue drops it: the next view writes again)."""
        try:
            self._queue.put_nowait(update)
        except queue.Full:
            self.dropped += 1

    def flush(self) -> None:
        """Block until every write queued so far is done."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            update = self._queue.get()
            try:
                if update is None:
                    return
                self._write(update)
            finally:
                self._queue.task_done()

    def _write(self, update: VisitUpdate) -> None:
        for attempt in range(6):
            try:
                write_visit(self.database, update)
                return
            except OperationalError:
                time.sleep(0.2 * 2**attempt)  # busy: back off and retry
            except SQLAlchemyError:
                break
        self.dropped += 1


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
