"""What every `kb` command shares: the --content/--data options, opening the store, reporting
errors and problems, progress on stderr."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb.content.problems import Severity
from kb.settings import Settings


def with_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --content and --data to a command and pass it the resulting Settings."""

    @click.option(
        "--content",
        type=click.Path(path_type=Path),
        default=None,
        help="Content folder (env KB_CONTENT, default ./content).",
    )
    @click.option(
        "--data",
        type=click.Path(path_type=Path),
        default=None,
        help="Data folder for the database and indexes (env KB_DATA, default ./data).",
    )
    @functools.wraps(command)
    def wrapper(content: Path | None, data: Path | None, **kwargs: Any) -> Any:
        overrides = {k: v for k, v in {"content": content, "data": data}.items() if v is not None}
        return command(Settings(**overrides), **kwargs)

    return wrapper


def progress(label: str):
    """Return a progress wrapper for an iterable (shown on a terminal, silent otherwise)."""
    from tqdm import tqdm

    def wrap(items):
        items = list(items)
        return tqdm(items, desc=label, unit="file", file=sys.stderr, disable=None, leave=False)

    return wrap


def echo_err(message: str) -> None:
    """Print a progress line to stderr (stdout stays for results)."""
    click.echo(message, err=True)


def fail(message: str, hint: str = "") -> None:
    """Print an error with what to do next and exit with status 2."""
    click.secho(f"error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"  {hint}", err=True)
    sys.exit(2)


def require_content(settings: Settings) -> None:
    """Exit with a clear message when the content folder does not exist."""
    if not settings.content.is_dir():
        fail(
            f"content folder {settings.content} does not exist",
            "pass --content PATH or set KB_CONTENT to a folder of Markdown files",
        )


def open_store(settings: Settings, recover: bool = True):
    """Open the knowledge base's database with its schema brought to head (said on stderr when
    it changes): a damaged SQLite file, a database newer than this code, or a missing or empty
    one beside an earlier catalog's indexes is an error saying what to do; a publish that a
    killed process left half-done is finished first (unless not `recover`); it is closed when
    the command ends."""
    from kb.bootstrap import open_database
    from kb.store.database import DatabaseUnreachable
    from kb.store.integrity import DatabaseDamaged, EarlierCatalogMissing
    from kb.store.schema import SchemaTooNew, SchemaUpgradeFailed

    def note(change) -> None:
        if not change.created:
            click.echo(f"note: {change}", err=True)

    try:
        database = open_database(settings.db_url, note, earlier_catalog(settings))
    except (
        DatabaseDamaged,
        DatabaseUnreachable,
        EarlierCatalogMissing,
        SchemaTooNew,
        SchemaUpgradeFailed,
    ) as error:
        fail(str(error))
    context = click.get_current_context(silent=True)
    if context is not None:  # the connections are released when the command ends
        context.call_on_close(database.close)
    if recover:
        from kb.curation.workflow import pending_intents

        if pending_intents(database):
            from search.embedders import EmbedderPool
            from search.service import finish_interrupted_publishes

            pool = EmbedderPool(settings.embedders, settings.threads)
            for outcome in finish_interrupted_publishes(settings, database, pool):
                click.echo(f"note: {outcome}", err=True)
    return database


def earlier_catalog(settings: Settings) -> str | None:
    """Say what shows that this data folder served a catalog before (search indexes of some
    sections), so that a missing or empty database is refused; None with
    KB_ALLOW_EMPTY_DATABASE, or in a fresh data folder."""
    from search.index.generations import GenerationStore

    if settings.allow_empty_database:
        return None
    current = GenerationStore(settings.index_root).current()
    if current is None or not current.sections:
        return None
    return (
        f"{settings.index_root} holds the search indexes of a catalog of "
        f"{len(current.sections)} sections ({current.name})"
    )


def has_store(settings: Settings) -> bool:
    """Tell whether the knowledge base has a database yet (a SQLite file, or another URL)."""
    from kb.store.integrity import sqlite_file

    path = sqlite_file(settings.db_url)
    return path is None or path.is_file()


def print_problems(problems) -> None:
    """Print problems (file:line, message, fix) to stderr."""
    for problem in problems:
        colour = "red" if problem.severity == Severity.ERROR else "yellow"
        click.secho(str(problem), fg=colour, err=True)


def bar(label: str, total: int):
    """Return a callback that advances a progress bar by n items on a terminal; elsewhere (a
    log, a pipe) it prints one line every few seconds: done/total, rate, time left."""
    if not sys.stderr.isatty():
        from search.index.progress_meter import ProgressMeter

        meter = ProgressMeter(label, total, lambda line: click.echo(line, err=True))
        return meter.advance
    from tqdm import tqdm

    progress_bar = tqdm(total=total, desc=label, unit="text", file=sys.stderr)
    return progress_bar.update
