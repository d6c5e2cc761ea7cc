"""Idempotent inserts: INSERT … ON CONFLICT for the dialects the store runs on (SQLite, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, table):
    """Return an INSERT for the session's dialect that supports on_conflict_do_nothing/update."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the store runs on SQLite or PostgreSQL, not {dialect}")
