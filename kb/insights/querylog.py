"""The query log: every search with its mode, filters, result count and latency, for curators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.background_writer import BackgroundWriter
from kb.store.database import Base, Database, utcnow


class SearchLogRow(Base):
    """One search as a user ran it."""

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    query: Mapped[str] = mapped_column(String(500), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(5))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result_count: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class SearchLogEntry:
    """One search to record: what was asked, how it was answered, and when."""

    query: str
    mode: str
    lang: str
    filters: dict[str, Any]
    result_count: int
    latency_ms: float
    at: dt.datetime = field(default_factory=utcnow)

    def row(self) -> SearchLogRow:
        """Return the table row for this entry."""
        return SearchLogRow(
            at=self.at,
            query=self.query[:500],
            mode=self.mode,
            lang=self.lang,
            filters=self.filters,
            result_count=self.result_count,
            latency_ms=round(self.latency_ms, 2),
        )


def _add_entries(session: Session, entries: list[SearchLogEntry]) -> None:
    session.add_all([entry.row() for entry in entries])


class QueryLog(BackgroundWriter[SearchLogEntry]):
    """Writes search-log entries in batches on a background thread, so no search waits on a write
    (kb.store.background_writer: bounded, retried while busy, dropped and counted when full)."""

    def __init__(self, database: Database, interval: float = 1.0, capacity: int = 10_000) -> None:
        super().__init__(database, _add_entries, "query-log", interval, capacity)
