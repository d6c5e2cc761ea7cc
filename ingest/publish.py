"""Publishing: write the Markdown file atomically, update the catalog and the indexes for that
document, then record it in the workflow (kb.curation.workflow, the one writer of the state) —
or, if any step fails, put the file, the catalog and the indexes back as they were."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import editor
from ingest.build import BuildContext, build_document
from kb.content.paths import UnsafePath, resolve_inside
from kb.content.taxonomy import Status
from kb.curation import workflow
from kb.store import catalog
from kb.store.database import Database
from kb.store.tables import DocumentRow, SectionRow

T = TypeVar("T")


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


def _undo(
    publisher: Publisher,
    target: Path,
    old_bytes: bytes | None,
    snapshot: dict[str, Any] | None,
    doc_id: str,
) -> None:
    """Put the file and the catalog rows back as they were."""
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


def _apply(
    publisher: Publisher,
    doc_id: str,
    rel: str,
    new_bytes: bytes | None,
    change: Callable[[Session], None],
    record: Callable[[], T],
) -> T:
    """Write (or delete) the file, change the catalog, reindex, then record it in the workflow
    (one unit of work: revision, state, audit); on any error undo the file, catalog and index."""
    try:
        target = resolve_inside(publisher.root, rel)
    except (UnsafePath, OSError) as error:  # OSError: e.g. a file name too long for the disk
        raise PublishError(f"cannot publish at {rel[:200]}: {error}") from None
    with publisher.database.session() as session:
        snapshot = _snapshot(session, doc_id)
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
    indexed = False
    try:
        if new_bytes is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, new_bytes)
        with publisher.database.session() as session:
            change(session)
        publisher.reindex()
        indexed = True
        return record()
    except Exception as error:
        _undo(publisher, target, old_bytes, snapshot, doc_id)
        if indexed:  # the indexes already have the change: bring them back too
            try:
                publisher.reindex()
            except Exception as again:
                error.add_note(f"bringing the indexes back failed too: {again}")
        raise PublishError(f"publishing failed and was undone: {error}") from error


def _publish(
    publisher: Publisher,
    doc_id: str,
    rel: str,
    text: str,
    actor: str,
    message: str,
    approved: int | None = None,
) -> int:
    text = editor.set_status(text, Status.PUBLISHED)
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

    def record() -> int:
        return workflow.record_publish(
            publisher.database, publisher.root, doc_id, rel=rel, text=text,
            title=document.title, actor=actor, message=message, approved=approved,
            self_approval=publisher.self_approval,
        )  # fmt: skip

    return _apply(publisher, doc_id, rel, raw, lambda s: catalog.upsert(s, document), record)


def publish_text(publisher: Publisher, doc_id: str, rel: str, text: str, actor: str, message: str):
    """Publish this text of a document at rel; return the new revision number."""
    return _publish(publisher, doc_id, rel, text, actor, message)


def approve(
    publisher: Publisher, doc_id: str, actor: str, message: str = "", revision: int | None = None
) -> int:
    """Approve a document in review and publish its working copy (not one's own change).

    `revision` is the revision the reviewer saw; if the working copy moved on since, nothing
    is published (the reviewer must look at the new text first). The approval is recorded
    with the publish, in one unit of work, only once the publish has succeeded.
    """
    database, root = publisher.database, publisher.root
    state, text = workflow.check_approval(
        database, root, doc_id, actor, revision, publisher.self_approval
    )
    rel = state.path or editor.rel_for(text)
    checked = editor.check(text, rel)
    if checked.has_errors:
        raise PublishError("the document has validation errors; return it to its author")
    return _publish(publisher, doc_id, rel, text, actor, message, approved=state.head)


def unpublish(publisher: Publisher, doc_id: str, actor: str, message: str = "") -> None:
    """Take a published document away from readers (file removed); its history is kept."""
    database, root = publisher.database, publisher.root
    rel = workflow.check_unpublish(database, root, doc_id)

    def record() -> None:
        workflow.record_unpublish(database, root, doc_id, actor, message)

    _apply(publisher, doc_id, rel, None, lambda s: catalog.remove(s, doc_id), record)
