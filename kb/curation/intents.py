"""The publish journal: before a publish (or unpublish) touches the file, the catalog and the
indexes, it records what it is about to do; the row goes when the workflow records the outcome,
in that same unit of work. A row left behind means a process died mid-way: the next start
completes or rolls back that publish (ingest.recovery).

The queries take the caller's Session; kb.curation.workflow opens the units of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, utcnow

PUBLISH, UNPUBLISH = "publish", "unpublish"


class PublishIntentRow(Base):
    """A publish or unpublish in progress (one per document)."""

    __tablename__ = "publish_intents"

    doc_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # of the bytes to write
    text: Mapped[str | None] = mapped_column(Text, nullable=True)  # what to write (publish)
    previous: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # file before
    title: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500), default="")
    approved: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Intent:
    """What an interrupted publish was doing, detached from the database."""

    doc_id: str
    action: str
    path: str
    content_hash: str
    text: str | None
    previous: bytes | None
    title: str
    actor: str
    message: str
    approved: int | None
    started_at: dt.datetime | None = None


def _detached(row: PublishIntentRow) -> Intent:
    return Intent(
        row.doc_id, row.action, row.path, row.content_hash, row.text, row.previous, row.title,
        row.actor, row.message, row.approved, row.started_at,
    )  # fmt: skip


def add_intent(session: Session, intent: Intent) -> None:
    """Record that a publish is starting (refused if one is pending for the document)."""
    session.add(
        PublishIntentRow(
            doc_id=intent.doc_id,
            action=intent.action,
            path=intent.path,
            content_hash=intent.content_hash,
            text=intent.text,
            previous=intent.previous,
            title=intent.title[:500],
            actor=intent.actor[:64],
            message=intent.message[:500],
            approved=intent.approved,
        )  # fmt: skip
    )
    session.flush()


def get_intent(session: Session, doc_id: str) -> Intent | None:
    """Return the pending publish of a document, or None."""
    row = session.get(PublishIntentRow, doc_id)
    return _detached(row) if row else None


def drop_intent(session: Session, doc_id: str) -> None:
    """Forget a document's pending publish (it was recorded, undone or rolled back)."""
    row = session.get(PublishIntentRow, doc_id)
    if row is not None:
        session.delete(row)


def pending_intents(session: Session) -> list[Intent]:
    """Return every pending publish, oldest first."""
    rows = session.scalars(select(PublishIntentRow).order_by(PublishIntentRow.started_at))
    return [_detached(row) for row in rows]
