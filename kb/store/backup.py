"""Backups of a SQLite knowledge base: an online, consistent copy of the database (SQLite's
backup API, safe while the server runs) and of the content folder, with a manifest — as a folder
or a .tar.gz — and restoring one (checked first, written beside, then renamed into place).

The caller holds the publish lock, so no publish changes the files and the database in between."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

from kb.store.integrity import problems

MANIFEST = "manifest.json"
DATABASE_FILE = "kb.sqlite3"
CONTENT_FOLDER = "content"
FORMAT = 1
COUNTED = (
    "documents", "sections", "doc_states", "revisions", "users", "progress", "certificates",
    "audit_log",
)  # fmt: skip
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def is_archive(path: Path) -> bool:
    """Tell whether a backup path names a .tar.gz archive (otherwise it is a folder)."""
    return path.name.endswith(ARCHIVE_SUFFIXES)


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with the backup API: a consistent snapshot even while in use."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())


def counts(database: Path) -> dict[str, int]:
    """Return the number of rows of the main tables of a SQLite database."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in COUNTED
            if name in tables
        }
    finally:
        connection.close()


def backup(database: Path, content: Path, dest: Path, version: str) -> dict[str, Any]:
    """Write a backup of the database and the content folder to dest; return its manifest."""
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new name (backups never overwrite)")
    if not database.is_file():
        raise BackupError(f"there is no database at {database} yet; run `kb ingest` first")
    staging = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        copy_database(database, staging / DATABASE_FILE)
        if content.is_dir():
            shutil.copytree(content, staging / CONTENT_FOLDER, symlinks=True)
        else:
            (staging / CONTENT_FOLDER).mkdir()
        found = problems(staging / DATABASE_FILE)
        if found:
            raise BackupError(f"the copy of the database fails its check: {'; '.join(found)}")
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "version": version,
            "database": DATABASE_FILE,
            "content": CONTENT_FOLDER,
            "counts": counts(staging / DATABASE_FILE),
            "files": sum(1 for p in (staging / CONTENT_FOLDER).rglob("*") if p.is_file()),
            "source": {"database": str(database), "content": str(content)},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if is_archive(dest):
            partial = dest.with_name(f".{dest.name}.partial.tar.gz")
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(staging, arcname=_stem(dest))
            os.replace(partial, dest)
        else:
            os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _stem(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        name = name.removesuffix(suffix)
    return name or "kb-backup"


def unpack(source: Path, work: Path) -> Path:
    """Return the folder of a backup (extracting a .tar.gz into work first)."""
    if not source.exists():
        raise BackupError(f"there is no backup at {source}")
    if not is_archive(source):
        return source
    try:
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source} is not a readable .tar.gz backup: {error}") from None
    if (work / MANIFEST).is_file():
        return work
    folders = [p for p in work.iterdir() if (p / MANIFEST).is_file()]
    if len(folders) != 1:
        raise BackupError(f"{source} holds no backup (no {MANIFEST} inside)")
    return folders[0]


def verify(folder: Path) -> dict[str, Any]:
    """Check a backup folder (manifest, database passes quick_check); return its manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{folder} is not a kb backup: cannot read {MANIFEST} ({error})"
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} has backup format {manifest.get('format')}; expected {FORMAT}")
    database = folder / manifest.get("database", DATABASE_FILE)
    if not database.is_file():
        raise BackupError(f"the backup {folder} has no database file {database.name}")
    found = problems(database)
    if found:
        raise BackupError(f"the backup's database is damaged ({'; '.join(found)}); use another")
    if not (folder / manifest.get("content", CONTENT_FOLDER)).is_dir():
        raise BackupError(f"the backup {folder} has no content folder")
    return manifest


def restore(folder: Path, manifest: dict[str, Any], database: Path, content: Path) -> list[Path]:
    """Put a verified backup in place of the database and the content folder: each is written
    beside its target, then renamed over it; what was there is kept beside. Returns those."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    database.parent.mkdir(parents=True, exist_ok=True)
    new_db = database.with_name(database.name + ".restoring")
    copy_database(folder / manifest.get("database", DATABASE_FILE), new_db)
    new_content = content.with_name(content.name + ".restoring")
    shutil.rmtree(new_content, ignore_errors=True)
    shutil.copytree(folder / manifest.get("content", CONTENT_FOLDER), new_content, symlinks=True)
    kept = []
    for suffix in ("", "-wal", "-shm"):  # the old database with its write-ahead log, together
        old = database.with_name(database.name + suffix)
        if old.exists():
            aside = database.with_name(f"{database.name}.before-restore-{stamp}{suffix}")
            os.replace(old, aside)
            kept.append(aside)
    os.replace(new_db, database)
    if content.exists():
        aside = content.with_name(f"{content.name}.before-restore-{stamp}")
        os.replace(content, aside)
        kept.append(aside)
    os.replace(new_content, content)
    return kept
