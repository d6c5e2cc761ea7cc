"""The review workflow: draft → in review → published (→ archived), with the edit-conflict check.

A document's working copy is its *head* revision; its *live* revision is the one written to the
content folder. Drafts live only in the database (revisions), so readers and search never see them.
Unpublishing is reviewed too: a curator requests it, another curator (or an admin) approves it.

This module is the one writer of the workflow state, of the publish journal (kb.curation.intents)
and of unpublish requests. Each public function opens its own unit of work (the state change and
its audit event commit together); the helpers that take a Session are private.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.content.ids import require_id
from kb.content.taxonomy import Kind, Status
from kb.curation import intents, revisions
from kb.curation import unpublish_requests as requests
from kb.curation.intents import Intent
from kb.curation.revisions import Revision, add_revision, get_revision, latest_revision
from kb.store.audit import record_event
from kb.store.database import Base, Database, utcnow
from kb.store.tables import DocumentRow

DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = (
    Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED, Status.ARCHIVED,
)  # fmt: skip


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


def _as_state(row: DocStateRow) -> State:
    """Return a detached copy of a state row."""
    return State(
        row.doc_id, row.path, row.title, row.state, row.head, row.live,
        row.submitted_by, row.updated_by, row.updated_at,
    )  # fmt: skip


def _ensure_state(session: Session, doc_id: str, root: Path) -> DocStateRow | None:
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
        row = _ensure_state(session, doc_id, root)
        return _as_state(row) if row else None


def head_text(database: Database, doc_id: str, root: Path) -> tuple[State, str] | None:
    """Return a document's state and the text of its working copy."""
    with database.session() as session:
        row = _ensure_state(session, doc_id, root)
        if row is None:
            return None
        revision = get_revision(session, doc_id, row.head)
        return _as_state(row), revision.text if revision else ""


def _live_text(session: Session, doc_id: str) -> str | None:
    """Return the text of the published revision (or the newest, before any workflow)."""
    row = session.get(DocStateRow, doc_id)
    if row is not None and row.live is None:
        return None
    revision = get_revision(session, doc_id, row.live) if row else latest_revision(session, doc_id)
    return revision.text if revision else None


def _note_disk_revision(
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
    """Save a new working copy; base is the head the editor started from (0 for a new document).

    An id that breaks the id rule (kb.content.ids) raises InvalidId before anything is saved."""
    require_id(doc_id)
    with database.session() as session:
        row = _ensure_state(session, doc_id, root)
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
        if source != "restore":  # restore records its own event
            if source == "upload" or row is None:
                action = "upload" if source == "upload" else "create_draft"
            else:  # a new working copy: of a published document (an edit) or of a draft
                action = "edit" if row.live is not None else "save_draft"
            detail = f"revision {number}" + (f": {message}" if message else "")
            record_event(session, author, action, doc_id, detail)
        if row is None:
            row = DocStateRow(doc_id=doc_id, state=DRAFT, head=number)
            session.add(row)
        row.head, row.state, row.submitted_by = number, DRAFT, ""
        row.title, row.updated_by, row.updated_at = title, author, utcnow()
        return number


def _transition(
    session: Session, root: Path, doc_id: str, wanted: tuple[str, ...], to: str, actor: str
) -> DocStateRow:
    row = _ensure_state(session, doc_id, root)
    if row is None:
        raise WorkflowError(f"there is no document '{doc_id}'")
    if row.state not in wanted:
        raise WorkflowError(f"the document is {row.state}; this step needs {' or '.join(wanted)}")
    row.state, row.updated_by, row.updated_at = to, actor, utcnow()
    if to == IN_REVIEW:
        row.submitted_by = actor
    return row


def submit(database: Database, root: Path, doc_id: str, actor: str, has_errors: bool) -> None:
    """Send a draft for review (only when it has no validation errors)."""
    if has_errors:
        raise WorkflowError("fix the validation errors before submitting for review")
    with database.session() as session:
        _transition(session, root, doc_id, (DRAFT,), IN_REVIEW, actor)
        record_event(session, actor, "submit", doc_id)


def reject(database: Database, root: Path, doc_id: str, actor: str, note: str = "") -> None:
    """Send a document under review back to its author as a draft."""
    with database.session() as session:
        _transition(session, root, doc_id, (IN_REVIEW,), DRAFT, actor)
        record_event(session, actor, "reject", doc_id, note)


def _check_approval(state: State, actor: str, head_author: str, self_approval: bool) -> None:
    """Refuse approval of a change that is not under review, or that is the approver's own."""
    if state.state != IN_REVIEW:
        raise WorkflowError(f"the document is {state.state}; only documents in review are approved")
    if not self_approval and actor in (state.submitted_by, head_author):
        raise WorkflowError("you cannot approve your own change; ask another curator to review it")


def _approvable(
    session: Session, root: Path, doc_id: str, actor: str, revision: int | None, self_approval: bool
) -> tuple[DocStateRow, Revision | None]:
    row = _ensure_state(session, doc_id, root)
    if row is None:
        raise WorkflowError(f"there is no document '{doc_id}'")
    if revision is not None and row.head != revision:
        raise WorkflowError(
            f"the document changed after you opened it (you reviewed revision {revision}, "
            f"it is now revision {row.head}); reload the page and review it again"
        )
    head = get_revision(session, doc_id, row.head)
    _check_approval(_as_state(row), actor, head.author if head else "", self_approval)
    return row, head


def check_approval(
    database: Database,
    root: Path,
    doc_id: str,
    actor: str,
    revision: int | None = None,
    self_approval: bool = False,
) -> tuple[State, str]:
    """Check that actor may approve a document in review (not their own change, and `revision`,
    the one the reviewer saw, still the working copy); return its state and the text to publish."""
    with database.session() as session:
        row, head = _approvable(session, root, doc_id, actor, revision, self_approval)
        return _as_state(row), head.text if head else ""


def record_publish(
    database: Database,
    root: Path,
    doc_id: str,
    *,
    rel: str,
    text: str,
    title: str,
    actor: str,
    message: str,
    approved: int | None = None,
    self_approval: bool = False,
) -> int:
    """Record a publish that has been written: the text as a new revision, live at rel, and the
    audit events — with `approved` (the revision the reviewer saw), the approval is checked again
    and recorded too. One unit of work: all of it is committed, or none. Returns the revision."""
    with database.session() as session:
        if approved is not None:
            _approvable(session, root, doc_id, actor, approved, self_approval)
            record_event(session, actor, "approve", doc_id, f"revision {approved}")
        number = add_revision(session, doc_id, text, actor, message or "published", "publish")
        row = _ensure_state(session, doc_id, root)
        if row is None:
            raise WorkflowError(f"there is no document '{doc_id}'")
        row.state, row.head, row.live, row.path = PUBLISHED, number, number, rel
        row.title, row.updated_by, row.updated_at = title, actor, utcnow()
        record_event(session, actor, "publish", doc_id, f"revision {number}: {message}")
        intents.drop_intent(session, doc_id)
        return number


def revision_text(database: Database, doc_id: str, number: int) -> str | None:
    """Return the text of one revision of a document, or None."""
    with database.reading() as session:
        revision = get_revision(session, doc_id, number)
        return revision.text if revision else None


def begin_publish(database: Database, intent: Intent) -> None:
    """Journal a publish (or unpublish) before it touches the file, the catalog or the indexes;
    the entry goes with the workflow record of its outcome (record_publish, record_unpublish)."""
    with database.session() as session:
        if intents.get_intent(session, intent.doc_id) is not None:
            raise WorkflowError(
                "an interrupted publish of this document is still pending; "
                "run any `kb` command (or restart `kb serve`) to finish it, then try again"
            )
        intents.add_intent(session, intent)


def abandon_publish(database: Database, doc_id: str) -> None:
    """Forget a journalled publish whose steps were undone in the same process."""
    with database.session() as session:
        intents.drop_intent(session, doc_id)


def pending_intents(database: Database, doc_id: str | None = None) -> list[Intent]:
    """Return the journalled publishes that never finished (of one document, or all)."""
    with database.reading() as session:
        if doc_id is None:
            return intents.pending_intents(session)
        intent = intents.get_intent(session, doc_id)
        return [intent] if intent else []


def intent_still_valid(database: Database, root: Path, intent: Intent, self_approval: bool) -> bool:
    """Tell whether an interrupted publish may still be completed (its approval still holds)."""
    with database.session() as session:
        try:
            if intent.action == intents.UNPUBLISH:
                _unpublishable(session, root, intent.doc_id, intent.actor, self_approval)
            elif intent.approved is not None:
                _approvable(
                    session, root, intent.doc_id, intent.actor, intent.approved, self_approval
                )
        except WorkflowError:
            return False
        return True


def record_rollback(database: Database, doc_id: str, action: str, why: str) -> None:
    """Record that an interrupted publish was rolled back: journal entry gone, audit event."""
    with database.session() as session:
        intents.drop_intent(session, doc_id)
        record_event(session, "recovery", f"{action}_rolled_back", doc_id, why)


def _live_document(session: Session, root: Path, doc_id: str) -> DocStateRow:
    row = _ensure_state(session, doc_id, root)
    if row is None or row.live is None:
        raise WorkflowError("only a published document can be unpublished")
    current = session.get(DocumentRow, doc_id)
    if current is not None and current.kind == Kind.TRAINING:
        raise WorkflowError(
            "training modules and steps are maintained in content/training/ "
            "(removing one step would break its module); edit the files and run kb ingest"
        )
    return row


def request_unpublish(database: Database, root: Path, doc_id: str, actor: str, reason: str) -> None:
    """Ask for a published document to be taken away; another curator reviews the request."""
    with database.session() as session:
        row = _live_document(session, root, doc_id)
        if requests.pending_row(session, doc_id) is not None:
            raise WorkflowError("unpublishing this document is already requested; it awaits review")
        session.add(
            requests.UnpublishRequestRow(
                doc_id=doc_id,
                revision=row.live,
                path=row.path,
                reason=reason[:500],
                requested_by=actor[:64],
            )  # fmt: skip
        )
        record_event(session, actor, "request_unpublish", doc_id, reason)


def decline_unpublish(database: Database, doc_id: str, actor: str, note: str = "") -> None:
    """Turn down a request to unpublish: the document stays published."""
    with database.session() as session:
        request = requests.pending_row(session, doc_id)
        if request is None:
            raise WorkflowError("there is no request to unpublish this document")
        requests.decide(request, requests.DECLINED, actor)
        record_event(session, actor, "decline_unpublish", doc_id, note)


def _unpublishable(
    session: Session, root: Path, doc_id: str, actor: str, self_approval: bool
) -> tuple[DocStateRow, requests.UnpublishRequestRow]:
    row = _live_document(session, root, doc_id)
    request = requests.pending_row(session, doc_id)
    if request is None:
        raise WorkflowError(
            "unpublishing needs a review: request it first, then another curator approves it"
        )
    if not self_approval and actor == request.requested_by:
        raise WorkflowError(
            "you cannot approve your own request to unpublish; ask another curator to review it"
        )
    return row, request


def check_unpublish(
    database: Database, root: Path, doc_id: str, actor: str, self_approval: bool = False
) -> str:
    """Check that actor may approve the request to unpublish a document; return its file's path."""
    with database.session() as session:
        row, _ = _unpublishable(session, root, doc_id, actor, self_approval)
        return row.path


def record_unpublish(
    database: Database,
    root: Path,
    doc_id: str,
    actor: str,
    message: str,
    retained: str = "",
    self_approval: bool = False,
) -> None:
    """Record an approved unpublish whose file was taken away: the request approved, archived,
    nothing live, the audit events — checked again, one unit of work."""
    with database.session() as session:
        row, request = _unpublishable(session, root, doc_id, actor, self_approval)
        requests.decide(request, requests.APPROVED, actor, retained)
        row.state, row.live, row.updated_by, row.updated_at = ARCHIVED, None, actor, utcnow()
        record_event(session, actor, "unpublish", doc_id, message or request.reason)
        intents.drop_intent(session, doc_id)


def unpublish_request(database: Database, doc_id: str) -> requests.UnpublishRequest | None:
    """Return the open request to unpublish a document, or None."""
    with database.reading() as session:
        return requests.pending(session, doc_id)


def last_unpublish(database: Database, doc_id: str) -> requests.UnpublishRequest | None:
    """Return how a document was last unpublished (its revision is the one to restore), or None."""
    with database.reading() as session:
        return requests.last_approved(session, doc_id)


def unpublish_requests(database: Database) -> list[requests.UnpublishRequest]:
    """Return the requests to unpublish that await review, oldest first."""
    with database.reading() as session:
        return requests.all_pending(session)


def restore(database: Database, root: Path, doc_id: str, number: int, actor: str) -> int:
    """Make an old revision the working copy again, as a new draft revision."""
    with database.session() as session:
        row = _ensure_state(session, doc_id, root)
        old = get_revision(session, doc_id, number) if row else None
        if row is None or old is None:
            raise WorkflowError(f"'{doc_id}' has no revision {number}")
        head, title = row.head, row.title
    new = save_draft(
        database, root, doc_id, old.text, title=title, author=actor, base=head,
        message=f"restored revision {number}", source="restore",
    )  # fmt: skip
    with database.session() as session:
        record_event(session, actor, "restore", doc_id, f"revision {number} → {new}")
    return new


def states(database: Database, *wanted: str) -> list[State]:
    """Return documents in the given workflow states, most recently changed first."""
    with database.session() as session:
        rows = session.scalars(
            select(DocStateRow)
            .where(DocStateRow.state.in_(wanted))
            .order_by(DocStateRow.updated_at.desc())
        )
        return [_as_state(row) for row in rows]


def list_revisions(database: Database, doc_id: str) -> list[Revision]:
    """Return a document's revisions, newest first."""
    with database.session() as session:
        return revisions.list_revisions(session, doc_id)


def record_disk_revisions(database: Database, root: Path, doc_ids: list[str]) -> list[str]:
    """Give documents (re)ingested from disk a revision when their file differs from the last one."""
    recorded = []
    with database.session() as session:
        for doc_id in doc_ids:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                continue
            try:
                text = (root / row.path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            except OSError:
                continue
            if _live_text(session, doc_id) == text:
                continue
            edited = latest_revision(session, doc_id) is not None  # not the first sight of it
            number = add_revision(session, doc_id, text, "disk", "edited on disk", "disk")
            if edited:
                record_event(session, "disk", "disk_edit", doc_id, f"revision {number}: {row.path}")
            _note_disk_revision(session, doc_id, row.path, number, row.status == PUBLISHED)
            recorded.append(doc_id)
    return recorded


def record_disk_removals(database: Database) -> list[str]:
    """After an ingest: a live document whose file is gone from disk (so from the catalog) is no
    longer published — it is archived, and its open unpublish request is moot."""
    recorded = []
    with database.session() as session:
        rows = session.scalars(select(DocStateRow).where(DocStateRow.live.is_not(None)))
        for row in rows:
            if session.get(DocumentRow, row.doc_id) is not None:
                continue
            row.live, row.updated_by, row.updated_at = None, "disk", utcnow()
            if row.state == PUBLISHED:
                row.state = ARCHIVED
            request = requests.pending_row(session, row.doc_id)
            if request is not None:
                requests.decide(request, requests.APPROVED, "disk")
            recorded.append(row.doc_id)
    return recorded
