"""Server-side sign-in sessions: the browser holds only a random id, the database its SHA-256 hash.

A session ends when it is revoked (sign-out, password or role change, "sign out everywhere"),
when it has been idle too long, or at its absolute expiry, whichever comes first. Last-seen is
written at most every TOUCH_EVERY, so an ordinary request only reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey, Integer, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, Database, utcnow

TOUCH_EVERY = dt.timedelta(minutes=5)
KEEP_ENDED = dt.timedelta(days=30)  # ended records stay this long (for the admin's view), then go
MAX_TOKEN = 100  # longer cookie values are not ours: no lookup


class SessionRow(Base):
    """One sign-in session of a user."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(45), default="")


@dataclass(frozen=True)
class Lifetime:
    """How long a session lives: idle (since the last request) and absolute (since sign-in)."""

    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True)
class Activity:
    """A user's live sessions: how many, and when the latest was last used."""

    sessions: int
    last_seen: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start(
    database: Database,
    user_id: int,
    lifetime: Lifetime,
    user_agent: str = "",
    address: str = "",
    now: dt.datetime | None = None,
) -> str:
    """Open a session for the user and return its token (the only copy; only its hash is kept)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with database.session() as session:
        session.execute(delete(SessionRow).where(SessionRow.expires_at < now - KEEP_ENDED))
        session.add(
            SessionRow(
                token_hash=_digest(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime.absolute,
                user_agent=user_agent[:120],
                address=address[:45],
            )
        )
    return token


def resolve(
    database: Database, token: str, lifetime: Lifetime, now: dt.datetime | None = None
) -> int | None:
    """Return the user id of the live session with this token, or None (unknown, ended, expired)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    now = now or utcnow()
    with database.reading() as session:
        row = session.scalar(select(SessionRow).where(SessionRow.token_hash == _digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        session_id, user_id = row.id, row.user_id
        last_seen, expires = _aware(row.last_seen_at), _aware(row.expires_at)
    if now >= expires or now >= last_seen + lifetime.idle:
        return None
    if now - last_seen >= TOUCH_EVERY:
        with database.session() as session:
            session.execute(
                update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now)
            )
    return user_id


def end(database: Database, token: str) -> None:
    """End the session with this token (sign-out); an unknown token is ignored."""
    if not token or len(token) > MAX_TOKEN:
        return
    with database.session() as session:
        session.execute(
            update(SessionRow)
            .where(SessionRow.token_hash == _digest(token), SessionRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all(session: Session, user_id: int) -> int:
    """End every session of a user, in the caller's unit of work; return how many were open."""
    result = session.execute(
        update(SessionRow)
        .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def end_everyone(session: Session) -> int:
    """End every open session of every user, in the caller's unit of work (a restored backup:
    sessions revoked after it was made would otherwise live again); return how many."""
    result = session.execute(
        update(SessionRow).where(SessionRow.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount


def activity(database: Database, lifetime: Lifetime) -> dict[int, Activity]:
    """Return, per user id, the sessions still live (not ended, not expired)."""
    now = utcnow()
    with database.reading() as session:
        rows = session.execute(
            select(SessionRow.user_id, func.count(), func.max(SessionRow.last_seen_at))
            .where(
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
                SessionRow.last_seen_at > now - lifetime.idle,
            )
            .group_by(SessionRow.user_id)
        ).all()
    return {user_id: Activity(count, _aware(seen)) for user_id, count, seen in rows}
