"""Crash recovery of publishing: a journal entry (kb.curation.intents) left by a process that
died mid-publish is completed when its approval still holds, or else rolled back — file,
catalog, indexes and workflow brought to agree either way. Every step is safe to repeat, so a
recovery killed in turn is finished by the next one."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.build import BuildContext, build_document
from ingest.publisher import (
    Publisher,
    catalog_from_file,
    ensure_file,
    kept_path,
    remove_leftovers,
    retain,
)
from kb.crashpoint import crash_point
from kb.curation import workflow
from kb.curation.intents import UNPUBLISH, Intent
from kb.store import catalog
from kb.store.tables import DocumentRow


@dataclass(frozen=True)
class Recovered:
    """What became of one interrupted publish."""

    doc_id: str
    action: str
    completed: bool  # False: rolled back (or, with an error, still pending)
    error: str = ""

    def __str__(self) -> str:
        if self.error:
            return (
                f"an interrupted {self.action} of '{self.doc_id}' could not be finished "
                f"({self.error}); it is tried again at the next start, `kb check` shows it"
            )
        done = "completed" if self.completed else "rolled back"
        return f"an interrupted {self.action} of '{self.doc_id}' was {done}"


def recover(publisher: Publisher) -> list[Recovered]:
    """Finish every interrupted publish (waits for a publish running in another process); one
    that cannot be finished now is reported and left for the next start."""
    if not workflow.pending_intents(publisher.database):
        return []
    with publisher.lock():
        return finish_locked(publisher, tolerant=True)


def finish_locked(
    publisher: Publisher, doc_id: str | None = None, tolerant: bool = False
) -> list[Recovered]:
    """Finish the interrupted publishes (of one document, or all); the caller holds the lock.
    `tolerant`: an error is reported in the result instead of raised."""
    outcomes = []
    for intent in workflow.pending_intents(publisher.database, doc_id):
        try:
            outcomes.append(_finish(publisher, intent))
        except Exception as error:
            if not tolerant:
                raise
            outcomes.append(Recovered(intent.doc_id, intent.action, False, str(error)))
    return outcomes


def _finish(publisher: Publisher, intent: Intent) -> Recovered:
    remove_leftovers(publisher.target(intent.path))
    database, root = publisher.database, publisher.root
    if workflow.intent_still_valid(database, root, intent, publisher.self_approval):
        try:
            _complete(publisher, intent)
            return Recovered(intent.doc_id, intent.action, True)
        except workflow.WorkflowError:
            pass  # the approval no longer holds after all: roll back
    _roll_back(publisher, intent)
    return Recovered(intent.doc_id, intent.action, False)


def _complete(publisher: Publisher, intent: Intent) -> None:
    """Redo the publish from its journal entry: file, catalog, indexes, workflow record."""
    target = publisher.target(intent.path)
    database, root = publisher.database, publisher.root
    if intent.action == UNPUBLISH:
        if target.is_file():
            retain(publisher, intent.path, target.read_bytes())
        ensure_file(target, None)
        crash_point("recovery.file")
        with database.session() as session:
            catalog.remove(session, intent.doc_id)
        publisher.reindex()
        kept = str(kept_path(publisher, intent.path) or "")
        workflow.record_unpublish(
            database, root, intent.doc_id, intent.actor, intent.message, kept,
            publisher.self_approval,
        )  # fmt: skip
        return
    text = intent.text or ""
    ensure_file(target, text.encode("utf-8"))
    crash_point("recovery.file")
    with database.session() as session:
        row = session.get(DocumentRow, intent.doc_id)
        if row is None or row.content_hash != intent.content_hash or row.path != intent.path:
            document = build_document(intent.path, text, BuildContext()).document
            if document is None:
                raise workflow.WorkflowError("the journalled text no longer builds")
            document.content_hash = intent.content_hash
            catalog.upsert(session, document)
    publisher.reindex()
    workflow.record_publish(
        database, root, intent.doc_id, rel=intent.path, text=text, title=intent.title,
        actor=intent.actor, message=intent.message, approved=intent.approved,
        self_approval=publisher.self_approval,
    )  # fmt: skip


def _roll_back(publisher: Publisher, intent: Intent) -> None:
    """Put the file back as it was before the publish, the catalog as ingest would read it, the
    indexes to match, and forget the journal entry."""
    target = publisher.target(intent.path)
    ensure_file(target, intent.previous)
    with publisher.database.session() as session:
        catalog_from_file(session, intent.doc_id, intent.path, target)
    publisher.reindex()
    why = "the process was killed mid-way and the approval no longer holds"
    workflow.record_rollback(publisher.database, intent.doc_id, intent.action, why)
