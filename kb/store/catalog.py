"""The catalog: documents and sections in the store — read them, replace them, delete them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from kb.content.meta import LessonMeta, Meta
from kb.content.model import Document, Section
from kb.content.taxonomy import Status
from kb.store import catalog_version
from kb.store.database import utcnow
from kb.store.tables import ActionRow, DocumentRow, RecurrenceRow, SectionRow


def text_hash(text: str) -> str:
    """Return the SHA-256 hex digest of a text (used for sections and the embedding cache)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CatalogEntry:
    """What incremental ingest needs to know of a catalogued document."""

    id: str
    path: str
    kind: str
    lang: str
    translation_of: str | None
    content_hash: str
    meta: Meta


def entries(session: Session) -> dict[str, CatalogEntry]:
    """Return the catalog's documents by path (metadata only, no bodies)."""
    rows = session.execute(
        select(
            DocumentRow.id,
            DocumentRow.path,
            DocumentRow.kind,
            DocumentRow.lang,
            DocumentRow.translation_of,
            DocumentRow.content_hash,
            DocumentRow.meta,
        )
    )
    return {row.path: CatalogEntry(*row) for row in rows}


def upsert(session: Session, document: Document) -> None:
    """Insert or replace a document and its sections (sections get fresh, never-reused ids);
    a change of content moves `changed_at`, the first published version sets `published_at`."""
    catalog_version.bump(session)
    row = session.get(DocumentRow, document.id)
    now = utcnow()
    if row is None:
        row = DocumentRow(id=document.id, changed_at=now)
        session.add(row)
    else:
        session.execute(delete(SectionRow).where(SectionRow.doc_id == document.id))
        session.expire(row, ["sections"])
        if row.content_hash != document.content_hash:
            row.changed_at = now
    if document.status == Status.PUBLISHED and row.published_at is None:
        row.published_at = now
    for name in (
        "path", "title", "kind", "lang", "summary", "tags", "phases", "areas", "owner",
        "updated", "status", "translation_of", "meta", "body", "body_line", "content_hash",
    ):  # fmt: skip
        setattr(row, name, getattr(document, name))
    session.flush()
    for ord_, section in enumerate(document.sections):
        session.add(
            SectionRow(
                doc_id=document.id,
                ord=ord_,
                anchor=section.anchor,
                heading=section.heading,
                level=section.level,
                trail=list(section.trail),
                text=section.text,
                line=section.line,
                part=section.part,
                text_hash=text_hash(section.text),
            )
        )
    write_lesson_rows(session, document.id, document.meta)


def write_lesson_rows(session: Session, doc_id: str, meta: Meta) -> None:
    """Replace a document's action and recurrence rows with those its meta declares."""
    session.execute(delete(ActionRow).where(ActionRow.doc_id == doc_id))
    session.execute(delete(RecurrenceRow).where(RecurrenceRow.doc_id == doc_id))
    if not isinstance(meta, LessonMeta):
        return
    for ord_, action in enumerate(meta.actions):
        session.add(
            ActionRow(
                doc_id=doc_id, ord=ord_, what=action.what, owner=action.owner, due=action.due,
                status=action.status.value, reason=action.reason, link=action.link,
                closed=action.closed,
            )
        )  # fmt: skip
    for earlier in dict.fromkeys(meta.recurs):
        session.add(RecurrenceRow(doc_id=doc_id, earlier_id=earlier, date=meta.date))


def remove(session: Session, doc_id: str) -> None:
    """Delete a document and its sections."""
    catalog_version.bump(session)
    session.execute(delete(ActionRow).where(ActionRow.doc_id == doc_id))
    session.execute(delete(RecurrenceRow).where(RecurrenceRow.doc_id == doc_id))
    session.execute(delete(SectionRow).where(SectionRow.doc_id == doc_id))
    session.execute(delete(DocumentRow).where(DocumentRow.id == doc_id))


def get(session: Session, doc_id: str) -> Document | None:
    """Return one document with its sections, or None."""
    row = session.get(DocumentRow, doc_id, options=[selectinload(DocumentRow.sections)])
    return to_document(row) if row else None


def to_document(row: DocumentRow) -> Document:
    """Convert a catalog row into the content model."""
    return Document(
        id=row.id,
        path=row.path,
        title=row.title,
        kind=row.kind,
        lang=row.lang,
        summary=row.summary,
        tags=list(row.tags or []),
        phases=list(row.phases or []),
        areas=list(row.areas or []),
        owner=row.owner,
        updated=row.updated,
        status=row.status,
        translation_of=row.translation_of,
        meta=row.meta,
        body=row.body,
        body_line=row.body_line,
        content_hash=row.content_hash,
        sections=[
            Section(s.anchor, s.heading, s.level, tuple(s.trail or ()), s.text, s.line, s.part)
            for s in row.sections
        ],
    )


def list_documents(session: Session, **filters: str | None) -> list[DocumentRow]:
    """Return catalog rows (without sections) ordered by id, filtered by column equality."""
    query = select(DocumentRow).order_by(DocumentRow.id)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(DocumentRow, name) == value)
    return list(session.scalars(query))


def counts(session: Session) -> tuple[int, int]:
    """Return the number of documents and of sections."""
    docs = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
    sections = session.scalar(select(func.count()).select_from(SectionRow)) or 0
    return docs, sections


def translation_id(session: Session, document: Document) -> str | None:
    """Return the id of the document's version in the other language, if there is one."""
    if document.translation_of and session.get(DocumentRow, document.translation_of):
        return document.translation_of
    return session.scalar(
        select(DocumentRow.id).where(DocumentRow.translation_of == document.id).limit(1)
    )


def titles(session: Session, ids: list[str], published_only: bool = False) -> dict[str, str]:
    """Return {id: title} for the given document ids (only the published ones, if asked)."""
    if not ids:
        return {}
    query = select(DocumentRow.id, DocumentRow.title).where(DocumentRow.id.in_(ids))
    if published_only:
        query = query.where(DocumentRow.status == Status.PUBLISHED)
    return dict(session.execute(query).all())


def kinds(session: Session) -> dict[str, str]:
    """Return {id: kind} of every catalogued document (to check references to them)."""
    return dict(session.execute(select(DocumentRow.id, DocumentRow.kind)).all())
