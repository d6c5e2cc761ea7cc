"""Advisory file locks in the data folder: one publish at a time across processes, and a mark
that a server is running (held shared by each server process, tested by `kb restore`).

The operating system drops a lock when its process dies, kill -9 included."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

PUBLISH_LOCK = "publish.lock"
SERVER_LOCK = "server.lock"


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
