"""The operations commands: serve the web UI, back up and restore, mail the digest, show the
settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from kb.cli.common import bar, fail, open_store, progress, with_settings
from kb.settings import Settings


@click.command()
@click.option("--since", default="7d", show_default=True, help="Period: 12h, 7d, 2w or a date.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file (atomically).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--base-url", default=None, help="Site address for links (default: KB_HOST:KB_PORT).")
@with_settings
def digest(
    settings: Settings, since: str, fmt: str, output: Path | None, lang: str, base_url: str | None
) -> None:
    """Print the period's new and updated lessons per knowledge area, ready to mail."""
    from kb.following.digest import (
        PeriodError,
        build_digest,
        parse_since,
        render_html,
        render_markdown,
    )
    from kb.store.database import utcnow

    now = utcnow()
    try:
        start = parse_since(since, now)
    except PeriodError as error:
        fail(str(error), "e.g. kb digest --since 7d")
    if output is not None and output.is_dir():
        fail(f"--output {output} is a folder", "name a file, e.g. --output digest.md")
    database = open_store(settings)
    site = base_url or settings.site_url
    with database.reading() as session:
        built = build_digest(session, start, now, lang, site)
    text = render_html(built) if fmt == "html" else render_markdown(built)
    if output is None:
        click.echo(text, nl=False)
        return
    from ingest.publisher import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}", "choose a writable path")
    click.echo(f"wrote {output}", err=True)


@click.command()
@click.option("--host", default=None, help="Address to listen on (env KB_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (env KB_PORT).")
@click.option("--workers", type=click.IntRange(1, 16), default=None, help="Processes (KB_WORKERS).")
@with_settings
def serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web UI and JSON API with uvicorn."""
    import uvicorn

    from web.app import create_app
    from web.core.serving import uvicorn_options

    changes = {"host": host, "port": port, "workers": workers}
    settings = settings.model_copy(update={k: v for k, v in changes.items() if v is not None})
    from kb.accounts import list_users

    if not list_users(open_store(settings)):
        click.echo("No accounts yet: anyone can search and read; to curate or take training, run")
        click.echo("  kb user add NAME --role admin   (roles: learner, curator, admin)")
    click.echo(f"Serving on http://{settings.host}:{settings.port}  (Ctrl+C to stop)")
    from web.core.json_logs import logging_config

    logs = {
        "log_config": logging_config(settings.log_format),
        "access_log": settings.log_format != "json",  # the JSON request line replaces it
    }
    if settings.workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            **logs,
            **uvicorn_options(),
        )
        return
    # Metrics of all workers add up through files (prometheus-client's multiprocess mode); the
    # folder is emptied first, so counters of an earlier run do not come back.
    shared_metrics = settings.data / "metrics"
    shutil.rmtree(shared_metrics, ignore_errors=True)
    shared_metrics.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared_metrics)
    # Several workers: uvicorn spawns fresh processes (never fork after torch/faiss loaded);
    # each builds the app from the settings passed down as KB_* variables. The session key is
    # fixed first, so a cookie signed by one worker is valid in the others.
    from web.core.secret import session_secret

    settings = settings.model_copy(update={"secret_key": session_secret(settings)})
    os.environ.update(settings.as_environment())
    uvicorn.run(
        "web.app:create_app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        **logs,
        **uvicorn_options(),
    )


NOT_SQLITE = (
    "kb backup and kb restore handle the SQLite database only; for PostgreSQL (KB_DATABASE_URL) "
    "they are not supported yet",
    "back the database up with `pg_dump -Fc` (restore with `pg_restore`) and copy the content "
    "folder yourself, while no publish runs",
)


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_settings
def backup_command(settings: Settings, dest: Path) -> None:
    """Back up the database and the content folder into DEST (a new folder, or DEST.tar.gz).

    Online and consistent: SQLite's backup API copies the database while the server runs, and
    no publish can happen in between. Indexes are not copied (`kb ingest` rebuilds them)."""
    from importlib.metadata import version

    from kb.store.backup import BackupError, backup
    from kb.store.integrity import sqlite_file
    from kb.store.locks import PUBLISH_LOCK, exclusive

    path = sqlite_file(settings.db_url)
    if path is None:
        fail(*NOT_SQLITE)
    open_store(settings).close()  # checked, and any interrupted publish finished
    try:
        with exclusive(settings.data / PUBLISH_LOCK):
            manifest = backup(path, settings.content, dest, version("pmo-kb"))
    except BackupError as error:
        fail(str(error))
    numbers = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
    click.echo(f"backup written to {dest}: {numbers}; {manifest['files']} content files")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace the existing database and content folder (kept beside as *.before-restore-*).",
)
@with_settings
def restore_command(settings: Settings, source: Path, force: bool) -> None:
    """Restore a backup made by `kb backup` (a folder or .tar.gz), then rebuild the indexes.

    The backup is checked first (manifest, PRAGMA quick_check); the database and the content
    folder are written beside their targets and renamed into place. Stop `kb serve` first."""
    import tempfile

    from kb import sessions
    from kb.store.backup import BackupError, restore, unpack, verify
    from kb.store.integrity import sqlite_file
    from kb.store.locks import PUBLISH_LOCK, SERVER_LOCK, exclusive, held_elsewhere

    path = sqlite_file(settings.db_url)
    if path is None:
        fail(*NOT_SQLITE)
    if held_elsewhere(settings.data / SERVER_LOCK):
        fail(
            f"a `kb serve` is running on {settings.data}; a restore under it would be lost",
            "stop the server, then run `kb restore` again",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=path.parent) as work:
        try:
            folder = unpack(source, Path(work))
            manifest = verify(folder)
        except BackupError as error:
            fail(str(error))
        content = settings.content
        if not force and (path.exists() or (content.is_dir() and any(content.iterdir()))):
            fail(
                f"restoring replaces the database {path} and the content folder {content}",
                "pass --force to do it (what is there now is kept beside, named "
                "*.before-restore-<time>)",
            )
        with exclusive(settings.data / PUBLISH_LOCK):
            kept = restore(folder, manifest, path, content)
    numbers = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
    click.echo(
        f"restored the backup of {manifest['created']} (pmo-kb {manifest['version']}): {numbers}"
    )
    for old in kept:
        if not old.name.endswith(("-wal", "-shm")):
            click.echo(f"  what was there before is kept at {old}")
    from search.embedders import EmbedderPool
    from search.service import ingest_and_index

    database = open_store(settings)
    with database.session() as session:  # one revoked after the backup would live again
        ended = sessions.end_everyone(session)
    click.echo(f"ended all {ended} sign-in sessions of the backup: everyone signs in again")
    pool = EmbedderPool(settings.embedders, settings.threads)
    _, index = ingest_and_index(settings, database, pool, True, progress("ingest"), bar)
    click.echo(f"indexes rebuilt: generation {index.generation}")


@click.command("config")
@with_settings
def show_config(settings: Settings) -> None:
    """Show every setting with its value, environment variable and meaning."""
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        shown = "(set)" if name == "secret_key" and value else value
        click.echo(f"KB_{name.upper():<20} {shown!s:<40} {info.description}")


COMMANDS = (serve, digest, backup_command, restore_command, show_config)
