"""The `kb db` commands: the database schema's revision, upgrading it, writing a migration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from kb.cli.common import earlier_catalog, fail, with_settings
from kb.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from kb.store.database import Database


@click.group()
def db() -> None:
    """The database schema: its revision, and upgrading it to this release's (migrations)."""


def connect_store(settings: Settings) -> Database:
    """Connect to the database without creating or upgrading anything (checked if SQLite)."""
    from kb.store.database import Database, DatabaseUnreachable
    from kb.store.integrity import DatabaseDamaged, check_url

    try:
        check_url(settings.db_url)
        return Database.connect(settings.db_url)
    except (DatabaseDamaged, DatabaseUnreachable) as error:
        fail(str(error))


@contextmanager
def schema_of(settings: Settings) -> Iterator[tuple[Database, MetaData]]:
    """Yield the database (connected, nothing created) and every table of the store; a schema
    newer than this code, or a failed upgrade, is an error message; closed afterwards."""
    from kb.bootstrap import store_tables
    from kb.store.schema import SchemaTooNew, SchemaUpgradeFailed

    database = connect_store(settings)
    try:
        yield database, store_tables()
    except (SchemaTooNew, SchemaUpgradeFailed) as error:
        fail(str(error))
    finally:
        database.close()


@db.command("status")
@with_settings
def db_status(settings: Settings) -> None:
    """Show the database's schema revision, this release's head and the migrations pending."""
    from kb.store.schema import status, where

    with schema_of(settings) as (database, tables):
        found = status(database, tables)
    click.echo(f"database: {where(database.engine)}")
    if found.empty:
        current = "none (empty: the first `kb ingest`, `kb serve` or `kb db upgrade` creates it)"
    elif found.before_migrations:
        current = "none (made by a release before schema migrations: baseline 0001)"
    else:
        current = found.current
    click.echo(f"current revision: {current}")
    click.echo(f"head (this release): {found.head}")
    if found.before_migrations and not found.pending:
        click.echo("pending migrations: none; `kb db upgrade` (or the next `kb ingest` or")
        click.echo(f"  `kb serve`) records revision {found.head} in it")
        return
    if not found.pending:
        click.echo("pending migrations: none" + ("" if found.empty else " (up to date)"))
        return
    click.echo(f"pending migrations: {len(found.pending)} (applied by `kb db upgrade`, or at the")
    click.echo("  next `kb ingest` or `kb serve`)")
    for migration in found.pending:
        click.echo(f"  {migration.revision}  {migration.message}")


@db.command("upgrade")
@with_settings
def db_upgrade(settings: Settings) -> None:
    """Upgrade the database's schema to this release's head (an empty one is created)."""
    from kb.bootstrap import refuse_empty, refuse_missing
    from kb.store.integrity import EarlierCatalogMissing
    from kb.store.schema import bring_to_head

    evidence = earlier_catalog(settings)
    try:
        refuse_missing(settings.db_url, evidence)
        with schema_of(settings) as (database, tables):
            refuse_empty(database, evidence)
            change = bring_to_head(database, tables)
    except EarlierCatalogMissing as error:
        fail(str(error))
    click.echo(str(change))


@db.command("revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """For developers: write a migration for what the models have that the migrations do not.

    Compares the tables declared in the code with the schema the migrations build (Alembic's
    autogenerate) and writes kb/store/migrations/versions/NNNN_<message>.py; review it, then
    `make format` and commit it."""
    from kb.bootstrap import store_tables
    from kb.store.schema import new_migration

    written = new_migration(message, store_tables())
    if written is None:
        click.echo("the models and the migrations agree: no migration written")
        return
    click.echo(f"wrote {written}: review it (Alembic cannot see renames or data changes)")


COMMANDS = (db,)
