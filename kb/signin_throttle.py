"""Sign-in throttling per (account name, client address), with exponential back-off.

Failures are counted for the name as typed (normalised) from one address, whether or not an
account has that name: a guesser slows down only themselves, the real user still gets in from
another address, and the responses never tell which names exist. State lives in the database,
so it survives restarts and is shared by every worker.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import unicodedata

from sqlalchemy import DateTime, Integer, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base

FREE_FAILURES = 4  # the 5th failure in a row starts the back-off
FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
FORGET_AFTER = dt.timedelta(days=1)  # a quiet day clears the count


class ThrottleRow(Base):
    """Failed sign-ins of one name from one address."""

    __tablename__ = "sign_in_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(45), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


def name_key(username: str) -> str:
    """Return the throttle key of a typed name: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()[:64]


def address_key(address: str) -> str:
    """Return the throttle key of a client address: IPv4 as is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_after(failures: int) -> dt.timedelta:
    """Return how long sign-in waits after this many failures in a row (0 while still free)."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 20), MAX_DELAY)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _row(session: Session, username: str, address: str) -> ThrottleRow | None:
    return session.get(ThrottleRow, (name_key(username), address_key(address)))


def wait_seconds(session: Session, username: str, address: str, now: dt.datetime) -> int:
    """Return how many seconds this name must wait before signing in from this address (0: now)."""
    row = _row(session, username, address)
    if row is None or row.blocked_until is None:
        return 0
    left = (_aware(row.blocked_until) - now).total_seconds()
    return max(0, int(left + 0.999))


def record_failure(session: Session, username: str, address: str, now: dt.datetime) -> None:
    """Count one failed sign-in of this name from this address, and start or lengthen the wait."""
    row = _row(session, username, address)
    if row is None:
        row = ThrottleRow(
            name=name_key(username), address=address_key(address), failures=0, last_failure_at=now
        )
        session.add(row)
    elif now - _aware(row.last_failure_at) > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    delay = delay_after(row.failures)
    row.blocked_until = now + delay if delay else None


def reserve_attempt(session: Session, username: str, address: str, now: dt.datetime) -> int:
    """Count a sign-in attempt as failed before its password is checked, unless the name must
    wait: return the seconds to wait (0: go ahead and check; a success then clears the count).

    Call it in a writing session (Database.session): writing transactions run one at a time on
    SQLite and across PostgreSQL replicas, so the read and the count are one atomic step and no
    number of parallel guesses gets more than FREE_FAILURES + 1 checks before the wait starts."""
    wait = wait_seconds(session, username, address, now)
    if not wait:
        record_failure(session, username, address, now)
    return wait


def clear(session: Session, username: str, address: str | None = None) -> None:
    """Forget the failures of this name (from one address, or from every address)."""
    query = delete(ThrottleRow).where(ThrottleRow.name == name_key(username))
    if address is not None:
        query = query.where(ThrottleRow.address == address_key(address))
    session.execute(query)
