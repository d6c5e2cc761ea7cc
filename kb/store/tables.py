"""The tables of the catalog: documents, their sections and the embedding cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from kb.content import meta as front
from kb.content.meta import Meta, NoMeta
from kb.content.taxonomy import Status
from kb.store.database import Base, utcnow


class MetaJSON(TypeDecorator):
    """A document's typed meta, stored as the same JSON it has always been (no migration)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Meta | dict | None, dialect) -> dict[str, Any]:
        if value is None or isinstance(value, dict):
            value = front.from_json(value)
        return value.to_json()

    def process_result_value(self, value: dict[str, Any] | None, dialect) -> Meta:
        return front.from_json(value)


class DocumentRow(Base):
    """A document in the catalog, as last ingested."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    lang: Mapped[str] = mapped_column(String(5), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    phases: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner: Mapped[str] = mapped_column(String(200), default="")
    updated: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.PUBLISHED, index=True)
    translation_of: Mapped[str | None] = mapped_column(String(200), nullable=True)
    meta: Mapped[Meta] = mapped_column(MetaJSON, default=NoMeta)
    body: Mapped[str] = mapped_column(Text, default="")
    body_line: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # when the document first came into the catalog as published, and when its content last
    # changed there (what feeds, "new since your last visit" and the digest go by)
    published_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    sections: Mapped[list[SectionRow]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="SectionRow.ord",
        passive_deletes=True,
    )


class SectionRow(Base):
    """A heading-bounded chunk of a document; ids are never reused (AUTOINCREMENT)."""

    __tablename__ = "sections"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(300))
    heading: Mapped[str] = mapped_column(String(500))
    level: Mapped[int] = mapped_column(Integer)
    trail: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    part: Mapped[int] = mapped_column(Integer, default=0)
    text_hash: Mapped[str] = mapped_column(String(64))

    document: Mapped[DocumentRow] = relationship(back_populates="sections")


class EmbeddingRow(Base):
    """A cached embedding of one text by one model, keyed by the text's hash."""

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class ActionRow(Base):
    """One action of a lesson, as last published (derived from the lesson's front-matter)."""

    __tablename__ = "lesson_actions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    due: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    closed: Mapped[str | None] = mapped_column(String(10), nullable=True)


class RecurrenceRow(Base):
    """A lesson saying it happened again: `doc_id` recurs the earlier lesson `earlier_id`."""

    __tablename__ = "lesson_recurrences"

    doc_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    earlier_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    date: Mapped[str] = mapped_column(String(10))
