"""Revisions: every saved version of a document's full text, numbered per document, with diffs.

The queries take the caller's Session; kb.curation.workflow opens the units of work."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, utcnow


class RevisionRow(Base):
    """One saved version of a document (draft save, publish, restore, upload or disk edit)."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("doc_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(20))  # editor, upload, publish, restore, disk
    text: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class Revision:
    """A revision detached from the database."""

    doc_id: str
    number: int
    at: dt.datetime
    author: str
    message: str
    source: str
    text: str


def _detached(row: RevisionRow) -> Revision:
    return Revision(row.doc_id, row.number, row.at, row.author, row.message, row.source, row.text)


def add_revision(
    session: Session, doc_id: str, text: str, author: str, message: str, source: str
) -> int:
    """Append a revision to a document's history and return its number."""
    last = session.scalar(select(func.max(RevisionRow.number)).where(RevisionRow.doc_id == doc_id))
    number = (last or 0) + 1
    session.add(
        RevisionRow(
            doc_id=doc_id,
            number=number,
            author=author[:64],
            message=message[:500],
            source=source,
            text=text,
        )
    )
    session.flush()
    return number


def get_revision(session: Session, doc_id: str, number: int) -> Revision | None:
    """Return one revision of a document, or None."""
    row = session.scalar(
        select(RevisionRow).where(RevisionRow.doc_id == doc_id, RevisionRow.number == number)
    )
    return _detached(row) if row else None


def latest_revision(session: Session, doc_id: str) -> Revision | None:
    """Return the newest revision of a document, or None."""
    row = session.scalar(
        select(RevisionRow)
        .where(RevisionRow.doc_id == doc_id)
        .order_by(RevisionRow.number.desc())
        .limit(1)
    )
    return _detached(row) if row else None


def list_revisions(session: Session, doc_id: str) -> list[Revision]:
    """Return a document's revisions, newest first."""
    rows = session.scalars(
        select(RevisionRow).where(RevisionRow.doc_id == doc_id).order_by(RevisionRow.number.desc())
    )
    return [_detached(row) for row in rows]


def unified_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    """Return the unified diff between two texts, line by line."""
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), old_label, new_label, lineterm="", n=3
        )
    )


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: left and right line numbers and texts, and the change."""

    tag: str  # equal, replace, delete, insert
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Return the rows of a side-by-side diff between two texts."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            rows.append(
                DiffRow(
                    tag,
                    i + 1 if i < i2 else None,
                    a[i] if i < i2 else "",
                    j + 1 if j < j2 else None,
                    b[j] if j < j2 else "",
                )
            )
    return rows
