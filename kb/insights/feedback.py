"""Reader feedback: "was this helpful?" per document, with the query that led there."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from kb.store.database import Base, Database, utcnow


class FeedbackRow(Base):
    """One reader's verdict on one document."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str] = mapped_column(String(500), default="")


def record_feedback(
    database: Database, doc_id: str, helpful: bool, comment: str = "", query: str = ""
) -> None:
    """Store one feedback vote."""
    with database.session() as session:
        session.add(
            FeedbackRow(doc_id=doc_id, helpful=helpful, comment=comment[:2000], query=query[:500])
        )


def feedback_counts(database: Database, doc_id: str) -> tuple[int, int]:
    """Return (helpful, not helpful) votes for a document."""
    with database.session() as session:
        rows = session.execute(
            select(FeedbackRow.helpful, func.count())
            .where(FeedbackRow.doc_id == doc_id)
            .group_by(FeedbackRow.helpful)
        ).all()
    votes = dict(rows)
    return votes.get(True, 0), votes.get(False, 0)
