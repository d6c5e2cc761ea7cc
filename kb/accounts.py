"""Local accounts: argon2-hashed passwords, roles, sign-in (throttled by kb.signin_throttle) and
ending an account's sessions (kb.sessions) when its password or role changes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from kb import sessions, signin_throttle
from kb.store.audit import record_event
from kb.store.database import Base, Database, utcnow

# Checked when the name has no account, so that the answer takes as long as a real check.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$EX6lTWw00JzGJFMmIolhNw$nLWb0+oHJPRoBZnj5vLPAabCSIKtEADYTpNxhCiHye4"
USERNAME = re.compile(r"^[\w.@-]{2,64}$")
MIN_PASSWORD = 8


class Role(StrEnum):
    LEARNER = "learner"
    CURATOR = "curator"
    ADMIN = "admin"


RANK = {Role.LEARNER: 1, Role.CURATOR: 2, Role.ADMIN: 3}


class UserRow(Base):
    """A local account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # unused since throttling moved to kb.signin_throttle; kept so existing databases still insert
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) user, detached from the database."""

    id: int
    username: str
    display_name: str
    role: str

    @property
    def name(self) -> str:
        """Return the name to show."""
        return self.display_name or self.username

    def has_role(self, role: Role | str) -> bool:
        """Tell whether the user has at least this role (admin > curator > learner)."""
        return RANK[Role(self.role)] >= RANK[Role(role)]


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says why and what to do."""


class SignInThrottled(AccountError):
    """Too many failed sign-ins for this name from this address; try again later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins. Try again in {retry_after // 60 + 1} minutes.")
        self.retry_after = retry_after


def _hasher() -> PasswordHasher:
    return PasswordHasher()


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.display_name, row.role)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")


def create_user(
    database: Database,
    username: str,
    password: str,
    role: str = Role.LEARNER,
    display_name: str = "",
) -> User:
    """Create an account; the username must be new and the password long enough."""
    if not USERNAME.match(username):
        raise AccountError("A username has 2–64 letters, digits or . _ @ - characters.")
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role '{role}': use learner, curator or admin.")
    _check_password(password)
    with database.session() as session:
        if session.scalar(select(UserRow).where(UserRow.username == username)):
            raise AccountError(f"The username '{username}' is taken.")
        row = UserRow(
            username=username,
            display_name=display_name,
            password_hash=_hasher().hash(password),
            role=role,
        )
        session.add(row)
        session.flush()
        return _user(row)


def set_password(database: Database, username: str, password: str) -> None:
    """Change an account's password: every session of it ends, any sign-in wait is lifted."""
    _check_password(password)
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"No account is called '{username}'.")
        row.password_hash = _hasher().hash(password)
        sessions.end_all(session, row.id)
        signin_throttle.clear(session, username)


def set_role(database: Database, username: str, role: str, actor: str = "cli") -> None:
    """Change an account's role (recorded in the audit log); every session of it ends."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role '{role}': use learner, curator or admin.")
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"No account is called '{username}'.")
        row.role = role
        sessions.end_all(session, row.id)
        record_event(session, actor, "role_change", username, f"role={role}")


def authenticate(
    database: Database, username: str, password: str, address: str = ""
) -> User | None:
    """Return the user for correct credentials, None otherwise; throttled per (name, address).

    A name without an account goes through the same steps (a check against a dummy hash, the
    same failure count), so neither the answer nor its timing tells which names exist.
    """
    now = utcnow()
    # The attempt is counted as a failure before the (slow) password check, in one writing
    # transaction with the wait's check: parallel guesses cannot all pass a wait read earlier.
    with database.session() as session:
        wait = signin_throttle.reserve_attempt(session, username, address, now)
        row = None if wait else session.scalar(select(UserRow).where(UserRow.username == username))
        stored, user = (row.password_hash, _user(row)) if row else (DUMMY_HASH, None)
    if wait:
        raise SignInThrottled(wait)
    try:
        ok = _hasher().verify(stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with database.session() as session:
        if ok:
            signin_throttle.clear(session, username, address)
            return user
        record_event(session, username, "sign_in_failed", username, f"from {address}")
    return None


def sign_out_everywhere(database: Database, username: str, actor: str = "cli") -> int:
    """End every session of an account (recorded in the audit log); return how many were open."""
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"No account is called '{username}'.")
        ended = sessions.end_all(session, row.id)
        record_event(session, actor, "sign_out_everywhere", username, f"{ended} sessions")
    return ended


def get_user(database: Database, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    with database.reading() as session:
        row = session.get(UserRow, user_id)
        return _user(row) if row else None


def list_users(database: Database) -> list[User]:
    """Return every account, by username."""
    with database.reading() as session:
        return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]
