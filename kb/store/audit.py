"""The audit log: who did what (publish, unpublish, restore, role change, failed sign-ins)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from kb.store.database import Base, Database, utcnow


class AuditRow(Base):
    """One recorded action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


def record_event(
    database: Database, actor: str, action: str, target: str, detail: str = ""
) -> None:
    """Append one action to the audit log."""
    with database.session() as session:
        session.add(AuditRow(actor=actor[:64], action=action, target=target[:300], detail=detail))


def recent_events(database: Database, limit: int = 200) -> list[AuditRow]:
    """Return the newest actions first."""
    with database.session() as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)))
