"""Opening the store: the one place that imports every feature owning tables, so that they all
register with `Base`, and hands that metadata to kb.store.schema to create or migrate the schema
(the store never imports this module: registration flows one way). A new table module is added
here, and its table to a new migration (kb/store/migrations/versions; README, Schema
migrations)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData

from kb import accounts, sessions, signin_throttle
from kb.curation import intents, revisions, unpublish_requests, workflow
from kb.following import visits, watches
from kb.insights import feedback, querylog
from kb.store import audit, catalog_version, site_keys, tables
from kb.store.database import Base, Database
from kb.store.integrity import EarlierCatalogMissing, check_url, sqlite_file
from kb.store.schema import SchemaChange, bring_to_head, status, where
from kb.training import certificates, progress

TABLE_MODULES = (
    accounts, audit, catalog_version, certificates, feedback, intents, progress, querylog,
    revisions, sessions, signin_throttle, site_keys, tables, unpublish_requests, visits,
    watches, workflow,
)  # fmt: skip


def store_tables() -> MetaData:
    """Return the metadata of every table of the store (each table module is imported above)."""
    return Base.metadata


def refuse_missing(url: str, earlier_catalog: str | None) -> None:
    """Raise EarlierCatalogMissing when a SQLite URL's file does not exist yet
    `earlier_catalog` says that a catalog existed (checked before connecting creates it)."""
    path = sqlite_file(url)
    if earlier_catalog is not None and path is not None and not path.exists():
        raise EarlierCatalogMissing(str(path), earlier_catalog)


def refuse_empty(database: Database, earlier_catalog: str | None) -> None:
    """Raise EarlierCatalogMissing when the database has no tables yet `earlier_catalog` says
    that a catalog existed (nothing is checked when it is None)."""
    if earlier_catalog is not None and status(database, store_tables()).empty:
        raise EarlierCatalogMissing(where(database.engine), earlier_catalog)


def open_database(
    url: str,
    report: Callable[[SchemaChange], None] | None = None,
    earlier_catalog: str | None = None,
) -> Database:
    """Open the database at a SQLAlchemy URL with its schema at this release's head (created
    when empty, upgraded when older; `report` hears of either). A damaged SQLite file raises
    kb.store.integrity.DatabaseDamaged, a database newer than this code kb.store.schema.
    SchemaTooNew, both with what to do, before any use. With `earlier_catalog` (what shows
    that a catalog existed, e.g. its search indexes), a missing or empty database raises
    EarlierCatalogMissing instead of being created."""
    check_url(url)
    refuse_missing(url, earlier_catalog)
    database = Database.connect(url)
    try:
        refuse_empty(database, earlier_catalog)
        change = bring_to_head(database, store_tables())
    except Exception:
        database.close()
        raise
    if report is not None and change.changed:
        report(change)
    return database
