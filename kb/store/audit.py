"""The audit log: who did what (publish, unpublish, restore, role change, failed sign-ins).

Both functions take the caller's Session, so an event commits with the change it records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, utcnow


class AuditRow(Base):
    """One recorded action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


def record_event(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """Append one action to the audit log, in the caller's unit of work (with what it records)."""
    session.add(AuditRow(actor=actor[:64], action=action, target=target[:300], detail=detail))


def recent_events(session: Session, limit: int = 200) -> list[AuditRow]:
    """Return the newest actions first."""
    return list(session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))
