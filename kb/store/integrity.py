"""Is the SQLite file sound? `PRAGMA quick_check` before the store is used, and a message that
says what is wrong and how to recover instead of a traceback half-way through a request."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SQLITE_PREFIX = "sqlite:///"


class DatabaseDamaged(Exception):
    """The SQLite file cannot be trusted; the message says what is wrong and how to recover."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(recovery_advice(path, detail))


def recovery_advice(path: Path, detail: str) -> str:
    """Return the one paragraph that says what is wrong with the database and how to recover."""
    return (
        f"The database {path} is damaged ({detail}), so nothing was started or changed. "
        f"Stop every `kb serve` that uses it, then either restore the last backup with "
        f"`kb restore BACKUP --force` (accounts, training progress, drafts and history come back "
        f"as they were then), or move it away with its -wal and -shm files (`mkdir "
        f"{path.parent / 'damaged'} && mv {path}* {path.parent / 'damaged'}/`) and run "
        f"`KB_ALLOW_EMPTY_DATABASE=1 kb ingest` to rebuild the catalog and the search indexes "
        f"from the content folder — that starts with no accounts, training progress, drafts, "
        f"history or search log."
    )


class EarlierCatalogMissing(Exception):
    """The database is missing or empty, yet the data folder shows that a catalog existed:
    starting would silently create a new empty one; the message says how to recover."""

    def __init__(self, where: str, evidence: str) -> None:
        super().__init__(
            f"The database {where} is missing or empty, but {evidence}: starting on a new "
            f"empty database would lose that catalog's accounts, training progress, drafts, "
            f"history and search log without a word, so nothing was started or changed. Stop "
            f"every `kb serve` on this data folder, then either put the database back (the file "
            f"with its -wal and -shm files, or KB_DATABASE_URL / --data pointing at it) or "
            f"restore the last backup with `kb restore BACKUP --force`. To start with an empty "
            f"database on purpose, run the command once with KB_ALLOW_EMPTY_DATABASE=1 (then "
            f"`kb ingest` rebuilds the catalog from the content folder)."
        )


def sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    name = url.removeprefix(SQLITE_PREFIX)
    return Path(name) if name and name != ":memory:" else None


def problems(path: Path, limit: int = 3) -> list[str]:
    """Return what `PRAGMA quick_check` finds wrong with a SQLite file ([] when it is sound)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [str(error)]
    try:
        rows = connection.execute(f"PRAGMA quick_check({limit})").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def check_file(path: Path) -> None:
    """Raise DatabaseDamaged when an existing SQLite file fails `PRAGMA quick_check`."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    found = problems(path)
    if found:
        detail = "; ".join(found)
        if "not a database" in detail:
            detail = f"it is not a SQLite database: {detail}"
        raise DatabaseDamaged(path, detail)


def check_url(url: str) -> None:
    """Check the SQLite file of a database URL (other databases check themselves)."""
    path = sqlite_file(url)
    if path is not None:
        check_file(path)
