"""The SQLAlchemy database: declarative base, engine creation and sessions, with the one place
where the dialects differ in how transactions behave (SQLite tuned for a web app; PostgreSQL
giving the same guarantees)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """The declarative base every table of the store derives from."""


def utcnow() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


READ_ONLY = "kb_read_only"
BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another before giving up
WRITERS_LOCK = 7_346_101  # the pg_advisory_xact_lock key every writing transaction takes


def _tune_sqlite(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 driver, decide when transactions begin (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # first: switching to WAL needs the lock a starting server's upgrade may hold, and without
    # it the switch waits only the driver's 5 s
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection) -> None:
    """Start writing transactions with BEGIN IMMEDIATE: read-check-write sequences (revision
    numbers, edit-conflict checks, sign-in counters) become atomic, and two writers queue on
    the busy timeout instead of failing with "database is locked" half-way. Read-only sessions
    start a plain (deferred) transaction: in WAL mode they read a snapshot and never wait for
    a writer, nor make one wait."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _begin_postgresql(connection) -> None:
    """Give PostgreSQL transactions SQLite's guarantees: a writing transaction first takes one
    transaction-scoped advisory lock, so writers run one at a time across every replica and
    read-check-write sequences stay atomic without retry loops; a read-only session reads one
    REPEATABLE READ snapshot and never waits for a writer."""
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":  # a lock holder, not a transaction
        return
    if options.get(READ_ONLY, False):
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    else:  # wait for another writer as long as SQLite's busy timeout, then fail retryably
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_MS}ms'")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})")


RETRYABLE_SQLSTATES = {"55P03", "40001", "40P01"}  # lock timeout, serialization, deadlock


def is_busy(error: Exception) -> bool:
    """Tell whether a database error means "another writer holds the store" (worth a retry)."""
    original = getattr(error, "orig", error)
    if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    text = str(original).lower()
    return isinstance(original, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def driver_url(url: str) -> str:
    """Return a database URL with the driver the store uses (postgresql:// → psycopg 3)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class DatabaseUnreachable(Exception):
    """The store cannot be opened at this URL; the message says why and what to check."""

    def __init__(self, url: str, detail: str) -> None:
        shown = make_url(url).render_as_string(hide_password=True)
        super().__init__(
            f"cannot open the database {shown}: {detail}. Check KB_DATABASE_URL (empty means "
            "SQLite in the data folder; PostgreSQL is postgresql+psycopg://USER@HOST:PORT/DB), "
            "that the server is running and that the database exists (e.g. `createdb DB`)."
        )


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
        """Open the database at a SQLAlchemy URL (creating a SQLite file's folder); no tables.
        Raise DatabaseUnreachable, saying what to check, when it cannot be reached."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        url = driver_url(url)
        if url.startswith("postgresql") and not make_url(url).database:
            raise DatabaseUnreachable(
                url,
                "the URL names no database, and the server would pick its default one (such as "
                "`postgres`); add the database's name at its end, /DB",
            )
        if url.startswith("sqlite"):
            engine = create_engine(url)
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        elif url.startswith("postgresql+psycopg://"):
            engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
            event.listen(engine, "begin", _begin_postgresql)
        else:
            raise DatabaseUnreachable(url, "only SQLite and PostgreSQL are supported")
        database = cls(engine)
        try:
            with engine.connect():
                pass
        except OperationalError as error:
            engine.dispose()
            raise DatabaseUnreachable(url, str(error.orig).strip().splitlines()[0]) from None
        return database

    @property
    def dialect(self) -> str:
        """Return the dialect's name: sqlite or postgresql."""
        return self.engine.dialect.name

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

    @contextmanager
    def cluster_lock(self, key: int, wait: bool = True) -> Iterator[bool]:
        """Hold a PostgreSQL session advisory lock for the block, shared by every process on
        the database (the server drops it if this process dies); yield whether it was taken
        (always, when waiting)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            taken = connection.exec_driver_sql(f"SELECT {function}({key})").scalar() is not False
            try:
                yield taken
            finally:
                if taken:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
