"""Certificates: the lasting record that a learner completed a module, with a public verification code.

A certificate is the completion record itself: one per learner and module (a unique constraint),
issued once and never changed or removed when the module's content changes later.

Every function here takes a Session: the caller owns the unit of work (progress issues a
certificate in the same transaction as the answer that completes the module).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, utcnow
from kb.store.dialect import upsert_insert

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out and type
CODE_GROUPS = 3


class CertificateRow(Base):
    """A completed module: who, what, when, with which score, and the verification code."""

    __tablename__ = "training_certificates"
    __table_args__ = (UniqueConstraint("user_id", "module_id", name="uq_certificate_user_module"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(200), index=True)
    module_title: Mapped[str] = mapped_column(String(500))
    learner_name: Mapped[str] = mapped_column(String(200))
    score: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Certificate:
    """A certificate, detached from the database."""

    code: str
    user_id: int
    module_id: str
    module_title: str
    learner_name: str
    score: int
    issued_at: dt.datetime


def _certificate(row: CertificateRow) -> Certificate:
    issued = row.issued_at.replace(tzinfo=row.issued_at.tzinfo or dt.UTC)
    return Certificate(
        row.code, row.user_id, row.module_id, row.module_title, row.learner_name, row.score, issued
    )


def new_code() -> str:
    """Return a fresh random verification code such as 7KQM-2WXA-P9DF."""
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS)]
    return "-".join(groups)


def normalise_code(text: str) -> str:
    """Return a typed code in canonical form (case and separators do not matter)."""
    plain = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def issue(
    session: Session, user_id: int, learner_name: str, module_id: str, title: str, score: int
) -> Certificate:
    """Issue the learner's certificate for a module; if one exists already, return it unchanged."""
    statement = upsert_insert(session, CertificateRow).values(
        code=new_code(),
        user_id=user_id,
        module_id=module_id,
        module_title=title,
        learner_name=learner_name,
        score=score,
        issued_at=utcnow(),
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["user_id", "module_id"]))
    row = session.scalar(
        select(CertificateRow).where(
            CertificateRow.user_id == user_id, CertificateRow.module_id == module_id
        )
    )
    return _certificate(row)


def completed_modules(session: Session, user_id: int) -> dict[str, Certificate]:
    """Return the learner's certificates by module id."""
    rows = session.scalars(select(CertificateRow).where(CertificateRow.user_id == user_id))
    return {row.module_id: _certificate(row) for row in rows}


def all_certificates(session: Session) -> list[Certificate]:
    """Return every certificate (for the team view)."""
    return [_certificate(row) for row in session.scalars(select(CertificateRow))]


def verify(session: Session, code: str) -> Certificate | None:
    """Return the certificate with this code (in any case or spacing), or None."""
    row = session.get(CertificateRow, normalise_code(code))
    return _certificate(row) if row else None


def certificate_for(session: Session, user_id: int, module_id: str) -> Certificate | None:
    """Return the learner's certificate for one module, or None."""
    return completed_modules(session, user_id).get(module_id)
