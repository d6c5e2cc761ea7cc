"""What publishing works with: the Publisher (store, content folder, re-index step, where its lock
and unpublished files live) and the file and catalog steps that publishing and crash recovery
share — each one safe to repeat."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ingest.build import BuildContext, build_document, content_hash
from ingest.reader import ReadError, decode_markdown
from kb.content.paths import UnsafePath, resolve_inside
from kb.crashpoint import crash_point
from kb.store import catalog
from kb.store.database import Database
from kb.store.locks import publishing

UNPUBLISHED_FOLDER = "unpublished"


class PublishError(Exception):
    """Publishing failed; the published file, catalog and indexes are as they were."""


@dataclass
class Publisher:
    """What publishing needs: the store, the content folder and how to bring the indexes up to
    date; `state_dir` (the data folder) holds the publish lock and the unpublished files."""

    database: Database
    root: Path
    reindex: Callable[[], Any]
    self_approval: bool = False
    state_dir: Path | None = None

    def lock(self) -> contextlib.AbstractContextManager[object]:
        """Hold the lock that lets one publish (or recovery) run at a time, across processes
        (and across replicas on a shared database)."""
        return publishing(self.database, self.state_dir)

    def target(self, rel: str) -> Path:
        """Return where rel is in the content folder, or raise PublishError for an unsafe path."""
        try:
            return resolve_inside(self.root, rel)
        except (UnsafePath, OSError) as error:  # OSError: e.g. a file name too long for the disk
            raise PublishError(f"cannot publish at {rel[:200]}: {error}") from None


def write_atomic(target: Path, data: bytes, pause: str = "") -> None:
    """Write a file by writing a hidden temporary file beside it and renaming it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        if pause:
            crash_point(pause)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_leftovers(target: Path) -> None:
    """Delete temporary files a killed write_atomic left beside target."""
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        leftover.unlink(missing_ok=True)


def ensure_file(target: Path, data: bytes | None) -> None:
    """Make the file hold exactly data (None: no file), writing only when it differs."""
    if data is None:
        target.unlink(missing_ok=True)
    elif not target.is_file() or target.read_bytes() != data:
        write_atomic(target, data)


def kept_path(publisher: Publisher, rel: str) -> Path | None:
    """Return where an unpublished file is kept (data/unpublished/<rel>), or None."""
    return None if publisher.state_dir is None else publisher.state_dir / UNPUBLISHED_FOLDER / rel


def retain(publisher: Publisher, rel: str, data: bytes) -> None:
    """Keep an unpublished file's bytes in the data folder (so it can be restored)."""
    kept = kept_path(publisher, rel)
    if kept is not None:
        ensure_file(kept, data)


def catalog_from_file(session: Session, doc_id: str, rel: str, target: Path) -> None:
    """Make the catalog entry of a document what ingest would make of its file (none if absent)."""
    catalog.remove(session, doc_id)
    session.flush()
    if not target.is_file():
        return
    raw = target.read_bytes()
    try:
        built = build_document(rel, decode_markdown(raw, rel), BuildContext())
    except ReadError:
        return
    if built.document is not None and built.document.id == doc_id:
        built.document.content_hash = content_hash(raw)
        catalog.upsert(session, built.document)
