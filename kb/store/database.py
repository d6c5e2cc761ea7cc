"""The SQLAlchemy database: declarative base, engine creation (SQLite tuned for a web app) and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """The declarative base every table of the store derives from."""


def utcnow() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


def _tune_sqlite(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 driver, decide when transactions begin (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "kb_read_only"


def _begin(connection) -> None:
    """Start writing transactions with BEGIN IMMEDIATE: read-check-write sequences (revision
    numbers, edit-conflict checks, sign-in counters) become atomic, and two writers queue on
    the busy timeout instead of failing with "database is locked" half-way. Read-only sessions
    start a plain (deferred) transaction: in WAL mode they read a snapshot and never wait for
    a writer, nor make one wait."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """An engine plus a session factory; `kb.bootstrap.open_database` also brings the schema
    to head (kb.store.schema)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @classmethod
    def connect(cls, url: str) -> Database:
        """Open the database at a SQLAlchemy URL (creating a SQLite file's folder); no tables."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", _begin)
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a read-only session: a consistent snapshot that takes no write lock."""
        with self._readers() as session, session.begin():
            yield session  # ends in a COMMIT that writes nothing (a rollback would expire rows)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
