"""Keys the whole site shares, kept in the database so that every replica signs and checks
forms with the same key (a single host keeps its generated key in the data folder instead)."""

from __future__ import annotations

import secrets

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from kb.store.database import Base, Database
from kb.store.dialect import upsert_insert

FORMS_KEY = "forms"


class SiteKeyRow(Base):
    """A named secret of the site."""

    __tablename__ = "site_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def shared_key(database: Database, name: str = FORMS_KEY) -> str:
    """Return the site's key of this name, generating it on first use (the first replica wins)."""
    with database.session() as session:
        session.execute(
            upsert_insert(session, SiteKeyRow)
            .values(name=name, value=secrets.token_urlsafe(48))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return session.scalar(select(SiteKeyRow.value).where(SiteKeyRow.name == name))
