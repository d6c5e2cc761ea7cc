"""Numbers for the curator dashboard: search analytics, feedback, stale content, content problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select

from kb.content.taxonomy import Status
from kb.insights.feedback import FeedbackRow
from kb.insights.querylog import SearchLogRow
from kb.store.database import Database, utcnow
from kb.store.tables import DocumentRow


@dataclass(frozen=True)
class QueryCount:
    """A query and how often it was searched (with its last result count)."""

    query: str
    count: int
    results: int = 0


@dataclass(frozen=True)
class DocFeedback:
    """Helpful / not-helpful votes of one document."""

    doc_id: str
    title: str
    helpful: int
    not_helpful: int


def top_queries(database: Database, limit: int = 10) -> list[QueryCount]:
    """Return the most searched queries (case-folded), most frequent first."""
    key = func.lower(SearchLogRow.query)
    with database.session() as session:
        rows = session.execute(
            select(key, func.count(), func.max(SearchLogRow.result_count))
            .group_by(key)
            .order_by(func.count().desc(), key)
            .limit(limit)
        ).all()
    return [QueryCount(q, n, r or 0) for q, n, r in rows]


def zero_result_queries(database: Database, limit: int = 10) -> list[QueryCount]:
    """Return queries that found nothing, most frequent first: content the PMO should write."""
    key = func.lower(SearchLogRow.query)
    with database.session() as session:
        rows = session.execute(
            select(key, func.count())
            .where(SearchLogRow.result_count == 0)
            .group_by(key)
            .order_by(func.count().desc(), key)
            .limit(limit)
        ).all()
    return [QueryCount(q, n) for q, n in rows]


def unhelpful_queries(database: Database, limit: int = 10) -> list[QueryCount]:
    """Return queries whose results readers marked "not helpful", most frequent first."""
    key = func.lower(FeedbackRow.query)
    with database.session() as session:
        rows = session.execute(
            select(key, func.count())
            .where(FeedbackRow.helpful.is_(False), FeedbackRow.query != "")
            .group_by(key)
            .order_by(func.count().desc(), key)
            .limit(limit)
        ).all()
    return [QueryCount(q, n) for q, n in rows]


def search_trend(database: Database, days: int = 30, today: dt.date | None = None):
    """Return [(day, searches, zero-result searches)] for the last `days` days, oldest first."""
    today = today or utcnow().date()
    start = today - dt.timedelta(days=days - 1)
    day = func.date(SearchLogRow.at)
    since = dt.datetime.combine(start, dt.time(), dt.UTC)
    with database.session() as session:
        rows = session.execute(
            select(day, func.count(), func.sum(case((SearchLogRow.result_count == 0, 1), else_=0)))
            .where(SearchLogRow.at >= since)
            .group_by(day)
        ).all()
    by_day = {str(d): (int(n), int(z or 0)) for d, n, z in rows}
    points = []
    for offset in range(days):
        current = start + dt.timedelta(days=offset)
        total, zero = by_day.get(current.isoformat(), (0, 0))
        points.append((current, total, zero))
    return points


def feedback_by_document(database: Database, limit: int = 20) -> list[DocFeedback]:
    """Return votes per document, the most "not helpful" first."""
    not_helpful = func.sum(case((FeedbackRow.helpful.is_(False), 1), else_=0))
    helpful = func.sum(case((FeedbackRow.helpful.is_(True), 1), else_=0))
    with database.session() as session:
        rows = session.execute(
            select(FeedbackRow.doc_id, DocumentRow.title, helpful, not_helpful)
            .join(DocumentRow, DocumentRow.id == FeedbackRow.doc_id, isouter=True)
            .group_by(FeedbackRow.doc_id, DocumentRow.title)
            .order_by(not_helpful.desc(), FeedbackRow.doc_id)
            .limit(limit)
        ).all()
    return [DocFeedback(d, t or d, int(h or 0), int(n or 0)) for d, t, h, n in rows]


def stale_documents(database: Database, months: int, today: dt.date | None = None):
    """Return published documents whose `updated` date is older than `months` months."""
    today = today or utcnow().date()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    cutoff = dt.date(year, month + 1, min(today.day, 28)).isoformat()
    with database.session() as session:
        return list(
            session.scalars(
                select(DocumentRow)
                .where(
                    DocumentRow.status == Status.PUBLISHED,
                    DocumentRow.updated.is_not(None),
                    DocumentRow.updated < cutoff,
                )
                .order_by(DocumentRow.updated)
            )
        )
