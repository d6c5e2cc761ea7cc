"""Alembic's environment for the store. It runs only through kb.store.schema, which hands over
the app's own connection in a transaction (config.attributes["connection"]): no alembic.ini, no
URL of its own. The tables the code declares come the same way (config.attributes["metadata"],
from kb.bootstrap.store_tables(); only autogenerate needs them)."""

from alembic import context


def skip_when_empty(_context, _revision, directives) -> None:
    """Write no migration file when the models and the migrations agree."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=context.config.attributes.get("metadata"),
    # Generated operations go through batch_alter_table: on SQLite, which cannot ALTER most
    # things, it copies the table; on PostgreSQL it is a plain ALTER TABLE.
    render_as_batch=True,
    compare_type=True,
    process_revision_directives=skip_when_empty,
)
with context.begin_transaction():
    context.run_migrations()
