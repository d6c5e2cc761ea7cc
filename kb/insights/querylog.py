"""The query log: every search with its mode, filters, result count and latency, for curators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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


def log_search(
    database: Database,
    query: str,
    mode: str,
    lang: str,
    filters: dict[str, Any],
    result_count: int,
    latency_ms: float,
) -> None:
    """Record one search."""
    with database.session() as session:
        session.add(
            SearchLogRow(
                query=query[:500],
                mode=mode,
                lang=lang,
                filters=filters,
                result_count=result_count,
                latency_ms=round(latency_ms, 2),
            )
        )
