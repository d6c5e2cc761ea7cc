"""Advisory locks: one publish at a time across processes — a file lock in the data folder on
SQLite (one host), a PostgreSQL advisory lock on a shared database (every replica) — and a mark
that a server is running (held shared by each server process, tested by `kb restore`).

The operating system (or PostgreSQL) drops a lock when its process dies, kill -9 included."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from kb.store.database import Database

PUBLISH_LOCK = "publish.lock"
SERVER_LOCK = "server.lock"
PUBLISH_KEY = 7_346_102  # the PostgreSQL advisory lock key of publishing


@contextmanager
def _locked(path: Path, mode: int) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def exclusive(path: Path) -> AbstractContextManager[None]:
    """Hold an exclusive lock on path (waits while another process holds it)."""
    return _locked(path, fcntl.LOCK_EX)


def shared(path: Path) -> AbstractContextManager[None]:
    """Hold a shared lock on path (many holders; keeps an exclusive locker out)."""
    return _locked(path, fcntl.LOCK_SH)


def held_elsewhere(path: Path) -> bool:
    """Tell whether another holder has the lock on path right now (without waiting)."""
    if not path.is_file():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def publishing(database: Database, state_dir: Path | None) -> AbstractContextManager[object]:
    """Hold the lock that lets one publish (or recovery) run at a time, across processes and,
    on a shared database, across replicas."""
    if database.dialect == "postgresql":
        return database.cluster_lock(PUBLISH_KEY)
    if state_dir is None:
        return contextlib.nullcontext()
    return exclusive(state_dir / PUBLISH_LOCK)


def publishing_elsewhere(database: Database, state_dir: Path | None) -> bool:
    """Tell whether a publish (or recovery) holds the publishing lock right now."""
    if database.dialect == "postgresql":
        with database.cluster_lock(PUBLISH_KEY, wait=False) as taken:
            return not taken
    return state_dir is not None and held_elsewhere(state_dir / PUBLISH_LOCK)
