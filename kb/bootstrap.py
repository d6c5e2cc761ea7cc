"""Opening the store: the one place that imports every feature owning tables, so that they all
register with `Base` before the tables are created. A new table module is added here."""

from __future__ import annotations

from kb import accounts, sessions, signin_throttle
from kb.curation import intents, revisions, unpublish_requests, workflow
from kb.insights import feedback, querylog
from kb.store import audit, catalog_version, site_keys, tables
from kb.store.database import Database
from kb.store.integrity import check_url
from kb.training import certificates, progress

TABLE_MODULES = (
    accounts, audit, catalog_version, certificates, feedback, intents, progress, querylog, revisions, sessions,
    signin_throttle, site_keys, tables, unpublish_requests, workflow,
)  # fmt: skip


def open_database(url: str) -> Database:
    """Open the database at a SQLAlchemy URL with the tables of every feature created; a damaged
    SQLite file raises kb.store.integrity.DatabaseDamaged (with how to recover) before any use."""
    check_url(url)
    database = Database.connect(url)
    database.create_all()
    return database
