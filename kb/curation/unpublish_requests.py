"""Requests to unpublish a document: a curator asks, another curator (or an admin) approves or
declines — the same review as publishing. Decided requests stay as the record of who took a
document away, when, why, and which revision readers saw last (the one to restore).

The queries take the caller's Session; kb.curation.workflow opens the units of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, utcnow

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"


class UnpublishRequestRow(Base):
    """One request to take a published document away from readers."""

    __tablename__ = "unpublish_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the live revision when it was asked
    path: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retained: Mapped[str] = mapped_column(String(700), default="")  # where the file was kept


@dataclass(frozen=True)
class UnpublishRequest:
    """A request to unpublish, detached from the database."""

    doc_id: str
    revision: int
    path: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    outcome: str
    decided_by: str
    decided_at: dt.datetime | None
    retained: str


def _detached(row: UnpublishRequestRow) -> UnpublishRequest:
    return UnpublishRequest(
        row.doc_id, row.revision, row.path, row.reason, row.requested_by, row.requested_at,
        row.outcome, row.decided_by, row.decided_at, row.retained,
    )  # fmt: skip


def pending_row(session: Session, doc_id: str) -> UnpublishRequestRow | None:
    """Return the open request to unpublish a document, or None."""
    return session.scalar(
        select(UnpublishRequestRow).where(
            UnpublishRequestRow.doc_id == doc_id, UnpublishRequestRow.outcome == PENDING
        )
    )


def pending(session: Session, doc_id: str) -> UnpublishRequest | None:
    """Return the open request to unpublish a document (detached), or None."""
    row = pending_row(session, doc_id)
    return _detached(row) if row else None


def last_approved(session: Session, doc_id: str) -> UnpublishRequest | None:
    """Return the request by which a document was last unpublished, or None."""
    row = session.scalar(
        select(UnpublishRequestRow)
        .where(UnpublishRequestRow.doc_id == doc_id, UnpublishRequestRow.outcome == APPROVED)
        .order_by(UnpublishRequestRow.id.desc())
        .limit(1)
    )
    return _detached(row) if row else None


def all_pending(session: Session) -> list[UnpublishRequest]:
    """Return every open request, oldest first."""
    rows = session.scalars(
        select(UnpublishRequestRow)
        .where(UnpublishRequestRow.outcome == PENDING)
        .order_by(UnpublishRequestRow.id)
    )
    return [_detached(row) for row in rows]


def decide(row: UnpublishRequestRow, outcome: str, actor: str, retained: str = "") -> None:
    """Close a request as approved or declined by actor."""
    row.outcome, row.decided_by, row.decided_at = outcome, actor[:64], utcnow()
    row.retained = retained[:700]
