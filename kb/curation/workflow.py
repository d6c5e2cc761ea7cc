"""The review workflow: draft → in review → published (→ archived), with the edit-conflict check.

A document's working copy is its *head* revision; its *live* revision is the one written to the
content folder. Drafts live only in the database (revisions), so readers and search never see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.curation.revisions import add_revision, get_revision, latest_revision
from kb.store.audit import record_event
from kb.store.database import Base, Database, utcnow
from kb.store.tables import DocumentRow

DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = "draft", "in_review", "published", "archived"


class DocStateRow(Base):
    """Where a document is in the workflow."""

    __tablename__ = "doc_states"

    doc_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(20), index=True)
    head: Mapped[int] = mapped_column(Integer)
    live: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(64), default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkflowError(Exception):
    """A workflow step that is not allowed now; the message says why."""


class EditConflict(Exception):
    """The document changed since the editor loaded it: carries the current head to diff against."""

    def __init__(self, head: int, head_text: str) -> None:
        super().__init__(f"the document was changed meanwhile (now at revision {head})")
        self.head = head
        self.head_text = head_text


@dataclass(frozen=True)
class State:
    """A detached workflow state."""

    doc_id: str
    path: str
    title: str
    state: str
    head: int
    live: int | None
    submitted_by: str
    updated_by: str
    updated_at: dt.datetime


def as_state(row: DocStateRow) -> State:
    """Return a detached copy of a state row."""
    return State(
        row.doc_id, row.path, row.title, row.state, row.head, row.live,
        row.submitted_by, row.updated_by, row.updated_at,
    )  # fmt: skip


def ensure_state(session: Session, doc_id: str, root: Path) -> DocStateRow | None:
    """Return a document's state, creating it for a catalogued file that has none yet."""
    row = session.get(DocStateRow, doc_id)
    if row is not None:
        return row
    document = session.get(DocumentRow, doc_id)
    if document is None:
        return None
    last = latest_revision(session, doc_id)
    if last is None:
        text = (root / document.path).read_text(encoding="utf-8-sig")
        number = add_revision(session, doc_id, text, "disk", "as found on disk", "disk")
    else:
        number = last.number
    published = document.status == PUBLISHED
    row = DocStateRow(
        doc_id=doc_id,
        path=document.path,
        title=document.title,
        state=PUBLISHED if published else DRAFT,
        head=number,
        live=number if published else None,
    )
    session.add(row)
    session.flush()
    return row


def get_state(database: Database, doc_id: str, root: Path) -> State | None:
    """Return a document's workflow state (None if there is no such document)."""
    with database.session() as session:
        row = ensure_state(session, doc_id, root)
        return as_state(row) if row else None


def head_text(database: Database, doc_id: str, root: Path) -> tuple[State, str] | None:
    """Return a document's state and the text of its working copy."""
    with database.session() as session:
        row = ensure_state(session, doc_id, root)
        if row is None:
            return None
        revision = get_revision(session, doc_id, row.head)
        return as_state(row), revision.text if revision else ""


def live_text(session: Session, doc_id: str) -> str | None:
    """Return the text of the published revision (or the newest, before any workflow)."""
    row = session.get(DocStateRow, doc_id)
    if row is not None and row.live is None:
        return None
    revision = get_revision(session, doc_id, row.live) if row else latest_revision(session, doc_id)
    return revision.text if revision else None


def note_disk_revision(
    session: Session, doc_id: str, path: str, number: int, published: bool
) -> None:
    """Record that a file edited on disk became revision `number` (and is what readers see)."""
    row = session.get(DocStateRow, doc_id)
    if row is None:
        row = DocStateRow(doc_id=doc_id, path=path, state=DRAFT, head=number)
        session.add(row)
    row.path, row.updated_by, row.updated_at = path, "disk", utcnow()
    row.live = number if published else None
    head = get_revision(session, doc_id, row.head)
    pending = row.state in (DRAFT, IN_REVIEW) and head is not None and head.source != "disk"
    if not pending:  # an editor draft in progress stays the working copy
        row.head = number
        row.state = PUBLISHED if published else DRAFT


def save_draft(
    database: Database,
    root: Path,
    doc_id: str,
    text: str,
    *,
    title: str,
    author: str,
    base: int,
    message: str = "",
    source: str = "editor",
    create: bool = False,
) -> int:
    """Save a new working copy; base is the head the editor started from (0 for a new document)."""
    with database.session() as session:
        row = ensure_state(session, doc_id, root)
        if create and row is not None:
            raise WorkflowError(
                f"the id '{doc_id}' is already used by another document; choose another id"
            )
        current = row.head if row else 0
        if base != current:
            revision = get_revision(session, doc_id, current)
            raise EditConflict(current, revision.text if revision else "")
        if row is not None:
            head = get_revision(session, doc_id, row.head)
            if head is not None and head.text == text and row.state in (DRAFT, IN_REVIEW):
                return row.head
        number = add_revision(session, doc_id, text, author, message, source)
        if row is None:
            row = DocStateRow(doc_id=doc_id, state=DRAFT, head=number)
            session.add(row)
        row.head, row.state, row.submitted_by = number, DRAFT, ""
        row.title, row.updated_by, row.updated_at = title, author, utcnow()
        return number


def _transition(
    database: Database, root: Path, doc_id: str, wanted: tuple[str, ...], to: str, actor: str
) -> DocStateRow:
    with database.session() as session:
        row = ensure_state(session, doc_id, root)
        if row is None:
            raise WorkflowError(f"there is no document '{doc_id}'")
        if row.state not in wanted:
            raise WorkflowError(
                f"the document is {row.state}; this step needs {' or '.join(wanted)}"
            )
        row.state, row.updated_by, row.updated_at = to, actor, utcnow()
        if to == IN_REVIEW:
            row.submitted_by = actor
        return row


def submit(database: Database, root: Path, doc_id: str, actor: str, has_errors: bool) -> None:
    """Send a draft for review (only when it has no validation errors)."""
    if has_errors:
        raise WorkflowError("fix the validation errors before submitting for review")
    _transition(database, root, doc_id, (DRAFT,), IN_REVIEW, actor)
    record_event(database, actor, "submit", doc_id)


def reject(database: Database, root: Path, doc_id: str, actor: str, note: str = "") -> None:
    """Send a document under review back to its author as a draft."""
    _transition(database, root, doc_id, (IN_REVIEW,), DRAFT, actor)
    record_event(database, actor, "reject", doc_id, note)


def check_approval(state: State, actor: str, head_author: str, self_approval: bool) -> None:
    """Refuse approval of a change that is not under review, or that is the approver's own."""
    if state.state != IN_REVIEW:
        raise WorkflowError(f"the document is {state.state}; only documents in review are approved")
    if not self_approval and actor in (state.submitted_by, head_author):
        raise WorkflowError("you cannot approve your own change; ask another curator to review it")


def restore(database: Database, root: Path, doc_id: str, number: int, actor: str) -> int:
    """Make an old revision the working copy again, as a new draft revision."""
    with database.session() as session:
        row = ensure_state(session, doc_id, root)
        old = get_revision(session, doc_id, number) if row else None
        if row is None or old is None:
            raise WorkflowError(f"'{doc_id}' has no revision {number}")
        head, title = row.head, row.title
    new = save_draft(
        database, root, doc_id, old.text, title=title, author=actor, base=head,
        message=f"restored revision {number}", source="restore",
    )  # fmt: skip
    record_event(database, actor, "restore", doc_id, f"revision {number} → {new}")
    return new


def states(database: Database, *wanted: str) -> list[State]:
    """Return documents in the given workflow states, most recently changed first."""
    with database.session() as session:
        rows = session.scalars(
            select(DocStateRow)
            .where(DocStateRow.state.in_(wanted))
            .order_by(DocStateRow.updated_at.desc())
        )
        return [as_state(row) for row in rows]
