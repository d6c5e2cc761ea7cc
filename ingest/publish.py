"""Publishing: journal the intent, write the Markdown file atomically, update the catalog and the
indexes for that document, then record it in the workflow (kb.curation.workflow, the one writer
of the state) together with clearing the journal entry — or, if any step fails, put the file, the
catalog and the indexes back as they were. A process killed half-way leaves the journal entry;
the next start (ingest.recovery) completes or rolls back that publish."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import editor
from ingest.build import BuildContext, build_document, content_hash
from ingest.frontmatter import FrontMatterError, split_front_matter
from ingest.publisher import (
    Publisher,
    PublishError,
    ensure_file,
    kept_path,
    retain,
    write_atomic,
)
from ingest.recovery import finish_locked
from kb.content.taxonomy import Status
from kb.crashpoint import crash_point
from kb.curation import workflow
from kb.curation.intents import PUBLISH, UNPUBLISH, Intent
from kb.store import catalog
from kb.store.tables import DocumentRow, SectionRow

__all__ = ["PublishError", "Publisher", "approve", "publish_text", "unpublish", "write_atomic"]
T = TypeVar("T")


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


def _undo(publisher: Publisher, intent: Intent, snapshot: dict[str, Any] | None) -> None:
    """Put the file and the catalog rows back as they were."""
    ensure_file(publisher.target(intent.path), intent.previous)
    with publisher.database.session() as session:
        catalog.remove(session, intent.doc_id)
        session.flush()
        session.expunge_all()
        if snapshot is not None:
            session.add(DocumentRow(**snapshot["document"]))
            session.flush()
            session.add_all(SectionRow(**values) for values in snapshot["sections"])
            catalog.write_lesson_rows(session, intent.doc_id, snapshot["document"]["meta"])


def _check_target(publisher: Publisher, intent: Intent, snapshot: dict[str, Any] | None) -> None:
    """Refuse to overwrite a file that is not this document's, or that was edited on disk —
    unless it already holds exactly what is being published (a retried publish)."""
    old, rel = intent.previous, intent.path
    if old is None or (intent.text is not None and old == intent.text.encode("utf-8")):
        return
    if snapshot is None or snapshot["document"]["path"] != rel:
        raise PublishError(f"a different file already exists at {rel}; it was not overwritten")
    if content_hash(old) != snapshot["document"]["content_hash"]:
        raise PublishError(
            f"{rel} was edited on disk after the last ingest; run `kb ingest` (it records that "
            "edit as a revision), then review the document again"
        )


def _apply(
    publisher: Publisher,
    intent: Intent,
    change: Callable[[Session], None],
    record: Callable[[], T],
) -> T:
    """Journal the intent, write (or take away) the file, change the catalog, reindex, then record
    it in the workflow (one unit of work: revision, state, audit, journal entry cleared); on any
    error undo the file, catalog and index. The caller holds the publish lock."""
    target = publisher.target(intent.path)
    with publisher.database.session() as session:
        snapshot = _snapshot(session, intent.doc_id)
    old_bytes = target.read_bytes() if target.is_file() else None
    intent = dataclasses.replace(intent, previous=old_bytes)
    _check_target(publisher, intent, snapshot)
    workflow.begin_publish(publisher.database, intent)
    step = f"{intent.action}."
    crash_point(step + "intent")
    indexed = False
    try:
        if intent.text is None:
            if old_bytes is not None:
                retain(publisher, intent.path, old_bytes)
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, intent.text.encode("utf-8"), pause=step + "temp")
        crash_point(step + "file")
        with publisher.database.session() as session:
            change(session)
        crash_point(step + "catalog")
        publisher.reindex()
        indexed = True
        crash_point(step + "index")
        return record()
    except Exception as error:
        _undo(publisher, intent, snapshot)
        if indexed:  # the indexes already have the change: bring them back too
            try:
                publisher.reindex()
            except Exception as again:
                error.add_note(f"bringing the indexes back failed too: {again}")
        workflow.abandon_publish(publisher.database, intent.doc_id)
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
    text = published_text(text, _publish_day(publisher, rel, text))
    built = build_document(rel, text, BuildContext())
    document = built.document
    if document is None:
        raise PublishError("; ".join(p.message for p in built.problems) or "invalid document")
    if document.id != doc_id:
        raise PublishError(f"the id in the front-matter must stay '{doc_id}'")
    raw = text.encode("utf-8")
    document.content_hash = content_hash(raw)  # what ingest computes for the file
    with publisher.database.session() as session:
        other = session.scalar(select(DocumentRow.id).where(DocumentRow.path == rel))
        if other is not None and other != doc_id:
            raise PublishError(f"{rel} already holds the document '{other}'")
    intent = Intent(
        doc_id, PUBLISH, rel, document.content_hash, text, None, document.title, actor, message,
        approved,
    )  # fmt: skip

    def record() -> int:
        return workflow.record_publish(
            publisher.database, publisher.root, doc_id, rel=rel, text=text,
            title=document.title, actor=actor, message=message, approved=approved,
            self_approval=publisher.self_approval,
        )  # fmt: skip

    return _apply(publisher, intent, lambda s: catalog.upsert(s, document), record)


def published_text(text: str, today: str) -> str:
    """Return the text as it is published: `status: published`, and `updated` set to the day it
    is published (so a new or edited lesson reaches "Recent lessons learned")."""
    return editor.set_fields(text, status=Status.PUBLISHED, updated=today)


def _publish_day(publisher: Publisher, rel: str, text: str) -> str:
    """Return today's date, or the day of an earlier publish of exactly this text whose file is
    already written (a retried approval must find its own file, even the next day)."""
    target = publisher.target(rel)
    try:
        written = target.read_text(encoding="utf-8")
        day = str(split_front_matter(written, rel).data.get("updated") or "")
    except (OSError, UnicodeError, FrontMatterError):
        day = ""
    if day and written == published_text(text, day):
        return day
    return dt.date.today().isoformat()


def _finish_first(publisher: Publisher, doc_id: str) -> None:
    """Finish an interrupted publish of this document before starting another (lock held)."""
    try:
        finish_locked(publisher, doc_id)
    except PublishError:
        raise
    except Exception as error:
        raise PublishError(
            f"an interrupted publish of '{doc_id}' could not be finished first: {error}"
        ) from error


def publish_text(publisher: Publisher, doc_id: str, rel: str, text: str, actor: str, message: str):
    """Publish this text of a document at rel; return the new revision number."""
    with publisher.lock():
        _finish_first(publisher, doc_id)
        return _publish(publisher, doc_id, rel, text, actor, message)


def _already_published(publisher: Publisher, doc_id: str, revision: int | None) -> int | None:
    """Return the live revision if the reviewed revision is already what readers see (an approval
    retried after its reply was lost), else None."""
    state = workflow.get_state(publisher.database, doc_id, publisher.root)
    if revision is None or state is None or state.state != Status.PUBLISHED:
        return None
    if state.live is None or state.live <= revision:
        return None
    seen = workflow.revision_text(publisher.database, doc_id, revision)
    live = workflow.revision_text(publisher.database, doc_id, state.live)
    if seen is None or live is None:
        return None
    updated = str(split_front_matter(live, "live.md").data.get("updated") or "")
    if live != published_text(seen, updated):
        return None
    return state.live


def approve(
    publisher: Publisher, doc_id: str, actor: str, message: str = "", revision: int | None = None
) -> int:
    """Approve a document in review and publish its working copy (not one's own change).

    `revision` is the revision the reviewer saw; if the working copy moved on since, nothing
    is published (the reviewer must look at the new text first). The approval is recorded
    with the publish, in one unit of work, only once the publish has succeeded. Approving again
    what is already published (a retry) returns the live revision.
    """
    database, root = publisher.database, publisher.root
    with publisher.lock():
        _finish_first(publisher, doc_id)
        done = _already_published(publisher, doc_id, revision)
        if done is not None:
            return done
        state, text = workflow.check_approval(
            database, root, doc_id, actor, revision, publisher.self_approval
        )
        rel = state.path or editor.rel_for(text)
        with database.reading() as session:
            kinds = catalog.kinds(session)
        checked = editor.check(text, rel, kinds=kinds)
        if checked.has_errors:
            raise PublishError("the document has validation errors; return it to its author")
        return _publish(publisher, doc_id, rel, text, actor, message, approved=state.head)


def unpublish(publisher: Publisher, doc_id: str, actor: str, message: str = "") -> None:
    """Approve a request to unpublish: readers no longer see the document; its file is kept in
    the data folder (unpublished/) and its history in the store, so it can be restored."""
    database, root = publisher.database, publisher.root
    with publisher.lock():
        _finish_first(publisher, doc_id)
        rel = workflow.check_unpublish(database, root, doc_id, actor, publisher.self_approval)
        kept = str(kept_path(publisher, rel) or "")

        def record() -> None:
            workflow.record_unpublish(
                database, root, doc_id, actor, message, kept, publisher.self_approval
            )

        intent = Intent(doc_id, UNPUBLISH, rel, "", None, None, "", actor, message, None)
        _apply(publisher, intent, lambda s: catalog.remove(s, doc_id), record)
