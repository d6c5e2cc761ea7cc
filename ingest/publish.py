"""Publishing: write the Markdown file atomically, record the revision, update the catalog and the
indexes for that document — or, if any step fails, put the file and the catalog back as they were."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import editor
from ingest.build import BuildContext, build_document
from kb.content.paths import UnsafePath, resolve_inside
from kb.curation.revisions import add_revision, delete_revision, get_revision
from kb.curation.workflow import (
    ARCHIVED,
    PUBLISHED,
    DocStateRow,
    WorkflowError,
    as_state,
    check_approval,
    ensure_state,
)
from kb.store import catalog
from kb.store.audit import record_event
from kb.store.database import Database, utcnow
from kb.store.tables import DocumentRow, SectionRow


class PublishError(Exception):
    """Publishing failed; the published file, catalog and indexes are as they were."""


@dataclass
class Publisher:
    """What publishing needs: the store, the content folder and how to bring the indexes up to date."""

    database: Database
    root: Path
    reindex: Callable[[], Any]
    self_approval: bool = False


def write_atomic(target: Path, data: bytes) -> None:
    """Write a file by writing a hidden temporary file beside it and renaming it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _snapshot(session: Session, doc_id: str) -> dict[str, Any] | None:
    """Copy a document's catalog rows (section ids included) so they can be put back exactly."""
    row = session.get(DocumentRow, doc_id)
    if row is None:
        return None
    columns = [c.key for c in DocumentRow.__table__.columns]
    section_columns = [c.key for c in SectionRow.__table__.columns]
    sections = session.scalars(select(SectionRow).where(SectionRow.doc_id == doc_id))
    return {
        "document": {key: getattr(row, key) for key in columns},
        "sections": [{key: getattr(s, key) for key in section_columns} for s in sections],
    }


def _state_values(session: Session, doc_id: str) -> dict[str, Any]:
    row = session.get(DocStateRow, doc_id)
    keys = ("state", "head", "live", "path", "submitted_by", "updated_by", "updated_at")
    return {key: getattr(row, key) for key in keys} if row else {}


def _undo(
    publisher: Publisher,
    target: Path,
    old_bytes: bytes | None,
    snapshot: dict[str, Any] | None,
    doc_id: str,
    state: dict[str, Any],
    revision: int | None,
) -> None:
    """Put the file, the catalog rows, the workflow state and the history back as they were."""
    if old_bytes is None:
        target.unlink(missing_ok=True)
    elif not target.is_file() or target.read_bytes() != old_bytes:
        write_atomic(target, old_bytes)
    with publisher.database.session() as session:
        catalog.remove(session, doc_id)
        session.flush()
        session.expunge_all()
        if snapshot is not None:
            session.add(DocumentRow(**snapshot["document"]))
            session.flush()
            session.add_all(SectionRow(**values) for values in snapshot["sections"])
        if revision is not None:
            delete_revision(session, doc_id, revision)
        row = session.get(DocStateRow, doc_id)
        if row is not None:
            for key, value in state.items():
                setattr(row, key, value)


def _apply(
    publisher: Publisher,
    doc_id: str,
    rel: str,
    new_bytes: bytes | None,
    change: Callable[[Session], int | None],
) -> int | None:
    """Write (or delete) the file, change the catalog and state, reindex; undo everything on error."""
    try:
        target = resolve_inside(publisher.root, rel)
    except UnsafePath as error:
        raise PublishError(str(error)) from None
    with publisher.database.session() as session:
        snapshot = _snapshot(session, doc_id)
        state = _state_values(session, doc_id)
    old_bytes = target.read_bytes() if target.is_file() else None
    if old_bytes is not None and (snapshot is None or snapshot["document"]["path"] != rel):
        raise PublishError(f"a different file already exists at {rel}; it was not overwritten")
    if (
        old_bytes is not None
        and hashlib.sha256(old_bytes).hexdigest() != snapshot["document"]["content_hash"]
    ):
        raise PublishError(
            f"{rel} was edited on disk after the last ingest; run `kb ingest` (it records that "
            "edit as a revision), then review the document again"
        )
    revision: list[int | None] = [None]
    try:
        if new_bytes is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, new_bytes)
        with publisher.database.session() as session:
            revision[0] = change(session)
        publisher.reindex()
    except Exception as error:
        _undo(publisher, target, old_bytes, snapshot, doc_id, state, revision[0])
        raise PublishError(f"publishing failed and was undone: {error}") from error
    return revision[0]


def publish_text(publisher: Publisher, doc_id: str, rel: str, text: str, actor: str, message: str):
    """Publish this text of a document at rel; return the new revision number."""
    text = editor.set_status(text, PUBLISHED)
    built = build_document(rel, text, BuildContext())
    document = built.document
    if document is None:
        raise PublishError("; ".join(p.message for p in built.problems) or "invalid document")
    if document.id != doc_id:
        raise PublishError(f"the id in the front-matter must stay '{doc_id}'")
    raw = text.encode("utf-8")
    document.content_hash = hashlib.sha256(raw).hexdigest()  # what ingest computes for the file
    with publisher.database.session() as session:
        other = session.scalar(select(DocumentRow.id).where(DocumentRow.path == rel))
        if other is not None and other != doc_id:
            raise PublishError(f"{rel} already holds the document '{other}'")

    def change(session: Session) -> int:
        catalog.upsert(session, document)
        number = add_revision(session, doc_id, text, actor, message or "published", "publish")
        row = ensure_state(session, doc_id, publisher.root)
        row.state, row.head, row.live, row.path = PUBLISHED, number, number, rel
        row.title, row.updated_by, row.updated_at = document.title, actor, utcnow()
        return number

    number = _apply(publisher, doc_id, rel, raw, change)
    record_event(publisher.database, actor, "publish", doc_id, f"revision {number}: {message}")
    return number


def approve(
    publisher: Publisher, doc_id: str, actor: str, message: str = "", revision: int | None = None
) -> int:
    """Approve a document in review and publish its working copy (not one's own change).

    `revision` is the revision the reviewer saw; if the working copy moved on since, nothing
    is published (the reviewer must look at the new text first).
    """
    with publisher.database.session() as session:
        row = ensure_state(session, doc_id, publisher.root)
        if row is None:
            raise WorkflowError(f"there is no document '{doc_id}'")
        if revision is not None and row.head != revision:
            raise WorkflowError(
                f"the document changed after you opened it (you reviewed revision {revision}, "
                f"it is now revision {row.head}); reload the page and review it again"
            )
        head = get_revision(session, doc_id, row.head)
        state = as_state(row)
    check_approval(state, actor, head.author if head else "", publisher.self_approval)
    text = head.text if head else ""
    rel = state.path or editor.rel_for(text)
    checked = editor.check(text, rel)
    if checked.has_errors:
        raise PublishError("the document has validation errors; return it to its author")
    record_event(publisher.database, actor, "approve", doc_id, f"revision {state.head}")
    return publish_text(publisher, doc_id, rel, text, actor, message)


def unpublish(publisher: Publisher, doc_id: str, actor: str, message: str = "") -> None:
    """Take a published document away from readers (file removed); its history is kept."""
    with publisher.database.session() as session:
        row = ensure_state(session, doc_id, publisher.root)
        if row is None or row.live is None:
            raise WorkflowError("only a published document can be unpublished")
        rel = row.path
        current = session.get(DocumentRow, doc_id)
        if current is not None and current.kind == "training":
            raise WorkflowError(
                "training modules and steps are maintained in content/training/ "
                "(removing one step would break its module); edit the files and run kb ingest"
            )

    def change(session: Session) -> None:
        catalog.remove(session, doc_id)
        row = ensure_state(session, doc_id, publisher.root)
        row.state, row.live, row.updated_by, row.updated_at = ARCHIVED, None, actor, utcnow()

    _apply(publisher, doc_id, rel, None, change)
    record_event(publisher.database, actor, "unpublish", doc_id, message)
