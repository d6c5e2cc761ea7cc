"""Local accounts: argon2-hashed passwords, roles, and sign-in throttling after repeated failures."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from kb.store.audit import record_event
from kb.store.database import Base, Database, utcnow

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
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
    """Too many failed sign-ins for this account; try again later."""

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
    """Change an account's password (and lift any sign-in lock)."""
    _check_password(password)
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"No account is called '{username}'.")
        row.password_hash = _hasher().hash(password)
        row.failed_logins, row.locked_until = 0, None


def set_role(database: Database, username: str, role: str, actor: str = "cli") -> None:
    """Change an account's role (recorded in the audit log)."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role '{role}': use learner, curator or admin.")
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise AccountError(f"No account is called '{username}'.")
        row.role = role
        record_event(session, actor, "role_change", username, f"role={role}")


def authenticate(database: Database, username: str, password: str) -> User | None:
    """Return the user for correct credentials, None otherwise; locks after repeated failures."""
    now = utcnow()
    with database.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            _hasher().hash(password)  # same work as a real check: no timing oracle
            failed = True
        else:
            locked = row.locked_until
            if locked is not None and locked.replace(tzinfo=locked.tzinfo or dt.UTC) > now:
                retry = int((locked.replace(tzinfo=locked.tzinfo or dt.UTC) - now).total_seconds())
                raise SignInThrottled(retry)
            try:
                _hasher().verify(row.password_hash, password)
                failed = False
            except (VerificationError, InvalidHashError):
                failed = True
            if failed:
                row.failed_logins += 1
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until = now + LOCKOUT
                    row.failed_logins = 0
            else:
                row.failed_logins, row.locked_until = 0, None
                user = _user(row)
        if failed:
            record_event(session, username, "sign_in_failed", username, "")
    if failed:
        return None
    return user


def get_user(database: Database, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    with database.session() as session:
        row = session.get(UserRow, user_id)
        return _user(row) if row else None


def list_users(database: Database) -> list[User]:
    """Return every account, by username."""
    with database.session() as session:
        return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]
