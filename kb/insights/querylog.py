"""The query log: every search with its mode, filters, result count and latency, for curators."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String
from sqlalchemy.exc import OperationalError, SQLAlchemyError
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


class QueryLog:
    """Writes search-log entries in batches on a background thread, so no search waits on a write.

    Entries wait in a bounded queue; when the database is busy the batch is retried, and when
    the queue is full the newest entries are dropped and counted rather than slowing searches.
    """

    def __init__(self, database: Database, interval: float = 1.0, capacity: int = 10_000) -> None:
        self.database = database
        self.interval = interval
        self.dropped = 0
        self._queue: queue.Queue[SearchLogEntry | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._run, name="query-log", daemon=True)
        self._thread.start()

    def record(self, entry: SearchLogEntry) -> None:
        """Queue an entry for the next batch (never blocks)."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1

    def flush(self) -> None:
        """Block until every entry queued so far is written."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self.interval
            while batch[-1] is not None and len(batch) < 500:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            stopping = batch[-1] is None
            entries = [entry for entry in batch if entry is not None]
            self._write(entries)
            for _ in batch:
                self._queue.task_done()

    def _write(self, entries: list[SearchLogEntry]) -> None:
        for attempt in range(5):
            try:
                with self.database.session() as session:
                    session.add_all([entry.row() for entry in entries])
                return
            except OperationalError:
                time.sleep(0.2 * 2**attempt)  # busy: back off and retry the same batch
            except SQLAlchemyError:
                break  # not a busy database: retrying will not help
        self.dropped += len(entries)
