"""The database schema's version: Alembic migrations (kb/store/migrations/versions) run from code,
so a database made by any earlier release is brought to this release's schema when it is opened.

No alembic.ini: the configuration is built here and the connection is the app's own. An empty
database gets every table at once and is stamped at head; a database made before migrations
existed (tables, no alembic_version) is stamped at the baseline, then upgraded. Upgraders queue:
on PostgreSQL behind an advisory lock, on SQLite behind the write transaction (BEGIN IMMEDIATE)."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from kb.store.database import READ_ONLY, Database
from kb.store.integrity import sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # the schema of release 4427e0b, the last one without migrations
UPGRADE_LOCK = zlib.crc32(b"kb schema upgrade")  # key of the PostgreSQL advisory lock


class SchemaTooNew(Exception):
    """The database was upgraded by a newer release than this code; nothing was changed."""

    def __init__(self, where: str, revision: str, head: str) -> None:
        self.revision, self.head = revision, head
        super().__init__(
            f"the database at {where} has schema revision {revision}, newer than this release "
            f"knows (head {head}); upgrade the code (git pull && make install) or point "
            f"KB_DATABASE_URL at another database"
        )


class SchemaUpgradeFailed(Exception):
    """A migration failed; its transaction was rolled back, so the database is as it was."""


@dataclass(frozen=True)
class Migration:
    """One migration script: its revision and what it does."""

    revision: str
    message: str


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema is: its revision (None: empty, or made before migrations)."""

    current: str | None
    head: str
    pending: tuple[Migration, ...]
    empty: bool

    @property
    def before_migrations(self) -> bool:
        """Tell whether the database was made by a release before migrations (no version)."""
        return self.current is None and not self.empty


@dataclass(frozen=True)
class SchemaChange:
    """What opening did to the schema: created, upgraded (from → to) or nothing."""

    before: str | None
    after: str
    created: bool = False

    @property
    def changed(self) -> bool:
        """Tell whether the schema was created or upgraded."""
        return self.created or self.before != self.after

    def __str__(self) -> str:
        if self.created:
            return f"created the database schema at revision {self.after}"
        if not self.changed:
            return f"the database schema is at revision {self.after} (head); nothing to do"
        if self.before is None and self.after == BASELINE:
            return f"recorded schema revision {BASELINE} in a database made before migrations"
        before = self.before or f"{BASELINE} (a database made before migrations)"
        return f"upgraded the database schema from revision {before} to {self.after}"


def alembic_config(
    connection: Connection | None = None, metadata: MetaData | None = None
) -> Config:
    """Return the Alembic configuration of the store, run on this connection (no ini file);
    `metadata`, the tables the code declares, is what autogenerate compares against."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    config.attributes["metadata"] = metadata
    return config


def scripts() -> ScriptDirectory:
    """Return the migration scripts this release ships."""
    return ScriptDirectory.from_config(alembic_config())


def where(engine: Engine) -> str:
    """Name the database for messages: a SQLite file's path, else its URL without password."""
    shown = engine.url.render_as_string(hide_password=True)
    path = sqlite_file(shown)
    return str(path) if path else shown


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _has_tables(connection: Connection, metadata: MetaData) -> bool:
    return bool(set(inspect(connection).get_table_names()) & set(metadata.tables))


def _known(script: ScriptDirectory, engine: Engine, revision: str | None) -> None:
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError:
        raise SchemaTooNew(where(engine), revision, script.get_current_head()) from None


def _pending(script: ScriptDirectory, current: str | None, head: str) -> tuple[Migration, ...]:
    newer = list(script.iterate_revisions(head, current or BASELINE))
    return tuple(Migration(s.revision, s.doc or "") for s in reversed(newer))


def status(database: Database, metadata: MetaData) -> SchemaStatus:
    """Read where the database's schema is, without changing anything (`metadata`: every table
    of the store, kb.bootstrap.store_tables()); a revision this code does not know raises
    SchemaTooNew."""
    script = scripts()
    head = script.get_current_head()
    with database.engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        current, empty = _revision(connection), not _has_tables(connection, metadata)
    _known(script, database.engine, current)
    if empty and current is None:
        return SchemaStatus(None, head, (), True)
    return SchemaStatus(current, head, _pending(script, current, head), False)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in one write transaction that no other upgrader runs beside.

    On SQLite foreign keys are off meanwhile (batch migrations copy a table, drop the old one
    and rename the copy: with them on, the drop would cascade to the rows that refer to it) and
    checked before the commit."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if sqlite:  # outside a transaction, where the pragma takes effect
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":  # held until the commit
                    lock = text("SELECT pg_advisory_xact_lock(:key)")
                    connection.execute(lock, {"key": UPGRADE_LOCK})
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        names = ", ".join(sorted({row[0] for row in broken}))
                        raise SchemaUpgradeFailed(
                            f"the upgrade would leave rows of {names} pointing at rows that do "
                            f"not exist; nothing was changed"
                        )
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def bring_to_head(database: Database, metadata: MetaData) -> SchemaChange:
    """Bring the database's schema to this release's head: create an empty one with every table
    of `metadata` (kb.bootstrap.store_tables()), upgrade an older one (stamping one made before
    migrations at the baseline first); a revision this code does not know raises SchemaTooNew,
    a failing migration SchemaUpgradeFailed (rolled back)."""
    script = scripts()
    head = script.get_current_head()
    with database.engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        current = _revision(connection)
    if current == head:
        return SchemaChange(head, head)
    _known(script, database.engine, current)
    with migrating(database.engine) as connection:
        current = _revision(connection)  # another process may have moved it meanwhile
        if current == head:
            return SchemaChange(head, head)
        _known(script, database.engine, current)
        context = MigrationContext.configure(connection)
        if current is None and not _has_tables(connection, metadata):
            metadata.create_all(connection)
            context.stamp(script, "head")
            return SchemaChange(None, head, created=True)
        if current is None:
            context.stamp(script, BASELINE)
        try:
            command.upgrade(alembic_config(connection), "head")
        except SQLAlchemyError as error:
            raise SchemaUpgradeFailed(
                f"upgrading the database at {where(database.engine)} from revision "
                f"{current or BASELINE} to {head} failed, so nothing was changed: {error}"
            ) from error
    return SchemaChange(current, head)


def new_migration(message: str, metadata: MetaData) -> Path | None:
    """Write a migration for what the models (`metadata`: kb.bootstrap.store_tables()) have that
    the migrations do not (Alembic's autogenerate against a scratch SQLite database at head);
    None when nothing differs."""
    script = scripts()
    head = script.get_current_head()
    with tempfile.TemporaryDirectory(prefix="kb-migration-") as scratch:
        database = Database.connect(f"sqlite:///{Path(scratch) / 'head.sqlite3'}")
        try:
            with migrating(database.engine) as connection:
                config = alembic_config(connection, metadata)
                command.upgrade(config, "head")
                number = f"{int(head) + 1:04d}" if head.isdigit() else None
                written = command.revision(config, message, autogenerate=True, rev_id=number)
        finally:
            database.close()
    return Path(written.path) if written else None
