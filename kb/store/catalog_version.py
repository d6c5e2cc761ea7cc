"""The catalog's version: a counter that every change to documents or sections raises in the
same transaction, so each replica can tell in one cheap query whether its indexes are behind."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.store.database import Base, Database, utcnow
from kb.store.dialect import upsert_insert

ROW_ID = 1


class CatalogVersionRow(Base):
    """The one row holding the catalog's version."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def bump(session: Session) -> None:
    """Raise the catalog's version, in the caller's unit of work (the change it belongs to)."""
    now = utcnow()
    statement = upsert_insert(session, CatalogVersionRow).values(
        id=ROW_ID, version=1, changed_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"version": CatalogVersionRow.version + 1, "changed_at": now},
        )
    )


def read(session: Session) -> int:
    """Return the catalog's version as this session sees it (0 before the first change)."""
    return (
        session.scalar(select(CatalogVersionRow.version).where(CatalogVersionRow.id == ROW_ID)) or 0
    )


def current(database: Database) -> int:
    """Return the catalog's latest committed version."""
    with database.reading() as session:
        return read(session)
